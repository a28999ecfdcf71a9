"""Item HTML to readable plain text for the reader pane.

The output is Markdown-ish plain text, never markup the UI interprets: headings as ``# ...``,
lists as ``- `` / ``1. ``, block quotes as ``> ``, ``<pre>`` verbatim, links numbered inline
(``text [1]``) and listed at the end (``[1] https://...``), images as ``[image: alt]``,
table rows as cells separated by `` | ``.

The HTML is parsed by lxml (libxml2's HTML parser, in C): it accepts any input, recovers
from broken markup as browsers roughly do, and stays linear on hostile input (a megabyte
of ``<!--``, unclosed quotes or nested lists), which CPython's html.parser, used before, was
not without a hand-written pre-pass. This module only walks the tree and lays out the text.
inscriptis, which lays out text from the same lxml trees, was measured too
(bench/htmltext_speed.py, 1,284 real item bodies: 1.47 s against 0.59 s here), and it has
no numbered links, heading or quote markers, rules or image placeholders, and ignores
``<ol start>``; getting them back would take more code around it than this walk is.
Everything returned has been through :func:`text.clean`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import urljoin

from lxml import etree

from tui.core.ingest.text import clean, clean_line

__all__ = ["RenderedText", "html_to_text", "one_line"]


@dataclass
class RenderedText:
    text: str
    links: list[str] = field(default_factory=list)
    """Link targets in the order of their ``[n]`` numbers (``links[0]`` is ``[1]``)."""


# Elements whose content is never shown. iframe/noscript/object content is fallback
# markup (often a duplicate of a lazy-loaded image); svg and math hold drawing code.
_SKIP = frozenset(
    {"script", "style", "iframe", "noscript", "template", "head", "title", "svg", "math",
     "object", "select", "textarea", "button"}
)  # fmt: skip
# Block elements that end the current line (1) or the current paragraph (2).
_BLOCK_BREAK = {
    "p": 2, "blockquote": 2, "pre": 2, "table": 2, "figure": 2, "hr": 2, "section": 2,
    "article": 2, "header": 2, "footer": 2, "aside": 2, "nav": 2, "main": 2, "details": 2,
    "address": 2, "dl": 2, "h1": 2, "h2": 2, "h3": 2, "h4": 2, "h5": 2, "h6": 2,
    "div": 1, "tr": 1, "li": 1, "dt": 1, "dd": 1, "figcaption": 1, "summary": 1,
    "caption": 1, "center": 1, "form": 1, "fieldset": 1, "legend": 1,
}  # fmt: skip
_MAX_DEPTH = 8
"""Deeper lists and quotes are drawn at this depth: 100,000 nested <ul> must not mean
lines with 200,000 spaces of indent."""
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_UNSAFE_SCHEMES = ("javascript:", "data:", "vbscript:", "file:")

# "Looks like it has tags": a tag name, an end tag, a comment or a declaration after "<".
# Plain text such as "a < b" or "x<3" does not match and passes through untouched.
_TAG_LIKE = re.compile(r"<(?:[A-Za-z][A-Za-z0-9-]*[\s/>]|/[A-Za-z]|!)")


def html_to_text(html: str, base_url: str = "") -> RenderedText:
    """Render ``html`` (or plain text) as readable text with numbered links.

    Relative links are resolved against ``base_url``. Never raises.
    """
    if not html:
        return RenderedText("")
    if _TAG_LIKE.search(html) is None:
        return RenderedText(clean(html).strip())
    root = _parse(html)
    if root is None:
        return RenderedText("")
    renderer = _Renderer(base_url)
    renderer.walk(root)
    body = renderer.result()
    links = renderer.links
    if links:
        listing = "\n".join(f"[{n}] {url}" for n, url in enumerate(links, 1))
        body = f"{body}\n\n{listing}" if body else listing
    return RenderedText(clean(body), links)


def one_line(html: str, limit: int = 200) -> str:
    """The start of ``html``'s text on one line, at most ``limit`` characters: a title for
    an item that has none (a Mastodon or Bluesky post).

    Inline elements join their text as written, so ``#<span>tag</span>``, a mention's
    ``@<span>name</span>`` and Mastodon's links split into invisible spans
    (``https://`` + ``host/path``) stay whole; block elements and line breaks separate
    words. No link numbers, no markers. Never raises.
    """
    if not html:
        return ""
    if _TAG_LIKE.search(html) is None:  # text, perhaps with entities ("Tom &amp; Jerry")
        return clean_line(unescape(html) if "&" in html else html)[:limit]
    root = _parse(html)
    if root is None:
        return ""
    parts: list[str] = []
    size = 0
    skipping = 0
    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag
        if not isinstance(tag, str):
            continue
        if tag in _SKIP:
            skipping += 1 if event == "start" else -1
            if event == "end" and element.tail and not skipping:
                parts.append(element.tail)
            continue
        if skipping:
            continue
        if tag == "br" or tag in _BLOCK_BREAK or tag in _LIST_TAGS:
            parts.append(" ")
        text = element.text if event == "start" else element.tail
        if text:
            parts.append(text)
            size += len(text)
            if size > 4 * limit:  # enough to fill the line after spaces are folded
                break
    return clean_line("".join(parts))[:limit]


_LIST_TAGS = frozenset({"ul", "ol"})


def _parse(html: str) -> etree._Element | None:
    """The document's tree, or None when there is nothing in it.

    Controls, lone surrogates and NUL go first (:func:`text.clean`): libxml2 stops at a
    NUL. CDATA sections, which HTML does not have and libxml2 drops, become their text.
    """
    text = _cdata_as_text(clean(html))
    parser = etree.HTMLParser(
        recover=True,
        no_network=True,
        remove_comments=True,
        remove_pis=True,
        default_doctype=False,
        collect_ids=False,
        encoding="utf-8",
        # Nesting up to 2,048 levels rather than 256; what is deeper is cut there (the
        # text before it stays). No effect on speed: the walk is iterative.
        huge_tree=True,
    )
    try:
        return etree.fromstring(text.encode("utf-8", "replace"), parser)
    except (etree.LxmlError, ValueError):  # "Document is empty" and the like
        return None


def _cdata_as_text(html: str) -> str:
    """``<![CDATA[a < b]]>`` as ``a &lt; b``; an unterminated section runs to the end.
    One pass with str.find: linear."""
    start = html.find("<![CDATA[")
    if start < 0:
        return html
    out = []
    pos = 0
    while start >= 0:
        out.append(html[pos:start])
        end = html.find("]]>", start + 9)
        stop = len(html) if end < 0 else end
        out.append(html[start + 9 : stop].replace("&", "&amp;").replace("<", "&lt;"))
        pos = stop + 3
        start = html.find("<![CDATA[", pos) if end >= 0 else -1
    out.append(html[pos:])
    return "".join(out)


Attrs = dict[str, str]


class _Renderer:
    """Turns a walk over the tree into text, tracking only the state the output needs."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.links: list[str] = []
        self._link_numbers: dict[str, int] = {}
        self._resolved: dict[str, str] = {}
        self._out: list[str] = []
        # Open <a> elements: (link number or 0, count of text writes when it opened).
        self._anchors: list[tuple[int, int]] = []
        self._writes = 0
        self._skip = 0
        self._pre = 0
        self._pre_fresh = False  # just after <pre>: a leading newline is not content
        self._quote = 0
        self._lists: list[list[int]] = []  # [ordered (0/1), counter] per open list
        self._want = 0  # line breaks wanted before the next text (1 = new line, 2 = blank line)
        self._nl = 2  # line breaks at the end of the output; 2 at the start: no leading breaks
        self._gap = ""  # inline separator waiting for the next text: "", " " or " | "
        self._marker = ""  # list bullet or heading hashes waiting for the next text
        self._row_cells = 0

    def walk(self, root: etree._Element) -> None:
        """Every element's start and end, its text after its start and its tail after its
        end, in document order. iterwalk is iterative, so depth costs no recursion."""
        for event, element in etree.iterwalk(root, events=("start", "end")):
            tag = element.tag
            if not isinstance(tag, str):
                continue  # comments and processing instructions are removed already
            if event == "start":
                self.handle_starttag(tag, element.attrib)
                if element.text:
                    self.handle_data(element.text)
            else:
                self.handle_endtag(tag)
                if element.tail:
                    self.handle_data(element.tail)
        while self._anchors:  # an <a> still open: number it all the same
            self._end_anchor()

    # ----------------------------------------------------------------- output

    def result(self) -> str:
        return "".join(self._out).strip("\n")

    def _prefix(self) -> str:
        return "> " * min(self._quote, _MAX_DEPTH)

    def _break(self, n: int) -> None:
        if n > self._want:
            self._want = n

    def _line_breaks(self, n: int) -> None:
        while self._nl < n:
            if self._nl and self._quote:
                self._out.append(self._prefix().rstrip())
            self._out.append("\n")
            self._nl += 1

    def _write(self, s: str) -> None:
        """Write inline text (no newlines) at the current position."""
        if self._want:
            self._line_breaks(self._want)
            self._want = 0
            self._gap = ""
        if self._nl:
            self._out.append(self._prefix())
            if self._marker:
                self._out.append(self._marker)
                self._marker = ""
            self._nl = 0
            self._gap = ""
        elif self._gap:
            self._out.append(self._gap)
            self._gap = ""
        self._out.append(s)
        self._writes += 1

    def _write_pre(self, data: str) -> None:
        if self._pre_fresh:
            self._pre_fresh = False
            if data.startswith("\r\n"):
                data = data[2:]
            elif data.startswith("\n"):
                data = data[1:]
        lines = data.replace("\r\n", "\n").split("\n")
        for i, line in enumerate(lines):
            if i:
                self._out.append("\n")
                self._nl = 1
            if line:
                self._write(line)
            elif self._quote and 0 < i < len(lines) - 1:
                self._out.append(self._prefix().rstrip())

    # ----------------------------------------------------------------- parser events

    def handle_data(self, data: str) -> None:
        if self._skip or not data:
            return
        if self._pre:
            self._write_pre(data)
            return
        words = data.split()
        if not words:
            if not self._gap:
                self._gap = " "
            return
        if data[0].isspace() and not self._gap:
            self._gap = " "
        self._write(" ".join(words))
        if data[-1].isspace():
            self._gap = " "

    def handle_starttag(self, tag: str, attrs: Attrs) -> None:
        if tag in _SKIP:
            self._skip += 1
            return
        if self._skip:
            return
        brk = _BLOCK_BREAK.get(tag)
        if brk:
            self._break(1 if tag in ("ul", "ol") and self._lists else brk)
        if tag == "br":
            self._want = min(self._want + 1, 2)
        elif tag == "a":
            self._start_anchor(attrs)
        elif tag == "img":
            alt = clean_line(_attr(attrs, "alt"))
            self._write(f"[image: {alt}]" if alt else "[image]")
        elif tag in _HEADINGS:
            self._marker = "#" * _HEADINGS[tag] + " "
        elif tag in ("ul", "ol"):
            self._break(1 if self._lists else 2)
            start = _int_or(_attr(attrs, "start"), 1) - 1 if tag == "ol" else 0
            self._lists.append([1 if tag == "ol" else 0, start])
        elif tag == "li":
            self._start_item()
        elif tag == "dd":
            self._marker = "  "
        elif tag == "blockquote":
            # Settle the breaks before the depth changes, so the blank line that
            # separates the quote from the text before it carries no ">".
            self._line_breaks(self._want)
            self._want = 0
            self._quote += 1
        elif tag == "pre":
            self._pre += 1
            self._pre_fresh = True
        elif tag == "hr":
            self._write("---")
            self._break(2)
        elif tag == "tr":
            self._row_cells = 0
        elif tag in ("td", "th"):
            if self._row_cells and self._nl == 0:
                self._gap = " | "
            self._row_cells += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            if self._skip:
                self._skip -= 1
            return
        if self._skip:
            return
        if tag == "a":
            self._end_anchor()
        elif tag in ("ul", "ol"):
            if self._lists:
                self._lists.pop()
            self._break(1 if self._lists else 2)
            return
        elif tag == "blockquote":
            self._break(2)
            if self._quote:
                self._quote -= 1
            return
        elif tag == "pre":
            if self._pre:
                self._pre -= 1
            self._pre_fresh = False
        elif tag in _HEADINGS:
            self._marker = ""
        brk = _BLOCK_BREAK.get(tag)
        if brk:
            self._break(brk)

    # ----------------------------------------------------------------- helpers

    def _start_item(self) -> None:
        self._break(1)
        if not self._lists:
            self._marker = "- "
            return
        current = self._lists[-1]
        indent = "  " * min(len(self._lists) - 1, _MAX_DEPTH)
        if current[0]:
            current[1] += 1
            self._marker = f"{indent}{current[1]}. "
        else:
            self._marker = f"{indent}- "

    def _start_anchor(self, attrs: Attrs) -> None:
        if self._anchors:  # <a> cannot nest: an open one ends here
            self._end_anchor()
        number = 0
        if not self._pre:  # numbers inside <pre> would corrupt the code
            url = self._resolve(_attr(attrs, "href"))
            if url:
                number = self._link_numbers.get(url, 0)
                if not number:
                    self.links.append(url)
                    number = self._link_numbers[url] = len(self.links)
        self._anchors.append((number, self._writes))

    def _end_anchor(self) -> None:
        if not self._anchors:
            return
        number, writes_before = self._anchors.pop()
        # An anchor with no visible text (e.g. a heading permalink) gets no number.
        if number and self._writes > writes_before:
            self._gap = " "
            self._write(f"[{number}]")

    def _resolve(self, href: str) -> str:
        resolved = self._resolved.get(href)
        if resolved is None:
            # urljoin costs microseconds; pages repeat the same few links many times.
            resolved = self._resolved[href] = self._resolve_uncached(href)
        return resolved

    def _resolve_uncached(self, href: str) -> str:
        href = clean_line(href)
        if not href or href.startswith("#"):
            return ""  # in-page anchors (footnote back-links) are noise in a list of links
        if self.base_url:
            try:
                href = urljoin(self.base_url, href)
            except ValueError:  # e.g. a malformed IPv6 host
                return ""
        if href.lower().startswith(_UNSAFE_SCHEMES):
            return ""
        return href


def _attr(attrs: Attrs, name: str) -> str:
    return attrs.get(name) or ""


def _int_or(value: str, default: int) -> int:
    try:
        number = int(value.strip())
    except ValueError:
        return default
    return number if 0 <= number < 1_000_000 else default
