"""folio's side of bookmarks on a real store: b queues with the flag, undo queues the
inverse, an item's state, the service's source, listings and the Bookmarked list."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.core.bookmarks.local import FAILED, REMOVING, SAVED, WAITING
from tui.core.config import BookmarkSettings, Settings
from tui.core.models import ParsedFeed, ParsedItem, SourceState
from tui.core.outbox.queue import Outbox
from tui.core.session import Change, Session
from tui.core.storage.store import SourceWrite, Store
from tui.core.storage.workspace import Workspace

FEED = "https://blog.example/feed"
SERVICE_URL = "https://links.example/"


def make_session(tmp_path: Path, service: str = "linkding") -> Session:
    (tmp_path / "portfolio.toml").write_text(
        f'[[sources]]\nurl = "{FEED}"\nname = "Blog"\nkind = "blog"\ntags = ["hr"]\n'
    )
    settings = Settings(bookmarks=BookmarkSettings(service, SERVICE_URL if service else ""))
    session = Session(Workspace(tmp_path / "portfolio.toml", tmp_path / "folio.db", settings))
    items = [
        ParsedItem(guid="1", title="One", link="https://blog.example/1", summary="<p>s</p>"),
        ParsedItem(guid="2", title="Two", link="mailto:x@example.org"),
    ]
    session.store.store_feed(SourceState(url=FEED), ParsedFeed(items=items))
    return session


def item(session: Session, guid: str):  # type: ignore[no-untyped-def]
    return next(i for i in session.store.items() if i.guid == guid)


def test_b_queues_add_with_the_flag_and_again_queues_delete(tmp_path: Path) -> None:
    session = make_session(tmp_path)
    seen: list[Change] = []
    session.listeners.append(seen.append)
    message = session.bookmark(item(session, "1"))
    assert message == "Bookmarked: waiting to be sent to linkding."
    assert seen[-1].queued
    (entry,) = Outbox(session.store).pending("bookmarks")
    assert (entry.action, entry.key) == ("add", "https://blog.example/1")
    assert entry.payload["tags"] == ["hr"] and entry.payload["description"] == "s"
    assert session.bookmark_state(item(session, "1")) == WAITING
    message = session.unbookmark(item(session, "1"))
    assert "removal waits to be sent to linkding" in message
    actions = [e.action for e in Outbox(session.store).pending("bookmarks")]
    assert actions == ["add", "delete"]
    assert session.bookmark_state(item(session, "1")) == REMOVING
    # u: the bookmark is back, and so is its change for the service.
    assert session.undo_triage()
    actions = [e.action for e in Outbox(session.store).pending("bookmarks")]
    assert actions == ["add", "delete", "add"]
    assert item(session, "1").bookmarked


def test_a_link_that_is_no_web_address_is_bookmarked_here_only(tmp_path: Path) -> None:
    session = make_session(tmp_path)
    message = session.bookmark(item(session, "2"))
    assert "not a web address" in message
    assert item(session, "2").bookmarked
    assert Outbox(session.store).pending("bookmarks") == []


def test_without_a_service_nothing_is_queued(tmp_path: Path) -> None:
    session = make_session(tmp_path, service="")
    assert "Set [bookmarks] in settings.toml" in session.bookmark(item(session, "1"))
    assert Outbox(session.store).pending("bookmarks") == []
    assert session.bookmark_state(item(session, "1")) == SAVED


def test_states_follow_the_outbox(tmp_path: Path) -> None:
    session = make_session(tmp_path)
    session.bookmark(item(session, "1"))
    outbox = Outbox(session.store)
    (entry,) = outbox.pending("bookmarks")
    outbox.give_up([entry.id], "linkding refused the bookmark: 400 Bad Request")
    session.outbox_changed()
    assert session.bookmark_state(item(session, "1")) == FAILED
    (waiting,) = session.outbox_waiting()
    assert waiting.failed == 1
    assert session.retry_failed_bookmarks() == 1
    assert session.bookmark_state(item(session, "1")) == WAITING
    outbox.sent([entry.id])
    session.outbox_changed()
    assert session.bookmark_state(item(session, "1")) == SAVED


def test_the_service_is_a_source_of_its_own(tmp_path: Path) -> None:
    session = make_session(tmp_path)
    urls = [source.url for source in session.sources]
    assert urls == [FEED, SERVICE_URL]
    service = session.source(SERVICE_URL)
    assert service is not None and service.kind == "bookmarks" and service.api == "linkding"
    assert [source.url for source in session.portfolio.sources] == [FEED]


def _listing(store: Store, links: list[str], complete: bool = False) -> None:
    feed = ParsedFeed(items=[ParsedItem(guid=link, title=link, link=link) for link in links])
    store.write_batch(
        [SourceWrite(store.state(SERVICE_URL), feed, bookmarks=True, complete=complete)]
    )


def test_a_listing_flags_bookmarks_but_not_one_whose_removal_waits(tmp_path: Path) -> None:
    session = make_session(tmp_path)
    store = session.store
    _listing(store, ["https://a.example/", "https://b.example/"])
    by_link = {i.link: i for i in store.items(sources=[SERVICE_URL])}
    assert all(i.bookmarked for i in by_link.values())
    session.unbookmark(by_link["https://a.example/"])
    _listing(store, ["https://a.example/", "https://b.example/"])  # not sent yet
    by_link = {i.link: i for i in store.items(sources=[SERVICE_URL])}
    assert not by_link["https://a.example/"].bookmarked
    # A complete listing without it (the removal was taken) forgets it.
    for entry in Outbox(store).pending("bookmarks"):
        Outbox(store).sent([entry.id])
    _listing(store, ["https://b.example/"], complete=True)
    assert [i.link for i in store.items(sources=[SERVICE_URL])] == ["https://b.example/"]


def test_the_bookmarked_list_has_each_link_once(tmp_path: Path) -> None:
    session = make_session(tmp_path)
    session.bookmark(item(session, "1"))
    # The service lists it back, and has one of its own.
    _listing(session.store, ["https://blog.example/1", "https://elsewhere.example/"])
    ids = session.store.bookmarked_ids()
    links = [i.link for i in session.store.items_by_id(ids)]
    assert sorted(links) == ["https://blog.example/1", "https://elsewhere.example/"]
    assert item(session, "1").id in ids  # the feed's item, not the service's copy


@pytest.mark.parametrize("service", ["linkding", "shaarli", "pinboard"])
def test_every_service_has_a_sender(tmp_path: Path, service: str) -> None:
    from tui.core.credentials import Credentials
    from tui.core.net.fetch import Fetcher
    from tui.core.services import build_senders

    settings = Settings(bookmarks=BookmarkSettings(service, SERVICE_URL))
    fetcher = Fetcher.__new__(Fetcher)  # never used to send here
    (sender,) = build_senders(settings, Credentials(environ={}), fetcher)
    assert sender.service == "bookmarks"
    assert build_senders(Settings(), Credentials(environ={}), fetcher) == []
