"""What bookmarks cost: a browser bookmark file read and written (lxml), and a bookmark
service's complete listing stored, beside the same items stored as a plain feed.

    .venv/bin/python bench/bookmarks_bench.py [--bookmarks 5000] [--feed-items 20000]

The listing's extra work is flagging the listed items ``bookmarked`` (unless a removal
waits in the outbox) and removing the source's items the listing no longer has.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from tui.core.bookmarks.common import Bookmark
from tui.core.bookmarks.local import parsed_item
from tui.core.bookmarks.netscape import read_bookmarks, write_bookmarks
from tui.core.models import ParsedFeed, ParsedItem, SourceState
from tui.core.storage.store import SourceWrite, Store


def _bookmarks(count: int) -> list[Bookmark]:
    start = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    return [
        Bookmark(
            f"https://site{n % 500}.example/post/{n}?a=1&b=2",
            title=f'Bookmark {n}: <notes> & "quotes"',
            description=f"Why bookmark {n} matters.\nSecond line.",
            tags=[f"tag{n % 37}", f"topic{n % 11}"],
            private=n % 5 == 0,
            toread=n % 7 == 0,
            added=start + dt.timedelta(hours=n),
        )
        for n in range(count)
    ]


def _best(runs: list[float]) -> str:
    return f"{min(runs) * 1000:7.1f} ms (median {statistics.median(runs) * 1000:.1f})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bookmarks", type=int, default=5000)
    parser.add_argument("--feed-items", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    bookmarks = _bookmarks(args.bookmarks)

    writes, reads = [], []
    for _ in range(args.runs):
        started = time.perf_counter()
        text = write_bookmarks(bookmarks)
        writes.append(time.perf_counter() - started)
        started = time.perf_counter()
        found = read_bookmarks(text.encode())
        reads.append(time.perf_counter() - started)
    assert len(found.bookmarks) == len(bookmarks)
    print(f"Netscape file of {len(bookmarks)} bookmarks ({len(text) // 1024} KB)")
    print(f"  write             {_best(writes)}")
    print(f"  read (lxml.html)  {_best(reads)}")

    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "folio.db")
        feed_items = [
            ParsedItem(guid=str(n), title=f"post {n}", link=f"https://blog.example/{n}")
            for n in range(args.feed_items)
        ]
        store.store_feed(SourceState(url="https://blog.example/feed"), ParsedFeed(items=feed_items))
        listing = ParsedFeed(items=[parsed_item(b) for b in bookmarks])
        shorter = ParsedFeed(items=listing.items[: len(listing.items) * 9 // 10])
        plain, service = [], []
        for run in range(args.runs):
            url = f"https://plain.example/{run}"
            store.store_feed(SourceState(url=url), listing)  # first sight: inserts
            started = time.perf_counter()
            store.write_batch([SourceWrite(store.state(url), listing)])
            plain.append(time.perf_counter() - started)
            url = f"https://links.example/{run}"
            store.write_batch([SourceWrite(store.state(url), listing, bookmarks=True)])
            started = time.perf_counter()
            # A complete listing in which a tenth were deleted on the service.
            store.write_batch(
                [SourceWrite(store.state(url), shorter, bookmarks=True, complete=True)]
            )
            service.append(time.perf_counter() - started)
            assert store.count(sources=[url]) == len(shorter.items)
        print(
            f"Storing a listing of {len(bookmarks)} known items, beside "
            f"{args.feed_items} feed items"
        )
        print(f"  as a plain feed (reference)                  {_best(plain)}")
        print(f"  as a complete bookmark listing, 10% deleted  {_best(service)}")
        store.close()


if __name__ == "__main__":
    main()
