"""Parse speed: folio's parse_feed against plain feedparser, over ../shared/corpus/real-feeds.

Run by hand: ``.venv/bin/python bench/parse_speed.py [--rounds N] [--workers N]``.
Prints items per second for each engine on one core, and for parse_feed across a process
pool (as the refresh engine runs it).

Then the same feeds made ill-formed in the three ways real feeds are (issue 11: an
undefined entity, an invalid token, a wrong encoding declaration; see
tests/unit/test_parse_differential.py), parsed by parse_feed as the app does and by
feedparser alone, side by side.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import feedparser

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tui.core.ingest.parse import parse_feed, parse_feed_job  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "real-feeds"


def _time(label: str, bodies: list[bytes], rounds: int, run: object) -> float:
    """Items per CPU second (and wall-clock figures: on a busy machine they differ)."""
    assert callable(run)
    items = 0
    start, cpu_start = time.perf_counter(), time.process_time()
    for _ in range(rounds):
        for body in bodies:
            items += run(body)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    rate = items / cpu
    print(f"{label:34} {items:6d} items  wall {elapsed:6.2f} s  cpu {cpu:6.2f} s "
          f"{rate:8.0f} items/cpu-s {1e6 / rate:7.1f} µs/item")  # fmt: skip
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-feedparser", action="store_true")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"no corpus at {CORPUS}")
    bodies = [p.read_bytes() for p in sorted(CORPUS.iterdir()) if p.name != "LICENSE"]
    print(f"{len(bodies)} feeds, {sum(map(len, bodies)) / 1e6:.1f} MB, rounds={args.rounds}")

    fast = _time("parse_feed (auto: fast path)", bodies, args.rounds,
                 lambda b: len(parse_feed(b).items))  # fmt: skip
    _time("parse_feed (engine=reference)", bodies, 1,
          lambda b: len(parse_feed(b, engine="reference").items))  # fmt: skip
    if not args.skip_feedparser:
        _time("feedparser.parse (defaults)", bodies, 1,
              lambda b: len(feedparser.parse(b).entries))  # fmt: skip

    ill_formed = [broken for body in bodies for broken in _broken_three_ways(body)]
    print(f"ill-formed: {len(ill_formed)} documents (3 breakages of each feed)")
    _time("parse_feed, ill-formed (auto)", ill_formed, args.rounds,
          lambda b: len(parse_feed(b).items))  # fmt: skip
    _time("parse_feed, ill-formed (reference)", ill_formed, 1,
          lambda b: len(parse_feed(b, engine="reference").items))  # fmt: skip

    jobs = [(b, "", "") for b in bodies] * (args.rounds * 4)
    with ProcessPoolExecutor(args.workers) as pool:
        list(pool.map(parse_feed_job, jobs[: len(bodies)]))  # warm the workers up
        start = time.perf_counter()
        items = sum(len(feed.items) for feed in pool.map(parse_feed_job, jobs, chunksize=8))
        elapsed = time.perf_counter() - start
    print(f"{'parse_feed, ProcessPool x' + str(args.workers):34} {items:6d} items  "
          f"wall {elapsed:6.2f} s  {items / elapsed:8.0f} items/s (wall)")  # fmt: skip
    print(f"10,000 items: {10_000 / fast:.2f} cpu-s, so {10_000 / fast / args.workers:.2f} s "
          f"on {args.workers} cores")  # fmt: skip


_TITLE_TEXT = re.compile(r"(<title[^>]*>)(?!<!\[CDATA)")


def _broken_three_ways(body: bytes) -> list[bytes]:
    """An undefined entity and an invalid token in every title, and windows-1252 bytes
    where UTF-8 is declared or assumed."""
    text = body.decode("utf-8", "surrogateescape")
    entity = _TITLE_TEXT.sub(r"\1caf&eacute;&nbsp;", text).encode("utf-8", "surrogateescape")
    token = _TITLE_TEXT.sub("\\1Tom & Jerry \x0b", text).encode("utf-8", "surrogateescape")
    try:
        encoding = text.encode("cp1252")
    except UnicodeEncodeError:
        encoding = _TITLE_TEXT.sub("\\1Caf\u00e9 ", text).encode("cp1252", "replace")
    return [entity, token, encoding]


if __name__ == "__main__":
    main()
