"""The fast path against feedparser, on real feeds and on ill-formed documents.

For every document, parse_feed must give the same items as plain feedparser: the same
number, and per item the same guid, link, title, published time (to the second) and
enclosure URLs. Strings are compared after text.clean_line (whitespace folded, controls
removed). The feedparser side is read here, independently of parse.py's own mapping, with
only the documented conventions applied: a guid used as the link counts only when it looks
like a URL, an entry's date is its published date, else its updated date, and an entry with
nothing to show or identify is not an item.

The documents:

* the 50 real feeds of ../shared/corpus/real-feeds, all well-formed;
* the same 50 made ill-formed in the three ways real feeds are (issue 11): an undefined
  entity (``&eacute;&nbsp;`` in every title), an invalid token (a bare ``&`` and a control
  character in every title) and a wrong encoding declaration (windows-1252 bytes in a
  document that declares, or defaults to, UTF-8);
* the ill-formed documents of feedparser's conformance corpus (``illformed/``);
* the ill-formed documents of tests/fixtures: hostile.xml, and each fixture feed cut short
  after each of its items, as a dropped connection leaves it.

For the real feeds, well-formed or made ill-formed, parse_feed must also have taken the
fast path: an ill-formed feed that lxml can read no longer costs feedparser's time.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import feedparser
import pytest

import tui.core.ingest.parse as parse_module
from tui.core.ingest.parse import parse_feed
from tui.core.ingest.text import clean_line
from tui.core.models import ParsedFeed

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
REAL_FEEDS = CORPUS / "real-feeds"
ILLFORMED = CORPUS / "feedparser-conformance" / "illformed"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
URL = "https://feeds.example/feed"
NO_CORPUS = f"no corpus at {CORPUS}: the real-feed and conformance cases are skipped"

FEEDS = (
    sorted(p for p in REAL_FEEDS.iterdir() if p.name != "LICENSE") if REAL_FEEDS.is_dir() else []
)
needs_corpus = [
    pytest.mark.corpus,
    pytest.mark.skipif(not FEEDS, reason=NO_CORPUS),
]

Row = tuple[str, str, str, dt.datetime | None, list[str]]


def _when(entry: dict[str, Any]) -> dt.datetime | None:
    # dict.get: FeedParserDict.get("updated_parsed") falls back to published, with a warning.
    parsed = dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")
    if not parsed:
        return None
    year, month, day, hour, minute, second = parsed[:6]
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)


def feedparser_rows(body: bytes, base: str = "") -> list[Row]:
    result = feedparser.parse(io.BytesIO(body), sanitize_html=False, resolve_relative_uris=False)
    rows = []
    for entry in result.entries:
        guid = clean_line(entry.get("id", ""))
        link = clean_line(entry.get("link", ""))
        if link == guid and not link.startswith(("http://", "https://", "/")):
            link = ""
        urls = [clean_line(enc.get("href", "")) for enc in entry.get("enclosures", [])]
        title = clean_line(entry.get("title", ""))
        text = entry.get("summary") or entry.get("content")
        if not (guid or link or title or urls or text):
            continue  # nothing to show or identify: not an item (a cut document's tail)
        if base:
            link = urljoin(base, link) if link else link
            urls = [urljoin(base, url) for url in urls]
        rows.append((guid, link, title, _when(entry), urls))
    return rows


def folio_rows(feed: ParsedFeed) -> list[Row]:
    return [
        (
            item.guid,
            item.link,
            item.title,
            item.published.replace(microsecond=0) if item.published else None,
            [enc.url for enc in item.enclosures],
        )
        for item in feed.items
    ]


def _compare(name: str, expected: list[Row], got: list[Row]) -> list[str]:
    if len(expected) != len(got):
        return [f"{name}: {len(got)} items, feedparser has {len(expected)}"]
    problems = []
    fields = ("guid", "link", "title", "published", "enclosures")
    for index, (want, have) in enumerate(zip(expected, got, strict=True)):
        for field, a, b in zip(fields, want, have, strict=True):
            if a != b:
                problems.append(f"{name} item {index} {field}: {b!r} != feedparser {a!r}")
    return problems


@pytest.mark.parametrize("mark", needs_corpus)  # the marks, applied one per run
def test_corpus_is_there(mark: pytest.MarkDecorator) -> None:
    if not FEEDS:
        pytest.skip(NO_CORPUS)
    assert len(FEEDS) == 50


def _spy_on_fallback(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    fallbacks: list[bytes] = []
    reference = parse_module._parse_reference

    def spy(doc: bytes, url: str) -> ParsedFeed:
        fallbacks.append(doc)
        return reference(doc, url)

    monkeypatch.setattr(parse_module, "_parse_reference", spy)
    return fallbacks


@pytest.mark.corpus
@pytest.mark.skipif(not FEEDS, reason=NO_CORPUS)
@pytest.mark.parametrize("path", FEEDS, ids=[p.name for p in FEEDS])
def test_fast_path_matches_feedparser(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = path.read_bytes()
    expected = feedparser_rows(body)
    assert expected, "every real feed has items"

    fallbacks = _spy_on_fallback(monkeypatch)
    auto = parse_feed(body)
    fast = parse_feed(body, engine="fast")

    assert auto.error is None and fast.error is None
    assert not fallbacks, "parse_feed fell back to feedparser"
    assert _compare(path.name, expected, folio_rows(fast)) == []
    assert _compare(path.name, expected, folio_rows(auto)) == []


# ------------------------------------------------------------------ ill-formed documents

_TITLE_TEXT = re.compile(r"(<title[^>]*>)(?!<!\[CDATA)")


def _undefined_entity(text: str) -> bytes:
    return _TITLE_TEXT.sub(r"\1caf&eacute;&nbsp;", text).encode("utf-8", "surrogateescape")


def _invalid_token(text: str) -> bytes:
    return _TITLE_TEXT.sub("\\1Tom & Jerry \x0b", text).encode("utf-8", "surrogateescape")


def _wrong_encoding(text: str) -> bytes:
    # windows-1252 bytes, where the declaration says (or the default is) UTF-8; a feed
    # with characters windows-1252 lacks gets an "é" in its titles instead.
    try:
        return text.encode("cp1252")
    except UnicodeEncodeError:
        return _TITLE_TEXT.sub("\\1Caf\u00e9 ", text).encode("cp1252", "replace")


BREAKAGES = {
    "undefined entity": _undefined_entity,
    "invalid token": _invalid_token,
    "wrong encoding": _wrong_encoding,
}


def _loose(rows: list[Row]) -> list[Row]:
    """feedparser's loose parser leaves "&amp;" escaped in a guid or link read from an
    ill-formed document (its strict parser, on the same feed well-formed, does not)."""
    return [
        (guid.replace("&amp;", "&"), link.replace("&amp;", "&"), title, when, urls)
        for guid, link, title, when, urls in rows
    ]


@pytest.mark.corpus
@pytest.mark.skipif(not FEEDS, reason=NO_CORPUS)
@pytest.mark.parametrize("breakage", list(BREAKAGES))
@pytest.mark.parametrize("path", FEEDS, ids=[p.name for p in FEEDS])
def test_ill_formed_real_feeds_take_the_fast_path_and_match_feedparser(
    path: Path, breakage: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = path.read_bytes()
    body = BREAKAGES[breakage](original.decode("utf-8", "surrogateescape"))
    expected = _loose(feedparser_rows(body))
    fallbacks = _spy_on_fallback(monkeypatch)
    auto = parse_feed(body)
    assert not fallbacks, "parse_feed fell back to feedparser"
    if body != original:  # unchanged when every title is CDATA, or the feed is ASCII
        assert auto.error is not None and auto.error.startswith("ill-formed XML")
    assert _compare(path.name, expected, folio_rows(auto)) == []


CONFORMANCE_ILLFORMED = sorted(p for p in ILLFORMED.rglob("*.xml")) if ILLFORMED.is_dir() else []
KNOWN_DIFFERENCES = {
    # The document ends inside "<![CD": lxml keeps "![CD" as the item's title, feedparser
    # keeps nothing, so its item has nothing to show. Garbage either way; not worth a
    # fallback to feedparser.
    "rss_incomplete_cdata.xml": ["rss_incomplete_cdata.xml: 1 items, feedparser has 0"],
}


@pytest.mark.corpus
@pytest.mark.skipif(not CONFORMANCE_ILLFORMED, reason=NO_CORPUS)
@pytest.mark.parametrize("path", CONFORMANCE_ILLFORMED, ids=[p.name for p in CONFORMANCE_ILLFORMED])
def test_ill_formed_conformance_documents_match_feedparser(path: Path) -> None:
    body = path.read_bytes()
    problems = _compare(path.name, feedparser_rows(body), folio_rows(parse_feed(body)))
    assert problems == KNOWN_DIFFERENCES.get(path.name, [])


def _cut_after_each_item(name: str) -> list[bytes]:
    body = (FIXTURES / name).read_bytes()
    ends = [m.end() for m in re.finditer(rb"</(?:item|entry)>", body)]
    return [body[:end] for end in ends]


FIXTURE_CASES = [pytest.param((FIXTURES / "hostile.xml").read_bytes(), id="hostile.xml")] + [
    pytest.param(cut, id=f"{name} cut after item {n}")
    for name in ("rss20.xml", "atom.xml", "rss10.xml", "podcast.xml")
    for n, cut in enumerate(_cut_after_each_item(name), 1)
]


@pytest.mark.parametrize("body", FIXTURE_CASES)
def test_ill_formed_fixtures_match_feedparser(body: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    fallbacks = _spy_on_fallback(monkeypatch)
    feed = parse_feed(body, URL)
    assert feed.error is not None and "ill-formed XML" in feed.error
    assert not fallbacks, "parse_feed fell back to feedparser"
    assert _compare("fixture", feedparser_rows(body, URL), folio_rows(feed)) == []
