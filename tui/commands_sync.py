"""``folio sync``: one sync with the feed server, headless, and what moved each way.

Exit status: 0 when the server was reached and took everything, 1 when it could not be
(the changes wait in the store and go with the next sync), 2 when folio cannot run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .core.credentials import Credentials
    from .core.models import Source
    from .core.net.fetch import Fetcher
    from .core.storage.store import Store
    from .core.storage.workspace import Workspace
    from .core.sync.reconcile import SourceEditor, SyncReport


def load_credentials_or_none() -> Credentials:
    """The user's secrets; a credentials.toml folio must refuse reads as none, and the sync
    says why it has no token."""
    from .core.credentials import Credentials, CredentialsError, load_credentials

    try:
        return load_credentials()
    except CredentialsError as exc:
        return Credentials(problem=str(exc))


def portfolio_editor(workspace: Workspace) -> SourceEditor:
    """Sources followed or unfollowed on the server, made so in portfolio.toml as it is on
    disk (so a hand edit made meanwhile is kept)."""

    def edit(add: list[Source], remove: list[str]) -> None:
        from .core.sync.portfolio import SyncSources

        workspace.apply_edits([SyncSources(add, remove)])

    return edit


async def run_sync(
    workspace: Workspace, store: Store, credentials: Credentials, fetcher: Fetcher
) -> SyncReport:
    """One sync of this workspace's store and portfolio (``folio sync``, ``folio refresh``)."""
    from .core.sync.reconcile import sync_once

    sources = workspace.load_portfolio().sources
    editor = portfolio_editor(workspace)
    return await sync_once(store, workspace.settings, credentials, fetcher, sources, editor)


def cmd_sync(workspace: Workspace, args: argparse.Namespace) -> int:
    from .commands import CommandError
    from .core.net.fetch import Fetcher

    settings = workspace.settings
    if not settings.sync.enabled:
        where = "the demo never syncs" if workspace.demo else "add [sync] to settings.toml"
        raise CommandError(
            f"no sync server is set: {where} (service, url, user; config/settings.toml "
            "documents them)"
        )
    workspace.load_portfolio()  # a broken portfolio.toml stops here, with where and why
    credentials = load_credentials_or_none()

    async def go() -> SyncReport:
        with workspace.open_store() as store:
            async with Fetcher(settings, workspace.transport) as fetcher:
                return await run_sync(workspace, store, credentials, fetcher)

    report = asyncio.run(go())
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        print_report(report)
    if not report.ok:
        waiting = ""
        if report.waiting:
            count = report.waiting
            verbs = "waits and goes" if count == 1 else "wait and go"
            waiting = f" {count} change{'s' * (count != 1)} {verbs} with the next sync."
        print(f"folio: {report.error}.{waiting}", file=sys.stderr)
        return 1
    return 0


def print_report(report: SyncReport) -> None:
    state = "Synced" if report.ok else "Could not sync"
    print(f"{state} with {report.service} in {report.seconds:.2f} s ({report.requests} requests).")
    got = ", ".join(f"{n} {name}" for name, n in report.received.items() if n) or "nothing new"
    print(f"  from the server: {got}")
    for title in report.sources_added:
        print(f"    + {title}")
    for url in report.sources_removed:
        print(f"    - {url}")
    print(f"  to the server: {report.sent_words() or 'nothing'}")
    for url in report.subscribing:
        print(f"    follow {url}")
    for url in report.unsubscribing:
        print(f"    unfollow {url}")
    if report.waiting or report.refused:
        print(f"  waiting: {report.waiting}; refused: {report.refused}")
    for note in report.notes:
        print(f"  note: {note}")
