"""The HTTP/1.1 client codec (tui.core.net.http11), alone and against h11.

Every response is parsed whole, one byte at a time and split at random points: the result
must not depend on how the bytes arrive. The differential tests hold it to h11 (still
installed, as httpcore needs it), less the differences the module means to have:

* a bare LF ending a line of the head is refused (h11 takes it as CRLF);
* the version must be HTTP/1.x (h11 takes any HTTP/d.d);
* a response with both Transfer-Encoding and Content-Length is read as chunked, as by h11,
  but the connection is not reused after it (RFC 9112 section 6.1);
* the Transfer-Encoding value is passed on as sent (h11 lowercases it);
* the limits: 100 header lines and 64 KiB of head (h11: no count, 16 KiB while incomplete).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from itertools import pairwise

import h11
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.core.net.http11 import (
    MAX_HEAD,
    InvalidRequest,
    ProtocolError,
    ResponseParser,
    write_request,
)

Outcome = tuple[object, ...]
HOST = [(b"Host", b"example.org")]


# -- helpers ------------------------------------------------------------------------------


def splits(data: bytes, seed: int) -> list[bytes]:
    """``data`` cut at a few random points (empty pieces included, as they may come)."""
    rng = random.Random(seed)
    cuts = sorted(rng.randrange(len(data) + 1) for _ in range(rng.randrange(1, 6)))
    bounds = [0, *cuts, len(data)]
    return [data[a:b] for a, b in pairwise(bounds)]


def ways(data: bytes) -> Iterator[list[bytes]]:
    """Whole, one byte at a time, and five random splits."""
    yield [data]
    yield [data[i : i + 1] for i in range(len(data))]
    for seed in range(5):
        yield splits(data, seed)


def ours(
    pieces: list[bytes], method: bytes = b"GET", keep_alive: bool = True, eof: bool = False
) -> Outcome:
    parser = ResponseParser(method, keep_alive)
    body = b""
    try:
        for piece in pieces:
            parser.feed(piece)
            assert parser.buffered == sum(len(p) for p in parser._body)
            taken = parser.take()
            assert type(taken) is bytes and parser.buffered == 0
            body += taken
        if eof:
            parser.receive_eof()
    except ProtocolError as exc:
        assert str(exc)  # a message in words
        return ("error",)
    if not parser.done:
        return ("incomplete",)
    return (
        parser.status,
        parser.reason,
        parser.http_version,
        parser.headers,
        body,
        parser.reusable,
    )


def theirs(
    pieces: list[bytes], method: bytes = b"GET", keep_alive: bool = True, eof: bool = False
) -> Outcome:
    """The same through h11, as the transport used it."""
    conn = h11.Connection(h11.CLIENT)
    headers = HOST + ([] if keep_alive else [(b"Connection", b"close")])
    conn.send(h11.Request(method=method, target=b"/", headers=headers))
    conn.send(h11.EndOfMessage())
    head: h11.Response | None = None
    body = b""
    done = extra = False
    try:
        for piece in [*filter(None, pieces), *([b""] if eof else [])]:  # b"" is EOF to h11
            if done:  # the transport asks h11 for no more events: a byte more closes
                extra = extra or bool(piece)
                continue
            conn.receive_data(piece)
            while not done:
                event = conn.next_event()
                if isinstance(event, h11.Response):
                    head = event
                elif isinstance(event, h11.Data):
                    body += event.data
                elif isinstance(event, h11.EndOfMessage):
                    done = True
                elif not isinstance(event, h11.InformationalResponse):
                    break
    except h11.RemoteProtocolError:
        return ("error",)
    if head is None or not done:
        return ("incomplete",)
    reusable = (
        conn.our_state is h11.DONE
        and conn.their_state is h11.DONE
        and not conn.trailing_data[0]
        and not extra
    )
    return (
        head.status_code,
        head.reason,
        b"HTTP/" + head.http_version,
        head.headers.raw_items(),
        body,
        reusable,
    )


def parse(data: bytes, method: bytes = b"GET", eof: bool = False) -> Outcome:
    """Parsed every way; the outcome, the same for all."""
    outcomes = {repr(ours(pieces, method, eof=eof)) for pieces in ways(data)}
    assert len(outcomes) == 1, outcomes
    return ours([data], method, eof=eof)


def error(data: bytes, method: bytes = b"GET", eof: bool = False) -> str:
    """The message the whole ``data`` fails with; every other way must fail too."""
    for pieces in ways(data):
        assert ours(pieces, method, eof=eof) == ("error",), pieces
    parser = ResponseParser(method)
    with pytest.raises(ProtocolError) as caught:
        parser.feed(data)
        if eof:
            parser.receive_eof()
    return str(caught.value)


def chunked(*chunks: bytes, ext: bytes = b"", trailers: bytes = b"") -> bytes:
    body = b"".join(b"%x%s\r\n%s\r\n" % (len(c), ext, c) for c in chunks)
    return body + b"0" + ext + b"\r\n" + trailers + b"\r\n"


# -- writing requests ---------------------------------------------------------------------


def test_a_get_request() -> None:
    data, keep_alive = write_request(b"GET", b"/feed?a=1&b", [*HOST, (b"Accept", b"*/*")])
    assert data == b"GET /feed?a=1&b HTTP/1.1\r\nHost: example.org\r\nAccept: */*\r\n\r\n"
    assert keep_alive


def test_a_body_gets_its_content_length() -> None:
    data, _ = write_request(b"POST", b"/", HOST, b"hello")
    assert data == b"POST / HTTP/1.1\r\nHost: example.org\r\nContent-Length: 5\r\n\r\nhello"
    given, _ = write_request(b"POST", b"/", [*HOST, (b"content-length", b"5")], b"hello")
    assert given == b"POST / HTTP/1.1\r\nHost: example.org\r\ncontent-length: 5\r\n\r\nhello"
    with pytest.raises(InvalidRequest, match="Content-Length is 4 but the body has 5"):
        write_request(b"POST", b"/", [*HOST, (b"Content-Length", b"4")], b"hello")
    with pytest.raises(InvalidRequest, match="Content-Length"):
        write_request(b"POST", b"/", [*HOST, (b"Content-Length", b"-5")], b"hello")


def test_a_chunked_body_is_sent_chunked() -> None:
    headers = [*HOST, (b"Transfer-Encoding", b"chunked")]
    data, _ = write_request(b"POST", b"/", headers, b"x" * 26)
    assert data.endswith(b"Transfer-Encoding: chunked\r\n\r\n1a\r\n" + b"x" * 26 + b"\r\n0\r\n\r\n")
    empty, _ = write_request(b"POST", b"/", headers)
    assert empty.endswith(b"chunked\r\n\r\n0\r\n\r\n")
    with pytest.raises(InvalidRequest, match="Transfer-Encoding"):
        write_request(b"POST", b"/", [*HOST, (b"Transfer-Encoding", b"gzip")], b"x")


def test_connection_close_in_the_request_ends_keep_alive() -> None:
    _, keep_alive = write_request(b"GET", b"/", [*HOST, (b"Connection", b"Upgrade, Close")])
    assert not keep_alive
    response = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
    parser = ResponseParser(b"GET", keep_alive)
    parser.feed(response)
    assert parser.done and not parser.reusable


@pytest.mark.parametrize(
    ("method", "target", "headers", "message"),
    [
        (b"GET / HTTP/1.1\r\nX: y\r\n\r\nGET", b"/", HOST, "method"),
        (b"G\x00T", b"/", HOST, "method"),
        (b"", b"/", HOST, "method"),
        (b"CONNECT", b"example.org:443", HOST, "method"),
        (b"GET", b"/a\r\nX-Injected: 1", HOST, "target"),
        (b"GET", b"/a b", HOST, "target"),
        (b"GET", b"/a\nb", HOST, "target"),
        (b"GET", b"/\x00", HOST, "target"),
        (b"GET", b"/\xff", HOST, "target"),
        (b"GET", b"", HOST, "target"),
        (b"GET", b"/", [*HOST, (b"X-A\r\nX-B", b"1")], "name"),
        (b"GET", b"/", [*HOST, (b"X-A: 1\r\nX-B", b"1")], "name"),
        (b"GET", b"/", [*HOST, (b"X A", b"1")], "name"),
        (b"GET", b"/", [*HOST, (b"X:A", b"1")], "name"),
        (b"GET", b"/", [*HOST, (b"", b"1")], "name"),
        (b"GET", b"/", [*HOST, (b"X\x00", b"1")], "name"),
        (b"GET", b"/", [*HOST, (b"X-A", b"1\r\nX-Injected: 1")], "control"),
        (b"GET", b"/", [*HOST, (b"X-A", b"1\nX-Injected: 1")], "control"),
        (b"GET", b"/", [*HOST, (b"X-A", b"1\r")], "control"),
        (b"GET", b"/", [*HOST, (b"X-A", b"\x00")], "control"),
        (b"GET", b"/", [*HOST, (b"X-A", b"\x7f")], "control"),
        (b"GET", b"/", [(b"Host", b"a\r\n\r\nGET /evil HTTP/1.1")], "control"),
        (b"GET", b"/", [], "Host"),
        (b"GET", b"/", [*HOST, *HOST], "Host"),
    ],
)
def test_injection_is_refused(
    method: bytes, target: bytes, headers: list[tuple[bytes, bytes]], message: str
) -> None:
    with pytest.raises(InvalidRequest, match=message):
        write_request(method, target, headers)


def test_tabs_and_high_bytes_are_fine_in_values() -> None:
    data, _ = write_request(b"GET", b"/", [*HOST, (b"X-A", b"a\tb \xe9")])
    assert b"\r\nX-A: a\tb \xe9\r\n\r\n" in data


# -- reading responses: framing ---------------------------------------------------------------


def test_content_length() -> None:
    data = b"HTTP/1.1 200 OK\r\nX-Thing:  yes \t\r\ncontent-LENGTH: 5\r\n\r\nhello"
    assert parse(data) == (
        200,
        b"OK",
        b"HTTP/1.1",
        [(b"X-Thing", b"yes"), (b"content-LENGTH", b"5")],
        b"hello",
        True,
    )


def test_content_length_zero_and_empty_reason() -> None:
    for status_line in (b"HTTP/1.1 200 ", b"HTTP/1.1 200"):
        assert parse(status_line + b"\r\nContent-Length: 0\r\n\r\n") == (
            200,
            b"",
            b"HTTP/1.1",
            [(b"Content-Length", b"0")],
            b"",
            True,
        )


def test_a_large_body_arrives_in_pieces_without_copies() -> None:
    body = bytes(range(256)) * 1000
    parser = ResponseParser(b"GET")
    parser.feed(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body[:1000])
    assert parser.buffered == 1000 and not parser.done
    middle = body[1000:-10]
    parser.feed(middle)
    assert parser._body[-1] is middle  # a whole chunk of body is kept as it came
    parser.feed(body[-10:])
    assert parser.done and parser.reusable and parser.take() == body


def test_chunked_with_extensions_and_trailers() -> None:
    body = chunked(b"first ", b"x" * 300, b" last", ext=b';name="va;lue"; x', trailers=b"")
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    result = parse(head + body)
    assert result[4] == b"first " + b"x" * 300 + b" last" and result[5] is True
    with_trailers = chunked(b"abc", trailers=b"X-Sum: 1\r\nX-Other:\t2 \r\n")
    assert parse(head + with_trailers)[4:] == (b"abc", True)
    assert parse(head + b"0\r\n\r\n")[4:] == (b"", True)
    upper = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\nA\r\n0123456789\r\n0 \t\r\n\r\n"
    assert parse(upper)[4:] == (b"0123456789", True)


@pytest.mark.parametrize(
    "body",
    [
        b"x\r\nabc\r\n0\r\n\r\n",  # not hex
        b"\r\nabc\r\n0\r\n\r\n",  # no size
        b"-3\r\nabc\r\n0\r\n\r\n",
        b"+3\r\nabc\r\n0\r\n\r\n",
        b"0x3\r\nabc\r\n0\r\n\r\n",
        b" 3\r\nabc\r\n0\r\n\r\n",
        b"3 ;x\r\nabc\r\n0\r\n\r\n",  # h11 takes white space after the size, not before ";"
        b"1" * 21 + b"\r\nabc",  # more than 20 digits
        b"3\r\nabcd\r\n0\r\n\r\n",  # the chunk is longer than its size
        b"3\r\nabc0\r\n\r\n",  # no CRLF after the data
        b"3\r\nabc\r\n0\r\nX-Bad trailer: 1\r\n\r\n",
        b"3\r\nabc\r\n0\r\n\x00: 1\r\n\r\n",
    ],
)
def test_bad_chunks(body: bytes) -> None:
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    assert "chunk" in error(head + body) or "trailer" in error(head + body)


def test_a_chunk_size_line_is_bounded() -> None:
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    assert "too long" in error(head + b"5;" + b"e" * 5000)


def test_until_close() -> None:
    data = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nno length given"
    assert parse(data) == ("incomplete",)
    assert parse(data, eof=True)[4:] == (b"no length given", False)
    assert parse(b"HTTP/1.0 200 OK\r\n\r\n", eof=True)[4:] == (b"", False)


@pytest.mark.parametrize(
    ("status", "method"),
    [(b"204 No Content", b"GET"), (b"304 Not Modified", b"GET"), (b"200 OK", b"HEAD")],
)
def test_no_body_for_204_304_and_head(status: bytes, method: bytes) -> None:
    for framing in (b"Content-Length: 1000\r\n", b"Transfer-Encoding: chunked\r\n", b""):
        data = b"HTTP/1.1 " + status + b'\r\nETag: "v1"\r\n' + framing + b"\r\n"
        result = parse(data, method)
        assert result[0] == int(status[:3]) and result[4:] == (b"", True)
        assert ours([data + b"x"], method)[5] is False  # a byte after the end


def test_interim_answers_are_skipped() -> None:
    data = (
        b"HTTP/1.1 100 Continue\r\n\r\n"
        b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal"
    )
    assert parse(data) == (200, b"OK", b"HTTP/1.1", [(b"Content-Length", b"5")], b"final", True)
    assert "101" in error(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n")
    interim_only = b"HTTP/1.1 100 Continue\r\n\r\n"
    assert parse(interim_only) == ("incomplete",)
    parser = ResponseParser(b"GET")
    parser.feed(interim_only)
    assert parser.status == 0


# -- reading responses: keep-alive ------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "reusable"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n", True),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n", False),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: Keep-Alive, CLOSE\r\n", False),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n", True),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Connection: close\r\n", True),
        (b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n", False),
        (b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n", False),
        (b"HTTP/1.9 200 OK\r\nContent-Length: 2\r\n", True),  # a later 1.x reads as 1.1
    ],
)
def test_keep_alive(head: bytes, reusable: bool) -> None:
    result = parse(head + b"\r\nok")
    assert result[4:] == (b"ok", reusable)
    assert result[2] == head[:8]


def test_bytes_after_the_answer_forbid_reuse() -> None:
    data = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    assert ours([data + b"HTTP/1.1 200 OK\r\n"])[4:] == (b"ok", False)
    assert ours([data, b"junk"])[4:] == (b"ok", False)
    assert ours([data[:-1], b"k?"])[4:] == (b"ok", False)
    end = chunked(b"ok")
    chunk = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + end
    assert ours([chunk + b"\r\n"])[4:] == (b"ok", False)
    assert ours([chunk, b""])[4:] == (b"ok", True)  # nothing is not junk


def test_both_transfer_encoding_and_content_length() -> None:
    data = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
    assert parse(data + chunked(b"abcdef"))[4:] == (b"abcdef", False)  # chunked, then close


# -- reading responses: invalid ones --------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"hello there\r\n\r\n", "not an HTTP answer"),
        (b"SSH-2.0-OpenSSH_9.6\r\n", "not an HTTP answer"),  # and then nothing
        (b"\r\nHTTP/1.1 200 OK\r\n\r\n", "not an HTTP answer"),
        (b"HTTP/1.1 2OO OK\r\n\r\n", "status line"),
        (b"HTTP/1.1 200OK\r\n\r\n", "status line"),
        (b"HTTP/1.1  200 OK\r\n\r\n", "status line"),
        (b"HTTP/2.0 200 OK\r\n\r\n", "status line"),
        (b"HTTP/1.1 099 Low\r\n\r\n", "status code"),
        (b"HTTP/1.1 200 O\x00K\r\n\r\n", "status line"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", "Content-Length"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n", "Content-Length"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "Content-Length"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 1" + b"0" * 20 + b"\r\n\r\n", "Content-Length"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n", "conflicting"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", "conflicting"),
        (b"HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", "conf"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", "Transfer-Encoding"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\n\r\n", "Transfer-Encoding"),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
            "Transfer-Encoding",
        ),
        (b"HTTP/1.1 200 OK\r\nX-A : b\r\n\r\n", "header line"),
        (b"HTTP/1.1 200 OK\r\nNo colon\r\n\r\n", "header line"),
        (b"HTTP/1.1 200 OK\r\n: no name\r\n\r\n", "header line"),
        (b"HTTP/1.1 200 OK\r\nX@Y: 1\r\n\r\n", "header line"),
        (b"HTTP/1.1 200 OK\r\nX-A: a\x00b\r\n\r\n", "header line"),
        (b"HTTP/1.1 200 OK\r\nX-A: a\x0bb\r\n\r\n", "header line"),
        (b"HTTP/1.1 200 OK\r\nX-A: a\rb\r\n\r\n", "bare"),
        (b"HTTP/1.1 200 OK\r\n folded: 1\r\n\r\n", "starts with a space"),
        (b"HTTP/1.1 200 OK\nContent-Length: 0\n\n", "bare LF"),  # and then nothing
        (b"HTTP/1.1 200 OK\r\nContent-Length: 0\n\n", "bare LF"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\n", "bare LF"),
    ],
)
def test_invalid_answers(data: bytes, message: str) -> None:
    assert message in error(data)


def test_obsolete_line_folding_is_undone() -> None:
    data = b"HTTP/1.1 200 OK\r\nX-Long: one\r\n  two\r\n\tthree \r\nContent-Length: 0\r\n\r\n"
    assert parse(data)[3] == [(b"X-Long", b"one two three"), (b"Content-Length", b"0")]


def test_repeated_content_lengths_become_one_as_in_h11() -> None:
    data = b"HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\nX: y\r\nContent-Length: 2\r\n\r\nok"
    assert parse(data)[3:] == ([(b"Content-Length", b"2"), (b"X", b"y")], b"ok", True)


def test_limits() -> None:
    start = b"HTTP/1.1 200 OK\r\n"
    assert "more than 100 header" in error(start + b"X-A: b\r\n" * 101 + b"\r\n")
    assert parse(start + b"X-A: b\r\n" * 100 + b"\r\n", eof=True)[4] == b""
    # Incomplete: refused without waiting for the rest.
    assert "too long" in error(start + b"X-A: b\r\n" * 5000)
    assert "too long" in error(start + b"X-A: " + b"b" * MAX_HEAD)
    assert "too long" in error(start + b"X-A: " + b"b" * MAX_HEAD + b"\r\n\r\n")
    fits = start + b"X-A: " + b"b" * (MAX_HEAD - len(start) - 9) + b"\r\n\r\n"
    assert len(fits) == MAX_HEAD and parse(fits + b"body", eof=True)[4] == b"body"
    with pytest.raises(ProtocolError, match="more than 3 header"):
        ResponseParser(b"GET", max_fields=3).feed(start + b"A: 1\r\n" * 4)


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (b"", "before any answer"),
        (b"HTTP/1.1 200 OK\r\nContent-Le", "middle of the head"),
        (b"HTTP/1.1 100 Continue\r\n\r\n", "middle of the head"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", "7 bytes before the end"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nab", "chunked"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n", "chunked"),
    ],
)
def test_eof_too_early(data: bytes, where: str) -> None:
    parser = ResponseParser(b"GET")
    parser.feed(data)
    with pytest.raises(ProtocolError, match=where):
        parser.receive_eof()
    assert not parser.done


def test_eof_after_the_end_is_fine() -> None:
    parser = ResponseParser(b"GET")
    parser.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    parser.receive_eof()
    assert parser.done and parser.take() == b"ok"


# -- against h11 ----------------------------------------------------------------------------

TABLE = [
    b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
    b"HTTP/1.1 404 Not Found\r\nServer: x\r\nContent-Length: 0\r\n\r\n",
    b'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\nContent-Length: 999\r\n\r\n',
    b"HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(b"a", b"bc" * 40),
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(b"a", ext=b";x=1"),
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(b"a", trailers=b"T: 1\r\n"),
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + b"a" * 21 + b"\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(b"a", trailers=b" T: 1\r\n"),
    b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\nuntil the end",
    b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.1 200 OK\r\n\r\nuntil the end",
    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA",
    b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n!",
    b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\n\r\nabc",
    b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabc",
    b"HTTP/1.1 200 OK\r\nContent-Length: 03\r\nContent-Length: 3\r\n\r\nabc",
    b"HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nX-A:   spaced   value  \r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nX-A: one\r\n two\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\n continued: 1\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nX-A : 1\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nX-A: \x01\x7f\x80\xff\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nX-A: a\x00\r\n\r\n",
    b"HTTP/1.1 200  two spaces\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 999 Odd\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 20 Short\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
    b"ICY 200 OK\r\n\r\n",
]


@pytest.mark.parametrize("data", TABLE)
@pytest.mark.parametrize("method", [b"GET", b"HEAD"])
@pytest.mark.parametrize("eof", [False, True])
def test_same_as_h11(data: bytes, method: bytes, eof: bool) -> None:
    for pieces in ways(data):
        compare(pieces, method, True, eof)


DIFFERENT = [  # what h11 reads and this module refuses, on purpose
    b"HTTP/1.1 200 OK\nContent-Length: 2\n\nok",
    b"HTTP/1.1 200 OK\r\nContent-Length: 2\n\r\nok",
    b"HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/0.9 200 OK\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.1 200 OK\r\n" + b"X: 1\r\n" * 101 + b"Content-Length: 2\r\n\r\nok",
]


@pytest.mark.parametrize("data", DIFFERENT)
def test_deliberately_stricter_than_h11(data: bytes) -> None:
    assert theirs([data])[4] == b"ok"
    assert ours([data]) == ("error",)


def compare(pieces: list[bytes], method: bytes, keep_alive: bool, eof: bool) -> None:
    expected = theirs(pieces, method, keep_alive, eof)
    got = ours(pieces, method, keep_alive, eof)
    if expected in (("error",), ("incomplete",)):
        # h11 waiting for more may be this module refusing already (it looks earlier).
        assert got == expected or (expected == ("incomplete",) and got == ("error",))
        return
    assert len(got) == 6, (got, expected)
    status, reason, version, headers, body, reusable = got
    assert isinstance(headers, list)
    headers = [(n, v.lower() if n.lower() == b"transfer-encoding" else v) for n, v in headers]
    names = {n.lower() for n, _ in headers}
    if {b"transfer-encoding", b"content-length"} <= names:
        assert reusable is False
        expected = (*expected[:5], False)
    framed = names & {b"transfer-encoding", b"content-length"}
    if not framed and method == b"GET" and status not in (204, 304):
        expected = (*expected[:5], False)  # read until close: h11 says DONE, as if reusable
    assert (status, reason, version, headers, body, reusable) == expected


GOOD_VALUES = [b"", b"1", b"abc", b" padded\t", b"a\tb", b"\x01\x80\xff", b"x" * 30, b"a, b"]
VALUES = st.one_of(
    st.sampled_from(GOOD_VALUES),
    st.sampled_from([b"5", b"5, 5", b"3", b"close", b"keep-alive", b"Keep-Alive, Close",
                     b"chunked", b"CHUNKED", b"gzip", b"a\x00b", b"a\x0bb"]),
)  # fmt: skip
GOOD_NAMES = [b"Server", b"ETag", b"x-a", b"!#$%&'*+.^_`|~"]
SPECIAL_NAMES = [b"Connection", b"Content-Length", b"Transfer-Encoding", b"content-length"]
BAD_NAMES = [b"X A", b"X@A", b" X", b""]
NAMES = st.sampled_from(
    [(name, GOOD_VALUES) for name in GOOD_NAMES] * 6
    + [(name, []) for name in SPECIAL_NAMES * 2 + BAD_NAMES]
)


@st.composite
def field(draw: st.DrawFn) -> tuple[bytes, bytes]:
    """A header field: a plain name with a plain value, or a tricky name or value."""
    name, values = draw(NAMES)
    return name, draw(st.sampled_from(values) if values else VALUES)


def fields(max_size: int = 3) -> st.SearchStrategy[list[tuple[bytes, bytes]]]:
    return st.lists(field(), max_size=max_size)


@st.composite
def responses(draw: st.DrawFn) -> bytes:
    """A response, valid or not, built from pieces that h11 and this module may disagree on."""
    out = b""
    for _ in range(draw(st.integers(0, 2))):
        out += b"HTTP/1.1 1%02d Interim\r\n" % draw(st.sampled_from([0, 3, 0, 3, 0, 3, 1, 99]))
        out += b"".join(b"%s: %s\r\n" % f for f in draw(fields()))
        out += b"\r\n"
    version = draw(st.sampled_from([b"1.1", b"1.1", b"1.0"]))
    status = draw(st.sampled_from([b"200", b"200", b"204", b"304", b"404", b"999", b"20x"]))
    reason = draw(st.sampled_from([b" OK", b"", b" ", b" Not  Found\t", b" \x80\x01"]))
    out += b"HTTP/" + version + b" " + status + reason + b"\r\n"
    final = draw(fields(max_size=6))
    body = draw(st.binary(max_size=40))
    framing = draw(st.sampled_from(["length", "chunked", "none", "chunked+length"]))
    if "length" in framing:
        final.append((b"Content-Length", b"%d" % len(body)))
    if "chunked" in framing:
        final.append((b"Transfer-Encoding", b"chunked"))
    final = draw(st.permutations(final))
    out += b"".join(b"%s: %s\r\n" % f for f in final) + b"\r\n"
    if "chunked" in framing:
        cut = draw(st.integers(0, len(body)))
        parts = [part for part in (body[:cut], body[cut:]) if part]
        ext = draw(st.sampled_from([b"", b";a=b", b"; a", b" \t", b";x\r"]))
        trailers = draw(st.sampled_from([b"", b"T: 1\r\n", b"T:\r\n U: 2\r\n", b"Bad T: 1\r\n"]))
        body = chunked(*parts, ext=ext, trailers=trailers)
    return out + body + draw(st.sampled_from([b"", b"", b"HTTP/1.1 200 OK\r\n", b"\r\n"]))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=responses(),
    cuts=st.lists(st.integers(0, 400), max_size=4),
    method=st.sampled_from([b"GET", b"HEAD"]),
    keep_alive=st.booleans(),
    eof=st.booleans(),
)
def test_same_as_h11_generated(
    data: bytes, cuts: list[int], method: bytes, keep_alive: bool, eof: bool
) -> None:
    bounds = [0, *sorted(min(cut, len(data)) for cut in cuts), len(data)]
    pieces = [data[a:b] for a, b in pairwise(bounds)]
    compare(pieces, method, keep_alive, eof)
