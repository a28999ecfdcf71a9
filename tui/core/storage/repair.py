"""``folio repair``: a new folio.db holding what can still be read from a damaged one.

The sqlite3 command-line tool's ``.recover`` is not always installed, so this uses only
what Python's sqlite3 module offers. Each table of the store is read in rowid order; where
a damaged page stops the reading, the rowids after it are probed (doubling the step, then
halving it back) for the first one that can be read again, so only the rows on damaged
pages are lost. The rows go into a new store made by the current migrations, whose
search index is then rebuilt. A file whose first page (the header) is damaged is read
through a copy with a rebuilt header.

The damaged file is never changed: an exact copy is kept beside it, named with the date
(``folio.db.damaged-20250101-120000``), and only then is the new store moved into place.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import sqlite3
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tui.core.storage.errors import StoreBusy, StoreError, store_problem
from tui.core.storage.store import MIGRATIONS, Store

__all__ = ["RepairReport", "TableReport", "check_store", "repair_store"]

# Tables folio rebuilds from the items (the search index) or SQLite keeps itself.
_DERIVED = ("items_fts", "search_index", "search_stale", "sqlite_")
_LARGEST_ROWID = 2**63 - 1
_PAGE_SIZES = (16384, 4096, 8192, 32768, 65536, 1024, 2048, 512)


@dataclass
class TableReport:
    """What was read from one table."""

    name: str
    kept: int = 0
    expected: int | None = None
    """How many rows the damaged file says it has (its own count), when that was readable."""
    damaged_parts: int = 0
    """Stretches of rows skipped because they could not be read."""
    refused: int = 0
    """Rows read but refused by the new store (a value damaged into something impossible)."""

    @property
    def lost(self) -> int | None:
        if self.expected is None:
            return None
        return max(0, self.expected - self.kept)


@dataclass
class RepairReport:
    """What ``repair_store`` did."""

    path: Path
    backup: Path
    tables: dict[str, TableReport] = field(default_factory=dict)
    header_rebuilt: bool = False
    """The file's first page was unreadable; a rebuilt header let the rest be read."""
    unreadable: str = ""
    """Why nothing at all could be read, when that is so (the new store is then empty)."""


def check_store(path: Path) -> list[str]:
    """SQLite's full integrity check of ``path``: an empty list when no damage is found.

    It reads every page (0.2-0.4 s for 100,000 items), so it is for ``folio repair``,
    not for every start.
    """
    try:
        with contextlib.closing(sqlite3.connect(path, timeout=10)) as db:
            rows = db.execute("PRAGMA integrity_check(100)").fetchall()
    except sqlite3.Error as exc:
        if isinstance(store_problem(exc, path), StoreBusy):
            raise StoreBusy(
                f"the database {path} is locked by another folio: try again when it has finished.",
                path,
                str(exc),
            ) from exc
        return [str(exc)]
    problems = [str(row[0]) for row in rows]
    return [] if problems == ["ok"] else problems


def repair_store(path: Path, now: dt.datetime | None = None) -> RepairReport:
    """Replace the damaged store at ``path`` with one holding every row that can be read.

    Raises StoreBusy when another folio is using the store, StoreError when there is no
    store or the new one cannot be written (the damaged file then stays as it was).
    """
    if not path.exists():
        raise StoreError(f"there is no database at {path}: nothing to repair", path)
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.name}.damaged-{stamp}")
    report = RepairReport(path=path, backup=backup)
    wal = path.with_name(path.name + "-wal")
    shm = path.with_name(path.name + "-shm")
    fresh = path.with_name(path.name + ".repairing")
    scratch = path.with_name(path.name + ".reading")
    for leftover in _with_logs(fresh) + _with_logs(scratch):
        leftover.unlink(missing_ok=True)
    try:
        with _locked(path) as source:
            # The copy is exact and made under the lock, so nothing writes in between.
            shutil.copy2(path, backup)
            if wal.exists():
                shutil.copy2(wal, backup.with_name(backup.name + "-wal"))
            if source is None or not _readable_schema(source):
                source = _with_rebuilt_header(path, scratch)
                report.header_rebuilt = source is not None
            try:
                with Store(fresh) as store:
                    if source is None:
                        report.unreadable = "not even its list of tables could be read"
                    else:
                        _copy_tables(source, store, report)
                    store.index_pending()
                    store.checkpoint()
            finally:
                if source is not None:
                    source.close()
        # The old log must go before the new file takes the name: SQLite would otherwise
        # apply the damaged store's log to the new one.
        for old in (wal, shm):
            old.unlink(missing_ok=True)
        fresh.replace(path)
    finally:
        for leftover in _with_logs(fresh) + _with_logs(scratch):
            leftover.unlink(missing_ok=True)
    return report


def _with_logs(path: Path) -> list[Path]:
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[sqlite3.Connection | None]:
    """A connection to ``path`` holding it exclusively, or None when the file cannot be
    opened as a database at all.

    In exclusive locking mode the lock is refused while any other connection is open, even
    an idle one (checked: an open app's connection makes it fail), so a running app or
    command is never left writing to a file that is being replaced.
    """
    db = sqlite3.connect(path, isolation_level=None, timeout=2, check_same_thread=False)
    try:
        db.execute("PRAGMA cell_size_check=ON")  # damaged cells found, not misread
        db.execute("PRAGMA locking_mode=EXCLUSIVE")
        db.execute("BEGIN EXCLUSIVE")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            db.close()
            raise StoreBusy(
                f"the database {path} is in use by another folio (the app or a command): "
                "close it, then run 'folio repair' again.",
                path,
                str(exc),
            ) from exc
        db.close()
        yield None
        return
    except sqlite3.DatabaseError:
        db.close()
        yield None
        return
    try:
        yield db
    finally:
        with contextlib.suppress(sqlite3.Error):
            if db.in_transaction:
                db.execute("ROLLBACK")
        db.close()


def _readable_schema(db: sqlite3.Connection) -> bool:
    try:
        names = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError:
        return False
    return "items" in names


def _with_rebuilt_header(path: Path, scratch: Path) -> sqlite3.Connection | None:
    """A connection to a copy of ``path`` whose first 100 bytes are rebuilt, trying each
    page size SQLite allows; None when no page size makes its schema readable."""
    size = path.stat().st_size
    for page_size in _PAGE_SIZES:
        if size < page_size:
            continue
        shutil.copyfile(path, scratch)
        with open(scratch, "r+b") as handle:
            handle.write(_header(page_size, size // page_size))
        db = sqlite3.connect(scratch, isolation_level=None, check_same_thread=False)
        with contextlib.suppress(sqlite3.Error):
            db.execute("PRAGMA cell_size_check=ON")
        if _readable_schema(db):
            return db
        db.close()
    return None


def _header(page_size: int, pages: int) -> bytes:
    """A database header (https://www.sqlite.org/fileformat.html#the_database_header) for a
    file of ``pages`` pages, in rollback mode, so a damaged log is not read with it."""
    return b"".join(
        (
            b"SQLite format 3\x00",
            struct.pack(">H", 1 if page_size == 65536 else page_size),
            bytes((1, 1, 0, 64, 32, 32)),  # versions (rollback), reserved, payload fractions
            struct.pack(">IIIIIIIIIIII", 1, pages, 0, 0, 1, 4, 0, 0, 1, len(MIGRATIONS), 0, 0),
            bytes(20),  # reserved for expansion
            struct.pack(">II", 1, 3040001),  # version-valid-for (= change counter), version
        )
    )


def _columns(db: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in db.execute(f'PRAGMA table_info("{table}")')]


def _copy_tables(source: sqlite3.Connection, store: Store, report: RepairReport) -> None:
    target = store._db  # the repair is the store's own business: one connection, no threads
    try:
        old_tables = {
            row[0] for row in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
    except sqlite3.DatabaseError as exc:
        report.unreadable = f"its list of tables could not be read ({exc})"
        return
    new_tables = [
        row[0]
        for row in target.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rootpage"
        )
    ]
    for table in new_tables:
        if table.startswith(_DERIVED) or table not in old_tables:
            continue
        try:
            columns = [c for c in _columns(target, table) if c in set(_columns(source, table))]
        except sqlite3.DatabaseError:
            continue
        if columns:
            report.tables[table] = _copy_table(source, target, table, columns)


def _copy_table(
    source: sqlite3.Connection, target: sqlite3.Connection, table: str, columns: list[str]
) -> TableReport:
    result = TableReport(table)
    with contextlib.suppress(sqlite3.Error):
        result.expected = int(source.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
    names = ", ".join(f'"{c}"' for c in columns)
    select = f'SELECT rowid, {names} FROM "{table}" WHERE rowid > ? ORDER BY rowid'
    insert = f'INSERT OR IGNORE INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})'
    after = -_LARGEST_ROWID - 1  # below every rowid
    target.execute("BEGIN")
    try:
        while True:
            try:
                for row in source.execute(select, (after,)):
                    after = row[0]
                    try:
                        changed = target.execute(insert, row[1:]).rowcount
                    except sqlite3.Error:
                        changed = 0
                    result.kept += changed
                    result.refused += 1 - changed
                break  # read to the end
            except sqlite3.DatabaseError:
                result.damaged_parts += 1
                resume = _next_readable(source, table, after)
                if resume is None:
                    break
                after = resume
        target.execute("COMMIT")
    except BaseException:
        target.execute("ROLLBACK")
        raise
    return result


def _seek(source: sqlite3.Connection, table: str, rowid: int) -> int | None:
    """The first rowid at or after ``rowid``, or None at the end; raises where damaged."""
    row = source.execute(
        f'SELECT rowid FROM "{table}" WHERE rowid >= ? ORDER BY rowid LIMIT 1', (rowid,)
    ).fetchone()
    return None if row is None else int(row[0])


def _next_readable(source: sqlite3.Connection, table: str, after: int) -> int | None:
    """Where to go on reading after a failure past rowid ``after``: a rowid to read after
    (skipping what cannot be read), or None when nothing further can be read."""
    try:
        failing = _seek(source, table, after + 1)
    except sqlite3.DatabaseError:
        failing = None
    else:
        # The page of the next row reads; the row itself did not (a damaged overflow
        # page, say): skip that one row.
        return failing
    # The page holding the next rows is damaged: find the first rowid whose page reads.
    # (folio's rowids start at 1; probing from far below would step over them all.)
    bad, step = max(after + 1, 0), 1
    good: int | None = None
    while bad + step <= _LARGEST_ROWID:
        try:
            found = _seek(source, table, bad + step)
        except sqlite3.DatabaseError:
            bad += step
            step *= 2
            continue
        if found is None:
            return None
        good = bad + step
        break
    if good is None:
        return None
    while good - bad > 1:
        middle = (bad + good) // 2
        try:
            _seek(source, table, middle)
        except sqlite3.DatabaseError:
            bad = middle
        else:
            good = middle
    return good - 1
