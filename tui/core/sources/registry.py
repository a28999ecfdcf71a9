"""Every adapter folio has, imported (and so registered) in the order ``recognise`` tries
them: the most specific address forms first, Mastodon's ``https://host/@user`` (any host)
last."""

from __future__ import annotations

# Each adapter module registers itself with tui.core.sources.base.register when imported.
from tui.core.sources import mastodon  # noqa: F401  # last: its address form fits any host
