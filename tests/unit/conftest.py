"""Paths to the test data used by the parser tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CORPUS

REPO = Path(__file__).resolve().parents[2]
FEEDS = REPO / "tests" / "fixtures" / "feeds"


@pytest.fixture
def feeds_dir() -> Path:
    """Small feeds kept in the repository (tests/fixtures/feeds)."""
    return FEEDS


@pytest.fixture
def corpus_dir() -> Path:
    """The shared corpus beside the repository; the test is skipped when it is absent."""
    if not CORPUS.is_dir():
        pytest.skip(f"no corpus at {CORPUS}")
    return CORPUS
