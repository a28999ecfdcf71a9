"""The HTTP layer: requests with limits on connections, time, redirects and size.

Requests are ``httpx.Request`` objects sent to an httpx transport: by default
``httpx_aiohttp.AiohttpTransport`` over aiohttp's connector, which tries a host's next address
when the first does not answer (happy eyeballs) and keeps no cookies; ``HTTP_PROXY``,
``HTTPS_PROXY`` and ``NO_PROXY`` are honoured by ``_ProxyRoutes``, with aiohttp's own functions.
It was chosen by measurement (issue 11, ``bench/transport_bench.py``; 500 conditional GETs, 64
in flight over 50 loopback hosts, 2 cores): 1.08 ms of CPU per request and 0.64 s of loop time,
against 1.79 ms and 1.00 s for httpx's own transport with ``sniffio``, at more import time
(355 against 161 ms here), paid once per process. Any ``httpx.AsyncBaseTransport`` can be passed
instead (the offline demo serves packaged files that way).

Redirects are followed here (counted, checked, loops refused), and bodies are read raw and
inflated here with ``max_length``: httpx would decompress each chunk without a limit (a 16 KB
chunk of a gzip bomb becomes 16 MB at once), so decompression stops as soon as the size passes
``max_body_mb``. Errors come as httpx exceptions with aiohttp's, the OS's or ssl's as their
cause, so they are described from the whole cause chain.

``Fetcher.fetch`` is the feed's conditional GET; ``Fetcher.request`` is the same machinery for
web APIs (any method, query, JSON or form body, extra headers, every answer header returned,
secrets kept out of every message).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import errno
import http
import os
import re
import socket
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import quote

import httpx

from tui import __version__
from tui.core.config import RefreshSettings, Settings
from tui.core.ingest.text import clean_line
from tui.core.models import ParsedFeed, utcnow
from tui.core.refresh.schedule import parse_retry_after

__all__ = [
    "MAX_REDIRECTS",
    "USER_AGENT",
    "Discovered",
    "FetchError",
    "FetchResult",
    "Fetcher",
    "describe_error",
    "discover_feed",
    "fetch_url",
    "parse_retry_after",
]

USER_AGENT = f"folio/{__version__} (+https://github.com/folio-dashboard/folio)"
MAX_REDIRECTS = 10

_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml,"
    " application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, text/html;q=0.5, */*;q=0.1"
)
_HEADERS = {
    "User-Agent": USER_AGENT,
    "Accept": _ACCEPT,
    # Only what _Inflater can undo: asking for br or zstd would get bytes we cannot read.
    "Accept-Encoding": "gzip, deflate",
}
_HEADER_BYTES = tuple((k.encode("ascii"), v.encode("ascii")) for k, v in _HEADERS.items())
_API_HEADER_BYTES = (
    (b"User-Agent", USER_AGENT.encode("ascii")),
    (b"Accept", b"application/json"),
    (b"Accept-Encoding", b"gzip, deflate"),
)
_CREDENTIAL_HEADERS = frozenset({b"authorization", b"proxy-authorization", b"cookie"})
_ERROR_BODY_LIMIT = 64 * 1024
"""Bytes of an API's error answer kept: enough for its explanation, never a whole page."""


class _Call(NamedTuple):
    """How one request differs from a feed's conditional GET."""

    method: str
    body: bytes = b""
    api: bool = False
    """Keep every answer header, and the body of error answers."""


_FEED_GET = _Call("GET")


def _add_validators(headers: list[tuple[bytes, bytes]], etag: str, last_modified: str) -> None:
    etag, last_modified = _validator(etag), _validator(last_modified)
    if etag:
        headers.append((b"If-None-Match", etag.encode("ascii")))
    if last_modified:
        headers.append((b"If-Modified-Since", last_modified.encode("ascii")))


def _redacted(result: FetchResult, secrets: Sequence[str]) -> FetchResult:
    """``result`` with every secret replaced by "•••" in what may be shown or logged."""
    for secret in secrets:
        if not secret:
            continue
        for quoted in {secret, quote(secret, safe=""), quote(secret)}:
            result.error = result.error.replace(quoted, "•••")
            result.url = result.url.replace(quoted, "•••")
            result.final_url = result.final_url.replace(quoted, "•••")
    return result


_NO_BODY = httpx.ByteStream(b"")
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})
_DRAIN_LIMIT = 64 * 1024
"""Bytes of an unused answer (redirect, error) read so its connection can be reused."""
_STEP = 256 * 1024
"""Most bytes one decompression step may produce."""
_MAX_VALIDATOR = 1024
_MAX_MESSAGE = 300


class FetchError(Exception):
    """Nothing usable at an address; ``str()`` says why, in words for the user."""


@dataclass
class FetchResult:
    """One fetch, over all its redirects. ``error`` is empty when it worked."""

    url: str
    """The address asked for."""
    final_url: str = ""
    """The address that answered last, after redirects."""
    status: int | None = None
    """The last HTTP status, None when no answer came."""
    body: bytes = b""
    """The decompressed body of a 2xx answer."""
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""
    error: str = ""
    retry_after: dt.datetime | None = None
    """When a 429/503 answer asked us to come back."""
    moved_to: str = ""
    """Where the address moved, when every redirect on the way was permanent (301/308)."""
    seconds: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    """Every field of the last answer by lower-case name (``Fetcher.request`` only; a feed
    fetch reads just the few it needs)."""

    @property
    def ok(self) -> bool:
        return not self.error and self.status is not None and 200 <= self.status < 300

    @property
    def not_modified(self) -> bool:
        return not self.error and self.status == 304


class _TooLarge(Exception):
    """The decompressed body passed the size limit."""


class _Undecodable(Exception):
    """The body's Content-Encoding could not be undone."""


def _words(value: str) -> str:
    """Untrusted text (hosts, reasons) made safe to show, and short."""
    text = clean_line(value)
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


def _validator(value: str) -> str:
    """A stored ETag/Last-Modified fit to send back; anything odd is dropped, not sent."""
    value = value.strip()
    if not value or len(value) > _MAX_VALIDATOR or not value.isascii() or not value.isprintable():
        return ""
    return value


def _host_key(url: httpx.URL) -> str:
    # Host and port, as the transport keys its per-host limit.
    return f"{url.host}:{url.port or (443 if url.scheme == 'https' else 80)}"


def _target(url: str) -> tuple[httpx.URL | None, str]:
    """``url`` parsed, once; or None and why it cannot be fetched."""
    try:
        target = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError):
        return None, f"not a valid address: {_words(url)}"
    if target.scheme not in ("http", "https"):
        shown = target.scheme or "no scheme"
        return None, f"only http and https addresses can be fetched, not {_words(shown)}"
    if not target.host:
        return None, f"not a valid address (no host): {_words(url)}"
    return target, ""


def _status_words(status: int, reason: str) -> str:
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = _words(reason)
    return f"{status} {phrase}".strip()


def describe_error(exc: BaseException, host: str = "", connect_timeout: float = 0.0) -> str:
    """An exception from a fetch, in words; the cause chain is searched for the real one."""
    import ssl  # only when something failed: importing ssl costs a few ms

    chain: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and seen not in chain and len(chain) < 10:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    where = f" for host {_words(host)}" if host else ""
    after = f" after {connect_timeout:g} s" if connect_timeout else ""
    # aiohttp's own errors first: httpx_aiohttp maps some of them to httpx classes that say
    # less (a server that hangs up becomes a ConnectTimeout), but keeps them as the cause.
    for err in chain:
        name = _aiohttp_name(err)
        if name == "ServerDisconnectedError":
            return NO_ANSWER
        if name in ("ClientPayloadError", "ContentLengthError", "TransferEncodingError"):
            return CUT_OFF
        if name in ("ClientProxyConnectionError", "ClientHttpProxyError"):
            return f"the proxy failed: {_words(_first_line(err))}"
        if name in ("ClientResponseError", "ServerFingerprintMismatch") or name.startswith(
            "BadHttp"
        ):
            return f"the server's answer is not valid HTTP: {_words(_first_line(err))}"
        if name == "TooManyRedirects":
            return f"too many redirects (more than {MAX_REDIRECTS})"
    for err in chain:
        if isinstance(err, socket.gaierror):
            return f"DNS lookup failed{where}"
        if isinstance(err, ssl.SSLCertVerificationError):
            # aiohttp's ClientConnectorCertificateError is one too, without ssl's
            # verify_message: the reason is on the ssl error it carries.
            original = getattr(err, "certificate_error", err)
            reason = getattr(original, "verify_message", "") or str(original)
            return f"certificate not trusted{where}: {_words(str(reason))}"
        if isinstance(err, ssl.SSLError):
            return f"secure connection failed{where}: {_words(str(err))}"
        if isinstance(err, ConnectionRefusedError):
            return "cannot connect: connection refused"
        if isinstance(err, OSError) and not isinstance(err, TimeoutError):
            connecting = any(
                isinstance(e, httpx.ConnectError) or _aiohttp_name(e).startswith("ClientConnector")
                for e in chain
            )
            return f"{'cannot connect' if connecting else 'connection failed'}: {_os_words(err)}"
    for err in chain:
        if isinstance(err, httpx.ConnectTimeout):
            return "cannot connect: timed out" + after
        if isinstance(err, httpx.ConnectError):
            return f"cannot connect: {_words(str(err)) or 'connection failed'}"
        if isinstance(err, httpx.TimeoutException):
            return "timed out"
        if isinstance(err, httpx.ProxyError):
            return f"the proxy failed: {_words(_first_line(err))}"
        if isinstance(err, httpx.ReadError):
            return CUT_OFF
        if isinstance(err, httpx.RemoteProtocolError):
            return f"the server's answer is not valid HTTP: {_words(_first_line(err))}"
        if isinstance(err, httpx.InvalidURL):
            return f"not a valid address: {_words(str(err))}"
        if isinstance(err, httpx.HTTPError):
            return f"request failed: {_words(str(err)) or type(err).__name__}"
    return f"request failed: {type(exc).__name__}: {_words(str(exc))}".rstrip(": ")


NO_ANSWER = "the server closed the connection without answering"
CUT_OFF = "the server closed the connection before the end of the body"


def _aiohttp_name(err: BaseException) -> str:
    """The class name of an aiohttp (or its HTTP parser's) exception; '' for any other.

    By name, so that describing an error never imports aiohttp.
    """
    kind = type(err)
    return kind.__name__ if kind.__module__.startswith(("aiohttp", "httpx_aiohttp")) else ""


def _first_line(err: BaseException) -> str:
    lines = str(err).strip().splitlines()
    return lines[0] if lines else type(err).__name__


_ERRNO_WORDS = {
    errno.ECONNREFUSED: "connection refused",
    errno.ECONNRESET: "connection reset",
    errno.ENETUNREACH: "network unreachable",
    errno.EHOSTUNREACH: "host unreachable",
    errno.ETIMEDOUT: "timed out",
}


_ERRNO_IN_TEXT = re.compile(r"\[Errno (\d+)\]")


def _os_words(err: OSError) -> str:
    if err.errno in _ERRNO_WORDS:
        return _ERRNO_WORDS[err.errno]
    text = str(err)
    if err.errno is None and text.startswith("Multiple exceptions:"):
        # asyncio tried every address of the host (IPv6 and IPv4, say) and joins what each
        # said, addresses and all, into one message: say each distinct reason once.
        reasons = [int(number) for number in _ERRNO_IN_TEXT.findall(text)]
        words = [_ERRNO_WORDS.get(n) or _words(os.strerror(n)) for n in dict.fromkeys(reasons)]
        if words:
            return "; ".join(words)
    return _words(err.strerror or text) or type(err).__name__


class _Inflater:
    """Streaming Content-Encoding decoder that never produces more than ``limit`` bytes."""

    def __init__(self, encoding: str, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.parts: list[bytes] = []
        self.encoding = encoding
        self._obj: zlib._Decompress | None = None
        self._started = False
        self._identity = encoding == ""

    def _new(self) -> zlib._Decompress:
        # 32 + MAX_WBITS reads a gzip or a zlib header, whichever is there.
        if self.encoding == "deflate":
            return zlib.decompressobj(zlib.MAX_WBITS)
        return zlib.decompressobj(32 + zlib.MAX_WBITS)

    def _keep(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise _TooLarge
        self.parts.append(data)

    def feed(self, data: bytes) -> None:
        if not data:
            return
        if not self._started:
            self._started = True
            if self.encoding in ("gzip", "x-gzip") and not data.startswith(b"\x1f\x8b"):
                # A server that labels a plain body gzip: read it as it is, as browsers
                # end up doing, rather than failing the feed.
                self._identity = True
            elif self.encoding == "deflate" and not _zlib_header(data):
                self._obj = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, no header
        if self._identity:
            self._keep(data)
            return
        if self._obj is None:
            self._obj = self._new()
        while data:
            try:
                # max_length bounds each step, so a bomb never expands past the limit + 1,
                # and small steps keep zlib's own output buffer small.
                out = self._obj.decompress(data, min(self.limit - self.size + 1, _STEP))
            except zlib.error as exc:
                raise _Undecodable(str(exc)) from None
            self._keep(out)
            data = self._obj.unconsumed_tail
            if self._obj.eof and self._obj.unused_data:
                # Concatenated gzip members: each is a stream of its own.
                data = self._obj.unused_data
                self._obj = self._new()

    def finish(self) -> bytes:
        if self._obj is not None and not self._obj.eof:
            try:
                self._keep(self._obj.flush())
            except zlib.error as exc:
                raise _Undecodable(str(exc)) from None
        return b"".join(self.parts)


def _zlib_header(data: bytes) -> bool:
    return len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0


_READ_FIELDS = frozenset(
    {
        b"content-encoding",
        b"content-length",
        b"content-type",
        b"etag",
        b"last-modified",
        b"location",
        b"retry-after",
    }
)


def _fields(response: httpx.Response, every: bool = False) -> dict[str, str]:
    """The header fields a fetch reads, by lower-case name, from one pass over the head.

    httpx's ``headers.get`` scans the whole list each time and raises (and catches) a
    KeyError for a missing field: a 304's four lookups cost 12 µs that way, 3 µs this way.
    Repeated fields are joined with ", ", as httpx joins them.
    """
    found: dict[str, str] = {}
    encoding = response.headers.encoding
    for name, value in response.headers.raw:
        lowered = name.lower()
        if every or lowered in _READ_FIELDS:
            key, text = lowered.decode("ascii"), value.decode(encoding)
            found[key] = f"{found[key]}, {text}" if key in found else text
    return found


def _content_encoding(fields: dict[str, str]) -> str | None:
    """The one encoding to undo ('' for none), or None when it is one we cannot undo."""
    value = fields.get("content-encoding", "")
    codings = [c.strip().lower() for c in value.split(",")]
    codings = [c for c in codings if c and c != "identity"]
    if not codings:
        return ""
    if len(codings) == 1 and codings[0] in ("gzip", "x-gzip", "deflate"):
        return codings[0]
    return None


def _settings(settings: RefreshSettings | Settings | None) -> RefreshSettings:
    if settings is None:
        return RefreshSettings()
    return settings.refresh if isinstance(settings, Settings) else settings


def make_transport(
    settings: RefreshSettings | Settings | None = None, resolver: Any = None
) -> httpx.AsyncBaseTransport:
    """folio's HTTP transport: aiohttp's connector under the limits of ``settings``, with
    the proxies the environment names (``HTTP_PROXY``, ``HTTPS_PROXY``, ``NO_PROXY``).

    aiohttp is imported here, not with this module: about 110 ms that a command which never
    fetches (``folio items``) and the app's first frame do not wait for. ``resolver`` is an
    ``aiohttp.abc.AbstractResolver`` (tests give a host several loopback addresses with it).
    """
    import ssl

    import aiohttp
    from httpx_aiohttp import AiohttpTransport

    refresh = _settings(settings)

    def session() -> aiohttp.ClientSession:
        # Made on the first request, inside the event loop that will use it, as aiohttp asks.
        connector = aiohttp.TCPConnector(
            limit=refresh.max_connections,
            limit_per_host=refresh.max_per_host,
            # A host's addresses are tried in turn, the next after 0.25 s without an answer,
            # so a dead first address (broken IPv6, say) costs that, not the connect timeout.
            happy_eyeballs_delay=0.25,
            ttl_dns_cache=300,
            resolver=resolver,
        )
        return aiohttp.ClientSession(
            connector=connector,
            # The environment's proxies are chosen per host by _ProxyRoutes, once: with
            # trust_env, aiohttp looks them up (and reads ~/.netrc) in a thread for every
            # request, 0.6 of the 1.8 ms of CPU a conditional GET cost (bench/transport_bench).
            trust_env=False,
            cookie_jar=aiohttp.DummyCookieJar(),  # a feed fetch keeps and sends no cookies
            auto_decompress=False,
        )

    def transport(proxy: httpx.Proxy | None) -> httpx.AsyncBaseTransport:
        # The transport makes its own TLS context from ``verify`` (loading the system's
        # certificates: 35-40 ms of every ``folio refresh``) for a session it would build;
        # it never builds one, as it is given ``session``, whose connector verifies with
        # aiohttp's default context. The context handed to it trusts nothing, so were it
        # ever used it would refuse every certificate rather than accept any.
        return AiohttpTransport(
            client=session, proxy=proxy, verify=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        )

    return _ProxyRoutes(transport)


class _ProxyRoutes(httpx.AsyncBaseTransport):
    """Sends each request straight, or through the proxy the environment names for its
    scheme, unless ``NO_PROXY`` names its host: as aiohttp's ``trust_env`` does (with its
    own functions), but decided once per scheme and host rather than on every request."""

    def __init__(self, make: Callable[[httpx.Proxy | None], httpx.AsyncBaseTransport]) -> None:
        from aiohttp.helpers import proxies_from_env

        self._make = make
        # Read once: the environment of a running folio does not change.
        self._proxies = dict(proxies_from_env())
        self._routes: dict[tuple[str, str], httpx.AsyncBaseTransport] = {}
        self._transports: dict[str, httpx.AsyncBaseTransport] = {}

    def _route(self, url: httpx.URL) -> httpx.AsyncBaseTransport:
        from urllib.request import proxy_bypass

        info = self._proxies.get(url.scheme)
        proxy: httpx.Proxy | None = None
        if info is not None and not proxy_bypass(url.host):
            auth = info.proxy_auth
            proxy = httpx.Proxy(
                str(info.proxy), auth=(auth.login, auth.password) if auth is not None else None
            )
        key = str(proxy.url) if proxy is not None else ""
        transport = self._transports.get(key)
        if transport is None:
            transport = self._transports[key] = self._make(proxy)
        return transport

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        key = (request.url.scheme, request.url.netloc.decode("ascii"))
        transport = self._routes.get(key)
        if transport is None:
            transport = self._routes[key] = self._route(request.url)
        return await transport.handle_async_request(request)

    async def aclose(self) -> None:
        for transport in self._transports.values():
            await transport.aclose()


class Fetcher:
    """Fetches addresses within the connection, time, redirect and size limits.

    Use it from one event loop; ``aclose()`` (or ``async with``) closes the transport when the
    Fetcher made it.
    """

    def __init__(
        self,
        settings: RefreshSettings | Settings | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = _settings(settings)
        # Requests go straight to the transport, not through an httpx.AsyncClient: the client
        # adds what a feed fetch must not have (cookies kept and sent back, its own redirect
        # and auth handling) and cost about 0.1 ms per request, a quarter of the total, of
        # which cookie extraction alone was 0.06 ms.
        self.transport = transport if transport is not None else make_transport(self.settings)
        self._timeouts = {
            "connect": self.settings.connect_timeout,
            "read": None,
            "write": None,
            "pool": None,
        }
        self.max_body = self.settings.max_body_mb * 1024 * 1024
        # Limits are enforced here as well as in the transport, so that they hold for any
        # transport, and so that waiting for a slot never counts against a source's timeout.
        self._all = asyncio.Semaphore(self.settings.max_connections)
        self._hosts: dict[str, asyncio.Semaphore] = {}

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.transport.aclose()

    def _host_slots(self, host: str) -> asyncio.Semaphore:
        semaphore = self._hosts.get(host)
        if semaphore is None:
            semaphore = self._hosts[host] = asyncio.Semaphore(self.settings.max_per_host)
        return semaphore

    async def fetch(self, url: str, *, etag: str = "", last_modified: str = "") -> FetchResult:
        """GET ``url``, conditionally when validators are given. Never raises (but cancels)."""
        target, error = _target(url)
        if target is None:
            return FetchResult(url=url, final_url=url, error=error)
        # Bytes, as httpx keeps them: 500 requests' headers need no encoding each time.
        headers = list(_HEADER_BYTES)
        _add_validators(headers, etag, last_modified)
        return await self._run(url, target, headers, _FEED_GET)

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str | int] | Sequence[tuple[str, str | int]] | None = None,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        form: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
        etag: str = "",
        last_modified: str = "",
        secrets: Sequence[str] = (),
    ) -> FetchResult:
        """A web API call within the same limits as a feed fetch. Never raises (but cancels).

        Redirects are followed for GET and HEAD only. The body of an error answer is kept
        too (APIs explain themselves there), and every answer header is in ``headers``.
        ``secrets`` (tokens, passwords) are replaced by "•••" wherever the result would
        show them: in ``error``, ``url`` and ``final_url``.
        """
        target, error = _target(url)
        if target is not None and params:
            pairs = params.items() if isinstance(params, Mapping) else params
            query: list[tuple[str, str | int | float | bool | None]] = list(pairs)
            target = target.copy_merge_params(query)
        if target is None:
            return _redacted(FetchResult(url=url, final_url=url, error=error), secrets)
        sent = list(_API_HEADER_BYTES)
        given = {name.lower(): value for name, value in (headers or {}).items()}
        body = b""
        if json is not None:
            import json as json_module

            body = json_module.dumps(json, ensure_ascii=False).encode("utf-8")
            given.setdefault("content-type", "application/json")
        elif form is not None:
            from urllib.parse import urlencode

            body = urlencode(form).encode("ascii")
            given.setdefault("content-type", "application/x-www-form-urlencoded")
        sent = [(name, value) for name, value in sent if name.decode().lower() not in given]
        try:
            sent += [(name.encode("ascii"), value.encode("ascii")) for name, value in given.items()]
        except UnicodeEncodeError:
            result = FetchResult(url=url, final_url=url, error="a request header is not ASCII")
            return _redacted(result, secrets)
        _add_validators(sent, etag, last_modified)
        call = _Call(method.upper(), body, api=True)
        return _redacted(await self._run(url, target, sent, call), secrets)

    async def _run(
        self, url: str, target: httpx.URL, headers: list[tuple[bytes, bytes]], call: _Call
    ) -> FetchResult:
        loop = asyncio.get_running_loop()
        started = loop.time()
        result = FetchResult(url=url, final_url=str(target) if call.api else url)
        deadline = asyncio.timeout(None)
        host = target.host
        try:
            async with deadline:
                await self._follow(target, headers, result, deadline, call)
        except TimeoutError as exc:
            if deadline.expired():
                result.error = f"timed out after {self.settings.timeout:g} s"
            else:
                result.error = describe_error(exc, host, self.settings.connect_timeout)
        except _TooLarge:
            what = "answer" if call.api else "feed"
            result.error = f"{what} is larger than {self.settings.max_body_mb} MB"
        except _Undecodable as exc:
            result.error = f"cannot decompress the body: {_words(str(exc))}"
        except Exception as exc:
            result.error = describe_error(exc, host, self.settings.connect_timeout)
        if result.error and not (call.api and result.status):
            result.body = b""
        result.seconds = loop.time() - started
        return result

    async def _follow(
        self,
        target: httpx.URL,
        headers: list[tuple[bytes, bytes]],
        result: FetchResult,
        deadline: asyncio.Timeout,
        call: _Call,
    ) -> None:
        loop = asyncio.get_running_loop()
        visited = {str(target)}
        permanent = True
        hops = 0
        while True:
            # The timeout runs only while we hold a slot: queueing behind other sources of
            # the same host is not this source being slow.
            when = deadline.when()
            remaining = self.settings.timeout if when is None else when - loop.time()
            deadline.reschedule(None)
            # Host first, then the global slot: a source waiting on a busy host must not
            # hold one of the global slots that other hosts could use.
            async with self._host_slots(_host_key(target)), self._all:
                deadline.reschedule(loop.time() + remaining)
                next_url = await self._one(target, headers, result, call)
            if next_url is None:
                return
            if call.method not in ("GET", "HEAD"):
                # A write is never repeated at another address on the server's say-so.
                result.error = f"server said {result.status} and moved to {_words(str(next_url))}"
                return
            status = result.status or 0
            permanent = permanent and status in _PERMANENT
            hops += 1
            if str(next_url) in visited:
                result.error = f"redirect loop at {_words(str(next_url))}"
                return
            if hops > MAX_REDIRECTS:
                result.error = f"too many redirects (more than {MAX_REDIRECTS})"
                return
            visited.add(str(next_url))
            if (next_url.scheme, _host_key(next_url)) != (target.scheme, _host_key(target)):
                # A token is for the host it was given for: a redirect elsewhere (another
                # host, or https to http) does not carry it there, as browsers and httpx do.
                headers = [(k, v) for k, v in headers if k.lower() not in _CREDENTIAL_HEADERS]
            target = next_url
            result.final_url = str(target)
            result.moved_to = str(target) if permanent else ""

    async def _one(
        self,
        target: httpx.URL,
        headers: list[tuple[bytes, bytes]],
        result: FetchResult,
        call: _Call,
    ) -> httpx.URL | None:
        """One request; returns the next address for a redirect, else fills ``result``."""
        # Our headers go on each request, so no transport can be asked for
        # encodings we do not undo; redirects are always ours to follow.
        # Built with a stream and our own Host: httpx then skips its body encoding and the
        # header pass that adds Host, about 8 of the 60 µs a 304 costs the Fetcher.
        request = httpx.Request(
            call.method,
            target,
            headers=[(b"Host", target.netloc), *headers],
            stream=httpx.ByteStream(call.body) if call.body else _NO_BODY,
            extensions={"timeout": self._timeouts},
        )
        if call.body:
            request.headers["Content-Length"] = str(len(call.body))
        request.read()
        response = await self.transport.handle_async_request(request)
        response.request = request
        try:
            status = response.status_code
            result.status = status
            fields = _fields(response, every=call.api)
            if call.api:
                result.headers = fields
            if status in _REDIRECTS:
                location = fields.get("location", "").strip()
                await self._drain(response, fields)
                if not location:
                    result.error = (
                        f"server said {_status_words(status, response.reason_phrase)}"
                        " but gave no new address"
                    )
                    return None
                try:
                    next_url = target.join(location)
                except (httpx.InvalidURL, ValueError):
                    result.error = f"redirected to an invalid address: {_words(location)}"
                    return None
                if next_url.scheme not in ("http", "https") or not next_url.host:
                    result.error = f"redirected to a non-web address: {_words(str(next_url)[:80])}"
                    return None
                return next_url.copy_with(fragment=None)
            result.content_type = fields.get("content-type", "")
            if status == 304 or 200 <= status < 300:
                result.etag = _validator(fields.get("etag", ""))
                result.last_modified = _validator(fields.get("last-modified", ""))
            if status == 304:
                return None
            if 200 <= status < 300:
                result.body = await self._read(response, fields)
                return None
            if status in (429, 503):
                result.retry_after = parse_retry_after(fields.get("retry-after", ""), utcnow())
            result.error = f"server said {_status_words(status, response.reason_phrase)}"
            if call.api:
                result.body = await self._read(response, fields, limit=_ERROR_BODY_LIMIT)
            else:
                await self._drain(response, fields)
            return None
        finally:
            await response.aclose()

    async def _read(
        self, response: httpx.Response, fields: dict[str, str], limit: int = 0
    ) -> bytes:
        limit = limit or self.max_body
        encoding = _content_encoding(fields)
        if encoding is None:
            raise _Undecodable(
                f"unsupported content encoding {fields.get('content-encoding', '')!r}"
            )
        if not encoding:
            declared = fields.get("content-length", "").strip()
            if declared.isdigit() and int(declared) > limit:
                raise _TooLarge  # no need to download what we would throw away
        try:
            # A transport that built its answer in memory (httpx.Response(content=...), as
            # the offline demo's does) hands it over already read and decoded.
            ready = response.content
        except httpx.ResponseNotRead:
            pass
        else:
            if len(ready) > limit:
                raise _TooLarge
            return ready
        inflater = _Inflater(encoding, limit)
        async for chunk in response.aiter_raw():
            inflater.feed(chunk)
        return inflater.finish()

    @staticmethod
    async def _drain(response: httpx.Response, fields: dict[str, str]) -> None:
        """Read a small unused body so the connection goes back to the pool."""
        if response.is_stream_consumed:
            return  # built in memory (the offline demo's answers): there is nothing to read
        declared = fields.get("content-length", "").strip()
        if not declared.isdigit() or int(declared) > _DRAIN_LIMIT:
            return
        read = 0
        try:
            async for chunk in response.aiter_raw():
                read += len(chunk)
                if read > _DRAIN_LIMIT:
                    return
        except httpx.HTTPError:
            return  # the connection is lost either way; the answer itself was read


async def fetch_url(
    url: str,
    fetcher: Fetcher | None = None,
    settings: RefreshSettings | Settings | None = None,
) -> FetchResult:
    """Fetch ``url`` unconditionally, with ``fetcher`` or a Fetcher of its own."""
    if fetcher is not None:
        return await fetcher.fetch(url)
    async with Fetcher(settings) as own:
        return await own.fetch(url)


def _decode_html(body: bytes, content_type: str) -> str:
    # Only <link> tags are looked for, and they are ASCII: the declared charset or UTF-8 will do.
    charset = "utf-8"
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'")
    try:
        return body.decode(charset, errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


async def _parse(body: bytes, url: str, content_type: str) -> ParsedFeed:
    from tui.core.ingest.parse import parse_feed  # only here: a refresh parses elsewhere

    # A thread, not the loop: a large feed takes the parser a while.
    return await asyncio.to_thread(parse_feed, body, url, content_type)


class Discovered(NamedTuple):
    """A feed found by ``discover_feed``."""

    url: str
    """The feed's address: where a permanent redirect led, if one did."""
    feed: ParsedFeed
    body: bytes
    etag: str = ""
    last_modified: str = ""
    """The answer's validators: kept, they make the first refresh a conditional GET."""


async def discover_feed(
    url: str,
    settings: RefreshSettings | Settings | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Discovered:
    """The feed at ``url``, or the first feed the page at ``url`` advertises.

    Raises FetchError, in words, when there is no feed to be had.
    """
    from tui.core.ingest import discover  # html.parser: only `folio add` needs it

    async with Fetcher(settings, transport) as fetcher:
        page = await fetcher.fetch(url)
        if page.error:
            raise FetchError(f"cannot fetch {_words(url)}: {page.error}")
        if not discover.looks_like_html(page.body, page.content_type):
            feed = await _parse(page.body, page.final_url, page.content_type)
            if feed.items or not feed.error:
                return Discovered(
                    page.moved_to or url, feed, page.body, page.etag, page.last_modified
                )
            raise FetchError(f"{_words(url)} is not a feed: {feed.error}")
        links = discover.find_feed_links(_decode_html(page.body, page.content_type), page.final_url)
        if not links:
            raise FetchError(f"{_words(url)} is a web page that advertises no feed")
        problems: list[str] = []
        for link in links[:5]:  # a page rarely names more, and each costs a request
            found = await fetcher.fetch(link)
            feed = ParsedFeed(error=found.error)
            if not found.error:
                feed = await _parse(found.body, found.final_url, found.content_type)
            if feed.items:
                return Discovered(
                    found.moved_to or link, feed, found.body, found.etag, found.last_modified
                )
            problems.append(f"{_words(link)}: {feed.error or 'no items'}")
        raise FetchError(
            f"{_words(url)} advertises {len(links)} feed(s), but none could be read"
            + (f" ({problems[0]})" if problems else "")
        )
