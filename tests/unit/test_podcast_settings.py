"""The ``[podcasts]`` settings and a source's ``download`` key: read, checked, kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.core.config import ConfigError, PodcastSettings, Settings, load_settings, parse_settings
from tui.core.models import Source
from tui.core.podcasts.service import podcast_folder
from tui.core.storage.portfolio import Portfolio, parse_portfolio, portfolio_to_toml

REPO = Path(__file__).resolve().parents[2]


def test_defaults_and_the_shipped_file_agree() -> None:
    shipped = REPO / "config" / "settings.toml"
    assert load_settings(shipped).podcasts == PodcastSettings()
    text = shipped.read_text()
    for key in PodcastSettings.__dataclass_fields__:
        assert f"\n{key} =" in text, key
    defaults = PodcastSettings()
    assert defaults.max_downloads == 2
    assert defaults.player == ["mpv", "--no-video"]
    assert defaults.remove_played_seconds is None


def test_values_are_read(tmp_path: Path) -> None:
    text = (
        "[podcasts]\n"
        'folder = "~/Podcasts"\n'
        "max_downloads = 4\n"
        'player = ["vlc", "--intf", "dummy"]\n'
        'remove_played_after = "7d"\n'
    )
    settings = parse_settings(text, tmp_path / "settings.toml")
    assert settings.podcasts.max_downloads == 4
    assert settings.podcasts.player == ["vlc", "--intf", "dummy"]
    assert settings.podcasts.remove_played_seconds == 7 * 86400
    assert podcast_folder(settings, tmp_path) == Path.home() / "Podcasts"
    assert podcast_folder(Settings(), tmp_path) == tmp_path / "podcasts"


@pytest.mark.parametrize(
    ("text", "line", "key", "words"),
    [
        ("[podcasts]\nmax_downloads = 0\n", 2, "podcasts.max_downloads", "from 1 to 32"),
        ('[podcasts]\nplayer = "mpv --no-video"\n', 2, "podcasts.player", "list of strings"),
        ("[podcasts]\n\nplayer = []\n", 3, "podcasts.player", "as a list of strings"),
        ('[podcasts]\nplayer = ["mpv", 3]\n', 2, "podcasts.player", "list of strings"),
        ('[podcasts]\nremove_played_after = "later"\n', 2, "podcasts.remove_played_after", "0"),
        ("[podcasts]\nfolders = 1\n", 2, "podcasts.folders", "unknown key"),
    ],
)
def test_mistakes_name_the_line_and_key(
    tmp_path: Path, text: str, line: int, key: str, words: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings(text, tmp_path / "settings.toml")
    assert caught.value.line == line
    assert caught.value.key == key
    assert words in caught.value.message


def test_the_player_example_in_a_message_is_toml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings('[podcasts]\nplayer = "mpv"\n', tmp_path / "settings.toml")
    assert 'player = ["mpv", "--no-video"]' in str(caught.value)


def test_a_source_download_key_is_read_and_written_back(tmp_path: Path) -> None:
    text = (
        '[[sources]]\nurl = "https://cast.example/feed"\nkind = "podcast"\ndownload = "new"\n'
        '[[sources]]\nurl = "https://b.example/feed"\n'
    )
    portfolio = parse_portfolio(text, tmp_path / "portfolio.toml")
    assert portfolio.sources[0].downloads_new and portfolio.sources[0].download == "new"
    assert not portfolio.sources[1].downloads_new and portfolio.sources[1].download == ""
    again = parse_portfolio(portfolio_to_toml(portfolio), tmp_path / "portfolio.toml")
    assert again.sources == portfolio.sources
    assert 'download = "new"' in portfolio_to_toml(Portfolio(sources=[portfolio.sources[0]]))
    assert "download" not in portfolio_to_toml(Portfolio(sources=[Source("https://b.example")]))


def test_a_wrong_download_value_is_refused_with_its_line(tmp_path: Path) -> None:
    text = '[[sources]]\nurl = "https://cast.example/feed"\ndownload = "all"\n'
    with pytest.raises(ConfigError) as caught:
        parse_portfolio(text, tmp_path / "portfolio.toml")
    assert caught.value.line == 3
    assert caught.value.key == "sources[0].download"
    assert '"new"' in caught.value.message
