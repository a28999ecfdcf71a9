"""A local feed server for folio's benchmarks: generated feeds and captured real feeds.

It listens on loopback only, one socket per address 127.0.0.1 … 127.0.0.N (Linux routes all
of 127.0.0.0/8 to ``lo``), all on the same port, so a client sees N distinct hosts. Every
answer carries an ETag and a Last-Modified header; a matching ``If-None-Match`` or
``If-Modified-Since`` gets ``304 Not Modified``. Every request, 200 or 304, waits ``--delay``
seconds first, standing in for network latency.

Two kinds of content, served side by side:

* ``/gen/{n}.xml``: ``--feeds`` generated feeds of ``--items`` items each, in a fixed mix of
  RSS 2.0, Atom 1.0 and podcast RSS (enclosures and ``itunes:`` tags). Content is
  deterministic (seeded), and every item's guid and link is unique across all feeds.
* ``/corpus/{file}``: the files of ``--corpus DIR`` (e.g. ``../shared/corpus/real-feeds``).

Feed URLs are spread round-robin over the addresses, so 500 feeds on 50 addresses put 10
feeds on each host. ``GET /_urls/gen`` and ``GET /_urls/corpus`` list them, one per line;
``GET /_stats`` returns counters (requests, 200s, 304s, bytes, the server's CPU seconds) and
``POST /_stats/reset`` zeroes them.

Run it by hand::

    .venv/bin/python bench/feedserver.py --feeds 500 --items 200 --port 8800
    .venv/bin/python bench/feedserver.py --feeds 0 --corpus ../shared/corpus/real-feeds

It prints one line ``READY <port>`` on stdout once every socket listens (``--port 0`` picks a
free port), then serves until interrupted. ``--urls-out FILE`` also writes every feed URL
to FILE, and ``--cpu N`` pins the server to CPU N.

The module can be imported too: ``generate_feed``, ``feed_url`` and ``ServerProcess`` (starts
the server as a separate process and waits for it to be ready).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import email.utils
import hashlib
import json
import os
import random
import resource
import signal
import socket
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

FORMATS = ("rss", "atom", "podcast")
"""The generated mix: feed n has format FORMATS[n % 3]."""

BASE_TIME = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
"""Newest item's date. Fixed, so the same arguments always give byte-identical feeds."""

_WORDS = (  # noqa: SIM905
    "terminal feed dashboard portfolio python async parser release notes podcast episode "
    "interview design latency cache sqlite index search keyboard triage priority matrix "
    "roadmap experiment vision measure cadence review blog post social network mastodon "
    "bluesky video stream archive weekly digest update security patch performance memory "
    "thread worker event loop widget layout theme colour markup sanitise escape unicode"
).split()


# -- generation ----------------------------------------------------------------------------


def feed_format(n: int) -> str:
    return FORMATS[n % len(FORMATS)]


def _sentence(rng: random.Random, low: int = 6, high: int = 14) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(low, high))]
    return " ".join(words).capitalize() + "."


def _paragraphs(rng: random.Random, count: int) -> str:
    parts = []
    for i in range(count):
        text = " ".join(_sentence(rng) for _ in range(rng.randint(2, 4)))
        if i == 0:
            text += f' See <a href="https://example.org/ref/{rng.randint(1, 99999)}">the notes</a>.'
        parts.append(f"<p>{text}</p>")
    if rng.random() < 0.3:
        parts.append("<ul><li>" + "</li><li>".join(_sentence(rng, 3, 6) for _ in range(3)))
        parts[-1] += "</li></ul>"
    return "\n".join(parts)


def _rfc822(when: dt.datetime) -> str:
    return email.utils.format_datetime(when, usegmt=True)


def _iso(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class _Item:
    guid: str
    link: str
    title: str
    author: str
    when: dt.datetime
    html: str
    summary: str


def _items(n: int, count: int, site: str, rng: random.Random) -> list[_Item]:
    items = []
    when = BASE_TIME - dt.timedelta(minutes=rng.randint(0, 600))
    for i in range(count):
        slug = f"f{n:05d}-i{i:05d}"
        items.append(
            _Item(
                guid=f"{site}/posts/{slug}",
                link=f"{site}/posts/{slug}.html",
                title=f"{_sentence(rng, 3, 8)[:-1]} ({n}.{i})",
                author=f"Author {rng.randint(1, 40)}",
                when=when,
                html=_paragraphs(rng, rng.randint(2, 5)),
                summary=_sentence(rng, 10, 25),
            )
        )
        when -= dt.timedelta(hours=rng.randint(1, 72), minutes=rng.randint(0, 59))
    return items


def generate_feed(n: int, items: int) -> bytes:
    """Feed number ``n`` with ``items`` items, as UTF-8 XML; its format is ``feed_format(n)``."""
    rng = random.Random(n * 7919 + items)
    kind = feed_format(n)
    site = f"https://site{n:05d}.example"
    title = f"{kind.capitalize()} feed {n}: {_sentence(rng, 2, 4)[:-1]}"
    entries = _items(n, items, site, rng)
    newest = entries[0].when if entries else BASE_TIME
    if kind == "atom":
        return _atom(n, site, title, newest, entries).encode("utf-8")
    return _rss(n, site, title, newest, entries, podcast=kind == "podcast", rng=rng).encode("utf-8")


def _rss(
    n: int,
    site: str,
    title: str,
    newest: dt.datetime,
    entries: list[_Item],
    *,
    podcast: bool,
    rng: random.Random,
) -> str:
    ns = ' xmlns:content="http://purl.org/rss/1.0/modules/content/"'
    ns += ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
    if podcast:
        ns += ' xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"'
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<rss version="2.0"{ns}>',
        "<channel>",
        f"<title>{escape(title)}</title>",
        f"<link>{site}/</link>",
        f"<description>Generated benchmark feed number {n}.</description>",
        "<language>en</language>",
        f"<lastBuildDate>{_rfc822(newest)}</lastBuildDate>",
    ]
    if podcast:
        out += [
            f"<itunes:author>Host {n}</itunes:author>",
            f'<itunes:image href="{site}/cover.jpg"/>',
            "<itunes:explicit>false</itunes:explicit>",
            '<itunes:category text="Technology"/>',
            f"<itunes:summary>A generated podcast, number {n}.</itunes:summary>",
        ]
    for number, item in enumerate(entries):
        out.append("<item>")
        out.append(f"<title>{escape(item.title)}</title>")
        out.append(f"<link>{item.link}</link>")
        out.append(f'<guid isPermaLink="false">{item.guid}</guid>')
        out.append(f"<pubDate>{_rfc822(item.when)}</pubDate>")
        out.append(f"<dc:creator>{escape(item.author)}</dc:creator>")
        out.append(f"<description>{escape(item.summary)}</description>")
        out.append(f"<content:encoded><![CDATA[{item.html}]]></content:encoded>")
        if podcast:
            size = rng.randint(5_000_000, 90_000_000)
            seconds = rng.randint(600, 5400)
            out.append(
                f'<enclosure url="{site}/audio/{n:05d}-{len(entries) - number:05d}.mp3" '
                f'length="{size}" type="audio/mpeg"/>'
            )
            out.append(
                f"<itunes:duration>{seconds // 3600:02d}:{seconds // 60 % 60:02d}:"
                f"{seconds % 60:02d}</itunes:duration>"
            )
            out.append(f"<itunes:episode>{len(entries) - number}</itunes:episode>")
            out.append("<itunes:explicit>false</itunes:explicit>")
            out.append(f"<itunes:summary>{escape(item.summary)}</itunes:summary>")
        out.append("</item>")
    out += ["</channel>", "</rss>", ""]
    return "\n".join(out)


def _atom(n: int, site: str, title: str, newest: dt.datetime, entries: list[_Item]) -> str:
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">',
        f'<title type="text">{escape(title)}</title>',
        f'<subtitle type="text">Generated benchmark feed number {n}.</subtitle>',
        f"<id>{site}/</id>",
        f'<link rel="alternate" type="text/html" href="{site}/"/>',
        f'<link rel="self" type="application/atom+xml" href="{site}/atom.xml"/>',
        f"<updated>{_iso(newest)}</updated>",
        f"<author><name>Site {n}</name></author>",
    ]
    for item in entries:
        out += [
            "<entry>",
            f'<title type="text">{escape(item.title)}</title>',
            f"<id>{item.guid}</id>",
            f'<link rel="alternate" type="text/html" href="{item.link}"/>',
            f"<published>{_iso(item.when)}</published>",
            f"<updated>{_iso(item.when)}</updated>",
            f"<author><name>{escape(item.author)}</name></author>",
            f'<summary type="text">{escape(item.summary)}</summary>',
            f'<content type="html">{escape(item.html)}</content>',
            "</entry>",
        ]
    out += ["</feed>", ""]
    return "\n".join(out)


# -- addressing --------------------------------------------------------------------------


def addresses(count: int) -> list[str]:
    if not 1 <= count <= 254:
        raise ValueError("--addresses must be between 1 and 254")
    return [f"127.0.0.{i}" for i in range(1, count + 1)]


def feed_url(kind: str, name: str, index: int, port: int, hosts: int) -> str:
    """The URL of the ``index``-th feed of a kind: feeds go round-robin over the hosts."""
    return f"http://127.0.0.{index % hosts + 1}:{port}/{kind}/{name}"


# -- serving ------------------------------------------------------------------------------


@dataclass
class _Doc:
    body: bytes
    etag: str
    last_modified: str
    content_type: str


def _doc(body: bytes, content_type: str, modified: dt.datetime) -> _Doc:
    etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
    return _Doc(body, etag, _rfc822(modified), content_type)


def _sniff_type(body: bytes) -> str:
    head = body[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        return "application/feed+json"
    if b"<feed" in body[:2048]:
        return "application/atom+xml"
    return "application/rss+xml"


class FeedServer:
    def __init__(
        self,
        *,
        feeds: int,
        items: int,
        corpus: Path | None,
        delay: float,
        hosts: int,
        port: int,
    ) -> None:
        self.delay = delay
        self.hosts = hosts
        self.port = port
        self.docs: dict[str, _Doc] = {}
        self.gen_urls: list[str] = []
        self.corpus_urls: list[str] = []
        self._gen_count = feeds
        self._items = items
        self._corpus = corpus
        self.stats = self._zero()
        self.inflight = 0

    @staticmethod
    def _zero() -> dict[str, float]:
        return {
            "requests": 0,
            "ok": 0,
            "not_modified": 0,
            "not_found": 0,
            "bytes": 0,
            "peak_inflight": 0,
            "conditional": 0,
        }

    def build(self) -> None:
        """Generate (or load) every document up front, so serving costs no CPU for content."""
        modified = BASE_TIME
        for n in range(self._gen_count):
            name = f"{n}.xml"
            kind = "application/atom+xml" if feed_format(n) == "atom" else "application/rss+xml"
            self.docs[f"/gen/{name}"] = _doc(generate_feed(n, self._items), kind, modified)
        if self._corpus is not None:
            files = sorted(
                p
                for p in self._corpus.iterdir()
                if p.is_file() and p.suffix in (".xml", ".json", ".rss", ".atom")
            )
            for path in files:
                body = path.read_bytes()
                self.docs[f"/corpus/{path.name}"] = _doc(body, _sniff_type(body), modified)
            self._corpus_names = [p.name for p in files]
        else:
            self._corpus_names = []

    def urls(self) -> None:
        self.gen_urls = [
            feed_url("gen", f"{n}.xml", n, self.port, self.hosts) for n in range(self._gen_count)
        ]
        self.corpus_urls = [
            feed_url("corpus", name, i, self.port, self.hosts)
            for i, name in enumerate(self._corpus_names)
        ]

    async def handle(self, request):  # type: ignore[no-untyped-def]
        from aiohttp import web

        path = request.path
        if path.startswith("/_"):
            return self._control(request, web)  # type: ignore[no-untyped-call]
        self.stats["requests"] += 1
        self.inflight += 1
        self.stats["peak_inflight"] = max(self.stats["peak_inflight"], self.inflight)
        try:
            if self.delay:
                await asyncio.sleep(self.delay)
            doc = self.docs.get(path)
            if doc is None:
                self.stats["not_found"] += 1
                return web.Response(status=404, text="no such feed\n")
            headers = {
                "ETag": doc.etag,
                "Last-Modified": doc.last_modified,
                "Cache-Control": "no-cache",
            }
            inm = request.headers.get("If-None-Match")
            ims = request.headers.get("If-Modified-Since")
            if inm is not None or ims is not None:
                self.stats["conditional"] += 1
            if inm is not None:
                fresh = doc.etag in [t.strip().removeprefix("W/") for t in inm.split(",")] or (
                    inm.strip() == "*"
                )
            elif ims is not None:
                fresh = _not_modified_since(doc.last_modified, ims)
            else:
                fresh = False
            if fresh:
                self.stats["not_modified"] += 1
                return web.Response(status=304, headers=headers)
            self.stats["ok"] += 1
            self.stats["bytes"] += len(doc.body)
            headers["Content-Type"] = (
                doc.content_type + "; charset=utf-8"
                if ("json" not in doc.content_type)
                else doc.content_type
            )
            return web.Response(body=doc.body, headers=headers)
        finally:
            self.inflight -= 1

    def _control(self, request, web):  # type: ignore[no-untyped-def]
        path = request.path
        if path == "/_stats" and request.method == "GET":
            usage = resource.getrusage(resource.RUSAGE_SELF)
            body = dict(
                self.stats, cpu_s=usage.ru_utime + usage.ru_stime, maxrss_mb=usage.ru_maxrss / 1024
            )
            return web.json_response(body)
        if path == "/_stats/reset" and request.method == "POST":
            self.stats = self._zero()
            return web.json_response({"reset": True})
        if path == "/_urls/gen":
            return web.Response(text="".join(u + "\n" for u in self.gen_urls))
        if path == "/_urls/corpus":
            return web.Response(text="".join(u + "\n" for u in self.corpus_urls))
        return web.Response(status=404, text="unknown control path\n")


def _not_modified_since(last_modified: str, ims: str) -> bool:
    try:
        since = email.utils.parsedate_to_datetime(ims)
        modified = email.utils.parsedate_to_datetime(last_modified)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=dt.UTC)
    return modified <= since


def _bind_all(hosts: list[str], port: int) -> tuple[list[socket.socket], int]:
    """One listening socket per loopback address, all on one port (a free one for port 0)."""
    for _attempt in range(20):
        socks: list[socket.socket] = []
        try:
            chosen = port
            for host in hosts:
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.bind((host, chosen))
                sock.listen(4096)
                sock.setblocking(False)
                socks.append(sock)
                chosen = sock.getsockname()[1]
            return socks, chosen
        except OSError:
            for sock in socks:
                sock.close()
            if port != 0:
                raise
    raise OSError("could not find one free port on every loopback address")


async def serve(args: argparse.Namespace) -> None:
    from aiohttp import web

    hosts = addresses(args.addresses)
    for host in hosts:  # loopback only, ever
        if not host.startswith("127."):
            raise SystemExit(f"refusing to bind a non-loopback address: {host}")
    server = FeedServer(
        feeds=args.feeds,
        items=args.items,
        corpus=Path(args.corpus) if args.corpus else None,
        delay=args.delay,
        hosts=len(hosts),
        port=args.port,
    )
    server.build()
    socks, port = _bind_all(hosts, args.port)
    server.port = port
    server.urls()

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", server.handle)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    for sock in socks:
        await web.SockSite(runner, sock, backlog=4096).start()
    if args.urls_out:
        Path(args.urls_out).write_text(
            "".join(u + "\n" for u in server.gen_urls + server.corpus_urls), encoding="utf-8"
        )
    print(f"READY {port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await runner.cleanup()


def check_generated(feeds: int, items: int) -> int:
    """Parse every generated feed with feedparser: valid, mixed, unique guids and links."""
    import collections

    import feedparser

    versions: collections.Counter[str] = collections.Counter()
    guids: set[str] = set()
    links: set[str] = set()
    problems = 0
    for n in range(feeds):
        parsed = feedparser.parse(generate_feed(n, items))
        versions[parsed.version] += 1
        trouble = []
        if parsed.bozo:
            trouble.append(f"bozo: {parsed.bozo_exception}")
        if len(parsed.entries) != items:
            trouble.append(f"{len(parsed.entries)} entries, not {items}")
        for entry in parsed.entries:
            if entry.get("id") in guids or entry.get("link") in links:
                trouble.append(f"duplicate guid or link {entry.get('id')}")
            guids.add(entry.get("id"))
            links.add(entry.get("link"))
            if feed_format(n) == "podcast" and not (
                entry.get("enclosures") and entry.get("itunes_duration")
            ):
                trouble.append("podcast item without enclosure or itunes:duration")
        if trouble:
            problems += 1
            print(f"feed {n} ({feed_format(n)}): {'; '.join(sorted(set(trouble))[:3])}")
    print(
        f"{feeds} feeds, {len(guids)} unique guids, {len(links)} unique links, "
        f"formats {dict(versions)}, {problems} with problems"
    )
    return 1 if problems else 0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--feeds", type=int, default=500, help="generated feeds (default 500)")
    p.add_argument("--items", type=int, default=20, help="items per generated feed (default 20)")
    p.add_argument("--corpus", metavar="DIR", help="also serve the feed files in DIR")
    p.add_argument(
        "--delay",
        type=float,
        default=0.05,
        help="seconds to wait before every answer (default 0.05)",
    )
    p.add_argument(
        "--addresses", type=int, default=50, help="listen on 127.0.0.1 … 127.0.0.N (default 50)"
    )
    p.add_argument("--port", type=int, default=0, help="port on every address (0: a free one)")
    p.add_argument("--urls-out", metavar="FILE", help="write every feed URL to FILE")
    p.add_argument("--cpu", type=int, default=None, help="pin the server to this CPU")
    p.add_argument(
        "--check",
        action="store_true",
        help="do not serve: parse every generated feed with feedparser and report problems",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.check:
        return check_generated(args.feeds, args.items)
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})
    try:
        import uvloop  # type: ignore[import-not-found]

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(serve(args))
    return 0


# -- running it from another program ---------------------------------------------------------


class ServerProcess:
    """Start ``feedserver.py`` as a separate process; use as a context manager."""

    def __init__(self, *extra: str, python: str = sys.executable, cpu: int | None = None) -> None:
        self.argv = [python, str(Path(__file__).resolve()), *extra]
        if cpu is not None:
            self.argv += ["--cpu", str(cpu)]
        self.proc: subprocess.Popen[str] | None = None
        self.port = 0
        self.pid = 0

    def __enter__(self) -> ServerProcess:
        self.proc = subprocess.Popen(self.argv, stdout=subprocess.PIPE, text=True)
        self.pid = self.proc.pid
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line.startswith("READY "):
            self.proc.kill()
            raise RuntimeError(f"feed server did not start: {line!r}")
        self.port = int(line.split()[1])
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def _get(self, path: str, method: str = "GET") -> bytes:
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", method=method)
        with urllib.request.urlopen(req, timeout=10) as resp:
            body: bytes = resp.read()
            return body

    def urls(self, kind: str) -> list[str]:
        return self._get(f"/_urls/{kind}").decode().split()

    def stats(self) -> dict[str, float]:
        stats: dict[str, float] = json.loads(self._get("/_stats"))
        return stats

    def reset(self) -> None:
        self._get("/_stats/reset", method="POST")


if __name__ == "__main__":
    sys.exit(main())
