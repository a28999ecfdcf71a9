"""Which httpx transport folio's Fetcher should use: CPU per request, measured.

Runs the same job through ``tui.core.net.fetch.Fetcher`` on each candidate transport, in a
fresh process each time: 500 conditional GETs (every answer a 304) of the bench feed server's
generated feeds, 64 in flight over 50 loopback hosts (127.0.0.1-50), no server delay. It prints
the process CPU time per request for the fetches alone (median of the repetitions), the wall
time of the loop, and the import time of the transport's modules.

    .venv/bin/python bench/transport_bench.py --reps 5

Candidates: ``aiohttp`` (httpx_aiohttp.AiohttpTransport over aiohttp's connector, what folio
uses), ``httpx`` (httpx's own AsyncHTTPTransport, httpcore, with sniffio installed) and
``httpx-no-sniffio`` (the same with sniffio hidden, as the corpus README measured it).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from feedserver import ServerProcess  # noqa: E402

CHILD = r"""
import asyncio, json, sys, time
kind, urls_file = sys.argv[1], sys.argv[2]
if kind == "httpx-no-sniffio":
    sys.modules["sniffio"] = None  # an import of it fails, as when it is not installed
started = time.perf_counter()
import httpx
from tui.core.config import RefreshSettings
from tui.core.net.fetch import Fetcher, make_transport
settings = RefreshSettings(max_connections=64, max_per_host=4, timeout=60)
if kind == "aiohttp":
    import aiohttp, httpx_aiohttp  # noqa: F401 - timed as the import cost
    transport = make_transport(settings)
else:
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    transport = httpx.AsyncHTTPTransport(limits=limits)
imported = time.perf_counter() - started
urls = open(urls_file).read().split()

async def main():
    async with Fetcher(settings, transport) as fetcher:
        first = await asyncio.gather(*(fetcher.fetch(u) for u in urls))
        etags = {r.url: r.etag for r in first}
        cpu0, wall0 = time.process_time(), time.perf_counter()
        results = await asyncio.gather(*(fetcher.fetch(u, etag=etags[u]) for u in urls))
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    failed = [r.error for r in results if not r.not_modified]
    assert not failed, failed[:3]
    return cpu, wall

cpu, wall = asyncio.run(main())
per_request = cpu / len(urls) * 1000
print(json.dumps({"cpu_ms_per_request": per_request, "wall_s": wall, "import_ms": imported * 1000}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--kinds", default="aiohttp,httpx,httpx-no-sniffio")
    args = parser.parse_args()
    kinds = args.kinds.split(",")
    results: dict[str, list[dict[str, float]]] = {kind: [] for kind in kinds}
    with ServerProcess("--delay", "0", "--feeds", "500", "--items", "5") as server:
        urls_file = HERE / "results" / "transport-urls.txt"
        urls_file.parent.mkdir(exist_ok=True)
        urls_file.write_text("\n".join(server.urls("gen")))
        for _ in range(args.reps):
            for kind in kinds:
                out = subprocess.run(
                    [sys.executable, "-c", CHILD, kind, str(urls_file)],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                results[kind].append(json.loads(out.stdout))
    print(f"500 conditional GETs (all 304), 64 in flight, 50 hosts; median of {args.reps}")
    print(f"{'transport':<18} {'CPU ms/request':>15} {'loop wall s':>12} {'import ms':>10}")
    for kind, runs in results.items():
        cpu = statistics.median(r["cpu_ms_per_request"] for r in runs)
        wall = statistics.median(r["wall_s"] for r in runs)
        imported = statistics.median(r["import_ms"] for r in runs)
        print(f"{kind:<18} {cpu:>15.3f} {wall:>12.3f} {imported:>10.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
