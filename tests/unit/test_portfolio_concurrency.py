"""Several writers at once never lose a change to portfolio.toml: processes adding sources
together, ``folio add`` run twice at the same moment, and a ``folio add`` made while
``folio refresh`` runs (the refresh used to save the copy it had read at its start).
Feeds are served by a real HTTP server on 127.0.0.1 (tests/httpserver.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from tests.conftest import REPO
from tui.__main__ import main
from tui.core.models import Source
from tui.core.storage import paths
from tui.core.storage.portfolio import Portfolio, load_portfolio, save_portfolio

pytest_plugins = ["httpserver"]

ADDER = """
import sys
from pathlib import Path
from tui.core.models import Source
from tui.core.storage.portfolio_edit import AddSources, apply_edits

path, who, rounds = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
print("ready", flush=True)
sys.stdin.readline()  # both start together
for n in range(rounds):
    apply_edits(path, [AddSources([Source(f"https://{who}.example/{n}", f"{who} {n}")])])
"""


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO)}


def test_two_processes_adding_sources_at_once_keep_every_source(tmp_path: Path) -> None:
    path = tmp_path / "portfolio.toml"
    path.write_text("# mine\nvision = 'v'\n", encoding="utf-8")
    rounds = 40
    children = [
        subprocess.Popen(
            [sys.executable, "-c", ADDER, str(path), who, str(rounds)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=_env(),
        )
        for who in ("left", "right")
    ]
    for child in children:
        assert child.stdout is not None and child.stdout.readline() == "ready\n"
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.close()
    for child in children:
        assert child.wait(timeout=120) == 0
        assert child.stdout is not None
        child.stdout.close()
    urls = {source.url for source in load_portfolio(path).sources}
    expected = {f"https://{who}.example/{n}" for who in ("left", "right") for n in range(rounds)}
    assert urls == expected
    assert path.read_text(encoding="utf-8").startswith("# mine\n")


def test_folio_add_run_twice_at_once_keeps_both(http_server) -> None:  # type: ignore[no-untyped-def]
    rounds = 4
    for n in range(rounds):
        for side in ("a", "b"):
            http_server.route(f"/{side}{n}.xml", body=http_server.rss(f"Feed {side}{n}"))
    for n in range(rounds):
        children = [
            subprocess.Popen(
                [sys.executable, "-m", "tui", "add", http_server.url(f"/{side}{n}.xml")],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=_env(),
            )
            for side in ("a", "b")
        ]
        for child in children:
            out, err = child.communicate(timeout=60)
            assert child.returncode == 0, err
            assert out.startswith("Added Feed ")
    names = sorted(s.name for s in load_portfolio(paths.portfolio_path()).sources)
    assert names == sorted(f"Feed {side}{n}" for n in range(rounds) for side in ("a", "b"))


def test_a_source_added_while_refresh_runs_is_kept(http_server, capsys) -> None:  # type: ignore[no-untyped-def]
    held = threading.Event()
    http_server.route("/slow.xml", body=http_server.rss("Slow Feed"), hold=held)
    http_server.route("/new.xml", body=http_server.rss("New Feed"))
    # A source without a name: the refresh names it after its feed when it ends.
    save_portfolio(
        paths.portfolio_path(), Portfolio(sources=[Source(http_server.url("/slow.xml"))])
    )
    refresh = subprocess.Popen(
        [sys.executable, "-m", "tui", "refresh"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    try:
        # Wait until the refresh is waiting for the held feed: it has read the portfolio.
        for _ in range(500):
            if http_server.hits("/slow.xml"):
                break
            threading.Event().wait(0.02)
        assert http_server.hits("/slow.xml"), "the refresh never asked for the feed"
        assert main(["add", http_server.url("/new.xml"), "--tag", "meanwhile"]) == 0
        capsys.readouterr()
    finally:
        held.set()
    _, err = refresh.communicate(timeout=60)
    assert refresh.returncode == 0, err
    sources = load_portfolio(paths.portfolio_path()).sources
    assert [(s.name, s.tags) for s in sources] == [("Slow Feed", []), ("New Feed", ["meanwhile"])]
