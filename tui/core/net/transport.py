"""An HTTP/1.1 transport for httpx: an ``asyncio.Protocol`` per connection, parsed by ``http11``.

It replaces aiohttp (``httpx_aiohttp``), which costs about 100 ms to import and 0.2 ms of
CPU per request, when ``folio refresh`` of 500 unchanged feeds has 0.35 s in all. It keeps
a keep-alive pool keyed by (scheme, host, port) under a total and a per-host limit (idle
connections reused newest first, as the likeliest to be still open; requests over the
limits served first come, first served), returns each response as soon as its head is in,
and streams the body raw (never decompressed), pausing the socket while more than
``_HIGH_WATER`` bytes wait unread. Errors are httpx exceptions with the OS or ssl one as
``__cause__``. HTTP/1.1 and 1.0 only: no proxies, no HTTP/2, no read timeout (the caller
bounds each fetch with ``asyncio.timeout``). ssl is imported, and the SSL context made,
only for the first https connection, to keep importing this module cheap.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Final, cast

import httpx

from tui.core.net import http11

if TYPE_CHECKING:
    import ssl

__all__ = ["CUT_OFF", "NO_ANSWER", "PooledTransport"]

_Key = tuple[str, str, int]
"""(scheme, host, port): the connections that can serve a request."""
_Grant = tuple[bool, "_Connection | None"]
"""(True, an idle connection), (True, None): a slot to open one in, (False, None): wait."""
_Waiter = tuple[int, bool, "asyncio.Future[_Connection | None]"]
"""(arrival number, wants a fresh connection, future) of a request waiting for one."""

_DEFAULT_PORTS: Final = {"http": 80, "https": 443}
_HIGH_WATER: Final = 256 * 1024
"""Unread body bytes at which the socket stops being read."""
_MAX_HEADERS: Final = 100
_RETRYABLE: Final = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
"""Idempotent methods: sending one twice does no harm."""
NO_ANSWER: Final = "the server closed the connection without answering"
CUT_OFF: Final = "the server closed the connection before the end of the body"
_POOL_CLOSED: Final = "the connection pool was closed"


class _Connection(asyncio.Protocol):
    """One connection. What arrives is parsed at once and kept for the task reading it."""

    def __init__(self, key: _Key) -> None:
        self.key = key
        self.pool: PooledTransport | None = None  # set once connected, told of the close
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.requests = 0  # sent on this connection, the current one included
        self._closed_here = False  # by close(), rather than by the server
        self._loop = asyncio.get_running_loop()
        self._waiter: asyncio.Future[None] | None = None
        # The current exchange's: a request went out and its response is not yet released.
        self._parser: http11.ResponseParser | None = None
        self._reset()

    def _reset(self) -> None:
        self._paused = False
        self._got_bytes = False
        self._error: httpx.TransportError | None = None

    # -- asyncio.Protocol ----------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        parser = self._parser
        if parser is None or parser.done:
            # Bytes nobody asked for: an idle connection's "408 Request Timeout" before it
            # hangs up, or junk after an answer. This connection cannot be trusted again.
            self.close()
            return
        self._got_bytes = True
        try:
            parser.feed(data)  # a server speaking something else fails on its first bytes
        except http11.ProtocolError as exc:
            self._fail(httpx.RemoteProtocolError(str(exc)), exc)
            self.close()
            return
        if parser.buffered > _HIGH_WATER and not self._paused and self.transport is not None:
            self._paused = True
            self.transport.pause_reading()
        self._wake_reader()

    def eof_received(self) -> bool | None:
        self._on_eof()
        return None  # asyncio closes the transport, then calls connection_lost

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed:
            if exc is not None:
                self._fail(httpx.ReadError(str(exc) or type(exc).__name__), exc)
            self._on_eof()
        self._mark_closed()

    def _on_eof(self) -> None:
        """The server is done sending: the end of a body read until close, or a cut."""
        parser = self._parser
        if parser is None or parser.done or self._error is not None:
            return
        cause: http11.ProtocolError | None = None
        try:
            parser.receive_eof()
        except http11.ProtocolError as exc:
            cause = exc
        if parser.done:
            self._wake_reader()
            return
        message = CUT_OFF if parser.status else NO_ANSWER
        if not parser.status and self._got_bytes:
            message = "the server closed the connection in the middle of its answer"
        self._fail(httpx.RemoteProtocolError(message), cause)

    def _fail(self, error: httpx.TransportError, cause: BaseException | None) -> None:
        """Record why the current exchange failed; the first reason is the one kept."""
        parser = self._parser
        if parser is not None and not parser.done and self._error is None:
            error.__cause__ = cause
            self._error = error
            self._wake_reader()

    # -- for the pool and the response stream ---------------------------------------------

    @property
    def stale(self) -> bool:
        """The server hung up on a reused connection before any byte of an answer.

        It most likely closed the idle connection as the request went out, and never saw
        the request: sending it again on a new connection is safe.
        """
        return self.requests > 1 and not self._got_bytes and not self._closed_here

    def start(self, request: bytes, method: bytes, keep_alive: bool) -> None:
        """Send a request (from ``http11.write_request``): head and body in one write."""
        self._reset()
        self._parser = http11.ResponseParser(method, keep_alive, _MAX_HEADERS)
        self.requests += 1
        if self.closed or self.transport is None or self.transport.is_closing():
            self._fail(httpx.RemoteProtocolError(NO_ANSWER), None)
        else:
            self.transport.write(request)

    async def response_head(self) -> http11.ResponseParser:
        """The parser, once it has the head of the final answer (status and headers)."""
        parser = self._parser
        assert parser is not None
        while not parser.status:
            if self._error is not None:
                raise self._error
            await self._wait()
        return parser

    async def read(self) -> bytes:
        """The body bytes that arrived since the last call, joined; b"" at the end."""
        parser = self._parser
        assert parser is not None
        while not parser.buffered:
            if self._error is not None:
                raise self._error
            if parser.done:
                return b""
            await self._wait()
        data = parser.take()
        if self._paused and self.transport is not None:
            self._paused = False
            self.transport.resume_reading()
        return data

    def recycle(self) -> bool:
        """Make ready for the next request; False when this connection cannot be reused."""
        parser = self._parser
        if self.closed or parser is None:
            return not self.closed  # an idle one handed out, then given back unused
        # reusable: keep-alive was agreed, and no byte came after the answer.
        ready = parser.done and parser.reusable and self._error is None
        if ready:
            if self._paused and self.transport is not None:  # the unread body was dropped
                self.transport.resume_reading()
            self._parser = None
            self._reset()
        return ready

    def close(self) -> None:
        """Close at once, as nothing still to be sent matters; idempotent."""
        if self.closed:
            return
        self._closed_here = True
        self._fail(httpx.ReadError("the connection was closed before the answer ended"), None)
        self._mark_closed()
        if self.transport is not None:
            self.transport.abort()

    def _mark_closed(self) -> None:
        if not self.closed:
            self.closed = True
            self._wake_reader()
            if self.pool is not None:
                self.pool._forget(self)

    async def _wait(self) -> None:
        self._waiter = self._loop.create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None

    def _wake_reader(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)


class _ResponseStream(httpx.AsyncByteStream):
    """The body as it arrives; closing it gives the connection back to the pool, or closes it."""

    def __init__(self, pool: PooledTransport, connection: _Connection) -> None:
        self._pool = pool
        self._connection: _Connection | None = connection

    def __aiter__(self) -> AsyncIterator[bytes]:
        # An iterator rather than an async generator: a generator abandoned halfway is
        # finalised later by the event loop; this needs no finalising.
        return self

    async def __anext__(self) -> bytes:
        if self._connection is None:
            raise StopAsyncIteration
        try:
            data = await self._connection.read()
        except BaseException:
            # Failed or cancelled mid-body: close now rather than trust a later aclose().
            await self.aclose()
            raise
        if not data:
            raise StopAsyncIteration
        return data

    async def aclose(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            self._pool._release(connection)


class PooledTransport(httpx.AsyncBaseTransport):
    """An httpx transport with a keep-alive connection pool, for HTTP/1.1 over asyncio.

    ``max_connections`` bounds all connections (open, opening or idle), ``max_per_host``
    those to one (scheme, host, port). ``connect_timeout`` covers the TCP connection and
    the TLS handshake; a request's httpx ``timeout`` extension wins when its ``connect`` is
    set. ``ssl_context`` defaults to ``ssl.create_default_context()``, made when the first
    https connection is. Use one transport from one event loop.
    """

    def __init__(
        self,
        *,
        max_connections: int,
        max_per_host: int,
        connect_timeout: float | None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        if max_connections < 1 or max_per_host < 1:
            raise ValueError("max_connections and max_per_host must be at least 1")
        self._max_connections = max_connections
        self._max_per_host = max_per_host
        self._connect_timeout = connect_timeout
        self._ssl_context = ssl_context
        self._idle: dict[_Key, list[_Connection]] = {}  # newest last, taken first
        self._idle_order: dict[_Connection, None] = {}  # oldest first, evicted first
        self._open: dict[_Key, int] = {}  # connections open or opening
        self._total = 0
        self._connections: set[_Connection] = set()
        # Waiters queue per key, so that a release serves its own key without a search.
        self._waiting: dict[_Key, deque[_Waiter]] = {}
        self._arrivals = 0
        self._waking = False
        self._closed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        port = url.port or _DEFAULT_PORTS.get(url.scheme)
        if port is None:
            raise httpx.UnsupportedProtocol(f"only http and https are supported, not {url}")
        key = (url.scheme, url.raw_host.decode("ascii"), port)
        headers = request.headers.raw
        # httpx adds a Host unless the request was built with a stream, and HTTP/1.1 insists
        # on one. Looked for in the list: ``in request.headers`` decodes every field first.
        if not any(name.lower() == b"host" for name, _ in headers):
            headers = [(b"Host", url.netloc), *headers]
        try:
            body = request.content
        except httpx.RequestNotRead:
            body = await request.aread()
        method = request.method.encode()
        try:
            data, keep_alive = http11.write_request(method, url.raw_path, headers, body)
        except http11.InvalidRequest as exc:
            raise httpx.LocalProtocolError(str(exc)) from exc
        timeout = request.extensions.get("timeout", {}).get("connect")
        if timeout is None:
            timeout = self._connect_timeout
        retried = False
        while True:
            connection = await self._checkout(key, timeout, fresh=retried)
            try:
                connection.start(data, method, keep_alive)
                head = await connection.response_head()
            except httpx.TransportError:
                stale = connection.stale
                connection.close()
                if stale and not retried and not self._closed and request.method in _RETRYABLE:
                    retried = True  # once, on a new connection
                    continue
                raise
            except BaseException:  # cancelled: the exchange is in an unknown state
                connection.close()
                raise
            return httpx.Response(
                head.status,
                headers=head.headers,
                stream=_ResponseStream(self, connection),
                extensions={"http_version": head.http_version, "reason_phrase": head.reason},
            )

    async def aclose(self) -> None:
        """Close every connection; requests waiting for one get a ConnectError."""
        self._closed = True
        waiting, self._waiting = self._waiting, {}
        for queue in waiting.values():
            for _, _, future in queue:
                if not future.done():
                    future.set_exception(httpx.ConnectError(_POOL_CLOSED))
        for connection in list(self._connections):
            connection.close()
        # abort() closes each socket in a callback on the next loop turn: let it run, so
        # that a loop closed right after this leaves no unclosed transport behind.
        await asyncio.sleep(0)

    # -- the pool ------------------------------------------------------------------------

    async def _checkout(self, key: _Key, timeout: float | None, fresh: bool) -> _Connection:
        """An idle connection to ``key``, else a new one, else the next one released."""
        if self._closed:
            raise httpx.ConnectError(_POOL_CLOSED)
        granted, connection = self._grant(key, fresh)
        if not granted:
            future: asyncio.Future[_Connection | None] = asyncio.get_running_loop().create_future()
            self._arrivals += 1
            waiter = (self._arrivals, fresh, future)
            self._waiting.setdefault(key, deque()).append(waiter)
            try:
                connection = await future
            except BaseException:
                if not future.done() or future.cancelled() or future.exception() is not None:
                    if waiter in self._waiting.get(key, ()):
                        self._waiting[key].remove(waiter)
                elif (given := future.result()) is not None:  # granted, but cancelled since
                    self._release(given)
                else:
                    self._release_slot(key)
                raise
        if connection is not None:
            return connection
        try:
            return await self._connect(key, timeout)
        except BaseException:
            self._release_slot(key)
            raise

    def _grant(self, key: _Key, fresh: bool) -> _Grant:
        """What ``key`` can have now. ``fresh``: not an idle connection (a retry's).

        Only called when no waiter could be served (``_wake`` sees to it), so taking what
        is free never jumps the queue.
        """
        idle = self._idle.get(key)
        if idle and not fresh:
            connection = idle.pop()
            if not idle:
                del self._idle[key]
            del self._idle_order[connection]
            return True, connection
        if idle:
            self._evict(idle[0])  # the oldest, which the server may have dropped too
        if self._open.get(key, 0) >= self._max_per_host:
            return False, None
        if self._total >= self._max_connections:
            if not self._idle_order:
                return False, None
            self._evict(next(iter(self._idle_order)))  # idle ones must not starve others
        self._open[key] = self._open.get(key, 0) + 1
        self._total += 1
        return True, None

    def _evict(self, connection: _Connection) -> None:
        # The slot freed is taken by the caller at once: no one is to be woken for it.
        waking, self._waking = self._waking, True
        try:
            connection.close()
        finally:
            self._waking = waking

    def _wake(self, key: _Key) -> None:
        """Something of ``key`` was freed: serve its first waiter, else who came first.

        Only when no request for ``key`` waits can one for another host use what was
        freed: a slot under the total limit, or an idle connection to evict.
        """
        if self._waking or not self._waiting:
            return
        self._waking = True
        try:
            if self._serve(key):
                return
            while True:
                first: tuple[int, _Key] | None = None
                for other in list(self._waiting):
                    head = self._head(other)
                    if head is None or (
                        other not in self._idle and self._open.get(other, 0) >= self._max_per_host
                    ):
                        continue  # held back by its own host's limit
                    if first is None or head[0] < first[0]:
                        first = (head[0], other)
                if first is None or not self._serve(first[1]):
                    return
        finally:
            self._waking = False

    def _serve(self, key: _Key) -> bool:
        """Give the first waiter for ``key`` what it can have now; False if nothing."""
        head = self._head(key)
        if head is None:
            return False
        granted, connection = self._grant(key, head[1])
        if granted:
            self._waiting[key].popleft()
            if not self._waiting[key]:
                del self._waiting[key]
            head[2].set_result(connection)
        return granted

    def _head(self, key: _Key) -> _Waiter | None:
        """The first waiter for ``key`` still waiting; cancelled ones are dropped."""
        queue = self._waiting.get(key)
        while queue and queue[0][2].done():
            queue.popleft()
        if queue:
            return queue[0]
        self._waiting.pop(key, None)
        return None

    def _release(self, connection: _Connection) -> None:
        """Its response is done with: keep the connection for the next request, or close it."""
        if self._closed or not connection.recycle():
            connection.close()
            return
        self._idle.setdefault(connection.key, []).append(connection)
        self._idle_order[connection] = None
        self._wake(connection.key)

    def _forget(self, connection: _Connection) -> None:
        """Called once, when a connection of this pool closes (on either side)."""
        self._connections.discard(connection)
        if connection in self._idle_order:
            del self._idle_order[connection]
            self._idle[connection.key].remove(connection)
            if not self._idle[connection.key]:
                del self._idle[connection.key]
        self._release_slot(connection.key)

    def _release_slot(self, key: _Key) -> None:
        if self._open[key] > 1:
            self._open[key] -= 1
        else:
            del self._open[key]
        self._total -= 1
        self._wake(key)

    async def _connect(self, key: _Key, timeout: float | None) -> _Connection:
        """A new connection, in a slot already reserved (which the caller frees on error)."""
        scheme, host, port = key
        tls = self._tls() if scheme == "https" else None
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                _, connection = await loop.create_connection(
                    lambda: _Connection(key),
                    host,
                    port,
                    ssl=tls,
                    server_hostname=host if tls else None,
                )
        except TimeoutError as exc:  # ours, or the system's ETIMEDOUT
            raise httpx.ConnectTimeout(f"timed out connecting to {host} port {port}") from exc
        except OSError as exc:  # refused, unreachable, DNS (gaierror), TLS (ssl.SSLError)
            raise httpx.ConnectError(str(exc) or type(exc).__name__) from exc
        if self._closed:  # aclose() ran meanwhile
            connection.close()
            raise httpx.ConnectError(_POOL_CLOSED)
        self._connections.add(connection)
        connection.pool = self
        if connection.closed:  # lost before it was ours: its slot is ours to free
            self._forget(connection)
        return connection

    def _tls(self) -> ssl.SSLContext:
        if self._ssl_context is None:
            import ssl  # here, not at the top: see the module docstring

            self._ssl_context = ssl.create_default_context()
        return self._ssl_context
