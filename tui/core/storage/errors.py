"""What can go wrong with folio.db, in words: a damaged file, a full disk, a locked or
unwritable file. ``store_problem`` turns SQLite's exception into one of these; an error
it does not know (a bug in a query, say) is left as it is.

Every message names the file and says what to do, so a command can print it as it is and
the app can show it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

__all__ = [
    "StoreBusy",
    "StoreDamaged",
    "StoreError",
    "StoreFull",
    "StoreUnwritable",
    "store_problem",
]

REPAIR_COMMAND = "folio repair"

# SQLite's primary result codes (https://www.sqlite.org/rescode.html).
_SQLITE_PERM = 3
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6
_SQLITE_NOMEM = 7
_SQLITE_READONLY = 8
_SQLITE_IOERR = 10
_SQLITE_CORRUPT = 11
_SQLITE_FULL = 13
_SQLITE_CANTOPEN = 14
_SQLITE_NOTADB = 26


class StoreError(Exception):
    """The database could not be opened, read or written; the message says why, in words.

    ``path`` is the database file; ``detail`` what SQLite said.
    """

    headline = "the database cannot be used"
    """A few words for a status bar; ``str()`` is the whole message."""

    def __init__(self, message: str, path: Path | None = None, detail: str = "") -> None:
        super().__init__(message)
        self.path = path
        self.detail = detail


class StoreDamaged(StoreError):
    """The file is not a database, or part of it cannot be read: ``folio repair`` helps."""

    headline = "the database is damaged"


class StoreFull(StoreError):
    """The disk (or the file system's quota) holding the database is full."""

    headline = "the disk is full"


class StoreUnwritable(StoreError):
    """The file or its folder cannot be written, or the disk gave an I/O error."""

    headline = "the database cannot be written"


class StoreBusy(StoreError):
    """Another program kept the database locked for longer than folio waits."""

    headline = "the database is locked"


def _code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    # Extended codes carry the primary code in their low byte (SQLITE_IOERR_WRITE is 778).
    return code & 0xFF if isinstance(code, int) else None


def _kind_from_words(text: str) -> int | None:
    """The primary code of an error made without one (by Python, or a test's fault seam)."""
    lowered = text.lower()
    for words, code in (
        ("malformed", _SQLITE_CORRUPT),
        ("not a database", _SQLITE_NOTADB),
        ("disk is full", _SQLITE_FULL),
        ("disk i/o error", _SQLITE_IOERR),
        ("readonly database", _SQLITE_READONLY),
        ("unable to open database", _SQLITE_CANTOPEN),
        ("database is locked", _SQLITE_BUSY),
    ):
        if words in lowered:
            return code
    return None


def damaged(path: Path, detail: str) -> StoreDamaged:
    return StoreDamaged(
        f"the database {path} is damaged ({detail}). Run '{REPAIR_COMMAND}' to keep what "
        "can still be read (the damaged file is kept as a dated backup); your "
        "portfolio.toml is not affected.",
        path,
        detail,
    )


def store_problem(exc: BaseException, path: Path) -> StoreError | None:
    """``exc`` as a StoreError that names ``path`` and says what to do, or None when it is
    not a problem of the file or the disk (then it is a bug, and stays as it is)."""
    if isinstance(exc, StoreError):
        return exc
    if isinstance(exc, OSError):
        if exc.errno is not None and exc.errno == 28:  # ENOSPC
            return _full(path, exc.strerror or str(exc))
        return StoreUnwritable(
            f"cannot use the database {path}: {exc.strerror or exc}", path, str(exc)
        )
    if not isinstance(exc, sqlite3.Error):
        return None
    detail = str(exc)
    code = _code(exc)
    if code is None:
        code = _kind_from_words(detail)
    if code in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
        return damaged(path, detail)
    if code == _SQLITE_FULL:
        return _full(path, detail)
    if code in (_SQLITE_READONLY, _SQLITE_PERM, _SQLITE_CANTOPEN):
        return StoreUnwritable(
            f"cannot write the database {path} ({detail}): check that you may write the "
            "file and its folder.",
            path,
            detail,
        )
    if code == _SQLITE_IOERR:
        return StoreUnwritable(
            f"the disk could not read or write the database {path} ({detail}): check the "
            "disk, then try again.",
            path,
            detail,
        )
    if code in (_SQLITE_BUSY, _SQLITE_LOCKED):
        return StoreBusy(
            f"the database {path} is locked by another program ({detail}): try again "
            "when it has finished.",
            path,
            detail,
        )
    if code == _SQLITE_NOMEM:
        return StoreError(f"out of memory while using the database {path}", path, detail)
    return None


def _full(path: Path, detail: str) -> StoreFull:
    return StoreFull(
        f"the disk holding the database {path} is full ({detail}): free some space, then "
        "try again. What was stored before is kept.",
        path,
        detail,
    )
