"""kill -9 while bookmark changes are queued, and while they are being sent: none is lost.

Real processes on a real SQLite file; the service is a loopback linkding that answers as
its docs/API.md says (tests/bookmark_services.py).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import TYPE_CHECKING

from tui.core.bookmarks.common import BookmarkSender
from tui.core.bookmarks.linkding import Linkding
from tui.core.models import ParsedFeed, ParsedItem, SourceState
from tui.core.net.fetch import Fetcher
from tui.core.outbox.queue import Outbox
from tui.core.outbox.sender import flush
from tui.core.storage.store import Store

if TYPE_CHECKING:
    from tests.bookmark_services import FakeLinkding

pytest_plugins = ["httpserver", "bookmark_services"]

TOKEN = "s3cret-token"
FEED = "https://blog.example/feed"


def _store_with_items(db: Path, count: int) -> None:
    with Store(db) as store:
        items = [
            ParsedItem(guid=str(n), title=f"post {n}", link=f"https://blog.example/{n}")
            for n in range(count)
        ]
        store.store_feed(SourceState(url=FEED), ParsedFeed(items=items))


def _child(tmp_path: Path, body: str) -> subprocess.Popen[str]:
    script = textwrap.dedent(
        f"""
        import asyncio, sys
        from pathlib import Path
        from tui.core.config import BookmarkSettings, Settings
        from tui.core.session import Session
        from tui.core.storage.workspace import Workspace

        settings = Settings(bookmarks=BookmarkSettings("linkding", sys.argv[1]))
        workspace = Workspace(
            Path({str(tmp_path / "portfolio.toml")!r}), Path({str(tmp_path / "folio.db")!r}),
            settings,
        )
        session = Session(workspace)
        """
    ) + textwrap.dedent(body)
    return subprocess.Popen(
        # The service is never called here: only queued for.
        [sys.executable, "-c", script, "http://127.0.0.1:9/"],
        stdout=subprocess.PIPE,
        text=True,
    )


def test_kill_9_while_bookmarking_loses_no_change(tmp_path: Path) -> None:
    """b, b, b… in a process killed mid-way: every item it reported bookmarked has its
    change queued, and no change is queued without its flag (one transaction each)."""
    (tmp_path / "portfolio.toml").write_text("")
    db = tmp_path / "folio.db"
    _store_with_items(db, 3000)
    process = _child(
        tmp_path,
        """
        for item in session.store.items(limit=3000):
            session.bookmark(item)
            print(item.id, flush=True)
        """,
    )
    assert process.stdout is not None
    reported: list[int] = []
    for line in process.stdout:
        reported.append(int(line))
        if len(reported) >= 300:
            break
    process.kill()
    process.wait()
    with Store(db) as store:
        flagged = {item.link for item in store.items(flag="bookmarked")}
        queued = {entry.key for entry in Outbox(store).pending("bookmarks", limit=10**6)}
        reported_links = {item.link for item in store.items_by_id(reported)}
    assert reported_links <= flagged
    assert flagged == queued
    assert len(queued) >= 300


async def test_kill_9_mid_push_keeps_the_changes_and_they_go_out_once(
    tmp_path: Path, linkding: FakeLinkding
) -> None:
    (tmp_path / "portfolio.toml").write_text("")
    db = tmp_path / "folio.db"
    _store_with_items(db, 20)
    linkding.faults.slow = 60.0  # the first push is taken, and its answer never comes
    script = textwrap.dedent(
        f"""
        import asyncio, sys
        from pathlib import Path
        from tui.core.config import BookmarkSettings, Settings
        from tui.core.credentials import Credentials
        from tui.core.net.fetch import Fetcher
        from tui.core.services import send_outbox
        from tui.core.session import Session
        from tui.core.storage.workspace import Workspace

        settings = Settings(bookmarks=BookmarkSettings("linkding", {linkding.url!r}))
        workspace = Workspace(
            Path({str(tmp_path / "portfolio.toml")!r}), Path({str(db)!r}), settings
        )
        session = Session(workspace)
        for item in session.store.items():
            session.bookmark(item)
        print("queued", flush=True)

        async def go():
            async with Fetcher(settings) as fetcher:
                credentials = Credentials({{"bookmarks_token": {TOKEN!r}}}, environ={{}})
                await send_outbox(session.store, settings, credentials, fetcher)

        asyncio.run(go())
        print("sent", flush=True)
        """
    )
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "queued"
    # Wait until the service has the first bookmark: the process is then mid-push.
    for _ in range(600):
        if linkding.urls():
            break
        time.sleep(0.05)
    assert len(linkding.urls()) == 1
    process.kill()
    process.wait()
    with Store(db) as store:
        outbox = Outbox(store)
        assert len(outbox.pending("bookmarks")) == 20  # nothing was settled, nothing lost
        async with Fetcher() as fetcher:
            sender = BookmarkSender(Linkding(fetcher, linkding.url, TOKEN))
            report = await flush(outbox, sender)
    assert report.sent == 20 and report.waiting == 0
    assert len(linkding.urls()) == 20  # the first one was updated, not added twice
