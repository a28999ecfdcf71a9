"""A strict, incremental HTTP/1.1 codec for the client side: requests out, responses in.

``write_request`` makes the bytes of a request, refusing any method, target, header name or
value that could end a line early, so that no URL or header can inject another header.
``ResponseParser`` reads one response (after any 1xx ones) from chunks of any size: the head
is found with one ``bytes.find`` and checked with one regular expression, then the body is
framed as RFC 9112 section 6.3 says (none for 1xx, 204, 304 and HEAD; chunked; Content-Length;
else until the server closes). Heads are bounded (``MAX_HEAD`` bytes, ``max_fields`` lines).
Compared with h11, which this replaces in ``transport``: lines must end with CRLF (h11 takes
a bare LF), the version must be HTTP/1.x, a response with both Transfer-Encoding and
Content-Length is read as chunked but ends the connection, request values may hold no
control character but HTAB, and CONNECT is refused. Standard library only; no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

__all__ = ["MAX_HEAD", "InvalidRequest", "ProtocolError", "ResponseParser", "write_request"]

MAX_HEAD: Final = 64 * 1024
"""Bytes of a response head (or a trailer section) at most, the blank line included."""
_MAX_LINE: Final = 4096
"""Bytes of a chunk-size line at most, extensions included."""

_TCHAR = rb"-!#$%&'*+.^_`|~0-9A-Za-z"
_FIELD = rb"[^\x00\n\r\x0b\x0c]*"  # a value or a reason, as h11 takes them: no NUL, CR, LF
_TOKEN = re.compile(rb"[%s]+" % _TCHAR)
_NON_TOKEN = re.compile(rb"[^%s]" % _TCHAR)
_TARGET = re.compile(rb"[\x21-\x7e]+")
_CONTROL = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")  # in a value sent: all but HTAB
_FIELDS = rb"(?:[%s]+:%s\r\n)*" % (_TCHAR, _FIELD)
_HEAD = re.compile(rb"HTTP/1\.([0-9]) ([0-9]{3})(?: (%s))?\r\n(%s)" % (_FIELD, _FIELDS))
_TRAILERS = re.compile(_FIELDS)
_CHUNK_LINE = re.compile(rb"([0-9A-Fa-f]{1,20})(?:;.*)?[ \t]*")  # as h11: ext. ignored
_FOLD = re.compile(rb"\r\n[ \t]+")
_VERSIONS: Final = {b"0": b"HTTP/1.0", b"1": b"HTTP/1.1"}

# What the parser waits for.
_HEAD_NEXT, _LENGTH, _CHUNK_SIZE, _CHUNK_DATA, _CHUNK_END, _TRAILER, _UNTIL_CLOSE, _DONE = range(8)


class ProtocolError(Exception):
    """The server broke HTTP/1.1; the message says how, in plain words."""


class InvalidRequest(ValueError):
    """A request that cannot be sent as given (it would be misread, or inject a header)."""


def write_request(
    method: bytes, target: bytes, headers: Sequence[tuple[bytes, bytes]], body: bytes = b""
) -> tuple[bytes, bool]:
    """(the request's bytes, whether the connection may be kept alive after it).

    ``headers`` must hold one Host. A body goes with its Content-Length (added when missing),
    or chunked when a ``Transfer-Encoding: chunked`` header asks for it.
    """
    if not _TOKEN.fullmatch(method) or method == b"CONNECT":
        raise InvalidRequest(f"invalid or unsupported method {method!r}")
    if not _TARGET.fullmatch(target):
        raise InvalidRequest(f"invalid request target {target!r}")
    out = [method, b" ", target, b" HTTP/1.1\r\n"]
    keep_alive = True
    hosts = 0
    length: bytes | None = None
    chunked = False
    for name, value in headers:
        out += (name, b": ", value, b"\r\n")
        lowered = name.lower()
        if lowered == b"host":
            hosts += 1
        elif lowered == b"content-length":
            if length is not None or not value.isdigit():
                raise InvalidRequest(f"invalid or repeated Content-Length {value!r}")
            length = value
        elif lowered == b"transfer-encoding":
            if chunked or value.lower() != b"chunked":
                raise InvalidRequest(f"unsupported Transfer-Encoding {value!r}")
            chunked = True
        elif lowered == b"connection" and b"close" in _tokens(value):
            keep_alive = False
    names = out[4::4]
    if not all(names) or _NON_TOKEN.search(b"".join(names)):
        bad = next(name for name, _ in headers if not _TOKEN.fullmatch(name))
        raise InvalidRequest(f"invalid header name {bad!r}")
    if _CONTROL.search(b"".join(out[6::4])):
        bad = next(name for name, value in headers if _CONTROL.search(value))
        raise InvalidRequest(f"the value of header {bad!r} holds a control character")
    if hosts != 1:
        raise InvalidRequest("a request needs exactly one Host header")
    if chunked:
        if length is not None:
            raise InvalidRequest("both Content-Length and Transfer-Encoding given")
        out.append(b"\r\n%x\r\n%s\r\n0\r\n\r\n" % (len(body), body) if body else b"\r\n0\r\n\r\n")
        return b"".join(out), keep_alive
    if length is None and body:
        out += (b"Content-Length: %d\r\n" % len(body),)
    elif length is not None and int(length) != len(body):
        raise InvalidRequest(f"Content-Length is {int(length)} but the body has {len(body)} bytes")
    out += (b"\r\n", body)
    return b"".join(out), keep_alive


def _tokens(value: bytes) -> list[bytes]:
    """A comma-separated header value's items, lowercased."""
    return [item.strip(b" \t") for item in value.lower().split(b",")]


def _content_length(value: bytes) -> bytes:
    """The one number a Content-Length value holds (h11 takes "5, 5" as 5)."""
    lengths = set(_tokens(value)) if b"," in value else {value}
    if len(lengths) > 1:
        raise ProtocolError(f"conflicting Content-Length values {value!r}")
    (length,) = lengths
    if not length.isdigit() or len(length) > 20:
        raise ProtocolError(f"invalid Content-Length {value!r}")
    return length


class ResponseParser:
    """One response to one request, read from the bytes given to ``feed`` as they come.

    Once the final head is in, ``status`` is non-zero and ``http_version``, ``reason`` and
    ``headers`` (raw names, stripped values) are set. The body collects until ``take``;
    ``buffered`` counts its bytes. ``done``: the response is over; ``reusable``: the
    connection can carry another request (keep-alive agreed, nothing arrived after the end).
    """

    def __init__(self, method: bytes, keep_alive: bool = True, max_fields: int = 100) -> None:
        self.status = 0
        self.http_version = b""
        self.reason = b""
        self.headers: list[tuple[bytes, bytes]] = []
        self.buffered = 0
        self.done = False
        self.reusable = False
        self._body: list[bytes | memoryview] = []
        self._no_body = method == b"HEAD"
        self._keep_alive = keep_alive
        self._max_fields = max_fields
        self._state = _HEAD_NEXT
        self._remaining = 0  # bytes of the body, or of the chunk, still to come
        self._pending = bytearray()  # an incomplete head or line, until it is whole
        self._lines = 0  # CRLFs in the pending head
        self._got_bytes = False

    def take(self) -> bytes:
        """The body bytes that came since the last call, joined."""
        data = b"".join(self._body)
        self._body.clear()
        self.buffered = 0
        return data

    def feed(self, data: bytes) -> None:
        """Parse what arrived; raises ProtocolError if it is not valid HTTP/1.1."""
        if not data:
            return
        self._got_bytes = True
        if self._state == _DONE:
            self.reusable = False  # bytes after the end: the framing is off
            return
        if self._pending:
            start = len(self._pending)
            self._pending += data
            if not self._whole(start):
                return
            data = bytes(self._pending)
            self._pending.clear()
        self._run(data)

    def receive_eof(self) -> None:
        """The server closed: the end of a body read until then, else ProtocolError."""
        if self._state == _UNTIL_CLOSE:
            self._finish()
        if self._state == _HEAD_NEXT:
            where = "in the middle of the head" if self._got_bytes else "before any answer"
            raise ProtocolError(f"the connection was closed {where}")
        if self._state == _LENGTH:
            raise ProtocolError(f"the connection was closed {self._remaining} bytes before the end")
        if self._state != _DONE:
            raise ProtocolError("the connection was closed in the middle of a chunked body")

    def _run(self, data: bytes) -> None:
        pos, end = 0, len(data)
        while pos < end:
            state = self._state
            if state in (_LENGTH, _CHUNK_DATA, _UNTIL_CLOSE):
                size = end - pos if state == _UNTIL_CLOSE else min(self._remaining, end - pos)
                self._body.append(data if size == end else memoryview(data)[pos : pos + size])
                self.buffered += size
                pos += size
                if state == _UNTIL_CLOSE:
                    return
                self._remaining -= size
                if not self._remaining:
                    if state == _LENGTH:
                        self._finish()
                    else:
                        self._state = _CHUNK_END
            elif state == _HEAD_NEXT:
                found = data.find(b"\r\n\r\n", pos)
                if found < 0:
                    break
                self._head(data, pos, found + 2)
                pos = found + 4
            elif state == _CHUNK_SIZE:
                found = data.find(b"\r\n", pos)
                if found < 0:
                    break
                match = None if found - pos > _MAX_LINE else _CHUNK_LINE.fullmatch(data, pos, found)
                if match is None:
                    raise ProtocolError(f"invalid chunk size line {data[pos:found][:80]!r}")
                self._remaining = int(match[1], 16)
                self._state = _CHUNK_DATA if self._remaining else _TRAILER
                pos = found + 2
            elif state == _CHUNK_END:
                if end - pos < 2:
                    break
                if data[pos : pos + 2] != b"\r\n":
                    raise ProtocolError("a chunk of the body does not end with CRLF")
                self._state = _CHUNK_SIZE
                pos += 2
            elif state == _TRAILER:
                if data.startswith(b"\r\n", pos):
                    found = pos - 2
                else:
                    found = data.find(b"\r\n\r\n", pos)
                    if found < 0:
                        break
                    if not _TRAILERS.fullmatch(_FOLD.sub(b" ", data[pos : found + 2])):
                        raise ProtocolError("invalid trailer section after a chunked body")
                pos = found + 4
                self._finish()
            else:  # _DONE
                self.reusable = False
                return
        if pos < end:
            self._pending += memoryview(data)[pos:]
            self._whole(0)

    def _whole(self, start: int) -> bool:
        """Whether the pending bytes hold the line or head waited for; checks what it can."""
        pending, state = self._pending, self._state
        if state == _CHUNK_END:
            return len(pending) >= 2
        if state == _CHUNK_SIZE:
            if pending.find(b"\r\n", max(start - 1, 0)) >= 0:
                return True
            if len(pending) > _MAX_LINE:
                raise ProtocolError("a chunk size line is too long")
            return False
        if state == _TRAILER and pending.startswith(b"\r\n"):
            return True
        if pending.find(b"\r\n\r\n", max(start - 3, 0)) >= 0:
            return True
        # An incomplete head: fail now rather than wait for what will never come.
        if state == _HEAD_NEXT and pending[:5] != b"HTTP/"[: len(pending)]:
            raise ProtocolError(f"not an HTTP answer: it starts with {bytes(pending[:5])!r}")
        crlf = pending.count(b"\r\n", max(start - 1, 0))
        if pending.count(b"\n", start) != crlf:
            raise ProtocolError("a line of the head ends with a bare LF, not CRLF")
        self._lines += crlf
        self._check_size(len(pending), self._lines)
        return False

    def _check_size(self, size: int, lines: int) -> None:
        if size > MAX_HEAD:
            raise ProtocolError(f"the head is too long: over {MAX_HEAD} bytes")
        if lines > self._max_fields + 1:
            raise ProtocolError(f"the head is too long: more than {self._max_fields} header lines")

    def _head(self, data: bytes, start: int, end: int) -> None:
        """Parse the head in ``data[start:end]`` (its last CRLF included); set the framing."""
        self._lines = 0
        match = _HEAD.fullmatch(data, start, end)
        if match is None:  # invalid, or folded lines (RFC 9112 5.2: a client unfolds them)
            self._check_size(end + 2 - start, data.count(b"\r\n", start, end))
            match = _unfold(data[start:end])
        minor, code, reason, block = match.groups()
        lines = block[:-2].split(b"\r\n") if block else []
        self._check_size(end + 2 - start, len(lines) + 1)
        status = int(code)
        headers: list[tuple[bytes, bytes]] = []
        length: bytes | None = None
        duplicates = chunked = False
        close = minor == b"0" or not self._keep_alive
        for line in lines:
            name, _, value = line.partition(b":")
            value = value.strip(b" \t")
            headers.append((name, value))
            if len(name) in (10, 14, 17):  # a cheap filter for the three below
                lowered = name.lower()
                if lowered == b"content-length":
                    number = _content_length(value)
                    if length is not None and number != length:
                        raise ProtocolError("conflicting Content-Length headers")
                    duplicates = duplicates or length is not None or b"," in value
                    length = number
                elif lowered == b"transfer-encoding":
                    if chunked or value.lower() != b"chunked":
                        raise ProtocolError(f"unsupported Transfer-Encoding {value!r}")
                    chunked = True
                elif lowered == b"connection" and b"close" in _tokens(value):
                    close = True
        if status < 200:
            if status == 101:
                raise ProtocolError("the server switched protocols (101) unasked")
            if status < 100:
                raise ProtocolError(f"invalid status code {code!r}")
            return  # an interim answer (100 Continue, 103 Early Hints): the real one follows
        if duplicates and length is not None:  # as h11: one Content-Length, one number
            headers = _one_length(headers, length)
        self.status = status
        self.http_version = _VERSIONS.get(minor) or b"HTTP/1." + minor
        self.reason = reason or b""
        self.headers = headers
        # RFC 9112 6.1: both is likely an attack; Transfer-Encoding wins, then close.
        self._keep_alive = not (close or (chunked and length is not None))
        if self._no_body or status == 204 or status == 304:
            self._finish()
        elif chunked:
            self._state = _CHUNK_SIZE
        elif length is not None:
            self._remaining = int(length)
            self._state = _LENGTH
            if not self._remaining:
                self._finish()
        else:
            self._keep_alive = False
            self._state = _UNTIL_CLOSE

    def _finish(self) -> None:
        self._state = _DONE
        self.done = True
        self.reusable = self._keep_alive


def _unfold(head: bytes) -> re.Match[bytes]:
    """The head matched once obsolete line folding is undone; else why it is invalid."""
    status_line, _, block = head.partition(b"\r\n")
    if not head.startswith(b"HTTP/"):
        raise ProtocolError(f"not an HTTP answer: it starts with {head[:5]!r}")
    if not _HEAD.fullmatch(status_line + b"\r\n"):
        raise ProtocolError(f"invalid status line {status_line[:80]!r}")
    if block[:1] in (b" ", b"\t"):
        raise ProtocolError("the first header line starts with a space")
    block = _FOLD.sub(b" ", block)
    match = _HEAD.fullmatch(status_line + b"\r\n" + block)
    if match is not None:
        return match
    bad = next(line for line in block.split(b"\r\n") if not _TRAILERS.fullmatch(line + b"\r\n"))
    if b"\n" in bad or b"\r" in bad:
        raise ProtocolError(f"a line of the head ends with a bare LF or CR: {bad[:80]!r}")
    raise ProtocolError(f"invalid header line {bad[:80]!r}")


def _one_length(headers: list[tuple[bytes, bytes]], length: bytes) -> list[tuple[bytes, bytes]]:
    """The headers with only the first Content-Length, its value ``length``."""
    out: list[tuple[bytes, bytes]] = []
    seen = False
    for name, value in headers:
        if name.lower() == b"content-length":
            if seen:
                continue
            seen, value = True, length
        out.append((name, value))
    return out
