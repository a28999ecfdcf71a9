from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from tui.core.storage.atomic import backups_of, write_atomic


def test_write_replaces_and_keeps_a_dated_backup(tmp_path: Path) -> None:
    tmp_path = tmp_path / "config"
    target = tmp_path / "portfolio.toml"
    write_atomic(target, b"one", keep_backups=5)
    assert backups_of(target) == []  # nothing came before
    write_atomic(target, b"two", keep_backups=5, now=dt.datetime(2026, 12, 6, 17, 3, 11))
    assert target.read_bytes() == b"two"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "portfolio.toml",
        "portfolio.toml.bak.2026-12-06T17-03-11",
    ]
    assert (tmp_path / "portfolio.toml.bak.2026-12-06T17-03-11").read_bytes() == b"one"


def test_temporaries_of_a_dead_writer_are_cleared(tmp_path: Path) -> None:
    tmp_path = tmp_path / "config"
    tmp_path.mkdir()
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(dead.stdout)
    stale = tmp_path / f".portfolio.toml.{dead_pid}.tmp"
    stale_bak = tmp_path / f".portfolio.toml.bak.{dead_pid}.tmp"
    alive = tmp_path / f".portfolio.toml.{os.getppid()}.tmp"
    for leftover in (stale, stale_bak, alive):
        leftover.write_bytes(b"half a file")
    (tmp_path / "portfolio.toml").write_bytes(b"old")
    write_atomic(tmp_path / "portfolio.toml", b"new", keep_backups=5)
    assert not stale.exists() and not stale_bak.exists()
    assert alive.exists()  # a writer that still runs is left alone


def test_a_failed_write_names_the_file_and_leaves_it_whole(tmp_path: Path) -> None:
    target = tmp_path / "portfolio.toml"
    target.write_bytes(b"old")
    # Something in the way of the temporary file (root ignores permissions, not this).
    (tmp_path / f".portfolio.toml.{os.getpid()}.tmp").mkdir()
    try:
        write_atomic(target, b"new")
    except OSError as exc:
        assert exc.filename == str(target)
        assert str(target) in str(exc)
    else:
        raise AssertionError("the write should have failed")
    assert target.read_bytes() == b"old"
