from __future__ import annotations

from pathlib import Path

import pytest

from tui.core.config import (
    RANGES,
    ConfigError,
    Settings,
    _number,
    format_duration,
    load_settings,
    parse_duration,
    parse_interval,
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
        ("[refresh]\nmax_body_mb = 0\n", 2, "refresh.max_body_mb", "from 1 to 1024 MB, not 0"),
        ("[ui]\ntheme = 3\n", 2, "ui.theme", "string"),
        ('[keys]\nstra = "S"\n', 2, "keys.stra", "unknown action"),
        ("[colours]\nx = 1\n", 1, "colours", "unknown section"),
        ('[apis]\nbluesky = "ftp://x"\n', 2, "apis.bluesky", "http:// or https:// address"),
        ('[apis]\ngithub = "api.github.com"\n', 2, "apis.github", "http:// or https://"),
        ("[apis]\nrecent_days = 0\n", 2, "apis.recent_days", "from 1 to 3660 days, not 0"),
        ('[apis]\nmastodon = "https://x"\n', 2, "apis.mastodon", "unknown key"),
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


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("timeout = nan", "timeout: must be a number from 0.1 to 600 seconds, not nan"),
        ("timeout = inf", "timeout: must be a number from 0.1 to 600 seconds, not inf"),
        ("timeout = -inf", "not -inf"),
        ("timeout = -0.0", "not -0.0"),
        ("timeout = 1e300", "not 1e+300"),
        ("timeout = 0.01", "not 0.01"),
        ("connect_timeout = nan", "connect_timeout: must be a number from 0.1 to 600 seconds"),
        ("max_connections = 100000000", "a whole number from 1 to 1024, not 100000000"),
        ("max_connections = " + "9" * 400, "from 1 to 1024, not 99999999999999999999…"),
        ("max_per_host = 0", "a whole number from 1 to 64, not 0"),
        ("max_body_mb = 1048576", "from 1 to 1024 MB"),
        ("processes = -1", "from 0 to 64 (0: one per core), not -1"),
        ('interval = "1e300w"', "from 1m (a minute) to 366d (a year), not '1e300w'"),
        ('interval = "100000000000000000000w"', "from 1m (a minute) to 366d (a year)"),
        ('interval = "' + "9" * 400 + 'w"', "from 1m (a minute) to 366d (a year)"),
        ('interval = "30s"', "not '30s'"),
        ('interval = "53w"', "not '53w'"),
    ],
)
def test_absurd_and_non_finite_numbers_are_refused_with_the_range(
    tmp_path: Path, line: str, words: str
) -> None:
    path = tmp_path / "settings.toml"
    with pytest.raises(ConfigError) as caught:
        parse_settings(f"# folio\n[refresh]\n{line}\n", path)
    key = line.split(" =")[0]
    assert str(caught.value).startswith(f"{path}:3: refresh.{key}: ")
    assert words in str(caught.value)


@pytest.mark.parametrize(
    "line",
    [
        "timeout = 0.1",
        "timeout = 600",
        "connect_timeout = 600.0",
        "max_connections = 1024",
        "max_per_host = 64",
        "max_body_mb = 1024",
        "processes = 0",
        'interval = "1m"',
        'interval = "60s"',
        'interval = "366d"',
        'interval = "52w"',
    ],
)
def test_the_ends_of_each_range_are_allowed(tmp_path: Path, line: str) -> None:
    parse_settings(f"[refresh]\n{line}\n", tmp_path / "settings.toml")


def test_the_shipped_settings_file_states_every_range() -> None:
    """config/settings.toml documents the same ranges the loader enforces."""
    text = (Path(__file__).resolve().parents[2] / "config" / "settings.toml").read_text()
    settings = parse_settings(text, Path("settings.toml"))
    assert settings == Settings()
    for key, (low, high, _unit) in RANGES.items():
        stated = f"{key}: {_number(low)} to {_number(high)}"
        assert stated in text, stated
    assert "1m (a minute) to 366d (a year)" in text


def test_intervals() -> None:
    assert parse_interval("1m") == 60
    assert parse_interval("366d") == 366 * 86400
    for bad in ("59s", "367d", "1e300w", "nan", "inf", float("nan"), float("inf"), 10**400):
        with pytest.raises(ValueError, match="a year"):
            parse_interval(bad)
    with pytest.raises(ValueError, match="finite"):
        parse_duration(float("inf"))
    with pytest.raises(ValueError, match="finite"):
        parse_duration("9" * 400)


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


@pytest.mark.parametrize(
    "interval", ["100000000000000000000w", "1e20w", "30s", "400d", "9" * 400 + "w"]
)
def test_a_source_interval_out_of_range_is_refused_with_file_line_and_key(
    tmp_path: Path, interval: str
) -> None:
    from tui.core.storage.portfolio import load_portfolio

    path = tmp_path / "portfolio.toml"
    path.write_text(
        '[[sources]]\nurl = "https://a.example/feed"\n\n'
        f'[[sources]]\nurl = "https://b.example/feed"\ninterval = "{interval}"\n'
    )
    with pytest.raises(ConfigError) as caught:
        load_portfolio(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:6: sources[1].interval: ")
    assert "from 1m (a minute) to 366d (a year)" in message


def test_a_source_made_in_code_with_an_absurd_interval_gets_the_default() -> None:
    """The scheduler never overflows, whatever a Source holds."""
    import datetime as dt

    from tui.core.models import Source, SourceState
    from tui.core.refresh.schedule import next_due, source_interval

    seconds = source_interval(Source("https://a.example/feed", interval="9" * 30 + "w"), 1800)
    assert seconds == 1800
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert next_due(SourceState(url="u", failures=10**6), seconds, now) > now


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
