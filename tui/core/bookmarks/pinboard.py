"""Pinboard's API v1 (pinboard.in/api): every call a GET with ``auth_token=user:TOKEN`` and
``format=json``. ``posts/update`` gives the time of the last change; ``posts/all`` lists
every bookmark and may be called once per 5 minutes; ``posts/add`` (``replace=yes``
updates the URL's bookmark) and ``posts/delete`` answer ``{"result_code": "done"}`` or
what went wrong. One call per user every 3 seconds; a 429 means slow down.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, ClassVar

from tui.core.bookmarks.common import (
    Bookmark,
    BookmarkClient,
    Listing,
    Pacer,
    ServiceFailure,
    failure_from,
    parse_time,
)
from tui.core.models import utcnow
from tui.core.sources.common import text_of

__all__ = ["ALL_EVERY", "CALL_EVERY", "Pinboard"]

CALL_EVERY = 3.0
"""Seconds between two calls, as Pinboard asks."""
ALL_EVERY = dt.timedelta(minutes=5)
"""posts/all at most this often."""
BACK_OFF = 60.0
"""Seconds without a call after a 429 that gave no Retry-After."""
MAX_TITLE = 255


class Pinboard(BookmarkClient):
    service = "pinboard"
    label = "Pinboard"
    batch_size = 10  # 30 s of calls: each batch is settled in the store as it ends

    call_every: ClassVar[float] = CALL_EVERY

    def _auth(self) -> str:
        self.need_token()
        if ":" in self.token:
            return self.token
        if self.user:
            return f"{self.user}:{self.token}"
        raise ServiceFailure(
            'Pinboard\'s token is "user:TOKEN" (pinboard.in/settings/password): give it whole, '
            "or set user in [bookmarks]"
        )

    @property
    def pacer(self) -> Pacer:
        user = self._auth().split(":", 1)[0]
        return Pacer.of(f"pinboard {self.base_url} {user}", self.call_every)

    async def _call(self, method: str, what: str, params: dict[str, str]) -> Any:
        auth = self._auth()
        pacer = self.pacer
        await pacer.wait()
        result = await self.fetcher.request(
            "GET",
            self.base_url + method,
            params={**params, "auth_token": auth, "format": "json"},
            secrets=[auth, self.token],
        )
        if not result.ok:
            failure = failure_from(result, self.label, what)
            if result.status == 429:
                wait = BACK_OFF
                if result.retry_after is not None:
                    wait = max(1.0, (result.retry_after - utcnow()).total_seconds())
                pacer.hold(wait)
                failure.retry_after = failure.retry_after or utcnow() + dt.timedelta(seconds=wait)
            raise failure
        try:
            return json.loads(result.body)
        except ValueError:
            raise ServiceFailure(
                f"Pinboard answered {what} with something that is not JSON: is "
                f"{self.base_url} Pinboard's API address?"
            ) from None

    @staticmethod
    def _check(answer: Any, what: str, fine: tuple[str, ...] = ("done",)) -> None:
        code = answer.get("result_code") if isinstance(answer, dict) else None
        if code in fine:
            return
        from tui.core.ingest.text import clean_line

        said = clean_line(str(code))[:120] if code is not None else "no result code"
        raise ServiceFailure(f"Pinboard refused {what}: {said}", temporary=False)

    async def save(self, bookmark: Bookmark) -> None:
        params = {
            "url": bookmark.url,
            "description": (bookmark.title or bookmark.url)[:MAX_TITLE],
            "extended": bookmark.description,
            "tags": " ".join(bookmark.tags),
            "replace": "yes",  # the URL's bookmark is updated: sending twice does no harm
            "toread": "yes" if bookmark.toread else "no",
        }
        if bookmark.private is not None:
            params["shared"] = "no" if bookmark.private else "yes"
        self._check(await self._call("posts/add", "the bookmark", params), "the bookmark")

    async def remove(self, url: str) -> None:
        answer = await self._call("posts/delete", "the removal", {"url": url})
        self._check(answer, "the removal", fine=("done", "item not found"))

    async def listing(self, cursor: dict[str, Any], now: dt.datetime) -> Listing:
        update = await self._call("posts/update", "the listing", {})
        update_time = update.get("update_time") if isinstance(update, dict) else None
        if not isinstance(update_time, str):
            raise ServiceFailure("Pinboard's posts/update gave no update_time")
        last_all = parse_time(cursor.get("all_at"))
        if last_all is not None and update_time == cursor.get("update_time"):
            return Listing(cursor=dict(cursor), changed=False)
        if last_all is not None and now - last_all < ALL_EVERY:
            # Pinboard allows one full listing per 5 minutes: the changes come next time.
            return Listing(
                cursor=dict(cursor),
                changed=False,
                note="Pinboard lists bookmarks once per 5 minutes; the latest come next time",
            )
        posts = await self._call("posts/all", "the listing", {})
        if not isinstance(posts, list):
            raise ServiceFailure("Pinboard's posts/all is not a list")
        bookmarks = [b for b in (_bookmark(post) for post in posts) if b is not None]
        next_cursor = {
            **cursor,
            "update_time": update_time,
            "all_at": now.astimezone(dt.UTC).isoformat(),
        }
        return Listing(bookmarks, next_cursor, complete=True)


def _bookmark(post: object) -> Bookmark | None:
    if not isinstance(post, dict):
        return None
    url = post.get("href")
    if not isinstance(url, str) or not url:
        return None

    when = parse_time(post.get("time"))
    shared = post.get("shared")
    return Bookmark(
        url=url,
        title=text_of(post, "description"),
        description=text_of(post, "extended"),
        tags=text_of(post, "tags").split(),
        private=None if shared not in ("yes", "no") else shared == "no",
        toread=post.get("toread") == "yes",
        added=when,
        modified=when,
    ).cleaned()
