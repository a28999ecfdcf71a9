"""The key footer every screen shows: Textual's, rebuilt only when its keys change."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer as TextualFooter


class Footer(TextualFooter):
    """Textual's ``Footer``, which skips rebuilding when it would show the same keys.

    Textual's rebuilds every key of the footer whenever its screen's bindings *may* have
    changed: on each focus change, and each time the screen comes back from another one.
    Every new key then restyles itself (its ``compact`` binding), so on the dashboard, with
    some twenty keys, a rebuild took about 40 ms: closing the reader missed the 50 ms a key
    press may take to reach the screen. This footer remembers what it shows and rebuilds
    only when that changes (a key disabled, rebound, or one that comes or goes).
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
        yield from super().compose()

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
