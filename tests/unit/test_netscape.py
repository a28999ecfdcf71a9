"""Browser bookmark files (the Netscape format): reading what browsers, linkding, Pinboard
and buku write, writing it escaped, ``folio import`` telling the formats apart, ``folio
export --bookmarks``, and a round trip through buku (Debian's package; skipped without it).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tui.core.bookmarks.common import Bookmark
from tui.core.bookmarks.local import LOCAL_URL
from tui.core.bookmarks.netscape import looks_like_netscape, read_bookmarks, write_bookmarks
from tui.core.storage import paths
from tui.core.storage.store import Store

FIREFOX = (Path(__file__).parent.parent / "fixtures" / "bookmarks" / "firefox.html").read_bytes()
"""A Firefox export's shape: the toolbar folder, a nested folder with a description, a
bookmarklet, a repeated URL, and a title with markup and an ESC in it."""


def test_a_firefox_export_with_folders_tags_and_descriptions() -> None:
    found = read_bookmarks(FIREFOX)
    first, remote, plain = found.bookmarks
    assert first.url == "https://hr.example/pay"
    assert first.title == "Pay & <salary> bands"
    assert first.tags == ["pay", "Transparency"]  # the toolbar is no tag
    assert first.description == "Why we publish them.\nSecond line."
    assert first.added == dt.datetime.fromtimestamp(1700000100, dt.UTC)
    assert remote.tags == ["Remote", "work"]  # a folder's name, as tags are words
    assert remote.private is True and remote.toread is True and remote.description == ""
    assert plain.title == "[@click=app.quit]x[/] [31mred"  # the ESC is gone
    assert plain.private is None
    assert found.skipped == [
        "bookmarklet: not a web address (javascript:alert(1))",
        "https://remote.example/: listed twice, kept once",
    ]


def test_written_files_are_escaped_and_read_back_the_same() -> None:
    bookmarks = [
        Bookmark(
            'https://x.example/?a=1&b="2"',
            title="</A><script>alert(1)</script> & more",
            description="<DT><A HREF='https://evil.example/'>not a bookmark</A>",
            tags=["a", 'quote"d'],
            private=True,
            toread=True,
            added=dt.datetime(2024, 5, 1, tzinfo=dt.UTC),
        ),
        Bookmark("https://y.example/", title="y"),
        Bookmark("javascript:alert(1)", title="never written"),
    ]
    text = write_bookmarks(bookmarks)
    assert "<script>" not in text and "javascript:" not in text
    again = read_bookmarks(text.encode())
    assert again.skipped == []
    assert [
        (b.url, b.title, b.description, b.tags, b.private, b.toread) for b in again.bookmarks
    ] == [(b.url, b.title, b.description, b.tags, b.private, b.toread) for b in bookmarks[:2]]
    assert again.bookmarks[0].added == bookmarks[0].added


def test_what_is_and_is_not_a_bookmark_file() -> None:
    assert looks_like_netscape(FIREFOX)
    assert looks_like_netscape(b"\xef\xbb\xbf<!doctype netscape-bookmark-file-1>")
    assert not looks_like_netscape(b'<?xml version="1.0"?><opml version="2.0"><body/></opml>')
    assert not looks_like_netscape(b"https://example.org/feed.xml tag\n")
    with pytest.raises(ValueError, match="no bookmarks"):
        read_bookmarks(b"<!DOCTYPE NETSCAPE-Bookmark-file-1><DL><p></DL>")


def _folio(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=os.environ.copy(),
        check=False,
    )


def test_import_keeps_bookmarks_not_feeds_and_export_writes_them(tmp_path: Path) -> None:
    paths.portfolio_path().parent.mkdir(parents=True, exist_ok=True)
    paths.portfolio_path().write_text("")
    source = tmp_path / "bookmarks.html"
    source.write_bytes(FIREFOX)
    done = _folio("import", str(source))
    assert done.returncode == 0, done.stderr
    assert "Imported 3 bookmarks (3 new, 0 already bookmarked); 0 queued." in done.stdout
    assert "note: bookmarklet: not a web address" in done.stdout
    assert paths.portfolio_path().read_text() == ""  # no feed was followed
    with Store(paths.db_path()) as store:
        items = store.items(sources=[LOCAL_URL])
        assert len(items) == 3 and all(item.bookmarked for item in items)
    again = _folio("import", str(source))
    assert "(0 new, 3 already bookmarked)" in again.stdout
    out = tmp_path / "out.html"
    exported = _folio("export", "--bookmarks", "--output", str(out))
    assert exported.returncode == 0, exported.stderr
    back = read_bookmarks(out.read_bytes())
    original = read_bookmarks(FIREFOX)
    assert sorted((b.url, b.title, tuple(b.tags)) for b in back.bookmarks) == sorted(
        (b.url, b.title, tuple(b.tags)) for b in original.bookmarks
    )


def test_import_of_an_unreadable_file_is_one_line(tmp_path: Path) -> None:
    done = _folio("import", str(tmp_path / "missing.html"))
    assert done.returncode == 1
    assert done.stderr.startswith("folio: ") and "cannot be read" in done.stderr
    assert "Traceback" not in done.stderr


def test_round_trip_through_buku(tmp_path: Path) -> None:
    """folio's export imported by buku and exported again, then imported by folio: the
    same links, titles and tags. (buku 4.7 lowercases tags and writes titles unescaped, so
    the titles here hold no "<", and the tags are lowercase.)"""
    buku = shutil.which("buku")
    if buku is None:
        pytest.skip("buku is not installed: apt-get install -y buku (.ci/run does it)")
    bookmarks = [
        Bookmark(
            "https://hr.example/pay?a=1&b=2",
            title='Pay & "salary" bands — été',
            description="Why we publish them.",
            tags=["pay", "transparency"],
            added=dt.datetime(2024, 5, 1, tzinfo=dt.UTC),
        ),
        Bookmark("https://remote.example/", title="Remote [b]work[/b]", tags=["remote"]),
        Bookmark("https://plain.example/", title="Plain"),
    ]
    first = tmp_path / "folio.html"
    first.write_text(write_bookmarks(bookmarks))
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "buku-data")}

    def run_buku(*args: str) -> None:
        done = subprocess.run(
            [buku, "--nostdin", "--tacit", *args],
            capture_output=True,
            text=True,
            env=env,
            stdin=subprocess.DEVNULL,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr

    run_buku("--import", str(first))
    second = tmp_path / "buku.html"
    run_buku("--export", str(second))
    back = read_bookmarks(second.read_bytes())
    assert sorted((b.url, b.title, b.tags) for b in back.bookmarks) == sorted(
        (b.url, b.title, b.tags) for b in bookmarks
    )
