"""Making XML feed documents safe and uniform before a parser sees them.

* :func:`to_utf8`: one encoding (UTF-8) for every engine, with a declaration that says so.
* :func:`scan_prolog` and :func:`defuse_subset`: a DOCTYPE's internal subset is removed;
  entities that cannot expand into more than a few bytes are substituted in place first.
  No parser ever sees an entity declaration, so none is expanded by a parser and none is
  external: billion-laughs and XXE documents cost a millisecond and come back with an
  error that says their entities were removed. (lxml in fastfeedparser also runs with
  resolve_entities=False, and feedparser with external entities off; this does not rely
  on either.)
* :func:`check_xml`: expat as a well-formedness check, collecting on the way (:class:`ItemScan`)
  what the fast path needs to know about each item.

Everything here works on bytes and is linear in the size of the document, including on
hostile input (unterminated comments, quotes and subsets stop the scan, they do not rescan).
"""

from __future__ import annotations

import codecs
import re
import xml.parsers.expat

from tui.core.ingest.text import clean_line

__all__ = [
    "UNKNOWN_ITEM",
    "ItemScan",
    "Prolog",
    "ScannedItem",
    "check_xml",
    "defuse_subset",
    "scan_prolog",
    "to_utf8",
]

# --------------------------------------------------------------------------- encoding

_BOM_CODECS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
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
_XML_DECL_STR = re.compile(r"\ufeff?[ \t\r\n]*<\?xml[^>]{0,200}?\?>")
_DECL_ENCODING_STR = re.compile(r"""(encoding\s*=\s*["'])([A-Za-z0-9._:-]{1,40})(["'])""")
_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]{1,40})""", re.IGNORECASE)
_UTF8_NAMES = frozenset({"utf-8", "utf_8", "ascii"})


def _codec(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except (LookupError, ValueError):
        return None


def to_utf8(body: bytes, content_type: str) -> bytes:
    """The document as UTF-8 with a declaration that says so, when that can be worked out.

    Every engine then reads the same bytes, and expat (which knows only a few encodings)
    can check any of them. The declaration wins over the HTTP charset, and a header
    charset is only used for a document that is not valid UTF-8: a wrong header is far
    more common than a wrong declaration. If decoding fails the bytes are left alone and
    the reference parser's own guessing takes over.
    """
    if body.startswith(codecs.BOM_UTF8):
        return body[3:]
    source: str | None = None
    for bom, name in _BOM_CODECS:
        if body.startswith(bom):
            source = name
            break
    else:
        source = _SNIFF_CODECS.get(body[:4])
    if source is None:
        decl = _XML_DECL.match(body[:300].lstrip())
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
    decl_text = _XML_DECL_STR.match(text)
    if decl_text:  # only the declaration's own encoding="..." changes, never the text's
        end = decl_text.end()
        text = _DECL_ENCODING_STR.sub(r"\1utf-8\3", text[:end], count=1) + text[end:]
    return text.encode("utf-8", "surrogatepass")


class Prolog:
    """What comes before the root element."""

    __slots__ = ("doctype_name", "root", "subsets")

    def __init__(self) -> None:
        self.root = ""
        """The root element's local name, lower-cased; empty if none was found."""
        self.doctype_name = ""
        self.subsets: list[tuple[int, int]] = []
        """Start and end (exclusive) of each DOCTYPE internal subset, brackets included.
        A well-formed document has at most one; a hostile one may try several."""


_SPACE = re.compile(rb"[ \t\r\n]*")
_NAME = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_DOCTYPE = re.compile(rb"<!DOCTYPE[ \t\r\n]+([^ \t\r\n\[>]*)", re.IGNORECASE)
# Characters that matter inside a DOCTYPE: quotes, comments and PIs may hide "]" and ">".
_DTD_SPECIAL = re.compile(rb"[\"'<\[\]>]")


def scan_prolog(body: bytes) -> Prolog:
    prolog = Prolog()
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


def _scan_doctype(body: bytes, i: int, prolog: Prolog) -> int:
    """Find the end of a DOCTYPE (and its internal subset); return the index after it.

    Every search moves forward and the scan stops at the first unterminated construct, so a
    hostile prolog costs linear time.
    """
    n = len(body)
    start = -1
    closed = False
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
            if start >= 0 and not closed:
                prolog.subsets.append((start, j + 1))
                closed = True
        elif char == b">" and (start < 0 or closed):
            return j + 1
    if start >= 0 and not closed:  # never closed: all after "[" is the subset
        prolog.subsets.append((start, n))
    return n


# Values longer than 64 bytes are never safe, and bounding them keeps a subset full of
# unterminated quotes from costing a rescan per declaration.
_ENTITY_DECL = re.compile(
    rb"""<!ENTITY\s+(%\s+)?([^\s"'%&;<>]+)\s+(?:"([^"]{0,64})"|'([^']{0,64})')\s*>"""
)
_SAFE_VALUE = re.compile(rb"[^&%<>\"'\]]{0,10}|&#[0-9]{1,7};|&#x[0-9A-Fa-f]{1,6};")
_MAX_SAFE_ENTITIES = 32  # real feeds declare a handful (nbsp, copy...); the regex stays small
_PREDEFINED = frozenset({b"lt", b"gt", b"amp", b"quot", b"apos"})


def defuse_subset(body: bytes, prolog: Prolog) -> tuple[bytes, bool]:
    """Remove the internal subsets; expand their harmless entities in place.

    An entity is harmless when its value is a literal of at most ten characters (or one
    character reference), it is not a parameter entity and it is among the first 32 such
    declarations: it refers to nothing external and to no other entity, so expanding it
    cannot grow the document more than 3.3 times. Those are substituted in the text after
    the DOCTYPE (CDATA sections included, a small liberty), so no parser needs a DTD;
    everything else is dropped and its references stay undefined. Returns (body, whether
    anything was dropped).
    """
    safe: dict[bytes, bytes] = {}
    declared = 0
    for start, end in prolog.subsets:
        subset = body[start:end]
        declared += subset.count(b"<!ENTITY")
        for decl in _ENTITY_DECL.finditer(subset):
            name = decl.group(2)
            value = decl.group(3) if decl.group(3) is not None else decl.group(4)
            if (
                not decl.group(1)
                and name not in _PREDEFINED
                and _SAFE_VALUE.fullmatch(value)
                and len(safe) < _MAX_SAFE_ENTITIES
            ):
                safe.setdefault(name, value)  # the first declaration binds, as in XML
    parts = []
    kept_from = 0
    for start, end in prolog.subsets:
        parts.append(body[kept_from:start])
        kept_from = end
    rest = body[kept_from:]
    if safe:
        names = b"|".join(re.escape(name) for name in safe)
        rest = re.sub(rb"&(" + names + rb");", lambda m: safe[m.group(1)], rest)
    return b"".join(parts) + rest, declared > len(safe)


# --------------------------------------------------------------------------- checking


def check_xml(body: bytes, scan: ItemScan) -> str | None:
    """Run expat over the document; return its error in words, or None if well-formed.

    Namespace processing is on, as in feedparser's strict parser, so the two agree on what
    is well-formed. No handler loads external entities, and the internal subset is gone.
    """
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    scan.attach(parser)
    try:
        parser.Parse(body, True)
    except xml.parsers.expat.ExpatError as exc:
        words = xml.parsers.expat.ErrorString(exc.code) or "syntax error"
        return f"ill-formed XML: {words} at line {exc.lineno}, column {exc.offset + 1}"
    except (LookupError, ValueError) as exc:  # e.g. encoding="bogus" in the declaration
        return f"ill-formed XML: {clean_line(str(exc))[:200]}"
    return None


class ScannedItem:
    __slots__ = ("duration", "has_link", "has_title", "link_enclosures", "not_permalink")

    def __init__(self) -> None:
        self.duration = ""
        self.has_link = False
        """A link element that is the item's link (no rel, or rel="alternate")."""
        self.has_title = False
        self.not_permalink = False
        self.link_enclosures: list[tuple[str, str, str]] = []
        """Atom ``<link rel="enclosure">``: (href, type, length); fastfeedparser drops them."""


_ITEM_NAMES = frozenset({"item", "entry"})
_ITEM_SUFFIXES = (" item", " entry")  # expat gives "namespace-uri local-name"
_PODCAST_NS = "itunes.com/dtds/podcast"
_PODCAST_NS_BYTES = _PODCAST_NS.encode("ascii")

UNKNOWN_ITEM = ScannedItem()
UNKNOWN_ITEM.has_link = True  # keep fastfeedparser's link

# What an item's child is to the scan, by its expat name.
_OTHER, _LINK, _TITLE, _GUID, _DURATION = range(5)


def _child_kind(name: str) -> int:
    local = name.rpartition(" ")[2]
    if local == "link":
        return _LINK
    if local == "title":
        return _TITLE
    if local == "guid":
        return _GUID
    if local == "duration" and _PODCAST_NS in name.lower():
        return _DURATION
    return _OTHER


class ItemScan:
    """What the fast path needs to know about each top-level item, in document order, and
    fastfeedparser does not say: how many items there are, whether each has a link and a
    title element, whether its guid says isPermaLink="false" (feedparser then does not
    use the guid as the link), and its itunes:duration.

    itunes:duration is read only when the document's first 64 KB name the podcast
    namespace (in any letter case), as every podcast feed does. The rule dates from when
    the text handler ran over whole documents; it stays so that results do not change,
    and it is now tested only when such an element turns up.
    """

    def __init__(self, body: bytes) -> None:
        self.items: list[ScannedItem] = []
        self._body = body

    def attach(self, parser: xml.parsers.expat.XMLParserType) -> None:
        """Set the parser's handlers to scan into ``self.items``.

        expat calls the handlers for every element, so they do as little as they can.
        They are closures over local state (cell variables are quicker than attributes),
        an item child's kind is worked out once per distinct name, and the character data
        handler is set only while an itunes:duration is open. Measured on 500 generated
        feeds of 20 items (16 MB): expat alone takes 0.037 s of CPU, with two handlers
        that do nothing 0.075 s, with these 0.104 s; methods that also kept a text
        handler on for podcasts took 0.134 s.
        """
        items = self.items
        item = UNKNOWN_ITEM  # the open top-level item; replaced before it is written to
        depth = 0  # element depth counted from the open top-level item (1); 0 outside
        kinds: dict[str, int] = {}
        podcast: bool | None = None  # decided on the first itunes:duration
        text: list[str] = []

        def start(name: str, attrs: dict[str, str]) -> None:
            nonlocal item, depth, podcast
            if not depth:
                if name in _ITEM_NAMES or name.endswith(_ITEM_SUFFIXES):
                    item = ScannedItem()
                    items.append(item)
                    depth = 1
                return
            depth += 1
            if depth != 2:
                return
            kind = kinds.get(name)
            if kind is None:
                kind = kinds[name] = _child_kind(name)
            if not kind:  # _OTHER
                return
            if kind == _LINK:
                rel = attrs.get("rel")
                if rel is not None:
                    rel = rel.strip().lower()
                if rel is None or rel == "alternate":
                    item.has_link = True
                elif rel == "enclosure" and attrs.get("href"):
                    item.link_enclosures.append(
                        (attrs["href"], attrs.get("type", ""), attrs.get("length", ""))
                    )
            elif kind == _TITLE:
                item.has_title = True
            elif kind == _GUID:
                permalink = ""
                for key, value in attrs.items():
                    if key.lower() == "ispermalink":
                        permalink = value
                        break
                item.not_permalink = permalink.strip().lower() == "false"
            else:  # _DURATION
                if podcast is None:
                    podcast = _PODCAST_NS_BYTES in self._body[:65536].lower()
                if podcast:
                    text.clear()
                    parser.CharacterDataHandler = text.append
                    parser.EndElementHandler = duration_end

        def end(name: str) -> None:
            nonlocal depth
            if depth:
                depth -= 1

        def duration_end(name: str) -> None:
            # The first end after <itunes:duration> (its own, or a child's) ends its text.
            item.duration = item.duration or clean_line("".join(text))
            parser.CharacterDataHandler = None
            parser.EndElementHandler = end
            end(name)

        parser.StartElementHandler = start
        parser.EndElementHandler = end
