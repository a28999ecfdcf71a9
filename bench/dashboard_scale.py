"""Time the dashboard at 500 feeds × 200 items (100,000 items), headless, by hand.

    .venv/bin/python bench/dashboard_scale.py [--feeds N] [--per-feed N] [--source-read-index]

Reports: building the store (not part of the app), launch to first content (app start to
the board drawn, and to the Inbox filled), and key press to updated screen for keys on the
board and in the Inbox (``Pilot.press`` returns once the screen has been refreshed, so each
figure includes Pilot's own wait of a frame or so; compare against ``j``).

``--source-read-index`` adds an index on items (source, read) to the temporary database
first, to show what it does to the per-source unread queries.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textual.pilot import Pilot

from tests.ui.conftest import FIXED_NOW
from tests.ui.test_dashboard_scale import build_large_session
from tui.app import FolioApp
from tui.core.config import Settings
from tui.core.session import Session
from tui.core.storage.workspace import Workspace
from tui.screens.dashboard import DashboardScreen
from tui.widgets.board import FeedBoard

BOARD_KEYS = [
    ("j (next item)", ["j"]),
    ("s (star)", ["s"]),
    ("r (read)", ["r"]),
    ("right (next pane)", ["right"]),
    ("G (last pane)", ["G"]),
    ("g (first pane)", ["g"]),
    ("pagedown", ["pagedown"]),
]
INBOX_KEYS = [
    ("j (next row)", ["j"]),
    ("s (star)", ["s"]),
    ("r (read)", ["r"]),
    ("end (last row)", ["end"]),
    ("home", ["home"]),
    ("pagedown", ["pagedown"]),
    ("m (mark source read)", ["m"]),
    ("u (undo)", ["u"]),
]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


async def time_keys(pilot: Pilot[Any], where: str, table: list[tuple[str, list[str]]]) -> None:
    for label, keys in table:
        samples = []
        for _ in range(5):
            started = time.perf_counter()
            await pilot.press(*keys)
            samples.append(time.perf_counter() - started)
        median, worst = statistics.median(samples), max(samples)
        print(f"  {where}: {label:24} median {ms(median)}  max {ms(worst)}")


async def measure(root: Path) -> None:
    started = time.perf_counter()
    session = Session(Workspace(root / "portfolio.toml", root / "folio.db", Settings()))
    session.clock = lambda: FIXED_NOW
    app = FolioApp(session, auto_refresh=False)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        assert screen.query_one(FeedBoard).sources
        print(f"launch to board drawn:     {ms(time.perf_counter() - started)}")
        while not screen.inbox_loaded:
            await pilot.pause(0.005)
        await pilot.pause()
        print(f"launch to Inbox filled:    {ms(time.perf_counter() - started)}")
        t = time.perf_counter()
        ids = session.inbox_ids()
        print(f"session.inbox_ids() ({len(ids)} ids): {ms(time.perf_counter() - t)}")
        await time_keys(pilot, "board", BOARD_KEYS)
        await pilot.press("g", "tab")
        await pilot.pause()
        await time_keys(pilot, "inbox", INBOX_KEYS)
        t = time.perf_counter()
        screen.inbox.set_ids(session.inbox_ids())
        await pilot.pause()
        print(f"Inbox reload (ids + keep place): {ms(time.perf_counter() - t)}")
    session.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--per-feed", type=int, default=200)
    parser.add_argument("--source-read-index", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        t = time.perf_counter()
        session = build_large_session(root, args.feeds, args.per_feed)
        if args.source_read_index:
            session.store._db.execute("CREATE INDEX items_source_read ON items (source, read)")
        session.close()
        print(
            f"built {args.feeds} feeds × {args.per_feed} items in {time.perf_counter() - t:.1f} s"
        )
        asyncio.run(measure(root))


if __name__ == "__main__":
    main()
