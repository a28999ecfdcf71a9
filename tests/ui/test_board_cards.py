"""What a card on the board says about its feed: the status row only when something is
wrong (a failed or never-fetched feed), its count never "all read" for a feed that has
not been read, and the user's own sources marked."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.ui.conftest import FIXED_NOW, SOURCES, build_session
from tests.ui.test_dashboard import board, ready, visible_text
from tui.app import FolioApp
from tui.core.models import Source, SourceState
from tui.core.storage.portfolio import Portfolio


def card_text(lines: list[str], column: int) -> list[str]:
    """The lines of the card in ``column`` (0 or 1) of a two-column board."""
    return [line.split("╮ ╭")[column] if "╮ ╭" in line else line.split("│ │")[column]
            for line in lines if "╮ ╭" in line or "│ │" in line]  # fmt: skip


async def test_failed_and_never_fetched_cards_say_so(tmp_path: Path) -> None:
    failing = Source("https://down.example/feed", "Down Feed", "blog")
    fresh = Source("https://new.example/feed", "Brand New", "blog")
    session = build_session(tmp_path / "p", Portfolio(sources=[failing, fresh, SOURCES[0]]))
    try:
        # build_session fetched every source; make one fail and the other never fetched.
        session.store.remove_source(fresh.url)
        session.store.remove_source(failing.url)
        session.store.save_state(
            SourceState(
                url=failing.url,
                status="error",
                error="the server answered 503 Service Unavailable",
                last_fetched=FIXED_NOW - dt.timedelta(minutes=3),
            )
        )
        app = FolioApp(session, auto_refresh=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await ready(pilot)
            lines = visible_text(board(app))
            first, second = card_text(lines[1:3], 0), card_text(lines[1:3], 1)
            assert "Down Feed" in first[0] and " failed " in first[0]
            assert "✗ the server answered 503" in first[1]
            assert "Brand New" in second[0] and " not fetched " in second[0]
            assert "not fetched yet: press R" in second[1]
            assert "all read" not in "\n".join(lines)
            # A healthy card uses that row for an item instead: six items, no "ok" line.
            text = "\n".join(lines)
            assert "✓" not in text and "People Ops Weekly" in text
    finally:
        session.close()


async def test_a_read_card_says_all_read_and_own_cards_are_marked(
    tmp_path: Path,
) -> None:
    session = build_session(tmp_path / "p", Portfolio(sources=[SOURCES[0], SOURCES[2]]))
    try:
        session.mark_source_read(SOURCES[0].url)
        app = FolioApp(session, auto_refresh=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await ready(pilot)
            top = visible_text(board(app))[1]
            assert "People Ops Weekly" in top and " all read " in top
            assert "✎ My Own Blog" in top and " mine " in top
            rows = card_text(visible_text(board(app))[2:8], 0)
            assert len(rows) == 6 and all(row.strip("│ ") for row in rows)
    finally:
        session.close()
