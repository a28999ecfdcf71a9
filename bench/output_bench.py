"""My output at scale: the figures' cost in-process, and the screen's key → screen times.

It is a measurement, not a timed test. It fills a folio store with many own posts (default
5 accounts × 2,000 posts within the 90-day window, each post with 20 engagement snapshots:
200,000 snapshots) through the Store, as a refresh would, then:

* **core**: times ``output_rows`` (every account's figures) and ``own_posts`` (one
  account's posts with their latest counts and changes) in this process, beside a
  reference: the latest snapshot of every post worked out from the ``engagement`` history
  itself, as folio would without the summary table the store keeps (storage/engagement_sql.py).
* **screen**: opens folio in a private tmux server (``bench/tmux_driver.py``, the UI
  benchmark's driver) and times keys until the screen shows what they asked for: ``5``
  the first time (the figures computed and drawn, the first account's posts listed), ``5``
  again (the screen kept), ``j``/``k`` between accounts (their 2,000 posts listed), Enter
  on a post (the reader) and q (back). ``2`` and ``4`` (the matrix and the sources
  screen, opened for the first time in the same session) are the reference.

Usage::

    .venv/bin/python bench/output_bench.py                      # fill, then measure
    .venv/bin/python bench/output_bench.py --reps 3 --presses 10 --workdir /tmp/folio-out
    .venv/bin/python bench/output_bench.py --core-only

Writes the tables to ``bench/results/output.md`` (git-ignored).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from procstat import loadavg, wait_idle  # noqa: E402
from report import machine, publish  # noqa: E402
from tmux_driver import Press, Tmux, plain  # noqa: E402

from tui.core.models import ParsedFeed, ParsedItem, Source, SourceState, utcnow  # noqa: E402
from tui.core.planning.output import output_rows, own_posts  # noqa: E402
from tui.core.sources.base import AccountFigures, Counts  # noqa: E402
from tui.core.storage.portfolio import Portfolio, save_portfolio  # noqa: E402
from tui.core.storage.store import Engagement, SourceWrite, Store  # noqa: E402

FOLIO = ROOT / ".venv" / "bin" / "folio"
WINDOW = dt.timedelta(days=90)
FILL_VERSION = 3
OTHER = "https://others.example/feed"
"""Someone else's feed, so that the dashboard's reader can be timed beside My output's."""


def other_title(n: int) -> str:
    return f"Their post {n:03d} about working in public"


def account_url(index: int) -> str:
    return f"https://social{index}.example/@me"


def account_name(index: int) -> str:
    return f"Account {index}"


def post_title(account: int, n: int) -> str:
    return f"Acct{account} post {n:04d} on tagging and hiring in public"


# -- filling ---------------------------------------------------------------------------------


def fill(work: Path, accounts: int, posts: int, snapshots: int) -> dict[str, object]:
    """portfolio.toml, settings.toml and folio.db under ``work`` (reused when they match)."""
    marker = work / "fill.json"
    want: dict[str, object] = {
        "version": FILL_VERSION,
        "accounts": accounts,
        "posts": posts,
        "snapshots": snapshots,
    }
    if marker.exists():
        done: dict[str, object] = json.loads(marker.read_text(encoding="utf-8"))
        if {k: done.get(k) for k in want} == want:
            print(f"Reusing the filled store in {work}", flush=True)
            return done
    shutil.rmtree(work / "config", ignore_errors=True)
    shutil.rmtree(work / "data", ignore_errors=True)
    config = work / "config" / "folio"
    data = work / "data" / "folio"
    config.mkdir(parents=True)
    data.mkdir(parents=True)
    (config / "settings.toml").write_text(
        "# output_bench: no network work while the app is measured\n[refresh]\nauto = false\n",
        encoding="utf-8",
    )
    portfolio = Portfolio(
        sources=[
            Source(account_url(a), account_name(a), "social", ["mine"], mine=True, target="3/w")
            for a in range(accounts)
        ]
        + [Source(OTHER, "Someone else", "blog")]
    )
    save_portfolio(config / "portfolio.toml", portfolio)
    now = utcnow()
    started = time.perf_counter()
    spacing = (WINDOW - dt.timedelta(hours=1)) / posts
    with Store(data / "folio.db") as store:
        for a in range(accounts):
            url = account_url(a)
            items = [
                ParsedItem(
                    guid=f"{a}-{n}",
                    title=post_title(a, n),
                    link=f"{url}/{n}",
                    content=f"<p>The text of post {n} of account {a}.</p>",
                    published=now - spacing * n - dt.timedelta(minutes=5),
                )
                for n in range(posts)
            ]
            state = SourceState(url=url, status="ok", last_fetched=now)
            store.store_feed(state, ParsedFeed(title=account_name(a), items=items), now=now)
            # The items are the reader's, not the Inbox's: read, as an own account's are.
            with store.transaction() as db:
                db.execute("UPDATE items SET read = 1 WHERE source = ?", (url,))
            for k in range(snapshots):
                taken = now - dt.timedelta(days=4 * (snapshots - k))
                counts = {
                    f"{a}-{n}": Counts(
                        replies=n % 7 + k // 4, reposts=n % 3 + k // 8, likes=n % 11 + k, quotes=0
                    )
                    for n in range(posts)
                }
                figures = AccountFigures(followers=500 + 10 * k + a, following=80, posts=posts)
                write = SourceWrite(state, None, taken, Engagement(counts, figures))
                store.write_batch([write])
        theirs = [
            ParsedItem(
                guid=f"o{n}",
                title=other_title(n),
                link=f"{OTHER}/{n}",
                content=f"<p>Post {n}.</p>",
                published=now - dt.timedelta(hours=n + 1),
            )
            for n in range(200)
        ]
        store.store_feed(
            SourceState(OTHER, "ok", last_fetched=now), ParsedFeed(items=theirs), now=now
        )
        store.checkpoint()
        rows = store.query("SELECT count(*) FROM engagement")[0][0]
    info = dict(want)
    info["snapshot_rows"] = rows
    info["fill_s"] = round(time.perf_counter() - started, 1)
    marker.write_text(json.dumps(info, indent=1), encoding="utf-8")
    print(f"Filled {accounts} accounts × {posts} posts, {rows} snapshots in {info['fill_s']} s")
    return info


# -- the core, in this process -----------------------------------------------------------------


def timed(run: Callable[[], object], reps: int) -> list[float]:
    out = []
    for _ in range(reps):
        start = time.perf_counter()
        run()
        out.append(time.perf_counter() - start)
    return out


def from_history(store: Store, url: str) -> int:
    """The reference: every post's latest snapshot and the one before it, read from the
    whole ``engagement`` history (what the summary table saves)."""
    latest = store.query(
        "SELECT guid, max(taken), replies, reposts, likes, quotes, points, comments, views"
        " FROM engagement WHERE source = ? GROUP BY guid",
        (url,),
    )
    previous = store.query(
        "SELECT guid, taken, replies FROM (SELECT guid, taken, replies, row_number() OVER"
        " (PARTITION BY guid ORDER BY taken DESC) AS n FROM engagement WHERE source = ?)"
        " WHERE n = 2",
        (url,),
    )
    return len(latest) + len(previous)


def core(work: Path, accounts: int, reps: int) -> list[dict[str, str]]:
    portfolio = Portfolio(
        sources=[Source(account_url(a), account_name(a), mine=True) for a in range(accounts)]
    )
    now = utcnow()
    rows = []
    with Store(work / "data" / "folio" / "folio.db") as store:
        own_posts(store, account_url(0))  # warm the page cache, as the app's first look does
        cases = [
            (
                f"every account's figures ({accounts} accounts)",
                lambda: output_rows(portfolio, store, now, WINDOW),
                lambda: [from_history(store, account_url(a)) for a in range(accounts)],
            ),
            (
                "one account's posts with counts and changes",
                lambda: own_posts(store, account_url(0)),
                lambda: from_history(store, account_url(0)),
            ),
        ]
        for label, run, reference in cases:
            ours = timed(run, reps)
            ref = timed(reference, reps)
            rows.append(
                {
                    "what": label,
                    "folio": _ms(ours),
                    "reference": _ms(ref),
                    "ratio": f"{statistics.median(ours) / statistics.median(ref):.2f}",
                }
            )
    return rows


def _ms(values: list[float]) -> str:
    values = sorted(values)
    p90 = values[min(len(values) - 1, round(0.9 * (len(values) - 1)))]
    return f"{statistics.median(values) * 1000:.0f} (p90 {p90 * 1000:.0f})"


# -- the screen, in tmux -----------------------------------------------------------------------


def env_for(work: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(work),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TERM": "tmux-256color",
        "XDG_CONFIG_HOME": str(work / "config"),
        "XDG_DATA_HOME": str(work / "data"),
        "XDG_CACHE_HOME": str(work / "cache"),
        "XDG_STATE_HOME": str(work / "state"),
        "PYTHONPYCACHEPREFIX": str(work / "pycache"),
    }


def posts_of(account: int) -> Callable[[str], bool]:
    """The screen lists ``account``'s posts: its title line and its newest post."""
    title, newest = f"Posts of {account_name(account)} · ", post_title(account, 0)[:30]
    return lambda screen: title in screen and newest in screen


def article_shown(title: str) -> Callable[[str], bool]:
    """The reader shows the post titled ``title``, down to its link."""
    return lambda screen: title[:30] in screen and "Link:" in screen


def screen_tests(
    tm: Tmux, work: Path, accounts: int, presses: int, log: list[str]
) -> dict[str, list[Press]]:
    out: dict[str, list[Press]] = {}
    pane = tm.spawn([str(FOLIO)], env_for(work), work)
    try:
        tm.wait_screen(pane, lambda s: "Inbox" in plain(s), 120, attributes=False)
        tm.wait_quiet(pane, 1.0, cap=60)
        # The dashboard's reader, for reference: Enter on the Inbox, q back to it.
        tm.press(pane, "Tab", lambda s: True)
        out["dash_open"], out["dash_close"] = [], []
        for _ in range(presses // 2):
            tm.press(pane, "j")
            # Which post depends on what earlier runs read: any of theirs, down to its link.
            out["dash_open"].append(tm.press(pane, "Enter", article_shown("Their post")))
            out["dash_close"].append(tm.press(pane, "q", lambda s: "Inbox —" in s))
        # First looks at three screens, in this order: the two references, then My output.
        out["matrix"] = [tm.press(pane, "2", lambda s: "Priority matrix" in s)]
        out["sources"] = [tm.press(pane, "4", lambda s: account_name(0) in s and "Next" in s)]
        out["first"] = [tm.press(pane, "5", posts_of(0), timeout=120)]
        out["again"] = []
        for _ in range(presses // 2):
            tm.press(pane, "1", lambda s: "Inbox" in s)
            out["again"].append(tm.press(pane, "5", posts_of(0)))
        # Down through every account (each one's posts loaded for the first time), then
        # back up (each one's posts shown again, as kept since they were loaded).
        out["account"], out["account_again"] = [], []
        for account in range(1, accounts):
            out["account"].append(tm.press(pane, "j", posts_of(account)))
        for account in range(accounts - 2, -1, -1):
            out["account_again"].append(tm.press(pane, "k", posts_of(account)))
        tm.press(pane, "Enter", lambda s: True)  # to the posts list
        out["open"], out["close"], out["cursor"] = [], [], []
        for n in range(presses // 2):
            out["cursor"].append(tm.press(pane, "j"))
            out["open"].append(tm.press(pane, "Enter", article_shown(post_title(0, n + 1))))
            # q, as for the dashboard's reader: a lone Escape waits out Textual's check for
            # an escape sequence (about 0.1 s here) before it counts as a key.
            out["close"].append(tm.press(pane, "q", posts_of(0)))
    finally:
        tm.close(pane, ["q"])
    for key, presses_of in out.items():
        log.append(
            f"{key}: " + ", ".join(f"{p.first * 1000:.0f}/{p.shown * 1000:.0f}" for p in presses_of)
        )
    return out


SCREEN_ROWS = [
    ("first", "5 → My output, first time: figures and the first account's posts shown"),
    ("again", "5 → My output again (the screen is kept)"),
    ("account", "j → the next account: its posts loaded and listed"),
    ("account_again", "k → an account seen before: its posts listed again"),
    ("cursor", "j in the posts list (cursor down)"),
    ("open", "Enter on a post → the reader shows it"),
    ("close", "q → the posts again"),
    ("dash_open", "reference: Enter in the Inbox → the reader shows it"),
    ("dash_close", "reference: q → the Inbox again"),
    ("matrix", "reference: 2 → Matrix, first time"),
    ("sources", "reference: 4 → Sources, first time"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=5)
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--snapshots", type=int, default=20)
    parser.add_argument("--reps", type=int, default=3, help="launches of the app")
    parser.add_argument("--presses", type=int, default=10)
    parser.add_argument("--core-reps", type=int, default=9)
    parser.add_argument("--width", type=int, default=160)
    parser.add_argument("--height", type=int, default=48)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--core-only", action="store_true")
    parser.add_argument("--quiet-wait", type=float, default=10.0)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "output.md")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="folio-output-"))
    work.mkdir(parents=True, exist_ok=True)
    info = fill(work, args.accounts, args.posts, args.snapshots)
    log: list[str] = [f"fill: {json.dumps(info)}", f"load at start: {loadavg()}"]
    wait_idle(args.quiet_wait)
    core_rows = core(work, args.accounts, args.core_reps)
    notes = [
        machine(),
        f"{args.accounts} own accounts × {args.posts} posts within the 90-day window, "
        f"{info.get('snapshot_rows')} engagement snapshots; times in ms, median (p90).",
        "core: in-process, after one warm-up call; the reference reads every post's latest "
        "two snapshots from the engagement history instead of the summary table.",
    ]
    publish(
        args.out.with_name("output-core.md"),
        "My output: the figures, in-process",
        [("what", "what"), ("folio", "folio, ms"), ("reference", "from history, ms"),
         ("ratio", "ratio")],
        core_rows,
        notes,
        log,
    )  # fmt: skip
    if args.core_only:
        return 0
    results: dict[str, list[Press]] = {key: [] for key, _ in SCREEN_ROWS}
    tm = Tmux(args.width, args.height, "tmux-256color")
    try:
        for rep in range(args.reps):
            wait_idle(args.quiet_wait)
            log.append(f"launch {rep + 1}, load {loadavg()}")
            tests = screen_tests(tm, work, args.accounts, args.presses, log)
            for key, presses in tests.items():
                results[key] += presses
    finally:
        tm.shutdown()
    rows = []
    for key, label in SCREEN_ROWS:
        presses = results[key]
        rows.append(
            {
                "what": label,
                "n": str(len(presses)),
                "first": _ms([p.first for p in presses]),
                "shown": _ms([p.shown for p in presses]),
                "settled": _ms([p.settled for p in presses if p.settled is not None] or [0.0]),
            }
        )
    publish(
        args.out,
        "My output: key → screen in tmux",
        [("what", "key"), ("n", "n"), ("first", "first change, ms"), ("shown", "shown, ms"),
         ("settled", "settled, ms")],
        rows,
        [*notes, f"{args.width}×{args.height}, {args.reps} launches; first change: the first "
         "screen that differs; shown: the screen shows what the key asked for."],
        log,
    )  # fmt: skip
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
