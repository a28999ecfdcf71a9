"""Time the dashboard at 500 feeds × 200 items (100,000 items), headless, by hand.

    .venv/bin/python bench/dashboard_scale.py [FEEDS] [PER_FEED]

Reports: building the store (not part of the app), launch to first content (app start to
the dashboard drawn with the board and the Inbox filled), and key press to updated screen
for triage keys on the board and in the Inbox (``Pilot.press`` returns once the screen has
been refreshed). Numbers go in BENCHMARKS.md.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.ui.test_dashboard_scale import build_large_session  # noqa: E402
from tui.app import FolioApp  # noqa: E402
from tui.widgets.board import FeedBoard  # noqa: E402
from tui.widgets.itemlist import ItemList  # noqa: E402


async def measure(root: Path) -> None:
    from tests.ui.conftest import FIXED_NOW
    from tui.core.config import Settings
    from tui.core.session import Session
    from tui.core.workspace import Workspace

    started = time.perf_counter()
    session = Session(Workspace(root / "portfolio.toml", root / "folio.db", Settings()))
    session.clock = lambda: FIXED_NOW
    app = FolioApp(session, auto_refresh=False)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        board = app.screen.query_one(FeedBoard)
        inbox = app.screen.query_one(ItemList)
        assert inbox.ids and board.sources
        first = time.perf_counter() - started
        print(f"launch to first content: {first * 1000:.0f} ms")

        t0 = time.perf_counter()
        ids = session.inbox_ids()
        print(f"session.inbox_ids() over {len(ids)} unread: {(time.perf_counter() - t0) * 1000:.0f} ms")

        async def timed(*keys: str) -> float:
            t = time.perf_counter()
            await pilot.press(*keys)
            return (time.perf_counter() - t) * 1000

        for label, keys in [
            ("board: j (next item)", ["j"]),
            ("board: s (star)", ["s"]),
            ("board: r (read)", ["r"]),
            ("board: right (next pane)", ["right"]),
            ("board: G (last pane)", ["G"]),
            ("board: g (first pane)", ["g"]),
            ("board: pagedown", ["pagedown"]),
        ]:
            samples = [await timed(*keys) for _ in range(5)]
            print(f"{label:32} median {statistics.median(samples):6.1f} ms  max {max(samples):6.1f} ms")
        await pilot.press("g", "tab")
        await pilot.pause()
        for label, keys in [
            ("inbox: j (next row)", ["j"]),
            ("inbox: s (star)", ["s"]),
            ("inbox: r (read)", ["r"]),
            ("inbox: end (row 100,000)", ["end"]),
            ("inbox: home", ["home"]),
            ("inbox: pagedown", ["pagedown"]),
            ("inbox: m (mark source read)", ["m"]),
            ("inbox: u (undo)", ["u"]),
        ]:
            samples = [await timed(*keys) for _ in range(5)]
            print(f"{label:32} median {statistics.median(samples):6.1f} ms  max {max(samples):6.1f} ms")
        t = time.perf_counter()
        inbox.set_ids(session.inbox_ids())
        await pilot.pause()
        print(f"inbox reload (ids + keep place):  {(time.perf_counter() - t) * 1000:.0f} ms")
    session.close()


def main() -> None:
    feeds = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    per_feed = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        t = time.perf_counter()
        build_large_session(root, feeds, per_feed).close()
        print(f"built {feeds} feeds × {per_feed} items in {time.perf_counter() - t:.1f} s")
        asyncio.run(measure(root))


if __name__ == "__main__":
    main()
