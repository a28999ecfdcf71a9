"""Every adapter folio has, imported (and so registered) in the order ``recognise`` tries
them: the most specific address forms first."""

from __future__ import annotations

# Each adapter module registers itself with tui.core.sources.base.register when imported.
