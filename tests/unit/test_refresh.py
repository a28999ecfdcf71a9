"""The refresh engine, against a real server on 127.0.0.1 and a real SQLite store."""

from __future__ import annotations

import datetime as dt
import random
import socket
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import tui.core.refresh.refresher as refresh_module
from tui.core.config import RefreshSettings
from tui.core.models import ParsedFeed, ParsedItem, Source, utcnow
from tui.core.refresh.refresher import ProgressEvent, Refresher
from tui.core.storage.store import Store, StoreFull

if TYPE_CHECKING:
    from tests.httpserver import TestServer

pytest_plugins = ["httpserver"]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "folio.db")


@pytest.fixture
async def refresher(store: Store) -> AsyncIterator[Refresher]:
    # Parsing in a thread keeps these tests fast; test_process_pool covers the pool.
    engine = Refresher(store, RefreshSettings(), parse_workers=0, rng=random.Random(7))
    yield engine
    await engine.close()


def sources(server: TestServer, *paths: str) -> list[Source]:
    return [Source(url=server.url(path)) for path in paths]


async def test_cold_refresh_stores_items(
    http_server: TestServer, refresher: Refresher, store: Store
) -> None:
    for name in ("a", "b", "c"):
        http_server.route(
            f"/{name}", body=http_server.rss(title=name.upper(), prefix=name), etag=f'"{name}1"'
        )
    before = utcnow()
    summary = await refresher.refresh(sources(http_server, "/a", "/b", "/c"))
    assert (summary.ok, summary.not_modified, summary.failed) == (3, 0, 0)
    assert summary.new_items == 9 and summary.parsed == 3 and summary.total == 3
    assert summary.seconds > 0
    assert store.count() == 9
    state = store.state(http_server.url("/a"))
    assert state.status == "ok" and state.error == "" and state.http_status == 200
    assert state.etag == '"a1"' and state.content_hash and state.feed_title == "A"
    assert state.fetches == 1 and state.not_modified == 0 and state.failures == 0
    assert state.last_fetched is not None and state.last_fetched >= before
    assert state.next_due is not None
    due_in = (state.next_due - state.last_fetched).total_seconds()
    assert 1800 * 0.9 <= due_in <= 1800 * 1.1


async def test_second_refresh_is_304_and_parses_nothing(
    http_server: TestServer, refresher: Refresher, store: Store
) -> None:
    http_server.route("/a", body=http_server.rss(), etag='"v1"')
    http_server.route("/b", body=http_server.rss(), last_modified="Mon, 01 Jan 2024 10:00:00 GMT")
    feeds = sources(http_server, "/a", "/b")
    await refresher.refresh(feeds)
    parsed: list[bytes] = []
    real = refresh_module.parse_feed

    def spy(body: bytes, url: str = "", content_type: str = "") -> ParsedFeed:
        parsed.append(body)
        return real(body, url, content_type)

    refresh_module.parse_feed = spy  # type: ignore[assignment]
    try:
        summary = await refresher.refresh(feeds)
    finally:
        refresh_module.parse_feed = real
    assert parsed == []
    assert (summary.ok, summary.not_modified, summary.failed, summary.new_items) == (0, 2, 0, 0)
    assert summary.parsed == 0
    for path in ("/a", "/b"):
        state = store.state(http_server.url(path))
        assert state.status == "not-modified" and state.http_status == 304
        assert state.fetches == 2 and state.not_modified == 1 and state.hit_rate == 0.5
    assert http_server.hits("/a")[1].headers["if-none-match"] == '"v1"'
    assert "if-modified-since" in http_server.hits("/b")[1].headers
    assert store.count() == 6


async def test_unchanged_body_without_validators_is_caught_by_hash(
    http_server: TestServer, refresher: Refresher, store: Store
) -> None:
    route = http_server.route("/a", body=http_server.rss(items=2))
    feeds = sources(http_server, "/a")
    first = await refresher.refresh(feeds)
    second = await refresher.refresh(feeds)
    assert first.parsed == 1 and second.parsed == 0
    assert second.not_modified == 1 and second.results[0].http_status == 200
    state = store.state(http_server.url("/a"))
    assert state.status == "not-modified" and state.not_modified == 1
    route.body = http_server.rss(items=4)
    third = await refresher.refresh(feeds)
    assert third.parsed == 1 and third.ok == 1 and third.new_items == 2
    assert store.count() == 4


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_failing_sources_do_not_stop_the_others(
    http_server: TestServer, refresher: Refresher, store: Store
) -> None:
    http_server.route("/good1", body=http_server.rss(prefix="g1"))
    http_server.route("/good2", body=http_server.rss(prefix="g2"))
    http_server.route("/broken", status=500)
    http_server.route("/garbage", body=b"\x00\x01 this is not a feed at all")
    http_server.route(
        "/page", body=b"<!doctype html><html><body>hi</body></html>", content_type="text/html"
    )
    refused = f"http://127.0.0.1:{_closed_port()}/feed"
    feeds = [
        *sources(http_server, "/good1", "/broken", "/garbage", "/page", "/good2"),
        Source(url=refused),
        Source(url="ftp://example.com/feed"),
    ]
    summary = await refresher.refresh(feeds)
    assert (summary.ok, summary.failed, summary.total) == (2, 5, 7)
    assert summary.new_items == 6
    errors = {result.url: result.error for result in summary.results if result.outcome == "error"}
    assert errors[http_server.url("/broken")] == "server said 500 Internal Server Error"
    assert errors[refused] == "cannot connect: connection refused"
    assert errors[http_server.url("/garbage")]
    assert errors[http_server.url("/page")] == "the address gives a web page, not a feed"
    assert errors["ftp://example.com/feed"].startswith("only http and https")
    state = store.state(http_server.url("/broken"))
    assert state.status == "error" and state.failures == 1 and state.http_status == 500
    assert state.error == "server said 500 Internal Server Error"


async def test_back_off_grows_with_failures(
    http_server: TestServer, refresher: Refresher, store: Store
) -> None:
    http_server.route("/down", status=502)
    feeds = sources(http_server, "/down")
    waits = []
    for _ in range(4):
        await refresher.refresh(feeds)
        state = store.state(http_server.url("/down"))
        assert state.next_due is not None and state.last_fetched is not None
        waits.append((state.next_due - state.last_fetched).total_seconds())
    assert state.failures == 4
    assert waits == sorted(waits) and waits[0] >= 3600 * 0.9 and waits[3] <= 86400 * 1.1
    # Recovery resets the streak.
    http_server.route("/down", body=http_server.rss())
    await refresher.refresh(feeds)
    state = store.state(http_server.url("/down"))
    assert state.failures == 0 and state.status == "ok" and state.error == ""


async def test_retry_after_moves_next_due(
    http_server: TestServer, refresher: Refresher, store: Store
) -> None:
    http_server.route("/busy", status=429, headers={"Retry-After": "7200"})
    before = utcnow()
    summary = await refresher.refresh(sources(http_server, "/busy"))
    assert summary.failed == 1
    state = store.state(http_server.url("/busy"))
    assert state.error == "server said 429 Too Many Requests" and state.http_status == 429
    assert state.retry_after is not None and state.next_due == state.retry_after
    assert dt.timedelta(seconds=7190) <= state.retry_after - before <= dt.timedelta(seconds=7300)
    # Not due until then.
    assert (await refresher.refresh_due(sources(http_server, "/busy"))).total == 0


async def test_per_host_limit_is_respected(http_server: TestServer, store: Store) -> None:
    paths = [f"/f{i}" for i in range(12)]
    for path in paths:
        http_server.route(path, body=http_server.rss(prefix=path[1:]), delay=0.03)
    engine = Refresher(store, RefreshSettings(max_per_host=3), parse_workers=0)
    try:
        summary = await engine.refresh(sources(http_server, *paths))
    finally:
        await engine.close()
    assert summary.ok == 12
    # 3 at a time, and really 3: the requests did overlap.
    assert max(http_server.max_in_flight.values()) == 3


async def test_only_due_sources_are_fetched(
    http_server: TestServer, refresher: Refresher, store: Store
) -> None:
    http_server.route("/a", body=http_server.rss(prefix="a"))
    http_server.route("/b", body=http_server.rss(prefix="b"))
    feeds = sources(http_server, "/a", "/b")
    assert (await refresher.refresh_due(feeds)).total == 2  # never fetched: due
    assert (await refresher.refresh_due(feeds)).total == 0
    state = store.state(http_server.url("/b"))
    state.next_due = utcnow() - dt.timedelta(seconds=1)
    store.save_state(state)
    summary = await refresher.refresh_due(feeds)
    assert [result.url for result in summary.results] == [http_server.url("/b")]


async def test_progress_events(http_server: TestServer, refresher: Refresher) -> None:
    http_server.route("/a", body=http_server.rss())
    http_server.route("/b", status=404)
    events: list[ProgressEvent] = []

    def on_progress(event: ProgressEvent) -> None:
        events.append(event)
        raise RuntimeError("a broken display must not matter")

    summary = await refresher.refresh(
        sources(http_server, "/a", "/b", "/a"), on_progress=on_progress
    )
    assert summary.total == 2  # the repeated source is fetched once
    assert [event.done for event in events] == [1, 2]
    assert {event.total for event in events} == {2}
    outcomes = {event.url: event.outcome for event in events}
    assert outcomes == {http_server.url("/a"): "ok", http_server.url("/b"): "error"}


async def test_partial_feed_keeps_items_and_says_what_is_wrong(
    http_server: TestServer, refresher: Refresher, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def partial(body: bytes, url: str = "", content_type: str = "") -> ParsedFeed:
        return ParsedFeed(
            title="P", items=[ParsedItem(guid="1", title="one")], error="broken at line 9"
        )

    monkeypatch.setattr(refresh_module, "parse_feed", partial)
    http_server.route("/p", body=b"<rss>...")
    summary = await refresher.refresh(sources(http_server, "/p"))
    assert summary.ok == 1 and summary.new_items == 1
    assert store.state(http_server.url("/p")).error == "broken at line 9"


async def test_a_full_disk_stops_the_refresh_and_names_the_file(
    http_server: TestServer, refresher: Refresher, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No source can be stored, nor its error: the refresh raises, for the command or the
    app to say so, instead of counting every source as failed (a fault seam: the real
    error SQLite raises; tests/unit/test_full_disk.py fills a real small disk)."""

    def full(*args: object, **kwargs: object) -> int:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(store, "_store_feed", full)
    http_server.route("/a", body=http_server.rss())
    http_server.route("/b", body=http_server.rss(), etag='"x"')
    with pytest.raises(StoreFull, match=f"the disk holding the database {store.path} is full"):
        await refresher.refresh(sources(http_server, "/a", "/b"))


async def test_a_bug_in_storing_one_source_is_that_source_s_error(
    http_server: TestServer, refresher: Refresher, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> int:
        raise sqlite3.IntegrityError("CHECK constraint failed: made up")

    monkeypatch.setattr(store, "_store_feed", broken)
    http_server.route("/a", body=http_server.rss())
    http_server.route("/b", body=http_server.rss(), etag='"x"')
    summary = await refresher.refresh(sources(http_server, "/a", "/b"))
    assert summary.failed == 2
    assert all(
        r.error == "internal error: IntegrityError: CHECK constraint failed: made up"
        for r in summary.results
    )
    # The failure is recorded, in the same words, as each source's state.
    assert store.state(http_server.url("/a")).error.endswith("made up")


async def test_process_pool(http_server: TestServer, store: Store) -> None:
    paths = [f"/f{i}" for i in range(6)]
    for path in paths:
        http_server.route(path, body=http_server.rss(items=5, prefix=path[1:]))
    engine = Refresher(store, RefreshSettings(), parse_workers=2, pool_min_bytes=0)
    try:
        summary = await engine.refresh(sources(http_server, *paths))
        assert summary.ok == 6 and summary.new_items == 30 and summary.parsed == 6
        pool = engine._pool
        assert pool is not None
    finally:
        await engine.close()
    assert engine._pool is None
    # A closed refresher refuses politely.
    assert (await engine.refresh(sources(http_server, *paths))).total == 0


async def test_small_bodies_never_start_the_pool(http_server: TestServer, store: Store) -> None:
    http_server.route("/a", body=http_server.rss())
    engine = Refresher(store, RefreshSettings())  # the defaults: 2 workers, 64 KB threshold
    try:
        assert (await engine.refresh(sources(http_server, "/a"))).ok == 1
        assert engine._pool is None and engine._pool_task is None
    finally:
        await engine.close()


async def test_a_dead_worker_is_replaced(http_server: TestServer, store: Store) -> None:
    http_server.route("/a", body=http_server.rss(prefix="a"))
    http_server.route("/b", body=http_server.rss(prefix="b"))
    engine = Refresher(store, RefreshSettings(), parse_workers=1, pool_min_bytes=0)
    try:
        assert (await engine.refresh(sources(http_server, "/a"))).ok == 1
        pool = engine._pool
        assert pool is not None
        for process in list(pool._processes.values()):  # type: ignore[attr-defined]
            process.kill()
            process.join()
        summary = await engine.refresh(sources(http_server, "/b"))
        assert summary.ok == 1 and summary.new_items == 3
        assert engine._pool is not None and engine._pool is not pool
    finally:
        await engine.close()


async def test_parsers_load_early_only_when_a_source_was_never_read(
    http_server: TestServer, refresher: Refresher, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A source with no stored body will be parsed: the parsers are imported while its
    # answer is on the way. When every source has been read before (most answers will be
    # 304), they are not imported until a body needs them.
    loads: list[str] = []
    monkeypatch.setattr(refresh_module, "_load_parsers", lambda: loads.append("load"))
    http_server.route("/a", body=http_server.rss(), etag='"v1"')
    feeds = sources(http_server, "/a")
    await refresher.refresh(feeds)
    assert loads == ["load"]
    summary = await refresher.refresh(feeds)
    assert summary.not_modified == 1
    assert loads == ["load"]


async def test_states_read_beforehand_are_used_and_updated(
    http_server: TestServer, refresher: Refresher, store: Store
) -> None:
    # `folio refresh` reads the states once before it forks and hands each process its own.
    http_server.route("/a", body=http_server.rss(), etag='"v1"')
    feeds = sources(http_server, "/a")
    await refresher.refresh(feeds)
    states = store.states(counts=False)
    summary = await refresher.refresh(feeds, states=states)
    assert summary.not_modified == 1
    assert http_server.hits("/a")[-1].headers["if-none-match"] == '"v1"'
    assert states[http_server.url("/a")].fetches == 2  # updated in place, and stored
    assert store.state(http_server.url("/a")).fetches == 2
