"""The app and a database it cannot use: damaged (it stops, says so and what to do, exit 2),
or on a full disk (it says so in a notification and the status bar, and keeps running).

A full disk is made with a fault seam here: the store's connection raises the error SQLite
raises on a full disk ("database or disk is full"). tests/unit/test_full_disk.py fills a
real one where a tmpfs can be mounted.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static

from tests.damage import DAMAGE, fill_store, source_url
from tests.ui.conftest import build_session, notices, wait_for
from tui.app import FolioApp, run_app
from tui.core.config import Settings
from tui.core.models import Source
from tui.core.session import Session
from tui.core.storage import paths
from tui.core.storage.portfolio import Portfolio, save_portfolio
from tui.core.storage.store import Store, StoreDamaged
from tui.core.storage.workspace import Workspace
from tui.screens.dashboard import DashboardScreen
from tui.screens.store_damaged import StoreDamagedScreen

pytest_plugins = ["httpserver"]


class FullDisk:
    """A store connection on a disk with no room left: reads work, writes fail as
    SQLite's do."""

    error: Exception = sqlite3.OperationalError("database or disk is full")
    verbs: tuple[str, ...] = ("INSERT", "UPDATE", "DELETE", "COMMIT")

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def _check(self, sql: str) -> None:
        if sql.lstrip().upper().startswith(self.verbs):
            raise self.error

    def execute(self, sql: str, *args: Any) -> Any:
        self._check(sql)
        return self._db.execute(sql, *args)

    def executemany(self, sql: str, *args: Any) -> Any:
        self._check(sql)
        return self._db.executemany(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)


def damaged_workspace(root: Path, kind: str) -> Workspace:
    db = root / "folio.db"
    fill_store(db, sources=6, items=100)
    portfolio = Portfolio(sources=[Source(source_url(n)) for n in range(6)])
    save_portfolio(root / "portfolio.toml", portfolio)
    DAMAGE[kind](db)
    return Workspace(root / "portfolio.toml", db, Settings())


@pytest.mark.parametrize("kind", ["index", "items-table"])
async def test_a_store_damaged_where_the_dashboard_reads_stops_the_app_in_words(
    tmp_path: Path, kind: str
) -> None:
    workspace = damaged_workspace(tmp_path, kind)
    session = Session(workspace)  # the file opens: the damage is further in
    app = FolioApp(session, auto_refresh=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(
            pilot, lambda: isinstance(app.screen, StoreDamagedScreen), "the damage to be shown"
        )
        await pilot.pause()
        shown = " ".join(str(s.render()) for s in app.screen.query(Static))
        assert "The database is damaged." in shown and str(workspace.db_path) in shown
        assert "run 'folio repair'" in shown
        await pilot.press("q")
        await wait_for(pilot, lambda: not app.is_running, "the app to stop")
    assert isinstance(app.store_failure, StoreDamaged)
    assert app.return_code == 2
    said = str(app.store_failure)  # what run_app prints once the terminal is back
    assert said.startswith(f"the database {workspace.db_path} is damaged")
    assert "Run 'folio repair'" in said


async def test_a_store_damaged_later_stops_the_app_when_met(tmp_path: Path) -> None:
    """Damage found after start-up, by a key that writes (the page it writes is damaged)."""
    workspace = damaged_workspace(tmp_path, "wal")  # sound: the log's bad frames are ignored
    session = Session(workspace)
    app = FolioApp(session, auto_refresh=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await pilot.pause()

        damaged = FullDisk(session.store._db)
        damaged.error = sqlite3.DatabaseError("database disk image is malformed")
        damaged.verbs = ("UPDATE", "BEGIN")
        session.store._db = damaged  # type: ignore[assignment]
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, StoreDamagedScreen), "the screen")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not app.is_running, "the app to stop")
    assert isinstance(app.store_failure, StoreDamaged) and app.return_code == 2


async def test_damage_met_by_any_handler_is_shown_not_a_traceback(tmp_path: Path) -> None:
    """A read in a key handler that meets damage raises out of it: Textual hands the error
    to the app, which shows the damage instead of a traceback."""
    session = build_session(tmp_path / "p")
    app = FolioApp(session, auto_refresh=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
        problem = StoreDamaged("the database x is damaged", session.workspace.db_path, "bad")
        with app.screen._context():  # as if the dashboard's own handler had raised it
            app._handle_exception(problem)
        await wait_for(pilot, lambda: isinstance(app.screen, StoreDamagedScreen), "the screen")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not app.is_running, "the app to stop")
    assert app.return_code == 2 and app.store_failure is problem


def test_run_app_on_a_store_that_is_not_a_database_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    paths.portfolio_path().parent.mkdir(parents=True)
    save_portfolio(paths.portfolio_path(), Portfolio(sources=[Source(source_url(0))]))
    db = paths.db_path()
    db.parent.mkdir(parents=True)
    fill_store(db, sources=1, items=10)
    DAMAGE["header"](db)
    assert run_app() == 2
    err = capsys.readouterr().err
    assert err.startswith(f"folio: the database {db} is damaged (file is not a database)")
    assert "Traceback" not in err and err.count("\n") == 1


async def test_a_full_disk_while_triaging_is_said_and_the_app_goes_on(tmp_path: Path) -> None:
    session = build_session(tmp_path / "p")
    app = FolioApp(session, auto_refresh=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await pilot.pause()
        session.store._db = FullDisk(session.store._db)  # type: ignore[assignment]
        await pilot.press("s")
        await wait_for(pilot, lambda: bool(notices(app)), "a notification")
        [said] = [n for n in notices(app) if "full" in n]
        assert f"the disk holding the database {session.workspace.db_path} is full" in said
        assert app.refresh_status == "Not saved: the disk is full"
        # Nothing changed, on the screen or in the store, and the app still answers keys.
        session.store._db = session.store._db._db  # type: ignore[attr-defined]
        assert not any(item.starred for item in session.store.items())
        await pilot.press("j", "s")
        await wait_for(pilot, lambda: any(i.starred for i in session.store.items()), "a star")
        assert app.is_running


async def test_a_full_disk_during_a_refresh_is_said_in_the_app(
    tmp_path: Path, http_server: Any
) -> None:
    http_server.route("/a", body=http_server.rss("A", items=5))
    http_server.route("/b", body=http_server.rss("B", items=5))
    portfolio = Portfolio(sources=[Source(http_server.url("/a")), Source(http_server.url("/b"))])
    save_portfolio(tmp_path / "portfolio.toml", portfolio)
    Store(tmp_path / "folio.db").close()
    session = Session(Workspace(tmp_path / "portfolio.toml", tmp_path / "folio.db", Settings()))
    session.store._db = FullDisk(session.store._db)  # type: ignore[assignment]
    app = FolioApp(session, auto_refresh=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
        app.start_refresh()
        await wait_for(pilot, lambda: not app.refreshing, "the refresh to stop")
        assert app.refresh_status == "Refresh stopped: the disk is full"
        [said] = [n for n in notices(app) if "full" in n]
        assert f"the disk holding the database {session.workspace.db_path} is full" in said
        assert app.is_running


def test_damage_helpers_make_the_file_unreadable(tmp_path: Path) -> None:
    """A check on the helper the tests above rely on."""
    db = tmp_path / "folio.db"
    fill_store(db, sources=2, items=20)
    copy = tmp_path / "copy.db"
    shutil.copyfile(db, copy)
    DAMAGE["items-table"](copy)
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(copy).execute("SELECT * FROM items").fetchall()
