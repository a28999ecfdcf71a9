"""The sync under faults, against the loopback servers (tests/fake_miniflux.py, answering as
https://miniflux.app/docs/api.html says; tests/fake_freshrss.py, answering as FreshRSS's
p/api/greader.php does): the server down at start, a 500 in the middle of a batch, the same
batch sent twice, 10,000 ids, and ``kill -9`` with changes queued (real processes)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tui.core.sync import local

if TYPE_CHECKING:
    from tests.fake_freshrss import FreshRSSServer
    from tests.fake_miniflux import MinifluxServer
    from tests.fakeserver import LoopbackServer
    from tests.syncservers import Home

pytest_plugins = ["tests.syncservers"]

FEED = "https://hr.example/feed"


@pytest.fixture(params=["miniflux", "greader"])
def server(
    request: pytest.FixtureRequest, miniflux: MinifluxServer, freshrss: FreshRSSServer
) -> LoopbackServer:
    return miniflux if request.param == "miniflux" else freshrss


def marks_path(server: LoopbackServer) -> tuple[str, str]:
    """The request that carries state changes."""
    if type(server).__name__ == "MinifluxServer":
        return "PUT", "/v1/entries"
    return "POST", "/api/greader.php/reader/api/0/edit-tag"


def link(n: int) -> str:
    return f"{FEED}/post/{n}"


async def test_the_server_down_at_start(
    make_home: Callable[..., Home], server: LoopbackServer
) -> None:
    feed = server.add_feed(FEED, "HR Weekly")
    server.add_entries(feed, 3, age=3600)
    first = make_home("a", server)
    assert (await first.sync()).ok
    first.close()
    server.down()
    home = make_home("a", server)  # folio starts again, the server still down
    assert len(home.items()) == 3  # everything is there to read
    home.session.set_flag([home.item(link(0)).id], "read", True)
    report = await home.sync()
    assert not report.ok and report.waiting == 1
    assert "unreachable: cannot connect: connection refused" in report.error
    [waiting] = home.session.outbox_waiting()
    assert waiting.waiting == 1 and "unreachable" in waiting.reason
    server.up()
    report = await home.sync()
    assert report.ok and report.waiting == 0
    assert [e.read for e in sorted(server.entries.values(), key=lambda e: e.url)] == [
        True,
        False,
        False,
    ]


async def test_a_500_in_the_middle_of_a_batch(
    make_home: Callable[..., Home], server: LoopbackServer
) -> None:
    feed = server.add_feed(FEED, "HR Weekly")
    server.add_entries(feed, 4, age=3600)
    home = make_home("a", server)
    await home.sync()
    home.session.set_flag([home.item(link(0)).id, home.item(link(1)).id], "read", True)
    home.session.set_flag([home.item(link(2)).id], "starred", True)
    home.session.set_flag([home.item(link(3)).id], "read", True)
    method, path = marks_path(server)
    server.fail(method, path, 500, after=1, body=b'{"error_message": "database is locked"}')
    flushed = await home.flush()
    # The three reads went in one request; the star met the 500. What was queued after the
    # star (the last read) waits behind it, to keep the order, and goes again: no harm.
    assert server.seen(method, path)[0] and flushed.sent == 2
    assert flushed.waiting == 2
    assert flushed.errors and "failed (500)" in flushed.errors[0]
    assert "database is locked" in flushed.errors[0]
    flushed = await home.flush()
    assert flushed.sent == 2 and home.waiting() == 0
    assert sorted((e.url, e.read, e.starred) for e in server.entries.values()) == [
        (link(0), True, False),
        (link(1), True, False),
        (link(2), False, True),
        (link(3), True, False),
    ]


async def test_the_same_batch_sent_twice_does_no_harm(
    make_home: Callable[..., Home], server: LoopbackServer
) -> None:
    feed = server.add_feed(FEED, "HR Weekly")
    server.add_entries(feed, 2, age=3600)
    home = make_home("a", server)
    await home.sync()
    home.session.set_flag([home.item(link(0)).id], "starred", True)
    home.session.set_flag([home.item(link(1)).id], "read", True)
    method, path = marks_path(server)
    # Done on the server, but no answer comes back, twice. (aiohttp itself sends a PUT
    # again once when a kept-alive connection closes on it; the outbox does the rest.)
    server.lose_answer(method, path, times=2)
    flushes = 0
    while home.waiting() and flushes < 4:
        await home.flush()
        flushes += 1
    assert home.waiting() == 0 and flushes >= 2
    stars = [c for c in server.seen(method, path) if "star" in c.body.decode().lower()]
    assert len(stars) == 3  # the same change, sent three times
    # A star is a state, not a toggle: sent twice, it is still on.
    assert sorted((e.url, e.read, e.starred) for e in server.entries.values()) == [
        (link(0), False, True),
        (link(1), True, False),
    ]
    # A "mark feed read" and a follow whose answers are lost: sent again, no harm either.
    from tui.core.models import Source

    home.session.mark_source_read(FEED)
    home.session.add_source(Source("https://new.example/feed", "New"))
    mark = "/v1/feeds/1/mark-all-as-read"
    follow = "/v1/feeds"
    if type(server).__name__ != "MinifluxServer":
        mark = "/api/greader.php/reader/api/0/mark-all-as-read"
        follow = "/api/greader.php/reader/api/0/subscription/quickadd"
    server.lose_answer("*", mark)
    server.lose_answer("POST", follow)
    report = await home.sync()
    for _ in range(3):
        if report.ok and not report.waiting:
            break
        assert "closed the connection" in report.error
        report = await home.sync()
    assert report.ok and report.waiting == 0 and report.refused == 0
    assert [f.url for f in server.feeds.values()] == [FEED, "https://new.example/feed"]
    assert all(e.read for e in server.entries.values())


@pytest.mark.parametrize("count", [10_050])
async def test_ten_thousand_ids(
    make_home: Callable[..., Home], server: LoopbackServer, count: int
) -> None:
    feed = server.add_feed(FEED, "HR Weekly")
    server.add_entries(feed, count, age=3600)
    home = make_home("a", server)
    report = await home.sync()
    assert report.ok, report.error
    assert report.received["new"] == count
    ids = [row[0] for row in home.store.query("SELECT id FROM items")]
    home.session.set_flag(ids, "read", True)  # "mark everything above read", say
    assert home.waiting() == count
    flushed = await home.flush()
    assert flushed.sent == count and flushed.waiting == 0
    assert not server.unread_ids()
    method, path = marks_path(server)
    sizes = []
    for call in server.seen(method, path):
        sizes.append(len(call.json()["entry_ids"]) if method == "PUT" else len(call.form()["i"]))
    assert sum(sizes) == count and max(sizes) <= 1000
    # Every one unread again elsewhere, unseen by any delta: the listing (10,050 ids, more
    # than one page of it) brings them back.
    for entry in server.entries.values():
        entry.read = False
    local.set_state(home.store, {"last_full": 0})
    report = await home.sync()
    assert report.ok, report.error
    assert home.store.count(unread=True) == count
    if method == "PUT":
        pages = server.seen("GET", "/v1/entries/ids")
        unread = [c.query["offset"] for c in pages if c.query.get("status") == ["unread"]]
        assert unread[-2:] == [["0"], ["10000"]]  # 10,000 a page, the most Miniflux gives
    else:
        listed = server.seen("GET", "/api/greader.php/reader/api/0/stream/items/ids")
        assert any("c" in c.query for c in listed)  # continued past the first 10,000


# -- kill -9 -------------------------------------------------------------------------------

MARKER = textwrap.dedent(
    """
    import sys
    from tui.core.session import Session
    from tui.core.storage.workspace import user_workspace

    session = Session(user_workspace())
    ids = [row[0] for row in session.store.query("SELECT id FROM items ORDER BY id")]
    print("ready", flush=True)
    for item_id in ids:
        session.set_flag([item_id], "read", True)
        print(item_id, flush=True)
    session.close()
    print("done", flush=True)
    """
)


def folio_home(root: Path, server: LoopbackServer) -> dict[str, str]:
    from tests.syncservers import secret_for, settings_for

    config = root / "config" / "folio"
    config.mkdir(parents=True)
    (config / "settings.toml").write_text(settings_for(server))
    (config / "portfolio.toml").write_text("")
    env = dict(os.environ)
    env.update(
        XDG_CONFIG_HOME=str(root / "config"),
        XDG_DATA_HOME=str(root / "data"),
        FOLIO_SYNC_TOKEN=secret_for(server),
    )
    return env


def folio(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui", *args], env=env, capture_output=True, text=True, timeout=60
    )


def test_kill_9_while_marking_and_while_sending_loses_nothing(
    tmp_path: Path, miniflux: MinifluxServer
) -> None:
    from tui.core.storage.store import Store

    feed = miniflux.add_feed(FEED, "HR Weekly")
    miniflux.add_entries(feed, 400, age=3600)
    env = folio_home(tmp_path, miniflux)
    done = folio(env, "sync")
    assert done.returncode == 0, done.stderr
    # 1. Killed while marking items read one by one: each flag and its outbox row are
    # one transaction, so neither is ever kept without the other.
    child = subprocess.Popen(
        [sys.executable, "-c", MARKER], env=env, stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    for _ in range(60):
        child.stdout.readline()
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    db = tmp_path / "data" / "folio" / "folio.db"
    with Store(db) as store:
        read = {
            row[0]
            for row in store.query(
                "SELECT e.entry_id FROM items i JOIN sync_entries e ON e.item_id = i.id"
                " WHERE i.read = 1"
            )
        }
        queued = {
            row[0][len("entry:") :]
            for row in store.query("SELECT key FROM outbox WHERE service = 'sync'")
        }
    assert len(read) >= 60
    assert read == queued
    # 2. Killed while its batch is in flight: the batch is still queued afterwards.
    released = miniflux.hold("PUT", "/v1/entries")
    sender = subprocess.Popen(
        [sys.executable, "-m", "tui", "sync"], env=env, stdout=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 30
    while not miniflux.seen("PUT", "/v1/entries") and time.monotonic() < deadline:
        time.sleep(0.02)
    assert miniflux.seen("PUT", "/v1/entries"), "the sync never sent its batch"
    os.kill(sender.pid, signal.SIGKILL)
    sender.wait()
    released.set()
    miniflux.faults.clear()
    with Store(db) as store:
        assert store.query("SELECT count(*) FROM outbox WHERE service = 'sync'")[0][0] == len(read)
    # 3. The next run sends every one of them, once.
    done = folio(env, "sync", "--json")
    assert done.returncode == 0, done.stderr
    import json

    report = json.loads(done.stdout)
    assert report["sent"] == {"read": len(read)} and report["waiting"] == 0
    assert {str(e.id) for e in miniflux.entries.values() if e.read} == read
