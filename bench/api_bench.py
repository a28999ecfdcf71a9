"""API sources against feeds: ``folio refresh`` of 50 Mastodon accounts through the API
(about two pages of 40 posts each), beside the same accounts followed as RSS feeds.

A local server, in a thread of this process, answers as a Mastodon instance does
(https://docs.joinmastodon.org/methods/accounts/: ``/api/v1/accounts/lookup``,
``/api/v1/accounts/:id/statuses`` with ``limit`` 40 and the ``Link`` header; the
``X-RateLimit-*`` headers) and serves each account's ``/@user.rss`` with the same posts.
It listens on 127.0.0.1 … 127.0.0.N (``--hosts``), one instance per address, and waits
``--delay`` seconds before every answer, as feedserver.py does. It counts requests, and
requests in flight per host, so the table shows that folio kept to its per-host limit
(``[refresh] max_per_host``, 4 by default).

Each scenario runs ``folio refresh`` as a separate process (start-up included, as a user
runs it) with fresh XDG folders, ``--reps`` times; the first refresh of a store is "cold",
the next "warm":

* own accounts (``mine = true``): cold is a lookup and two pages per account; warm reads the
  two pages again, for each post's counts (that is the point of an own account);
* followed accounts: warm asks only for posts newer than the newest seen (``since_id``);
* RSS: the same accounts' feeds; warm is all 304s.

Run: ``.venv/bin/python bench/api_bench.py`` (``--accounts 50 --posts 80 --reps 5``).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import email.utils
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLIO = ROOT / ".venv" / "bin" / "folio"
PAGE = 40


@dataclass
class Counters:
    requests: int = 0
    by_path: dict[str, int] = field(default_factory=dict)
    in_flight: dict[str, int] = field(default_factory=dict)
    peak: dict[str, int] = field(default_factory=dict)

    def reset(self) -> None:
        self.requests = 0
        self.by_path.clear()
        self.peak.clear()


class Instance:
    """Every account's posts, made once: ``posts`` per account, spread over 60 days."""

    def __init__(self, accounts: int, posts: int, delay: float) -> None:
        self.delay = delay
        self.counters = Counters()
        now = dt.datetime.now(dt.UTC)
        self.statuses: dict[int, list[dict[str, object]]] = {}
        self.rss: dict[int, bytes] = {}
        for n in range(accounts):
            account = {"id": str(n), "username": f"user{n}", "acct": f"user{n}",
                       "display_name": f"User {n}", "followers_count": 100 + n,
                       "following_count": 10, "statuses_count": posts}  # fmt: skip
            items = []
            for p in range(posts):
                created = now - dt.timedelta(days=60 * p / posts, hours=1)
                items.append(
                    {
                        "id": str(10_000_000 - p),
                        "url": f"https://h{n}.example/@user{n}/{10_000_000 - p}",
                        "uri": f"https://h{n}.example/users/user{n}/statuses/{10_000_000 - p}",
                        "created_at": created.isoformat().replace("+00:00", "Z"),
                        "content": f"<p>Post {p} by user {n} on <a href='https://h.example/tags/x'"
                        f" class='mention hashtag'>#<span>folio</span></a></p>",
                        "spoiler_text": "",
                        "replies_count": p % 5,
                        "reblogs_count": p % 3,
                        "favourites_count": p % 11,
                        "account": account,
                    }
                )
            self.statuses[n] = items
            entries = "".join(
                f"<item><guid>{s['url']}</guid><link>{s['url']}</link>"
                f"<pubDate>{email.utils.format_datetime(dt.datetime.fromisoformat(str(s['created_at'])))}</pubDate>"
                f"<description>&lt;p&gt;Post {p}&lt;/p&gt;</description></item>"
                for p, s in enumerate(items)
            )
            self.rss[n] = (
                f'<?xml version="1.0"?><rss version="2.0"><channel><title>User {n}</title>'
                f"<link>https://h{n}.example/@user{n}</link><description>d</description>"
                f"{entries}</channel></rss>"
            ).encode()

    async def handle(self, request):  # type: ignore[no-untyped-def]
        from aiohttp import web

        host = request.host
        counters = self.counters
        counters.requests += 1
        kind = request.path.split("/")[-1] if "/api/" in request.path else "rss"
        kind = "statuses" if kind == "statuses" else kind
        counters.by_path[kind] = counters.by_path.get(kind, 0) + 1
        counters.in_flight[host] = counters.in_flight.get(host, 0) + 1
        counters.peak[host] = max(counters.peak.get(host, 0), counters.in_flight[host])
        try:
            await asyncio.sleep(self.delay)
            limits = {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "250",
                      "X-RateLimit-Reset": "2030-01-01T00:00:00.000Z"}  # fmt: skip
            path = request.path
            if path == "/api/v1/accounts/lookup":
                n = int(request.query["acct"].removeprefix("user"))
                return web.json_response(self.statuses[n][0]["account"], headers=limits)
            if path.startswith("/api/v1/accounts/") and path.endswith("/statuses"):
                n = int(path.split("/")[4])
                found = self.statuses[n]
                if "max_id" in request.query:
                    found = [s for s in found if int(str(s["id"])) < int(request.query["max_id"])]
                if "since_id" in request.query:
                    found = [s for s in found if int(str(s["id"])) > int(request.query["since_id"])]
                page = found[:PAGE]
                headers = dict(limits)
                if len(found) > PAGE:
                    base = f"http://{host}{path}"
                    headers["Link"] = (
                        f"<{base}?exclude_reblogs=true&limit=40&max_id={page[-1]['id']}>;"
                        ' rel="next"'
                    )
                return web.Response(
                    body=json.dumps(page).encode(), headers=headers,
                    content_type="application/json",
                )  # fmt: skip
            if path.startswith("/@user") and path.endswith(".rss"):
                n = int(path.removeprefix("/@user").removesuffix(".rss"))
                etag = f'"rss{n}"'
                if request.headers.get("If-None-Match") == etag:
                    return web.Response(status=304, headers={"ETag": etag})
                return web.Response(
                    body=self.rss[n], headers={"ETag": etag}, content_type="application/rss+xml"
                )
            return web.Response(status=404)
        finally:
            counters.in_flight[host] -= 1


def serve(instance: Instance, hosts: list[str]) -> tuple[int, threading.Event]:
    """Start the server in a thread; returns its port and an event that stops it."""
    from aiohttp import web

    ready: list[int] = []
    stop = threading.Event()
    started = threading.Event()

    async def main() -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", instance.handle)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        port = 0
        for host in hosts:
            site = web.TCPSite(runner, host, port)
            await site.start()
            if port == 0:
                port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        ready.append(port)
        started.set()
        while not stop.is_set():
            await asyncio.sleep(0.05)
        await runner.cleanup()

    threading.Thread(target=lambda: asyncio.run(main()), daemon=True).start()
    started.wait(10)
    return ready[0], stop


def portfolio(urls: list[str], api: str, mine: bool) -> str:
    out = []
    for n, url in enumerate(urls):
        out += ["[[sources]]", f'url = "{url}"', f'name = "User {n}"', 'kind = "social"']
        out += [f"mine = {'true' if mine else 'false'}"]
        if api:
            out.append(f'api = "{api}"')
        out.append("")
    return "\n".join(out)


def run_refresh(env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run([str(FOLIO), "refresh"], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0 or " 0 failed" not in done.stdout:
        raise SystemExit(f"folio refresh failed: {done.stdout}{done.stderr}")
    return seconds


def scenario(
    instance: Instance, urls: list[str], api: str, mine: bool, reps: int, tmp: Path
) -> dict[str, list[float] | dict[str, int]]:
    cold: list[float] = []
    warm: list[float] = []
    calls: dict[str, int] = {}
    peak = 0
    for rep in range(reps):
        folder = tmp / f"{api or 'rss'}-{mine}-{rep}"
        env = dict(os.environ)
        for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
            (folder / var.lower()).mkdir(parents=True)
            env[var] = str(folder / var.lower())
        config = folder / "xdg_config_home" / "folio"
        config.mkdir()
        (config / "portfolio.toml").write_text(portfolio(urls, api, mine), encoding="utf-8")
        instance.counters.reset()
        cold.append(run_refresh(env))
        calls = {f"cold {k}": v for k, v in instance.counters.by_path.items()}
        peak = max([peak, *instance.counters.peak.values()])
        instance.counters.reset()
        warm.append(run_refresh(env))
        calls.update({f"warm {k}": v for k, v in instance.counters.by_path.items()})
        peak = max([peak, *instance.counters.peak.values()])
    return {"cold": cold, "warm": warm, "calls": calls, "peak": {"per host": peak}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument("--posts", type=int, default=80, help="posts per account (2 pages)")
    parser.add_argument("--hosts", type=int, default=10, help="loopback addresses (instances)")
    parser.add_argument("--delay", type=float, default=0.05)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args(argv)
    if not FOLIO.exists():
        raise SystemExit(f"no folio at {FOLIO}: install the project's venv first")
    hosts = [f"127.0.0.{n + 1}" for n in range(args.hosts)]
    instance = Instance(args.accounts, args.posts, args.delay)
    port, stop = serve(instance, hosts)
    api_urls = [f"http://{hosts[n % len(hosts)]}:{port}/@user{n}" for n in range(args.accounts)]
    rss_urls = [url + ".rss" for url in api_urls]
    tmp = Path(tempfile.mkdtemp(prefix="folio-api-bench-"))
    try:
        rows = [
            ("API, own accounts", scenario(instance, api_urls, "mastodon", True, args.reps, tmp)),
            ("API, followed", scenario(instance, api_urls, "mastodon", False, args.reps, tmp)),
            ("RSS feeds, same posts", scenario(instance, rss_urls, "", False, args.reps, tmp)),
        ]
    finally:
        stop.set()
        shutil.rmtree(tmp, ignore_errors=True)
    print(
        f"{args.accounts} accounts × {args.posts} posts on {args.hosts} loopback hosts,"
        f" {args.delay * 1000:.0f} ms per answer, folio refresh as a process, {args.reps} reps"
    )
    print(f"{'scenario':<24} {'cold median':>12} {'cold min':>9} {'warm median':>12}"
          f" {'warm min':>9}  peak in flight/host  calls")  # fmt: skip
    for name, result in rows:
        cold, warm = result["cold"], result["warm"]
        assert isinstance(cold, list) and isinstance(warm, list)
        calls = result["calls"]
        peak = result["peak"]
        assert isinstance(calls, dict) and isinstance(peak, dict)
        shown = ", ".join(f"{k} {v}" for k, v in sorted(calls.items()))
        print(
            f"{name:<24} {statistics.median(cold):>11.2f}s {min(cold):>8.2f}s"
            f" {statistics.median(warm):>11.2f}s {min(warm):>8.2f}s"
            f"  {peak['per host']:>19}  {shown}"
        )
    print(
        "For the feed refresh of 500 feeds against newsboat, see bench/refresh_bench.py and the"
        " figures in bench/README.md."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
