"""Ways to damage a real folio.db, for the tests of what folio says and how it repairs.

Each takes a store file made by ``fill_store`` and damages it as a disk, a crash or a
careless copy would: random bytes over its middle, a cut-off end, its header overwritten,
one b-tree's root page overwritten, its write-ahead log scribbled over, or a file that was
never a database.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

from tui.core.models import ParsedFeed, ParsedItem, SourceState
from tui.core.storage.store import Store

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
REPO = Path(__file__).resolve().parent.parent


def source_url(number: int) -> str:
    return f"https://feed{number}.example/rss"


def fill_store(path: Path, sources: int = 10, items: int = 200) -> int:
    """A store of ``sources`` × ``items`` items with some text each; returns the total.

    Every third item of a feed is read and every seventh starred (``marks``), so a repair
    can be seen to keep the user's own marks.
    """
    rng = random.Random(7)
    with Store(path) as store:
        for number in range(sources):
            feed = ParsedFeed(
                title=f"Feed {number}",
                items=[
                    ParsedItem(
                        guid=f"{number}-{i}",
                        title=f"Post {i} of feed {number}",
                        link=f"https://feed{number}.example/{i}",
                        content="<p>" + " ".join(rng.choice(WORDS) for _ in range(120)) + "</p>",
                        published=NOW - dt.timedelta(hours=i * 3 + number),
                    )
                    for i in range(items)
                ],
            )
            store.store_feed(SourceState(url=source_url(number), status="ok"), feed, now=NOW)
        every = store.items()
        store.set_flag([item.id for item in every if marks(item.guid)[0]], "read", True)
        store.set_flag([item.id for item in every if marks(item.guid)[1]], "starred", True)
        store.index_pending()
    return sources * items


def marks(guid: str) -> tuple[bool, bool]:
    """Whether the item ``guid`` of ``fill_store`` was marked read, and starred."""
    number = int(guid.rsplit("-", 1)[1])
    return number % 3 == 0, number % 7 == 0


WORDS = [
    "alpha",
    "beta",
    "gamma",
    "delta",
    "onboarding",
    "tagging",
    "cadence",
    "reach",
    "branding",
    "podcast",
]


def _page_size(path: Path) -> int:
    with open(path, "rb") as handle:
        handle.seek(16)
        size = int.from_bytes(handle.read(2), "big")
    return 65536 if size == 1 else size


def root_page(path: Path, name: str) -> int:
    db = sqlite3.connect(path)
    try:
        return int(
            db.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (name,)).fetchone()[0]
        )
    finally:
        db.close()


def overwrite(path: Path, offset: int, length: int, seed: int = 1) -> None:
    with open(path, "r+b") as handle:
        handle.seek(offset)
        handle.write(random.Random(seed).randbytes(length))


def damage_middle(path: Path) -> None:
    """Random bytes over 64 KB in the middle of the file (four 16 KB pages)."""
    overwrite(path, path.stat().st_size // 2, 64 * 1024)


def damage_truncated(path: Path) -> None:
    """The file cut off at half its length, as by a copy that stopped."""
    with open(path, "r+b") as handle:
        handle.truncate(path.stat().st_size // 2)


def damage_header(path: Path) -> None:
    """The first 100 bytes (the database header) overwritten."""
    overwrite(path, 0, 100)


def damage_not_a_database(path: Path) -> None:
    """A file that was never a database, where folio.db should be."""
    path.write_bytes(b"These are my notes, saved over the wrong file.\n" * 2000)


def damage_page(path: Path, name: str) -> None:
    """The root page of one table or index overwritten (the page header kept intact is
    no help: the cells it points to are garbage)."""
    size = _page_size(path)
    page = root_page(path, name)
    overwrite(path, (page - 1) * size + 8, size - 8)


def damage_index(path: Path) -> None:
    damage_page(path, "items_inbox")


def damage_items_table(path: Path) -> None:
    damage_page(path, "items")


_WRITE_AND_DIE = textwrap.dedent(
    """
    import datetime as dt, os, sys
    from pathlib import Path
    from tui.core.models import ParsedFeed, ParsedItem, SourceState
    from tui.core.storage.store import Store
    store = Store(Path(sys.argv[1]))
    now = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
    for n in range(5):
        items = [ParsedItem(guid=f"late-{n}-{i}", title=f"late {n} {i}", published=now)
                 for i in range(50)]
        store.store_feed(SourceState(url=f"https://late{n}.example/rss"), ParsedFeed(items=items))
    os._exit(0)  # no close: what was written stays in the write-ahead log
    """
)


def damage_wal(path: Path) -> None:
    """Commits left in the write-ahead log by a process that died, then the log scribbled
    over in its middle."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    subprocess.run([sys.executable, "-c", _WRITE_AND_DIE, str(path)], env=env, check=True)
    wal = path.with_name(path.name + "-wal")
    assert wal.stat().st_size > 0
    overwrite(wal, wal.stat().st_size // 2, 8192)


DAMAGE: dict[str, Callable[[Path], None]] = {
    "middle": damage_middle,
    "truncated": damage_truncated,
    "header": damage_header,
    "not-a-database": damage_not_a_database,
    "index": damage_index,
    "items-table": damage_items_table,
    "wal": damage_wal,
}
"""Every kind of damage, by name."""
