"""The help screen: every key, grouped, as it is bound now (after the user's ``[keys]``).

The lists come from tui/keys.py, the same data the screens bind, so help cannot drift
from the real keys. Each binding's id is shown because ``[keys]`` rebinds by id.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from .. import keys

GROUPS: tuple[tuple[str, list[BindingType]], ...] = (
    ("Everywhere", keys.GLOBAL),
    ("Moving", [*keys.MOVE, *keys.SIDEWAYS]),
    ("Triage (dashboard, lists and reader)", keys.TRIAGE),
    ("Lists of items (dashboard and lists)", [*keys.LISTS, *keys.LIST_SCREEN]),
    ("Episodes (dashboard, reader, Downloads)", keys.EPISODE),
    ("While an episode plays (everywhere)", keys.PLAYBACK),
    ("Downloads (6)", keys.DOWNLOADS),
    ("Board panes and the Inbox", [*keys.PANES, *keys.DASHBOARD]),
    ("Reader", keys.READER),
    ("Matrix", keys.MATRIX),
    ("Roadmap", keys.ROADMAP),
    ("Sources", keys.SOURCES),
    ("My output", keys.OUTPUT),
)

KEY_WIDTH = 16
ACTION_WIDTH = 24


def current_keys(app: App[object], binding: Binding) -> list[str]:
    """The keys that trigger ``binding`` now: the user's keymap wins over the default.

    Textual keeps the keymap given to ``set_keymap`` in ``App._keymap`` (normalised key
    names) and offers no public getter in 8.2.8, so it is read from there.
    """
    keymap: dict[str, str] = getattr(app, "_keymap", {}) or {}
    raw = keymap.get(binding.id or "") or binding.key
    return [key.strip() for key in raw.split(",") if key.strip()]


def key_display(app: App[object], binding: Binding) -> str:
    """The current keys of ``binding`` as the footer writes them, e.g. ``"j, ↓"``."""
    return ", ".join(app.get_key_display(Binding(key, "")) for key in current_keys(app, binding))


def _bindings(group: list[BindingType]) -> list[Binding]:
    return [binding for binding in group if isinstance(binding, Binding)]


class HelpScreen(ModalScreen[None]):
    """Every key binding, grouped; Escape, q or ? closes it."""

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > #help {
        width: 72;
        max-width: 100%;
        height: 100%;
        max-height: 100%;
        border: round $accent;
        border-title-color: $text;
        background: $surface;
        padding: 0 1;
    }
    HelpScreen .heading {
        margin-top: 1;
        text-style: bold;
        color: $accent;
    }
    HelpScreen .note {
        margin-top: 1;
        color: $text-muted;
    }
    """

    # The ids tie these to the user's keymap, so a rebound help or quit key closes it too.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("question_mark", "close", "Close", show=False, id="help"),
        Binding("q", "close", "Close", show=False, id="quit"),
        Binding("j,down", "scroll(1)", "Down", show=False, id="move_down"),
        Binding("k,up", "scroll(-1)", "Up", show=False, id="move_up"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help") as body:
            body.border_title = "Keys"
            body.border_subtitle = "esc closes"
            for title, group in GROUPS:
                yield Static(title, classes="heading")
                yield Static(self.group_text(_bindings(group)), classes="group")
            yield Static(self.note_text(), classes="note")

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#help"))

    def group_text(self, bindings: list[Binding]) -> Content:
        """One line per binding: keys, what it does, and the id to rebind it with."""
        lines = []
        for binding in bindings:
            # Keys may come from the user's settings.toml: plain text, never markup.
            lines.append(
                Content.assemble(
                    (key_display(self.app, binding).ljust(KEY_WIDTH - 1) + " ", "bold"),
                    (binding.description or binding.action).ljust(ACTION_WIDTH - 1) + " ",
                    (binding.id or "", "$text-muted"),
                )
            )
        return Content("\n").join(lines)

    @staticmethod
    def note_text() -> Content:
        return Content(
            "Rebind any key by its id (the right-hand column) in the [keys] table of\n"
            "settings.toml, e.g.\n"
            "\n"
            "    [keys]\n"
            '    star = "X"\n'
            '    move_down = "j,ctrl+n"\n'
            "\n"
            "ctrl+p opens the command palette, which lists every action as well.\n"
            "In forms: tab moves, enter saves, escape cancels."
        )

    def action_close(self) -> None:
        self.dismiss(None)

    def action_scroll(self, lines: int) -> None:
        self.query_one("#help", VerticalScroll).scroll_relative(y=lines, animate=False)
