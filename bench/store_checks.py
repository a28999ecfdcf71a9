"""What checking folio.db for damage costs, at 100,000 items, by hand.

    .venv/bin/python bench/store_checks.py [--sources 500] [--items 200] [--reps 5]

Side by side: opening the store as every folio start does (migrations checked, the schema
read: the cheap check that finds a damaged header or schema at once), the bare minimum
(connect and read the schema version), and what a full check on each start would cost
(SQLite's quick_check and integrity_check read every page). Then ``folio repair`` on two
damaged copies: random bytes over 64 KB in the middle (the first pass reads around them),
and the items table's root page overwritten (the second pass reads every leaf page).

The file is warm in the page cache after the first run, as it is for an app started
again; the first (cold) run of each is shown apart.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.damage import DAMAGE, fill_store
from tui.core.storage.repair import repair_store
from tui.core.storage.store import Store


def timed(action: Callable[[], object], reps: int) -> tuple[float, float]:
    """The first run's seconds, and the median of ``reps`` more."""
    start = time.perf_counter()
    action()
    first = time.perf_counter() - start
    runs = []
    for _ in range(reps):
        start = time.perf_counter()
        action()
        runs.append(time.perf_counter() - start)
    return first, statistics.median(runs)


def bare_open(path: Path) -> None:
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA user_version").fetchone()


def store_open(path: Path) -> None:
    Store(path).close()


def pragma(path: Path, name: str) -> Callable[[], None]:
    def run() -> None:
        with contextlib.closing(sqlite3.connect(path)) as db:
            result = db.execute(f"PRAGMA {name}").fetchall()
            assert result == [("ok",)], result

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=500)
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "folio.db"
        started = time.perf_counter()
        total = fill_store(path, sources=args.sources, items=args.items)
        built = time.perf_counter() - started
        size = path.stat().st_size / 1e6
        print(f"store: {total:,} items, {size:.0f} MB, built in {built:.1f} s\n")
        rows = [
            ("connect + user_version (reference)", lambda: bare_open(path)),
            ("Store() as each start opens it", lambda: store_open(path)),
            ("PRAGMA quick_check", pragma(path, "quick_check")),
            ("PRAGMA integrity_check", pragma(path, "integrity_check")),
        ]
        print(f"{'':40} {'first':>10} {'median':>10}")
        for name, action in rows:
            first, median = timed(action, args.reps)
            print(f"{name:40} {first * 1000:8.1f} ms {median * 1000:8.1f} ms")
        print()
        for kind in ("middle", "items-table"):
            damaged = Path(folder) / kind / "folio.db"
            damaged.parent.mkdir()
            shutil.copyfile(path, damaged)
            DAMAGE[kind](damaged)
            start = time.perf_counter()
            report = repair_store(damaged)
            seconds = time.perf_counter() - start
            items = report.tables["items"]
            print(
                f"folio repair, damage '{kind}': {seconds:.2f} s; items kept {items.kept:,} "
                f"of {items.expected if items.expected is not None else '?'}"
                f" ({items.from_pages:,} from reading leaf pages one by one)"
            )


if __name__ == "__main__":
    main()
