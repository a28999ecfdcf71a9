"""The floor for ``folio refresh`` on this machine: the least a Python client can do.

It loads the libraries a refresh cannot do without (asyncio, httpx, sqlite3), reads the
stored validators from SQLite, splits the feeds by host into as many processes as folio
would, and sends each feed one conditional GET over raw asyncio streams, at most
``--per-host`` connections to a host, kept alive. It discards the bodies: no parsing, no
items, no settings, no progress. An answer's ETag and Last-Modified are stored, so the
second run is all 304s.

``bench/refresh_bench.py`` times it next to folio and newsboat. Whatever folio does beyond
it (reading its TOML files, parsing, storing items, its request objects, its checks) is
what folio's wall time can still lose; the floor itself is Python's start, those imports,
the server and the network.

    .venv/bin/python bench/floor_client.py --db floor.db --urls urls --processes 2
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import sys
from urllib.parse import urlsplit

import httpx  # noqa: F401  (imported only to pay for it, as any httpx client must)

Validators = dict[str, tuple[str, str]]
"""url -> (ETag, Last-Modified); empty strings when the server gave none."""


def read_validators(db: str) -> Validators:
    with sqlite3.connect(db) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS validators (url TEXT PRIMARY KEY, etag TEXT, modified TEXT)"
        )
        return {
            url: (etag, modified)
            for url, etag, modified in conn.execute("SELECT * FROM validators")
        }


def write_validators(db: str, fresh: Validators) -> None:
    if not fresh:
        return
    with sqlite3.connect(db, timeout=30) as conn:  # one transaction; the other process may wait
        conn.executemany(
            "INSERT OR REPLACE INTO validators VALUES (?, ?, ?)",
            [(url, etag, modified) for url, (etag, modified) in fresh.items()],
        )


def by_host(urls: list[str]) -> dict[tuple[str, int], list[str]]:
    hosts: dict[tuple[str, int], list[str]] = {}
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise SystemExit(f"floor_client: plain http:// URLs only, not {url!r}")
        hosts.setdefault((parts.hostname, parts.port or 80), []).append(url)
    return hosts


def split(hosts: dict[tuple[str, int], list[str]], parts: int) -> list[list[tuple[str, int]]]:
    """Hosts in ``parts`` lists of about equal feeds, largest host first (as folio does)."""
    shares: list[list[tuple[str, int]]] = [[] for _ in range(parts)]
    sizes = [0] * parts
    for host in sorted(hosts, key=lambda h: len(hosts[h]), reverse=True):
        emptiest = sizes.index(min(sizes))
        shares[emptiest].append(host)
        sizes[emptiest] += len(hosts[host])
    return shares


class Tally:
    def __init__(self) -> None:
        self.ok = self.not_modified = self.other = 0
        self.fresh: Validators = {}


async def _answer(reader: asyncio.StreamReader) -> tuple[int, dict[bytes, bytes], bool]:
    """Read one response: its status, its head fields and whether the connection is done.

    The body is read and dropped.
    """
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *lines = head[:-4].split(b"\r\n")
    fields = {}
    for line in lines:
        name, _, value = line.partition(b":")
        fields[name.strip().lower()] = value.strip()
    status = int(status_line.split()[1])
    closing = fields.get(b"connection", b"").lower() == b"close"
    if status in (204, 304):
        pass  # no body
    elif fields.get(b"transfer-encoding", b"").lower() == b"chunked":
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            await reader.readexactly(size + 2)
        await reader.readuntil(b"\r\n")  # no trailers expected
    elif b"content-length" in fields:
        await reader.readexactly(int(fields[b"content-length"]))
    else:
        await reader.read()  # the body ends when the server closes
        closing = True
    return status, fields, closing


async def _worker(host: tuple[str, int], queue: list[str], known: Validators, tally: Tally) -> None:
    reader, writer = await asyncio.open_connection(*host)
    netloc = f"{host[0]}:{host[1]}".encode()
    try:
        while queue:
            url = queue.pop()
            parts = urlsplit(url)
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            etag, modified = known.get(url, ("", ""))
            request = b"GET " + target.encode() + b" HTTP/1.1\r\nHost: " + netloc + b"\r\n"
            if etag:
                request += b"If-None-Match: " + etag.encode() + b"\r\n"
            if modified:
                request += b"If-Modified-Since: " + modified.encode() + b"\r\n"
            writer.write(request + b"\r\n")
            status, fields, closing = await _answer(reader)
            if status == 304:
                tally.not_modified += 1
            elif status == 200:
                tally.ok += 1
                tally.fresh[url] = (
                    fields.get(b"etag", b"").decode("latin-1"),
                    fields.get(b"last-modified", b"").decode("latin-1"),
                )
            if closing and queue:
                writer.close()
                reader, writer = await asyncio.open_connection(*host)
    finally:
        writer.close()


async def refresh(
    hosts: dict[tuple[str, int], list[str]],
    mine: list[tuple[str, int]],
    known: Validators,
    per_host: int,
) -> Tally:
    tally = Tally()
    workers = []
    for host in mine:
        queue = list(reversed(hosts[host]))  # a host's connections share one queue
        workers += [_worker(host, queue, known, tally) for _ in range(min(per_host, len(queue)))]
    await asyncio.gather(*workers, return_exceptions=True)
    # Every feed not answered 200 or 304 failed, those of a connection that died among them.
    tally.other = sum(len(hosts[host]) for host in mine) - tally.ok - tally.not_modified
    return tally


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", required=True, help="SQLite file of validators (created if absent)")
    p.add_argument("--urls", required=True, help="a file of feed URLs, one per line")
    p.add_argument("--per-host", type=int, default=4, help="connections per host (default 4)")
    p.add_argument("--processes", type=int, default=1, help="processes, split by host")
    args = p.parse_args(argv)
    with open(args.urls, encoding="utf-8") as fh:
        urls = [line.strip() for line in fh if line.strip()]
    known = read_validators(args.db)
    hosts = by_host(urls)
    shares = split(hosts, max(1, args.processes))
    children = []
    mine = shares[0]
    for share in shares[1:]:
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:  # whatever happens, the child must not go on to run the parent's part
                os.close(read_fd)
                tally = asyncio.run(refresh(hosts, share, known, args.per_host))
                write_validators(args.db, tally.fresh)
                os.write(write_fd, f"{tally.ok} {tally.not_modified} {tally.other}".encode())
            finally:
                os._exit(0)  # the parent counts a child that said nothing as all failed
        os.close(write_fd)
        children.append((pid, read_fd, share))
    tally = asyncio.run(refresh(hosts, mine, known, args.per_host))
    write_validators(args.db, tally.fresh)
    for pid, read_fd, share in children:
        counts = os.read(read_fd, 100).split()
        os.waitpid(pid, 0)
        if len(counts) != 3:  # the child died: all its feeds failed
            counts = [b"0", b"0", str(sum(len(hosts[h]) for h in share)).encode()]
        tally.ok += int(counts[0])
        tally.not_modified += int(counts[1])
        tally.other += int(counts[2])
    summary = f"{tally.ok} ok, {tally.not_modified} not modified, {tally.other} failed"
    print(f"floor: {len(urls)} feeds: {summary}")
    return 0 if tally.other == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
