"""The offline demo portfolio: where it lives, how its dates stay fresh, and how it is served.

The demo ships as static files in ``config/demo/``: ``portfolio.toml`` plus one feed template per
source under ``feeds/``, listed in ``feeds/index.toml``, all written by ``tools/demo/``
(``python -m tools.demo``), which does not ship. Nothing here touches the network:
:class:`DemoTransport` answers every demo URL from those files, so a newcomer without a connection
sees a full dashboard at once.

Two kinds of date keep the demo looking current:

* Feed templates hold placeholders such as ``{{date:-3d4h}}`` (three days and four hours ago).
  :func:`render_feed` replaces them with real dates in the format the feed needs.
* ``portfolio.toml`` holds ordinary TOML dates written relative to :data:`ANCHOR_DATE`;
  :func:`demo_portfolio_text` shifts them all by ``today - ANCHOR_DATE``.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import functools
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import httpx
import tomli

import tui

ANCHOR_DATE = dt.date(2026, 11, 25)
"""The day the demo portfolio's dates were written against."""

FORMATS: dict[str, str] = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "rdf": "application/rdf+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}
"""Feed formats a template may have, with the Content-Type served when the index names none."""

_PLACEHOLDER = re.compile(r"\{\{date:([^{}]*)\}\}")
# An offset is a sign followed by one or more number+unit parts, e.g. "-2w", "+5d", "-3d4h30m".
_OFFSET = re.compile(r"([+-])((?:\d+[wdhm])+)")
_OFFSET_PART = re.compile(r"(\d+)([wdhm])")
_UNIT_MINUTES = {"w": 7 * 24 * 60, "d": 24 * 60, "h": 60, "m": 1}
# A calendar date on its own, not part of a longer run of digits or a datetime's time part.
_ISO_DATE = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])")


def demo_dir() -> Path:
    """The shipped demo folder, in a wheel install or in a source checkout."""
    package = Path(tui.__file__).resolve().parent
    # The wheel force-includes the repository's config/ folder as tui/_config.
    installed = package / "_config" / "demo"
    if installed.is_dir():
        return installed
    return package.parent / "config" / "demo"


def shift_dates(text: str, days: int) -> str:
    """Move every ``YYYY-MM-DD`` date in ``text`` by ``days``; strings that are not dates stay."""
    if days == 0:
        return text
    delta = dt.timedelta(days=days)

    def shift(match: re.Match[str]) -> str:
        try:
            day = dt.date.fromisoformat(match.group(0))
        except ValueError:
            return match.group(0)
        return (day + delta).isoformat()

    return _ISO_DATE.sub(shift, text)


def demo_portfolio_text(today: dt.date, folder: Path | None = None) -> str:
    """The demo ``portfolio.toml``, with every date shifted by ``today - ANCHOR_DATE``."""
    text = ((folder or demo_dir()) / "portfolio.toml").read_text(encoding="utf-8")
    return shift_dates(text, (today - ANCHOR_DATE).days)


def parse_offset(spec: str) -> dt.timedelta:
    """``"-3d4h"`` -> minus 3 days 4 hours; ``"now"`` -> zero. ValueError for anything else."""
    spec = spec.strip()
    if spec == "now":
        return dt.timedelta()
    match = _OFFSET.fullmatch(spec)
    if match is None:
        raise ValueError(f"bad date placeholder offset {spec!r}; expected e.g. -3d4h, +5d, now")
    minutes = sum(int(n) * _UNIT_MINUTES[unit] for n, unit in _OFFSET_PART.findall(match[2]))
    return dt.timedelta(minutes=-minutes if match[1] == "-" else minutes)


def format_date(moment: dt.datetime, fmt: str) -> str:
    """``moment`` as RSS wants it (RFC 822) or as Atom, RDF and JSON Feed want it (RFC 3339)."""
    moment = moment.astimezone(dt.UTC)
    if fmt == "rss":
        return email.utils.format_datetime(moment, usegmt=True)
    if fmt in FORMATS:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    raise ValueError(f"unknown feed format {fmt!r}; expected one of {', '.join(FORMATS)}")


def _to_minute(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        # A naive time is taken as UTC, like everything else in the engine.
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).replace(second=0, microsecond=0)


def render_feed(template: str, now: dt.datetime, fmt: str) -> str:
    """Replace every ``{{date:OFFSET}}`` in ``template`` with ``now + OFFSET`` in ``fmt``'s format.

    ``now`` is truncated to the minute, so renders within the same minute are byte-identical.
    A malformed placeholder raises ValueError rather than shipping a literal ``{{...}}``.
    """
    base = _to_minute(now)
    format_date(base, fmt)  # Validate fmt even when the template has no placeholders.
    return _PLACEHOLDER.sub(lambda m: format_date(base + parse_offset(m[1]), fmt), template)


@functools.cache
def process_now() -> dt.datetime:
    """One "now" per process, to the minute: the demo's feeds stay identical within a session."""
    return _to_minute(dt.datetime.now(dt.UTC))


DEMO_EPISODE_SUFFIXES = (".mp3", ".m4a", ".ogg", ".opus", ".wav")
"""Paths the demo answers with its episode audio, on any ``.example`` host."""
DEMO_TONE_SECONDS = 20


@functools.cache
def demo_tone(seconds: int = DEMO_TONE_SECONDS, rate: int = 8000) -> bytes:
    """Every demo episode's audio: a quiet two-note chime, as a WAV file of ``seconds``,
    so downloading and playing work in the demo without a network."""
    import io
    import math
    import struct
    import wave

    frames = bytearray()
    for n in range(seconds * rate):
        t = n / rate
        beat = t % 2.0  # a chime every two seconds, fading out
        level = 0.15 * math.exp(-3 * beat)
        tone = math.sin(2 * math.pi * 523.25 * t) + math.sin(2 * math.pi * 659.25 * t)
        frames += struct.pack("<h", int(32767 * level * tone / 2))
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(bytes(frames))
    return out.getvalue()


def _demo_episode(url: httpx.URL) -> bool:
    return url.host.endswith(".example") and url.path.lower().endswith(DEMO_EPISODE_SUFFIXES)


_RANGE = re.compile(r"^bytes=(\d+)-$")


@dataclass(frozen=True)
class DemoFeed:
    """One entry of ``feeds/index.toml``."""

    url: str
    path: Path
    fmt: str
    content_type: str


def _url_key(url: str | httpx.URL) -> str:
    # httpx normalises URLs (host case, default ports, percent-encoding); compare its spelling.
    return str(httpx.URL(url).copy_with(fragment=None))


def load_index(folder: Path | None = None) -> dict[str, DemoFeed]:
    """The demo feeds by URL, from ``feeds/index.toml``. ValueError if an entry is malformed."""
    feeds_dir = (folder or demo_dir()) / "feeds"
    index_path = feeds_dir / "index.toml"
    with index_path.open("rb") as handle:
        data = tomli.load(handle)
    feeds: dict[str, DemoFeed] = {}
    for number, entry in enumerate(data.get("feed", []), start=1):
        try:
            url, file, fmt = entry["url"], entry["file"], entry["format"]
        except KeyError as error:
            raise ValueError(f"{index_path}: feed #{number} has no {error.args[0]!r}") from None
        if fmt not in FORMATS:
            raise ValueError(f"{index_path}: feed #{number} has unknown format {fmt!r}")
        path = (feeds_dir / file).resolve()
        if path.parent != feeds_dir.resolve():
            raise ValueError(f"{index_path}: feed #{number} file {file!r} is outside feeds/")
        content_type = entry.get("content_type", FORMATS[fmt])
        feeds[_url_key(url)] = DemoFeed(url, path, fmt, content_type)
    return feeds


def _etag_matches(header: str, etag: str) -> bool:
    """If-None-Match uses weak comparison: ``W/"x"`` matches ``"x"``; ``*`` matches anything."""
    wanted = etag.removeprefix("W/")
    for candidate in header.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == wanted:
            return True
    return False


class DemoTransport(httpx.AsyncBaseTransport, httpx.BaseTransport):
    """An httpx transport that serves the demo feeds from disk and never opens a socket.

    Use it as ``httpx.AsyncClient(transport=DemoTransport())`` (a sync ``httpx.Client`` works
    too). GET and HEAD on a demo URL answer 200 with the rendered feed, a strong ETag (a hash of
    the body) and Last-Modified (the transport's ``now``); a matching ``If-None-Match``, or failing
    that a not-older ``If-Modified-Since``, answers 304. An episode's audio (``.mp3`` and the like
    on a ``.example`` host) is :func:`demo_tone`. Other URLs answer 404, other methods 405.
    """

    def __init__(self, now: dt.datetime | None = None, folder: Path | None = None) -> None:
        from tui.core.demo.apis import DemoApis, day_of, live_minute

        self.now = _to_minute(now) if now is not None else process_now()
        self.feeds = load_index(folder)
        # The APIs' posts are placed before midnight of the transport's day; their counts
        # follow the clock (a fixed ``now`` in tests, the real time in the demo), so they
        # grow from one refresh to the next.
        fixed = self.now
        self.apis = DemoApis(
            day_of(self.now),
            (folder or demo_dir()) / "apis",
            (lambda: fixed) if now is not None else live_minute,
        )
        """The demo's web APIs (Mastodon, Bluesky, Hacker News): tui.core.demo.apis."""
        self._rendered: dict[str, tuple[bytes, str]] = {}
        self.requests = 0
        """How many requests this transport has answered (tests and the status bar can show it)."""

    @property
    def urls(self) -> list[str]:
        """The demo URLs this transport answers, as the index spells them."""
        return [feed.url for feed in self.feeds.values()]

    def body(self, url: str | httpx.URL) -> tuple[bytes, str] | None:
        """The rendered body and its ETag for ``url``, or None when it is not a demo URL."""
        key = _url_key(url)
        feed = self.feeds.get(key)
        if feed is None:
            return None
        cached = self._rendered.get(key)
        if cached is None:
            text = render_feed(feed.path.read_text(encoding="utf-8"), self.now, feed.fmt)
            data = text.encode("utf-8")
            cached = (data, f'"{hashlib.sha256(data).hexdigest()[:32]}"')
            self._rendered[key] = cached
        return cached

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        if request.method not in ("GET", "HEAD"):
            return self._plain(request, 405, "method not allowed", {"Allow": "GET, HEAD"})
        found = self.body(request.url)
        if found is None and _demo_episode(request.url):
            return self._episode(request)
        if found is None:
            answer = self.apis.answer(request) if request.method == "GET" else None
            if answer is not None:
                return answer
            return self._plain(request, 404, "not part of the demo portfolio")
        data, etag = found
        feed = self.feeds[_url_key(request.url)]
        last_modified = email.utils.format_datetime(self.now, usegmt=True)
        headers = {
            "ETag": etag,
            "Last-Modified": last_modified,
            "Cache-Control": "max-age=300",
        }
        if self._not_modified(request, etag):
            return httpx.Response(304, headers=headers, request=request)
        headers["Content-Type"] = feed.content_type
        content = b"" if request.method == "HEAD" else data
        response = httpx.Response(200, headers=headers, content=content, request=request)
        if request.method == "HEAD":
            response.headers["Content-Length"] = str(len(data))
        return response

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        # Rendering is a regex pass over a file of tens of KB, once per URL per transport:
        # cheap enough to do inline rather than in a thread.
        return self.handle_request(request)

    def _not_modified(self, request: httpx.Request, etag: str) -> bool:
        if_none_match = request.headers.get("If-None-Match")
        if if_none_match is not None:
            # RFC 9110 13.1.3: when If-None-Match is present, If-Modified-Since is ignored.
            return _etag_matches(if_none_match, etag)
        if_modified_since = request.headers.get("If-Modified-Since")
        if if_modified_since is None:
            return False
        try:
            since = email.utils.parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=dt.UTC)
        return since >= self.now

    @staticmethod
    def _episode(request: httpx.Request) -> httpx.Response:
        """A demo episode's audio (:func:`demo_tone`), resumable with ``Range: bytes=N-``."""
        audio = demo_tone()
        headers = {"Content-Type": "audio/wav", "Accept-Ranges": "bytes"}
        wanted = _RANGE.match(request.headers.get("Range", ""))
        if wanted and int(wanted.group(1)) < len(audio):
            start = int(wanted.group(1))
            headers["Content-Range"] = f"bytes {start}-{len(audio) - 1}/{len(audio)}"
            return httpx.Response(206, headers=headers, content=audio[start:], request=request)
        content = b"" if request.method == "HEAD" else audio
        response = httpx.Response(200, headers=headers, content=content, request=request)
        response.headers["Content-Length"] = str(len(audio))
        return response

    @staticmethod
    def _plain(
        request: httpx.Request, status: int, text: str, extra: dict[str, str] | None = None
    ) -> httpx.Response:
        headers = {"Content-Type": "text/plain; charset=utf-8", **(extra or {})}
        return httpx.Response(status, headers=headers, text=text, request=request)
