"""Session actions against real files: the store on SQLite, the portfolio on disk."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tui.core.config import Settings
from tui.core.models import ParsedFeed, ParsedItem, Source, SourceState
from tui.core.session import Change, ReadOnlyError, Session
from tui.core.storage import portfolio_edit
from tui.core.storage.atomic import backups_of
from tui.core.storage.portfolio import MatrixEntry, Portfolio, load_portfolio, save_portfolio
from tui.core.storage.workspace import Workspace

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
A = "https://a.example/feed"
B = "https://b.example/feed"


def make_session(tmp_path: Path, portfolio_text: str | None = None) -> Session:
    workspace = Workspace(tmp_path / "portfolio.toml", tmp_path / "folio.db", Settings())
    if portfolio_text is None:
        save_portfolio(
            workspace.portfolio_path,
            Portfolio(
                sources=[Source(A, "A", tags=["alpha"]), Source(B, "B", tags=["beta"])],
                matrix=[MatrixEntry("b", "B things", value=5, effort=1, sources=["beta"])],
            ),
        )
    else:
        workspace.portfolio_path.write_text(portfolio_text)
    session = Session(workspace)
    for url in (A, B):
        items = [
            ParsedItem(guid=f"{url}{n}", title=f"{url} {n}", published=NOW - dt.timedelta(hours=n))
            for n in range(3)
        ]
        session.store.store_feed(SourceState(url=url), ParsedFeed(items=items), now=NOW)
    return session


def test_inbox_follows_the_matrix(tmp_path: Path) -> None:
    session = make_session(tmp_path)
    sources = [session.store.item(i).source for i in session.inbox_ids()]  # type: ignore[union-attr]
    assert sources == [B] * 3 + [A] * 3
    session.edit_portfolio("matrix", "drop b", lambda p: setattr(p.matrix[0], "effort", 5))
    session.edit_portfolio("matrix", "drop b", lambda p: setattr(p.matrix[0], "value", 1))
    assert load_portfolio(session.workspace.portfolio_path).matrix[0].value == 1
    sources = [session.store.item(i).source for i in session.inbox_ids()]  # type: ignore[union-attr]
    assert sources == [A] * 3 + [B] * 3


def test_mark_source_read_and_undo(tmp_path: Path) -> None:
    session = make_session(tmp_path)
    changes: list[Change] = []
    session.listeners.append(changes.append)
    assert session.mark_source_read(A) == 3
    assert session.store.unread_counts() == {B: 3}
    assert changes[-1].sources == [A] and "Marked 3 items" in changes[-1].message
    item = session.store.items(sources=[B], limit=1)[0]
    assert session.toggle_flag(item, "starred") is True
    assert session.undo_triage() == "starred on"
    assert not session.store.item(item.id).starred  # type: ignore[union-attr]
    assert session.undo_triage() is not None
    assert session.store.unread_counts() == {A: 3, B: 3}
    assert session.undo_triage() is None


def test_portfolio_edits_are_saved_and_undoable(tmp_path: Path) -> None:
    session = make_session(tmp_path)
    session.add_source(Source("https://c.example/feed", "C", "podcast"))
    on_disk = load_portfolio(session.workspace.portfolio_path)
    assert [s.name for s in on_disk.sources] == ["A", "B", "C"]
    assert len(backups_of(tmp_path / "portfolio.toml")) == 1
    session.delete_source(A)
    assert session.store.count(sources=[A]) == 0
    assert [s.name for s in load_portfolio(session.workspace.portfolio_path).sources] == ["B", "C"]
    assert session.undo_portfolio("sources") == "Deleted A"
    assert [s.name for s in load_portfolio(session.workspace.portfolio_path).sources] == [
        "A",
        "B",
        "C",
    ]


def test_a_failed_save_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    session = make_session(tmp_path)
    before = session.workspace.portfolio_path.read_bytes()

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(portfolio_edit, "write_atomic", refuse)
    with pytest.raises(OSError):
        session.add_source(Source("https://c.example/feed", "C"))
    assert [s.name for s in session.sources] == ["A", "B"]
    assert session.workspace.portfolio_path.read_bytes() == before


def test_broken_portfolio_is_read_only_and_untouched(tmp_path: Path) -> None:
    text = '[[sources]]\nurl = "https://a.example/feed"\nkind = "blgo"\n'
    session = make_session(tmp_path, portfolio_text=text)
    assert session.read_only
    assert "portfolio.toml:3: sources[0].kind" in (session.portfolio_error or "")
    with pytest.raises(ReadOnlyError):
        session.add_source(Source("https://c.example/feed"))
    assert (tmp_path / "portfolio.toml").read_text() == text
