"""A kill -9 in the middle of saving portfolio.toml leaves the old file or the new one,
never a broken one, and every dated backup is a whole version."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tui.core.storage.atomic import backups_of
from tui.core.storage.portfolio import Portfolio, load_portfolio, portfolio_to_toml, save_portfolio

REPO = Path(__file__).resolve().parents[2]

# Shared by the test and the child, so both build exactly the same version n. Big enough
# (about 400 KB) that writing, fsyncing and backing up take tens of milliseconds.
VERSION_SOURCE = """
from tui.core.storage.portfolio import Experiment, MatrixEntry, Portfolio

def version(n):
    return Portfolio(
        vision=f"version {n}",
        matrix=[
            MatrixEntry(f"e{i}", f"entry {i} of version {n}", "notes " * 20,
                        1 + (i + n) % 5, 1 + (i * 3) % 5, [f"https://s{i}.example/feed", "tag"])
            for i in range(1500)
        ],
        roadmap=[Experiment(f"x{n}", f"experiment of version {n}", links=["e1"])],
    )
"""

CHILD = (
    VERSION_SOURCE
    + """
import sys
from pathlib import Path
import tui.core.storage.portfolio as portfolio_module

real_write = portfolio_module.write_atomic

def announced_write(*args, **kwargs):
    # Turning the text into TOML takes most of a save; this says when the file part
    # begins, so the parent can aim some kills at it.
    print("writing", flush=True)
    real_write(*args, **kwargs)

portfolio_module.write_atomic = announced_write
path, n = Path(sys.argv[1]), int(sys.argv[2])
print("ready", flush=True)
while True:
    # Said before the save begins, so the parent knows which versions may be on disk.
    print(f"start {n}", flush=True)
    portfolio_module.save_portfolio(path, version(n))
    n += 1
"""
)

_namespace: dict[str, object] = {}
exec(VERSION_SOURCE, _namespace)


def version(n: int) -> Portfolio:
    build = _namespace["version"]
    assert callable(build)
    result = build(n)
    assert isinstance(result, Portfolio)
    return result


def version_of(path: Path) -> int:
    """Load the file (it must parse) and check it is exactly one of the versions."""
    portfolio = load_portfolio(path)
    number = int(portfolio.vision.removeprefix("version "))
    assert portfolio == version(number), f"{path.name} is a mix of versions"
    return number


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_kill_9_during_saves_never_leaves_a_broken_file(tmp_path: Path) -> None:
    path = tmp_path / "portfolio.toml"
    save_portfolio(path, version(0))
    save_portfolio(path, version(0))  # so there is a backup from the start
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    on_disk = 0
    kills = 0
    torn: set[str] = set()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline or kills < 10:
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(path), str(on_disk + 1)],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert child.stdout is not None
        assert child.stdout.readline() == "ready\n", "the child did not start"
        seen: list[str] = []
        if kills % 2:
            time.sleep(rng.uniform(0, 0.4))  # anywhere in a save, or between two
        else:
            # Aimed: a few milliseconds into the n-th write of the file.
            writes = rng.randint(1, 3)
            while writes:
                seen.append(child.stdout.readline())
                assert seen[-1], "the child stopped"
                writes -= seen[-1] == "writing\n"
            time.sleep(rng.uniform(0, 0.01))
        child.send_signal(signal.SIGKILL)
        child.wait()
        # A kill between creating the temporary file and renaming it leaves that file
        # behind (each child has its own pid, so its own name): proof the kill landed
        # mid-write. The next writer clears it, so look now.
        torn.update(p.name for p in tmp_path.glob(".portfolio.toml.*.tmp"))
        seen += child.stdout.read().splitlines()
        child.stdout.close()
        started = [int(line.split()[1]) for line in seen if line.startswith("start")]
        kills += 1
        now_on_disk = version_of(path)
        if started:
            # Every save before the last one finished; the last one did or did not.
            last = started[-1]
            assert now_on_disk in (last - 1, last), f"seed {seed}: {now_on_disk} vs {last}"
        else:
            assert now_on_disk == on_disk, f"seed {seed}"
        # Backups are dated and rotate (one a minute at most, see BACKUP_SPACING): each is a
        # whole version, never newer than the file.
        backups = backups_of(path)
        assert backups, f"seed {seed}: no backup"
        for backup in backups:
            assert version_of(backup) <= now_on_disk, f"seed {seed}: {backup.name}"
        on_disk = now_on_disk
    assert torn, f"no kill landed while a file was being written ({kills} kills, seed {seed})"
    assert on_disk > 0


def test_backup_holds_the_previous_version(tmp_path: Path) -> None:
    folder = tmp_path / "config"
    path = folder / "portfolio.toml"
    save_portfolio(path, version(1))
    assert backups_of(path) == []  # nothing came before
    save_portfolio(path, version(2))
    [backup] = backups_of(path)
    assert backup.read_text(encoding="utf-8") == portfolio_to_toml(version(1))
    assert version_of(path) == 2 and version_of(backup) == 1
    # A save within a minute of the last backup makes none: a burst of edits does not
    # push the older backups out.
    save_portfolio(path, version(3))
    assert backups_of(path) == [backup] and version_of(path) == 3
    # No temporary files are left behind by saves that finished (the lock file stays).
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["portfolio.toml", backup.name, "portfolio.toml.lock"]
    )
