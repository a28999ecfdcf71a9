"""The fast path against feedparser on 50 real feeds (../shared/corpus/real-feeds).

For every feed, parse_feed must give the same items as plain feedparser: the same number,
and per item the same guid, link, title, published time (to the second) and enclosure URLs.
Strings are compared after text.clean_line (whitespace folded, controls removed). The
feedparser side is read here, independently of parse.py's own mapping, with only the
documented conventions applied: a guid used as the link counts only when it looks like a
URL, and an entry's date is its published date, else its updated date.

Both parse_feed as the app calls it and the fast engine alone (no fallback) are checked,
and the app's calls must all have taken the fast path.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import feedparser
import pytest

import tui.core.ingest.parse as parse_module
from tui.core.ingest.parse import parse_feed
from tui.core.ingest.text import clean_line
from tui.core.models import ParsedFeed

REAL_FEEDS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "real-feeds"
if not REAL_FEEDS.is_dir():
    pytest.skip(f"no corpus at {REAL_FEEDS}", allow_module_level=True)

pytestmark = pytest.mark.corpus

FEEDS = sorted(p for p in REAL_FEEDS.iterdir() if p.name != "LICENSE")

Row = tuple[str, str, str, dt.datetime | None, list[str]]


def _when(entry: dict[str, Any]) -> dt.datetime | None:
    # dict.get: FeedParserDict.get("updated_parsed") falls back to published, with a warning.
    parsed = dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")
    if not parsed:
        return None
    year, month, day, hour, minute, second = parsed[:6]
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)


def feedparser_rows(body: bytes) -> list[Row]:
    result = feedparser.parse(io.BytesIO(body), sanitize_html=False, resolve_relative_uris=False)
    rows = []
    for entry in result.entries:
        guid = clean_line(entry.get("id", ""))
        link = clean_line(entry.get("link", ""))
        if link == guid and not link.startswith(("http://", "https://", "/")):
            link = ""
        urls = [clean_line(enc.get("href", "")) for enc in entry.get("enclosures", [])]
        rows.append((guid, link, clean_line(entry.get("title", "")), _when(entry), urls))
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


def test_corpus_is_there() -> None:
    assert len(FEEDS) == 50


@pytest.mark.parametrize("path", FEEDS, ids=[p.name for p in FEEDS])
def test_fast_path_matches_feedparser(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = path.read_bytes()
    expected = feedparser_rows(body)
    assert expected, "every real feed has items"

    fallbacks: list[bytes] = []
    reference = parse_module._parse_reference

    def spy(doc: bytes, url: str) -> ParsedFeed:
        fallbacks.append(doc)
        return reference(doc, url)

    monkeypatch.setattr(parse_module, "_parse_reference", spy)
    auto = parse_feed(body)
    fast = parse_feed(body, engine="fast")

    assert auto.error is None and fast.error is None
    assert not fallbacks, "parse_feed fell back to feedparser"
    assert _compare(path.name, expected, folio_rows(fast)) == []
    assert _compare(path.name, expected, folio_rows(auto)) == []
