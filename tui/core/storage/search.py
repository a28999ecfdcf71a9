"""What the user types in search, turned into an FTS5 query that means what they typed.

* Words match as prefixes (``folkson`` finds "folksonomies"), all of them (AND).
* ``OR`` between two terms (in capitals, as in most search boxes) matches either.
* ``"two words"`` in quotes matches the phrase.
* A term with punctuation inside it (``C++``, ``C#``, ``node.js``, ``.NET``) is not
  loosened into the prefix of its first letters: the index cannot hold ``+`` or ``#``
  (its tokenizer drops them), so the term's words are matched exactly and the item must
  also contain the term as typed (``literals``, checked with ``instr``): ``C++`` finds
  C++, never every word that starts with "c".

Everything else (FTS5's own syntax: ``NEAR``, ``column:``, ``^``, ``*``) is only text: the
user's input never reaches FTS5 unquoted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tui.core.models import Item

MARK_START = "\x02"
MARK_END = "\x03"
"""Around the words that matched, in a hit's snippet (SQLite's snippet() puts them there;
the screen turns them into highlighting and never prints them)."""


@dataclass
class SearchHit:
    item: Item
    snippet: str
    """A few words around where the query matched, matches between MARK_START/MARK_END."""


_TERM = re.compile(r'"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+")


@dataclass
class SearchQuery:
    """An FTS5 MATCH expression and the literal terms each result must also contain."""

    match: str = ""
    literals: list[list[str]] = field(default_factory=list)
    """Per AND-group, the literal terms any one of which (OR) the item must contain."""

    @property
    def empty(self) -> bool:
        return not self.match


def _term(text: str, quoted: bool) -> tuple[str, str | None] | None:
    """One term: its FTS5 form, and the literal text it needs (or None)."""
    words = _WORD.findall(text)
    if not words:
        return None
    phrase = '"' + " ".join(words) + '"'
    if quoted:
        return phrase, None
    if len(words) == 1 and words[0] == text:
        return phrase + "*", None  # a plain word: a prefix
    # Punctuation inside (C++, node.js, e-mail): its words exactly, and the term as typed.
    return phrase, text.casefold()


def parse_search(text: str) -> SearchQuery:
    """``text`` as typed in the search box → a ``SearchQuery`` (empty when nothing to find)."""
    groups: list[list[tuple[str, str | None]]] = []
    join_next = False
    for match in _TERM.finditer(text):
        quoted, bare = match.group(1), match.group(2)
        if bare == "OR":
            join_next = bool(groups)
            continue
        term = _term(quoted if quoted is not None else bare, quoted is not None)
        if term is None:
            continue
        if join_next and groups:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = False
    if not groups:
        return SearchQuery()
    parts = []
    literals: list[list[str]] = []
    for group in groups:
        forms = [form for form, _ in group]
        parts.append(forms[0] if len(forms) == 1 else "(" + " OR ".join(forms) + ")")
        needed = [literal for _, literal in group if literal is not None]
        if needed and len(needed) == len(group):
            literals.append(needed)
        # An OR group where only some terms need their literal text: the others match
        # on words alone, so the group cannot be narrowed by text.
    return SearchQuery(" AND ".join(parts), literals)


def literal_filter(query: SearchQuery) -> tuple[str, list[str]]:
    """SQL (``AND …``) and its parameters that keep only items holding the literal terms,
    in their title, author or text, in any case."""
    clauses = []
    params: list[str] = []
    haystack = (
        "lower(items.title || ' ' || items.author || ' ' || items.summary || ' ' || items.content)"
    )
    for group in query.literals:
        ors = []
        for literal in group:
            ors.append(f"instr({haystack}, ?) > 0")
            params.append(literal)
        clauses.append("(" + " OR ".join(ors) + ")")
    return ("".join(f" AND {clause}" for clause in clauses)), params
