"""The Netscape bookmark file: what every browser, linkding, Pinboard, Shaarli and buku
export and import.

It is HTML whose ``<DT>``, ``<DD>`` and ``<p>`` are never closed, so it is read with lxml's
lenient HTML parser, never with a regex: ``<DT><A HREF ADD_DATE LAST_MODIFIED TAGS PRIVATE
TOREAD>title</A>``, an optional ``<DD>`` description after it, and folders as ``<DT><H3>name
</H3>`` followed by a ``<DL>`` of their own (libxml2 puts that ``<DL>`` after the ``<DT>``;
browsers nest it inside; both are read). A folder's name becomes a tag of every bookmark in
it, but for the browsers' own top folders (the toolbar, "Other bookmarks"), which would
tag everything.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tui.core.bookmarks.common import Bookmark, clean_tags, is_web_url
from tui.core.ingest.text import clean, clean_line

if TYPE_CHECKING:
    from lxml.html import HtmlElement

__all__ = ["ImportedBookmarks", "looks_like_netscape", "read_bookmarks", "write_bookmarks"]

DOCTYPE = "<!DOCTYPE NETSCAPE-Bookmark-file-1>"
MAX_FILE_BYTES = 64 * 1024 * 1024
_ROOT_FOLDER_MARKS = ("personal_toolbar_folder", "unfiled_bookmarks_folder")


@dataclass
class ImportedBookmarks:
    bookmarks: list[Bookmark] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """One line per link left out, and why (not a web address, a repeat)."""


def looks_like_netscape(data: bytes) -> bool:
    """True for a Netscape bookmark file: its doctype, or an HTML list of links."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<!doctype netscape-bookmark-file"):
        return True
    # Some tools leave the doctype out, but never the list of <DT><A HREF=…>.
    return head.startswith((b"<!doctype html", b"<html", b"<meta", b"<title", b"<dl")) and (
        b"<dt>" in head and b"href=" in head
    )


def _epoch(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        number = int(value.strip()[:12])  # seconds; some tools write microseconds
    except ValueError:
        return None
    if number > 10**11:
        number //= 1_000_000
    try:
        return dt.datetime.fromtimestamp(number, dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _flag(value: str | None) -> bool | None:
    if value is None:
        return None
    return value.strip().lower() in ("1", "true", "yes")


class _Reader:
    def __init__(self) -> None:
        self.found = ImportedBookmarks()
        self._seen: set[str] = set()
        self._last: Bookmark | None = None

    def walk(
        self,
        element: HtmlElement,
        folders: list[str],
        pending: str | None = None,
        skip: tuple[HtmlElement | None, ...] = (),
        links: bool = True,
    ) -> str | None:
        """Read ``element``'s children in order; returns the folder whose <DL> is still to
        come. libxml2 leaves each <DT> open, so the next ones end up inside it: a <DT>'s
        other children are read as if they followed it."""
        for child in element:
            if any(child is skipped for skipped in skip):
                continue
            tag = child.tag.lower() if isinstance(child.tag, str) else ""
            if tag == "dt":
                heading = child.find("h3")
                link = child.find("a") if heading is None else None
                if heading is not None:
                    self._last = None  # a <DD> after a folder describes the folder
                    pending = self._folder(heading)
                elif link is not None:
                    self._link(link, folders)
                pending = self.walk(child, folders, pending, (heading, link))
            elif tag == "dl":
                self.walk(child, _with(folders, pending))
                pending = None
            elif tag == "dd":
                self._description(child)
                # A link in a description is text, not a bookmark.
                pending = self.walk(child, folders, pending, links=False)
            elif tag == "a" and links:
                self._link(child, folders)
            elif tag in ("p", "body", "div", "html"):
                pending = self.walk(child, folders, pending)
        return pending

    @staticmethod
    def _folder(heading: HtmlElement) -> str | None:
        if any(heading.get(mark) for mark in _ROOT_FOLDER_MARKS):
            return None
        return clean_line(heading.text_content()) or None

    def _link(self, link: HtmlElement, folders: list[str]) -> None:
        self._last = None
        url = clean_line(link.get("href") or "")
        title = clean_line(link.text_content())
        if not is_web_url(url):
            shown = url[:80] or "(no address)"
            self.found.skipped.append(f"{title or shown}: not a web address ({shown})")
            return
        if url in self._seen:
            self.found.skipped.append(f"{url}: listed twice, kept once")
            return
        self._seen.add(url)
        tags = (link.get("tags") or "").split(",")
        bookmark = Bookmark(
            url=url,
            title=title,
            tags=clean_tags([*tags, *folders]),
            private=_flag(link.get("private")),
            toread=bool(_flag(link.get("toread"))),
            added=_epoch(link.get("add_date")),
            modified=_epoch(link.get("last_modified")) or _epoch(link.get("add_date")),
        )
        self.found.bookmarks.append(bookmark)
        self._last = bookmark

    def _description(self, dd: HtmlElement) -> None:
        if self._last is None or self._last.description:
            return
        last = self._last
        self._last = None
        # Only the <DD>'s own text: a folder's <DL> nested in it is not the description.
        parts = [dd.text or ""]
        for inner in dd:
            if isinstance(inner.tag, str) and inner.tag.lower() in ("dl", "dt"):
                break
            parts.append(inner.text_content())
            parts.append(inner.tail or "")
        last.description = clean("".join(parts).strip())


def _with(folders: list[str], folder: str | None) -> list[str]:
    return [*folders, folder] if folder else folders


def read_bookmarks(data: bytes) -> ImportedBookmarks:
    """The bookmarks of a Netscape bookmark file, in file order, each URL once.

    Raises ValueError with a message for the user when the file holds no bookmark at all.
    """
    import lxml.html
    from lxml import etree

    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
    # The files are UTF-8 (they say so in a META they all write); bytes that are not are
    # replaced rather than refused, so one bad title does not lose the rest.
    text = data.decode("utf-8", "replace")
    parser = lxml.html.HTMLParser(recover=True, no_network=True, remove_comments=True)
    try:
        root = lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise ValueError(f"not a bookmark file: {clean_line(str(exc))}") from None
    reader = _Reader()
    reader.walk(root, [])
    if not reader.found.bookmarks and not reader.found.skipped:
        raise ValueError("no bookmarks in it (no <DT><A HREF=…> links)")
    return reader.found


def _attr(value: str) -> str:
    return html.escape(clean_line(value), quote=True)


def write_bookmarks(bookmarks: Iterable[Bookmark], title: str = "Bookmarks") -> str:
    """A Netscape bookmark file of ``bookmarks``, every value escaped."""
    lines = [
        DOCTYPE,
        "<!-- This is an automatically generated file.",
        "     It will be read and overwritten.",
        "     DO NOT EDIT! -->",
        '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">',
        f"<TITLE>{html.escape(title)}</TITLE>",
        f"<H1>{html.escape(title)}</H1>",
        "<DL><p>",
    ]
    for bookmark in bookmarks:
        if not is_web_url(bookmark.url):
            continue
        attrs = [f'HREF="{_attr(bookmark.url)}"']
        if bookmark.added is not None:
            attrs.append(f'ADD_DATE="{int(bookmark.added.timestamp())}"')
        if bookmark.modified is not None:
            attrs.append(f'LAST_MODIFIED="{int(bookmark.modified.timestamp())}"')
        if bookmark.private is not None:
            attrs.append(f'PRIVATE="{int(bookmark.private)}"')
        if bookmark.toread:
            attrs.append('TOREAD="1"')
        tags = clean_tags(bookmark.tags)
        if tags:
            attrs.append(f'TAGS="{_attr(",".join(tags))}"')
        title_text = html.escape(clean_line(bookmark.title) or bookmark.url, quote=False)
        lines.append(f"    <DT><A {' '.join(attrs)}>{title_text}</A>")
        if bookmark.description:
            lines.append(f"    <DD>{html.escape(clean(bookmark.description), quote=False)}")
    lines.append("</DL><p>")
    return "\n".join(lines) + "\n"
