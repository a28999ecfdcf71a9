"""The store, on a real SQLite file in tmp_path."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from tui.core.models import Enclosure, ParsedFeed, ParsedItem, SourceState
from tui.core.storage.store import MIGRATIONS, SourceWrite, Store, StoreError

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
URL = "https://blog.example/feed"


def feed(*items: ParsedItem, title: str = "Blog") -> ParsedFeed:
    return ParsedFeed(title=title, items=list(items))


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "folio.db")


def test_file_is_wal_and_migrated(tmp_path: Path) -> None:
    path = tmp_path / "data" / "folio.db"
    Store(path).close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    # Opening again does not re-run migrations.
    Store(path).close()


def test_dedupe_by_guid_then_link_then_title_and_date(store: Store) -> None:
    items = [
        ParsedItem(guid="a", title="first", published=NOW),
        ParsedItem(link="https://blog.example/2", title="second", published=NOW),
        ParsedItem(title="third", published=NOW - dt.timedelta(days=1)),
    ]
    assert store.store_feed(SourceState(url=URL), feed(*items), now=NOW) == 3
    assert store.store_feed(SourceState(url=URL), feed(*items), now=NOW) == 0
    assert store.count() == 3
    # The same item in another source is another item.
    assert store.store_feed(SourceState(url=URL + "2"), feed(*items), now=NOW) == 3


def test_repeated_guids_within_one_feed_stay_distinct(store: Store) -> None:
    items = [ParsedItem(guid="same", title=f"entry {n}", published=NOW) for n in range(3)]
    assert store.store_feed(SourceState(url=URL), feed(*items), now=NOW) == 3
    assert sorted(i.title for i in store.items()) == ["entry 0", "entry 1", "entry 2"]
    assert store.store_feed(SourceState(url=URL), feed(*items), now=NOW) == 0


def test_undated_and_future_items_get_first_seen(store: Store) -> None:
    items = [
        ParsedItem(guid="undated", title="undated"),
        ParsedItem(guid="future", title="future", published=NOW + dt.timedelta(days=30)),
        ParsedItem(guid="past", title="past", published=NOW - dt.timedelta(days=2)),
    ]
    store.store_feed(SourceState(url=URL), feed(*items), now=NOW)
    by_title = {i.title: i for i in store.items()}
    assert by_title["undated"].published == NOW and not by_title["undated"].dated
    assert by_title["future"].published == NOW and not by_title["future"].dated
    assert by_title["past"].published == NOW - dt.timedelta(days=2)
    assert by_title["past"].dated


def test_changed_entry_is_updated_and_keeps_its_flags(store: Store) -> None:
    store.store_feed(SourceState(url=URL), feed(ParsedItem(guid="a", title="old")), now=NOW)
    [item] = store.items()
    store.set_flag([item.id], "starred", True)
    store.store_feed(SourceState(url=URL), feed(ParsedItem(guid="a", title="new")), now=NOW)
    [item] = store.items()
    assert item.title == "new" and item.starred


def test_state_round_trip_and_counts(store: Store) -> None:
    state = SourceState(
        url=URL,
        status="error",
        error="server said 500",
        etag='"abc"',
        last_fetched=NOW,
        next_due=NOW + dt.timedelta(minutes=30),
        failures=2,
        fetches=5,
        not_modified=3,
    )
    store.store_feed(state, feed(ParsedItem(guid="a"), ParsedItem(guid="b")), now=NOW)
    [first, _] = store.items()
    store.set_flag([first.id], "read", True)
    loaded = store.states()[URL]
    assert loaded.error == "server said 500"
    assert loaded.etag == '"abc"'
    assert loaded.next_due == NOW + dt.timedelta(minutes=30)
    assert loaded.feed_title == "Blog"
    assert (loaded.items, loaded.unread) == (2, 1)
    assert loaded.hit_rate == pytest.approx(0.6)


def test_enclosures_and_filters(store: Store) -> None:
    episode = ParsedItem(
        guid="ep1",
        title="Episode 1",
        published=NOW,
        enclosures=[Enclosure("https://cdn.example/ep1.mp3", "audio/mpeg", 1234)],
        duration="41:00",
    )
    store.store_feed(
        SourceState(url=URL),
        feed(episode, ParsedItem(guid="x", published=NOW - dt.timedelta(days=1))),
        now=NOW,
    )
    [item] = store.items(limit=1)
    assert item.enclosure_url.endswith("ep1.mp3")
    assert item.enclosure_length == 1234 and item.duration == "41:00"
    store.set_flag([item.id], "saved", True)
    assert [i.id for i in store.items(flag="saved")] == [item.id]
    assert store.count(unread=True) == 2
    with pytest.raises(ValueError):
        store.items(flag="read; DROP TABLE items")


def test_search_matches_words_in_content_and_is_injection_safe(store: Store) -> None:
    items = [
        ParsedItem(guid="1", title="Tagging", content="<p>folksonomy gardening</p>"),
        ParsedItem(guid="2", title="Hiring", content="<p>interviews</p>"),
    ]
    store.store_feed(SourceState(url=URL), feed(*items), now=NOW)
    assert [i.title for i in store.search("folkson")] == ["Tagging"]
    assert store.search('" OR title:*') == []
    assert store.search("") == []
    store.remove_source(URL)
    assert store.search("interviews") == []
    assert store.count() == 0


def test_unread_rows_newest_first_for_the_inbox(store: Store) -> None:
    """The rows the Inbox orders (lists.inbox_order): id, source and date, newest first."""
    for url, ages in (("https://a.example", [1, 5]), ("https://b.example", [2, 3])):
        items = [
            ParsedItem(guid=f"{url}{n}", title=f"{url} {n}", published=NOW - dt.timedelta(days=n))
            for n in ages
        ]
        store.store_feed(SourceState(url=url), feed(*items), now=NOW)
    by_id = {i.id: i for i in store.items()}
    rows = store.unread_rows()
    assert [by_id[i].title for i, _, _ in rows] == [
        "https://a.example 1",
        "https://b.example 2",
        "https://b.example 3",
        "https://a.example 5",
    ]
    assert rows[0][1:] == ("https://a.example", (NOW - dt.timedelta(days=1)).timestamp())
    kept = [source for _, source, _ in store.unread_rows(exclude=["https://a.example"])]
    assert kept == ["https://b.example"] * 2
    assert [row[0] for row in store.unread_rows(background=True)] == [row[0] for row in rows]


def test_activity_counts_items_per_week(store: Store) -> None:
    items = [
        ParsedItem(guid=str(n), published=NOW - dt.timedelta(days=days))
        for n, days in enumerate([1, 2, 8, 80, 200])
    ]
    store.store_feed(SourceState(url=URL), feed(*items), now=NOW)
    weeks = store.activity([URL], weeks=12, now=NOW)
    assert len(weeks) == 12
    assert weeks[-1] == 2 and weeks[-2] == 1 and weeks[0] == 1 and sum(weeks) == 4
    assert store.published_since([URL], NOW - dt.timedelta(days=10)) == 3


def test_unwritable_folder_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot open the database"):
        Store(blocker / "folio.db")


def test_an_older_database_is_migrated_in_place(tmp_path: Path) -> None:
    path = tmp_path / "folio.db"
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[0] + "; PRAGMA user_version = 1;")
    db.execute(
        "INSERT INTO items (source, key, guid, title, link, author, summary, content,"
        " published, dated, first_seen) VALUES ('u', 'g:a', 'a', 'kept', '', '', '', '', 0, 1, 0)"
    )
    db.commit()
    db.close()
    with Store(path) as store:
        assert store.schema_version == len(MIGRATIONS)
        assert [i.title for i in store.items()] == ["kept"]
    indexes = {row[1] for row in sqlite3.connect(path).execute("PRAGMA index_list(items)")}
    assert "items_source_read" in indexes


def test_write_batch_stores_each_source_whole_or_not_at_all(store: Store) -> None:
    good = ParsedItem(guid="a", title="fine", published=NOW)
    # A value SQLite cannot store makes the second source's write fail half-way through.
    bad = [ParsedItem(guid="b", title="ok"), ParsedItem(guid="c", title=object())]  # type: ignore[arg-type]
    results = store.write_batch(
        [
            SourceWrite(SourceState(url=URL, status="ok"), feed(good), NOW),
            SourceWrite(SourceState(url=URL + "/bad", status="ok"), feed(*bad), NOW),
            SourceWrite(SourceState(url=URL + "/state-only", status="error", error="timed out")),
        ]
    )
    assert results[0] == 1 and results[2] == 0
    assert isinstance(results[1], sqlite3.Error)
    assert [i.title for i in store.items()] == ["fine"]
    states = store.states()
    assert URL + "/bad" not in states  # neither its items nor its state were kept
    assert states[URL + "/state-only"].error == "timed out"


def test_search_index_catches_up_when_searched(store: Store) -> None:
    store.store_feed(SourceState(url=URL), feed(ParsedItem(guid="a", title="alpha")), NOW)
    indexed = store._query("SELECT count(*) FROM items_fts")[0][0]
    assert indexed == 0  # storing leaves the index for later
    assert [i.title for i in store.search("alpha")] == ["alpha"]
    assert store.index_pending() == 0  # nothing left to add
    # The newest item's id is handed out again once its source is gone; the item that
    # gets it must still reach the index.
    store.remove_source(URL)
    store.store_feed(SourceState(url=URL + "2"), feed(ParsedItem(guid="b", title="beta")), NOW)
    assert [i.title for i in store.search("beta")] == ["beta"]
    assert store.search("alpha") == []


def test_an_edited_item_is_found_by_its_new_words_not_its_old_ones(store: Store) -> None:
    def post(title: str, content: str) -> ParsedFeed:
        return feed(ParsedItem(guid="p", title=title, content=content, published=NOW))

    store.store_feed(SourceState(url=URL), post("Draft notes", "<p>first words</p>"), NOW)
    assert [i.title for i in store.search("draft")] == ["Draft notes"]  # now indexed
    # The feed edits the post after it was indexed.
    store.store_feed(SourceState(url=URL), post("Final notes", "<p>second words</p>"), NOW)
    assert [i.title for i in store.search("final")] == ["Final notes"]
    assert [i.title for i in store.search("second")] == ["Final notes"]
    assert store.search("draft") == []
    assert store.search("first") == []
    # The same post stored again unchanged is not indexed again.
    store.store_feed(SourceState(url=URL), post("Final notes", "<p>second words</p>"), NOW)
    assert store.index_pending() == 0
    assert store._query("SELECT count(*) FROM items_fts")[0][0] == 1


def test_an_edit_queued_for_the_index_goes_with_its_source(store: Store) -> None:
    store.store_feed(SourceState(url=URL), feed(ParsedItem(guid="p", title="old")), NOW)
    store.index_pending()
    store.store_feed(SourceState(url=URL), feed(ParsedItem(guid="p", title="new")), NOW)
    store.remove_source(URL)
    assert store.index_pending() == 0
    assert store.search("new") == [] and store.search("old") == []


def test_checkpoint_copies_the_log_into_the_database_file_while_others_are_open(
    tmp_path: Path,
) -> None:
    path = tmp_path / "folio.db"
    writer, other = Store(path), Store(path)  # the other keeps close() from checkpointing
    items = [ParsedItem(guid=str(n), title=f"item {n}", published=NOW) for n in range(50)]
    writer.store_feed(SourceState(url=URL), feed(*items), now=NOW)

    def items_in_the_file_alone() -> int:
        # What a copy of folio.db without its -wal file holds.
        copy = tmp_path / f"copy-{len(list(tmp_path.iterdir()))}.db"
        copy.write_bytes(path.read_bytes())
        db = sqlite3.connect(copy)
        try:
            return int(db.execute("SELECT count(*) FROM items").fetchone()[0])
        except sqlite3.DatabaseError:
            return 0  # the tables themselves are still only in the log
        finally:
            db.close()

    assert items_in_the_file_alone() == 0
    writer.checkpoint()
    assert items_in_the_file_alone() == 50
    writer.close()
    other.close()


def test_search_queries_mean_what_was_typed() -> None:
    from tui.core.storage.search import parse_search

    assert parse_search("folkson tags").match == '"folkson"* AND "tags"*'
    assert parse_search("podcast OR video").match == '("podcast"* OR "video"*)'
    assert parse_search('"tag gardening" notes').match == '"tag gardening" AND "notes"*'
    cpp = parse_search("C++")
    assert cpp.match == '"C"' and cpp.literals == [["c++"]]  # never the prefix c*
    assert parse_search("node.js").match == '"node js"'
    assert parse_search("OR").empty and parse_search("+++ ").empty
    # FTS5 syntax typed by the user is only text.
    assert parse_search("title:x NEAR(y)").match == '"title x" AND "NEAR y"'
