"""The Textual app: screens, global keys, and the wiring of engine events to widgets."""

from __future__ import annotations

import asyncio
import gc
import sys
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual import events, work
from textual._context import active_message_pump
from textual.app import App, SystemCommand
from textual.binding import BindingType
from textual.message import Message
from textual.message_pump import MessagePump
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from . import keys
from .commands_palette import FolioCommands
from .core.config import ConfigError
from .core.models import Item, Source
from .core.session import Change, Session
from .core.storage import paths
from .core.storage.store import StoreDamaged, StoreError
from .core.storage.workspace import Workspace, demo_workspace, user_workspace
from .messages import (
    DashboardReady,
    DownloadEpisode,
    NextList,
    OpenFeed,
    OpenLink,
    OpenReader,
    PlayEpisode,
    RefreshFinished,
    SessionChanged,
    ShowList,
    SourceRefreshed,
)

if TYPE_CHECKING:
    from .core.lists import ListSpec
    from .core.podcasts.player import Playback
    from .core.refresh.refresher import RefreshSummary
    from .screens.lists import ListScreen
    from .screens.reader import ReaderScreen

BACKGROUND_TICK = 30.0
"""Seconds between checks for sources whose refresh is due."""
KEY_STUCK = 1.0
"""Seconds after which a key whose handling was never seen to end stops holding the next."""
OUTBOX_DELAY = 1.0
"""Seconds between a change queued for a service (a bookmark, a read for the sync server)
and sending it: a burst of keys goes out together."""

PORTFOLIO_POLL = 0.5
"""Seconds between looks at portfolio.toml for changes made elsewhere (a ``folio``
command, an editor); a change is read when two looks agree, so it shows within about a
second. A look is one stat of the file (a few microseconds), and it works
the same on every system and for every way an editor saves (in place, or by renaming a
new file over the old, which a watch on the file itself would lose track of); a watch
would need a library and a thread for a file that changes a few times a day."""


class FolioApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "folio"
    BINDINGS: ClassVar[list[BindingType]] = [*keys.GLOBAL, *keys.PLAYBACK]
    COMMANDS = App.COMMANDS | {FolioCommands}

    refresh_status: reactive[str] = reactive("")
    """What the status bar shows about the background refresh."""
    refreshing: reactive[bool] = reactive(False)
    outbox_version: reactive[int] = reactive(0)
    """Counts changes to the outbox (queued, sent, refused): the status bars follow it."""
    syncing: reactive[bool] = reactive(False)

    def __init__(
        self,
        session: Session,
        *,
        auto_refresh: bool | None = None,
        freeze_start_up: bool = False,
        downloads: bool = True,
    ) -> None:
        super().__init__()
        self.session = session
        # Exempt what start-up made from garbage collection (see on_dashboard_ready); off
        # by default, so tests that start many apps in one process do not keep them all.
        self.freeze_start_up = freeze_start_up
        settings = session.workspace.settings
        self.background_refresh = settings.refresh.auto if auto_refresh is None else auto_refresh
        self._refresher: Any = None
        self._refreshing_urls: set[str] = set()
        self._reader: ReaderScreen | None = None
        """The reader, kept between openings: see ``open_reader``."""
        self._list_screen: ListScreen | None = None
        """The list screen (Starred, a whole feed…), kept between openings likewise."""
        self._held_keys: list[events.Key | events.Paste] = []
        """Keys read but not routed yet, oldest first: see ``on_event``."""
        self._key_in_flight = False
        self._key_routed = 0.0
        self.keys_handled = 0
        """Keys read and handled so far (tests of typing in a burst wait on it)."""
        self._outbox_lock: asyncio.Lock | None = None
        self._send_timer: Any = None
        self._sync_asked = False
        self._downloads_worker: Worker[None] | None = None
        self.base_sub_title = "demo portfolio" if session.workspace.demo else ""
        self.sub_title = self.base_sub_title
        self.downloads = downloads
        """Whether the download queue runs (tests of other screens turn it off)."""
        session.listeners.append(self._on_session_change)
        session.on_store_problem = self._store_problem
        session.store.problem_listeners.append(self._store_problem_met)
        self.store_failure: StoreError | None = None
        """The database problem that stopped the app (a damaged file), if one did."""

    # -- start-up -------------------------------------------------------------------

    def on_mount(self) -> None:
        from .screens.dashboard import DashboardScreen
        from .screens.downloads import DownloadsScreen
        from .screens.matrix import MatrixScreen
        from .screens.output import OutputScreen
        from .screens.roadmap import RoadmapScreen
        from .screens.sources import SourcesScreen

        session = self.session
        self.add_mode("dashboard", lambda: DashboardScreen(session))
        self.add_mode("matrix", lambda: MatrixScreen(session))
        self.add_mode("roadmap", lambda: RoadmapScreen(session))
        self.add_mode("sources", lambda: SourcesScreen(session))
        self.add_mode("output", lambda: OutputScreen(session))
        self.add_mode("downloads", lambda: DownloadsScreen(session))
        settings = session.workspace.settings
        if settings.keys:
            self.set_keymap(settings.keys)
        if settings.ui.theme in self.available_themes:
            self.theme = settings.ui.theme
        self.switch_mode("dashboard")
        if session.portfolio_error:
            self.notify(
                f"{session.portfolio_error}\n"
                "Nothing was changed. The sources, matrix and roadmap are read-only until "
                "it is fixed; folio reloads the file as soon as it is.",
                title="portfolio.toml has an error",
                severity="error",
                timeout=30,
                # The message quotes keys like sources[0].kind: plain text, not markup.
                markup=False,
            )
        if session.workspace.demo:
            self.notify(
                "This is the offline demo portfolio. Nothing you do here touches your own files.",
                title="Welcome to folio",
                timeout=8,
            )
        if self.downloads:
            # After the first frame: the queue's start reads the store.
            self.call_after_refresh(self._start_downloads)
        self.set_interval(PORTFOLIO_POLL, self.check_portfolio_file)
        if self.background_refresh:
            self.set_interval(BACKGROUND_TICK, self._background_tick)
            # The first pass only takes what is due, so a restart does not re-fetch everything.
            self.call_after_refresh(self.start_refresh, True)
        if settings.bookmarks.enabled:
            # What waits in the outbox goes out on every tick, refreshes or not.
            self.set_interval(BACKGROUND_TICK, self._outbox_tick)
            if not self.background_refresh:
                self.call_after_refresh(self.send_outbox_soon)
        if settings.sync.enabled:
            # Pulls on the sync's own schedule, and sends what waits, refreshes or not.
            self.set_interval(BACKGROUND_TICK, self._sync_tick)
            # At start, whatever the interval: another machine may have moved on meanwhile.
            self.call_after_refresh(self.start_sync)

    def on_dashboard_ready(self, _: DashboardReady) -> None:
        """Once the first screen is complete, freeze everything start-up made (Textual's
        widgets, styles and caches, the session): the collector then never walks it again.

        With 100,000 items, a full collection walked about 80,000 such objects every few
        seconds while keys were pressed, taking 36-67 ms each time: a key press that met one
        took that much longer. After the freeze they take 9-16 ms. Objects freed by their
        reference count are still freed; only cycles among start-up objects stay.
        """
        if self.freeze_start_up and not gc.get_freeze_count():
            gc.freeze()
        self._prepare_portfolio_edits()

    @work(thread=True, exclusive=True, group="portfolio", exit_on_error=False)
    def _prepare_portfolio_edits(self) -> None:
        """Parse portfolio.toml for editing now, in a thread, so the first edit is quick
        (tomlkit takes about half a second over 500 sources)."""
        from .core.storage.portfolio_edit import prepare

        if not self.session.read_only:
            prepare(self.session.workspace.portfolio_path)

    # -- keys typed in a burst --------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        """Keys go to the widget that has focus when each one arrives, even in a burst.

        Textual routes each key to the focused widget as soon as the app reads it, and the
        key's action (a binding, checked once the key has bubbled back up to the app) runs
        later. Keys typed in one burst (a paste, tmux send-keys, a macro) were all routed
        before the first one's action had run: after ``a`` opened the Add form, the
        address typed with it went to the table behind the form, and was lost. So a key
        is routed only once the one before it has been handled all the way up, and a key
        for a screen that has not focused anything yet (it is still mounting) waits until
        the screen has handled what it was already sent. An isolated key is routed at once,
        as before.
        """
        if isinstance(event, events.Key | events.Paste) and not event.is_forwarded:
            self._held_keys.append(event)
            if self._key_in_flight and time.monotonic() - self._key_routed > KEY_STUCK:
                self._key_in_flight = False  # never lose the keyboard to a key gone astray
            if not self._key_in_flight:
                await self._route_next_key()
            return
        await super().on_event(event)

    async def _route_next_key(self) -> None:
        if self._key_in_flight or not self._held_keys:
            return
        self._key_in_flight = True
        self._key_routed = time.monotonic()
        screen = self.screen
        if screen.focused is None and screen.is_attached:
            # A screen that has just been pushed focuses its first field when it mounts.
            screen.call_later(self._route_held_key)
        else:
            await self._route_held_key()

    async def _route_held_key(self) -> None:
        event = self._held_keys.pop(0)
        target: MessagePump = self.focused or self.screen
        await super().on_event(event)
        if event.is_forwarded:
            self._follow_key(event, target)
        else:
            self._key_done()  # a priority binding took it at once

    def _follow_key(self, event: events.Event, node: MessagePump) -> None:
        """Wait until ``node`` has handled ``event``; then follow it to the parent it
        bubbled to, up to the app, whose bindings act on it last."""

        def handled() -> None:
            parent = node._parent
            if event._stop_propagation or parent is None or node is self:
                self._key_done()
            else:
                self._follow_key(event, parent)

        if node is self or node.is_running:
            node.call_later(handled)
        else:
            self._key_done()  # it went away with its screen

    def _key_done(self) -> None:
        self.keys_handled += 1
        self._key_in_flight = False
        if self._held_keys:
            self.call_later(self._route_next_key)

    # -- database problems ----------------------------------------------------------

    def _store_problem(self, problem: StoreError) -> None:
        """A change could not be stored (a full disk, say): say so, and keep running; a
        damaged file stops the app."""
        if isinstance(problem, StoreDamaged):
            self._stop_for(problem)
            return
        self.refresh_status = f"Not saved: {problem.headline}"
        self.notify(str(problem), title="Not saved", severity="error", timeout=20, markup=False)

    class StoreDamagedFound(Message):
        """The store found its file damaged, in some thread (posting is thread-safe)."""

        def __init__(self, problem: StoreError) -> None:
            super().__init__()
            self.problem = problem

    def _store_problem_met(self, problem: StoreError) -> None:
        """The store met a problem, in any thread: a damaged file stops the app, wherever
        it was found (a worker that loads the Inbox drops its errors)."""
        if isinstance(problem, StoreDamaged):
            self.post_message(self.StoreDamagedFound(problem))

    def on_folio_app_store_damaged_found(self, message: StoreDamagedFound) -> None:
        self._stop_for(message.problem)

    def _stop_for(self, problem: StoreError) -> None:
        """Show what is wrong and what to do; the screen's only key quits (exit status 2)."""
        if self.store_failure is not None:
            return  # already said; screens still mounting may meet it again
        self.store_failure = problem
        from .screens.store_damaged import StoreDamagedScreen

        self.push_screen(StoreDamagedScreen(problem))

    def _handle_exception(self, error: Exception) -> None:
        """A database problem nobody handled (a damaged file is found wherever a screen
        reads it) is shown in words, and the app ends with exit status 2, not a traceback.
        Anything else is a bug: Textual shows it as usual."""
        problem = _store_error_in(error)
        if problem is None:
            super()._handle_exception(error)
            return
        if active_message_pump.get(None) is self or not isinstance(problem, StoreDamaged):
            # The app's own handler failed (its messages stop now), or a problem no screen
            # is made for: stop at once; run_app prints the words.
            self.store_failure = self.store_failure or problem
            self.exit(return_code=2)
            self._close_messages_no_wait()
            return
        self._stop_for(problem)

    # -- actions --------------------------------------------------------------------

    def action_show(self, mode: str) -> None:
        if self.current_mode != mode:
            self.switch_mode(mode)
            return
        # Already there: the key goes back to the screen itself, from a list or the reader.
        from .screens.lists import ListScreen
        from .screens.reader import ReaderScreen

        while len(self.screen_stack) > 1 and isinstance(self.screen, ListScreen | ReaderScreen):
            self.pop_screen()

    def action_show_list(self, name: str) -> None:
        self.show_list(name)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's own palette commands, less those folio already offers under its own
        name (Quit; Keys, which is folio's Help; Maximize, which the dashboard's z does)."""
        for command in super().get_system_commands(screen):
            if command.title not in ("Quit", "Keys", "Maximize", "Minimize"):
                yield command

    # -- the reader and the lists ---------------------------------------------------

    def open_reader(
        self,
        item_id: int,
        neighbours: list[int],
        came_back: Callable[[int | None], None] | None = None,
    ) -> None:
        """Show an item in the reader; ``n``/``p`` step through ``neighbours``."""
        reader = self._reader
        if reader is None or reader in self.screen_stack:
            from .screens.reader import ReaderScreen

            reader = ReaderScreen(self.session, item_id, neighbours)
            if self._reader is None:
                # Installed, so that closing it keeps it: opening it again then only draws
                # the item, where building the screen (its footer above all) took 20-30 ms.
                self._reader = reader
                self.install_screen(reader, name="reader")
        else:
            reader.show_item(item_id, neighbours)
        self.push_screen(reader, came_back)

    def on_open_reader(self, message: OpenReader) -> None:
        self.open_reader(message.item_id, message.neighbours, message.came_back)

    def on_show_list(self, message: ShowList) -> None:
        self.show_list(message.spec)

    def on_open_feed(self, message: OpenFeed) -> None:
        self.open_feed(message.url)

    def on_next_list(self, message: NextList) -> None:
        self.next_list()

    def show_list(self, spec: ListSpec | str) -> None:
        """Show a list of items (a name from ``lists.VIEWS``, or a spec); ``inbox`` is the
        dashboard's own Inbox."""
        from .core.lists import view
        from .screens.dashboard import DashboardScreen
        from .screens.lists import ListScreen

        if isinstance(spec, str):
            if spec == "inbox":
                self.action_show("dashboard")
                self.action_show("dashboard")  # the second time pops the lists off
                if isinstance(self.screen, DashboardScreen):
                    self.screen.show_inbox()
                return
            spec = view(spec)
        if self.current_mode != "dashboard":
            self.switch_mode("dashboard")
        screen = self._list_screen
        if screen is None:
            screen = self._list_screen = ListScreen(self.session, spec)
            self.install_screen(screen, name="list")
            self.push_screen(screen)
            return
        if screen in self.screen_stack:
            while self.screen is not screen:
                self.pop_screen()
        else:
            self.push_screen(screen)
        screen.show(spec)

    def open_feed(self, url: str) -> None:
        """A feed's every item, in the list screen."""
        from .core.lists import feed_list

        source = self.session.source(url)
        self.show_list(feed_list(url, source.title if source else url))

    def next_list(self) -> None:
        """The view key: on to the next list (the Inbox, Unread, Starred… and round)."""
        from .core.lists import next_view
        from .screens.lists import ListScreen

        current = self.screen.spec.name if isinstance(self.screen, ListScreen) else "inbox"
        self.show_list(next_view(current))

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_search(self) -> None:
        from .screens.search import SearchScreen

        if not isinstance(self.screen, SearchScreen):
            self.push_screen(SearchScreen(self.session))

    def action_keep_demo(self) -> None:
        """Make the demo portfolio the user's own (from the command palette), asking
        first whether to copy the demo's offline sources too."""
        from .screens.forms import KeepDemoScreen

        if not self.session.workspace.demo:
            self.notify("This is already your own portfolio.", timeout=3)
            return
        if paths.portfolio_path().exists():
            self.notify(
                f"{paths.portfolio_path()} already exists; folio will not overwrite it",
                severity="error",
                markup=False,
            )
            return
        self.push_screen(KeepDemoScreen(len(self.session.sources)), self.keep_demo)

    def keep_demo(self, with_sources: bool | None) -> None:
        """Save the demo as the user's portfolio (None: the user cancelled)."""
        from .core.storage.workspace import keep_demo

        if with_sources is None:
            return
        try:
            target = keep_demo(self.session.workspace, with_sources=with_sources)
        except (FileExistsError, OSError) as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        sources = (
            "Its feeds are offline examples that only the demo can fetch: add your own"
            if with_sources
            else "Add your sources"
        )
        self.notify(
            f"Saved its matrix, roadmap and vision as {target}. {sources} with "
            "'folio import' or 'folio add', then run folio without --demo.",
            title="Demo kept",
            markup=False,
        )

    def action_refresh_now(self) -> None:
        self.start_refresh(only_due=False)
        self._sync_asked = True  # and a sync when it ends: "everything fresh, now"

    def action_sync_now(self) -> None:
        """Sync with the feed server now: send what waits, pull what changed (palette)."""
        if not self.session.sync_service:
            self.notify(
                "No sync server is set: add [sync] to settings.toml (config/settings.toml "
                "documents it).",
                timeout=6,
            )
            return
        self.start_sync(asked=True)

    def action_retry_sync(self) -> None:
        """Send the changes the sync server refused once more (palette)."""
        count = self.session.retry_refused_sync()
        if count:
            self.notify(f"Retrying {count} change{'s' * (count != 1)}.", timeout=4)
            self.start_sync(asked=True)
        else:
            self.notify("No change was refused.", timeout=3)

    def action_retry_bookmarks(self) -> None:
        """Send the bookmark changes the service refused once more (command palette)."""
        count = self.session.retry_failed_bookmarks()
        if count:
            self.notify(f"Retrying {count} bookmark change{'s' * (count != 1)}.", timeout=4)
        else:
            self.notify("No bookmark change was refused.", timeout=3)

    def action_send_bookmarks(self) -> None:
        """Send what waits in the outbox now, whatever its back-off (command palette)."""
        if not self.session.bookmark_service:
            self.notify("No bookmark service is set: add [bookmarks] to settings.toml.", timeout=5)
            return
        self.session.retry_waiting_now()
        self.send_outbox_soon(delay=0.0)

    def open_link(self, url: str) -> None:
        """Open ``url`` in the browser from a thread, so a slow opener never delays a key."""
        self._open_link_in_thread(url)

    def on_open_link(self, message: OpenLink) -> None:
        self.open_link(message.url)

    @work(thread=True, group="opener", exit_on_error=False)
    def _open_link_in_thread(self, url: str) -> None:
        from .core.ingest.text import clean
        from .core.opener import open_url

        error = open_url(url, self.session.workspace.settings.ui.browser)
        if error:
            # The error quotes the URL, which comes from a feed: plain text, never markup.
            self.call_from_thread(
                self.notify,
                clean(f"Could not open the link: {error}"),
                severity="error",
                markup=False,
            )

    # -- podcasts -------------------------------------------------------------------

    def _start_downloads(self) -> None:
        podcasts = self.session.podcasts
        podcasts.queue.on_wake = self._run_downloads

        def start() -> None:
            podcasts.episodes.recover()
            removed = podcasts.remove_played()
            if removed:
                self.notify(f"Removed the files of {removed} played episodes.", timeout=5)

        if self._podcast_write(start):
            self._run_downloads()

    def _podcast_write(self, write: Callable[[], object]) -> bool:
        """Run a podcast change; a database problem is said (or, damaged, stops the app)
        like any other change's, never a traceback."""
        try:
            write()
        except StoreError as problem:
            self._store_problem(problem)
            return False
        return True

    def _run_downloads(self) -> None:
        """A worker runs the queue while it has work, and ends when it has none; the queue
        asks for another (``on_wake``) when something is queued or resumed."""
        if self._downloads_worker is None or self._downloads_worker.is_finished:
            self._downloads_worker = self._download_queue()

    @work(group="downloads", exit_on_error=False)
    async def _download_queue(self) -> None:
        await self.session.podcasts.queue.run_until_idle()

    def on_download_episode(self, message: DownloadEpisode) -> None:
        self.download_episode(message.item)

    def on_play_episode(self, message: PlayEpisode) -> None:
        self.play_episode(message.item)

    def download_episode(self, item: Item) -> None:
        """Queue ``item``'s episode, saying so (or why not)."""
        from .core.ingest.text import clean_line
        from .core.podcasts.service import QueueError

        podcasts = self.session.podcasts
        podcasts.queue.on_wake = self._run_downloads
        try:
            if not self._podcast_write(
                lambda: podcasts.download(item, self.session.source(item.source))
            ):
                return
        except QueueError as exc:
            self.notify(clean_line(str(exc)), severity="warning", markup=False)
            return
        title = clean_line(item.title) or "the episode"
        self.notify(f"Queued {title}. 6 shows the downloads.", timeout=4, markup=False)

    def play_episode(self, item: Item) -> None:
        """Play ``item``'s episode in the background (or pause it, if it is the one
        playing), from where the user stopped."""
        playback = self.session.podcasts.playback
        if playback is not None and playback.running and playback.item_id == item.id:
            self.action_pause_playback()
            return
        self._play(item)

    @work(group="player", exit_on_error=False)
    async def _play(self, item: Item) -> None:
        from .core.ingest.text import clean_line
        from .core.podcasts.service import PlayerError

        podcasts = self.session.podcasts
        try:
            playback = await podcasts.play(item)
        except PlayerError as exc:
            self.notify(clean_line(str(exc)), severity="error", markup=False, timeout=10)
            return
        except StoreError as problem:
            self._store_problem(problem)
            return
        self.refresh_bindings()
        self._show_now_playing()
        self.notify(
            f"Playing {podcasts.playing_title}. {self._playback_keys(playback.mpv)}",
            timeout=5,
            markup=False,
        )
        status = await playback.watch()
        self._player_ended(playback, status)

    def _player_ended(self, playback: Playback, status: int) -> None:
        from .core.ingest.text import clean_line

        self.refresh_bindings()
        self._show_now_playing()
        if status != 0 and not playback.stopping:
            lines = playback.error_output.strip().splitlines()
            said = clean_line(lines[-1]) if lines else ""
            self.notify(
                f"The player stopped with status {status}" + (f": {said}" if said else "."),
                severity="error",
                markup=False,
                timeout=10,
            )

    def _playback_keys(self, mpv: bool) -> str:
        """What the playback keys are now (the user may have rebound them)."""
        from textual.binding import Binding

        from .screens.help import key_display

        shown = [
            f"{key_display(cast('App[object]', self), binding)} {binding.description.lower()}"
            for binding in keys.PLAYBACK
            if isinstance(binding, Binding) and (mpv or binding.id == "stop_playback")
        ]
        return "Keys: " + ", ".join(shown) + "."

    def _show_now_playing(self) -> None:
        podcasts = self.session.podcasts_started
        playing = podcasts.now_playing() if podcasts is not None else ""
        self.sub_title = " · ".join(part for part in (self.base_sub_title, playing) if part)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("pause_playback", "stop_playback", "seek"):
            # The playback keys exist while something plays; the footer shows them then.
            podcasts = self.session.podcasts_started
            return podcasts is not None and podcasts.playback is not None
        return True

    def _playback(self) -> Playback | None:
        podcasts = self.session.podcasts_started
        return podcasts.playback if podcasts is not None else None

    @work(group="player-control", exit_on_error=False)
    async def action_pause_playback(self) -> None:
        playback = self._playback()
        if playback is None:
            return
        if not playback.mpv:
            self.notify("Pausing needs mpv; S stops the player.", severity="warning")
            return
        await playback.toggle_pause()
        self._show_now_playing()

    @work(group="player-control", exit_on_error=False)
    async def action_stop_playback(self) -> None:
        await self.session.podcasts.stop()

    @work(group="player-control", exit_on_error=False)
    async def action_seek(self, seconds: float) -> None:
        playback = self._playback()
        if playback is not None and playback.mpv:
            await playback.seek(seconds)
            self._show_now_playing()

    # -- session events -------------------------------------------------------------

    def check_portfolio_file(self) -> None:
        """Reload portfolio.toml if it changed on disk, and say so briefly."""
        change = self.session.check_portfolio_file(settle=True)
        if change is not None:
            broken = self.session.read_only
            if not broken:
                self._prepare_portfolio_edits()
            self.notify(
                change.message,
                title="portfolio.toml has an error" if broken else "portfolio.toml reloaded",
                severity="error" if broken else "information",
                timeout=30 if broken else 4,
                # The message quotes the file's path and keys: plain text, never markup.
                markup=False,
            )

    def _on_session_change(self, change: Change) -> None:
        self.broadcast(lambda: SessionChanged(change))
        if change.area == "episodes":
            self._show_now_playing()
        if change.queued or change.area == "outbox":
            self.outbox_version += 1
        if change.queued:
            self.send_outbox_soon()
        sources_changed = change.area in ("sources", "portfolio")
        if sources_changed and self.session.sync_service and not self.syncing:
            # A source added or removed here (or in the file, by hand) is followed or
            # unfollowed on the server soon. (A sync's own source changes come while it
            # runs, and start none.)
            self.set_timer(OUTBOX_DELAY, lambda: self.start_sync(asked=False))
        if change.area in ("sources", "portfolio") and change.sources and not self.refreshing:
            # A source just added has no items yet: fetch it now rather than on schedule;
            # so is one brought back by undo.
            states = self.session.store.states(counts=False)
            new = [url for url in change.sources if url not in states or url in change.refetch]
            if new:
                self.start_refresh(urls=new)

    def broadcast(self, make_message: Callable[[], Message]) -> None:
        """Send a message to every screen that exists, shown or not, so none goes stale.

        A message can be posted only once, hence a factory that makes one per screen.
        """
        screens = set(self.screen_stack)
        for mode_stack in self._screen_stacks.values():
            screens.update(mode_stack)
        for screen in screens:
            screen.post_message(make_message())

    # -- background refresh ---------------------------------------------------------

    def _background_tick(self) -> None:
        if not self.refreshing:
            self.start_refresh(only_due=True)

    # -- the outbox and the sync server ----------------------------------------------

    def _outbox_tick(self) -> None:
        if not self.refreshing:  # a refresh sends the outbox when it ends
            self.send_outbox_soon(delay=0.0)

    def send_outbox_soon(self, delay: float = OUTBOX_DELAY) -> None:
        """Send the outbox in a moment, in a worker: the UI never waits for a service."""
        settings = self.session.workspace.settings
        if not (settings.bookmarks.enabled or settings.sync.enabled):
            return
        if self._send_timer is not None:
            return  # already on its way; what was just queued goes with it
        if delay <= 0:
            self._send_outbox()  # (a timer of 0 s divides by zero in Textual 8.2.8)
            return
        self._send_timer = self.set_timer(delay, self._start_send)

    def _start_send(self) -> None:
        self._send_timer = None
        self._send_outbox()

    @work(group="outbox", exit_on_error=False)
    async def _send_outbox(self) -> None:
        await self._flush_outbox()

    async def _ensure_refresher(self) -> Any:
        if self._refresher is None:
            from .core.refresh.refresher import Refresher

            workspace = self.session.workspace
            if workspace.transport is None:
                # The HTTP stack (aiohttp, about 110 ms to import) is imported in a thread,
                # after the first frame: keys pressed meanwhile are not held up by it.
                await asyncio.to_thread(_import_http_stack)
            if self._refresher is None:
                self._refresher = Refresher(
                    self.session.store, workspace.settings, transport=workspace.transport
                )
        return self._refresher

    def _lock(self) -> asyncio.Lock:
        if self._outbox_lock is None:
            self._outbox_lock = asyncio.Lock()
        return self._outbox_lock

    async def _flush_outbox(self) -> None:
        """Send what is due, one flush at a time (a refresh's, a sync's and the tick's never
        overlap, so no change is sent twice at once)."""
        from .core.services import send_outbox

        refresher = await self._ensure_refresher()
        async with self._lock():
            reports = await send_outbox(
                self.session.store,
                self.session.workspace.settings,
                refresher.credentials(),
                refresher.fetcher,
            )
        if any(report.sent or report.failed or report.errors for report in reports):
            self.session.outbox_changed()

    def _sync_tick(self) -> None:
        from .core.sync.reconcile import is_due

        if self.syncing:
            return
        settings = self.session.workspace.settings.sync
        if is_due(self.session.store, settings):
            self.start_sync(asked=False)
        elif not self.refreshing:  # a refresh sends the outbox when it ends
            self.send_outbox_soon(delay=0.0)

    def start_sync(self, asked: bool = False) -> None:
        """One sync with the server in a worker: sources, what changed there, what waits."""
        if self.syncing:
            if asked:
                self.notify("A sync is already running.", timeout=3)
            return
        self.syncing = True
        self._run_sync(asked)

    @work(exclusive=True, group="sync", exit_on_error=False)
    async def _run_sync(self, asked: bool) -> None:
        from .core.sync.reconcile import sync_once

        session = self.session
        try:
            refresher = await self._ensure_refresher()
            async with self._lock():
                report = await sync_once(
                    session.store,
                    session.workspace.settings,
                    refresher.credentials(),
                    refresher.fetcher,
                    session.sources,
                    session.edit_synced_sources,
                )
            session.synced(report)
            if report.item_ids:
                await asyncio.to_thread(session.store.index_pending)
        finally:
            self.syncing = False
        if not report.ok:
            if asked:
                self.notify(report.error, title="Sync", severity="warning", markup=False)
        elif asked or report.received.get("new") or report.sources_added:
            self.notify(report.summary(), title="Synced", timeout=5, markup=False)

    def start_refresh(self, only_due: bool = False, urls: list[str] | None = None) -> None:
        """Refresh every source (or only those due, or only ``urls``) in a worker."""
        if self.refreshing:
            self.notify("A refresh is already running.", timeout=3)
            return
        sources = self.session.sources
        if self.session.sync_service:
            # Synced sources' items come from the sync server (start_sync), not from here.
            from .core.sync.local import synced_urls

            synced = synced_urls(self.session.store)
            sources = [s for s in sources if s.url not in synced]
        if urls is not None:
            sources = [s for s in sources if s.url in urls]
        if only_due:
            # Checked here, so a background tick with nothing due leaves the status alone.
            from .core.refresh.schedule import is_due

            now = self.session.now()
            store = self.session.store
            sources = [s for s in sources if is_due(store.state(s.url), now)]
        if not sources:
            return
        self.refreshing = True
        self.refresh_status = "Refreshing…"
        self._run_refresh(sources, only_due)

    @work(exclusive=True, group="refresh", exit_on_error=False)
    async def _run_refresh(self, sources: list[Source], only_due: bool) -> RefreshSummary:
        from .core.refresh.refresher import ProgressEvent

        await self._ensure_refresher()

        def progress(event: ProgressEvent) -> None:
            self.refresh_status = f"Refreshing {event.done}/{event.total}"
            self.broadcast(lambda: SourceRefreshed(event.url, event.new_items, event.outcome))

        summary: RefreshSummary = await self._refresher.refresh(
            sources, only_due=only_due, on_progress=progress
        )
        await self._flush_outbox()
        if summary.new_items:
            # Now, in the background, rather than when the user next searches.
            await asyncio.to_thread(self.session.store.index_pending)
        return summary

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "refresh":
            return
        if event.state == WorkerState.SUCCESS:
            summary = cast("RefreshSummary", event.worker.result)
            self.refreshing = False
            if self._sync_asked:
                self._sync_asked = False
                self.start_sync(asked=False)
            self.refresh_status = _summary_line(summary)
            self._name_unnamed_sources()
            self._queue_new_episodes()
            if summary.new_items:
                self._learn_kinds()
            self.broadcast(lambda: RefreshFinished(summary))
            if summary.new_items:
                self.notify(
                    f"{summary.new_items} new item{'s' * (summary.new_items != 1)}"
                    + (f"; {summary.failed} feeds failed" if summary.failed else ""),
                    title="Refreshed",
                    timeout=5,
                )
        elif event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self.refreshing = False
            error = event.worker.error
            problem = _store_error_in(error) if error is not None else None
            if isinstance(problem, StoreDamaged):
                self._handle_exception(problem)
                return
            if problem is not None:
                # A full disk: nothing could be stored, and the error itself cannot be
                # kept with the sources either, so the screen is where it is said.
                self.refresh_status = f"Refresh stopped: {problem.headline}"
            else:
                self.refresh_status = f"Refresh stopped: {error}" if error else "Refresh cancelled"
            if error is not None:
                self.notify(f"The refresh stopped: {error}", severity="error", markup=False)

    def _learn_kinds(self) -> None:
        """Sources whose first fetch brought audio become podcasts (refresh/kinds.py)."""
        import copy

        from .core.refresh.kinds import learn_kinds
        from .core.session import NotSaved
        from .core.storage.portfolio_edit import Edit, UpdateEntry

        session = self.session
        if session.read_only:
            return
        states = session.store.states(counts=False)
        sources = copy.deepcopy(session.portfolio.sources)
        changed = learn_kinds(session.store, sources, states)
        if not changed:
            return
        names = [s.title for s in sources if s.url in changed]
        edits: list[Edit] = [
            UpdateEntry("sources", url, {"kind": "podcast"}, {"kind": "blog"}) for url in changed
        ]
        try:
            session.apply_edits(
                "sources",
                f"Made {len(changed)} source{'s' * (len(changed) != 1)} podcasts: "
                f"their feeds carry audio ({', '.join(names)})",
                edits,
            )
        except (NotSaved, OSError) as exc:
            self.notify(f"Could not mark the new podcasts: {exc}", markup=False)

    def _queue_new_episodes(self) -> None:
        """Sources with ``download = "new"`` have their new episodes queued."""
        if not self.downloads:
            return
        wanted = [source for source in self.session.sources if source.downloads_new]
        if not wanted:
            return
        podcasts = self.session.podcasts
        queued: list[int] = []

        def queue_them() -> None:
            queued.extend(podcasts.queue_new(wanted))
            podcasts.remove_played()

        self._podcast_write(queue_them)
        if queued:
            self.notify(
                f"Downloading {len(queued)} new episode{'s' * (len(queued) != 1)}.", timeout=4
            )

    def _name_unnamed_sources(self) -> None:
        from .core.session import NotSaved
        from .core.storage.portfolio_edit import NameSources

        session = self.session
        if session.read_only or all(source.name for source in session.sources):
            return
        titles = {url: state.feed_title for url, state in session.store.states().items()}
        unnamed = [s.url for s in session.sources if not s.name and titles.get(s.url)]
        if unnamed:
            try:
                session.apply_edits(
                    "sources",
                    f"Named {len(unnamed)} sources after their feeds",
                    [NameSources(titles)],
                    sources=unnamed,
                )
            except (NotSaved, OSError) as exc:
                self.notify(f"Could not name the new sources: {exc}", markup=False)

    async def on_unmount(self) -> None:
        if self._refresher is not None:
            await self._refresher.close()
        if self.session.podcasts_started is not None:
            # The player stops, its position saved; downloads stay queued for next time.
            await self.session.podcasts_started.aclose()
        self.session.close()


def _import_http_stack() -> None:
    import aiohttp  # noqa: F401 - imported for later use, off the event loop
    import httpx_aiohttp  # noqa: F401


def _summary_line(summary: RefreshSummary) -> str:
    parts = [f"{summary.ok} ok", f"{summary.not_modified} unchanged"]
    if summary.failed:
        parts.append(f"{summary.failed} failed")
    clock = time.strftime("%H:%M")
    return f"Refreshed at {clock}: " + ", ".join(parts) + f"; {summary.new_items} new"


def check_ui_settings(settings: Any, path: Any) -> None:
    """The settings only the app can check, refused as every settings mistake is (file,
    line, key): a ``[keys]`` rebinding that leaves an action with no key, and a theme
    that does not exist."""
    from textual.theme import BUILTIN_THEMES

    from .core.config import key_line

    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        text = ""
    for action, message in keys.keymap_problems(settings.keys):
        raise ConfigError(path, message, line=key_line(text, "keys", action), key=f"keys.{action}")
    if settings.ui.theme not in BUILTIN_THEMES:
        raise ConfigError(
            path,
            f"no theme is called {settings.ui.theme!r}; themes are "
            + ", ".join(sorted(BUILTIN_THEMES)),
            line=key_line(text, "ui", "theme"),
            key="ui.theme",
        )


def _store_error_in(error: BaseException) -> StoreError | None:
    """The StoreError that ``error`` is, wraps (a worker's WorkerFailed) or was raised
    from, if any."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, StoreError):
            return current
        seen.add(id(current))
        wrapped = getattr(current, "error", None)
        current = wrapped if isinstance(wrapped, BaseException) else current.__cause__
    return None


def run_app(demo: bool = False) -> int:
    """Open the app: the demo when asked for, or when there is no portfolio yet."""
    try:
        use_demo = demo or not paths.portfolio_path().exists()
        workspace: Workspace = demo_workspace() if use_demo else user_workspace()
        check_ui_settings(workspace.settings, paths.settings_path())
        session = Session(workspace)
    except (ConfigError, StoreError) as exc:
        print(f"folio: {exc}", file=sys.stderr)
        return 2
    app = FolioApp(session, freeze_start_up=True)
    app.run()
    if app.store_failure is not None:
        print(f"folio: {app.store_failure}", file=sys.stderr)
    return app.return_code or 0
