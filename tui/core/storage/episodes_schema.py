"""Migration 11 of ``store.MIGRATIONS``: the podcast episodes table (issue 16,
tui/core/podcasts/), kept here so that store.py stays under 1,000 lines.

``episodes``: an episode's download (status, the file it has or will have, bytes, the error
of a failed one) and its listening (position, duration, played). A row exists only for an
episode that was queued or played; an item without one is a new episode. The trigger
forgets an item's episode with the item, whatever deletes it (a trigger rather than a
foreign key, so that ``folio repair`` may copy the tables in any order).
"""

EPISODES_SCHEMA = """
    CREATE TABLE episodes (
        item_id INTEGER PRIMARY KEY,
        status TEXT NOT NULL DEFAULT '',
        url TEXT NOT NULL DEFAULT '',
        file TEXT NOT NULL DEFAULT '',
        bytes INTEGER NOT NULL DEFAULT 0,
        total INTEGER,
        error TEXT NOT NULL DEFAULT '',
        position REAL NOT NULL DEFAULT 0,
        duration REAL,
        played INTEGER NOT NULL DEFAULT 0,
        played_at REAL,
        queued_at REAL,
        downloaded_at REAL,
        updated REAL
    );
    CREATE INDEX episodes_by_status ON episodes (status, queued_at);
    CREATE TRIGGER items_gone_from_episodes AFTER DELETE ON items
    BEGIN
        DELETE FROM episodes WHERE item_id = old.id;
    END;
"""
