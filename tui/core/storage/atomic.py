"""Atomic file replacement: a reader (or a crash) sees the old file or the new one, never half."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


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


def write_atomic(path: Path, data: bytes, *, backup: bool = False) -> None:
    """Write ``data`` to ``path`` via a temporary file, fsync and rename.

    With ``backup``, the previous version is kept as ``<name>.bak`` (itself replaced
    atomically), so a bad edit can be undone by hand.
    """
    try:
        _write_atomic(path, data, backup=backup)
    except OSError as exc:
        # A full disk fails a write with no file name in the error, or with the name of a
        # temporary file the user never heard of: name the file being saved.
        if exc.filename == str(path) or exc.errno is None:
            raise
        raise OSError(exc.errno, exc.strerror, str(path)) from exc


def _write_atomic(path: Path, data: bytes, *, backup: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    bak_tmp = path.with_name(f".{path.name}.bak.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if backup and path.exists():
            bak = path.with_name(path.name + ".bak")
            shutil.copyfile(path, bak_tmp)
            with open(bak_tmp, "rb+") as handle:
                os.fsync(handle.fileno())
            os.replace(bak_tmp, bak)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
        bak_tmp.unlink(missing_ok=True)
    _fsync_dir(path.parent)
