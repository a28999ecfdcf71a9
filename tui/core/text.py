"""Sanitising of untrusted text on ingest (see DESIGN.md, "Untrusted text: the rules").

Every string that comes from the network passes through :func:`clean` (or :func:`clean_line`
for one-line fields such as titles and names) before it is stored or shown.

What is removed, and why:

* C0 controls except tab and newline (U+0000–U+0008, U+000B, U+000C, U+000E–U+001F): ESC
  starts terminal escape sequences (colours, cursor moves, OSC 8 links, OSC 52 clipboard
  writes) and Textual passes it through to the terminal. ``\\r`` is not removed but turned
  into ``\\n`` (``\\r\\n`` into one ``\\n``), because a bare CR would let a title overwrite
  what was drawn before it on the same line.
* DEL (U+007F) and the C1 controls (U+0080–U+009F): U+009B is a one-character CSI and U+009D
  a one-character OSC on terminals that honour 8-bit controls.
* Bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): they reorder the
  text after them ("Trojan Source" spoofing: a title or URL that reads differently from what
  it is) and their effect can leak into neighbouring cells.
* Lone surrogates (U+D800–U+DFFF): JSON allows ``"\\ud800"``, but such a str cannot be
  encoded as UTF-8, so it would make the database or the terminal raise later.

What is deliberately kept:

* The implicit direction marks U+200E (LRM), U+200F (RLM) and U+061C (ALM). They are
  zero-width hints that only influence neutral characters next to them; they cannot override
  the direction of letters, and correct Arabic and Hebrew text routinely needs them. Stripping
  them would damage legitimate right-to-left titles to defend against nothing.
* Textual/Rich markup such as ``[@click=app.quit]x[/]``: it is text, kept literally. Not
  interpreting it is the UI's job (it never builds markup from feed text).

U+2028/U+2029 (line and paragraph separator) become ``\\n`` so that line-splitting code sees
the same lines a reader would.
"""

from __future__ import annotations

import re

__all__ = ["clean", "clean_line"]


def _build_table() -> dict[int, int | None]:
    table: dict[int, int | None] = {}
    for code in range(0x00, 0x20):
        if code not in (0x09, 0x0A):
            table[code] = None
    table[0x0D] = 0x0A  # a lone CR (CRLF is folded before translate)
    table[0x7F] = None
    for code in range(0x80, 0xA0):
        table[code] = None
    for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)):
        table[code] = None
    for code in range(0xD800, 0xE000):
        table[code] = None
    table[0x2028] = 0x0A
    table[0x2029] = 0x0A
    return table


_TABLE = _build_table()

# str.translate looks every character up in a dict, which costs tens of nanoseconds per
# character; a regex character class scans in C at about a nanosecond per character. Almost
# all feed text has nothing to remove, so the scan answers "unchanged" and translate only
# runs on the rare string that needs it.
_NEEDS_WORK = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]"
)

# Whitespace runs, for one-line fields. str.split() would do, but a regex lets us skip
# the common case of a string that is already one clean line.
_FOLDABLE = re.compile(r"\s{2,}|[^\S ]")


def clean(s: str) -> str:
    """Return ``s`` with terminal controls, bidi overrides and lone surrogates removed.

    Tabs and newlines stay; CRLF and CR become LF. Everything else is kept as it was,
    markup-looking text included.
    """
    if not s or _NEEDS_WORK.search(s) is None:
        return s
    if "\r\n" in s:
        s = s.replace("\r\n", "\n")
    return s.translate(_TABLE)


def clean_line(s: str) -> str:
    """:func:`clean`, then fold every run of whitespace (newlines too) into one space.

    For titles, names and other one-line fields. Leading and trailing space is dropped.
    """
    s = clean(s)
    if not s:
        return s
    if _FOLDABLE.search(s) is None:
        return s.strip(" ")
    return " ".join(s.split())
