"""Two pieces of opening folio.db that several processes may do at once: switching a new
file to WAL, and running a migration inside the transaction that holds the write lock."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from tui.core.storage.errors import StoreBusy, store_problem

__all__ = ["BUSY_SECONDS", "migration_statements", "use_wal"]

BUSY_SECONDS = 10.0
"""How long a statement waits for another process's lock before giving up."""


def use_wal(db: sqlite3.Connection, path: Path) -> None:
    """Switch a new file to WAL. Several processes creating the store at once may find it
    locked: SQLite does not wait for the lock this switch needs (1 start in 100 of 8 at
    once failed so), so it is tried again for as long as other statements wait."""
    deadline = time.monotonic() + BUSY_SECONDS
    delay = 0.002
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if not isinstance(store_problem(exc, path), StoreBusy):
                raise
            if time.monotonic() > deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.1)


def migration_statements(script: str) -> list[str]:
    """The statements of a migration script, one by one (a trigger's body stays whole):
    ``executescript`` would commit first, and so give up the write lock."""
    statements: list[str] = []
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n\t;"):
                statements.append(pending.strip())
            pending = ""
    if pending.strip(" \n\t;"):
        raise ValueError(f"a migration ends in an incomplete statement: {pending!r}")
    return statements
