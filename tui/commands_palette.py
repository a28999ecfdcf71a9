"""Command palette (ctrl+p) entries for every app action, so no feature needs a key.

Each entry names its current key in the help text (after the user's ``[keys]``), so the
palette also teaches the keys. Register it on the app with::

    COMMANDS = App.COMMANDS | {FolioCommands}
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape

from . import keys
from .screens.help import key_display

PALETTE_NAMES = {
    "show_dashboard": "Dashboard",
    "show_matrix": "Matrix",
    "show_roadmap": "Roadmap",
    "show_sources": "Sources",
    "show_output": "My output",
    "show_downloads": "Downloads",
    "refresh": "Refresh now",
    "search": "Search",
    "help": "Help: keys",
    "quit": "Quit",
}
"""Palette names for the global bindings, by binding id."""


@dataclass
class Command:
    name: str
    help: str
    """Textual reads a hit's help as markup: anything from settings goes through escape()."""
    run: Callable[[], Any]


class FolioCommands(Provider):
    """The app's global actions, the current screen's own actions, and each theme."""

    def commands(self) -> Iterator[Command]:
        """Every command, each name once (a screen key that repeats a global one is left
        out)."""
        seen: set[str] = set()
        for command in self._commands():
            if command.name not in seen:
                seen.add(command.name)
                yield command

    def _commands(self) -> Iterator[Command]:
        app = self.app
        for binding in keys.GLOBAL:
            assert isinstance(binding, Binding)
            name = PALETTE_NAMES.get(binding.id or "", binding.description)
            what = binding.tooltip or binding.description
            yield Command(
                name,
                f"{what} (key: {escape(key_display(app, binding))})",
                partial(app.run_action, binding.action),
            )
        playing = getattr(app, "session", None)
        podcasts = playing.podcasts_started if playing is not None else None
        if podcasts is not None and podcasts.playback is not None:
            for binding in keys.PLAYBACK:
                assert isinstance(binding, Binding)
                yield Command(
                    f"Player: {binding.description}",
                    f"The episode playing (key: {escape(key_display(app, binding))})",
                    partial(app.run_action, binding.action),
                )
        # The screen the palette was opened from: its own keys, e.g. "Add" on Sources.
        screen = self.screen
        screen_name = type(screen).__name__.removesuffix("Screen")
        global_ids = {b.id for b in keys.GLOBAL if isinstance(b, Binding)}
        for binding in getattr(type(screen), "BINDINGS", []):
            if not isinstance(binding, Binding) or not binding.show:
                continue
            if binding.id in global_ids or binding.action.startswith("app."):
                continue
            yield Command(
                f"{screen_name}: {binding.description}",
                f"On this screen (key: {escape(key_display(app, binding))})",
                partial(screen.run_action, binding.action),
            )
        # The lists of items, from anywhere (their keys work on the dashboard and the lists).
        for binding in keys.LISTS:
            assert isinstance(binding, Binding)
            if binding.id == "next_list":
                continue
            yield Command(
                f"List: {binding.description}",
                f"Show this list of items (key: {escape(key_display(app, binding))})",
                partial(app.run_action, f"app.{binding.action}"),
            )
        session = getattr(app, "session", None)
        if session is not None and session.bookmark_service:
            service = escape(session.bookmark_service)
            yield Command(
                "Bookmarks: retry refused",
                f"Send the bookmark changes {service} refused once more (after fixing the token)",
                partial(app.run_action, "retry_bookmarks"),
            )
            yield Command(
                "Bookmarks: send now",
                f"Send the bookmark changes waiting for {service} now, without waiting",
                partial(app.run_action, "send_bookmarks"),
            )
        if session is not None and session.sync_service:
            service = escape(session.sync_service)
            yield Command(
                "Sync: sync now",
                f"Send the changes waiting for {service} and pull what changed there",
                partial(app.run_action, "sync_now"),
            )
            yield Command(
                "Sync: retry refused changes",
                f"Send the changes {service} refused once more (after fixing the token)",
                partial(app.run_action, "retry_sync"),
            )
        if session is not None and session.workspace.demo:
            yield Command(
                "Demo: keep as my portfolio",
                "Copy the demo's sources, matrix and roadmap to your own portfolio.toml",
                partial(app.run_action, "keep_demo"),
            )
        for theme in sorted(app.available_themes):
            yield Command(
                f"Theme: {theme}",
                "Switch to this theme for this session (set ui.theme to keep it)",
                partial(setattr, app, "theme", theme),
            )

    async def discover(self) -> Hits:
        for command in self.commands():
            if not command.name.startswith("Theme: "):
                yield DiscoveryHit(command.name, command.run, help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self.commands():
            score = matcher.match(command.name)
            if score > 0:
                yield Hit(score, matcher.highlight(command.name), command.run, help=command.help)
