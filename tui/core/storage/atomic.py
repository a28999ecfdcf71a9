"""Atomic file replacement: a reader (or a crash) sees the old file or the new one, never half.

Also the two things every writer of a user's file needs around it: an OS lock that
other folio processes respect (``file_lock``), and dated backups that rotate
(``write_atomic(..., keep_backups=N)``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_TIMEOUT = 10.0
"""Seconds to wait for another folio process to finish writing before giving up.

A write holds the lock for milliseconds; only a stopped or hung process holds it longer."""

BACKUP_SPACING = dt.timedelta(seconds=60)
"""No new backup when the newest one is younger than this: a burst of edits (a score
pressed up five times) would otherwise push every older backup out of the rotation."""

_BACKUP_STAMP = "%Y-%m-%dT%H-%M-%S"
_BACKUP_PATTERN = re.compile(r"\.bak\.(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d)$")


class LockTimeout(OSError):
    """Another process kept the file locked for longer than ``LOCK_TIMEOUT``."""


def real_path(path: Path) -> Path:
    """The file a path names once symbolic links are followed (the path itself if none),
    so that a write through a link updates its target instead of replacing the link."""
    return Path(os.path.realpath(path))


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove_stale_temporaries(path: Path) -> None:
    """Delete temporary files a killed writer left behind (their pid no longer runs)."""
    for leftover in path.parent.glob(f".{path.name}.*tmp"):
        pid = leftover.name.rsplit(".", 2)[-2]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            leftover.unlink(missing_ok=True)
        except OSError:
            pass  # alive, or not ours to ask about: leave it


def _copy_durably(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` via a temporary file, so a backup is never half."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(source, tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def backups_of(path: Path) -> list[Path]:
    """The dated backups of ``path`` (``<name>.bak.<local time>``), oldest first."""
    target = real_path(path)
    found = [
        candidate
        for candidate in target.parent.glob(f"{target.name}.bak.*")
        if _BACKUP_PATTERN.search(candidate.name) and candidate.name.startswith(target.name)
    ]
    return sorted(found, key=lambda p: p.name)


def _back_up(target: Path, keep: int, now: dt.datetime) -> None:
    """Copy the file as it is now to a dated backup, then keep only the newest ``keep``."""
    existing = backups_of(target)
    if existing:
        newest = existing[-1]
        stamp = _BACKUP_PATTERN.search(newest.name)
        assert stamp is not None
        made = dt.datetime.strptime(stamp.group(1), _BACKUP_STAMP)
        if dt.timedelta(0) <= now - made < BACKUP_SPACING:
            return
    backup = target.with_name(f"{target.name}.bak.{now.strftime(_BACKUP_STAMP)}")
    _copy_durably(target, backup)
    for old in backups_of(target)[:-keep]:
        old.unlink(missing_ok=True)


def write_atomic(
    path: Path, data: bytes, *, keep_backups: int = 0, now: dt.datetime | None = None
) -> None:
    """Write ``data`` to ``path`` via a temporary file, fsync and rename.

    A symbolic link is followed: its target is replaced (atomically, beside itself) and
    the link stays. The file keeps its permission bits. With ``keep_backups``, the version
    being replaced is first copied to ``<name>.bak.<local time>`` and only that many
    backups are kept (see ``BACKUP_SPACING``); ``now`` is the local time, for tests.
    """
    target = real_path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(target)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = None
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
            if keep_backups > 0:
                _back_up(target, keep_backups, now or dt.datetime.now())
        os.replace(tmp, target)
    except OSError as exc:
        # Named after the file being saved, not the temporary one: "No space left on
        # device: ~/.config/folio/portfolio.toml".
        raise OSError(exc.errno, exc.strerror or str(exc), str(target)) from exc
    finally:
        with contextlib.suppress(OSError):  # nothing to clear, or not ours to clear
            tmp.unlink(missing_ok=True)
    _fsync_dir(target.parent)


@contextmanager
def file_lock(path: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold an exclusive OS lock for ``path`` (on ``<name>.lock`` beside its real file).

    Every folio process that writes the file takes it, so a read-modify-write is never
    interleaved with another. The lock file stays: deleting it would let two processes
    lock two different files. The OS drops the lock when a process dies, so a ``kill -9``
    never leaves it held. Where neither fcntl nor msvcrt exists, nothing is locked.
    """
    target = real_path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    lock_path = target.with_name(target.name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        _acquire(fd, lock_path, timeout)
        try:
            yield
        finally:
            _release(fd)
    finally:
        os.close(fd)


try:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _release(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)

except ImportError:  # pragma: no cover - Windows
    try:
        import msvcrt

        def _try_lock(fd: int) -> bool:
            try:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
            except OSError:
                return False
            return True

        def _release(fd: int) -> None:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]

    except ImportError:

        def _try_lock(fd: int) -> bool:
            return True

        def _release(fd: int) -> None:
            return None


def _acquire(fd: int, lock_path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    pause = 0.001
    while not _try_lock(fd):
        if time.monotonic() >= deadline:
            raise LockTimeout(
                f"another folio process has held {lock_path} for over {timeout:.0f} s; "
                "close it (or delete the lock file if none runs) and try again"
            )
        time.sleep(pause)
        pause = min(pause * 2, 0.05)
