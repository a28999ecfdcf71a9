"""Snapshots of the Sources screen (120×40 and 80×24) and the help screen (80×24).

The session's clock is frozen (tests/ui/conftest.py), so "5m ago" and the Retry-After
countdown draw the same every run. Regenerate with ``pytest --snapshot-update`` and look
at the SVGs before accepting them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.ui.conftest import FIXED_NOW, SOURCES, build_session
from tui.app import FolioApp
from tui.core.session import Session

SnapCompare = Callable[..., bool]


@pytest.fixture
def health(tmp_path: Path) -> Iterator[Session]:
    """The fixed portfolio with the states a user meets: ok, 304, an error with a wait."""
    session = build_session(tmp_path / "portfolio")
    failing = session.store.state(SOURCES[3].url)
    failing.status, failing.http_status, failing.failures = "error", 429, 2
    failing.error = "the server asked folio to slow down (429 Too Many Requests)"
    failing.retry_after = FIXED_NOW + dt.timedelta(minutes=4, seconds=32)
    failing.next_due = failing.retry_after
    session.store.save_state(failing)
    quiet = session.store.state(SOURCES[1].url)
    quiet.status, quiet.not_modified, quiet.fetches = "not-modified", 9, 10
    session.store.save_state(quiet)
    yield session
    session.close()


def app_for(session: Session) -> FolioApp:
    return FolioApp(session, auto_refresh=False)


def test_sources_wide(snap_compare: SnapCompare, health: Session) -> None:
    assert snap_compare(app_for(health), terminal_size=(120, 40), press=["4", "j", "j", "j"])


def test_sources_small(snap_compare: SnapCompare, health: Session) -> None:
    assert snap_compare(app_for(health), terminal_size=(80, 24), press=["4", "j"])


def test_help_small(snap_compare: SnapCompare, health: Session) -> None:
    assert snap_compare(app_for(health), terminal_size=(80, 24), press=["4", "question_mark"])
