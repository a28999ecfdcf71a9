"""Every test runs with its own XDG folders, so nothing touches the user's files or the repo."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("FOLIO_CORPUS") or REPO.parent / "shared" / "corpus")
"""The shared test corpus (``FOLIO_CORPUS`` overrides where it is looked for)."""
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def _isolated_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        folder = tmp_path / name.lower()
        folder.mkdir()
        monkeypatch.setenv(name, str(folder))
    monkeypatch.delenv("BROWSER", raising=False)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``corpus`` skip with a reason pytest's summary shows (``-rs`` is on),
    so a run without ../shared/corpus says what it did not test."""
    if CORPUS.is_dir():
        return
    skip = pytest.mark.skip(reason=f"needs the shared corpus, absent at {CORPUS}")
    for item in items:
        if "corpus" in item.keywords:
            item.add_marker(skip)
