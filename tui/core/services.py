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
        from tui.core.sync.common import make_client
        from tui.core.sync.sender import SyncSender

        client, problem = make_client(settings.sync, credentials, fetcher)
        senders.append(SyncSender(client, problem, store))
    return senders


async def send_outbox(
    store: Store, settings: Settings, credentials: Credentials, fetcher: Fetcher
) -> list[FlushReport]:
    """Send what is due for every configured service; never raises for a service's failure."""
    outbox = Outbox(store)
    senders = build_senders(settings, credentials, fetcher, store)
    return [await flush(outbox, sender) for sender in senders]
