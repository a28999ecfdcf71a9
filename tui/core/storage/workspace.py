"""Which files a run uses: the user's own, or the offline demo's.

The demo keeps its portfolio and store in a folder of its own, so trying it never
touches the user's portfolio.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tui.core.config import BookmarkSettings, Settings, SyncSettings, load_settings
from tui.core.storage import paths
from tui.core.storage.atomic import file_lock, write_atomic
from tui.core.storage.portfolio import Portfolio, load_portfolio, save_portfolio
from tui.core.storage.store import Store

if TYPE_CHECKING:
    import httpx

    from tui.core.demo.offline import DemoTransport
    from tui.core.storage.portfolio_edit import Applied, Edit


@dataclass
class Workspace:
    """Where one portfolio's files are, and its settings."""

    portfolio_path: Path
    db_path: Path
    settings: Settings = field(default_factory=Settings)
    demo: bool = False
    transport: httpx.AsyncBaseTransport | None = None
    """Set for the demo, whose feeds are served from packaged files, never the network."""

    @property
    def podcast_folder(self) -> Path:
        """Where episodes are downloaded: ``[podcasts] folder``, else ``podcasts`` beside
        the store. The demo's always stay in the demo's folder."""
        from tui.core.podcasts.service import podcast_folder

        if self.demo:
            return self.db_path.parent / "podcasts"
        return podcast_folder(self.settings, self.db_path.parent)

    def fetch_failed(self, message: str, to_follow_real_ones: str) -> str:
        """A failed fetch's message; in the demo, with why and what to do instead."""
        if not self.demo:
            return message
        return f"{message}. The demo is offline and reads only its own feeds: {to_follow_real_ones}"

    def load_portfolio(self) -> Portfolio:
        return load_portfolio(self.portfolio_path)

    def save_portfolio(self, portfolio: Portfolio) -> None:
        """Write a whole new portfolio; an existing one is changed with ``apply_edits``."""
        save_portfolio(self.portfolio_path, portfolio)

    def apply_edits(self, edits: list[Edit]) -> Applied:
        """Apply ``edits`` to portfolio.toml as it is on disk now (see ``portfolio_edit``)."""
        from tui.core.storage.portfolio_edit import apply_edits

        return apply_edits(self.portfolio_path, edits)

    def open_store(self) -> Store:
        return Store(self.db_path)


def user_workspace(settings: Settings | None = None) -> Workspace:
    return Workspace(
        portfolio_path=paths.portfolio_path(),
        db_path=paths.db_path(),
        settings=settings if settings is not None else load_settings(paths.settings_path()),
    )


def demo_workspace(settings: Settings | None = None, today: dt.date | None = None) -> Workspace:
    """The shipped demo portfolio with a store of its own.

    The copy is made afresh each day, so its dates stay current; within a day, what the
    user read or starred in the demo is kept between runs.
    """

    from tui.core.demo.apis import DEMO_APIS
    from tui.core.demo.offline import DemoTransport, demo_portfolio_text

    today = today or dt.date.today()
    folder = paths.demo_data_dir()
    portfolio_file = folder / "portfolio.toml"
    stamp = folder / "made-on"
    fresh = stamp.exists() and stamp.read_text().strip() == today.isoformat()
    transport = DemoTransport()
    if not (fresh and portfolio_file.exists()):
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        write_atomic(portfolio_file, demo_portfolio_text(today).encode("utf-8"))
        _seed_demo_history(folder / "folio.db", portfolio_file, transport)
        stamp.write_text(today.isoformat())
    settings = settings if settings is not None else load_settings(paths.settings_path())
    # The demo is offline and touches nothing of the user's: not their bookmark service,
    # nor their sync server. The demo's APIs are its own, offline, whatever the user's
    # settings name.
    settings = dataclasses.replace(
        settings, bookmarks=BookmarkSettings(), apis=DEMO_APIS, sync=SyncSettings()
    )
    return Workspace(
        portfolio_path=portfolio_file,
        db_path=folder / "folio.db",
        settings=settings,
        demo=True,
        transport=transport,
    )


def _seed_demo_history(db_path: Path, portfolio_file: Path, transport: DemoTransport) -> None:
    """The weeks of engagement history the demo's own accounts would have (demo.apis)."""
    from tui.core.demo.apis import seed_history
    from tui.core.demo.offline import demo_dir

    own = {s.url: s.api for s in load_portfolio(portfolio_file).sources if s.mine and s.api}
    apis = transport.apis
    with Store(db_path) as store:
        seed_history(store, apis.day, apis.clock(), demo_dir() / "apis", own)


def keep_demo(workspace: Workspace) -> Path:
    """Make the demo portfolio the user's own; refuses to overwrite an existing one."""
    target = paths.portfolio_path()
    with file_lock(target):
        # Checked under the lock, so a ``folio add`` making the file at the same moment
        # is never overwritten.
        if target.exists():
            raise FileExistsError(f"{target} already exists; folio will not overwrite it")
        write_atomic(target, workspace.portfolio_path.read_bytes())
    return target
