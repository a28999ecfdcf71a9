"""The sync tests' servers and folio homes, as pytest fixtures (``pytest_plugins =
["tests.syncservers"]``).

Loopback feed servers for the sync tests: Miniflux's API v1 and FreshRSS's Google Reader
API, answering as their documentation and code say. Neither can be installed here, so the
tests talk to these, on 127.0.0.1 only.

tests/fake_miniflux.py and tests/fake_freshrss.py say, with their sources, what each one
implements; tests/fakeserver.py how faults are made.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fake_freshrss import FreshRSSServer
from tests.fake_miniflux import MinifluxServer
from tests.fakeserver import LoopbackServer


class Home:
    """One folio on one machine: its own portfolio.toml, folio.db and settings, syncing
    with ``server`` through the same code the app and ``folio sync`` run."""

    __test__ = False

    def __init__(self, root: Path, server: LoopbackServer, *, token: str | None = None) -> None:
        from tui.core.config import parse_settings
        from tui.core.credentials import Credentials
        from tui.core.session import Session
        from tui.core.storage.portfolio import Portfolio, save_portfolio
        from tui.core.storage.workspace import Workspace

        self.root = root
        self.server = server
        root.mkdir(parents=True, exist_ok=True)
        self.settings_text = settings_for(server)
        settings_path = root / "settings.toml"
        settings_path.write_text(self.settings_text)
        self.workspace = Workspace(
            portfolio_path=root / "portfolio.toml",
            db_path=root / "folio.db",
            settings=parse_settings(self.settings_text, settings_path),
        )
        if not self.workspace.portfolio_path.exists():
            save_portfolio(self.workspace.portfolio_path, Portfolio())
        secret = token if token is not None else secret_for(server)
        self.credentials = Credentials({"sync_token": secret}, environ={})
        self.session = Session(self.workspace)
        self.closed = False

    @property
    def store(self) -> Any:
        return self.session.store

    async def sync(self) -> Any:
        from tui.core.net.fetch import Fetcher
        from tui.core.sync.reconcile import sync_once

        async with Fetcher(self.workspace.settings) as fetcher:
            report = await sync_once(
                self.store,
                self.workspace.settings,
                self.credentials,
                fetcher,
                self.session.sources,
                self.session.edit_synced_sources,
            )
        self.session.synced(report)
        return report

    async def flush(self) -> Any:
        """Send what waits now (as the app does soon after a key), whatever its back-off."""
        from tui.core.net.fetch import Fetcher
        from tui.core.services import send_outbox
        from tui.core.sync.common import SERVICE

        self.session.send_sync_now()
        async with Fetcher(self.workspace.settings) as fetcher:
            reports = await send_outbox(
                self.store, self.workspace.settings, self.credentials, fetcher
            )
        return next(r for r in reports if r.service == SERVICE)

    def item(self, url: str) -> Any:
        rows = self.store.query("SELECT id FROM items WHERE link = ?", (url,))
        assert len(rows) == 1, f"{len(rows)} items link to {url}"
        return self.store.item(rows[0][0])

    def items(self) -> list[Any]:
        return list(self.store.items())

    def waiting(self) -> int:
        rows = self.store.query("SELECT count(*) FROM outbox WHERE service = 'sync'")
        return int(rows[0][0])

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.session.close()


def settings_for(server: LoopbackServer) -> str:
    if isinstance(server, FreshRSSServer):
        return f'[sync]\nservice = "greader"\nurl = "{server.api_url()}"\nuser = "{server.user}"\n'
    return f'[sync]\nservice = "miniflux"\nurl = "{server.url()}"\n'


def secret_for(server: LoopbackServer) -> str:
    if isinstance(server, FreshRSSServer):
        return server.password
    assert isinstance(server, MinifluxServer)
    return server.token


@pytest.fixture
def make_home(tmp_path: Path) -> Iterator[Callable[..., Home]]:
    """Homes under the test's folder, closed at its end: ``make_home("a", server)``."""
    made: list[Home] = []

    def make(name: str, server: LoopbackServer, **options: Any) -> Home:
        home = Home(tmp_path / name, server, **options)
        made.append(home)
        return home

    yield make
    for home in made:
        home.close()


@pytest.fixture
def miniflux() -> Iterator[MinifluxServer]:
    server = MinifluxServer()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def freshrss() -> Iterator[FreshRSSServer]:
    server = FreshRSSServer()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(autouse=True)
def _fresh_sessions() -> Iterator[None]:
    """Logins are kept per process; each test starts without any."""
    from tui.core.sync.greader import _SESSIONS

    _SESSIONS.clear()
    yield
    _SESSIONS.clear()
