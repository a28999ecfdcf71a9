"""Migration 10 of ``store.MIGRATIONS``: the tables of the sync with a feed server (issue 17,
tui/core/sync/), kept here so that store.py stays under 1,000 lines.

``sync_feeds``: which server feed each synced source is, as the subscriptions stood at the
last sync (the base of the three-way merge of sources). ``sync_entries``: which server entry
each item is, matched once, so the same article is never stored twice; the trigger forgets
an item's entry with the item, whatever deletes it. ``sync_state``: the sync's cursors and
the account they belong to.
"""

SYNC_SCHEMA = """
    CREATE TABLE sync_feeds (
        feed_id TEXT PRIMARY KEY,
        source TEXT NOT NULL UNIQUE,
        feed_url TEXT NOT NULL,
        title TEXT NOT NULL DEFAULT '',
        category TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE sync_entries (
        entry_id TEXT PRIMARY KEY,
        item_id INTEGER NOT NULL UNIQUE,
        feed_id TEXT NOT NULL,
        crawled INTEGER NOT NULL DEFAULT 0,
        enclosure_id TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX sync_entries_by_feed ON sync_entries (feed_id, entry_id);
    CREATE TRIGGER items_gone_from_sync AFTER DELETE ON items
    BEGIN
        DELETE FROM sync_entries WHERE item_id = old.id;
    END;
    CREATE TABLE sync_state (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
"""
