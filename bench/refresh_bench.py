"""Refresh benchmark: ``folio refresh`` against ``newsboat -x reload``, side by side.

Both tools refresh the same feeds from the same local server (``bench/feedserver.py``, a
separate asyncio process on 127.0.0.1 … 127.0.0.50, 50 ms per answer, ETag/Last-Modified
and 304). Each run gets fresh config/data folders in a temporary directory.

Scenarios:

* ``generated cold``: 500 generated feeds × 20 items (RSS 2.0, Atom, podcast), empty store.
* ``generated warm``: the same again once every answer is ``304 Not Modified``.
* ``real-feeds cold`` / ``real-feeds warm``: the 50 captured feeds of
  ``../shared/corpus/real-feeds`` (skipped when the folder is absent).

A third column, ``floor`` (``bench/floor_client.py``), times the least any Python client
on folio's stack can do against the same server: start, import asyncio/httpx/sqlite3, send
the conditional GETs, drop the bodies. It shows how much of a ratio is folio's own work and
how much is the machine, the server and Python itself.

newsboat 2.21 saves a feed's ETag/Last-Modified only when the feed is already in its cache,
so its *second* reload still gets 200s (and re-reads every feed) and only its third is all
304. The warm rows time the run in which every answer is 304 for both tools (newsboat's
third run); the "second run" rows time each tool's plain second invocation. The server's
counters (200s/304s per run) are checked and printed, so the table says what was measured.

Usage::

    .venv/bin/python bench/refresh_bench.py            # 5 repetitions, writes bench/results/
    .venv/bin/python bench/refresh_bench.py --reps 3 --tools folio

Peak memory comes from GNU time (``/usr/bin/time``, Debian package ``time``): the maximum RSS
of the process; for folio the summed RSS of its process tree is also sampled, and the
larger of the two is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from feedserver import ServerProcess, feed_format  # noqa: E402
from procstat import busy_seconds, tree_pss_kb, wait_idle  # noqa: E402
from report import machine, publish  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "real-feeds"
TARGETS = {
    ("generated", "cold"): 0.20,
    ("generated", "warm"): 0.10,
    ("real-feeds", "cold"): 0.40,
}


# -- running one command ---------------------------------------------------------------------


@dataclass
class Run:
    wall: float
    rss_mb: float
    cpu: float
    ok: int = 0
    not_modified: int = 0
    other: int = 0
    server_cpu: float = 0.0
    peak_inflight: int = 0
    background_cpu: float = 0.0
    """CPU seconds the rest of the machine (other programs) used during the run."""
    output: str = ""


class Quiet:
    """Waits for the machine to be idle before a run, so other programs disturb it less."""

    max_busy = 0.25
    """Busy fraction of all CPUs over half a second that counts as quiet."""
    patience = 20.0
    """Seconds to wait at most before each run; then it runs anyway (and says so)."""
    waited = 0.0
    gave_up = 0

    @classmethod
    def wait(cls) -> None:
        if cls.patience <= 0:
            return
        start = time.monotonic()
        if not wait_idle(cls.patience, cls.max_busy):
            cls.gave_up += 1
        cls.waited += time.monotonic() - start


SAMPLE_TREE = {"on": True}
"""Whether ``timed`` samples the process tree's memory; see ``measure``."""


def timed(argv: list[str], env: dict[str, str], cwd: Path, server: ServerProcess) -> Run:
    """Run argv under GNU time; wall clock from here, peak RSS and CPU from time(1).

    While ``SAMPLE_TREE["on"]``, a thread also sums the PSS of the process tree every 10 ms.
    """
    server.reset()
    Quiet.wait()
    before = server.stats()
    busy_before, _ = busy_seconds()
    tfile = cwd / ".time"
    cmd = ["/usr/bin/time", "-f", "%M %U %S", "-o", str(tfile), *argv]
    peak_tree = 0
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    done = threading.Event()

    def sample() -> None:
        nonlocal peak_tree
        while SAMPLE_TREE["on"] and not done.is_set():
            peak_tree = max(peak_tree, tree_pss_kb(proc.pid))
            done.wait(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate()
    wall = time.perf_counter() - start
    busy_after, _ = busy_seconds()
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{argv[0]} exited with {proc.returncode}:\n{out[-2000:]}")
    maxrss_kb, user, sys_ = tfile.read_text().split()[-3:]
    after = server.stats()
    # time(1)'s figure is exact for one process; the sampled sum also covers worker processes.
    rss_kb = max(int(maxrss_kb), peak_tree)
    cpu = float(user) + float(sys_)
    server_cpu = after["cpu_s"] - before["cpu_s"]
    return Run(
        wall=wall,
        rss_mb=rss_kb / 1024,
        cpu=cpu,
        ok=int(after["ok"]),
        not_modified=int(after["not_modified"]),
        other=int(after["requests"] - after["ok"] - after["not_modified"]),
        server_cpu=server_cpu,
        peak_inflight=int(after["peak_inflight"]),
        background_cpu=max(0.0, busy_after - busy_before - cpu - server_cpu),
        output=out,
    )


# -- the two tools -------------------------------------------------------------------------


def _toml_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=True)  # a JSON string is a valid TOML basic string


class Tool:
    name = ""

    def __init__(self, base: Path, urls: list[str], kinds: list[str]) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix=f"{self.name}-", dir=base))
        self.urls = urls
        self.kinds = kinds
        self.env = dict(os.environ, HOME=str(self.dir), LC_ALL="C.UTF-8")
        (self.dir / "urls").write_text("".join(u + "\n" for u in urls), encoding="utf-8")

    def refresh(self, server: ServerProcess) -> Run:
        raise NotImplementedError

    def items(self) -> int:
        raise NotImplementedError


class PythonTool(Tool):
    """A tool run by the project's own Python, with a bytecode cache as installed."""

    pycache: Path | None = None
    """Bytecode cache for the runs; see ``main``."""

    def __init__(self, base: Path, urls: list[str], kinds: list[str]) -> None:
        super().__init__(base, urls, kinds)
        if self.pycache is not None:
            # An installed program has its .pyc files; an environment with
            # PYTHONDONTWRITEBYTECODE=1 would recompile folio's modules on every run.
            self.env.pop("PYTHONDONTWRITEBYTECODE", None)
            self.env["PYTHONPYCACHEPREFIX"] = str(self.pycache)


class Folio(PythonTool):
    name = "folio"
    exe = str(ROOT / ".venv" / "bin" / "folio")
    connections: int | None = None
    """``max_connections`` in folio's settings.toml; None leaves folio's default (32)."""

    def __init__(self, base: Path, urls: list[str], kinds: list[str]) -> None:
        super().__init__(base, urls, kinds)
        for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
            path = self.dir / var.lower()
            path.mkdir()
            self.env[var] = str(path)
        folder = self.dir / "xdg_config_home" / "folio"
        folder.mkdir()
        lines = []
        for n, (url, kind) in enumerate(zip(urls, kinds, strict=True)):
            lines += [
                "[[sources]]",
                f"url = {_toml_str(url)}",
                f'name = "Feed {n}"',
                f'kind = "{kind}"',
                "tags = []",
                "mine = false",
                "",
            ]
        (folder / "portfolio.toml").write_text("\n".join(lines), encoding="utf-8")
        if self.connections is not None:
            settings = f"[refresh]\nmax_connections = {self.connections}\n"
            (folder / "settings.toml").write_text(settings, encoding="utf-8")

    def refresh(self, server: ServerProcess) -> Run:
        run = timed([self.exe, "refresh"], self.env, self.dir, server)
        return run

    def items(self) -> int:
        out = subprocess.run(
            [self.exe, "items", "--json"],
            env=self.env,
            cwd=self.dir,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return sum(1 for line in out.splitlines() if line.strip())


class Floor(PythonTool):
    """``bench/floor_client.py``: what any Python client on folio's stack needs at least."""

    name = "floor"
    exe = str(ROOT / ".venv" / "bin" / "python")
    processes = 1
    """As many as folio forks for these feeds; set by ``measure``."""

    def refresh(self, server: ServerProcess) -> Run:
        argv = [self.exe, str(HERE / "floor_client.py"), "--db", "floor.db", "--urls", "urls"]
        return timed([*argv, "--processes", str(self.processes)], self.env, self.dir, server)

    def items(self) -> int:
        return 0  # it stores no items


class Newsboat(Tool):
    name = "newsboat"
    exe = shutil.which("newsboat") or "/usr/bin/newsboat"
    threads = 20

    def __init__(self, base: Path, urls: list[str], kinds: list[str]) -> None:
        super().__init__(base, urls, kinds)
        (self.dir / "config").write_text(f"reload-threads {self.threads}\n", encoding="utf-8")

    def refresh(self, server: ServerProcess) -> Run:
        argv = [self.exe, "-u", "urls", "-c", "cache.db", "-C", "config", "-x", "reload"]
        return timed(argv, self.env, self.dir, server)

    def items(self) -> int:
        with sqlite3.connect(self.dir / "cache.db") as db:
            return int(db.execute("select count(*) from rss_item").fetchone()[0])


# -- a scenario ------------------------------------------------------------------------------


@dataclass
class Result:
    tool: str
    cold: list[Run] = field(default_factory=list)
    second: list[Run] = field(default_factory=list)
    warm: list[Run] = field(default_factory=list)
    items: list[int] = field(default_factory=list)
    sampled_mb: dict[str, float] = field(default_factory=dict)
    """Peak memory of the process tree per phase, sampled in the warm-up runs."""


def measure(
    label: str,
    urls: list[str],
    kinds: list[str],
    server: ServerProcess,
    tools: list[type[Tool]],
    reps: int,
    base: Path,
    log: list[str],
    warmup: int = 1,
) -> dict[str, Result]:
    results = {t.name: Result(t.name) for t in tools}
    Floor.processes = 1  # folio refresh fetches and stores in one process, as the floor does
    for rep in range(-warmup, reps):
        # Reading /proc/<pid>/smaps_rollup every 10 ms costs CPU that, on 2 cores, slowed
        # folio's runs by up to a tenth: the tree's memory is sampled in the warm-up runs
        # only (in every run when there is no warm-up), and timed runs keep GNU time's figure.
        SAMPLE_TREE["on"] = rep < 0 or warmup == 0
        order = tools if rep % 2 == 0 else list(reversed(tools))  # alternate who goes first
        for cls in order:
            tool = cls(base, urls, kinds)
            res = results[cls.name] if rep >= 0 else Result(cls.name)  # warm-up: not kept
            cold = tool.refresh(server)
            res.cold.append(cold)
            res.items.append(tool.items())
            second = tool.refresh(server)
            res.second.append(second)
            warm = second
            # newsboat stores validators only for feeds already in its cache: run again until
            # every answer is a 304 (at most twice more).
            for _ in range(2):
                if warm.not_modified == len(urls):
                    break
                warm = tool.refresh(server)
            res.warm.append(warm)
            if SAMPLE_TREE["on"]:
                kept = results[cls.name].sampled_mb
                for phase, run in (("cold", cold), ("second", second), ("warm", warm)):
                    kept[phase] = max(kept.get(phase, 0.0), run.rss_mb)
            tag = f"rep {rep + 1}" if rep >= 0 else "warm-up"
            for phase, run in (("cold", cold), ("second", second), ("warm", warm)):
                line = (
                    f"{label:<11} {tag:<7} {cls.name:<8} {phase:<6} {run.wall:6.2f} s  "
                    f"cpu {run.cpu:5.2f} s  rss {run.rss_mb:6.1f} MB  200:{run.ok:<4} "
                    f"304:{run.not_modified:<4} other:{run.other:<3} "
                    f"server cpu {run.server_cpu:4.2f} s  in flight {run.peak_inflight:<3} "
                    f"others' cpu {run.background_cpu:4.2f} s"
                )
                print(line, flush=True)
                log.append(line)
            if cls is Folio:
                summary = [ln for ln in cold.output.splitlines() if ln.startswith("Refreshed")]
                if summary:
                    log.append(f"{'':<11} folio cold said: {summary[-1]}")
            shutil.rmtree(tool.dir, ignore_errors=True)
    return results


# -- reporting -----------------------------------------------------------------------------


def _med(runs: list[Run]) -> float:
    return statistics.median(r.wall for r in runs)


def _min(runs: list[Run]) -> float:
    return min(r.wall for r in runs)


def rows_for(label: str, results: dict[str, Result]) -> list[dict[str, str]]:
    rows = []
    f, n, floor = results.get("folio"), results.get("newsboat"), results.get("floor")
    for phase, title in (
        ("cold", "cold"),
        ("warm", "warm (all 304)"),
        ("second", "second run"),
    ):
        target = TARGETS.get((label, phase))
        row = {"scenario": f"{label} {title}"}
        for name, res in (("folio", f), ("newsboat", n), ("floor", floor)):
            if res is None:
                row[f"{name}_wall"] = "–"
                row[f"{name}_rss"] = "–"
                row[f"{name}_cpu"] = "–"
                row[f"{name}_items"] = "–"
                row[f"{name}_http"] = "–"
                continue
            runs = getattr(res, phase)
            row[f"{name}_wall"] = f"{_med(runs):.2f} ({_min(runs):.2f})"
            rss = max(statistics.median(r.rss_mb for r in runs), res.sampled_mb.get(phase, 0.0))
            row[f"{name}_rss"] = f"{rss:.0f}"
            row[f"{name}_cpu"] = f"{statistics.median(r.cpu for r in runs):.2f}"
            row[f"{name}_items"] = str(res.items[-1]) if phase == "cold" and res.items[-1] else ""
            oks = sorted({r.ok for r in runs})
            nms = sorted({r.not_modified for r in runs})
            row[f"{name}_http"] = "/".join(map(str, oks)) + " · " + "/".join(map(str, nms))
        if f is not None and n is not None:
            ratio = _med(getattr(f, phase)) / _med(getattr(n, phase))
            row["ratio"] = f"{ratio:.3f}"
            row["target"] = f"≤ {target:.2f}" if target else "–"
            ok = ratio <= target if target else None
            if phase == "cold" and label == "real-feeds":
                items_ok = min(f.items) >= max(n.items)
                ok = bool(ok) and items_ok
                if not items_ok:
                    row["target"] += ", items ≥ newsboat"
            row["pass"] = "–" if ok is None else ("PASS" if ok else "FAIL")
        else:
            row["ratio"] = row["target"] = row["pass"] = "–"
        row["floor_ratio"] = "–"
        if floor is not None and n is not None:
            row["floor_ratio"] = f"{_med(getattr(floor, phase)) / _med(getattr(n, phase)):.3f}"
        rows.append(row)
    return rows


COLUMNS = [
    ("scenario", "scenario"),
    ("folio_wall", "folio wall s, median (min)"),
    ("newsboat_wall", "newsboat wall s, median (min)"),
    ("ratio", "ratio"),
    ("target", "target"),
    ("pass", "pass"),
    ("floor_wall", "floor wall s, median (min)"),
    ("floor_ratio", "floor ratio"),
    ("folio_rss", "folio peak RSS MB"),
    ("newsboat_rss", "newsboat peak RSS MB"),
    ("folio_cpu", "folio CPU s"),
    ("newsboat_cpu", "newsboat CPU s"),
    ("floor_cpu", "floor CPU s"),
    ("folio_items", "folio items"),
    ("newsboat_items", "newsboat items"),
    ("folio_http", "folio 200 · 304"),
    ("newsboat_http", "newsboat 200 · 304"),
    ("floor_http", "floor 200 · 304"),
]


# -- main ----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--reps", type=int, default=5, help="repetitions per scenario (default 5)")
    p.add_argument("--feeds", type=int, default=500)
    p.add_argument("--items", type=int, default=20, help="items per generated feed")
    p.add_argument("--delay", type=float, default=0.05, help="server delay per request, s")
    p.add_argument("--addresses", type=int, default=50)
    p.add_argument("--threads", type=int, default=20, help="newsboat reload-threads")
    p.add_argument(
        "--connections",
        type=int,
        default=200,
        help="folio's [refresh] max_connections (default 200; 0 keeps folio's default, 32)",
    )
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    p.add_argument("--no-generated", action="store_true", help="skip the generated feeds")
    p.add_argument("--no-corpus", action="store_true", help="skip the real feeds")
    p.add_argument(
        "--tools",
        default="folio,newsboat,floor",
        help="comma-separated: folio,newsboat,floor (default all three)",
    )
    p.add_argument("--server-cpu", type=int, default=None, help="pin the server to this CPU")
    p.add_argument("--out", type=Path, default=HERE / "results" / "refresh.md")
    p.add_argument(
        "--quiet-wait",
        type=float,
        default=Quiet.patience,
        help="before each run, wait up to this many seconds for the machine to be idle "
        "(other programs using under --max-busy of the CPUs); 0 never waits (default 20)",
    )
    p.add_argument("--max-busy", type=float, default=Quiet.max_busy)
    p.add_argument("--warmup", type=int, default=1, help="untimed repetitions first (default 1)")
    p.add_argument(
        "--no-pycache",
        action="store_true",
        help="run folio with the environment as it is, even PYTHONDONTWRITEBYTECODE=1",
    )
    args = p.parse_args(argv)

    if not Path("/usr/bin/time").exists():
        sys.exit("needs GNU time: apt-get install time")
    chosen = [t.strip() for t in args.tools.split(",") if t.strip()]
    tools: list[type[Tool]] = [c for c in (Folio, Newsboat, Floor) if c.name in chosen]
    if Newsboat in tools and not Path(Newsboat.exe).exists():
        sys.exit("needs newsboat: apt-get install newsboat")
    if (Folio in tools or Floor in tools) and not Path(Folio.exe).exists():
        sys.exit(f"needs {Folio.exe}: create the venv and pip install -e . first")
    Newsboat.threads = args.threads
    Folio.connections = args.connections or None
    Quiet.patience, Quiet.max_busy = args.quiet_wait, args.max_busy

    corpus: Path | None = args.corpus
    corpus_note = ""
    if args.no_corpus:
        corpus = None
    elif corpus is None or not corpus.is_dir():
        corpus_note = f"real-feeds skipped: {args.corpus} is absent"
        print(corpus_note, file=sys.stderr)
        corpus = None

    server_args = [
        "--feeds",
        "0" if args.no_generated else str(args.feeds),
        "--items",
        str(args.items),
        "--delay",
        str(args.delay),
        "--addresses",
        str(args.addresses),
    ]
    if corpus is not None:
        server_args += ["--corpus", str(corpus)]

    info = machine([Newsboat.exe, "--version"])
    print(info, flush=True)
    log: list[str] = []
    rows: list[dict[str, str]] = []
    all_results: list[Result] = []
    base = Path(tempfile.mkdtemp(prefix="folio-bench-"))
    if not args.no_pycache:
        PythonTool.pycache = base / "pycache"
    try:
        with ServerProcess(*server_args, cpu=args.server_cpu) as server:
            if not args.no_generated:
                urls = server.urls("gen")
                kinds = [
                    "podcast" if feed_format(n) == "podcast" else "blog" for n in range(len(urls))
                ]
                res = measure(
                    "generated", urls, kinds, server, tools, args.reps, base, log, args.warmup
                )
                rows += rows_for("generated", res)
                all_results += res.values()
            if corpus is not None:
                urls = server.urls("corpus")
                kinds = ["blog"] * len(urls)
                res = measure(
                    "real-feeds", urls, kinds, server, tools, args.reps, base, log, args.warmup
                )
                rows += rows_for("real-feeds", res)
                all_results += res.values()
    finally:
        shutil.rmtree(base, ignore_errors=True)

    pin = f"pinned to CPU {args.server_cpu}" if args.server_cpu is not None else "not pinned"
    notes = [
        f"Machine: {info}.",
        f"Server: bench/feedserver.py, a separate aiohttp process ({pin}) on "
        f"127.0.0.1–127.0.0.{args.addresses}, {args.delay * 1000:.0f} ms per answer, ETag + "
        "Last-Modified + 304. Client and server share the machine's cores; the per-run server "
        "CPU time is in the log below.",
        (
            f"Generated feeds: {args.feeds} × {args.items} items (RSS 2.0, Atom, podcast in "
            f"turn), {args.feeds // max(args.addresses, 1)} feeds per address. "
            if not args.no_generated
            else ""
        )
        + f"newsboat: `reload-threads {args.threads}`. folio: "
        + (
            f"`max_connections = {Folio.connections}` (its default is 32; `max_per_host` "
            "stays 4), otherwise default settings."
            if Folio.connections
            else "default settings (`max_connections = 32`, `max_per_host = 4`)."
        ),
        f"Each figure: median (min) of {args.reps} runs after {args.warmup} untimed warm-up "
        "run(s), the two tools taking turns to go first; each run in fresh temp folders.",
        "folio runs with a bytecode cache (PYTHONPYCACHEPREFIX in the temp folder, filled by "
        "the warm-up), as an installed program would; this environment sets "
        "PYTHONDONTWRITEBYTECODE=1, which would otherwise recompile folio's modules every run."
        if PythonTool.pycache is not None and os.environ.get("PYTHONDONTWRITEBYTECODE")
        else "folio runs with the environment's own bytecode settings.",
        "floor: bench/floor_client.py, the least a Python client on folio's stack does: Python "
        "starts, imports asyncio, httpx and sqlite3, reads the stored validators, forks as folio "
        f"would ({Floor.processes} processes for the last scenario), sends each feed one "
        "conditional GET over raw asyncio streams (4 connections per host) and drops the "
        "bodies; no parsing, no items. floor ratio: its wall time over newsboat's, the best "
        "ratio any such client could reach here.",
        "warm (all 304): the run in which every answer was 304 — folio's 2nd run, newsboat's "
        "3rd (newsboat 2.21 stores ETag/Last-Modified only for feeds already in its cache, so "
        "its 2nd run is all 200s). second run: each tool's plain 2nd invocation.",
        "CPU s: user + system time of the process and its children (median). "
        "Peak RSS: GNU time's max RSS of the largest process (median over the timed runs), or "
        "the peak sum of PSS over the process tree (worker processes included), sampled every "
        "10 ms in the warm-up runs only, if larger: sampling costs CPU the timed runs should "
        "not share. Items: stored after the cold run (folio `items --json`, newsboat "
        "`rss_item`). 200 · 304: answers the server gave per run.",
    ]
    others = [r.background_cpu for res in all_results for r in (*res.cold, *res.second, *res.warm)]
    if others:
        notes.append(
            f"Other programs on the machine used {statistics.median(others):.2f} s of CPU "
            f"(median per run, max {max(others):.2f} s) while runs were timed; before each run "
            f"the driver waited for the machine to be idle ({Quiet.waited:.0f} s in all"
            + (f", {Quiet.gave_up} runs started without it" if Quiet.gave_up else "")
            + "). Use the min column when that figure is high."
        )
    if corpus_note:
        notes.append(corpus_note + ".")
    publish(args.out, "Refresh benchmark: folio vs newsboat", COLUMNS, rows, notes, log)
    return 0


if __name__ == "__main__":
    sys.exit(main())
