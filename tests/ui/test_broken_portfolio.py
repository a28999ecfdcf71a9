"""The app opens on a hand-broken portfolio.toml, says what is wrong, and writes nothing."""

from __future__ import annotations

from pathlib import Path

from tui.app import FolioApp
from tui.core.config import Settings
from tui.core.session import Session
from tui.core.storage.workspace import Workspace
from tui.widgets.board import FeedBoard

BROKEN = '[[sources]]\nurl = "https://a.example/feed"\nkind = "blgo"\n'


async def test_the_error_is_shown_literally_and_the_file_kept(tmp_path: Path) -> None:
    # A folder name that would be styling if the message were read as markup.
    folder = tmp_path / "[italic]notes"
    folder.mkdir()
    path = folder / "portfolio.toml"
    path.write_text(BROKEN)
    session = Session(Workspace(path, folder / "folio.db", Settings()))
    app = FolioApp(session, auto_refresh=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        notes = list(app._notifications)
        assert notes and all(not note.markup for note in notes)
        messages = [note.message for note in notes]
        assert any(f"{path}:3: sources[0].kind: expected one of" in m for m in messages)
        assert any("read-only until it is fixed" in m for m in messages)
        # The board says the file is wrong, where, and that nothing was changed; it never
        # invites the user to add sources they already have.
        board = app.screen.query_one(FeedBoard)
        text = " ".join(
            "".join(segment.text for segment in board.render_line(y)) for y in range(12)
        )
        text = " ".join(text.split())
        assert "No sources yet" not in text
        assert "No sources shown: portfolio.toml has an error." in text
        assert "portfolio.toml:3: sources[0].kind: expected one of" in text
        assert "Nothing was changed" in text
        await pilot.press("2", "n")
        await pilot.pause()
    assert path.read_text() == BROKEN
