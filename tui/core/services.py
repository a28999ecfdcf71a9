"""The services folio sends changes to (a bookmark service, a sync server), wired to the
outbox: which senders the settings ask for, and one call that sends what waits.

The app calls ``send_outbox`` after each refresh and on its background tick; ``folio
refresh`` calls it after the refresh. With no service set up it does nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.core.outbox.queue import Outbox
from tui.core.outbox.sender import FlushReport, Sender, flush

if TYPE_CHECKING:
    from tui.core.config import Settings
    from tui.core.credentials import Credentials
    from tui.core.net.fetch import Fetcher
    from tui.core.storage.store import Store

__all__ = ["build_senders", "send_outbox"]


def build_senders(
    settings: Settings, credentials: Credentials, fetcher: Fetcher, store: Store | None = None
) -> list[Sender]:
    """One sender per service the settings name. Each service adds itself here.

    ``store``: where a sender may record what the service answered (the sync server's id
    of a feed just followed)."""
    senders: list[Sender] = []
    if settings.sync.enabled:
        from tui.core.sync.common import make_client as sync_client
        from tui.core.sync.sender import SyncSender

        server, problem = sync_client(settings.sync, credentials, fetcher)
        senders.append(SyncSender(server, problem, store))
    if settings.bookmarks.enabled:
        from tui.core.bookmarks.common import BookmarkSender
        from tui.core.bookmarks.local import make_client

        client = make_client(settings.bookmarks, credentials, fetcher)
        if client is not None:
            senders.append(BookmarkSender(client))
    return senders


async def send_outbox(
    store: Store,
    settings: Settings,
    credentials: Credentials,
    fetcher: Fetcher,
    *,
    now_for_all: bool = False,
) -> list[FlushReport]:
    """Send what is due for every configured service; never raises for a service's failure.

    ``now_for_all``: the user asked for it (``folio refresh``, "send now"), so changes still
    in back-off are tried now too; a service that wants more time says so again.
    """
    import asyncio

    outbox = Outbox(store)
    reports = []
    for sender in build_senders(settings, credentials, fetcher, store):
        if now_for_all:
            await asyncio.to_thread(outbox.due_now, sender.service)
        reports.append(await flush(outbox, sender))
    return reports
