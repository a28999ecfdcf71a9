"""Feed documents to :class:`ParsedFeed`: RSS 0.9x/2.0, RSS 1.0, Atom and JSON Feed 1.0/1.1.

:func:`parse_feed` never raises. Every way a document can be wrong ends up as
``ParsedFeed.error`` in words, with whatever items could still be read.

Two engines read XML:

* fastfeedparser (lxml and a native extractor, ~25 µs per item) is the fast path. It is used
  only for documents that expat, run first as a well-formedness check, finds well-formed;
  and only when its result is usable (it did not raise, and for podcasts its items line up
  with the ones the check counted).
* feedparser (~1 ms per item) is the reference, and reads everything else: ill-formed
  documents (its loose parser recovers what it can, and we report the expat error), and
  whatever the fast path refused.

The differential test (tests/unit/test_parse_differential.py) checks that both give the same
items on 50 real feeds.

Before either engine sees a document it is made safe and uniform (:func:`_prepare`): it is
transcoded to UTF-8 when it is in another encoding, and a DOCTYPE's internal subset is
removed, keeping only entity declarations that cannot expand into more than a few bytes.
So no parser ever sees an external entity or a nested one: billion-laughs and XXE documents
cost a millisecond and come back with an error saying their entities were removed.
"""

from __future__ import annotations

import codecs
import contextlib
import datetime as dt
import email.utils
import io
import json
import re
import xml.parsers.expat
from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin

import fastfeedparser
import feedparser

from .models import Enclosure, ParsedFeed, ParsedItem
from .text import clean, clean_line

__all__ = ["parse_feed", "parse_feed_job"]

ENGINES = ("auto", "fast", "reference")


def parse_feed(
    body: bytes, url: str = "", content_type: str = "", *, engine: str = "auto"
) -> ParsedFeed:
    """Parse a feed document. Never raises.

    ``url`` is the document's address, used to resolve relative links. ``content_type`` is
    the HTTP Content-Type: it marks JSON Feeds and supplies a charset for documents that
    declare none. ``engine`` is for tests and benchmarks: ``"fast"`` uses only
    fastfeedparser (no fallback), ``"reference"`` only feedparser.
    """
    try:
        return _parse(body, url, content_type, engine)
    except Exception as exc:  # the promise is "never raises": any bug becomes a feed error
        return ParsedFeed(error=f"could not parse the feed: {_exception_words(exc)}")


def parse_feed_job(args: tuple[bytes, str, str]) -> ParsedFeed:
    """``parse_feed`` taking one tuple, for ``ProcessPoolExecutor.map``."""
    body, url, content_type = args
    return parse_feed(body, url, content_type)


def _parse(body: bytes, url: str, content_type: str, engine: str) -> ParsedFeed:
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}")
    if not isinstance(body, bytes | bytearray | memoryview):
        return ParsedFeed(error=f"not a feed: expected bytes, got {type(body).__name__}")
    body = bytes(body)
    if not body.strip():
        return ParsedFeed(error="empty document")
    if _looks_like_json(body, content_type):
        return _parse_json_feed(body, url)

    body = _to_utf8(body, content_type)
    prolog = _scan_prolog(body)
    if prolog.root == "html" or (not prolog.root and prolog.doctype_name == "html"):
        return ParsedFeed(error=f"not a feed: an HTML page{_html_title(body)}")
    notes: list[str] = []
    if prolog.subset is not None:
        body, removed, kept_entities = _defuse_subset(body, prolog)
        if removed:
            notes.append("unsafe XML: entity declarations removed, not expanded")
    else:
        kept_entities = False

    # Text handlers cost a Python call per text node, so durations are read for podcasts only.
    scan = _ItemScan(podcast=b"itunes.com/dtds/podcast" in body[:65536].lower())
    xml_error = _check_xml(body, scan)
    # Atom 0.3's base64 text is decoded only by feedparser.
    fast_ok = xml_error is None and not kept_entities and not _BASE64_MODE.search(body)
    if xml_error and engine == "auto" and not _FEEDISH.search(body):
        # Not XML and nothing feed-like in it: spare feedparser's loose parser (slow on a
        # megabyte of junk) the trouble of saying so.
        notes.append(_not_a_feed(prolog.root, xml_error))
        return ParsedFeed(error="; ".join(notes))
    atom = prolog.root == "feed"
    feed: ParsedFeed | None = None
    if engine == "fast" or (engine == "auto" and fast_ok):
        feed = _parse_fast(body, url, scan.items if xml_error is None else None, atom)
        if feed is None and engine == "fast":
            feed = ParsedFeed(error="the fast parser could not read this document")
    elif engine == "auto" and xml_error and body.count(b"<") > _MAX_REFERENCE_TAGS:
        # feedparser's loose parser spends ~50 µs per tag: a tag-dense broken document
        # would take seconds. lxml's recovering parser reads it in milliseconds, if less
        # faithfully (it drops undefined entities such as &eacute;).
        feed = _parse_fast(body, url, None, atom)
        if feed is not None and not feed.items:
            feed = None
    if feed is None:
        feed = _parse_reference(body, url)
    if xml_error:
        # expat's message says where; feedparser's bozo message would repeat it vaguely.
        if feed.items or not (feed.error or "").startswith("not a feed"):
            notes.append(xml_error)
        else:
            notes.append(_not_a_feed(prolog.root, xml_error))
    elif feed.error:
        notes.append(feed.error)
    feed.error = "; ".join(notes) or None
    feed.items = [item for item in feed.items if _has_substance(item)]
    return feed


_MAX_REFERENCE_TAGS = 50_000
_FEEDISH = re.compile(rb"<(?:[\w.-]+:)?(?:rss|feed|rdf|channel|item|entry)[\s>/]", re.IGNORECASE)
_BASE64_MODE = re.compile(rb"""mode\s*=\s*["']base64""")


def _has_substance(item: ParsedItem) -> bool:
    """False for an item with nothing to show or identify (a truncated document's tail)."""
    return bool(
        item.guid or item.link or item.title or item.summary or item.content or item.enclosures
    )


# --------------------------------------------------------------------------- preparation

_BOM_CODECS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Without a BOM, how "<?" begins tells the wide encodings apart (XML 1.0 appendix F).
_SNIFF_CODECS = {
    b"\x00\x00\x00<": "utf-32-be",
    b"<\x00\x00\x00": "utf-32-le",
    b"\x00<\x00?": "utf-16-be",
    b"<\x00?\x00": "utf-16-le",
    b"\x4c\x6f\xa7\x94": "cp037",  # EBCDIC
}
_XML_DECL = re.compile(rb"<\?xml[^>]{0,200}?\?>")
_DECL_ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")
_DECL_ENCODING_STR = re.compile(r"""(encoding\s*=\s*["'])([A-Za-z0-9._:-]{1,40})(["'])""")
_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]{1,40})""", re.IGNORECASE)
_UTF8_NAMES = frozenset({"utf-8", "utf_8", "ascii"})


def _codec(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except (LookupError, ValueError):
        return None


def _to_utf8(body: bytes, content_type: str) -> bytes:
    """The document as UTF-8 with a declaration that says so, when that can be worked out.

    Every engine then reads the same bytes, and expat (which knows only a few encodings)
    can check any of them. The declaration wins over the HTTP charset, and a header
    charset is only used for a document that is not valid UTF-8: a wrong header is far
    more common than a wrong declaration. If decoding fails the bytes are left alone and
    the reference parser's own guessing takes over.
    """
    source: str | None = None
    for bom, name in _BOM_CODECS:
        if body.startswith(bom):
            source = name
            break
    else:
        source = _SNIFF_CODECS.get(body[:4])
    if source is None:
        decl = _XML_DECL.match(body.lstrip()[:300])
        declared = decl and _DECL_ENCODING.search(decl.group())
        if declared:
            source = _codec(declared.group(1).decode("ascii"))
            if source and source.startswith(("utf-16", "utf-32")):
                source = None  # we just read the declaration as ASCII, so it is wrong
        elif content_type and (charset := _CHARSET.search(content_type)):
            header = _codec(charset.group(1))
            if header and header not in _UTF8_NAMES:
                try:
                    body.decode("utf-8")
                except UnicodeDecodeError:
                    source = header
        if source is None or source in _UTF8_NAMES:
            return body
    try:
        text = body.decode(source)
    except (UnicodeDecodeError, LookupError):
        return body
    text = _DECL_ENCODING_STR.sub(r"\1utf-8\3", text, count=1)
    return text.encode("utf-8", "surrogatepass")


class _Prolog:
    """What comes before the root element."""

    __slots__ = ("doctype_name", "root", "subset")

    def __init__(self) -> None:
        self.root = ""
        """The root element's local name, lower-cased; empty if none was found."""
        self.doctype_name = ""
        self.subset: tuple[int, int] | None = None
        """Start and end (exclusive) of the DOCTYPE internal subset, brackets included."""


_SPACE = re.compile(rb"[ \t\r\n]*")
_NAME = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_DOCTYPE = re.compile(rb"<!DOCTYPE[ \t\r\n]+([^ \t\r\n\[>]*)", re.IGNORECASE)
# Characters that matter inside a DOCTYPE: quotes, comments and PIs may hide "]" and ">".
_DTD_SPECIAL = re.compile(rb"[\"'<\[\]>]")


def _scan_prolog(body: bytes) -> _Prolog:
    prolog = _Prolog()
    i = 3 if body.startswith(codecs.BOM_UTF8) else 0
    n = len(body)
    while i < n:
        i = _SPACE.match(body, i).end()  # type: ignore[union-attr]  # "*" always matches
        if body.startswith(b"<?", i):
            end = body.find(b"?>", i + 2)
        elif body.startswith(b"<!--", i):
            end = body.find(b"-->", i + 4)
        elif doctype := _DOCTYPE.match(body, i):
            prolog.doctype_name = doctype.group(1).decode("latin-1").lower()
            i = _scan_doctype(body, doctype.end(), prolog)
            continue
        else:
            name = _NAME.match(body, i)
            if name:
                prolog.root = name.group(1).decode("latin-1").rpartition(":")[2].lower()
            return prolog
        if end < 0:
            return prolog
        i = end + 2 if body[end] == ord("?") else end + 3
    return prolog


def _scan_doctype(body: bytes, i: int, prolog: _Prolog) -> int:
    """Find the end of a DOCTYPE (and its internal subset); return the index after it.

    Every search moves forward and the scan stops at the first unterminated construct, so a
    hostile prolog costs linear time.
    """
    n = len(body)
    start = -1
    while (match := _DTD_SPECIAL.search(body, i)) is not None:
        j = match.start()
        char = body[j : j + 1]
        i = j + 1
        if char in (b'"', b"'"):
            end = body.find(char, j + 1)
            if end < 0:
                break
            i = end + 1
        elif char == b"<":
            for opener, closer in ((b"<!--", b"-->"), (b"<?", b"?>")):
                if body.startswith(opener, j):
                    end = body.find(closer, j + len(opener))
                    i = n if end < 0 else end + len(closer)
                    break
        elif char == b"[":
            if start < 0:
                start = j
        elif char == b"]":
            if start >= 0 and prolog.subset is None:
                prolog.subset = (start, j + 1)
        elif char == b">" and (start < 0 or prolog.subset is not None):
            return j + 1
    if start >= 0 and prolog.subset is None:  # never closed: all after "[" is the subset
        prolog.subset = (start, n)
    return n


_ENTITY_DECL = re.compile(rb"<!ENTITY\s+(%\s+)?([^\s\"'%&;<>]+)\s+([\"'])(.*?)\3\s*>", re.DOTALL)
_SAFE_VALUE = re.compile(rb"[^&%<\"']{0,10}|&#[0-9]{1,7};|&#x[0-9A-Fa-f]{1,6};")


def _defuse_subset(body: bytes, prolog: _Prolog) -> tuple[bytes, bool, bool]:
    """Remove the internal subset, keeping general entities with short literal values.

    A kept entity expands to at most ten characters and refers to no other entity, so it
    cannot amplify; anything external (SYSTEM/PUBLIC), parameter entities and values
    with references in them are dropped. Returns (body, something removed, entities kept).
    """
    assert prolog.subset is not None
    start, end = prolog.subset
    subset = body[start:end]
    kept = [
        decl.group()
        for decl in _ENTITY_DECL.finditer(subset)
        if not decl.group(1) and _SAFE_VALUE.fullmatch(decl.group(4))
    ]
    removed = subset.count(b"<!ENTITY") > len(kept)
    replacement = b"[" + b"".join(kept) + b"]" if kept else b""
    return body[:start] + replacement + body[end:], removed, bool(kept)


# --------------------------------------------------------------------------- checking


def _check_xml(body: bytes, scan: _ItemScan) -> str | None:
    """Run expat over the document; return its error in words, or None if well-formed.

    Namespace processing is on, as in feedparser's strict parser, so the two agree on what
    is well-formed. No handler loads external entities, and the internal subset is gone.
    """
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end
    if scan.podcast:
        parser.CharacterDataHandler = scan.chars
    try:
        parser.Parse(body, True)
    except xml.parsers.expat.ExpatError as exc:
        words = xml.parsers.expat.ErrorString(exc.code) or "syntax error"
        return f"ill-formed XML: {words} at line {exc.lineno}, column {exc.offset + 1}"
    except (LookupError, ValueError) as exc:  # e.g. encoding="bogus" in the declaration
        return f"ill-formed XML: {_exception_words(exc)}"
    return None


class _Scanned:
    __slots__ = ("duration", "has_link", "has_title", "not_permalink")

    def __init__(self) -> None:
        self.duration = ""
        self.has_link = False
        self.has_title = False
        self.not_permalink = False


_UNKNOWN = _Scanned()
_UNKNOWN.has_link = True  # keep fastfeedparser's link


class _ItemScan:
    """What the fast path needs to know about each top-level item, in document order, and
    fastfeedparser does not say: how many items there are, whether each has a link and a
    title element, whether its guid says isPermaLink="false" (feedparser then does not
    use the guid as the link), and its itunes:duration."""

    def __init__(self, podcast: bool) -> None:
        self.podcast = podcast
        self.items: list[_Scanned] = []
        self._level = 0  # element depth
        self._item_level = 0  # depth of the open top-level item, 0 outside items
        self._text: list[str] | None = None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self._level += 1
        local = name.rpartition(" ")[2]
        if not self._item_level:
            if local in ("item", "entry"):
                self._item_level = self._level
                self.items.append(_Scanned())
            return
        if self._level != self._item_level + 1:
            return
        item = self.items[-1]
        if local == "link":
            item.has_link = True
        elif local == "title":
            item.has_title = True
        elif local == "guid":
            permalink = next((v for k, v in attrs.items() if k.lower() == "ispermalink"), "")
            item.not_permalink = permalink.strip().lower() == "false"
        elif self.podcast and local == "duration" and "itunes.com/dtds/podcast" in name.lower():
            self._text = []

    def end(self, name: str) -> None:
        if self._text is not None:
            item = self.items[-1]
            item.duration = item.duration or clean_line("".join(self._text))
            self._text = None
        if self._level == self._item_level:
            self._item_level = 0
        self._level -= 1

    def chars(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


# --------------------------------------------------------------------------- engines


def _parse_fast(
    body: bytes, url: str, scanned: list[_Scanned] | None, atom: bool
) -> ParsedFeed | None:
    """fastfeedparser's reading, or None when it failed or its items cannot be trusted.

    The mapping reproduces what feedparser does on top of the XML, so both engines give the
    same items: its text fixes (:func:`_like_feedparser`), its author names, and its rule
    that an item without a link takes its guid as the link unless the guid says it is not
    a permalink (Atom ids always count as permalinks).
    """
    try:
        # Always bytes: given a str that looks like a URL, fastfeedparser would fetch it.
        result = fastfeedparser.parse(body)
    except Exception:
        return None
    return _map_fast(result, url, scanned, atom)


def _map_fast(
    result: Mapping[str, Any], url: str, scanned_items: list[_Scanned] | None, atom: bool
) -> ParsedFeed | None:
    """Map fastfeedparser's result. ``scanned_items`` is what expat saw in a well-formed
    document; None for a broken one, where fastfeedparser's links are taken as they are."""
    entries = result.get("entries")
    if not isinstance(entries, list):
        return None
    if scanned_items is None:
        scanned_items = [_UNKNOWN] * len(entries)
    elif len(scanned_items) != len(entries):
        return None  # its items do not line up with the ones expat saw
    head = result.get("feed") or {}
    base = _absolute(clean_line(_like_feedparser(head.get("link"))), url) or url
    title = clean_line(_like_feedparser(head.get("title")))
    if not title:
        return None  # feedparser finds titles fastfeedparser misses (dc:title, odd case)
    items = []
    for entry, scanned in zip(entries, scanned_items, strict=True):
        guid = _like_feedparser(entry.get("id"))
        link = _like_feedparser(entry.get("link"))
        if not atom and not scanned.has_link:
            link = "" if scanned.not_permalink else guid
        elif not link:
            link = guid
        item = _item(
            guid=guid,
            title=_like_feedparser(entry.get("title")),
            link=link,
            author=_author_name(_like_feedparser(entry.get("author"))),
            summary=_like_feedparser(entry.get("description") or _media_text(entry)),
            content=_like_feedparser(_first_value(entry.get("content"))),
            published=_iso_date(entry.get("published")) or _iso_date(entry.get("updated")),
            enclosures=[
                (enc.get("url"), enc.get("type"), enc.get("length"))
                for enc in entry.get("enclosures") or ()
                if isinstance(enc, Mapping)
            ],
            duration=scanned.duration,
            base=url or base,
        )
        if scanned.has_title and not item.title:
            return None  # e.g. an Atom type="xhtml" title, which only feedparser reads
        items.append(item)
    return ParsedFeed(title=title, link=base, items=items)


def _media_text(entry: Mapping[str, Any]) -> str:
    """media:description, which feedparser reads as the summary (YouTube has nothing else)."""
    for media in entry.get("media_content") or ():
        if isinstance(media, Mapping) and (text := _str(media.get("description"))):
            return text
    return ""


def _like_feedparser(value: object) -> str:
    """Text fixed up as feedparser fixes the text of every element it reads."""
    if not isinstance(value, str):
        return ""
    if value.isascii():
        return value
    # feedparser undoes UTF-8 that was read as latin-1 (mixin.pop). Its other fix, C1
    # characters to their windows-1252 meaning, is done for every engine by text.clean.
    with contextlib.suppress(UnicodeError):
        value = value.encode("latin-1").decode("utf-8")
    return value


# feedparser's pattern for an e-mail address inside an author (mixin._sync_author_detail).
_EMAIL = re.compile(
    r"(([a-zA-Z0-9_\-.+]+)@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.)|(([a-zA-Z0-9\-]+\.)+))"
    r"([a-zA-Z]{2,4}|[0-9]{1,3})(]?))(\?subject=\S+)?"
)


def _author_name(author: str) -> str:
    """The name in "jane@example.com (Jane Doe)", as feedparser's author_detail has it."""
    match = _EMAIL.search(author)
    if not match:
        return author
    name = author.replace(match.group(0), "").replace("()", "").replace("<>", "").strip()
    name = name.removeprefix("(").removesuffix(")").strip()
    return name or author


def _parse_reference(body: bytes, url: str) -> ParsedFeed:
    # A stream, never bytes or str: feedparser opens a bytes/str argument as a file name
    # (or fetches it as a URL) when it can, so a body of b"/etc/passwd" would read that file.
    # No sanitising or URI resolution: content is rendered as text by htmltext, and this
    # makes feedparser about 4x faster.
    result = feedparser.parse(io.BytesIO(body), sanitize_html=False, resolve_relative_uris=False)
    head = result.get("feed") or {}
    base = _absolute(clean_line(_str(head.get("link"))), url) or url
    items = []
    for entry in result.get("entries") or ():
        content = _first_value(entry.get("content"))
        items.append(
            _item(
                guid=entry.get("id"),
                title=entry.get("title"),
                link=entry.get("link"),
                author=_reference_author(entry),
                summary=entry.get("summary"),
                content=content,
                published=_struct_date(entry.get("published_parsed"))
                or _struct_date(entry.get("updated_parsed")),
                enclosures=[
                    (enc.get("href"), enc.get("type"), enc.get("length"))
                    for enc in entry.get("enclosures") or ()
                    if isinstance(enc, Mapping)
                ],
                duration=entry.get("itunes_duration"),
                base=url or base,
            )
        )
    feed = ParsedFeed(title=clean_line(_str(head.get("title"))), link=base, items=items)
    if not items and not result.get("version"):
        feed.error = "not a feed: no RSS or Atom found"
    elif result.get("bozo"):
        feed.error = f"ill-formed feed: {_exception_words(result.get('bozo_exception'))}"
    return feed


def _reference_author(entry: Mapping[str, Any]) -> str:
    detail = entry.get("author_detail")
    name = _str(detail.get("name")) if isinstance(detail, Mapping) else ""
    return name or _str(entry.get("author"))


# --------------------------------------------------------------------------- JSON Feed


def _looks_like_json(body: bytes, content_type: str) -> bool:
    start = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start == b"{":
        return True
    media_type = content_type.split(";", 1)[0].strip().lower()
    return start != b"<" and (media_type.endswith("/json") or media_type.endswith("+json"))


def _parse_json_feed(body: bytes, url: str) -> ParsedFeed:
    """JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1), read with the json module."""
    try:
        doc = json.loads(body)  # detects UTF-8/16/32 itself
    except (ValueError, RecursionError) as exc:
        return ParsedFeed(error=f"not a feed: invalid JSON ({_exception_words(exc)})")
    if not isinstance(doc, dict):
        return ParsedFeed(error="not a feed: JSON, but not a JSON Feed object")
    version = _str(doc.get("version"))
    raw_items = doc.get("items")
    if "jsonfeed.org/version/" not in version and not isinstance(raw_items, list):
        return ParsedFeed(error="not a feed: JSON without a JSON Feed version or items")
    base = _absolute(clean_line(_str(doc.get("home_page_url"))), url) or url
    feed_author = _json_author(doc)
    items = []
    for raw in raw_items if isinstance(raw_items, list) else ():
        if not isinstance(raw, dict):
            continue
        attachments = [a for a in raw.get("attachments") or () if isinstance(a, dict)]
        content = raw.get("content_html") or raw.get("content_text")
        duration = next(
            (a["duration_in_seconds"] for a in attachments if a.get("duration_in_seconds")), ""
        )
        items.append(
            _item(
                guid=raw.get("id"),
                title=raw.get("title"),
                link=raw.get("url") or raw.get("external_url"),
                author=_json_author(raw) or feed_author,
                summary=raw.get("summary"),
                content=content,
                published=_text_date(raw.get("date_published"))
                or _text_date(raw.get("date_modified")),
                enclosures=[
                    (a.get("url"), a.get("mime_type"), a.get("size_in_bytes")) for a in attachments
                ],
                duration=_json_number(duration),
                base=url or base,
            )
        )
    feed = ParsedFeed(title=clean_line(_str(doc.get("title"))), link=base, items=items)
    if "jsonfeed.org/version/" not in version:
        feed.error = "JSON Feed without a version"
    elif not isinstance(raw_items, list):
        feed.error = "JSON Feed without an items list"
    return feed


def _json_author(obj: dict[str, Any]) -> str:
    """1.1's ``authors`` list, else 1.0's ``author`` object; names joined with commas."""
    authors = obj.get("authors")
    if not isinstance(authors, list):
        authors = [obj.get("author")]
    names = [_str(a.get("name")) for a in authors if isinstance(a, dict)]
    return ", ".join(name for name in names if name)


def _json_number(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


# --------------------------------------------------------------------------- mapping


def _item(
    *,
    guid: object,
    title: object,
    link: object,
    author: object,
    summary: object,
    content: object,
    published: dt.datetime | None,
    enclosures: list[tuple[object, object, object]],
    duration: object,
    base: str,
) -> ParsedItem:
    """One ParsedItem, every string sanitised, whichever engine read it."""
    summary_text = clean(_str(summary))
    guid_text = clean_line(_id(guid))
    link_text = clean_line(_str(link))
    if link_text == guid_text and not link_text.startswith(_LINK_LIKE):
        # Both engines use a permalink guid as the link when there is no link element;
        # a guid such as "urn:uuid:..." or "1234" is no link, and resolving it against the
        # feed's address would invent one.
        link_text = ""
    return ParsedItem(
        guid=guid_text,
        title=clean_line(_str(title)),
        link=_absolute(link_text, base),
        author=clean_line(_str(author)),
        summary=summary_text,
        content=(summary_text if content == summary else clean(_str(content))) or summary_text,
        published=published,
        enclosures=[
            Enclosure(_absolute(url_text, base), clean_line(_str(kind)), _length(length))
            for url, kind, length in enclosures
            if (url_text := clean_line(_str(url)))
        ],
        duration=clean_line(_id(duration)),
    )


_LINK_LIKE = ("http://", "https://", "/")


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _id(value: object) -> str:
    """An identifier as text: JSON Feed ids are sometimes numbers."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _first_value(content: object) -> str:
    if isinstance(content, list):
        for part in content:
            if isinstance(part, Mapping) and (value := _str(part.get("value"))):
                return value
    return ""


def _absolute(link: str, base: str) -> str:
    if not link or not base or "://" in link[:12] or link.startswith(("mailto:", "data:")):
        return link
    try:
        return urljoin(base, link)
    except ValueError:  # e.g. a malformed IPv6 host in the base
        return link


def _length(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value.isdigit() or len(value) > 18:
            return None
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and 0 <= value < 2**63:
        return value
    return None


_UTC = dt.UTC


def _utc(moment: dt.datetime) -> dt.datetime | None:
    try:
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=_UTC)
        return moment.astimezone(_UTC).replace(microsecond=0)
    except (OverflowError, ValueError):
        return None


def _iso_date(value: object) -> dt.datetime | None:
    """fastfeedparser's dates: ISO 8601 text, usually already in UTC."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return _utc(dt.datetime.fromisoformat(value))
    except ValueError:
        return None


def _struct_date(value: object) -> dt.datetime | None:
    """feedparser's dates: a UTC time.struct_time."""
    try:
        fields = tuple(value[:6])  # type: ignore[index]
        year, month, day, hour, minute, second = (int(f) for f in fields)
        return dt.datetime(year, month, day, hour, minute, min(second, 59), tzinfo=_UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _text_date(value: object) -> dt.datetime | None:
    """JSON Feed dates: RFC 3339, with RFC 822 tolerated since feeds get it wrong."""
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    moment = _iso_date(value)
    if moment is None:
        try:
            moment = _utc(email.utils.parsedate_to_datetime(value))
        except (TypeError, ValueError, IndexError):
            return None
    return moment


# --------------------------------------------------------------------------- errors


def _exception_words(exc: object) -> str:
    """A short description of an exception for a person, not a traceback."""
    if exc is None:
        return "unknown problem"
    message = clean_line(str(exc))
    get_message = getattr(exc, "getMessage", None)  # SAXParseException
    if callable(get_message):
        line = getattr(exc, "getLineNumber", lambda: None)()
        message = clean_line(str(get_message())) + (f" at line {line}" if line else "")
    if not message:
        message = type(exc).__name__
    return message[:200]


def _not_a_feed(root: str, xml_error: str) -> str:
    if root:
        return f"not a feed: {xml_error} (root element <{root}>)"
    return f"not a feed: {xml_error}"


_HTML_TITLE = re.compile(rb"<title[^>]*>([^<]{1,200})", re.IGNORECASE)


def _html_title(body: bytes) -> str:
    match = _HTML_TITLE.search(body, 0, 65536)
    if not match:
        return ""
    title = clean_line(match.group(1).decode("utf-8", "replace"))
    return f" ({title[:80]})" if title else ""
