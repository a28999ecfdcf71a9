"""Snapshots of what API sources add to the screens: the Add dialog (its hint and the Mine
box) with an account's address typed, and the Sources screen showing an account read
through its API, with the note of one that fell back to its RSS feed.

Regenerate with ``pytest --snapshot-update tests/ui/test_snapshots_apis.py`` and look at the
SVGs before accepting them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.ui.conftest import build_session, sample_portfolio
from tui.app import FolioApp
from tui.core.models import Source
from tui.core.session import Session

SnapCompare = Callable[..., bool]
LOCKED = "https://locked.example/@ana"


@pytest.fixture
def with_accounts(tmp_path: Path) -> Iterator[Session]:
    portfolio = sample_portfolio()
    portfolio.sources += [
        Source("https://bsky.app/profile/ana.example", "Ana (@ana.example)", "social",
               ["bluesky"], mine=True, api="bluesky"),
        Source(LOCKED, "Ana (@ana@locked.example)", "social", ["mastodon"], api="mastodon"),
    ]  # fmt: skip
    session = build_session(tmp_path / "portfolio", portfolio)
    state = session.store.state(LOCKED)
    state.error = (
        "locked.example's API needs a token (401): reading @ana's RSS feed instead, without"
        " counts; a mastodon_token for locked.example in credentials.toml lets folio use the API"
    )
    session.store.save_state(state)
    yield session
    session.close()


def test_add_dialog_with_an_account(snap_compare: SnapCompare, with_accounts: Session) -> None:
    app = FolioApp(with_accounts, auto_refresh=False)
    assert snap_compare(app, terminal_size=(80, 24), press=["4", "a", *"@ana@social.example"])


def test_sources_with_a_note(snap_compare: SnapCompare, with_accounts: Session) -> None:
    app = FolioApp(with_accounts, auto_refresh=False)
    press = ["4", *["j"] * (len(with_accounts.sources) - 1)]
    assert snap_compare(app, terminal_size=(120, 40), press=press)
