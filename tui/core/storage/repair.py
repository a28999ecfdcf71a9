"""``folio repair``: a new folio.db holding what can still be read from a damaged one.

The sqlite3 command-line tool's ``.recover`` is not always installed, so this uses only
what Python's sqlite3 module offers, in two passes:

1. Each table is read in rowid order. Where a damaged page stops the reading, the rowids
   after it are probed (doubling the step, then halving it back) for the first one that
   can be read again.
2. When rows are still missing (a damaged page high in a table's b-tree hides every page
   below it), every table leaf page of a scratch copy is read on its own: a table entry
   whose root is that page is added to the copy's schema (``writable_schema``), so SQLite
   itself decodes the rows. A row is kept for the table whose columns its values fit.

Rows from both passes go into a new store made by the current migrations, whose search
index is then rebuilt; every value is checked against its column's declared type, so
garbage a damaged page yields is refused. A file whose first page (the header) is damaged
is read through a copy with a rebuilt header.

The damaged file is never changed: an exact copy is kept beside it, named with the date
(``folio.db.damaged-20250101-120000``), and only then is the new store moved into place.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import sqlite3
import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tui.core.storage.errors import StoreBusy, StoreError, store_problem
from tui.core.storage.store import MIGRATIONS, Store

__all__ = ["RepairReport", "TableReport", "check_store", "repair_store"]

# Tables folio rebuilds from the items (the search index) or SQLite keeps itself.
_DERIVED = ("items_fts", "search_index", "search_stale", "sqlite_", "engagement_latest")
"""Tables made from others, built again in the new store rather than copied (the search
index; engagement_latest, which the engagement table's triggers fill as it is copied)."""
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
    """Rows read but refused (a value damaged into something its column cannot hold)."""
    from_pages: int = 0
    """Of ``kept``, the rows found by reading leaf pages one by one (the second pass)."""

    @property
    def incomplete(self) -> bool:
        """Whether rows may be missing after the first pass."""
        if self.expected is None:
            return self.damaged_parts > 0
        return self.damaged_parts > 0 or self.kept < self.expected

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
    pages = path.with_name(path.name + ".pages")
    for leftover in _with_logs(fresh) + _with_logs(scratch) + _with_logs(pages):
        leftover.unlink(missing_ok=True)
    try:
        with _locked(path) as locked:
            # The copy is exact and made under the lock, so nothing writes in between.
            shutil.copy2(path, backup)
            if wal.exists() and wal.stat().st_size:
                shutil.copy2(wal, backup.with_name(backup.name + "-wal"))
            source = locked if locked is not None and _readable_schema(locked) else None
            readable = backup
            if source is None:
                source = _with_rebuilt_header(backup, scratch)
                report.header_rebuilt = source is not None
                readable = scratch
            try:
                with Store(fresh) as store:
                    if source is None:
                        report.unreadable = "not even its list of tables could be read"
                    else:
                        shapes = _copy_tables(source, store, report)
                        missing = {
                            name: shapes[name]
                            for name, table in report.tables.items()
                            if table.incomplete
                        }
                        if missing:
                            _scan_leaf_pages(readable, pages, store, missing, report)
                    store.index_pending()
                    store.checkpoint()
            finally:
                if source is not None and source is not locked:
                    source.close()
        # The old log must go before the new file takes the name: SQLite would otherwise
        # apply the damaged store's log to the new one.
        for old in (wal, shm):
            old.unlink(missing_ok=True)
        fresh.replace(path)
    finally:
        for leftover in _with_logs(fresh) + _with_logs(scratch) + _with_logs(pages):
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


@dataclass
class _Column:
    name: str
    kind: str
    """The declared type in the new store: INTEGER, REAL, TEXT or BLOB ("" for any)."""
    required: bool
    """NOT NULL in the new store."""
    in_new: bool
    """False for a column only the damaged file's older schema has (its values are dropped)."""
    is_rowid: bool = False
    """The table's INTEGER PRIMARY KEY: a record stores NULL there, the rowid is its value."""


@dataclass
class _Shape:
    """A table's columns in the order the damaged file's records hold them."""

    table: str
    columns: list[_Column]

    def insert_sql(self) -> str:
        names = [c.name for c in self.columns if c.in_new]
        quoted = ", ".join(f'"{n}"' for n in names)
        marks = ", ".join("?" * len(names))
        return f'INSERT OR IGNORE INTO "{self.table}" ({quoted}) VALUES ({marks})'

    def values(self, rowid: int, record: Sequence[object]) -> list[object] | None:
        """The values to insert from one record, or None when they cannot be this table's
        (a value of the wrong type, a required one missing, more values than columns)."""
        if any(value is not None for value in record[len(self.columns) :]):
            return None
        values: list[object] = []
        for index, column in enumerate(self.columns):
            value = record[index] if index < len(record) else None
            if column.is_rowid:
                if value is not None:
                    return None
                value = rowid
            if not column.in_new:
                continue
            if not _fits(value, column):
                return None
            values.append(value)
        return values


def _fits(value: object, column: _Column) -> bool:
    if value is None:
        return not column.required
    if column.kind == "INTEGER":
        return isinstance(value, int)
    if column.kind == "REAL":
        return isinstance(value, int | float)
    if column.kind == "TEXT":
        return isinstance(value, str)
    if column.kind == "BLOB":
        return isinstance(value, bytes)
    return True


def _shape(source: sqlite3.Connection, target: sqlite3.Connection, table: str) -> _Shape:
    new = {row[1]: row for row in target.execute(f'PRAGMA table_info("{table}")')}
    old = [row[1] for row in source.execute(f'PRAGMA table_info("{table}")')]
    primary = [row for row in new.values() if row[5]]
    rowid_alias = (
        primary[0][1] if len(primary) == 1 and primary[0][2].upper() == "INTEGER" else None
    )
    columns = []
    for name in old:
        row = new.get(name)
        columns.append(
            _Column(
                name,
                (row[2] or "").upper() if row else "",
                bool(row[3]) if row else False,
                row is not None,
                name == rowid_alias,
            )
        )
    return _Shape(table, columns)


def _copy_tables(
    source: sqlite3.Connection, store: Store, report: RepairReport
) -> dict[str, _Shape]:
    """The first pass, over every table the new store and the damaged file share; returns
    each table's shape for the second."""
    target = store._db  # the repair is the store's own business: one connection, no threads
    try:
        old_tables = {
            row[0] for row in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
    except sqlite3.DatabaseError as exc:
        report.unreadable = f"its list of tables could not be read ({exc})"
        return {}
    new_tables = [
        row[0]
        for row in target.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rootpage"
        )
    ]
    shapes: dict[str, _Shape] = {}
    for table in new_tables:
        if table.startswith(_DERIVED) or table not in old_tables:
            continue
        try:
            shape = _shape(source, target, table)
        except sqlite3.DatabaseError:
            continue
        if any(column.in_new for column in shape.columns):
            shapes[table] = shape
            report.tables[table] = _copy_table(source, target, shape)
    return shapes


def _copy_table(
    source: sqlite3.Connection, target: sqlite3.Connection, shape: _Shape
) -> TableReport:
    table = shape.table
    result = TableReport(table)
    with contextlib.suppress(sqlite3.Error):
        result.expected = int(source.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
    # Each column as the record holds it (a rowid alias reads as NULL, as in a leaf page).
    names = ", ".join("NULL" if c.is_rowid else f'"{c.name}"' for c in shape.columns)
    select = f'SELECT rowid, {names} FROM "{table}" WHERE rowid > ? ORDER BY rowid'
    insert = shape.insert_sql()
    after = -_LARGEST_ROWID - 1  # below every rowid
    target.execute("BEGIN")
    try:
        while True:
            try:
                for row in source.execute(select, (after,)):
                    after = row[0]
                    _keep(target, insert, shape.values(row[0], row[1:]), result)
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


def _keep(
    target: sqlite3.Connection, insert: str, values: list[object] | None, result: TableReport
) -> bool:
    """Insert one row's values; False when they were refused or the row was already kept."""
    if values is None:
        result.refused += 1
        return False
    try:
        added = target.execute(insert, values).rowcount == 1
    except sqlite3.Error:
        result.refused += 1
        return False
    result.kept += added
    return added


_TABLE_LEAF = 0x0D
_PROBES_AT_ONCE = 500


def _scan_leaf_pages(
    readable: Path,
    scratch: Path,
    store: Store,
    shapes: dict[str, _Shape],
    report: RepairReport,
) -> None:
    """The second pass: read every table leaf page of a copy of ``readable`` on its own,
    keeping the rows that fit one of ``shapes`` and are not kept yet."""
    for source_file, copy in zip(_with_logs(readable), _with_logs(scratch), strict=True):
        if source_file.exists():
            shutil.copyfile(source_file, copy)
    try:
        writer = sqlite3.connect(scratch, isolation_level=None)
    except sqlite3.Error:
        return
    try:
        # Pages still in the log go into the file, so the file's bytes are the pages read.
        with contextlib.suppress(sqlite3.Error):
            writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        leaves = _leaf_pages(scratch, _free_pages(scratch))
        width = max(len(shape.columns) for shape in shapes.values())
        probe_columns = ", ".join(f"c{i}" for i in range(width))
        target = store._db
        inserts = {name: shape.insert_sql() for name, shape in shapes.items()}
        target.execute("BEGIN")
        try:
            for start in range(0, len(leaves), _PROBES_AT_ONCE):
                batch = leaves[start : start + _PROBES_AT_ONCE]
                if not _add_probes(writer, batch, probe_columns):
                    break
                with contextlib.closing(sqlite3.connect(scratch)) as reader:
                    for page in batch:
                        _read_probe(reader, page, shapes, inserts, target, report)
                _drop_probes(writer)
            target.execute("COMMIT")
        except BaseException:
            target.execute("ROLLBACK")
            raise
    finally:
        writer.close()


def _add_probes(writer: sqlite3.Connection, pages: list[int], columns: str) -> bool:
    try:
        writer.execute("PRAGMA writable_schema=ON")
        writer.execute("BEGIN")
        for page in pages:
            name = f"folio_probe_{page}"
            writer.execute(
                "INSERT INTO sqlite_master VALUES ('table', ?, ?, ?, ?)",
                (name, name, page, f"CREATE TABLE {name} ({columns})"),
            )
        writer.execute("COMMIT")
    except sqlite3.Error:
        with contextlib.suppress(sqlite3.Error):
            writer.execute("ROLLBACK")
        return False
    return True


def _drop_probes(writer: sqlite3.Connection) -> None:
    with contextlib.suppress(sqlite3.Error):
        writer.execute("DELETE FROM sqlite_master WHERE name LIKE 'folio_probe_%'")


def _read_probe(
    reader: sqlite3.Connection,
    page: int,
    shapes: dict[str, _Shape],
    inserts: dict[str, str],
    target: sqlite3.Connection,
    report: RepairReport,
) -> None:
    try:
        rows = reader.execute(f"SELECT rowid, * FROM folio_probe_{page}").fetchall()
    except sqlite3.Error:
        return  # damaged itself: nothing on it can be trusted
    for row in rows:
        for name, shape in shapes.items():
            values = shape.values(row[0], row[1:])
            if values is None:
                continue
            table = report.tables[name]
            if _keep(target, inserts[name], values, table):
                table.from_pages += 1
            break


def _page_size(path: Path) -> int:
    with open(path, "rb") as handle:
        handle.seek(16)
        size = int.from_bytes(handle.read(2), "big")
    return 65536 if size == 1 else size


def _leaf_pages(path: Path, skip: set[int]) -> list[int]:
    """The pages of ``path`` whose type byte says table leaf, but those in ``skip``."""
    size = _page_size(path)
    leaves: list[int] = []
    with open(path, "rb") as handle:
        number = 2  # page 1 holds the schema
        while True:
            handle.seek((number - 1) * size)
            kind = handle.read(1)
            if not kind:
                return leaves
            if kind[0] == _TABLE_LEAF and number not in skip:
                leaves.append(number)
            number += 1


def _free_pages(path: Path) -> set[int]:
    """The pages on the file's free list (https://www.sqlite.org/fileformat.html#the_freelist):
    they hold rows deleted since, which must not come back. Empty when the list is damaged."""
    size = _page_size(path)
    total = path.stat().st_size // size
    free: set[int] = set()
    with open(path, "rb") as handle:
        handle.seek(32)
        trunk = int.from_bytes(handle.read(4), "big")
        while 1 < trunk <= total and trunk not in free:
            free.add(trunk)
            handle.seek((trunk - 1) * size)
            following = int.from_bytes(handle.read(4), "big")
            count = int.from_bytes(handle.read(4), "big")
            if count > size // 4 - 2:
                return free
            for _ in range(count):
                free.add(int.from_bytes(handle.read(4), "big"))
            trunk = following
    return free


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
