"""One episode fetched to its ``.partial`` file: resumed, checked, never trusted.

What podcast clients get wrong, and what is done here instead:

- **Resume.** A ``.partial`` that exists is continued with ``Range: bytes=N-``. The answer
  counts only if its ``Content-Range`` starts at N; a server that ignores ``Range`` (200)
  or starts elsewhere gets the file again from zero. 416 with the file's full length means
  the ``.partial`` was already whole.
- **Error pages.** An answer that is not 2xx, whose type is HTML or text, or whose body
  starts like markup (an error page served as ``audio/mpeg``) is refused, not saved.
- **Truncation.** Fewer bytes than ``Content-Length`` (or ``Content-Range``) is an error,
  with the bytes kept for the next try; never a finished episode.
- **Room.** The disk must have room for the rest, plus a reserve, before a byte is written.
- **Encoding.** ``Accept-Encoding: identity`` is asked for; an answer with a
  ``Content-Encoding`` anyway is refused rather than saved compressed or inflated unbounded.

The caller (the queue) decides about retries: :class:`DownloadError` says whether trying
again later may help.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import httpx

from tui.core.ingest.text import clean_line

RESERVE_BYTES = 64 * 1024 * 1024
"""Free space a download must leave on the disk."""
SNIFF_BYTES = 64
"""Bytes of a new file's start looked at before it is written: enough to tell markup."""
MAX_REDIRECTS = 10
_HEADERS = {
    "Accept": "audio/*, video/*, application/octet-stream;q=0.9, */*;q=0.5",
    "Accept-Encoding": "identity",
}
_REFUSED_TYPES = ("text/", "application/xhtml", "application/xml", "application/json")
_CONTENT_RANGE = re.compile(r"^\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*$", re.IGNORECASE)
_UNSATISFIED_RANGE = re.compile(r"^\s*bytes\s+\*/(\d+)\s*$", re.IGNORECASE)
_BOM_AND_SPACE = b"\xef\xbb\xbf \t\r\n"


class DownloadError(Exception):
    """A download did not finish; ``str()`` says why in words. ``transient``: trying
    again later may work (a cut connection, a timeout, a server error)."""

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


ProgressCallback = Callable[[int, int | None], None]
"""Called with (bytes in the file so far, expected total or None) as bytes arrive."""


def free_bytes(folder: Path) -> int:
    return shutil.disk_usage(folder).free


def parse_content_range(value: str) -> tuple[int, int, int | None] | None:
    """``bytes 100-199/1000`` -> (100, 199, 1000); the total is None for ``*``."""
    match = _CONTENT_RANGE.match(value or "")
    if not match:
        return None
    start, end, total = match.groups()
    return int(start), int(end), None if total == "*" else int(total)


def _refused_type(content_type: str) -> bool:
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind.startswith(_REFUSED_TYPES) or kind.endswith(("+xml", "+json", "/html"))


def looks_like_markup(start: bytes) -> bool:
    """Audio and video files never start with ``<``; HTML, XML and error pages do."""
    return start.lstrip(_BOM_AND_SPACE)[:1] == b"<"


def _status_words(response: httpx.Response) -> str:
    reason = clean_line(response.reason_phrase or "")[:80]
    return f"the server answered {response.status_code}{' ' + reason if reason else ''}"


def _int_header(response: httpx.Response, name: str) -> int | None:
    value = response.headers.get(name, "").strip()
    return int(value) if value.isdigit() else None


def _truncate(partial: Path) -> None:
    with partial.open("wb"):
        pass


def _words(exc: BaseException) -> str:
    text = clean_line(str(exc))[:200]
    return text or type(exc).__name__


async def fetch_to_file(
    client: httpx.AsyncClient,
    url: str,
    partial: Path,
    *,
    on_progress: ProgressCallback | None = None,
    stall_timeout: float = 60.0,
    answer_timeout: float = 30.0,
    room: Callable[[Path], int] = free_bytes,
    reserve: int = RESERVE_BYTES,
    user_agent: str = "",
) -> int:
    """Download ``url`` into ``partial`` (appending to what it holds when the server
    resumes there); return the file's size once it is complete, fsynced.

    ``stall_timeout``: most seconds between two chunks of the body; ``answer_timeout``:
    most seconds from sending the request to the answer's headers.
    """
    scheme = url.split(":", 1)[0].lower()
    if scheme not in ("http", "https"):
        raise DownloadError(f"only http:// and https:// addresses are downloaded, not {scheme}:")
    partial.parent.mkdir(parents=True, exist_ok=True)
    # Twice at most: once resuming, once more from zero if the server resumed elsewhere.
    for _ in range(2):
        have = partial.stat().st_size if partial.exists() else 0
        headers = dict(_HEADERS)
        if user_agent:
            headers["User-Agent"] = user_agent
        if have:
            headers["Range"] = f"bytes={have}-"
        try:
            size = await _fetch_once(
                client, url, partial, have, headers, on_progress, stall_timeout, answer_timeout,
                room, reserve,
            )  # fmt: skip
        except _RestartFromZero:
            _truncate(partial)
            continue
        except DownloadError:
            raise
        except httpx.UnsupportedProtocol as exc:
            raise DownloadError(f"an address folio does not follow: {_words(exc)}") from None
        except (httpx.TimeoutException, TimeoutError):
            raise DownloadError("the server stopped sending", transient=True) from None
        except httpx.HTTPError as exc:
            got = partial.stat().st_size if partial.exists() else 0
            raise DownloadError(
                f"the connection broke after {got:,} bytes ({_words(exc)})", transient=True
            ) from None
        except OSError as exc:
            raise DownloadError(f"cannot write {partial}: {exc.strerror or exc}") from None
        return size
    raise DownloadError("the server does not resume where it is asked to", transient=True)


class _RestartFromZero(Exception):
    """The server's answer to a Range request does not continue the file."""


async def _fetch_once(
    client: httpx.AsyncClient,
    url: str,
    partial: Path,
    have: int,
    headers: dict[str, str],
    on_progress: ProgressCallback | None,
    stall_timeout: float,
    answer_timeout: float,
    room: Callable[[Path], int],
    reserve: int,
) -> int:
    async with asyncio.timeout(answer_timeout):
        response = await _follow(client, url, headers)
    try:
        if _already_complete(response, have):
            return have
        start, expected = _check_answer(response, have)
        if expected is not None:
            needed = expected - start
            free = room(partial.parent)
            if needed + reserve > free:
                raise DownloadError(
                    f"not enough room on the disk: the episode needs {needed:,} more bytes,"
                    f" {free:,} are free in {partial.parent}"
                )
        return await _write_body(response, partial, start, expected, on_progress, stall_timeout)
    finally:
        await response.aclose()


_REDIRECTS = frozenset({301, 302, 303, 307, 308})


async def _follow(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> httpx.Response:
    """GET ``url``, following redirects here rather than in httpx: httpx re-sends a
    redirected GET with its unread empty body, which the aiohttp transport then sends as a
    chunked body (``Transfer-Encoding: chunked``) that servers do not expect on a GET."""
    target = url
    for _ in range(MAX_REDIRECTS + 1):
        request = client.build_request("GET", target, headers=headers)
        response = await client.send(request, stream=True, follow_redirects=False)
        location = response.headers.get("location", "").strip()
        if response.status_code not in _REDIRECTS or not location:
            return response
        await response.aclose()
        next_url = response.url.join(location)
        if next_url.scheme not in ("http", "https"):
            raise DownloadError(
                f"a redirect to an address folio does not follow ({next_url.scheme}:)"
            )
        target = str(next_url)
    raise DownloadError(f"more than {MAX_REDIRECTS} redirects")


def _already_complete(response: httpx.Response, have: int) -> bool:
    """416 to ``bytes=N-`` with the file's length N: the ``.partial`` is already whole.
    Any other 416 means the ``.partial`` does not match the file: start again."""
    if response.status_code != 416 or not have:
        return False
    total = _UNSATISFIED_RANGE.match(response.headers.get("content-range", ""))
    if total and int(total.group(1)) == have:
        return True
    raise _RestartFromZero


def _check_answer(response: httpx.Response, have: int) -> tuple[int, int | None]:
    """Where the body starts in the file, and the whole file's expected size (None when
    unknown); raises for an answer that is not the audio asked for."""
    status = response.status_code
    if not 200 <= status < 300:
        raise DownloadError(_status_words(response), transient=status >= 500 or status == 429)
    if status not in (200, 206):
        raise DownloadError(f"{_status_words(response)}, not the file")
    content_type = response.headers.get("content-type", "")
    if _refused_type(content_type):
        raise DownloadError(
            f"the server sent a web page or text ({clean_line(content_type)[:60]}), not audio"
        )
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding not in ("", "identity"):
        raise DownloadError(
            f"the server compressed the file ({clean_line(encoding)[:30]}) though asked not to"
        )
    if status == 206:
        parsed = parse_content_range(response.headers.get("content-range", ""))
        if parsed is None or parsed[0] != have or not have:
            raise _RestartFromZero
        _, end, total = parsed
        return have, total if total is not None else end + 1
    # 200: the whole file, whatever was asked (a server that ignores Range).
    return 0, _int_header(response, "content-length")


async def _write_body(
    response: httpx.Response,
    partial: Path,
    start: int,
    expected: int | None,
    on_progress: ProgressCallback | None,
    stall_timeout: float,
) -> int:
    size = start
    # A new file's first bytes are held back until it is clear they are not a web page.
    sniffing = start == 0
    pending = b""
    # aiter_bytes, not aiter_raw: a Content-Encoding was refused above, so the two give the
    # same bytes, and aiter_bytes also reads an answer a transport built in memory (the
    # demo's), which httpx has already read.
    chunks = response.aiter_bytes()
    # Opened without truncating, then cut at ``start``: a 200 answer to a Range request
    # overwrites the file from zero, a 206 continues it.
    with partial.open("r+b" if partial.exists() else "wb") as out:
        out.truncate(start)
        out.seek(start)
        while True:
            try:
                async with asyncio.timeout(stall_timeout):
                    chunk = await anext(chunks)
            except StopAsyncIteration:
                break
            if sniffing:
                pending += chunk
                if len(pending) < SNIFF_BYTES:
                    continue
                if looks_like_markup(pending):
                    raise DownloadError("the server sent a web page, not audio")
                chunk, pending, sniffing = pending, b"", False
            out.write(chunk)
            size += len(chunk)
            if on_progress is not None:
                on_progress(size, expected)
        if pending:
            if looks_like_markup(pending):
                raise DownloadError("the server sent a web page, not audio")
            out.write(pending)
            size += len(pending)
        out.flush()
        await asyncio.to_thread(os.fsync, out.fileno())
    if expected is not None and size != expected:
        if size > expected:
            raise DownloadError(f"the server sent {size:,} bytes where it announced {expected:,}")
        raise DownloadError(f"the server sent {size:,} of {expected:,} bytes", transient=True)
    if size == 0:
        raise DownloadError("the server sent an empty file", transient=True)
    if on_progress is not None:
        on_progress(size, expected)
    return size
