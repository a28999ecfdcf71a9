"""``folio refresh`` shared between processes (tui/core/refresh/shards.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tui.core.models import Source
from tui.core.refresh.refresher import SourceResult
from tui.core.refresh.shards import shard_count, split_by_host, summarise
from tui.core.storage import paths

if TYPE_CHECKING:
    from httpserver import TestServer

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


_SHARDS_SCRIPT = """
import json, os, signal, sys
from pathlib import Path
from tui.core.config import RefreshSettings
from tui.core.models import Source
from tui.core.refresh.shards import refresh_in_shards

db, kill, urls = sys.argv[1], sys.argv[2] == "kill", sys.argv[3:]
children = []
fork = os.fork
def recording_fork():
    pid = fork()
    if pid:
        children.append(pid)
    return pid
os.fork = recording_fork
events = []
def progress(event):
    events.append([event.done, event.total])
    if kill and len(events) == 1:
        os.kill(children[0], signal.SIGKILL)
summary = refresh_in_shards(
    Path(db), [Source(url=u) for u in urls], RefreshSettings(), shards=2, on_progress=progress
)
errors = sorted({r.error for r in summary.results if r.error})
print(json.dumps({"events": events, "ok": summary.ok, "failed": summary.failed, "errors": errors}))
"""


def _run_shards(tmp_path: Path, urls: list[str], kill: bool) -> dict[str, Any]:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            _SHARDS_SCRIPT,
            str(tmp_path / "f.db"),
            "kill" if kill else "-",
            *urls,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def _two_hosts(http_server: TestServer, slow: float = 0.0) -> list[str]:
    # The first host's sources are the parent's share, the second host's the child's.
    urls = []
    for n in range(6):
        http_server.route(f"/f{n}.xml", body=http_server.rss(f"F{n}", items=1, prefix=f"f{n}"))
        urls.append(http_server.url(f"/f{n}.xml", host="127.0.0.1"))
    for n in range(6):
        route = f"/s{n}.xml"
        http_server.route(route, body=http_server.rss(f"S{n}", items=1, prefix=f"s{n}"), delay=slow)
        urls.append(http_server.url(route, host="localhost"))
    return urls


def test_progress_counts_every_source_of_every_process(
    http_server: TestServer, tmp_path: Path
) -> None:
    report = _run_shards(tmp_path, _two_hosts(http_server), kill=False)
    assert report["ok"] == 12 and report["failed"] == 0
    assert [done for done, _ in report["events"]] == list(range(1, 13))
    assert {total for _, total in report["events"]} == {12}


def test_a_killed_process_leaves_its_sources_as_failures_in_words(
    http_server: TestServer, tmp_path: Path
) -> None:
    # The child's host answers slowly, so it is killed part-way through its share.
    report = _run_shards(tmp_path, _two_hosts(http_server, slow=2.0), kill=True)
    assert report["ok"] == 6 and report["failed"] == 6, report
    assert report["errors"] == ["internal error: the refresh process stopped (exit status -9)"]
