"""A damaged folio.db: every command says so in words (where, and what to do) and exits 2;
``folio repair`` keeps what can be read. Real SQLite files, damaged as tests/damage.py
describes (random bytes in the middle, cut off, header, an index, a table's root, the log).
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.damage import DAMAGE, fill_store, marks, source_url
from tui.__main__ import main
from tui.core.storage import paths
from tui.core.storage.repair import check_store
from tui.core.storage.store import Store, StoreDamaged

pytest_plugins = ["httpserver"]

TOTAL = 2000
COMMANDS = [
    ["items"],
    ["items", "--json"],
    ["items", "--unread"],
    ["sources"],
    ["sources", "--json"],
    ["matrix"],
    ["matrix", "--json"],
    ["roadmap"],
    ["roadmap", "--json"],
    ["export"],
]
# Damage every listing of items meets (the others may hit pages no command reads).
ALWAYS_MET = {"middle", "truncated", "header", "not-a-database", "items-table"}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One filled store, copied for each test (filling it takes a second)."""
    path = tmp_path_factory.mktemp("template") / "folio.db"
    fill_store(path)
    return path


@pytest.fixture
def damaged_store(request: pytest.FixtureRequest, template: Path) -> Path:
    paths.portfolio_path().parent.mkdir(parents=True, exist_ok=True)
    paths.portfolio_path().write_text(
        "".join(f'[[sources]]\nurl = "{source_url(n)}"\n' for n in range(10))
        + '[[matrix]]\nid = "feeds"\nname = "Feeds"\nvalue = 4\neffort = 2\n'
    )
    db = paths.db_path()
    db.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, db)
    DAMAGE[request.param](db)
    return db


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def assert_says_damaged(db: Path, err: str) -> None:
    assert err.startswith("folio: ") and err.count("\n") == 1, err
    assert f"the database {db} is damaged" in err
    assert "Run 'folio repair'" in err


@pytest.mark.parametrize("damaged_store", list(DAMAGE), indirect=True)
def test_every_command_works_or_says_the_database_is_damaged(
    damaged_store: Path, capsys: pytest.CaptureFixture[str], request: pytest.FixtureRequest
) -> None:
    kind = request.node.callspec.params["damaged_store"]
    said = []
    for argv in COMMANDS:
        status, _, err = run(capsys, *argv)
        assert status in (0, 2), (argv, err)
        if status == 2:
            assert_says_damaged(damaged_store, err)
            said.append(argv[0])
    if kind in ALWAYS_MET:
        assert "items" in said


@pytest.mark.parametrize("damaged_store", ["middle"], indirect=True)
def test_a_damaged_store_in_a_real_process_is_one_line_and_exit_2(damaged_store: Path) -> None:
    for command in (["items"], ["items", "--json"]):
        result = subprocess.run(
            [sys.executable, "-m", "tui", *command], capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 2
        assert "Traceback" not in result.stderr
        assert_says_damaged(damaged_store, result.stderr)


@pytest.mark.parametrize(
    ("damaged_store", "at_least"),
    [
        ("middle", 0.95),
        ("truncated", 0.45),
        ("header", 1.0),
        ("index", 1.0),
        ("items-table", 1.0),
        ("not-a-database", 0.0),
        ("wal", 1.0),
    ],
    indirect=["damaged_store"],
)
def test_repair_keeps_what_can_be_read_and_the_damaged_file(
    damaged_store: Path, at_least: float, capsys: pytest.CaptureFixture[str]
) -> None:
    before = damaged_store.read_bytes()
    status, out, err = run(capsys, "repair")
    assert status == 0, err
    backups = list(damaged_store.parent.glob("folio.db.damaged-*"))
    if "No damage found" in out:
        # Only a scribbled log can pass the check: SQLite ignores its frames from the
        # first damaged one on (their checksums fail), so the file itself is sound.
        assert backups == []
    else:
        [backup] = [b for b in backups if not b.name.endswith("-wal")]
        assert backup.read_bytes() == before, "the damaged file is kept exactly"
        assert f"The damaged file is kept as {backup}" in out
    assert check_store(damaged_store) == []
    with Store(damaged_store) as store:
        items = store.items()
        assert len(items) >= at_least * TOTAL
        if items:
            # What was read or starred stays so; the search index was rebuilt.
            ours = [item for item in items if not item.guid.startswith("late")]
            assert all(marks(item.guid) == (item.read, item.starred) for item in ours)
            assert any(item.read for item in items) and any(item.starred for item in items)
            assert store.search("onboarding")
    # Every command works again.
    for argv in COMMANDS:
        assert run(capsys, *argv)[0] == 0


@pytest.mark.parametrize("damaged_store", ["middle"], indirect=True)
def test_repair_tells_what_it_kept_and_lost(
    damaged_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, "repair")
    assert status == 0
    assert f"Damage found in {damaged_store}: " in out
    lines = [line.strip() for line in out.splitlines()]
    [items_line] = [line for line in lines if line.startswith("items: kept")]
    kept = int(items_line.split()[2].replace(",", ""))
    assert kept < TOTAL and f"of {TOTAL:,}; {TOTAL - kept:,} could not be read" in items_line
    with Store(damaged_store) as store:
        assert store.count() == kept
    assert "Run 'folio refresh'" in out


@pytest.mark.parametrize("damaged_store", ["items-table"], indirect=True)
def test_repair_reads_the_pages_a_damaged_root_hid(
    damaged_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The root page of the items table is gone, so no query reaches a single item: every
    one of them is found by reading the leaf pages one by one."""
    status, out, _ = run(capsys, "repair")
    assert status == 0
    assert f"items: kept {TOTAL:,}\n" in out
    with Store(damaged_store) as store:
        assert store.count() == TOTAL


def test_repair_does_not_bring_back_what_was_deleted(
    template: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Pages freed by deleting a source still hold its items (unless SQLite was built to
    zero them, as Debian's is: turned off here, as most builds have it); they stay deleted."""
    db = paths.db_path()
    db.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, db)
    with contextlib.closing(sqlite3.connect(db)) as raw:
        raw.execute("PRAGMA secure_delete=OFF")
        raw.execute("DELETE FROM items WHERE source IN (?, ?)", (source_url(0), source_url(5)))
        raw.commit()
        left = raw.execute("SELECT count(*) FROM items").fetchone()[0]
        assert raw.execute("PRAGMA freelist_count").fetchone()[0] > 0
    DAMAGE["items-table"](db)
    assert run(capsys, "repair")[0] == 0
    with Store(db) as store:
        assert store.count() == left
        assert not store.items(sources=[source_url(0), source_url(5)])


def test_repair_of_a_sound_store_changes_nothing(
    template: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = paths.db_path()
    db.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, db)
    before = db.read_bytes()
    status, out, _ = run(capsys, "repair")
    assert status == 0 and "No damage found" in out
    assert db.read_bytes() == before
    assert list(db.parent.iterdir()) == [db]


def test_repair_without_a_store_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "repair")
    assert status == 0 and "nothing to repair" in out
    assert not paths.db_path().exists()


@pytest.mark.parametrize("damaged_store", ["middle"], indirect=True)
def test_repair_waits_for_another_folio_to_close_the_store(
    damaged_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An app left open would go on writing to a file that is no longer folio.db."""
    before = damaged_store.read_bytes()
    other = sqlite3.connect(damaged_store)
    other.execute("SELECT count(*) FROM sources").fetchone()
    try:
        status, _, err = run(capsys, "repair")
    finally:
        other.close()
    assert status == 2
    assert "in use by another folio" in err and "Traceback" not in err
    assert damaged_store.read_bytes() == before
    assert not list(damaged_store.parent.glob("folio.db.*"))


@pytest.mark.parametrize("damaged_store", ["items-table"], indirect=True)
def test_refresh_into_a_damaged_store_stops_and_says_so(
    damaged_store: Path, http_server, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    """Before, the refresh said only "2 failed" and exited 0."""
    urls = []
    for number in range(2):
        http_server.route(f"/f{number}", body=http_server.rss(f"F{number}", items=5))
        urls.append(http_server.url(f"/f{number}"))
    paths.portfolio_path().write_text("".join(f'[[sources]]\nurl = "{u}"\n' for u in urls))
    status, out, err = run(capsys, "refresh")
    assert status == 2, out
    assert_says_damaged(damaged_store, err)
    assert "failed" not in out


@pytest.mark.parametrize("damaged_store", ["header"], indirect=True)
def test_opening_a_store_with_a_damaged_header_is_store_damaged(damaged_store: Path) -> None:
    with pytest.raises(StoreDamaged, match="file is not a database"):
        Store(damaged_store)
