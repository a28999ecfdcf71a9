"""Sources followed or unfollowed on the sync server, made so in portfolio.toml as one edit
on the file as it is on disk (``storage.portfolio_edit``), by the app and ``folio sync``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from tomlkit import TOMLDocument

from tui.core.interop.opml import normalise_url
from tui.core.models import Source
from tui.core.storage.portfolio import Portfolio
from tui.core.storage.portfolio_edit import AddSources, DeleteEntry, Edit

__all__ = ["SyncSources"]


@dataclass
class SyncSources(Edit):
    """Add the server's new sources (those not followed here yet) and remove those it no
    longer has (those still here): a source added or removed by hand meanwhile is no
    conflict, the file simply already says so."""

    add: Sequence[Source]
    remove: Sequence[str]
    added: list[Source] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def apply(self, doc: TOMLDocument, portfolio: Portfolio) -> list[Edit]:
        undo: list[Edit] = []
        self.removed = []
        for url in self.remove:
            if portfolio.source(url) is not None:
                undo[:0] = DeleteEntry("sources", url).apply(doc, portfolio)
                self.removed.append(url)
        adding = AddSources(self.add, normalise_url)
        undo[:0] = adding.apply(doc, portfolio)
        self.added = adding.added
        return undo
