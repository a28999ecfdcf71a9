"""Feed documents to :class:`ParsedFeed`: RSS 0.9x/2.0, RSS 1.0, Atom and JSON Feed 1.0/1.1.

:func:`parse_feed` never raises. Every way a document can be wrong ends up as
``ParsedFeed.error`` in words, with whatever items could still be read.

Before an XML document is parsed, :mod:`.xmlsafe` makes it UTF-8 and removes every entity
declaration wherever it is (no entity is ever expanded beyond a few bytes, none is
external, by any engine), then runs expat over it as a well-formedness check. Then one of
two engines reads it:

* fastfeedparser (lxml and a native extractor, ~25 µs per item) is the fast path. Its
  result is used only if it is usable: it did not raise, its items line up with the ones
  expat counted, and nothing it is known to miss is there. An ill-formed document takes
  it too once :func:`xmlsafe.mend` has put right the usual mistakes (wrong encoding,
  control characters, HTML entities, bare ampersands, undeclared prefixes), or
  :func:`xmlsafe.recover` has had lxml's recovering parser write it back well-formed.
* feedparser (~1 ms per item) is the reference and the fallback: for what the fast path
  refused, and for a recovered document whose reading clearly has fewer items than the
  document has item tags (then whichever reading has more items wins).

The mapping from each engine's dicts to ParsedItem reproduces feedparser's conventions,
and tests/unit/test_parse_differential.py checks that both give the same items on 50 real
feeds, the same feeds made ill-formed, and the ill-formed documents of the conformance
corpus and the fixtures. JSON Feed is read here with the json module.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import html
import io
import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin

import fastfeedparser

from tui.core.ingest.text import clean, clean_line
from tui.core.ingest.xmlsafe import (
    UNKNOWN_ITEM,
    ItemScan,
    Prolog,
    ScannedItem,
    check_xml,
    declare_prefixes,
    defuse,
    mend,
    recover,
    scan_prolog,
    to_utf8,
)
from tui.core.models import Enclosure, ParsedFeed, ParsedItem

__all__ = ["parse_feed", "parse_feed_job"]

ENGINES = ("auto", "fast", "reference")


def parse_feed(
    body: bytes, url: str = "", content_type: str = "", *, engine: str = "auto"
) -> ParsedFeed:
    """Parse a feed document. Never raises.

    ``url`` is the document's address, used to resolve relative links. ``content_type`` is
    the HTTP Content-Type: it marks JSON Feeds and supplies a charset for documents that
    declare none. ``engine`` is for tests and benchmarks: ``"fast"`` uses only
    fastfeedparser (no fallback), ``"reference"`` only feedparser; any other value is a
    programming error and raises ValueError.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; expected one of {ENGINES}")
    try:
        return _parse(body, url, content_type, engine)
    except Exception as exc:  # the promise is "never raises": any bug becomes a feed error
        return ParsedFeed(error=f"could not parse the feed: {_exception_words(exc)}")


def parse_feed_job(args: tuple[bytes, str, str]) -> ParsedFeed:
    """``parse_feed`` taking one tuple, for ``ProcessPoolExecutor.map``."""
    body, url, content_type = args
    return parse_feed(body, url, content_type)


def _parse(body: bytes, url: str, content_type: str, engine: str) -> ParsedFeed:
    if not isinstance(body, bytes | bytearray | memoryview):
        return ParsedFeed(error=f"not a feed: expected bytes, got {type(body).__name__}")
    body = bytes(body)
    if not _first_char(body):
        return ParsedFeed(error="empty document")
    if _looks_like_json(body, content_type):
        return _parse_json_feed(body, url)

    body = to_utf8(body, content_type)
    prolog = scan_prolog(body)
    if prolog.root == "html" or (not prolog.root and prolog.doctype_name == "html"):
        return ParsedFeed(error=f"not a feed: an HTML page{_html_title(body)}")
    notes: list[str] = []
    # From here on no parser sees an entity declaration, wherever the document had one.
    body, removed = defuse(body, prolog)
    if removed:
        notes.append("unsafe XML: entity declarations removed, not expanded")

    rdf = prolog.root == "rdf"
    scan = ItemScan(body, titles=rdf)
    xml_error = check_xml(body, scan)
    if xml_error and engine == "auto" and not _FEEDISH.search(body):
        # Not XML and nothing feed-like in it: spare feedparser's loose parser (slow on a
        # megabyte of junk) the trouble of saying so.
        notes.append(_not_a_feed(prolog.root, xml_error))
        return ParsedFeed(error="; ".join(notes))
    feed: ParsedFeed | None = None
    reference_body = body
    if engine != "reference":
        if xml_error is None:
            # Atom 0.3's base64 text is decoded only by feedparser.
            if engine == "fast" or not _BASE64_MODE.search(body):
                feed = _parse_fast(body, url, scan.items, prolog)
        else:
            feed, reference_body = _parse_ill_formed(body, xml_error, url, prolog, engine)
        if feed is None and engine == "fast":
            feed = ParsedFeed(error="the fast parser could not read this document")
    if feed is None:
        if xml_error and body.count(b"<") > _MAX_REFERENCE_TAGS:
            # feedparser's loose parser spends ~50 µs per tag: a tag-dense broken document
            # would take seconds, and lxml's recovering parser could not read it either.
            notes.append(_not_a_feed(prolog.root, xml_error))
            notes.append("too broken to read")
            return ParsedFeed(error="; ".join(notes))
        feed = _parse_reference(reference_body, url)
    if xml_error:
        # expat's message says where; feedparser's bozo message would repeat it vaguely.
        if feed.items or not (feed.error or "").startswith("not a feed"):
            notes.append(xml_error)
        else:
            notes.append(_not_a_feed(prolog.root, xml_error))
    elif feed.error:
        notes.append(_not_a_feed(prolog.root, "") if _NOT_A_FEED in feed.error else feed.error)
    feed.error = "; ".join(notes) or None
    feed.items = [item for item in feed.items if _has_substance(item)]
    return feed


def _parse_ill_formed(
    body: bytes, xml_error: str, url: str, prolog: Prolog, engine: str
) -> tuple[ParsedFeed | None, bytes]:
    """The fast path's reading of a document expat refused, or None; and the document
    feedparser should read if it is needed after all.

    First the usual mistakes are mended (:func:`xmlsafe.mend`: wrong encoding, control
    characters, HTML entities, bare ampersands; :func:`xmlsafe.declare_prefixes` when
    expat finds a prefix never declared). A document that is
    then well-formed is read as any other, as faithfully. What is still broken goes
    through lxml's recovering parser and back out well-formed (:func:`xmlsafe.recover`);
    its reading is kept unless it clearly has fewer items than the document has item
    tags, in which case feedparser's loose parser is asked as well and the reading with
    more items wins.
    """
    mended = mend(body) or body
    scan = ItemScan(mended, titles=prolog.root == "rdf")
    error = check_xml(mended, scan) if mended is not body else xml_error
    if error and "unbound prefix" in error and (declared := declare_prefixes(mended)):
        mended = declared
        scan = ItemScan(mended, titles=prolog.root == "rdf")
        error = check_xml(mended, scan)
    if error is None:
        if engine == "auto" and _BASE64_MODE.search(mended):
            return None, mended
        return _parse_fast(mended, url, scan.items, prolog), mended
    body = mended
    recovered = recover(body)
    feed = None
    if recovered is not None:
        scan = ItemScan(recovered, titles=prolog.root == "rdf")
        if check_xml(recovered, scan) is None:
            feed = _parse_fast(recovered, url, scan.items, prolog)
    if feed is None or engine != "auto" or body.count(b"<") > _MAX_REFERENCE_TAGS:
        return feed, body
    expected = len(_ITEM_TAG.findall(body))
    if len(feed.items) < expected - 1 or (expected and not feed.items):
        reference = _parse_reference(body, url)
        if len(reference.items) > len(feed.items):
            return reference, body
    return feed, body


_MAX_REFERENCE_TAGS = 50_000
_FEEDISH = re.compile(rb"<(?:[\w.-]+:)?(?:rss|feed|rdf|channel|item|entry)[\s>/]", re.IGNORECASE)
_ITEM_TAG = re.compile(rb"<(?:[\w.-]+:)?(?:item|entry)[\s>/]")
_BASE64_MODE = re.compile(rb"""mode\s*=\s*["']base64""")


def _has_substance(item: ParsedItem) -> bool:
    """False for an item with nothing to show or identify (a truncated document's tail)."""
    return bool(
        item.guid or item.link or item.title or item.summary or item.content or item.enclosures
    )


# --------------------------------------------------------------------------- engines


def _parse_fast(
    body: bytes, url: str, scanned: list[ScannedItem] | None, prolog: Prolog
) -> ParsedFeed | None:
    """fastfeedparser's reading, or None when it failed or its items cannot be trusted.

    The mapping reproduces what feedparser does on top of the XML, so both engines give the
    same items: its text fixes (:func:`_like_feedparser`), its author names, and its rule
    that an item without a link takes its guid as the link unless the guid says it is not
    a permalink (Atom ids always count as permalinks; RSS 1.0's rdf:about never does).
    """
    rdf = prolog.root == "rdf"
    if rdf:
        body = _as_rss10(body)
    try:
        # Always bytes: given a str that looks like a URL, fastfeedparser would fetch it.
        result = fastfeedparser.parse(body)
    except Exception:
        return None
    feed = _map_fast(result, url, scanned, prolog.root == "feed", rdf)
    if feed is not None and not feed.title:
        feed.title = _head_title(body)
        if not feed.title:
            return None  # feedparser finds titles fastfeedparser misses (odd cases)
    return feed


_RSS10 = b"http://purl.org/rss/1.0/"
_RSS090 = b"http://my.netscape.com/rdf/simple/0.9/"
_RDF_ROOT = re.compile(rb"<(?:[\w.-]+:)?RDF\b[^>]*>")
_DEFAULT_NS = re.compile(rb"""\sxmlns\s*=\s*(["'])(.*?)\1""")


def _as_rss10(body: bytes) -> bytes:
    """An RDF document whose items fastfeedparser can find: it reads RSS 1.0 elements
    only in their namespace, so RSS 0.90's namespace, or none at all, becomes RSS 1.0's.
    The two versions name their elements alike; feedparser reads them alike too."""
    root = _RDF_ROOT.search(body, 0, 65536)
    if root is None:
        return body
    tag = root.group()
    default = _DEFAULT_NS.search(tag)
    if default is None:
        tag = tag[:-1].rstrip(b"/") + b' xmlns="' + _RSS10 + b'"' + tag[len(tag.rstrip(b"/>")) :]
    elif default.group(2) == _RSS090:
        tag = tag.replace(_RSS090, _RSS10)
    else:
        return body
    return body[: root.start()] + tag + body[root.end() :]


_TITLE_ELEMENT = re.compile(rb"<(?:dc:)?title(?:\s[^>]*)?>([^<]{1,1000})</", re.IGNORECASE)
_FIRST_ITEM = re.compile(rb"<(?:[\w.-]+:)?(?:item|entry)[\s>]")


def _head_title(body: bytes) -> str:
    """The feed's title element (or dc:title) before its first item, for the few that
    fastfeedparser does not look for; "" if it is not plain text."""
    first_item = _FIRST_ITEM.search(body, 0, 262144)
    match = _TITLE_ELEMENT.search(body, 0, first_item.start() if first_item else 65536)
    if not match:
        return ""
    return clean_line(html.unescape(match.group(1).decode("utf-8", "replace")))


def _map_fast(
    result: Mapping[str, Any],
    url: str,
    scanned_items: list[ScannedItem] | None,
    atom: bool,
    rdf: bool = False,
) -> ParsedFeed | None:
    """Map fastfeedparser's result. ``scanned_items`` is what expat saw in a well-formed
    document; None for a broken one, where fastfeedparser's links are taken as they are."""
    entries = result.get("entries")
    if not isinstance(entries, list):
        return None
    if scanned_items is None:
        scanned_items = [UNKNOWN_ITEM] * len(entries)
    elif len(scanned_items) != len(entries):
        return None  # its items do not line up with the ones expat saw
    head = result.get("feed") or {}
    base = _absolute(clean_line(_like_feedparser(head.get("link"))), url) or url
    title = clean_line(_like_feedparser(head.get("title")))
    items = []
    for entry, scanned in zip(entries, scanned_items, strict=True):
        guid = _like_feedparser(entry.get("id"))
        link = _like_feedparser(entry.get("link"))
        if rdf:
            if not scanned.has_link:
                link = ""
        elif not atom and not scanned.has_link:
            link = "" if scanned.not_permalink else guid
        elif not link:
            link = guid
        item = _item(
            guid=guid,
            title=_like_feedparser(entry.get("title")) or scanned.title,
            link=link,
            author=_author_name(_like_feedparser(entry.get("author"))),
            summary=_like_feedparser(entry.get("description") or _media_text(entry)),
            content=_like_feedparser(_first_value(entry.get("content"))),
            published=_iso_date(entry.get("published")) or _iso_date(entry.get("updated")),
            enclosures=_fast_enclosures(entry, scanned),
            duration=scanned.duration,
            base=url or base,
        )
        if scanned.title_markup and not item.title:
            return None  # e.g. an Atom type="xhtml" title, which only feedparser reads
        items.append(item)
    return ParsedFeed(title=title, link=base, items=items)


def _fast_enclosures(
    entry: Mapping[str, Any], scanned: ScannedItem
) -> list[tuple[object, object, object]]:
    raw = entry.get("enclosures")
    if not raw and not scanned.link_enclosures:
        return []  # most items
    found: list[tuple[object, object, object]] = [
        (enc.get("url"), enc.get("type"), enc.get("length"))
        for enc in raw or ()
        if isinstance(enc, _MAPPING)
    ]
    urls = {url for url, _, _ in found}
    found += [enc for enc in scanned.link_enclosures if enc[0] not in urls]
    return found


def _media_text(entry: Mapping[str, Any]) -> str:
    """media:description, which feedparser reads as the summary (YouTube has nothing else)."""
    for media in entry.get("media_content") or ():
        if isinstance(media, _MAPPING) and (text := _str(media.get("description"))):
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
    # (try rather than contextlib.suppress: 0.5 µs instead of 0.85 µs a field.)
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value


# feedparser's pattern for an e-mail address inside an author (mixin._sync_author_detail).
_EMAIL = re.compile(
    r"(([a-zA-Z0-9_\-.+]+)@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.)|(([a-zA-Z0-9\-]+\.)+))"
    r"([a-zA-Z]{2,4}|[0-9]{1,3})(]?))(\?subject=\S+)?"
)


def _author_name(author: str) -> str:
    """The name in "jane@example.com (Jane Doe)", as feedparser's author_detail has it."""
    match = _EMAIL.search(author) if "@" in author else None
    if not match:
        return author
    name = author.replace(match.group(0), "").replace("()", "").replace("<>", "").strip()
    name = name.removeprefix("(").removesuffix(")").strip()
    return name or author


def _parse_reference(body: bytes, url: str) -> ParsedFeed:
    # A stream, never bytes or str: feedparser opens a bytes/str argument as a file name
    # (or fetches it as a URL) when it can, so a body of b"/etc/passwd" would read that file.
    # No sanitising or URI resolution: content is rendered as text by htmltext, and this
    # makes feedparser about 4x faster. Imported here: it costs ~85 ms at start-up, and most
    # runs never need the fallback.
    import feedparser

    result = feedparser.parse(io.BytesIO(body), sanitize_html=False, resolve_relative_uris=False)
    head = result.get("feed") or {}
    base = _absolute(clean_line(_str(head.get("link"))), url) or url
    items = []
    for entry in result.get("entries") or ():
        content = _first_value(entry.get("content"))
        items.append(
            _item(
                guid=_id(entry.get("id")),
                title=_str(entry.get("title")),
                link=_str(entry.get("link")),
                author=_reference_author(entry),
                summary=_str(entry.get("summary")),
                content=content,
                # dict.get: FeedParserDict.get("updated_parsed") warns and falls back.
                published=_struct_date(dict.get(entry, "published_parsed"))
                or _struct_date(dict.get(entry, "updated_parsed")),
                enclosures=[
                    (enc.get("href"), enc.get("type"), enc.get("length"))
                    for enc in entry.get("enclosures") or ()
                    if isinstance(enc, _MAPPING)
                ],
                duration=_id(entry.get("itunes_duration")),
                base=url or base,
            )
        )
    feed = ParsedFeed(title=clean_line(_str(head.get("title"))), link=base, items=items)
    if not items and not result.get("version"):
        feed.error = _NOT_A_FEED
    elif result.get("bozo"):
        feed.error = f"ill-formed feed: {_exception_words(result.get('bozo_exception'))}"
    return feed


def _reference_author(entry: Mapping[str, Any]) -> str:
    detail = entry.get("author_detail")
    name = _str(detail.get("name")) if isinstance(detail, _MAPPING) else ""
    return name or _str(entry.get("author"))


# --------------------------------------------------------------------------- JSON Feed


_FIRST_CHAR = re.compile(rb"(?:\xef\xbb\xbf)?[ \t\r\n]*(.?)", re.DOTALL)


def _first_char(body: bytes) -> bytes:
    """The first byte after a UTF-8 BOM and whitespace; b"" for a blank body. No copying."""
    match = _FIRST_CHAR.match(body)
    return match.group(1) if match else b""


def _looks_like_json(body: bytes, content_type: str) -> bool:
    start = _first_char(body)
    if start == b"{":
        return True
    media_type = content_type.split(";", 1)[0].strip().lower()
    return start != b"<" and (media_type.endswith("/json") or media_type.endswith("+json"))


def _parse_json_feed(body: bytes, url: str) -> ParsedFeed:
    """JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1), read with the json module."""
    if body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]  # json.loads refuses a UTF-8 BOM
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
        content = _str(raw.get("content_html") or raw.get("content_text"))
        duration = next(
            (a["duration_in_seconds"] for a in attachments if a.get("duration_in_seconds")), ""
        )
        items.append(
            _item(
                guid=_id(raw.get("id")),
                title=_str(raw.get("title")),
                link=_str(raw.get("url") or raw.get("external_url")),
                author=_json_author(raw) or feed_author,
                summary=_str(raw.get("summary")),
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
    """duration_in_seconds as text; nonsense (NaN, negative, a year or more) gives ""."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        return ""
    if not 0 <= value < 31_536_000:  # also false for NaN
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


# --------------------------------------------------------------------------- mapping


def _item(
    *,
    guid: str,
    title: str,
    link: str,
    author: str,
    summary: str,
    content: str,
    published: dt.datetime | None,
    enclosures: list[tuple[object, object, object]],
    duration: str,
    base: str,
) -> ParsedItem:
    """One ParsedItem, every string sanitised, whichever engine read it.

    The text arguments are str: each engine's mapping makes them so (the fast path's
    values are str already, so it has no type checks to repeat here).
    """
    summary_text = clean(summary)
    guid_text = clean_line(guid)
    link_text = clean_line(link)
    if link_text == guid_text and not link_text.startswith(_LINK_LIKE):
        # Both engines use a permalink guid as the link when there is no link element;
        # a guid such as "urn:uuid:..." or "1234" is no link, and resolving it against the
        # feed's address would invent one.
        link_text = ""
    return ParsedItem(
        guid=guid_text,
        title=clean_line(title),
        link=_absolute(link_text, base),
        author=clean_line(author),
        summary=summary_text,
        content=(summary_text if content == summary else clean(content)) or summary_text,
        published=published,
        enclosures=[
            Enclosure(_absolute(url_text, base), clean_line(_str(kind)), _length(length))
            for url, kind, length in enclosures
            if (url_text := clean_line(_str(url)))
        ]
        if enclosures
        else [],
        duration=clean_line(duration),
    )


_LINK_LIKE = ("http://", "https://", "/")
# The engines' dicts are dict subclasses, which isinstance(x, Mapping) recognises in
# ~130 ns (through the ABC's cache); dict first takes ~25 ns.
_MAPPING = (dict, Mapping)


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
            if isinstance(part, _MAPPING) and (value := _str(part.get("value"))):
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
        if not (value.isascii() and value.isdigit()) or len(value) > 18:  # "²".isdigit()
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
        moment = moment.astimezone(_UTC)
    except (OverflowError, ValueError):
        return None
    # datetime.replace costs ~650 ns (as much as the rest of the mapping of a date), and
    # feed dates rarely have microseconds.
    return moment.replace(microsecond=0) if moment.microsecond else moment


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


_NOT_A_FEED = "not a feed: no RSS, Atom or JSON Feed found"


def _not_a_feed(root: str, xml_error: str) -> str:
    message = f"not a feed: {xml_error}" if xml_error else _NOT_A_FEED
    return f"{message} (root element <{root}>)" if root else message


_HTML_TITLE = re.compile(rb"<title[^>]*>([^<]{1,200})", re.IGNORECASE)


def _html_title(body: bytes) -> str:
    match = _HTML_TITLE.search(body, 0, 65536)
    if not match:
        return ""
    title = clean_line(match.group(1).decode("utf-8", "replace"))
    return f" ({title[:80]})" if title else ""
