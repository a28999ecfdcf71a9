"""bench/floor_client.py, the benchmark's floor, against a real server on 127.0.0.1.

Its wall time is printed next to folio's, so a floor that skipped work (no conditional
GET, bodies left unread) would make folio look worse than it is; these tests keep it honest.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

pytest_plugins = ["httpserver"]

FLOOR = Path(__file__).resolve().parents[2] / "bench" / "floor_client.py"


def floor(tmp_path: Path, urls: list[str], processes: int = 2) -> subprocess.CompletedProcess[str]:
    (tmp_path / "urls").write_text("".join(url + "\n" for url in urls), encoding="utf-8")
    argv = [sys.executable, str(FLOOR), "--db", "floor.db", "--urls", "urls"]
    return subprocess.run(
        [*argv, "--processes", str(processes)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_second_run_is_conditional_and_all_not_modified(http_server, tmp_path: Path) -> None:
    http_server.route("/a", body=http_server.rss(items=50), etag='"a1"')
    http_server.route("/b", body=http_server.rss(), last_modified="Mon, 01 Jan 2024 10:00:00 GMT")
    http_server.route("/c", body=http_server.rss(), etag='"c1"', gzip=True)
    urls = [http_server.url(path) for path in ("/a", "/b", "/c")]

    first = floor(tmp_path, urls)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "floor: 3 feeds: 3 ok, 0 not modified, 0 failed"

    second = floor(tmp_path, urls)
    assert second.stdout.strip() == "floor: 3 feeds: 0 ok, 3 not modified, 0 failed"
    assert http_server.hits("/a")[-1].headers["if-none-match"] == '"a1"'
    assert http_server.hits("/b")[-1].headers["if-modified-since"].startswith("Mon, 01 Jan")


def test_bodies_are_read_to_their_end_on_a_kept_alive_connection(
    http_server, tmp_path: Path
) -> None:
    # One host, one process, at most 4 connections: 12 feeds share them, so a body left
    # unread would be taken for the next answer's head.
    for n in range(12):
        http_server.route(f"/{n}", body=http_server.rss(items=n + 1), etag=f'"{n}"')
    result = floor(tmp_path, [http_server.url(f"/{n}") for n in range(12)], processes=1)
    assert result.stdout.strip() == "floor: 12 feeds: 12 ok, 0 not modified, 0 failed"
    assert len({seen.client_port for seen in http_server.requests}) <= 4


def test_a_body_that_ends_with_the_connection(http_server, tmp_path: Path) -> None:
    http_server.route("/s", stream=lambda: iter([b"<rss>", b"</rss>"]))
    http_server.route("/t", body=http_server.rss())
    result = floor(tmp_path, [http_server.url("/s"), http_server.url("/t")], processes=1)
    assert result.stdout.strip() == "floor: 2 feeds: 2 ok, 0 not modified, 0 failed"


def test_a_dead_server_counts_as_failed(http_server, tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/feed"  # bound, never listening
        http_server.route("/live", body=http_server.rss())
        result = floor(tmp_path, [dead, http_server.url("/live")])
    assert result.returncode == 1
    assert result.stdout.strip() == "floor: 2 feeds: 1 ok, 0 not modified, 1 failed"


@pytest.mark.parametrize("url", ["https://127.0.0.1/feed", "not a url"])
def test_only_plain_http_urls(tmp_path: Path, url: str) -> None:
    result = floor(tmp_path, [url])
    assert result.returncode != 0
    assert "plain http:// URLs only" in result.stderr
