"""How fast folio downloads an episode, and what its checks cost, against references.

A 200 MB file is served from 127.0.0.1 by an aiohttp server in another process (so its
CPU is not counted here). It is downloaded, each time to a fresh file, by:

- ``folio``: ``tui.core.podcasts.download.fetch_to_file`` through folio's transport (every
  chunk under a stall timeout, progress reported, the start sniffed, size checked, fsync);
- ``httpx``: the same client and transport, ``client.stream`` and ``aiter_raw`` written to
  a file with nothing else (the least folio's stack can do);
- ``curl``: ``curl -s -o FILE URL`` when curl is installed (a C reference).

Printed: median wall time and MB/s of ``--reps`` runs, and this process's CPU seconds
(user + system) for the Python ones. Run: ``.venv/bin/python bench/podcast_download.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tui.core.config import Settings
from tui.core.net.fetch import make_transport
from tui.core.podcasts.download import fetch_to_file

SERVER = """
import sys
from aiohttp import web
body = b"ID3" + bytes(range(256)) * (int(sys.argv[1]) // 256)
async def episode(request):
    return web.Response(body=body, content_type="audio/mpeg")
app = web.Application()
app.router.add_get("/ep.mp3", episode)
def ready(*_):
    print("ready", flush=True)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[2]), print=ready)
"""


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def with_folio(url: str, target: Path) -> int:
    async with httpx.AsyncClient(transport=make_transport(Settings())) as client:
        return await fetch_to_file(client, url, target, on_progress=lambda done, total: None)


async def with_httpx(url: str, target: Path) -> int:
    async with httpx.AsyncClient(transport=make_transport(Settings())) as client:
        size = 0
        async with client.stream("GET", url) as response:
            with target.open("wb") as out:
                async for chunk in response.aiter_raw():
                    out.write(chunk)
                    size += len(chunk)
        return size


def timed(run: object) -> tuple[float, float]:
    start, cpu = time.perf_counter(), time.process_time()
    assert callable(run)
    run()
    return time.perf_counter() - start, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    size = args.mb * 1_000_000
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(size), str(port)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None and server.stdout.readline().startswith("ready")
        url = f"http://127.0.0.1:{port}/ep.mp3"
        folder = Path(tempfile.mkdtemp(prefix="folio-bench-"))
        runs: dict[str, list[tuple[float, float]]] = {"folio": [], "httpx": [], "curl": []}
        for rep in range(args.reps):
            for name in ("folio", "httpx", "curl"):
                target = folder / f"{name}-{rep}.mp3"
                if name == "curl":
                    if shutil.which("curl") is None:
                        continue
                    command = ["curl", "-s", "-o", str(target), url]
                    runs[name].append(timed(lambda c=command: subprocess.run(c, check=True)))
                else:
                    go = with_folio if name == "folio" else with_httpx
                    runs[name].append(timed(lambda g=go, t=target: asyncio.run(g(url, t))))
                got = target.stat().st_size
                target.unlink()
                assert got >= size, (name, got)
        shutil.rmtree(folder)
    finally:
        server.terminate()
        server.wait()
    print(f"{args.mb} MB from 127.0.0.1, median of {args.reps} runs ({os.cpu_count()} cores)")
    print(f"{'client':<8} {'wall s':>8} {'MB/s':>8} {'CPU s':>8}")
    for name, results in runs.items():
        if not results:
            print(f"{name:<8} (not installed)")
            continue
        wall = statistics.median(r[0] for r in results)
        cpu = statistics.median(r[1] for r in results)
        cpu_text = f"{cpu:8.2f}" if name != "curl" else "       –"
        print(f"{name:<8} {wall:8.2f} {args.mb / wall:8.0f} {cpu_text}")


if __name__ == "__main__":
    main()
