"""A full disk, for real: a 4 MB tmpfs mounted for the test, filled with a file.

Mounting needs root (or CAP_SYS_ADMIN); elsewhere these tests skip, and the fault seams in
test_refresh.py and tests/ui/test_store_problems.py (SQLite's own "database or disk is
full" error raised at the store's connection) cover the same paths.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tui.core.storage.store import Store

pytest_plugins = ["httpserver"]

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m,mode=0755", "tmpfs", str(disk)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.strip() or 'not root'}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def fill(disk: Path, leave: int = 0) -> None:
    """Fill ``disk`` with a file, then give back ``leave`` bytes."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, bytes(65536 if os.fstat(fd).st_size < 3 * 1024 * 1024 else 4096))
    except OSError:
        pass
    finally:
        os.close(fd)
    if leave:
        os.truncate(filler, max(0, filler.stat().st_size - leave))


def folio(env_dirs: dict[str, Path], *argv: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    env.update({name: str(path) for name, path in env_dirs.items()})
    return subprocess.run(
        [sys.executable, "-m", "tui", *argv], env=env, capture_output=True, text=True, timeout=120
    )


def test_refresh_on_a_full_disk_says_so_and_where(
    small_disk: Path, tmp_path: Path, http_server
) -> None:  # type: ignore[no-untyped-def]
    """Before: "0 ok, 0 not modified, 2 failed", exit 0, and no error stored anywhere."""
    data = small_disk / "data"
    db = data / "folio" / "folio.db"
    Store(db).close()
    # Room for the log's first pages and its index, not for 300 long items.
    fill(small_disk, leave=120 * 1024)
    big = http_server.rss("Big", items=300).replace(
        b"<description>", b"<description>" + b"w " * 900
    )
    http_server.route("/big", body=big)
    http_server.route("/small", body=http_server.rss("Small", items=3))
    config = tmp_path / "config"
    (config / "folio").mkdir(parents=True)
    (config / "folio" / "portfolio.toml").write_text(
        f'[[sources]]\nurl = "{http_server.url("/big")}"\n'
        f'[[sources]]\nurl = "{http_server.url("/small")}"\n'
    )
    result = folio({"XDG_CONFIG_HOME": config, "XDG_DATA_HOME": data}, "refresh")
    assert result.returncode == 2, result.stdout
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"folio: the disk holding the database {db} is full")
    assert "free some space" in result.stderr
    # Once there is room again, the same refresh works.
    (small_disk / "filler").unlink()
    again = folio({"XDG_CONFIG_HOME": config, "XDG_DATA_HOME": data}, "refresh")
    assert again.returncode == 0, again.stderr
    assert "2 ok" in again.stdout


def test_a_portfolio_save_on_a_full_disk_names_the_file(small_disk: Path, tmp_path: Path) -> None:
    config = small_disk / "config"
    portfolio = config / "folio" / "portfolio.toml"
    portfolio.parent.mkdir(parents=True)
    portfolio.write_text('[[sources]]\nurl = "https://kept.example/feed"\n')
    before = portfolio.read_bytes()
    urls = tmp_path / "urls"
    urls.write_text("".join(f"https://feed{n}.example/rss\n" for n in range(2000)))
    fill(small_disk)
    result = folio(
        {"XDG_CONFIG_HOME": config, "XDG_DATA_HOME": tmp_path / "data"}, "import", str(urls)
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr == f"folio: {portfolio}: No space left on device\n"
    assert portfolio.read_bytes() == before
    # No temporary file left behind (a lock file may stay: it holds no data).
    assert not [p.name for p in portfolio.parent.iterdir() if p.name.endswith("tmp")]
