"""`folio download` end to end, against a real server on 127.0.0.1: new episodes, the
queue, failures in words, and a download killed with SIGKILL that the next run resumes
to a file identical to the one served."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tui.__main__ import main
from tui.core.storage import paths

if TYPE_CHECKING:
    from tests.audioserver import AudioServer

pytest_plugins = ["audioserver"]


def podcast_feed(episodes: list[tuple[str, str]]) -> bytes:
    items = "".join(
        f"<item><title>{title}</title><guid>{url}</guid>"
        f"<pubDate>Mon, 0{n + 1} Jun 2026 10:00:00 GMT</pubDate>"
        f'<enclosure url="{url}" type="audio/mpeg" length="0"/></item>'
        for n, (title, url) in enumerate(reversed(episodes))
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Cast</title>'
        f"<link>https://cast.example/</link><description>d</description>{items}</channel></rss>"
    ).encode()


def follow(feed_url: str, download: str = "") -> None:
    portfolio = paths.portfolio_path()
    portfolio.parent.mkdir(parents=True, exist_ok=True)
    extra = f'download = "{download}"\n' if download else ""
    portfolio.write_text(
        f'[[sources]]\nurl = "{feed_url}"\nname = "Cast"\nkind = "podcast"\n{extra}'
    )


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def episode_rows() -> list[tuple[str, str, str]]:
    with sqlite3.connect(paths.db_path()) as db:
        return db.execute("SELECT status, file, error FROM episodes ORDER BY item_id").fetchall()


def test_download_new_fetches_the_newest_episode(
    audio_server: AudioServer, capsys: pytest.CaptureFixture[str]
) -> None:
    audio = audio_server.audio_bytes(50_000)
    urls = [audio_server.add(f"/{n}.mp3", audio) for n in range(3)]
    feed = audio_server.page("/feed", podcast_feed([(f"Ep {n}", u) for n, u in enumerate(urls)]))
    follow(feed)
    assert run(capsys, "refresh")[0] == 0
    status, out, _ = run(capsys, "download")
    assert status == 0
    assert "Nothing to download" in out and "--new" in out
    status, out, err = run(capsys, "download", "--new")
    assert status == 0, err
    assert "✓ Ep 0" in out and "Downloaded 1 episode." in out
    [(state, file, _)] = episode_rows()
    assert state == "downloaded" and Path(file).read_bytes() == audio
    assert Path(file).parent == paths.data_dir() / "podcasts" / "Cast"
    # Nothing new since: nothing more to do.
    assert "Nothing to download" in run(capsys, "download", "--new")[1]


def test_download_reports_failures_and_exits_1(
    audio_server: AudioServer, capsys: pytest.CaptureFixture[str]
) -> None:
    page = b"<html>Sign in to listen</html>"
    url = audio_server.add("/ep.mp3", page, content_type="text/html")
    feed = audio_server.page("/feed", podcast_feed([("Locked", url)]))
    follow(feed, download="new")
    assert run(capsys, "refresh")[0] == 0
    status, out, err = run(capsys, "download")
    assert status == 1
    assert "✗ Locked: the server sent a web page or text (text/html), not audio" in out
    assert "Downloaded 0 episodes, 1 failed." in out
    assert "Traceback" not in out + err


def test_download_refuses_an_unknown_source(capsys: pytest.CaptureFixture[str]) -> None:
    follow("https://cast.example/feed")
    status, _, err = run(capsys, "download", "--source", "https://nope.example/feed")
    assert status == 1
    assert err.startswith("folio: https://nope.example/feed is not one of your sources")


def test_a_download_killed_with_sigkill_resumes_to_an_identical_file(
    audio_server: AudioServer, capsys: pytest.CaptureFixture[str]
) -> None:
    audio = audio_server.audio_bytes(3_000_000, seed=9)
    url = audio_server.add("/big.mp3", audio, rate=500_000)
    feed = audio_server.page("/feed", podcast_feed([("Big one", url)]))
    follow(feed, download="new")
    assert run(capsys, "refresh")[0] == 0
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    command = [sys.executable, "-m", "tui", "download"]
    folder = paths.data_dir() / "podcasts" / "Cast"
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 60
        partial = folder / "Big one.mp3.partial"
        while time.monotonic() < deadline:
            if partial.exists() and partial.stat().st_size > 400_000:
                break
            assert process.poll() is None, process.communicate()
            time.sleep(0.02)
        else:
            raise AssertionError("the download never got going")
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    kept = partial.stat().st_size
    assert 400_000 < kept < len(audio)
    assert partial.read_bytes() == audio[:kept]
    assert episode_rows()[0][0] == "downloading"  # as the killed process left it

    audio_server.routes["/big.mp3"].rate = None
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "✓ Big one" in done.stdout
    final = folder / "Big one.mp3"
    assert final.read_bytes() == audio
    assert not partial.exists()
    assert audio_server.seen("/big.mp3")[-1].range == f"bytes={kept}-"
    assert episode_rows()[0][:2] == ("downloaded", str(final))
