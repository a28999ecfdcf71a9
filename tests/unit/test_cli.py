"""The command line, run in-process with the XDG folders in tmp_path."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tui.__main__ import main
from tui.core.models import ParsedFeed, ParsedItem, SourceState
from tui.core.storage import paths
from tui.core.storage.portfolio import load_portfolio
from tui.core.storage.store import Store

URLS_FILE = """\
# newsboat urls
https://blog.example/feed "hr" "~People Blog"
https://cast.example/rss podcasts "long listen"
query:Unread:unread = "yes"
https://blog.example/feed
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_help_runs_as_a_module() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tui", "--help"], capture_output=True, text=True, check=True
    )
    assert "usage: folio" in result.stdout
    for command in ("import", "add", "refresh", "items", "sources", "export"):
        assert command in result.stdout


def test_import_newsboat_urls_then_export_round_trips(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    urls = tmp_path / "urls"
    urls.write_text(URLS_FILE)
    status, out, _ = run(capsys, "import", str(urls))
    assert status == 0
    assert "Added 2 sources, skipped 1 duplicate." in out
    assert "People Blog" in out
    portfolio = load_portfolio(paths.portfolio_path())
    assert portfolio.sources[0].name == "People Blog"
    assert portfolio.sources[0].tags == ["hr"]

    exported = tmp_path / "export.opml"
    assert run(capsys, "export", "--output", str(exported))[0] == 0
    paths.portfolio_path().unlink()
    status, out, _ = run(capsys, "import", str(exported))
    assert status == 0 and "Added 2 sources" in out
    again = load_portfolio(paths.portfolio_path())
    assert again.sources == portfolio.sources
    # Importing the same file again adds nothing.
    assert "Added 0 sources, skipped 2 duplicates." in run(capsys, "import", str(exported))[1]


def test_import_of_a_missing_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(capsys, "import", str(tmp_path / "nope.opml"))
    assert status == 1
    assert err.startswith("folio: ") and err.count("\n") == 1
    assert "Traceback" not in err


def test_items_and_sources_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    urls = tmp_path / "urls"
    urls.write_text("https://blog.example/feed\n")
    run(capsys, "import", str(urls))
    with Store(paths.db_path()) as store:
        items = [ParsedItem(guid="g1", title="Hello", link="https://blog.example/1")]
        store.store_feed(
            SourceState(url="https://blog.example/feed", status="ok"),
            ParsedFeed(title="Blog", items=items),
        )
    status, out, _ = run(capsys, "items", "--json")
    assert status == 0
    [record] = [json.loads(line) for line in out.splitlines()]
    assert record["source"] == "https://blog.example/feed"
    assert record["guid"] == "g1" and record["title"] == "Hello"
    assert record["published"] is None and record["read"] is False
    assert record["starred"] is False and record["link"] == "https://blog.example/1"
    status, out, _ = run(capsys, "sources", "--json")
    [source] = [json.loads(line) for line in out.splitlines()]
    assert {"url", "name", "kind", "status", "error", "items"} <= set(source)
    assert source["items"] == 1 and source["status"] == "ok" and source["error"] is None
    assert run(capsys, "items", "--unread", "--source", "https://other.example")[1] == ""


@pytest.mark.parametrize("command", [["refresh"], ["items"], ["sources"], ["matrix"]])
def test_broken_settings_exit_2_and_file_untouched(
    capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    paths.config_dir().mkdir(parents=True)
    text = "[refresh]\nmax_connections = 'lots'\n"
    paths.settings_path().write_text(text)
    status, _, err = run(capsys, *command)
    assert status == 2
    assert err == (
        f"folio: {paths.settings_path()}:2: refresh.max_connections: "
        "expected a whole number, e.g. max_connections = 32\n"
    )
    assert paths.settings_path().read_text() == text


def test_broken_portfolio_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    paths.config_dir().mkdir(parents=True)
    text = 'vision = "x"\n\n[[sources]]\nurl = "ftp://x.example"\n'
    paths.portfolio_path().write_text(text)
    status, _, err = run(capsys, "sources")
    assert status == 2
    assert f"{paths.portfolio_path()}:4: sources[0].url: must be an http" in err
    assert paths.portfolio_path().read_text() == text


def test_unwritable_data_folder_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    paths.data_dir().parent.mkdir(parents=True, exist_ok=True)
    paths.data_dir().write_text("not a folder")
    status, _, err = run(capsys, "items")
    assert status == 2
    assert "cannot open the database" in err


def test_every_subcommand_is_known_as_headless() -> None:
    # console_main leaves without interpreter teardown only after a headless command.
    from tui.__main__ import _COMMANDS, build_parser

    parser = build_parser()
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert set(sub.choices) == _COMMANDS


def test_a_command_builds_only_its_own_parser_and_parses_the_same() -> None:
    from tui.__main__ import _command_in, build_parser

    [sub] = [a for a in build_parser("add")._actions if isinstance(a, argparse._SubParsersAction)]
    assert set(sub.choices) == {"add"}
    argv = ["--demo", "add", "https://example.com/feed", "--kind", "podcast", "--tag", "hr"]
    assert _command_in(argv) == "add"
    assert build_parser("add").parse_args(argv) == build_parser().parse_args(argv)
    # The first word naming a command is the command; a later one is its argument.
    assert _command_in(["import", "refresh"]) == "import"
    assert _command_in(["--help"]) is None


def test_an_unknown_command_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    from tui.__main__ import _COMMANDS, main

    with pytest.raises(SystemExit) as exit_info:
        main(["bogus"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'bogus'" in err
    assert all(f"'{name}'" in err for name in _COMMANDS)


def test_a_quiet_start_turns_the_collector_back_on_with_start_up_frozen() -> None:
    # console_main switches the garbage collector off for a headless command's start-up;
    # the refresh must switch it back on, or a long refresh would never free a cycle.
    import gc

    from tui.commands import _start_collecting

    assert gc.get_freeze_count() == 0
    _start_collecting()
    assert gc.isenabled() and gc.get_freeze_count() == 0  # on already: left alone
    gc.disable()
    try:
        _start_collecting()
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.enable()


def test_console_main_refreshes_with_the_collector_on(tmp_path: Path) -> None:
    script = (
        "import gc, sys\n"
        "import tui.commands as commands\n"
        "started = commands._start_collecting\n"
        "def check():\n"
        "    started()\n"
        "    print('collector on:', gc.isenabled(), flush=True)\n"
        "commands._start_collecting = check\n"
        "sys.argv = ['folio', 'refresh']\n"
        "from tui.__main__ import console_main\n"
        "console_main()\n"
    )
    env = {
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "collector on: True" in result.stdout
    assert "Refreshed 0 sources" in result.stdout
