"""UI benchmark: folio against newsboat in tmux, side by side, on the same 100,000 items.

It is a measurement, not a timed test. It fills a folio store and a newsboat cache from the
same generated feeds (``bench/feedserver.py``, 500 feeds × 200 items, no delay), then opens
each program in its own tmux pane of a fixed size (160×48) and measures:

* launch → first content: from creating the pane until the screen shows item content
  (folio: the title of one of the 20 newest items of any generated feed; newsboat: the title
  of a generated feed in its feed list, which newsboat shows with its item counts only once
  every item is loaded). Also launch → screen complete: the last screen update before the
  screen stays unchanged for a second (folio fills its Inbox after the first frame).
* key press → updated screen: from sending the key until the captured screen (with colours and
  attributes: a cursor move changes only attributes) differs from the screen before it.
  folio: ``j`` in the Board, then Tab and ``j`` in the Inbox; newsboat: Down in the feed list,
  then Enter on a feed and Down in its article list (newsboat 2.21 binds ``j``/``k`` to
  next-feed/prev-feed, not to the cursor, and leaves them unbound in the feed list). Then
  Enter to open the reader (article view) and ``q`` to close it again; for these two the
  time until the screen shows the article (or the list again) counts too, since the first
  change can be a blank screen, and so does the time until the screen settles.
* peak memory: VmHWM of the program's process (``/proc/PID/status``), after start-up and
  after the key tests.

The same is measured for ``less`` on a text file, the floor: what tmux and this driver add.

How the screen is watched: a tmux control-mode client (``tmux -C``) is attached to the
benchmark's private tmux server. tmux sends it a ``%output`` notification whenever a pane
writes to its terminal; the driver captures the pane (``capture-pane -p [-e]``, sent over
the same control connection, about 0.3 ms) after every notification, and every 50 ms
regardless. So the screen is checked as soon as it can have changed, without a busy poll
competing with the program for the two cores.

Usage::

    .venv/bin/python bench/ui_bench.py                       # fill (about 2 min), then measure
    .venv/bin/python bench/ui_bench.py --workdir /tmp/folio-ui  # keep the filled stores, reuse
    .venv/bin/python bench/ui_bench.py --tools folio --reps 3   # folio only

Writes the table to ``bench/results/ui.md`` (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import feedserver  # noqa: E402
from feedserver import ServerProcess, feed_format  # noqa: E402
from procstat import busy_seconds, cpu_seconds, loadavg, memory_kb, wait_idle  # noqa: E402
from report import machine, publish  # noqa: E402
from tmux_driver import Pane, Press, Tmux  # noqa: E402

FOLIO = ROOT / ".venv" / "bin" / "folio"
NEWSBOAT = shutil.which("newsboat") or "/usr/bin/newsboat"
LESS = shutil.which("less") or "/usr/bin/less"

FIRST_CONTENT_TARGET = 0.25
"""folio's launch → first content at most this fraction of newsboat's."""
KEY_TARGET_MS = 50.0
"""A key press → updated screen, folio's median, at most this."""

FILL_VERSION = 1
"""Bumped when the way the stores are filled changes, so an old --workdir is refilled."""


# -- what the generated feeds contain ------------------------------------------------------


@dataclass
class Needles:
    """Strings whose appearance on the screen means content is shown; matched by prefix."""

    prefixes: set[str]
    length: int

    @classmethod
    def of(cls, texts: list[str], length: int) -> Needles:
        return cls({t[:length] for t in texts if len(t) >= length}, length)

    def found(self, screen: str) -> str | None:
        # Every generated title starts with a capital letter: test only there.
        n = self.length
        for m in _CAPITAL.finditer(screen):
            piece = screen[m.start() : m.start() + n]
            if piece in self.prefixes:
                return piece
        return None


_CAPITAL = re.compile(r"[A-Z]")


def generated_titles(feeds: int, items: int, newest: int) -> tuple[list[str], list[str]]:
    """Feed titles, and the titles of each feed's ``newest`` items, as feedserver makes them.

    This repeats ``feedserver.generate_feed``'s use of its random generator, and checks the
    result against the real feed, so a change to the generator fails loudly here.
    """
    feed_titles: list[str] = []
    item_titles: list[str] = []
    for n in range(feeds):
        rng = random.Random(n * 7919 + items)
        kind = feed_format(n)
        site = f"https://site{n:05d}.example"
        feed_titles.append(f"{kind.capitalize()} feed {n}: {feedserver._sentence(rng, 2, 4)[:-1]}")
        item_titles += [i.title for i in feedserver._items(n, min(newest, items), site, rng)]
    for n in {0, feeds - 1}:
        body = feedserver.generate_feed(n, items).decode("utf-8")
        assert escape(feed_titles[n]) in body, "feedserver's feed titles changed"
    if items:
        body = feedserver.generate_feed(0, items).decode("utf-8")
        assert escape(item_titles[0]) in body, "feedserver's item titles changed"
    return feed_titles, item_titles


# -- the programs ----------------------------------------------------------------------------


@dataclass
class Program:
    """One program under test: how to start, recognise, drive and quit it."""

    name: str
    argv: list[str]
    env: dict[str, str]
    cwd: Path
    content: Callable[[str], bool]
    """True when a plain-text screen shows content."""
    content_rule: str
    down: str
    """The key that moves the cursor one row down."""
    into_items: str
    """The key that goes from the first list to the item list (Tab, Enter)."""
    back: str
    quit_keys: list[str]
    """Keys that quit from the item list."""
    article_shown: Callable[[str], bool] | None = None
    """True when the reader (article view) shows an article."""
    list_shown: Callable[[str], bool] | None = None
    """True when the item list is back after the reader is closed."""
    shown_rules: str = ""
    lists: dict[str, Callable[[str], bool]] | None = None
    """folio's lists of items: what the screen shows once each is open (see ``list_tests``)."""


def _text_after(screen: str, pattern: re.Pattern[str], lines: int) -> bool:
    """``pattern`` matches a line, and at least ``lines`` non-empty lines follow it."""
    rows = screen.split("\n")
    for i, row in enumerate(rows):
        if pattern.search(row):
            return sum(1 for r in rows[i + 1 :] if r.strip()) >= lines
    return False


_FOLIO_BYLINE = re.compile(r" · Author \d+ · ")
_NEWSBOAT_LINK = re.compile(r"^Link: https?://")
_NEWSBOAT_ITEM_ROW = re.compile(r"^\s+\d+ .*\(\d+\.\d+\)\s*$", re.M)


def _base_env(home: Path, term: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TERM": term,
    }


def folio_program(work: Path, term: str, needles: Needles) -> Program:
    home = work / "folio"
    env = _base_env(home, term)
    env |= {
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_STATE_HOME": str(home / "state"),
        # An installed program has its bytecode; fill a cache (the warm-up does) rather than
        # recompile every start when the environment sets PYTHONDONTWRITEBYTECODE.
        "PYTHONPYCACHEPREFIX": str(work / "pycache"),
    }
    return Program(
        name="folio",
        argv=[str(FOLIO)],
        env=env,
        cwd=home,
        content=lambda s: needles.found(s) is not None,
        content_rule=(
            f"the first {needles.length} characters of the title of one of the 20 newest "
            "items of any generated feed (the Board's cards and the Inbox list item titles)"
        ),
        down="j",
        into_items="Tab",
        back="q",
        quit_keys=["q"],
        article_shown=lambda s: _text_after(s, _FOLIO_BYLINE, 3),
        list_shown=lambda s: "Inbox — " in s and needles.found(s) is not None,
        shown_rules="article shown: the reader's byline (`… · Author N · …`) with 3 non-empty "
        "lines below it; list shown: the Inbox title and an item title",
        lists={
            "all": lambda s: "All items  " in s and needles.found(s) is not None,
            "starred": lambda s: "Starred  " in s,
            "later": lambda s: "Later  " in s,
            "feed": lambda s: " · newest first · esc: back" in s and needles.found(s) is not None,
        },
    )


def newsboat_program(work: Path, term: str, needles: Needles) -> Program:
    home = work / "newsboat"
    return Program(
        name="newsboat",
        argv=[NEWSBOAT, "-u", "urls", "-c", "cache.db", "-C", "config"],
        env=_base_env(home, term),
        cwd=home,
        content=lambda s: needles.found(s) is not None,
        content_rule=(
            f"the first {needles.length} characters of a generated feed's title (newsboat's "
            "first screen is the feed list with unread/total counts, drawn once every item "
            "is loaded from the cache)"
        ),
        down="Down",
        into_items="Enter",
        back="q",
        quit_keys=["q", "q"],
        article_shown=lambda s: _text_after(s, _NEWSBOAT_LINK, 3),
        list_shown=lambda s: "Articles in feed" in s and bool(_NEWSBOAT_ITEM_ROW.search(s)),
        shown_rules="article shown: the `Link: …` header line with 3 non-empty lines below it; "
        "list shown: the `Articles in feed` title and an article row",
    )


def less_program(work: Path, term: str) -> Program:
    path = work / "lines.txt"
    if not path.exists():
        path.write_text("".join(f"line number {i}\n" for i in range(1, 20001)), encoding="utf-8")
    return Program(
        name="less",
        argv=[LESS, str(path)],
        env=_base_env(work, term),
        cwd=work,
        content=lambda s: "line number 1\n" in s,
        content_rule="`line number 1`",
        down="j",
        into_items="",
        back="",
        quit_keys=["q"],
    )


# -- filling the stores ------------------------------------------------------------------------


def _run(argv: list[str], env: dict[str, str], cwd: Path) -> str:
    out = subprocess.run(
        argv, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited with {out.returncode}:\n{out.stdout[-3000:]}")
    return out.stdout


def fill(work: Path, args: argparse.Namespace, tools: list[str], term: str) -> dict[str, object]:
    """Fill folio's store and newsboat's cache from the same feeds; reuse a finished fill."""
    marker = work / "fill.json"
    want = {
        "version": FILL_VERSION,
        "feeds": args.feeds,
        "items": args.items,
        "tools": sorted(tools),
    }
    if marker.exists() and not args.refill:
        done: dict[str, object] = json.loads(marker.read_text(encoding="utf-8"))
        if {k: done.get(k) for k in want} == want:
            print(f"Reusing the filled stores in {work} (--refill to fill again)", flush=True)
            return done
    for sub in ("folio", "newsboat", "pycache"):
        shutil.rmtree(work / sub, ignore_errors=True)
    marker.unlink(missing_ok=True)
    info: dict[str, object] = dict(want)
    server_args = ["--feeds", str(args.feeds), "--items", str(args.items), "--delay", "0"]
    server_args += ["--addresses", str(args.addresses)]
    print(f"Filling: {args.feeds} feeds × {args.items} items from bench/feedserver.py", flush=True)
    with ServerProcess(*server_args) as server:
        urls = "".join(u + "\n" for u in server.urls("gen"))
        if "folio" in tools:
            folio = folio_program(work, term, Needles(set(), 1))
            config = Path(folio.env["XDG_CONFIG_HOME"]) / "folio"
            config.mkdir(parents=True)
            Path(folio.env["XDG_DATA_HOME"]).mkdir(parents=True)
            (config / "settings.toml").write_text(
                "# ui_bench: no network work while the app is measured\n[refresh]\nauto = false\n",
                encoding="utf-8",
            )
            (folio.cwd / "urls").write_text(urls, encoding="utf-8")
            env = dict(folio.env)
            _run([str(FOLIO), "import", "urls"], env, folio.cwd)
            start = time.perf_counter()
            said = _run([str(FOLIO), "refresh"], env, folio.cwd)
            info["folio_fill_s"] = round(time.perf_counter() - start, 1)
            summary = [ln for ln in said.splitlines() if ln.startswith("Refreshed")]
            info["folio_said"] = summary[-1] if summary else said.strip()[-200:]
            listed = _run([str(FOLIO), "items", "--json"], env, folio.cwd)
            info["folio_items"] = sum(1 for ln in listed.splitlines() if ln.startswith("{"))
            print(f"  folio:    {info['folio_said']}", flush=True)
        if "newsboat" in tools:
            home = work / "newsboat"
            home.mkdir(parents=True)
            (home / "urls").write_text(urls, encoding="utf-8")
            # Shown interactively later: never reload on start-up or on a timer.
            (home / "config").write_text(
                "reload-threads 20\nrefresh-on-startup no\nauto-reload no\n", encoding="utf-8"
            )
            env = _base_env(home, term)
            start = time.perf_counter()
            reload = [NEWSBOAT, "-u", "urls", "-c", "cache.db", "-C", "config", "-x", "reload"]
            _run(reload, env, home)
            info["newsboat_fill_s"] = round(time.perf_counter() - start, 1)
            with sqlite3.connect(home / "cache.db") as db:
                info["newsboat_items"] = db.execute("select count(*) from rss_item").fetchone()[0]
            print(f"  newsboat: {info['newsboat_items']} items in {info['newsboat_fill_s']} s")
    expected = args.feeds * args.items
    for name in tools:
        got = info.get(f"{name}_items")
        if got != expected:
            raise SystemExit(f"{name} stored {got} items, not {expected}")
    marker.write_text(json.dumps(info, indent=1), encoding="utf-8")
    return info


# -- one launch ------------------------------------------------------------------------------


@dataclass
class Launch:
    first: float
    complete: float | None
    hwm_kb: int
    rss_kb: int
    cpu_s: float
    load1: float
    busy: float
    """Busy fraction of all CPUs from launch to complete (this program included)."""


@dataclass
class Results:
    program: str
    launches: list[Launch] = field(default_factory=list)
    keys: dict[str, list[Press]] = field(default_factory=dict)
    hwm_after_keys_kb: int = 0
    children_hwm_kb: int = 0
    exited_cleanly: bool = True


def launch(tm: Tmux, prog: Program, timeout: float, complete_quiet: float) -> tuple[Pane, Launch]:
    load1 = os.getloadavg()[0]
    b0, t0 = busy_seconds()
    pane = tm.spawn(prog.argv, prog.env, prog.cwd)
    when, _ = tm.wait_screen(pane, prog.content, timeout, attributes=False)
    first = when - pane.started
    settled = tm.wait_quiet(pane, complete_quiet, cap=timeout)
    last = tm.last_output.get(pane.id, when)
    complete = max(last, when) - pane.started if settled else None
    b1, t1 = busy_seconds()
    # The busy fraction covers up to the end of the quiet wait: subtract nothing, it is a
    # picture of how contended the machine was.
    mem = memory_kb(pane.pid)
    return pane, Launch(
        first=first,
        complete=complete,
        hwm_kb=mem["hwm"],
        rss_kb=mem["rss"],
        cpu_s=cpu_seconds(pane.pid),
        load1=load1,
        busy=(b1 - b0) / (t1 - t0) if t1 > t0 else 0.0,
    )


KEY_ROWS = [
    # (test, which time, label, judged against the target)
    ("list", "first", "key → screen: cursor down, first list (Board / feed list), ms", True),
    ("items", "first", "key → screen: cursor down, item list (Inbox / articles), ms", True),
    ("open", "first", "Enter → reader: first change, ms", False),
    ("open", "shown", "Enter → reader: article shown, ms", True),
    ("open", "settled", "Enter → reader: screen settled, ms", False),
    ("close", "first", "q → list: first change, ms", False),
    ("close", "shown", "q → list: list shown, ms", True),
    ("close", "settled", "q → list: screen settled, ms", False),
    ("list_open", "shown", "A → All items (100,000) shown, ms", True),
    ("list_open", "settled", "A → All items: screen settled, ms", False),
    ("list_down", "first", "key → screen: cursor down in All items, ms", True),
    ("list_end", "first", "G → last of the 100,000 in All items, ms", True),
    ("list_switch", "shown", "* / L → Starred / Later shown (in place), ms", True),
    ("list_back", "shown", "q → list: dashboard shown, ms", True),
    ("feed_open", "shown", "f → the item's whole feed shown, ms", True),
]
KEY_WHAT = {
    "folio": {
        "list": "j in the Board",
        "items": "Tab, then j in the Inbox",
        "open": "Enter on an Inbox item",
        "close": "q in the reader",
    },
    "folio lists": {
        "list_open": "A on the dashboard (the first page at once, the rest from a thread)",
        "list_down": "j in All items",
        "list_end": "G in All items",
        "list_switch": "* (Starred) and L (Later) in turn, from a list",
        "list_back": "q in a list, back to the dashboard",
        "feed_open": "f on an Inbox item",
    },
    "newsboat": {
        "list": "Down in the feed list",
        "items": "Enter on a feed, then Down in its article list",
        "open": "Enter on an article",
        "close": "q in the article view",
    },
    "less": {"list": "j (scroll one line)"},
}


def key_tests(
    tm: Tmux, pane: Pane, prog: Program, presses: int, readers: int, log: list[str]
) -> dict[str, list[Press]]:
    out: dict[str, list[Press]] = {}
    out["list"] = [tm.press(pane, prog.down) for _ in range(presses)]
    if prog.into_items:
        tm.press(pane, prog.into_items)
        out["items"] = [tm.press(pane, prog.down) for _ in range(presses)]
        out["open"], out["close"] = [], []
        for _ in range(readers):
            tm.press(pane, prog.down)  # a different item each time; not counted
            out["open"].append(tm.press(pane, "Enter", prog.article_shown))
            out["close"].append(tm.press(pane, prog.back, prog.list_shown))
    if prog.lists:
        out |= list_tests(tm, pane, prog, presses, readers)
    for key, runs in out.items():
        for attr in ("first", "shown", "settled"):
            if attr == "shown" and key in ("list", "items", "list_down", "list_end"):
                continue
            values = [getattr(r, attr) for r in runs]
            ms = " ".join("–" if v is None else f"{v * 1000:.0f}" for v in values)
            log.append(f"{prog.name:<8} {key:<6} {attr:<8} ms: {ms}")
    return out


def list_tests(
    tm: Tmux, pane: Pane, prog: Program, presses: int, readers: int
) -> dict[str, list[Press]]:
    """folio's lists of items, from the Inbox the reader tests left the cursor in: opening
    All items (100,000) and coming back, moving in it, switching lists in place, and
    opening an item's whole feed."""
    assert prog.lists is not None and prog.list_shown is not None
    shown = prog.lists
    out: dict[str, list[Press]] = {"list_open": [], "list_back": [], "feed_open": []}
    for _ in range(readers):
        out["list_open"].append(tm.press(pane, "A", shown["all"]))
        out["list_back"].append(tm.press(pane, "q", prog.list_shown))
    tm.press(pane, "A", shown["all"])
    out["list_down"] = [tm.press(pane, prog.down) for _ in range(presses)]
    out["list_end"] = [tm.press(pane, key) for key in ("G", "g") * (readers // 2)][::2]
    out["list_switch"] = []
    for _ in range(readers // 2):
        out["list_switch"].append(tm.press(pane, "'*'", shown["starred"]))
        out["list_switch"].append(tm.press(pane, "L", shown["later"]))
    tm.press(pane, "q", prog.list_shown)
    for _ in range(readers):
        out["feed_open"].append(tm.press(pane, "f", shown["feed"]))
        out["list_back"].append(tm.press(pane, "q", prog.list_shown))
        tm.press(pane, prog.down)  # another item, maybe another feed; not counted
    return out


# -- reporting -------------------------------------------------------------------------------


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _launch_cell(res: Results | None, attr: str) -> str:
    if res is None or not res.launches:
        return "–"
    values = [getattr(r, attr) for r in res.launches]
    if any(v is None for v in values):
        return "did not settle"
    return f"{statistics.median(values):.2f} ({min(values):.2f})"


def _key_ms(res: Results | None, key: str, attr: str) -> list[float] | None:
    """The times in ms, or None when there are none or one did not settle."""
    if res is None or key not in res.keys:
        return None
    values = [getattr(r, attr) for r in res.keys[key]]
    if not values or any(v is None for v in values):
        return None
    return [v * 1000 for v in values]


def _key_cell(res: Results | None, key: str, attr: str) -> str:
    ms = _key_ms(res, key, attr)
    if ms is None:
        return "did not settle" if res is not None and key in res.keys else "–"
    return f"{statistics.median(ms):.0f} ({_pct(ms, 0.9):.0f})"


def _median(values: list[float]) -> float:
    return statistics.median(values)


def build_rows(results: dict[str, Results]) -> list[dict[str, str]]:
    f, n, floor = results.get("folio"), results.get("newsboat"), results.get("less")
    rows: list[dict[str, str]] = []

    def launch_row(label: str, attr: str, target: float | None) -> dict[str, str]:
        row = {
            "metric": label,
            "folio": _launch_cell(f, attr),
            "newsboat": _launch_cell(n, attr),
            "floor": _launch_cell(floor, attr),
            "ratio": "–",
            "target": "–",
            "pass": "–",
        }
        if f and n and f.launches and n.launches:
            fv = [getattr(r, attr) for r in f.launches]
            nv = [getattr(r, attr) for r in n.launches]
            if None not in fv and None not in nv:
                ratio = _median(fv) / _median(nv)
                row["ratio"] = f"{ratio:.3f}"
                if target is not None:
                    row["target"] = f"≤ {target:.2f}"
                    row["pass"] = "PASS" if ratio <= target else "FAIL"
        return row

    rows.append(launch_row("launch → first content, s", "first", FIRST_CONTENT_TARGET))
    rows.append(launch_row("launch → screen complete, s", "complete", None))
    for key, attr, label, judged in KEY_ROWS:
        row = {
            "metric": label,
            "folio": _key_cell(f, key, attr),
            "newsboat": _key_cell(n, key, attr),
            "floor": _key_cell(floor, key, attr) if key == "list" else "–",
            "ratio": "–",
            "target": "–",
            "pass": "–",
        }
        fv, nv = _key_ms(f, key, attr), _key_ms(n, key, attr)
        if fv and nv:
            row["ratio"] = f"{_median(fv) / _median(nv):.1f}"
        if fv and judged:
            row["target"] = f"folio ≤ {KEY_TARGET_MS:.0f}"
            ok = _median(fv) <= KEY_TARGET_MS
            row["pass"] = "PASS" if ok else "FAIL"
            if ok and _pct(fv, 0.9) > KEY_TARGET_MS:
                row["pass"] = "PASS (p90 over)"
        rows.append(row)

    def peak_mb(res: Results | None, after_keys: bool) -> float | None:
        if res is None or not res.launches:
            return None
        if after_keys:
            return res.hwm_after_keys_kb / 1024 if res.hwm_after_keys_kb else None
        return _median([r.hwm_kb for r in res.launches]) / 1024

    def cpu_s(res: Results | None) -> float | None:
        return _median([r.cpu_s for r in res.launches]) if res and res.launches else None

    def fmt(value: float | None, spec: str) -> str:
        return "–" if value is None else format(value, spec)

    measured: list[tuple[str, Callable[[Results | None], float | None], str]] = [
        ("peak RSS (VmHWM) at screen complete, MB", lambda r: peak_mb(r, False), ".0f"),
        ("peak RSS (VmHWM) after the key tests, MB", lambda r: peak_mb(r, True), ".0f"),
        ("CPU s used by the process up to screen complete", cpu_s, ".2f"),
    ]
    for label, get, spec in measured:
        fm, nm = get(f), get(n)
        rows.append(
            {
                "metric": label,
                "folio": fmt(fm, spec),
                "newsboat": fmt(nm, spec),
                "floor": fmt(get(floor), spec),
                "ratio": f"{fm / nm:.2f}" if fm is not None and nm else "–",
                "target": "–",
                "pass": "–",
            }
        )
    children = [r for r in (f, n) if r is not None and r.children_hwm_kb]
    for res in children:
        rows[-2][res.program] += f" + {res.children_hwm_kb / 1024:.0f} in children"
    return rows


COLUMNS = [
    ("metric", "metric"),
    ("folio", "folio"),
    ("newsboat", "newsboat"),
    ("floor", "floor (less)"),
    ("ratio", "folio/newsboat"),
    ("target", "target"),
    ("pass", "pass"),
]


# -- main ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--reps", type=int, default=5, help="timed launches per program (default 5)")
    p.add_argument("--warmup", type=int, default=1, help="untimed launches first (default 1)")
    p.add_argument("--presses", type=int, default=30, help="key presses per list (default 30)")
    p.add_argument("--readers", type=int, default=10, help="reader open/close pairs (default 10)")
    p.add_argument("--feeds", type=int, default=500)
    p.add_argument("--items", type=int, default=200, help="items per generated feed")
    p.add_argument("--addresses", type=int, default=50)
    p.add_argument("--width", type=int, default=160)
    p.add_argument("--height", type=int, default=48)
    p.add_argument("--tools", default="folio,newsboat", help="comma-separated: folio,newsboat")
    p.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="keep the filled stores here and reuse them next time (default: a temp folder, "
        "removed at the end)",
    )
    p.add_argument("--refill", action="store_true", help="fill the stores again in --workdir")
    p.add_argument("--launch-timeout", type=float, default=300.0, help="seconds (default 300)")
    p.add_argument(
        "--complete-quiet",
        type=float,
        default=1.0,
        help="screen complete = last update before this many quiet seconds (default 1)",
    )
    p.add_argument(
        "--quiet-wait",
        type=float,
        default=10.0,
        help="before each launch wait up to this long for an idle machine; 0: never (default 10)",
    )
    p.add_argument("--term", default=None, help="TERM inside tmux (default tmux-256color)")
    p.add_argument("--out", type=Path, default=HERE / "results" / "ui.md")
    args = p.parse_args(argv)

    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    if not set(tools) <= {"folio", "newsboat"} or not tools:
        sys.exit("--tools takes folio, newsboat or both")
    if shutil.which("tmux") is None:
        sys.exit("needs tmux: apt-get install tmux")
    if "newsboat" in tools and not Path(NEWSBOAT).exists():
        sys.exit("needs newsboat: apt-get install newsboat")
    if "folio" in tools and not FOLIO.exists():
        sys.exit(f"needs {FOLIO}: create the venv and pip install -e . first")
    term = args.term
    if term is None:
        has = subprocess.run(["infocmp", "tmux-256color"], capture_output=True).returncode == 0
        term = "tmux-256color" if has else "screen-256color"

    info = machine([NEWSBOAT, "--version"], ["tmux", "-V"])
    load_start = loadavg()
    print(info, flush=True)
    print(f"load average at start: {load_start}", flush=True)
    feed_titles, item_titles = generated_titles(args.feeds, args.items, 20)
    prefix = 16
    folio_needles = Needles.of(item_titles, prefix)
    newsboat_needles = Needles.of(feed_titles, prefix)

    temporary = args.workdir is None
    work = Path(tempfile.mkdtemp(prefix="folio-ui-bench-")) if temporary else args.workdir
    work = work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    log: list[str] = []
    results: dict[str, Results] = {}
    rules: dict[str, str] = {}
    shown_rules: dict[str, str] = {}
    tm: Tmux | None = None
    gave_up = 0
    try:
        filled = fill(work, args, tools, term)
        programs: list[Program] = []
        if "folio" in tools:
            programs.append(folio_program(work, term, folio_needles))
        if "newsboat" in tools:
            programs.append(newsboat_program(work, term, newsboat_needles))
        floor = less_program(work, term)
        rules.update({prog.name: prog.content_rule for prog in [*programs, floor]})
        shown_rules.update({prog.name: prog.shown_rules for prog in programs})
        results = {prog.name: Results(prog.name) for prog in [*programs, floor]}
        tm = Tmux(args.width, args.height, term)
        for rep in range(-args.warmup, args.reps):
            order = programs if rep % 2 == 0 else list(reversed(programs))
            for prog in [*order, floor]:
                if args.quiet_wait > 0 and prog is not floor and not wait_idle(args.quiet_wait):
                    gave_up += 1
                pane, run = launch(tm, prog, args.launch_timeout, args.complete_quiet)
                tag = f"rep {rep + 1}" if rep >= 0 else "warm-up"
                complete = f"{run.complete:6.2f}" if run.complete is not None else "   –  "
                line = (
                    f"{tag:<7} {prog.name:<8} first content {run.first:6.2f} s  complete "
                    f"{complete} s  VmHWM {run.hwm_kb / 1024:5.0f} MB  cpu {run.cpu_s:5.2f} s  "
                    f"load {run.load1:4.2f}  machine busy {run.busy * 100:3.0f}%"
                )
                print(line, flush=True)
                log.append(line)
                res = results[prog.name]
                if rep >= 0:
                    res.launches.append(run)
                if rep == args.reps - 1:
                    logged = len(log)
                    res.keys = key_tests(tm, pane, prog, args.presses, args.readers, log)
                    mem = memory_kb(pane.pid)
                    res.hwm_after_keys_kb = mem["hwm"]
                    res.children_hwm_kb = mem["children_hwm"]
                    for entry in log[logged:]:
                        print(entry, flush=True)
                exited = tm.close(pane, prog.quit_keys)
                if not exited:
                    res.exited_cleanly = False
                    log.append(f"{prog.name} did not exit after {prog.quit_keys}; window killed")
    finally:
        if tm is not None:
            tm.shutdown()
        if temporary:
            shutil.rmtree(work, ignore_errors=True)

    load_end = loadavg()
    rows = build_rows(results)
    busy = [r.busy for res in results.values() for r in res.launches]
    notes = [
        f"Machine: {info}. Load average (1, 5, 15 min) at start {load_start}, at end "
        f"{load_end}; the CPUs were {statistics.median(busy) * 100:.0f}% busy (median) "
        "from each launch to its complete screen, the program itself included"
        + (f"; {gave_up} launches started without an idle machine" if gave_up else "")
        + ".",
        f"Data: {args.feeds} feeds × {args.items} items from bench/feedserver.py, the same "
        "feeds for both. "
        + ", ".join(f"{name} stored {filled.get(f'{name}_items')}" for name in tools)
        + ". folio: `folio import urls`, `folio refresh`, `[refresh] auto = false`; newsboat: "
        "`-x reload` with `reload-threads 20`, then opened with `refresh-on-startup no`.",
        f"tmux {args.width}×{args.height}, TERM={term}; each launch in a new window; "
        f"{args.reps} timed launches per program after {args.warmup} untimed warm-up(s), the "
        "two programs taking turns to go first. Launch figures: median (min), seconds.",
        "First content: "
        + "; ".join(f"{name} — {rule}" for name, rule in rules.items())
        + f". Screen complete: the last screen update before {args.complete_quiet:g} s "
        "without output.",
        f"Key presses (in the last launch's session): {args.presses} presses per list and "
        f"{args.readers} reader open/close pairs, each sent after 200 ms without output; "
        "median (p90) ms from sending the key to: the first captured screen that differs "
        "(colours and attributes included: a cursor move changes only those); the screen "
        "showing what was asked for ("
        + "; ".join(f"{name}: {shown}" for name, shown in shown_rules.items())
        + "); the last update before 200 ms without output (settled). "
        "folio: "
        + "; ".join(KEY_WHAT["folio"].values())
        + ". folio's lists of items (no newsboat counterpart): "
        + "; ".join(KEY_WHAT["folio lists"].values())
        + " (shown: the list's title with an item title in it; Starred and Later: their"
        " titles). newsboat: "
        + "; ".join(KEY_WHAT["newsboat"].values())
        + " (newsboat 2.21 binds j to next-feed "
        "in the article list and leaves it unbound in the feed list). The floor column is "
        "`less` on a text file: launch to its first line, and j (scroll a line); subtract it "
        "to see the program's own time.",
        "Targets: folio's first content ≤ 0.25 × newsboat's (medians); a key press → "
        f"updated screen ≤ {KEY_TARGET_MS:.0f} ms for folio, judged on the median of the "
        "rows marked (cursor moves: first change; reader: article / list shown); "
        "'PASS (p90 over)' when the median passes and the p90 does not.",
        "Memory: VmHWM of the program's process from /proc/PID/status (the pane's process: "
        "`env` execs the program); median over launches at screen complete, and once after "
        "the key tests.",
        "Screen watching: a tmux control-mode client; the pane is captured after every "
        "`%output` notification (and every 50 ms), so no busy poll competes for the CPUs.",
    ]
    if any(not r.exited_cleanly for r in results.values()):
        notes.append("Some program did not exit on its quit keys: see the log.")
    publish(args.out, "UI benchmark: folio vs newsboat", COLUMNS, rows, notes, log)
    return 0


if __name__ == "__main__":
    sys.exit(main())
