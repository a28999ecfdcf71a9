"""Shaarli's REST API v1 (doc/md/REST-API.md and application/api/ in Shaarli; its API
documentation, shaarli.github.io/api-documentation).

Each call carries a JWT (``Authorization: Bearer …``), HS512, signed with the instance's
API secret, whose payload is ``{"iat": <now>}``. Shaarli accepts it from its issue time
until 9 minutes later, by the server's clock, and refuses a token issued in its future: the
clocks of both machines matter. When Shaarli refuses a token, the server's ``Date`` header
tells how far apart the clocks are; folio then signs a token with the server's time once,
and says so when that was the cause.

``GET /api/v1/links?offset=&limit=`` lists, newest first; ``POST /api/v1/links`` adds (a
URL it has already answers 409 with that bookmark); ``PUT``/``DELETE /api/v1/links/{id}``.
There is no lookup by URL, so a search for the URL (``searchterm``) comes first.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import time
import warnings
from typing import Any, ClassVar

from tui.core.bookmarks.common import (
    Bookmark,
    BookmarkClient,
    Listing,
    ServiceFailure,
    failure_from,
    parse_time,
)
from tui.core.sources.common import text_of

__all__ = ["FULL_LISTING_EVERY", "Shaarli", "jwt_token"]

PAGE = 100
FULL_LISTING_EVERY = dt.timedelta(hours=6)
MAX_PAGES = 1000
TOKEN_LIFETIME = 9 * 60
"""Seconds Shaarli accepts a token for (ApiMiddleware::$TOKEN_DURATION)."""


def jwt_token(secret: str, issued_at: float) -> str:
    """A Shaarli API token: JWT, HS512, ``{"iat": issued_at}`` signed with ``secret``."""
    import jwt

    with warnings.catch_warnings():
        # Shaarli makes 12-character secrets; PyJWT would warn that HS512 wants 64 bytes.
        warnings.simplefilter("ignore")
        return jwt.encode({"iat": int(issued_at)}, secret, algorithm="HS512")


def _server_skew(headers: dict[str, str], sent_at: float) -> float | None:
    """How far the server's clock is ahead of ours (seconds), from its Date header."""
    value = headers.get("date", "")
    if not value:
        return None
    try:
        server = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if server.tzinfo is None:
        return None
    return server.timestamp() - sent_at


def _clock_words(skew: float) -> str:
    minutes, seconds = divmod(round(abs(skew)), 60)
    span = f"{minutes} min {seconds} s" if minutes else f"{seconds} s"
    way = "ahead of" if skew > 0 else "behind"
    return f"Shaarli's clock is {span} {way} this computer's"


class Shaarli(BookmarkClient):
    service = "shaarli"
    label = "Shaarli"
    batch_size = 20

    _skews: ClassVar[dict[str, float]] = {}
    """Per instance: the clock difference learnt from a refused token, used from then on."""

    clock = staticmethod(time.time)

    def _token(self) -> str:
        return jwt_token(self.token, self.clock() + self._skews.get(self.base_url, 0.0))

    async def _call(
        self,
        method: str,
        path: str,
        what: str,
        *,
        params: dict[str, str | int] | None = None,
        body: Any = None,
        accept: tuple[int, ...] = (),
    ) -> tuple[int, Any]:
        """One call; answers (status, JSON). ``accept``: error statuses answered, not raised."""
        self.need_token()
        for attempt in (1, 2):
            sent_at = self.clock()
            token = self._token()
            result = await self.fetcher.request(
                method,
                self.base_url + path,
                params=params,
                headers={"Authorization": f"Bearer {token}"},
                json=body,
                secrets=[self.token, token],
            )
            if result.status == 401:
                skew = _server_skew(result.headers, sent_at)
                known = self._skews.get(self.base_url, 0.0)
                if attempt == 1 and skew is not None and abs(skew - known) >= 1.0:
                    # Sign with the server's time instead, once.
                    self._skews[self.base_url] = skew
                    continue
                raise self._refused(result.body, skew)
            break
        status = result.status or 0
        if not result.ok and status not in accept:
            raise failure_from(result, self.label, what)
        if not result.body:
            return status, None
        try:
            return status, json.loads(result.body)
        except ValueError:
            raise ServiceFailure(
                f"{self.label} answered {what} with something that is not JSON: is "
                f"{self.base_url} Shaarli's address, with its API enabled?"
            ) from None

    def _refused(self, body: bytes, skew: float | None) -> ServiceFailure:
        clocks = ""
        if skew is not None and abs(skew) >= 1.0:
            clocks = (
                f"; {_clock_words(skew)}, and Shaarli accepts a token for 9 minutes by its "
                "own clock"
            )
        if b"issued time" in body:
            # Only Shaarli in debug mode says why; otherwise a 401 has no detail.
            message = (
                "Shaarli says the token expired or was issued in its future: the clocks of "
                "this computer and the server disagree" + clocks
            )
        else:
            message = (
                "Shaarli refused the token (401): check the API secret (FOLIO_BOOKMARKS_TOKEN, "
                "or bookmarks_token in credentials.toml), and that this computer's clock is right"
                + clocks
            )
        return ServiceFailure(message, status=401)

    def _body(self, bookmark: Bookmark) -> dict[str, Any]:
        body: dict[str, Any] = {
            "url": bookmark.url,
            "title": bookmark.title,
            "description": bookmark.description,
            "tags": bookmark.tags,
        }
        if bookmark.private is not None:
            body["private"] = bookmark.private
        return body

    async def _find(self, url: str) -> dict[str, Any] | None:
        """Shaarli's bookmark of ``url``, found by searching for it."""
        _, found = await self._call(
            "GET", "api/v1/links", "the lookup", params={"searchterm": url, "limit": "all"}
        )
        if isinstance(found, list):
            for link in found:
                if (
                    isinstance(link, dict)
                    and link.get("url") == url
                    and isinstance(link.get("id"), int)
                ):
                    return link
        return None

    async def save(self, bookmark: Bookmark) -> None:
        found = await self._find(bookmark.url)
        if found is None:
            status, answer = await self._call(
                "POST", "api/v1/links", "the bookmark", body=self._body(bookmark), accept=(409,)
            )
            if status != 409:
                return
            # Added meanwhile (or Shaarli cleaned the URL to one it has): update that one.
            if not isinstance(answer, dict) or not isinstance(answer.get("id"), int):
                raise ServiceFailure("Shaarli has this URL already but did not say where")
            found = answer
        body = self._body(bookmark)
        if bookmark.private is None and isinstance(found.get("private"), bool):
            body["private"] = found["private"]  # a PUT sets every field: keep Shaarli's
        await self._call("PUT", f"api/v1/links/{found['id']}", "the bookmark", body=body)

    async def remove(self, url: str) -> None:
        found = await self._find(url)
        if found is None:
            return
        await self._call("DELETE", f"api/v1/links/{found['id']}", "the removal", accept=(404,))

    async def listing(self, cursor: dict[str, Any], now: dt.datetime) -> Listing:
        last_full = parse_time(cursor.get("full"))
        full = last_full is None or now - last_full >= FULL_LISTING_EVERY
        rows: list[dict[str, Any]] = []
        offset = 0
        for _ in range(MAX_PAGES if full else 1):
            _, page = await self._call(
                "GET", "api/v1/links", "the listing", params={"offset": offset, "limit": PAGE}
            )
            if not isinstance(page, list):
                raise ServiceFailure("Shaarli's listing is not a list: is it Shaarli?")
            rows.extend(row for row in page if isinstance(row, dict))
            offset += len(page)
            if len(page) < PAGE:
                break
        bookmarks = [b for b in (_bookmark(row) for row in rows) if b is not None]
        next_cursor = dict(cursor)
        if full:
            next_cursor["full"] = now.astimezone(dt.UTC).isoformat()
        return Listing(bookmarks, next_cursor, complete=full)


def _bookmark(row: dict[str, Any]) -> Bookmark | None:
    url = row.get("url")
    if not isinstance(url, str) or not url:
        return None
    tags = row.get("tags")

    private = row.get("private")
    return Bookmark(
        url=url,
        title=text_of(row, "title"),
        description=text_of(row, "description"),
        tags=[t for t in tags if isinstance(t, str)] if isinstance(tags, list) else [],
        private=private if isinstance(private, bool) else None,
        added=parse_time(row.get("created")),
        modified=parse_time(row.get("updated")) or parse_time(row.get("created")),
    ).cleaned()
