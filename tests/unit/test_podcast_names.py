"""Episode file names from hostile titles and enclosure URLs: safe, inside the folder,
at most 200 bytes, unique; and nothing in them is ever run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.core.podcasts.names import (
    MAX_NAME_BYTES,
    UnsafePath,
    episode_file_name,
    extension_for,
    feed_folder_name,
    fit_bytes,
    is_inside,
    partial_path,
    safe_name,
    unique_path,
)

HOSTILE = [
    "../../x",
    "..",
    ".",
    "/etc/passwd",
    "..\\..\\windows\\system32",
    "; rm -rf ~",
    "$(touch pwned)",
    "`touch pwned`",
    "first line\nsecond line",
    "tab\there\r\nand CR",
    "\x1b]52;c;aGk=\x07clipboard",
    "\u202eevil\u202c.mp3",
    "-rf",
    "--output=/tmp/x",
    ".hidden",
    "é" * 150,  # 300 bytes of UTF-8
    "😀" * 80,  # 320 bytes
    "a\u0301" * 120,  # letters with combining accents
    "CON",
    "nul.txt",
    "   ",
    "",
    "\x00\x01\x02",
    'a<b>c:d"e|f?g*h',
    "trailing dots...",
]


def check_name(name: str) -> None:
    assert name
    assert "/" not in name and "\\" not in name and "\x00" not in name
    assert ".." not in name
    assert not name.startswith(("-", ".", " "))
    assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in name)
    assert not any(c in name for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    assert len(name.encode("utf-8")) <= MAX_NAME_BYTES
    assert len((name + ".partial").encode("utf-8")) <= 255


@pytest.mark.parametrize("title", HOSTILE)
def test_hostile_titles_give_safe_names(title: str) -> None:
    check_name(episode_file_name(title, "https://cdn.example/a/ep.mp3", "audio/mpeg"))


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_url_file_names_give_safe_names(text: str) -> None:
    from urllib.parse import quote

    url = "https://cdn.example/" + quote(text, safe="") + "?x=1"
    check_name(episode_file_name("", url, "audio/mpeg"))


def test_names_keep_what_is_harmless() -> None:
    assert episode_file_name("Episode 12: The Cut", "https://x/e.mp3") == "Episode 12 The Cut.mp3"
    assert episode_file_name("$(touch pwned)", "https://x/e.mp3") == "$(touch pwned).mp3"
    assert episode_file_name("Wait... what?", "https://x/e.m4a?dl=1") == "Wait… what.m4a"
    assert episode_file_name("-rf", "https://x/e.mp3") == "rf.mp3"
    assert episode_file_name("../../x", "https://x/e.mp3") == "… … x.mp3"
    assert episode_file_name("", "https://x/path/My%20Show%2012.mp3") == "My Show 12.mp3"
    assert episode_file_name("", "https://x/") == "episode"
    assert episode_file_name("CON", "https://x/e.mp3") == "_CON.mp3"


def test_a_long_name_is_cut_to_200_bytes_with_its_extension() -> None:
    name = episode_file_name("é" * 150, "https://x/e.mp3")
    assert name.endswith(".mp3")
    assert len(name.encode("utf-8")) <= MAX_NAME_BYTES
    assert name[:-4] == "é" * 98  # 196 bytes, and the character is never split
    numbered = episode_file_name("é" * 150, "https://x/e.mp3", number=12)
    assert numbered.endswith(" (12).mp3")
    assert len(numbered.encode("utf-8")) <= MAX_NAME_BYTES


def test_fit_bytes_never_splits_a_character_or_leaves_a_lone_accent() -> None:
    assert fit_bytes("ab😀", 5) == "ab"
    assert fit_bytes("a\u0301b", 2) == "a"
    assert fit_bytes("short", 50) == "short"


def test_extensions_come_from_the_url_or_the_type() -> None:
    assert extension_for("https://x/a.MP3?token=1") == ".mp3"
    assert extension_for("https://x/download?id=3", "audio/mpeg") == ".mp3"
    assert extension_for("https://x/a.mp3.exe%2F..%2F", "audio/ogg") == ".ogg"
    assert extension_for("https://x/a", "application/x-unknown") == ""
    assert extension_for("https://x/a.verylongext", "audio/x-m4a") == ".m4a"


def test_feed_folders_are_safe_too() -> None:
    assert feed_folder_name("../../etc", "https://x/feed") == "… … etc"
    assert feed_folder_name("", "https://cast.example:8443/feed") == "cast.example"
    assert feed_folder_name("\n", "https://") == "feed"


def test_unique_path_numbers_names_in_use(tmp_path: Path) -> None:
    first = unique_path(tmp_path, "Show", "Ep", "https://x/e.mp3")
    assert first == tmp_path / "Show" / "Ep.mp3"
    first.parent.mkdir()
    first.write_bytes(b"x")
    second = unique_path(tmp_path, "Show", "Ep", "https://x/e.mp3")
    assert second.name == "Ep (2).mp3"
    partial_path(second).write_bytes(b"half")
    third = unique_path(tmp_path, "Show", "Ep", "https://x/e.mp3", taken={str(first)})
    assert third.name == "Ep (3).mp3"
    reserved = unique_path(tmp_path, "Show", "Ep", "https://x/e.mp3", taken={str(third)})
    assert reserved.name == "Ep (4).mp3"


def test_a_feed_folder_that_links_outside_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "podcasts"
    root.mkdir()
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    os.symlink(outside, root / "Show")
    with pytest.raises(UnsafePath):
        unique_path(root, "Show", "Ep", "https://x/e.mp3")


def test_is_inside(tmp_path: Path) -> None:
    assert is_inside(tmp_path, tmp_path / "a" / "b.mp3")
    assert not is_inside(tmp_path, tmp_path / ".." / "b.mp3")
    assert not is_inside(tmp_path, tmp_path)


@settings(max_examples=300, deadline=None)
@given(title=st.text(max_size=400), url_name=st.text(max_size=100))
def test_any_text_gives_a_safe_name_inside_the_folder(
    tmp_path_factory: pytest.TempPathFactory, title: str, url_name: str
) -> None:
    from urllib.parse import quote

    root = tmp_path_factory.getbasetemp() / "names"
    url = "https://cdn.example/" + quote(url_name, safe="")
    name = episode_file_name(title, url, "audio/mpeg")
    check_name(name)
    folder = feed_folder_name(title, url)
    check_name(folder)
    path = unique_path(root, folder, title, url)
    assert is_inside(root, path)
    assert path.parent == root / folder
    assert safe_name(name) == name  # already safe: sanitising again changes nothing
