"""text.clean and text.clean_line: what untrusted text may keep on ingest."""

from __future__ import annotations

import contextlib
import sys
import time

from hypothesis import given
from hypothesis import strategies as st

from tui.core.ingest.text import clean, clean_line

FORBIDDEN = (
    {chr(c) for c in range(0x20) if chr(c) not in "\t\n"}
    | {chr(0x7F)}
    | {chr(c) for c in range(0x80, 0xA0)}
    | {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
    | {"\u2028", "\u2029", "\ufffe", "\uffff"}
)


def _is_clean(s: str) -> bool:
    return not (set(s) & FORBIDDEN) and not any(0xD800 <= ord(c) <= 0xDFFF for c in s)


def test_plain_text_is_returned_unchanged() -> None:
    s = "Plain title — with “quotes”, émoji 🎉 and\ttabs\nand newlines"
    assert clean(s) is s


def test_escape_sequences_lose_their_escape() -> None:
    assert clean("\x1b[31mred\x1b[0m") == "[31mred[0m"
    assert clean("\x1b]8;;https://phish.example/\x1b\\link\x1b]8;;\x1b\\") == (
        "]8;;https://phish.example/\\link]8;;\\"
    )
    assert clean("title\x07\x00\x08\x0b\x0c\x1f\x7fend") == "titleend"


def test_newlines_are_normalised_and_tabs_kept() -> None:
    assert clean("a\r\nb\rc\nd\te") == "a\nb\nc\nd\te"
    assert clean("line\u2028sep\u2029para") == "line\nsep\npara"


def test_c1_controls_become_windows_1252_or_go() -> None:
    # U+009B is a one-character CSI on terminals that honour 8-bit controls.
    assert clean("\x9b31mx") == "›31mx"
    assert clean("it\x92s \x93quoted\x94") == "it’s “quoted”"
    assert clean("a\x81b\x8dc\x8fd\x90e\x9df") == "abcdef"  # no cp1252 character there
    assert _is_clean(clean("".join(chr(c) for c in range(0x80, 0xA0))))


def test_noncharacters_are_removed() -> None:
    # XML cannot hold them: a name that kept one would not survive an OPML export.
    assert clean("a\ufffeb\uffffc") == "abc"
    assert clean_line("  x\ufffe  y ") == "x y"
    assert clean("\ufffd and \ufdd0 stay") == "\ufffd and \ufdd0 stay"


def test_bidi_overrides_and_isolates_are_removed() -> None:
    s = "a\u202ab\u202bc\u202cd\u202de\u202ef\u2066g\u2067h\u2068i\u2069j"
    assert clean(s) == "abcdefghij"


def test_direction_marks_are_kept() -> None:
    # LRM, RLM and ALM are what correct right-to-left text needs; they override nothing.
    s = "שלום\u200e (hello)\u200f \u061cمرحبا"
    assert clean(s) == s


def test_lone_surrogates_are_removed() -> None:
    assert clean("a\ud800b\udfffc") == "abc"
    clean("x\udc80y").encode("utf-8")  # must not raise


def test_markup_is_kept_literally() -> None:
    s = "[@click=app.quit]x[/] [b]bold[/b] <b>html</b> $title"
    assert clean(s) == s
    assert clean_line(s) == s


def test_clean_line_folds_whitespace() -> None:
    assert clean_line("  Hello \n\n  world\t\r\n again  ") == "Hello world again"
    assert clean_line("a\u00a0\u00a0b") == "a b"
    assert clean_line("one") == "one"
    assert clean_line(" lead and trail ") == "lead and trail"
    assert clean_line("") == ""
    assert clean_line("\x1b\n\x1b") == ""


def test_clean_line_cleans_too() -> None:
    assert clean_line("\x1b[2J\u202eTitle\x9b") == "[2JTitle›"


def test_empty_string() -> None:
    assert clean("") == ""


@given(st.text())
def test_clean_output_has_nothing_forbidden(s: str) -> None:
    out = clean(s)
    assert _is_clean(out)
    assert "\r" not in out
    assert clean(out) == out  # idempotent


@given(st.text())
def test_clean_line_output_is_one_tidy_line(s: str) -> None:
    out = clean_line(s)
    assert _is_clean(out)
    assert "\n" not in out and "\t" not in out
    assert "  " not in out
    assert out == out.strip()
    assert clean_line(out) == out


def _reference_clean(s: str) -> str:
    """The rules, written out the slow and obvious way."""
    out = []
    for c in s.replace("\r\n", "\n"):
        code = ord(c)
        if c in "\r\u2028\u2029":
            out.append("\n")
        elif 0x80 <= code < 0xA0:
            with contextlib.suppress(UnicodeDecodeError):
                out.append(bytes([code]).decode("cp1252"))
        elif c not in FORBIDDEN and not 0xD800 <= code <= 0xDFFF:
            out.append(c)
    return "".join(out)


@given(st.text())
def test_clean_matches_the_rules(s: str) -> None:
    assert clean(s) == _reference_clean(s)


@given(st.text())
def test_clean_line_matches_the_rules(s: str) -> None:
    assert clean_line(s) == " ".join(clean(s).split())


def test_what_the_printable_shortcut_rests_on() -> None:
    # clean_line skips clean() for a printable string: that is only right if everything
    # clean() removes or replaces is unprintable, and the space is the only printable
    # whitespace (so a printable string without "  " needs only strip(" ")).
    printable = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isprintable())
    assert clean(printable) == printable
    assert [c for c in printable if c.isspace()] == [" "]
    assert clean_line(" a b ") == "a b"
    assert clean_line("a  b\u00a0 c") == "a b c"


def test_clean_is_fast_on_a_megabyte() -> None:
    s = ("Un paragraphe ordinaire, avec des accents — et des “guillemets”.\n" * 16_000)[:1_000_000]
    start = time.perf_counter()
    for _ in range(10):
        assert clean(s) is s
    # About 4 ms per call on an idle 2-core machine; the bound leaves room for a busy one.
    assert (time.perf_counter() - start) / 10 < 0.1
