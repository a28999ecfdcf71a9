"""The sync's local side, without a server: ``[sync]`` in settings.toml, changes queued with
their flags (one transaction), "mark feed read", undo, the three-way merge of sources, and
``folio sync`` / ``folio refresh`` on the command line (the loopback Miniflux of
tests/fake_miniflux.py, answering as https://miniflux.app/docs/api.html says)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tui.core.config import ConfigError, parse_settings
from tui.core.models import Source
from tui.core.sync.common import RemoteFeed
from tui.core.sync.local import BaseFeed
from tui.core.sync.reconcile import plan_sources

if TYPE_CHECKING:
    from tests.fake_freshrss import FreshRSSServer
    from tests.fake_miniflux import MinifluxServer
    from tests.syncservers import Home

pytest_plugins = ["tests.syncservers"]

REPO = Path(__file__).resolve().parents[2]


# -- settings -----------------------------------------------------------------------------


def test_the_shipped_settings_document_sync() -> None:
    text = (REPO / "config" / "settings.toml").read_text()
    for key in ("service", "url", "user", "interval", "later_label"):
        assert f"{key} =" in text.split("[sync]")[1].split("[keys]")[0], key
    assert "FOLIO_SYNC_TOKEN" in text


@pytest.mark.parametrize(
    ("text", "line", "key", "words"),
    [
        ('[sync]\nservice = "newsblur"\n', 2, "sync.service", 'folio syncs with "miniflux"'),
        ('[sync]\nservice = "miniflux"\n', 2, "sync.service", "needs its address too"),
        ('[sync]\nservice = "miniflux"\nurl = "ftp://x"\n', 3, "sync.url", "web address"),
        ('[sync]\nservice = "miniflux"\nurl = "https://x/?a=1"\n', 3, "sync.url", "?query"),
        (
            '[sync]\nservice = "greader"\nurl = "https://x/api/greader.php"\n',
            2,
            "sync.service",
            "needs the account's user name",
        ),
        (
            '[sync]\nservice = "greader"\nurl = "https://x"\nuser = "a/b"\n',
            4,
            "sync.user",
            "without / or :",
        ),
        ('[sync]\ninterval = "soon"\n', 2, "sync.interval", "duration"),
        ('[sync]\ntoken = "abc"\n', 2, "sync.token", "unknown key"),
        ('[sync]\nlater_label = "a/b"\n', 2, "sync.later_label", "without /"),
    ],
)
def test_wrong_sync_settings_are_refused_with_file_line_and_key(
    tmp_path: Path, text: str, line: int, key: str, words: str
) -> None:
    path = tmp_path / "settings.toml"
    with pytest.raises(ConfigError) as caught:
        parse_settings(text, path)
    error = caught.value
    assert (error.line, error.key) == (line, key)
    assert words in error.message
    assert str(error).startswith(f"{path}:{line}: {key}: ")


def test_good_sync_settings(tmp_path: Path) -> None:
    text = (
        '[sync]\nservice = "greader"\nurl = "https://rss.example/api/greader.php/"\nuser = "ana"\n'
    )
    sync = parse_settings(text, tmp_path / "s.toml").sync
    assert sync.enabled and sync.label == "Google Reader API"
    assert sync.base_url == "https://rss.example/api/greader.php/"
    assert sync.interval_seconds == 600 and sync.later_label == "Read later"
    assert not parse_settings("", tmp_path / "s.toml").sync.enabled


def test_the_demo_never_syncs(tmp_path: Path) -> None:
    from tui.core.config import Settings, SyncSettings
    from tui.core.storage.workspace import demo_workspace

    settings = Settings(sync=SyncSettings("miniflux", "https://rss.example"))
    assert not demo_workspace(settings).settings.sync.enabled


# -- changes queued with their flags ---------------------------------------------------------


@pytest.fixture
async def synced(make_home: Callable[..., Home], miniflux: MinifluxServer) -> Home:
    feed = miniflux.add_feed("https://hr.example/feed", "HR")
    miniflux.add_entries(feed, 3, age=3600)
    home = make_home("a", miniflux)
    assert (await home.sync()).ok
    return home


def outbox(home: Home) -> list[tuple[str, str, dict[str, object]]]:
    rows = home.store.query("SELECT action, key, payload FROM outbox ORDER BY id")
    return [(action, key, json.loads(payload)) for action, key, payload in rows]


async def test_a_flag_and_its_change_are_queued_together(synced: Home) -> None:
    first, second = (synced.item(f"https://hr.example/feed/post/{n}") for n in (0, 1))
    change = synced.session.set_flag([first.id, second.id], "read", True)
    assert change.queued
    assert outbox(synced) == [
        ("read", "entry:1", {"entry": "1"}),
        ("read", "entry:2", {"entry": "2"}),
    ]
    # Already read: nothing more to send. Bookmarks and "later" have no place in Miniflux.
    assert not synced.session.set_flag([first.id], "read", True).queued
    assert not synced.session.set_flag([first.id], "saved", True).queued
    assert not synced.session.set_flag([first.id], "bookmarked", True).queued
    assert len(outbox(synced)) == 2
    # Undo sends the inverse.
    synced.session.undo_triage()  # the bookmark
    synced.session.undo_triage()  # "later"
    synced.session.undo_triage()  # the read of nothing new
    synced.session.undo_triage()  # the two reads
    assert [row[0] for row in outbox(synced)] == ["read", "read", "unread", "unread"]


async def test_a_failed_write_queues_nothing(synced: Home) -> None:
    """The flag and its outbox row share a transaction: a failure keeps neither."""
    item = synced.item("https://hr.example/feed/post/0")

    def broken(db: object) -> None:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        synced.store.set_flag([item.id], "read", True, then=broken)
    assert not synced.item(item.link).read


async def test_items_not_synced_queue_nothing(synced: Home) -> None:
    from tui.core.models import ParsedFeed, ParsedItem, SourceState

    synced.session.add_source(Source("https://direct.example/feed", "Direct", api=""))
    feed = ParsedFeed("Direct", items=[ParsedItem(guid="x", title="x", link="https://d/x")])
    synced.store.store_feed(SourceState("https://direct.example/feed"), feed)
    assert not synced.session.set_flag([synced.item("https://d/x").id], "read", True).queued
    assert outbox(synced) == []


async def test_mark_feed_read_is_one_change_up_to_the_newest_entry(synced: Home) -> None:
    count = synced.session.mark_source_read("https://hr.example/feed")
    assert count == 3
    [(action, key, payload)] = outbox(synced)
    assert (action, key) == ("mark_feed_read", "feed:1")
    assert payload["feed"] == "1" and payload["newest_entry"] == "3"
    assert isinstance(payload["before"], int) and payload["before"] > 0
    synced.session.undo_triage()
    assert [row[0] for row in outbox(synced)] == ["mark_feed_read", "unread", "unread", "unread"]


async def test_later_goes_to_a_greader_label(
    make_home: Callable[..., Home], freshrss: FreshRSSServer
) -> None:
    feed = freshrss.add_feed("https://hr.example/feed", "HR")
    freshrss.add_entries(feed, 1, age=3600)
    home = make_home("g", freshrss)
    await home.sync()
    item = home.item("https://hr.example/feed/post/0")
    assert home.session.set_flag([item.id], "saved", True).queued
    assert outbox(home)[0][0] == "later"


# -- the three-way merge of sources -----------------------------------------------------------


def feed(feed_id: str, url: str, title: str = "", category: str = "") -> RemoteFeed:
    return RemoteFeed(feed_id, url, title or url, "", category)


def test_the_merge_of_sources() -> None:
    here = [
        Source("https://kept.example/feed"),
        Source("https://gone-there.example/feed"),
        Source("https://new-here.example/feed"),
        Source("https://same.example/feed/"),  # the server spells it without the slash
        Source("https://mastodon.example/@ana", api="mastodon"),
    ]
    base = [
        BaseFeed("1", "https://kept.example/feed", "https://kept.example/feed"),
        BaseFeed("2", "https://gone-there.example/feed", "https://gone-there.example/feed"),
        BaseFeed("3", "https://gone-here.example/feed", "https://gone-here.example/feed"),
    ]
    remote = [
        feed("1", "https://kept.example/feed"),
        feed("3", "https://gone-here.example/feed"),
        feed("4", "https://new-there.example/feed", "New there", "Podcasts"),
        feed("5", "https://same.example/feed"),
        feed("6", "https://mastodon.example/@ana"),
    ]
    plan = plan_sources(here, base, remote, {})
    assert [(f.id, url) for f, url in plan.mapped] == [
        ("1", "https://kept.example/feed"),
        ("5", "https://same.example/feed/"),
    ]
    assert [(f.id, s.url, s.kind, s.tags) for f, s in plan.add] == [
        ("4", "https://new-there.example/feed", "podcast", ["Podcasts"])
    ]
    assert plan.remove == ["https://gone-there.example/feed"]
    assert plan.unsubscribe == [("3", "https://gone-here.example/feed")]
    assert [s.url for s in plan.subscribe] == ["https://new-here.example/feed"]
    assert plan.dropped == ["2"]
    # Changes waiting to go are not asked again, nor undone by the listing.
    pending = {"feed:3": "unsubscribe", "source:https://new-here.example/feed": "subscribe"}
    plan = plan_sources(here, base, remote, pending)
    assert plan.unsubscribe == [] and plan.subscribe == []


def test_a_server_that_lists_nothing_removes_nothing_here() -> None:
    here = [Source("https://a.example/feed")]
    base = [BaseFeed("1", "https://a.example/feed", "https://a.example/feed")]
    plan = plan_sources(here, base, [], {})
    assert plan.remove == [] and plan.notes and "removed none" in plan.notes[0]


# -- the command line -----------------------------------------------------------------------


def write_home(miniflux: MinifluxServer, portfolio: str = "") -> None:
    from tests.syncservers import settings_for
    from tui.core.storage import paths

    paths.config_dir().mkdir(parents=True, exist_ok=True)
    paths.settings_path().write_text(settings_for(miniflux))
    paths.portfolio_path().write_text(portfolio)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    from tui.__main__ import main

    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_folio_sync_without_a_server_says_how_to_set_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, _, err = run(capsys, "sync")
    assert status == 1
    assert "no sync server is set: add [sync] to settings.toml" in err


def test_folio_sync_prints_what_moved_each_way(
    miniflux: MinifluxServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    feed = miniflux.add_feed("https://hr.example/feed", "HR Weekly", category="HR")
    miniflux.add_entries(feed, 2, age=3600)
    write_home(miniflux, '[[sources]]\nurl = "https://mine.example/feed"\nname = "Mine"\n')
    monkeypatch.setenv("FOLIO_SYNC_TOKEN", miniflux.token)
    status, out, err = run(capsys, "sync")
    assert status == 0, err
    assert out.startswith("Synced with Miniflux in ")
    assert "  from the server: 2 new" in out
    assert "    + HR Weekly" in out
    assert "    follow https://mine.example/feed" in out
    assert "  to the server: 1 source followed" in out  # queued and sent in the same sync
    status, out, _ = run(capsys, "sync", "--json")
    report = json.loads(out)
    assert report["ok"] and report["sent"] == {} and report["waiting"] == 0
    assert {f.url for f in miniflux.feeds.values()} == {
        "https://hr.example/feed",
        "https://mine.example/feed",
    }
    assert miniflux.token not in out
    # The server down: exit 1, and what waits.
    from tui.core.storage import paths
    from tui.core.storage.store import Store

    with Store(paths.db_path()) as store:
        item_id = store.query("SELECT id FROM items LIMIT 1")[0][0]
    from tui.core.session import Session
    from tui.core.storage.workspace import user_workspace

    session = Session(user_workspace())
    session.set_flag([item_id], "read", True)
    session.close()
    miniflux.down()
    status, out, err = run(capsys, "sync")
    assert status == 1
    assert "Miniflux unreachable: cannot connect" in err
    assert err.endswith("1 change waits and goes with the next sync.\n")
    assert "Traceback" not in err


def test_folio_sync_with_no_token_says_where_to_put_one(
    miniflux: MinifluxServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_home(miniflux)
    monkeypatch.delenv("FOLIO_SYNC_TOKEN", raising=False)
    status, _, err = run(capsys, "sync")
    assert status == 1
    assert "Miniflux: no API token: set FOLIO_SYNC_TOKEN, or sync_token in credentials.toml" in err


def test_folio_refresh_leaves_synced_sources_to_the_sync(
    miniflux: MinifluxServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    feed = miniflux.add_feed("https://hr.invalid/feed", "HR Weekly")
    miniflux.add_entries(feed, 2, age=3600)
    write_home(miniflux)
    monkeypatch.setenv("FOLIO_SYNC_TOKEN", miniflux.token)
    assert run(capsys, "sync")[0] == 0
    status, out, err = run(capsys, "refresh")
    assert status == 0, err
    # hr.invalid cannot be fetched: had the refresh tried it, it would have failed.
    assert "Refreshed 0 sources" in out
    assert "Sync: from Miniflux: nothing new; to it: nothing." in out


async def test_a_broken_portfolio_keeps_its_sources_and_the_sync_goes_on(
    make_home: Callable[..., Home], miniflux: MinifluxServer
) -> None:
    feed = miniflux.add_feed("https://hr.example/feed", "HR")
    miniflux.add_entries(feed, 2, age=3600)
    home = make_home("a", miniflux)
    assert (await home.sync()).ok
    late = miniflux.add_feed("https://late.example/feed", "Late")
    miniflux.add_entries(late, 1, age=60)
    home.workspace.portfolio_path.write_text("[[sources]\nurl = ")  # broken by hand
    home.session.check_portfolio_file()
    assert home.session.read_only
    report = await home.sync()
    assert report.ok, report.error
    assert any("portfolio.toml has an error" in note for note in report.notes)
    assert report.sources_added == []
    # The new feed's article waits for its source; the others' still sync.
    assert {item.source for item in home.items()} == {"https://hr.example/feed"}
    assert home.workspace.portfolio_path.read_text() == "[[sources]\nurl = "
