"""Importing and exporting subscription lists: OPML 1.0/2.0 and newsboat ``urls`` files.

Subscription lists come from other readers and from the web, so they are treated as
untrusted: the XML parser never loads external entities, and a file that declares an
entity anywhere is refused outright by xmlsafe's search, the one feeds are defused with
(which is what makes billion-laughs and quadratic-blowup files cheap to reject),
and names and tags go through text.clean_line on the way in, as feed text does.

Our own export keeps everything a :class:`Source` holds, in attributes other readers
ignore, so export followed by import gives back the same sources.
"""

from __future__ import annotations

import codecs
import io
import json
import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from xml.parsers import expat

import listparser
from lxml import etree

from tui.core.ingest.discover import guess_kind_from_url
from tui.core.ingest.text import clean_line
from tui.core.ingest.xmlsafe import find_entity_declaration, repair_ampersands
from tui.core.models import KIND_HEADINGS, KINDS, Source

MAX_FILE_BYTES = 16 * 1024 * 1024
"""Larger files are refused: no real subscription list comes close, and a wrongly chosen
file (a video, a disk image) should fail at once rather than fill memory."""

# Attributes of our own export. They are ordinary attribute names (OPML allows any),
# read case-insensitively like every other attribute.
ATTR_KIND = "folioKind"
ATTR_MINE = "folioMine"
ATTR_INTERVAL = "folioInterval"
ATTR_TAGS = "folioTags"
"""Written only when some tag holds a ``,`` or ``/``, which ``category`` cannot carry."""


class ImportFormatError(ValueError):
    """A subscription list could not be read. The message says why, in words."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        """The 1-based line the problem was found on, when there is one."""


class ImportedSources(list[Source]):
    """The sources read from a file, plus what was left out or mended, and why.

    It is a plain list of sources to anyone who does not care about the notes, so the
    readers can promise ``list[Source]`` and still tell the UI what happened.
    """

    def __init__(
        self,
        sources: Iterable[Source] = (),
        skipped: Iterable[str] = (),
        repaired: Iterable[str] = (),
    ) -> None:
        super().__init__(sources)
        self.skipped: list[str] = list(skipped)
        """One line of explanation per entry that was not imported, e.g.
        ``"line 4: query feed skipped (a saved search, not a feed)"``."""
        self.repaired: list[str] = list(repaired)
        """One line per broken part of the file that was mended rather than refused."""


def _dedupe(values: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for value in values:
        if value and value not in seen:
            seen.append(value)
    return seen


def _web_url(raw: str) -> str | None:
    """The feed address in ``raw`` when it is an absolute http(s) URL, else None."""
    url = raw.strip()
    lowered = url.lower()
    # The old feed: pseudo-scheme still turns up in exports: feed://host/x means
    # http://host/x and feed:https://host/x wraps a full URL.
    if lowered.startswith("feed://"):
        url = "http://" + url[len("feed://") :]
    elif lowered.startswith("feed:"):
        url = url[len("feed:") :]
    if not url or any(c.isspace() or ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in url):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    return url


def normalise_url(url: str) -> str:
    """A key under which two spellings of the same feed URL compare equal.

    Scheme and host are lowercased, a default port, a fragment and a trailing slash are
    dropped. The path and query keep their case: servers may treat them as distinct.
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return text
    scheme = parts.scheme.lower()
    netloc = parts.netloc
    host = parts.hostname
    if host is not None:
        userinfo = netloc.rpartition("@")[0] if "@" in netloc else ""
        # hostname has the brackets of an IPv6 literal removed; put them back.
        host_part = f"[{host}]" if ":" in host else host
        default = {"http": 80, "https": 443}.get(scheme)
        if port is not None and port != default:
            host_part = f"{host_part}:{port}"
        netloc = f"{userinfo}@{host_part}" if userinfo else host_part
    path = parts.path.rstrip("/")
    return urlunsplit((scheme, netloc, path, parts.query, ""))


def merge_sources(
    existing: list[Source], new: list[Source]
) -> tuple[list[Source], list[Source], int]:
    """Add the sources of ``new`` whose URL is not already there.

    Returns the merged list (``existing`` first, in order, then the additions), the
    additions, and how many of ``new`` were skipped as duplicates, counting repeats
    within ``new`` itself. Neither input list is changed.
    """
    seen = {normalise_url(source.url) for source in existing}
    added: list[Source] = []
    duplicates = 0
    for source in new:
        key = normalise_url(source.url)
        if key in seen:
            duplicates += 1
            continue
        seen.add(key)
        added.append(source)
    return [*existing, *added], added, duplicates


# --------------------------------------------------------------------------- OPML reading

_XML_DECLARATION = re.compile(
    rb"""\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]*)["']"""
)


def _decode(data: bytes) -> str:
    """Bytes to text, honouring a BOM, then the XML declaration, then UTF-8.

    Decoding here rather than in expat means every encoding Python knows works
    (expat alone refuses multi-byte ones such as Shift_JIS).
    """
    boms = (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    )
    encoding = "utf-8"
    for bom, name in boms:
        if data.startswith(bom):
            encoding = name
            break
    else:
        if data.startswith(b"<\x00?\x00"):
            encoding = "utf-16-le"
        elif data.startswith(b"\x00<\x00?"):
            encoding = "utf-16-be"
        elif match := _XML_DECLARATION.match(data[:1024]):
            declared = match.group(1).decode("ascii")
            try:
                codec = codecs.lookup(declared)
            except LookupError:
                raise ImportFormatError(
                    f"line 1: the file declares a character encoding Python does not know "
                    f"({declared!r})",
                    line=1,
                ) from None
            # The declaration was readable as ASCII, so a UTF-16/32 claim is false;
            # such files are UTF-8 in practice.
            if not codec.name.startswith(("utf-16", "utf-32")):
                encoding = codec.name
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportFormatError(
            f"line {line}: the text is not valid {encoding} (byte {error.start + 1})",
            line=line,
        ) from None


def _repair_ampersands(text: str) -> str:
    """Fix the two mistakes most real exports make with ``&``: a bare ``&`` in URLs and
    titles (``?a=1&b=2``, ``News & Views``) and HTML names such as ``&nbsp;``. This is
    xmlsafe's repair, the one feeds get: a bare ``&`` becomes ``&amp;``, a known HTML
    name becomes character references, any other name is kept as text. A well-formed
    document is left exactly as it was."""
    repaired = repair_ampersands(text.encode("utf-8", "surrogatepass"))
    return text if repaired is None else repaired.decode("utf-8", "surrogatepass")


def _local(name: str) -> str:
    return name.rpartition(":")[2].lower()


def _describe_root(name: str) -> str:
    if name == "html":
        return "this is a web page (HTML), not an OPML subscription list"
    if name in ("rss", "feed", "rdf"):
        return "this is a feed, not an OPML subscription list; add it as a source instead"
    return f"this is not an OPML file: the document starts with <{name}>, not <opml>"


def _read_outline(
    attrs: dict[str, str],
    folders: list[str],
    group_kind: str | None,
    line: int,
    sources: ImportedSources,
) -> tuple[str | None, str | None]:
    """One outline, whichever reader found it: a source appended to ``sources``, a note
    in ``sources.skipped``, or a folder. ``attrs`` has lower-cased names; ``folders`` are
    the labels of the folders around it, outermost first. Returns the folder label it
    gives its children as a tag (or None) and the kind of our own kind folders (or None).
    """
    title = clean_line(attrs.get("title", ""))
    text = clean_line(attrs.get("text", ""))
    own_kind = attrs.get(ATTR_KIND.lower(), "").strip().lower()
    raw_url = attrs.get("xmlurl", "").strip()
    if not raw_url:
        if own_kind:
            # One of our own kind folders: it groups, it does not tag.
            return None, own_kind if own_kind in KINDS else None
        return (title or text or None), None
    url = _web_url(raw_url)
    if url is None:
        label = title or text or raw_url
        sources.skipped.append(
            f"line {line}: {label!r} skipped (not a web feed address: {raw_url!r})"
        )
        return None, None
    # A name equal to the URL says nothing, and it is what our export writes as the
    # required text attribute of an unnamed source.
    name = title or (text if text != raw_url.strip() else "")
    sources.append(
        Source(
            url=url,
            name=name,
            kind=_outline_kind(attrs, own_kind, group_kind, url),
            tags=_outline_tags(attrs, folders),
            mine=attrs.get(ATTR_MINE.lower(), "").strip().lower() in ("true", "1", "yes"),
            interval=attrs.get(ATTR_INTERVAL.lower(), "").strip() or None,
        )
    )
    return None, None


def _outline_kind(attrs: dict[str, str], own_kind: str, group: str | None, url: str) -> str:
    if own_kind in KINDS:
        return own_kind
    if group is not None:
        return group
    declared = attrs.get("type", "").strip().lower()
    if declared in KINDS:
        return declared
    return guess_kind_from_url(url) or "blog"


def _outline_tags(attrs: dict[str, str], folders: list[str]) -> list[str]:
    own = attrs.get(ATTR_TAGS.lower())
    if own is not None:
        try:
            decoded = json.loads(own)
        except ValueError:
            decoded = None
        if isinstance(decoded, list) and all(isinstance(t, str) for t in decoded):
            return _dedupe([*folders, *(clean_line(t) for t in decoded)])
    categories: list[str] = []
    for category in attrs.get("category", "").split(","):
        categories.extend(clean_line(part) for part in category.split("/"))
    return _dedupe([*folders, *categories])


class _OpmlReader:
    """Turns expat events into sources without building a tree.

    Working on events keeps memory flat and avoids recursion however deep the outlines
    nest. Each open element pushes a frame: the folder label it gives its children as a
    tag (or None) and the kind of our own kind folders (or None).
    """

    def __init__(self) -> None:
        self.sources = ImportedSources()
        self.frames: list[tuple[str, str | None, str | None]] = []
        self.saw_root = False
        self.saw_body = False
        self.parser = expat.ParserCreate()
        # Parameter entities would let a DTD pull in more DTD; never needed here.
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end

    @property
    def line(self) -> int:
        return int(self.parser.CurrentLineNumber)

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        tag = _local(name)
        if not self.saw_root:
            self.saw_root = True
            if tag != "opml":
                raise ImportFormatError(_describe_root(tag), line=self.line)
        if tag == "body" and len(self.frames) == 1:
            self.saw_body = True
        inside_body = len(self.frames) >= 2 and self.frames[1][0] == "body"
        if tag != "outline" or not inside_body:
            self.frames.append((tag, None, None))
            return
        # Exporters disagree on case (xmlUrl, xmlurl, XMLURL); the first spelling wins.
        lowered: dict[str, str] = {}
        for key, value in attrs.items():
            lowered.setdefault(key.lower(), value)
        self.frames.append(("outline", *self._outline(lowered)))

    def _end(self, name: str) -> None:
        self.frames.pop()

    def _group_kind(self) -> str | None:
        for _, _, kind in reversed(self.frames):
            if kind is not None:
                return kind
        return None

    def _outline(self, attrs: dict[str, str]) -> tuple[str | None, str | None]:
        """Handle one outline; returns the frame (folder tag, group kind) it opens."""
        folders = [label for _, label, _ in self.frames if label]
        return _read_outline(attrs, folders, self._group_kind(), self.line, self.sources)

    def read(self, body: str) -> ImportedSources:
        """Parse ``body``; expat errors propagate for the caller to retry or report."""
        self.parser.Parse(body, True)
        if not self.saw_body:
            raise ImportFormatError("this OPML file has no <body>, so it lists no feeds")
        return self.sources


# Start tags with well-quoted attributes (a value may hold any character but its quote),
# plus the constructs whose insides must be left alone.
_TAG_OR_OPAQUE = re.compile(
    r"""<!--.*?-->|<\?.*?\?>|<!\[CDATA\[.*?\]\]>"""
    r"""|<[A-Za-z_][^\s/>"']*(?:\s+[^\s=/>"']+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*/?>""",
    re.DOTALL,
)


def _repair_attribute_brackets(text: str) -> str:
    """Escape ``<`` inside attribute values, another common exporter mistake.

    Descriptions copied from feeds often hold HTML (``description="see <a href=...>"``).
    Only used after a strict parse failed, so well-formed files never go through it.
    """

    def fix(match: re.Match[str]) -> str:
        tag = match.group(0)
        if tag.startswith(("<!", "<?")):
            return tag
        return "<" + tag[1:].replace("<", "&lt;")

    return _TAG_OR_OPAQUE.sub(fix, text)


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")
_ATTRIBUTE = re.compile(r"""([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_SALVAGED = frozenset(
    name.lower()
    for name in (
        *("text", "title", "type", "xmlUrl", "category"),
        *(ATTR_KIND, ATTR_MINE, ATTR_INTERVAL, ATTR_TAGS),
    )
)
MAX_LINE_REPAIRS = 50
"""A file needing more mended lines than this is too broken to trust."""
_REPAIR_BUDGET = 32 * 1024 * 1024
"""Each mended line costs a full re-parse; a big file gets fewer tries, so mending
never costs more than parsing this many characters."""


def _rebuild_outline_line(line: str) -> str | None:
    """Rewrite a line holding one broken ``<outline>`` tag with only the attributes
    folio reads, or None when the line is not such a tag.

    The usual breakage is a description holding HTML with its own double quotes
    (``description="by <a href="https://x">us</a>"``), which no XML parser can
    delimit. Nearly every exporter writes one outline per line, so the line bounds
    the tag, and the attributes that matter are found by name around the damage.
    """
    stripped = line.strip()
    if not re.match(r"<outline\b", stripped, re.IGNORECASE) or not stripped.endswith(">"):
        return None
    kept: dict[str, str] = {}
    for match in _ATTRIBUTE.finditer(stripped):
        key = match.group(1)
        value = match.group(2) if match.group(2) is not None else match.group(3)
        if key.lower() in _SALVAGED and key.lower() not in {k.lower() for k in kept}:
            kept[key] = value.replace("<", "&lt;").replace('"', "&quot;")
    if not kept:
        return None
    rendered = " ".join(f'{key}="{value}"' for key, value in kept.items())
    close = "/>" if stripped.endswith("/>") else ">"
    ending = line[len(line.rstrip("\r\n")) :]
    return f"<outline {rendered}{close}{ending}"


_OWN_EXPORT = re.compile(r"\b" + ATTR_KIND + r"\s*=", re.IGNORECASE)


def _listparser_reads_it(body: str) -> bool:
    """Whether listparser reads ``body`` as well as our own reader does: it is well-formed
    (listparser's recovering HTML parser loses outlines that expat would refuse, such as
    one whose description holds unescaped quotes) and no outline sits outside <body>
    (the HTML parser drops <head> and <body> tags, so it cannot tell where an outline
    is). ImportFormatError when the document is XML but not OPML (another root element,
    no <body>), in the words our own reader uses."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    path: list[str] = []
    saw_body = False
    outside_body = False

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal saw_body, outside_body
        tag = _local(name)
        if not path and tag != "opml":
            raise ImportFormatError(_describe_root(tag), line=parser.CurrentLineNumber)
        path.append(tag)
        if len(path) == 2 and tag == "body":
            saw_body = True
        elif tag == "outline" and (len(path) < 3 or path[1] != "body"):
            outside_body = True

    parser.StartElementHandler = start
    parser.EndElementHandler = lambda name: path.pop()
    try:
        parser.Parse(body, True)
    except expat.ExpatError:
        return False
    if not saw_body:
        raise ImportFormatError("this OPML file has no <body>, so it lists no feeds")
    return not outside_body


class _ListparserOutlines(listparser.Handler):  # type: ignore[misc,valid-type]
    """listparser's handler, told to hand each outline of the body to
    :func:`_read_outline` (the mapping our own reader uses) with the folders around it.

    listparser walks the document (lxml's recovering HTML parser, namespace prefixes
    resolved) and calls ``start_opml_<element>`` and ``end_opml_<element>`` with the
    attributes, names lower-cased; its own harvest (feeds with categories) is not used,
    because it prefers ``text`` to ``title``, drops ``type`` and our attributes, and
    merges repeated feeds.
    """

    def __init__(self, text: str, offset: int) -> None:
        super().__init__()
        # What listparser.parse() gives a handler before it starts.
        self.harvest.update(
            bozo=False, bozo_exception=None, feeds=[], lists=[], opportunities=[],
            meta=listparser.common.SuperDict(), version="",
        )  # fmt: skip
        self.sources = ImportedSources()
        self.frames: list[tuple[str | None, str | None]] = []
        self._text = text
        self._offset = offset

    def start_opml_outline(self, attrs: dict[str, str]) -> None:
        folders = [label for label, _ in self.frames if label]
        group = next((kind for _, kind in reversed(self.frames) if kind), None)
        line = self._line_of(attrs.get("xmlurl", ""))
        self.frames.append(_read_outline(attrs, folders, group, line, self.sources))

    def end_opml_outline(self) -> None:
        if self.frames:
            self.frames.pop()

    def _line_of(self, value: str) -> int:
        """The line an attribute value is on: listparser does not say, so it is looked
        up in the text (only for the notes about skipped outlines, so only then)."""
        if not value:
            return 0
        at = self._text.find(value)
        if at < 0:
            at = self._text.find(value.replace("&", "&amp;"))
        return self._text.count("\n", 0, max(at, 0)) + 1 + self._offset


def _read_with_listparser(body: str, offset: int) -> ImportedSources:
    """A well-formed third-party OPML document, read by listparser."""
    handler = _ListparserOutlines(body, offset)
    parser = etree.HTMLParser(target=handler, recover=True, no_network=True, encoding="utf-8")
    etree.parse(io.BytesIO(body.encode("utf-8", "surrogatepass")), parser)
    return handler.sources


def _parse_opml(text: str) -> ImportedSources:
    # Leading blank lines are harmless to a human but fatal to expat when an XML
    # declaration follows; drop them and keep reported line numbers true.
    body = text.lstrip("\ufeff").lstrip()
    offset = text[: len(text) - len(body)].count("\n")
    if not body:
        raise ImportFormatError("the file is empty")
    declared = find_entity_declaration(body.encode("utf-8", "surrogatepass"))
    if declared:
        line, name = declared
        raise ImportFormatError(
            f"line {line + offset}: the file declares the XML entity {name!r}; OPML never "
            f"needs entity declarations and they are refused for safety",
            line=line + offset,
        )
    body = _repair_ampersands(body)
    try:
        if not _OWN_EXPORT.search(body) and _listparser_reads_it(body):
            return _read_with_listparser(body, offset)
        try:
            return _OpmlReader().read(body)
        except expat.ExpatError as first:
            # Mend and retry; whatever happens, a file that stays broken is reported
            # by its first error, which describes the file as the user wrote it.
            lines = _LINE.findall(_repair_attribute_brackets(body))
            notes: list[str] = []
            limit = min(MAX_LINE_REPAIRS, max(3, _REPAIR_BUDGET // len(body)))
            for _ in range(limit + 1):
                try:
                    sources = _OpmlReader().read("".join(lines))
                except expat.ExpatError as error:
                    index = (error.lineno or 0) - 1
                    rebuilt = None
                    if 0 <= index < len(lines) and len(notes) < limit:
                        rebuilt = _rebuild_outline_line(lines[index])
                    if rebuilt is None or rebuilt == lines[index]:
                        raise first from None
                    lines[index] = rebuilt
                    notes.append(
                        f"line {index + 1 + offset}: broken outline mended; only its name, "
                        f"address, type and tags were kept"
                    )
                    continue
                sources.repaired.extend(notes)
                return sources
            raise
    except expat.ExpatError as error:
        line = (error.lineno or 1) + offset
        reason = expat.ErrorString(error.code) or "malformed XML"
        raise ImportFormatError(
            f"line {line}, column {error.offset + 1}: not well-formed XML: {reason}",
            line=line,
        ) from None
    except ImportFormatError as error:
        if error.line is not None and offset:
            error.line += offset
            error.args = (re.sub(r"^line \d+", f"line {error.line}", str(error)),)
        raise


def read_opml(data: bytes | str) -> ImportedSources:
    """The sources in an OPML 1.0 or 2.0 document.

    Every outline with an ``xmlUrl`` is a source. Enclosing folder outlines and the
    ``category`` attribute become tags; our own export attributes (see
    :func:`write_opml`) are read back exactly. Outlines whose address is not http(s)
    are left out and listed in ``skipped``. The two mistakes most real exports make
    (a bare ``&``, a ``<`` inside an attribute value) are repaired.

    Raises :class:`ImportFormatError` for anything that is not a readable OPML file.
    """
    text = _decode(data) if isinstance(data, bytes) else data
    return _parse_opml(text)


# ------------------------------------------------------------------------ newsboat urls

_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def _newsboat_tokens(line: str) -> list[str]:
    """Split a urls line the way newsboat does.

    Tokens are separated by blanks; a token starting with ``"`` runs to the next
    unescaped ``"`` (backslash escapes as in newsboat); a token starting with ``#`` ends
    the line as a comment.
    """
    tokens: list[str] = []
    i, end = 0, len(line)
    while i < end:
        while i < end and line[i] in " \t\r\n":
            i += 1
        if i >= end or line[i] == "#":
            break
        if line[i] == '"':
            i += 1
            chars: list[str] = []
            while i < end and line[i] != '"':
                if line[i] == "\\":
                    if i + 1 < end:
                        chars.append(_ESCAPES.get(line[i + 1], line[i + 1]))
                    i += 2
                    continue
                chars.append(line[i])
                i += 1
            i += 1  # the closing quote, or past the end when it is missing
            tokens.append("".join(chars))
        else:
            start = i
            while i < end and line[i] not in " \t\r\n":
                i += 1
            tokens.append(line[start:i])
    return tokens


def read_newsboat_urls(text: str) -> ImportedSources:
    """The sources in a newsboat ``urls`` file.

    Each line is a URL followed by tags; a ``"~Title"`` tag names the feed, and the
    lone ``"!"`` tag (newsboat's "hide this feed") is dropped. Query feeds and
    ``exec:``/``filter:`` feeds are not feeds folio can fetch: they are left out and
    listed in ``skipped``, as are lines whose first word is not an http(s) URL.
    """
    sources = ImportedSources()
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        tokens = _newsboat_tokens(line)
        if not tokens:
            continue
        first, words = tokens[0], tokens[1:]
        lowered = first.lower()
        if lowered.startswith("query:"):
            title = clean_line(first[len("query:") :].split(":", 1)[0])
            sources.skipped.append(
                f"line {number}: query feed {title!r} skipped (a saved search, not a feed)"
            )
            continue
        if lowered.startswith(("exec:", "filter:")):
            scheme = lowered.split(":", 1)[0]
            sources.skipped.append(
                f"line {number}: {scheme}: feed skipped (it runs a local command, "
                f"which folio never does)"
            )
            continue
        url = _web_url(first)
        if url is None:
            sources.skipped.append(
                f"line {number}: skipped, {clean_line(first)!r} is not a web feed address"
            )
            continue
        name = ""
        tags: list[str] = []
        for word in words:
            if word.startswith("~"):
                name = clean_line(word[1:])  # newsboat lets the last one win too
            elif word != "!":
                tags.append(clean_line(word))
        sources.append(
            Source(url=url, name=name, kind=guess_kind_from_url(url) or "blog", tags=_dedupe(tags))
        )
    return sources


def read_sources_file(path: Path) -> ImportedSources:
    """Read an OPML file or a newsboat ``urls`` file, telling them apart by content.

    Raises :class:`ImportFormatError`, naming ``path``, when the file cannot be read,
    decoded or parsed.
    """
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        reason = error.strerror or str(error)
        raise ImportFormatError(f"{path}: cannot be read ({reason})") from None
    if len(data) > MAX_FILE_BYTES:
        raise ImportFormatError(
            f"{path}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB, which is too large "
            f"for a subscription list"
        )
    try:
        if _looks_like_xml(data):
            return read_opml(data)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise ImportFormatError(
                f"line {line}: not UTF-8 text (byte {error.start + 1}); a newsboat urls "
                f"file must be UTF-8",
                line=line,
            ) from None
        return read_newsboat_urls(text)
    except ImportFormatError as error:
        raise ImportFormatError(f"{path}: {error}", line=error.line) from None


def _looks_like_xml(data: bytes) -> bool:
    for bom in (codecs.BOM_UTF8, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE):
        if data.startswith(bom):
            data = data[len(bom) :]
            break
    else:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            # A UTF-16 file is never a newsboat urls file; let the OPML reader
            # decode it and complain precisely if it is not OPML either.
            return True
    if data.startswith((b"<\x00", b"\x00<")):
        return True
    return data.lstrip(b" \t\r\n\f\v").startswith(b"<")


# --------------------------------------------------------------------------- OPML writing

_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ATTR_ESCAPES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    # Raw tabs and newlines in an attribute are turned into spaces by every XML
    # parser; character references survive.
    "\t": "&#9;",
    "\n": "&#10;",
    "\r": "&#13;",
}
_ATTR_SPECIAL = re.compile('[&<>"\t\n\r]')


def _attr(value: str) -> str:
    cleaned = _XML_INVALID.sub("", value)
    return '"' + _ATTR_SPECIAL.sub(lambda m: _ATTR_ESCAPES[m.group(0)], cleaned) + '"'


def _text(value: str) -> str:
    cleaned = _XML_INVALID.sub("", value)
    return cleaned.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _outline_attrs(source: Source) -> list[tuple[str, str]]:
    # text is required by OPML 2.0, so an unnamed source shows its URL there; the reader
    # recognises that and gives back an empty name.
    attrs = [("type", "rss"), ("text", source.name or source.url)]
    if source.name:
        attrs.append(("title", source.name))
    attrs.append(("xmlUrl", source.url))
    if source.tags:
        # OPML 2.0: "to represent a tag, the category string should contain no slashes".
        parts = [part for tag in source.tags for part in tag.replace("/", ",").split(",")]
        attrs.append(("category", ",".join(p for p in parts if p.strip())))
        if any("," in tag or "/" in tag for tag in source.tags):
            attrs.append((ATTR_TAGS, json.dumps(source.tags, ensure_ascii=False)))
    attrs.append((ATTR_KIND, source.kind))
    if source.mine:
        attrs.append((ATTR_MINE, "true"))
    if source.interval:
        attrs.append((ATTR_INTERVAL, source.interval))
    return attrs


def write_opml(sources: list[Source], title: str = "folio subscriptions") -> str:
    """An OPML 2.0 document for ``sources`` that :func:`read_opml` reads back exactly.

    Outlines are grouped in one folder per kind, in the dashboard's order, so other
    readers show the same grouping; those folders carry ``folioKind`` and are not tags.
    Tags go in the standard ``category`` attribute; kind, "mine" and interval go in
    ``folioKind``, ``folioMine`` and ``folioInterval``. The output has no date in it,
    so the same sources always give the same bytes.
    """
    order = list(KINDS) + sorted({s.kind for s in sources} - set(KINDS))
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        "  <head>",
        f"    <title>{_text(title)}</title>",
        "  </head>",
        "  <body>",
    ]
    for kind in order:
        members = [s for s in sources if s.kind == kind]
        if not members:
            continue
        heading = KIND_HEADINGS.get(kind, kind)
        label = _attr(heading)
        lines.append(f"    <outline text={label} title={label} {ATTR_KIND}={_attr(kind)}>")
        for source in members:
            rendered = " ".join(f"{key}={_attr(value)}" for key, value in _outline_attrs(source))
            lines.append(f"      <outline {rendered}/>")
        lines.append("    </outline>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)
