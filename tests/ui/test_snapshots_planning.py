"""Snapshots of the matrix, the roadmap and its timeline, and their forms, at 120×40 and 80×24.

Update with ``pytest tests/ui/test_snapshots_planning.py --snapshot-update`` and look at
the SVGs (or the app in a terminal of that size) before committing them.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from tests.ui.conftest import wait_for
from tui.app import FolioApp
from tui.core.session import Session
from tui.screens.matrix import MatrixScreen
from tui.screens.planning_forms import ExperimentForm, MatrixEntryForm
from tui.screens.roadmap import RoadmapScreen

SIZES = [(120, 40), (80, 24)]


def opened(keys: list[str], screen: type, *, then: list[str] | None = None) -> Any:
    """A ``run_before`` that presses ``keys``, waits for ``screen``, then presses ``then``."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.press(*keys)
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, screen))
        await wait_for(pilot, lambda: pilot.app.screen.focused is not None)
        if then:
            await pilot.press(*then)
        # A blinking cursor could be caught in either phase; hold it still.
        for widget in pilot.app.screen.query("Input, TextArea"):
            widget.cursor_blink = False  # type: ignore[attr-defined]
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_matrix(snap_compare: Any, session: Session, size: tuple[int, int]) -> None:
    app = FolioApp(session, auto_refresh=False)
    assert snap_compare(app, terminal_size=size, run_before=opened(["2"], MatrixScreen))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_roadmap(snap_compare: Any, session: Session, size: tuple[int, int]) -> None:
    app = FolioApp(session, auto_refresh=False)
    assert snap_compare(app, terminal_size=size, run_before=opened(["3"], RoadmapScreen))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_roadmap_timeline(snap_compare: Any, session: Session, size: tuple[int, int]) -> None:
    app = FolioApp(session, auto_refresh=False)
    run_before = opened(["3"], RoadmapScreen, then=["t"])
    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_matrix_form_fits_80x24(snap_compare: Any, session: Session) -> None:
    app = FolioApp(session, auto_refresh=False)
    run_before = opened(["2", "enter"], MatrixEntryForm)
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_experiment_form_fits_80x24(snap_compare: Any, session: Session) -> None:
    app = FolioApp(session, auto_refresh=False)
    run_before = opened(["3", "enter"], ExperimentForm)
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_roadmap_60_columns(snap_compare: Any, session: Session) -> None:
    """At 60 columns the lanes sit two by two, so titles and dates wrap between words."""
    app = FolioApp(session, auto_refresh=False)
    assert snap_compare(app, terminal_size=(60, 30), run_before=opened(["3"], RoadmapScreen))


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_vision_form(snap_compare: Any, session: Session, size: tuple[int, int]) -> None:
    from tui.screens.planning_forms import VisionForm

    app = FolioApp(session, auto_refresh=False)
    run_before = opened(["3", "w"], VisionForm)
    assert snap_compare(app, terminal_size=size, run_before=run_before)
