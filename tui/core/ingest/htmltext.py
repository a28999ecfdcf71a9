"""Item HTML to readable plain text for the reader pane.

The output is Markdown-ish plain text, never markup the UI interprets: headings as ``# ...``,
lists as ``- `` / ``1. ``, block quotes as ``> ``, ``<pre>`` verbatim, links numbered inline
(``text [1]``) and listed at the end (``[1] https://...``), images as ``[image: alt]``.

It uses the stdlib :class:`html.parser.HTMLParser`, which accepts any input without raising
on broken HTML; if it ever does raise, the text is recovered with a crude tag strip instead.
Everything returned has been through :func:`text.clean`.
"""

from __future__ import annotations

import html as _html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

from tui.core.ingest.text import clean, clean_line

__all__ = ["RenderedText", "html_to_text"]


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
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
     "source", "track", "wbr"}
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
_CRUDE_TAG = re.compile(r"<[^>]*>")


def html_to_text(html: str, base_url: str = "") -> RenderedText:
    """Render ``html`` (or plain text) as readable text with numbered links.

    Relative links are resolved against ``base_url``. Never raises.
    """
    if not html:
        return RenderedText("")
    if _TAG_LIKE.search(html) is None:
        return RenderedText(clean(html).strip())
    renderer = _Renderer(base_url)
    try:
        renderer.feed(_normalise(html))
        renderer.close()
        body = renderer.result()
    except Exception:  # html.parser is meant not to raise; this is the belt to its braces
        body = _html.unescape(_CRUDE_TAG.sub(" ", html)).strip()
        renderer.links = []
    links = renderer.links
    if links:
        listing = "\n".join(f"[{n}] {url}" for n, url in enumerate(links, 1))
        body = f"{body}\n\n{listing}" if body else listing
    return RenderedText(clean(body), links)


# --------------------------------------------------------------------------- pre-pass
#
# html.parser in CPython 3.11 is quadratic (or worse) on some malformed input: each
# unterminated "<!--", "<![CDATA[", "<!", "<?" or start tag with an unclosed quote makes it
# rescan to the end of the document, so 1 MB of "<!--" takes minutes. _normalise rewrites
# the document in one linear pass so that html.parser only ever sees plain text (every
# stray "<" escaped) and simple, complete tags: comments, declarations and processing
# instructions are dropped, CDATA becomes escaped text, script/style are removed with their
# content, and tags are rebuilt with just the attributes the renderer reads.

_TAG_START = re.compile(r"<(/?)([A-Za-z][^\s/<>]*)|<[!?]")
_QUOTE = re.compile("[\"']")
_ATTR = re.compile(r"""([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]*)))?""")
_CLOSE_RAW = {
    "script": re.compile(r"</script[\s/>]", re.IGNORECASE),
    "style": re.compile(r"</style[\s/>]", re.IGNORECASE),
}
_WANTED_ATTRS = {"a": ("href",), "img": ("alt",), "ol": ("start",)}
_MAX_QUOTED = 65536
"""How far a quoted attribute value may run. Searches that fail cover disjoint windows, so
the pre-pass stays linear whatever the limit; it only bounds one failed search."""


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _tag_end(s: str, p: int) -> int:
    """Index of the ">" that ends the tag whose attributes start at ``p``, or -1.

    Quoted values may contain ">"; a quote that is never closed is an ordinary character.
    Every search moves forward, so the cost is linear in the tag's length.
    """
    k = s.find(">", p)
    while k >= 0:
        m = _QUOTE.search(s, p, k)
        if m is None:
            return k
        q = m.start()
        close = s.find(s[q], q + 1, q + 1 + _MAX_QUOTED)
        if close < 0:
            return k
        p = close + 1
        if p > k:
            k = s.find(">", p)
    return -1


def _rebuild_tag(name: str, body: str) -> str:
    wanted = _WANTED_ATTRS.get(name)
    self_closing = body.rstrip().endswith("/")
    attrs = ""
    if wanted:
        found: dict[str, str] = {}
        for m in _ATTR.finditer(body):
            key = m.group(1).lower()
            if key in wanted and key not in found:
                value = m.group(2) if m.group(2) is not None else m.group(3) or m.group(4) or ""
                found[key] = value.replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
                if len(found) == len(wanted):
                    break
        attrs = "".join(f' {key}="{value}"' for key, value in found.items())
    return f"<{name}{attrs}{' /' if self_closing else ''}>"


def _normalise(s: str) -> str:
    out: list[str] = []
    n = len(s)
    i = 0
    while i < n:
        j = s.find("<", i)
        if j < 0:
            out.append(s[i:])
            break
        out.append(s[i:j])
        if s.startswith("<!--", j):
            k = s.find("-->", j + 4)
            if k < 0:
                break  # an unterminated comment hides the rest, as it does in browsers
            i = k + 3
            continue
        if s.startswith("<![CDATA[", j):
            k = s.find("]]>", j + 9)
            end = n if k < 0 else k
            out.append(_escape(s[j + 9 : end]))
            i = end + 3
            continue
        m = _TAG_START.match(s, j)
        if m is None:  # "<" followed by nothing tag-like is text
            out.append("&lt;")
            i = j + 1
            continue
        k = _tag_end(s, m.end())
        if k < 0:  # no ">" anywhere after it: the rest is text
            out.append(_escape(s[j:]))
            break
        i = k + 1
        name = m.group(2)
        if name is None:
            continue  # <!DOCTYPE ...>, <?xml ...?> and the like show nothing
        name = name.lower()
        if m.group(1):
            out.append(f"</{name}>")
            continue
        close = _CLOSE_RAW.get(name)
        if close is not None:
            end_tag = close.search(s, i)
            if end_tag is None:
                break
            k = s.find(">", end_tag.end() - 1)
            i = n if k < 0 else k + 1
            continue
        out.append(_rebuild_tag(name, s[m.end() : k]))
    return "".join(out)


class _Renderer(HTMLParser):
    """Turns parser events into text, tracking only the state the output needs."""

    def __init__(self, base_url: str) -> None:
        super().__init__(convert_charrefs=True)
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

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            return  # <iframe/> has no content to skip
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
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

    def close(self) -> None:
        super().close()
        while self._anchors:  # unclosed <a>: still number it
            self._end_anchor()

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

    def _start_anchor(self, attrs: list[tuple[str, str | None]]) -> None:
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


def _attr(attrs: list[tuple[str, str | None]], name: str) -> str:
    for key, value in attrs:
        if key == name:
            return value or ""
    return ""


def _int_or(value: str, default: int) -> int:
    try:
        number = int(value.strip())
    except ValueError:
        return default
    return number if 0 <= number < 1_000_000 else default
