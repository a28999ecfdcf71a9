"""Proxies from the environment and hosts with a dead first address, on loopback only.

The proxy is a real forward proxy (the PyPI package ``proxy.py``) started by the test on
127.0.0.1; the feeds come from tests/httpserver.py. A host whose first address never answers
is made with a listening socket whose accept queue is full (the kernel then drops new SYNs,
as a firewall that eats packets would) and a resolver that gives the host that address first
and the feed server's second.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tui.core.config import RefreshSettings
from tui.core.net.fetch import Fetcher, make_transport

if TYPE_CHECKING:
    from tests.httpserver import TestServer

pytest_plugins = ["httpserver"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def forward_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A real forward proxy on 127.0.0.1; yields its URL and its access log."""
    port = _free_port()
    log = tmp_path_factory.mktemp("proxy") / "proxy.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "proxy",
                "--hostname",
                "127.0.0.1",
                "--port",
                str(port),
                "--num-workers",
                "1",
                "--num-acceptors",
                "1",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"proxy.py did not start: {log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}", log
    finally:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(10)
        if process.poll() is None:
            process.kill()


def _clear_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


async def _fetch(url: str) -> Any:
    async with Fetcher(RefreshSettings(timeout=15)) as fetcher:
        return await fetcher.fetch(url)


async def test_http_proxy_from_the_environment_is_used(
    http_server: TestServer, forward_proxy: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy_url, log = forward_proxy
    _clear_proxies(monkeypatch)
    monkeypatch.setenv("HTTP_PROXY", proxy_url)
    http_server.route("/through-proxy", body=http_server.rss(items=2))
    result = await _fetch(http_server.url("/through-proxy"))
    assert result.ok, result.error
    assert result.body == http_server.rss(items=2)
    # The proxy saw the request, and the feed server saw it arrive from the proxy.
    deadline = time.monotonic() + 5
    while b"/through-proxy" not in log.read_bytes() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert b"/through-proxy" in log.read_bytes()


async def test_a_dead_proxy_is_said_in_words(
    http_server: TestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _clear_proxies(monkeypatch)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{_free_port()}")
    http_server.route("/feed", body=http_server.rss())
    result = await _fetch(http_server.url("/feed"))
    assert not result.ok
    assert "connection refused" in result.error or "proxy" in result.error
    assert http_server.hits("/feed") == []  # it never went around the proxy


async def test_no_proxy_is_honoured(
    http_server: TestServer, forward_proxy: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, log = forward_proxy
    _clear_proxies(monkeypatch)
    # A proxy that is not there: only NO_PROXY can make this fetch work.
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{_free_port()}")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    http_server.route("/direct", body=http_server.rss(items=1))
    result = await _fetch(http_server.url("/direct"))
    assert result.ok, result.error
    assert len(http_server.hits("/direct")) == 1
    assert b"/direct" not in log.read_bytes()


class _DeadThenLive:
    """A resolver (aiohttp.abc.AbstractResolver) giving a host two addresses on 127.0.0.1:
    first a port that never answers, then the feed server's."""

    def __init__(self, dead_port: int, live_port: int) -> None:
        self.ports = (dead_port, live_port)

    async def resolve(self, host: str, port: int = 0, family: int = socket.AF_INET) -> list[Any]:
        return [
            {
                "hostname": host,
                "host": "127.0.0.1",
                "port": number,
                "family": socket.AF_INET,
                "proto": socket.IPPROTO_TCP,
                "flags": socket.AI_NUMERICHOST,
            }
            for number in self.ports
        ]

    async def close(self) -> None:
        return None


@contextlib.contextmanager
def _silent_port() -> Iterator[int]:
    """A port on 127.0.0.1 where a connection attempt gets no answer at all."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    fillers: list[socket.socket] = []
    port = int(listener.getsockname()[1])
    try:
        # Fill the accept queue: once it is full the kernel drops SYNs, so connect() hangs.
        for _ in range(8):
            filler = socket.socket()
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                filler.connect(("127.0.0.1", port))
            fillers.append(filler)
        probe = socket.socket()
        probe.settimeout(0.5)
        try:
            probe.connect(("127.0.0.1", port))
        except TimeoutError:
            pass
        else:
            pytest.skip("this kernel accepts connections past a full queue")
        finally:
            probe.close()
        yield port
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


async def test_a_dead_first_address_falls_back_to_the_next_quickly(
    http_server: TestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _clear_proxies(monkeypatch)
    http_server.route("/feed", body=http_server.rss(items=4))
    live_port = int(http_server.url("/").split(":")[2].split("/")[0])
    settings = RefreshSettings(timeout=20, connect_timeout=10)
    with _silent_port() as dead_port:
        transport = make_transport(settings, resolver=_DeadThenLive(dead_port, live_port))
        async with Fetcher(settings, transport) as fetcher:
            started = time.monotonic()
            result = await fetcher.fetch(f"http://dual-stack.test:{live_port}/feed")
            took = time.monotonic() - started
    assert result.ok, result.error
    assert result.body == http_server.rss(items=4)
    # Well under the 10 s connect timeout: the next address is tried after 0.25 s.
    assert took < 3.0, took
