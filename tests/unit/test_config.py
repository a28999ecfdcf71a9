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
    assert "[apis]" in text
    for key in Settings().apis.__dataclass_fields__:
        assert f"\n{key} =" in text, key


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
        ('[apis]\nbluesky = "ftp://x"\n', 2, "apis.bluesky", "http:// or https:// address"),
        ('[apis]\ngithub = "api.github.com"\n', 2, "apis.github", "http:// or https://"),
        ("[apis]\nrecent_days = 0\n", 2, "apis.recent_days", "more than zero"),
        ('[apis]\nmastodon = "https://x"\n', 2, "apis.mastodon", "unknown key"),
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


def test_api_addresses_are_read_without_a_trailing_slash(tmp_path: Path) -> None:
    text = '[apis]\nbluesky = "http://127.0.0.1:8080/"\nmax_pages = 3\n'
    settings = parse_settings(text, tmp_path / "s.toml")
    assert settings.apis.bluesky == "http://127.0.0.1:8080"
    assert settings.apis.max_pages == 3
    assert settings.apis.github == "https://api.github.com"


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


# -- [bookmarks] ------------------------------------------------------------------------


def test_bookmarks_section_is_read_and_documented(tmp_path: Path) -> None:
    text = '[bookmarks]\nservice = "linkding"\nurl = "https://links.example.org"\n'
    settings = parse_settings(text, tmp_path / "s.toml")
    assert settings.bookmarks.enabled and settings.bookmarks.label == "linkding"
    assert settings.bookmarks.base_url == "https://links.example.org/"
    pinboard = parse_settings('[bookmarks]\nservice = "pinboard"\n', tmp_path / "s.toml")
    assert pinboard.bookmarks.base_url == "https://api.pinboard.in/v1/"
    shipped = (REPO / "config" / "settings.toml").read_text()
    for key in Settings().bookmarks.__dataclass_fields__:
        assert f"\n{key} =" in shipped.split("[bookmarks]", 1)[1], key
    assert "FOLIO_BOOKMARKS_TOKEN" in shipped


@pytest.mark.parametrize(
    ("text", "line", "key", "words"),
    [
        ('[bookmarks]\n\nservice = "delicious"\n', 3, "bookmarks.service", "unknown service"),
        (
            '[bookmarks]\nservice = "shaarli"\nurl = "ftp://links.example"\n',
            3,
            "bookmarks.url",
            "web address",
        ),
        ('[bookmarks]\nservice = "linkding"\n', 2, "bookmarks.service", "needs its address"),
        (
            '[bookmarks]\nservice = "linkding"\nurl = "https://x.example/?a=1"\n',
            3,
            "bookmarks.url",
            "without ?query",
        ),
        ('[bookmarks]\nservice = "pinboard"\nuser = "ana:tok"\n', 3, "bookmarks.user", "colon"),
        ('[bookmarks]\ntoken = "x"\n', 2, "bookmarks.token", "unknown key"),
    ],
)
def test_bad_bookmark_settings_are_refused_with_file_line_and_key(
    tmp_path: Path, text: str, line: int, key: str, words: str
) -> None:
    path = tmp_path / "settings.toml"
    with pytest.raises(ConfigError) as caught:
        parse_settings(text, path)
    assert caught.value.line == line and caught.value.key == key
    assert words in str(caught.value)
    assert str(caught.value).startswith(f"{path}:{line}: {key}: ")
