"""Settings only the app can check are refused like every settings mistake, with the
file, line and key: a [keys] rebinding that leaves an action with no key, and a theme
that does not exist."""

from __future__ import annotations

import pytest

from tui.app import check_ui_settings, run_app
from tui.core.config import ConfigError, load_settings
from tui.core.storage import paths
from tui.keys import keymap_problems


def settings_file(text: str) -> None:
    path = paths.settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_a_key_taken_from_an_action_that_keeps_none_is_refused() -> None:
    # "r" marks read on the dashboard; star = "r" would leave toggle_read with no key.
    settings_file('[ui]\ntheme = "nord"\n\n[keys]\nstar = "r"\n')
    with pytest.raises(ConfigError) as caught:
        check_ui_settings(load_settings(paths.settings_path()), paths.settings_path())
    error = caught.value
    assert (error.line, error.key) == (5, "keys.star")
    assert "takes 'r' from toggle_read" in str(error) and "no key left" in str(error)
    assert str(error).startswith(f"{paths.settings_path()}:5: keys.star: ")


def test_rebinding_both_keeps_every_action_usable() -> None:
    assert keymap_problems({"star": "r", "toggle_read": "x"}) == []
    assert keymap_problems({"move_down": "j,ctrl+n"}) == []
    # A key that one screen binds may be given to an action of another screen.
    assert keymap_problems({"timeline": "v"}) == []
    # But not to a second action where both are bound: n is "new" on the matrix and the
    # roadmap, and each says so.
    problems = keymap_problems({"delete": "n"})
    assert [action for action, _ in problems] == ["delete", "delete"]
    assert all("takes 'n' from new" in message for _, message in problems)
    assert "matrix" in problems[0][1] and "roadmap" in problems[1][1]


def test_an_unknown_theme_is_refused_with_its_line(capsys: pytest.CaptureFixture[str]) -> None:
    settings_file('# mine\n[ui]\ntheme = "solarised"\n')
    with pytest.raises(ConfigError) as caught:
        check_ui_settings(load_settings(paths.settings_path()), paths.settings_path())
    assert (caught.value.line, caught.value.key) == (3, "ui.theme")
    assert "no theme is called 'solarised'" in str(caught.value) and "nord" in str(caught.value)
    # folio itself says so in one line and exits 2, before drawing anything.
    assert run_app(demo=True) == 2
    err = capsys.readouterr().err
    assert err.startswith("folio: ") and "ui.theme" in err and "Traceback" not in err
