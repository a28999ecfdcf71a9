"""``folio refresh`` shared between processes (tui/core/shards.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading

import pytest

from tui.core import paths
from tui.core.models import Source
from tui.core.refresh import SourceResult
from tui.core.shards import shard_count, split_by_host, summarise

pytest_plugins = ["httpserver"]


def test_split_keeps_each_host_in_one_share_and_balances() -> None:
    sizes = {"a.example": 7, "b.example": 5, "c.example": 4, "d.example": 3, "e.example": 1}
    sources = [
        Source(url=f"https://{host}/feed/{n}")
        for host, count in sizes.items()
        for n in range(count)
    ]
    parts = split_by_host(sources, 2)
    assert sorted(len(part) for part in parts) == [10, 10]
    hosts = [{source.url.split("/")[2] for source in part} for part in parts]
    assert not hosts[0] & hosts[1]  # max_per_host holds across processes
    assert sorted(s.url for part in parts for s in part) == sorted(s.url for s in sources)


def test_shard_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    assert shard_count(500, cpus=2) == 2
    assert shard_count(500, cpus=16) == 4  # SQLite has one writer: more would queue
    assert shard_count(30, cpus=8) == 1  # too few sources to be worth a fork
    assert shard_count(30, wanted=3) == 3  # the setting decides
    assert shard_count(2, wanted=3) == 2
    monkeypatch.setattr(threading, "active_count", lambda: 2)
    assert shard_count(500, wanted=2, cpus=2) == 1  # never fork a process with threads


def test_refresh_in_two_processes(http_server, capsys) -> None:  # type: ignore[no-untyped-def]
    # 'localhost' and '127.0.0.1' are two hosts to folio, so each process gets one.
    urls = []
    for n in range(24):
        http_server.route(f"/s{n}.xml", body=http_server.rss(f"S{n}", items=2, prefix=f"s{n}"))
        urls.append(http_server.url(f"/s{n}.xml", host="localhost" if n % 2 else "127.0.0.1"))
    http_server.route("/gone.xml", status=404)
    urls.append(http_server.url("/gone.xml"))
    folder = paths.config_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "settings.toml").write_text("[refresh]\nprocesses = 2\n")
    portfolio = "".join(f'[[sources]]\nurl = "{url}"\nname = "n"\n\n' for url in urls)
    (folder / "portfolio.toml").write_text(portfolio)

    def refresh(*flags: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "tui", "refresh", *flags],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0 and done.stderr == "", done.stderr
        return done.stdout

    assert "Refreshed 25 sources" in (out := refresh())
    assert "24 ok, 0 not modified, 1 failed; 48 new items." in out
    out = refresh()
    assert "0 ok, 24 not modified, 1 failed; 0 new items." in out  # states were stored
    assert "Refreshed 0 sources" in refresh("--due")  # nothing is due again yet
    items = subprocess.run(
        [sys.executable, "-m", "tui", "items", "--json"], capture_output=True, text=True
    ).stdout.splitlines()
    assert len(items) == 48
    assert {json.loads(line)["source"] for line in items} == set(urls[:-1])


def test_a_child_that_died_leaves_its_unfinished_sources_as_failures() -> None:
    done = SourceResult("https://a.example/1", "ok", new_items=3)
    same = SourceResult("https://a.example/2", "not-modified")
    mine = [Source(url="https://a.example/1"), Source(url="https://a.example/2")]
    lost = [Source(url="https://b.example/1"), Source(url="https://b.example/2")]
    summary = summarise([done, same], [(mine, 0), (lost, -9)])  # killed by SIGKILL
    assert (summary.ok, summary.not_modified, summary.failed, summary.new_items) == (1, 1, 2, 3)
    failed = [r for r in summary.results if r.outcome == "error"]
    assert [r.url for r in failed] == ["https://b.example/1", "https://b.example/2"]
    assert failed[0].error == "internal error: the refresh process stopped (exit status -9)"
