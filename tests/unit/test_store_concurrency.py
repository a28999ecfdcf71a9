"""Creating and migrating folio.db when several processes start at once, with real
processes on a real file: none may fail with "table sources already exists" or a lock."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tui.core.storage.store import MIGRATIONS, Store, migration_statements

REPO = Path(__file__).resolve().parents[2]

# Each process waits for the same moment, then opens the store: their starts (imports,
# interpreter) differ by tens of milliseconds, which would otherwise keep them apart.
OPEN_AT = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    start = float(sys.argv[2])
    while time.time() < start:
        pass
    from tui.core.storage.store import Store
    with Store(Path(sys.argv[1])) as store:
        store.states()
    """
)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO)
    return env


def test_migration_statements_keep_a_trigger_whole() -> None:
    statements = migration_statements(MIGRATIONS[4])
    assert len(statements) == 2
    assert statements[1].startswith("CREATE TRIGGER") and statements[1].endswith("END;")
    assert all(sqlite3.complete_statement(s) for s in statements)
    with pytest.raises(ValueError, match="incomplete"):
        migration_statements("CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 1;")


@pytest.mark.parametrize("processes", [2, 8])
def test_processes_creating_a_new_store_at_once_all_succeed(tmp_path: Path, processes: int) -> None:
    rounds = 10 if processes == 2 else 6
    failures: list[str] = []
    for number in range(rounds):
        db = tmp_path / f"round{number}" / "folio.db"
        start = time.time() + 0.5
        running = [
            subprocess.Popen(
                [sys.executable, "-c", OPEN_AT, str(db), repr(start)],
                env=_env(),
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(processes)
        ]
        for process in running:
            _, err = process.communicate(timeout=60)
            if process.returncode:
                failures.append(err.strip().splitlines()[-1])
        with Store(db) as store:
            assert store.schema_version == len(MIGRATIONS)
    assert failures == []


def test_folio_commands_started_together_on_a_new_store(tmp_path: Path) -> None:
    """The commands themselves, as a user's scripts would start them."""
    env = _env()
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    (tmp_path / "config" / "folio").mkdir(parents=True)
    (tmp_path / "config" / "folio" / "portfolio.toml").write_text(
        '[[sources]]\nurl = "https://blog.example/feed"\n'
    )
    failures: list[str] = []
    for number in range(3):
        env["XDG_DATA_HOME"] = str(tmp_path / f"data{number}")
        running = [
            subprocess.Popen(
                [sys.executable, "-m", "tui", command],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for command in ("items", "sources", "matrix", "roadmap", "items", "sources")
        ]
        for process in running:
            _, err = process.communicate(timeout=60)
            if process.returncode:
                failures.append(err.strip())
    assert failures == []
