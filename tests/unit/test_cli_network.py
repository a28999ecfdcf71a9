"""`folio add` and `folio refresh` end to end, against a real server on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tui.__main__ import main
from tui.core.storage import paths
from tui.core.storage.portfolio import load_portfolio

pytest_plugins = ["httpserver"]

PODCAST = b"""<?xml version="1.0"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>
<title>Hallway HR</title><link>https://cast.example/</link><description>d</description>
<item><title>Episode 1</title><guid>ep1</guid><enclosure url="https://cast.example/1.mp3"
 type="audio/mpeg" length="1000"/><itunes:duration>41:00</itunes:duration></item>
</channel></rss>"""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_add_discovers_the_feed_of_a_page(http_server, capsys) -> None:  # type: ignore[no-untyped-def]
    http_server.route("/feed.xml", body=http_server.rss("People Blog", items=4), etag='"1"')
    page = (
        b'<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml">'
        b"</head><body>hello</body></html>"
    )
    http_server.route("/", body=page, content_type="text/html")
    status, out, err = run(capsys, "add", http_server.url("/"), "--tag", "hr")
    assert status == 0, err
    assert "Added People Blog (blog)" in out and "with 4 items" in out
    [source] = load_portfolio(paths.portfolio_path()).sources
    assert source.url == http_server.url("/feed.xml")
    assert source.tags == ["hr"] and source.kind == "blog"
    # Adding it again changes nothing.
    assert "Already following" in run(capsys, "add", http_server.url("/feed.xml"))[1]
    # The first refresh asks with the ETag the add was given: a 304, no body at all.
    assert "0 ok, 1 not modified, 0 failed; 0 new items." in run(capsys, "refresh")[1]
    assert http_server.hits("/feed.xml")[-1].headers["if-none-match"] == '"1"'


def test_add_guesses_a_podcast_and_reports_a_page_without_feed(http_server, capsys) -> None:  # type: ignore[no-untyped-def]
    http_server.route("/cast.xml", body=PODCAST)
    assert run(capsys, "add", http_server.url("/cast.xml"))[0] == 0
    assert load_portfolio(paths.portfolio_path()).sources[0].kind == "podcast"
    http_server.route("/plain", body=b"<html><body>no feed</body></html>", content_type="text/html")
    status, _, err = run(capsys, "add", http_server.url("/plain"))
    assert status == 1
    assert err.startswith("folio: ") and "Traceback" not in err


def test_refresh_summary_and_exit_status(http_server, capsys) -> None:  # type: ignore[no-untyped-def]
    http_server.route("/a.xml", body=http_server.rss("A", items=3, prefix="a"), etag='"a1"')
    http_server.route("/b.xml", body=http_server.rss("B", items=2, prefix="b"), etag='"b1"')
    http_server.route("/dead.xml", status=500, body=b"oops")
    urls = "\n".join(http_server.url(p) for p in ("/a.xml", "/b.xml", "/dead.xml"))
    listing = paths.config_dir().parent / "urls"
    listing.write_text(urls + "\n")
    assert run(capsys, "import", str(listing))[0] == 0

    status, out, err = run(capsys, "refresh")
    assert status == 0, err
    assert "Refreshed 3 sources" in out
    assert "2 ok, 0 not modified, 1 failed; 5 new items." in out
    assert err == ""  # not a terminal: no progress output

    status, out, _ = run(capsys, "refresh")
    assert "0 ok, 2 not modified, 1 failed; 0 new items." in out
    assert status == 0

    # A urls file names no source: each takes its feed's title; the dead one keeps none.
    names = [s.name for s in load_portfolio(paths.portfolio_path()).sources]
    assert names == ["A", "B", ""]

    _, out, _ = run(capsys, "sources", "--json")
    records = {r["url"]: r for r in map(json.loads, out.splitlines())}
    dead = records[http_server.url("/dead.xml")]
    assert dead["status"] == "error" and "500" in dead["error"]
    assert records[http_server.url("/a.xml")]["items"] == 3
    _, out, _ = run(capsys, "items", "--json", "--source", http_server.url("/b.xml"))
    assert len(out.splitlines()) == 2


def test_refresh_of_many_sources_parses_in_worker_processes(http_server, capsys) -> None:  # type: ignore[no-untyped-def]
    # A separate process, as a user runs it: with no other thread in it, folio forks its
    # parser processes (PARSE_POOL_MIN_SOURCES or more sources) and parses every body there.
    from tui.commands import PARSE_POOL_MIN_SOURCES

    count = PARSE_POOL_MIN_SOURCES + 4
    paths_ = [f"/f{n}.xml" for n in range(count)]
    for n, path in enumerate(paths_[:-1]):
        http_server.route(path, body=http_server.rss(f"F{n}", items=n + 1, prefix=f"f{n}"))
    http_server.route(paths_[-1], body=b"<rss><channel><item><title>cut")  # ill-formed
    listing = paths.config_dir().parent / "urls"
    listing.write_text("".join(http_server.url(p) + "\n" for p in paths_))
    assert run(capsys, "import", str(listing))[0] == 0

    done = subprocess.run(
        [sys.executable, "-m", "tui", "refresh"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    new = sum(range(1, count))  # feed n has n + 1 items
    assert f"{count - 1} ok, 0 not modified, 1 failed; {new} new items." in done.stdout
    _, out, _ = run(capsys, "items", "--json")
    assert len(out.splitlines()) == new
    _, out, _ = run(capsys, "sources", "--json")
    broken = json.loads(out.splitlines()[-1])
    assert broken["status"] == "error" and "ill-formed" in broken["error"]


def test_adding_to_the_demo_says_the_demo_is_offline(capsys) -> None:  # type: ignore[no-untyped-def]
    status, _, err = run(capsys, "--demo", "add", "http://127.0.0.1:9/feed.xml")
    assert status == 1
    assert "server said 404 Not Found" in err
    assert "The demo is offline and reads only its own feeds" in err
    assert "leave out --demo to add it to your own portfolio." in err
    assert "Traceback" not in err


def test_ctrl_c_during_refresh_prints_one_line_and_no_traceback(http_server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The refresh runs with its parser processes (12 sources start the pool); ctrl+c goes to
    the whole process group, as a terminal sends it."""
    import os
    import signal
    import time

    held = __import__("threading").Event()
    for n in range(12):
        http_server.route(f"/slow{n}", body=http_server.rss(), hold=held)
    lines = "".join(f'[[sources]]\nurl = "{http_server.url(f"/slow{n}")}"\n' for n in range(12))
    portfolio = paths.portfolio_path()
    portfolio.parent.mkdir(parents=True, exist_ok=True)
    portfolio.write_text(lines)
    process = subprocess.Popen(
        [sys.executable, "-m", "tui", "refresh"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
        start_new_session=True,  # its own process group, to signal it as a terminal would
    )
    try:
        deadline = time.monotonic() + 30
        while len(http_server.requests) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(http_server.requests) >= 4, "the refresh never reached the server"
        os.killpg(process.pid, signal.SIGINT)
        _, err = process.communicate(timeout=30)
    finally:
        held.set()
        if process.poll() is None:
            process.kill()
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert err.strip() == "folio: interrupted", err
    assert process.returncode == 130
