"""The key footer every screen shows: Textual's, rebuilt only when its keys change."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import HorizontalGroup
from textual.screen import Screen
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey

PINNED_ACTIONS = ("app.help", "app.search", "help", "search")
"""Keys the footer keeps at its right end, beside the palette's, at any width: however
many keys a screen has, the ones that explain it (help) and find anything (search) are
never cut off."""


class Footer(TextualFooter):
    """Textual's ``Footer``, which skips rebuilding when it would show the same keys.

    Textual's rebuilds every key of the footer whenever its screen's bindings *may* have
    changed: on each focus change, and each time the screen comes back from another one.
    Every new key then restyles itself (its ``compact`` binding), so on the dashboard, with
    some twenty keys, a rebuild took about 40 ms: closing the reader missed the 50 ms a key
    press may take to reach the screen. This footer remembers what it shows and rebuilds
    only when that changes (a key disabled, rebound, or one that comes or goes).
    """

    DEFAULT_CSS = """
    Footer .pinned-keys {
        dock: right;
        width: auto;
        height: 1;
        border-left: vkey $foreground 20%;
        FooterKey.-pinned { margin-right: 1; }
        FooterKey.-command-palette { dock: none; margin-right: 0; }
    }
    """

    _shown: tuple[object, ...] | None = None

    def _keys(self, screen: Screen[object]) -> tuple[object, ...]:
        # What the footer draws: the keys it shows (and the command palette's), each with
        # whether it is enabled and its tooltip. Hidden keys and the node that owns a key are
        # left out: focus moving between widgets that show the same keys changes those only.
        palette = screen.app.COMMAND_PALETTE_BINDING
        return tuple(
            (key, binding, enabled, tooltip)
            for key, (_, binding, enabled, tooltip) in screen.active_bindings.items()
            if binding.show or key == palette
        )

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._shown = self._keys(self.screen)
        pinned: list[FooterKey] = []
        for widget in super().compose():
            if isinstance(widget, FooterKey) and (
                widget.action in PINNED_ACTIONS or widget.has_class("-command-palette")
            ):
                widget.add_class("-pinned")
                pinned.append(widget)
                continue
            yield widget
        if pinned:
            # One group docked right: docked widgets on the same edge would overlap.
            yield HorizontalGroup(*pinned, classes="pinned-keys")

    def bindings_changed(self, screen: Screen[object]) -> None:
        if (
            self._shown is not None
            and screen.app.app_focus
            and self.is_attached
            and screen is self.screen
            and self._keys(screen) == self._shown
        ):
            return
        super().bindings_changed(screen)
