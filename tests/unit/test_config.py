from __future__ import annotations

from pathlib import Path

import pytest

from tui.core.config import (
    ConfigError,
    Settings,
    format_duration,
    load_settings,
    parse_duration,
    parse_settings,
)

REPO = Path(__file__).resolve().parents[2]


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "settings.toml")
    assert settings == Settings()
    assert settings.refresh.max_connections == 32
    assert settings.refresh.max_per_host == 4
    assert settings.refresh.max_body_mb == 16
    assert settings.refresh.interval_seconds == 1800
    assert settings.refresh.auto is True


def test_shipped_settings_file_documents_every_default() -> None:
    shipped = REPO / "config" / "settings.toml"
    settings = load_settings(shipped)
    assert settings == Settings()
    text = shipped.read_text()
    for key in Settings().refresh.__dataclass_fields__:
        assert f"{key} =" in text, key


def test_values_are_read(tmp_path: Path) -> None:
    text = '[refresh]\nmax_connections = 8\ntimeout = 5\ninterval = "2h"\nauto = false\n'
    settings = parse_settings(text, tmp_path / "s.toml")
    assert settings.refresh.max_connections == 8
    assert settings.refresh.timeout == 5.0
    assert settings.refresh.interval_seconds == 7200
    assert settings.refresh.auto is False


@pytest.mark.parametrize(
    ("text", "line", "key", "words"),
    [
        ('[refresh]\nmax_connections = "x"\n', 2, "refresh.max_connections", "whole number"),
        ("[refresh]\n\nmax_per_hots = 3\n", 3, "refresh.max_per_hots", "unknown key"),
        ("[refresh]\nauto = 1\n", 2, "refresh.auto", "true or false"),
        ('[refresh]\ninterval = "soon"\n', 2, "refresh.interval", "duration"),
        ("[refresh]\nmax_body_mb = 0\n", 2, "refresh.max_body_mb", "more than zero"),
        ("[ui]\ntheme = 3\n", 2, "ui.theme", "string"),
        ('[keys]\nstra = "S"\n', 2, "keys.stra", "unknown action"),
        ("[colours]\nx = 1\n", 1, "colours", "unknown section"),
        ('[output]\nwindow = "a while"\n', 2, "output.window", "duration"),
        ('[output]\nwindows = "9d"\n', 2, "output.windows", "unknown key"),
    ],
)
def test_mistakes_name_file_line_and_key(
    tmp_path: Path, text: str, line: int, key: str, words: str
) -> None:
    path = tmp_path / "settings.toml"
    with pytest.raises(ConfigError) as caught:
        parse_settings(text, path)
    error = caught.value
    assert error.line == line
    assert error.key == key
    assert words in str(error)
    assert str(error).startswith(f"{path}:{line}: {key}: ")


def test_syntax_error_has_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings("[refresh]\nmax_connections = \n", tmp_path / "s.toml")
    assert caught.value.line == 2
    assert "not valid TOML" in str(caught.value)


def test_durations() -> None:
    assert parse_duration("90s") == 90
    assert parse_duration("30m") == 1800
    assert parse_duration("1.5h") == 5400
    assert parse_duration(45) == 45
    for bad in ("", "m", "-3m", "3 years", True):
        with pytest.raises(ValueError):
            parse_duration(bad)  # type: ignore[arg-type]
    # Cached, but a bool is never taken for the number it equals.
    assert parse_duration(1) == 1
    with pytest.raises(ValueError):
        parse_duration(True)
    assert format_duration(1800) == "30m"
    assert format_duration(7200) == "2h"
    assert format_duration(90) == "90s"
