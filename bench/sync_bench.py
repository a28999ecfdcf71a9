"""Sync with Miniflux: folio against newsboat, on the same loopback Miniflux.

The server is the tests' loopback Miniflux (tests/fake_miniflux.py, answering as Miniflux's
API reference says), in this process. newsboat 2.21 speaks Miniflux's API too
(``urls-source "miniflux"``), so both tools read the same account:

* cold: an empty store, ``FEEDS`` feeds of ``PER_FEED`` unread articles (10,000);
* warm: the same again, nothing changed on the server;
* send (folio only; newsboat has no headless way to mark): every article read here, then
  ``folio sync`` sends the 10,000 changes.

    .venv/bin/python bench/sync_bench.py --reps 3

Wall time is around the whole process (``folio sync`` / ``newsboat -x reload``); requests
are counted by the server. Figures are medians.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from tests.fake_miniflux import MinifluxServer  # noqa: E402

FEEDS = 50
PER_FEED = 200


def seeded() -> MinifluxServer:
    server = MinifluxServer()
    for n in range(FEEDS):
        feed = server.add_feed(f"https://site{n}.example/feed", f"Site {n}")
        server.add_entries(feed, PER_FEED, age=3600)
    return server


def folio_home(root: Path, server: MinifluxServer) -> dict[str, str]:
    config = root / "config" / "folio"
    config.mkdir(parents=True)
    (config / "settings.toml").write_text(f'[sync]\nservice = "miniflux"\nurl = "{server.url()}"\n')
    (config / "portfolio.toml").write_text("")
    return {
        **os.environ,
        "XDG_CONFIG_HOME": str(root / "config"),
        "XDG_DATA_HOME": str(root / "data"),
        "FOLIO_SYNC_TOKEN": server.token,
    }


def newsboat_home(root: Path, server: MinifluxServer) -> list[str]:
    root.mkdir(parents=True)
    (root / "config").write_text(
        f'urls-source "miniflux"\nminiflux-url "{server.url()}/"\n'
        f'miniflux-login "{server.user}"\nminiflux-password "{server.password}"\n'
    )
    (root / "urls").write_text("")
    return [
        "newsboat",
        "-C",
        str(root / "config"),
        "-u",
        str(root / "urls"),
        "-c",
        str(root / "cache.db"),
        "-x",
        "reload",
    ]


def timed(
    server: MinifluxServer, argv: list[str], env: dict[str, str] | None = None
) -> tuple[float, int]:
    before = len(server.calls)
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, cwd=REPO)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{argv[0]} failed: {done.stderr or done.stdout}")
    return seconds, len(server.calls) - before


def mark_all_read(env: dict[str, str]) -> None:
    script = (
        "from tui.core.session import Session\n"
        "from tui.core.storage.workspace import user_workspace\n"
        "s = Session(user_workspace())\n"
        "s.set_flag([r[0] for r in s.store.query('SELECT id FROM items')], 'read', True)\n"
        "s.close()\n"
    )
    subprocess.run([sys.executable, "-c", script], env=env, check=True, cwd=REPO)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--no-newsboat", action="store_true")
    args = parser.parse_args()
    use_newsboat = not args.no_newsboat and shutil.which("newsboat") is not None
    folio = [sys.executable, "-m", "tui", "sync"]
    rows: dict[str, list[tuple[float, int]]] = {}
    for _ in range(args.reps):
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            server = seeded()
            try:
                env = folio_home(root / "folio", server)
                rows.setdefault("folio cold", []).append(timed(server, folio, env))
                rows.setdefault("folio warm", []).append(timed(server, folio, env))
                mark_all_read(env)
                rows.setdefault("folio send 10,000", []).append(timed(server, folio, env))
                if use_newsboat:
                    argv = newsboat_home(root / "newsboat", server)
                    for entry in server.entries.values():
                        entry.read = False
                    rows.setdefault("newsboat cold", []).append(timed(server, argv))
                    rows.setdefault("newsboat warm", []).append(timed(server, argv))
            finally:
                server.close()
    print(f"{FEEDS} feeds × {PER_FEED} unread articles on a loopback Miniflux; {args.reps} reps")
    print(f"{'run':<20} {'wall s':>8} {'requests':>9}")
    for name, runs in rows.items():
        wall = statistics.median(seconds for seconds, _ in runs)
        requests = int(statistics.median(count for _, count in runs))
        print(f"{name:<20} {wall:>8.2f} {requests:>9}")


if __name__ == "__main__":
    main()
