"""Every key binding, as data. Each has an id, so ``[keys]`` in settings.toml can rebind
it (``star = "X"``); the help screen and the footer read these same lists."""

from __future__ import annotations

from textual.binding import Binding, BindingType

GLOBAL: list[BindingType] = [
    Binding("1", "show('dashboard')", "Dashboard", id="show_dashboard"),
    Binding("2", "show('matrix')", "Matrix", id="show_matrix"),
    Binding("3", "show('roadmap')", "Roadmap", id="show_roadmap"),
    Binding("4", "show('sources')", "Sources", id="show_sources"),
    Binding("5", "show('output')", "My output", id="show_output"),
    # Not in the footer: help and the palette list it.
    Binding("6", "show('downloads')", "Downloads", show=False, id="show_downloads"),
    Binding("R", "refresh_now", "Refresh", id="refresh"),
    Binding("slash", "search", "Search", id="search"),
    Binding("question_mark", "help", "Help", id="help"),
    Binding("q", "quit", "Quit", id="quit"),
]

MOVE: list[BindingType] = [
    Binding("j,down", "cursor_down", "Down", show=False, id="move_down"),
    Binding("k,up", "cursor_up", "Up", show=False, id="move_up"),
    Binding("pagedown", "page_down", "Page down", show=False, id="page_down"),
    Binding("pageup", "page_up", "Page up", show=False, id="page_up"),
    Binding("home,g", "first", "First", show=False, id="first"),
    Binding("end,G", "last", "Last", show=False, id="last"),
]

SIDEWAYS: list[BindingType] = [
    # Across quadrants on the matrix, across lanes on the roadmap.
    Binding("left,h", "move('left')", "Left", show=False, id="move_left"),
    Binding("right,l", "move('right')", "Right", show=False, id="move_right"),
]

PANES: list[BindingType] = [
    # "l" would be the natural partner of "h", but TRIAGE gives it to save-for-later.
    Binding("left,h", "pane(-1)", "Pane left", show=False, id="pane_left"),
    Binding("right", "pane(1)", "Pane right", show=False, id="pane_right"),
    Binding("tab", "switch_pane", "Board/Inbox", id="switch_pane"),
]

READER: list[BindingType] = [
    # A screen binding wins over the app's, so q closes the reader instead of quitting.
    Binding("escape,q", "back", "Back", id="reader_back"),
    Binding("j", "scroll(1)", "Down", show=False, id="reader_down"),
    Binding("k", "scroll(-1)", "Up", show=False, id="reader_up"),
    Binding("space", "page(1)", "Page", show=False, id="reader_page"),
    Binding("n", "step(1)", "Next", id="reader_next"),
    Binding("p", "step(-1)", "Previous", id="reader_previous"),
]

TRIAGE: list[BindingType] = [
    Binding("enter", "open_item", "Read", id="open_item"),
    # newsboat's N: the item is done with, on to the next one still unread.
    Binding("N", "read_next", "Read+next", id="read_next"),
    Binding("r", "toggle('read')", "Read/unread", id="toggle_read"),
    Binding("s", "toggle('starred')", "Star", id="star"),
    Binding("l", "toggle('saved')", "Later", id="save_later"),
    Binding(
        "b",
        "bookmark",
        "Bookmark",
        id="bookmark",
        tooltip="Bookmark the item (on the bookmark service too); again to remove it",
    ),
    Binding("o", "open_link", "Open", id="open_link"),
    Binding("m", "mark_pane_read", "Mark feed read", id="mark_pane_read"),
    Binding("M", "mark_above_read", "Mark above read", show=False, id="mark_above_read"),
    Binding("f", "open_feed", "Whole feed", id="open_feed"),
    Binding("u", "undo", "Undo", id="undo"),
]

EPISODE: list[BindingType] = [
    # On an item with an episode (dashboard, lists, reader). Not in the footer: offered only
    # on episodes, they made it rebuild (40-80 ms) whenever the cursor went from an episode
    # to a post. The help lists them, the reader says them under an episode, and on anything
    # else they say there is no episode.
    Binding("d", "download", "Download", id="download", show=False),
    Binding("P", "play", "Play", id="play", show=False),
]

PLAYBACK: list[BindingType] = [
    # Everywhere while an episode plays (the player runs in the background).
    Binding("Z", "pause_playback", "Pause", id="pause_playback"),
    Binding("S", "stop_playback", "Stop", id="stop_playback"),
    Binding("less_than_sign", "seek(-10)", "-10 s", id="seek_back"),
    Binding("greater_than_sign", "seek(30)", "+30 s", id="seek_forward"),
]

DOWNLOADS: list[BindingType] = [
    Binding("space", "pause_download", "Pause/resume", id="pause_download"),
    Binding("x", "cancel_download", "Cancel/delete", id="cancel_download"),
    Binding("r", "retry_download", "Retry", id="retry_download"),
    Binding("P", "play", "Play", id="play"),
    Binding("m", "toggle_played", "Played", id="toggle_played"),
]

LISTS: list[BindingType] = [
    # Upper case for the list of what the lower-case key flags: l saves for later, L lists
    # them (S stops playback, so the starred are *).
    Binding("v", "next_list", "Lists", id="next_list"),
    Binding("I", "show_list('inbox')", "Inbox", show=False, id="list_inbox"),
    Binding("U", "show_list('unread')", "Unread", show=False, id="list_unread"),
    Binding("asterisk", "show_list('starred')", "Starred", show=False, id="list_starred"),
    Binding("L", "show_list('saved')", "Later", show=False, id="list_later"),
    Binding("B", "show_list('bookmarked')", "Bookmarked", show=False, id="list_bookmarked"),
    Binding("A", "show_list('all')", "All items", show=False, id="list_all"),
    Binding("W", "show_list('new')", "New since I last looked", show=False, id="list_new"),
]

DASHBOARD: list[BindingType] = [
    Binding("z", "full_width", "Full width", id="full_width"),
]

LIST_SCREEN: list[BindingType] = [
    Binding("escape,q", "back", "Back", id="list_back"),
]

MATRIX: list[BindingType] = [
    Binding("shift+up", "score('value', 1)", "Value +1", id="value_up"),
    Binding("shift+down", "score('value', -1)", "Value -1", id="value_down"),
    Binding("shift+right", "score('effort', 1)", "Effort +1", id="effort_up"),
    Binding("shift+left", "score('effort', -1)", "Effort -1", id="effort_down"),
    Binding("enter", "edit", "Edit", id="edit"),
    Binding("n", "new", "New", id="new"),
    Binding("d", "delete", "Delete", id="delete"),
    Binding("u", "undo", "Undo", id="undo"),
]

ROADMAP: list[BindingType] = [
    Binding("shift+left", "lane(-1)", "Lane ←", id="lane_left"),
    Binding("shift+right", "lane(1)", "Lane →", id="lane_right"),
    Binding("s", "cycle_status", "Status", id="cycle_status"),
    Binding("enter", "edit", "Edit", id="edit"),
    Binding("n", "new", "New", id="new"),
    Binding("d", "delete", "Delete", id="delete"),
    Binding("u", "undo", "Undo", id="undo"),
    Binding("t", "timeline", "Timeline", id="timeline"),
    Binding("w", "vision", "Vision", id="edit_vision"),
]

SOURCES: list[BindingType] = [
    Binding("a", "add_source", "Add", id="add_source"),
    Binding("enter,e", "edit", "Edit", id="edit"),
    Binding("space", "mark", "Select", id="select_source"),
    Binding("d", "delete", "Delete", id="delete"),
    Binding("u", "undo", "Undo", id="undo"),
    Binding("escape", "clear_marks", "Clear selection", show=False, id="clear_selection"),
]


OUTPUT: list[BindingType] = [
    # The ids are the dashboard's: a user who rebinds opening an item rebinds it here too.
    Binding("enter", "open_item", "Posts/Read", id="open_item"),
    Binding("o", "open_link", "Open", id="open_link"),
    Binding("tab", "switch_pane", "Sources/Posts", id="switch_pane"),
    Binding("escape", "back", "Back", show=False, id="output_back"),
]
ALL_GROUPS: tuple[list[BindingType], ...] = (
    GLOBAL, MOVE, SIDEWAYS, PANES, READER, TRIAGE, LISTS, DASHBOARD, LIST_SCREEN,
    EPISODE, PLAYBACK, DOWNLOADS, MATRIX, ROADMAP, SOURCES, OUTPUT,
)  # fmt: skip


def binding_ids() -> set[str]:
    ids = set()
    for group in ALL_GROUPS:
        for binding in group:
            assert isinstance(binding, Binding) and binding.id
            ids.add(binding.id)
    return ids


def _pick(group: list[BindingType], *ids: str) -> list[BindingType]:
    return [b for b in group if isinstance(b, Binding) and b.id in ids]


READER_TRIAGE_IDS = (
    "read_next", "toggle_read", "star", "save_later", "bookmark", "open_link", "undo",
)  # fmt: skip
"""The triage keys the reader has too."""

# What each screen and widget binds: the keys that share one node, where ``[keys]`` may
# take a key from one action to give it to another.
DASHBOARD_SCREEN: list[BindingType] = [
    *TRIAGE,
    *EPISODE,
    *LISTS,
    *_pick(PANES, "switch_pane"),
    *DASHBOARD,
]
LIST_SCREEN_KEYS: list[BindingType] = [*LIST_SCREEN, *TRIAGE, *EPISODE, *LISTS]
READER_SCREEN: list[BindingType] = [*READER, *_pick(TRIAGE, *READER_TRIAGE_IDS), *EPISODE]
BOARD: list[BindingType] = [*MOVE, *_pick(PANES, "pane_left", "pane_right")]
GRID: list[BindingType] = [*MOVE, *SIDEWAYS]
SOURCES_SCREEN: list[BindingType] = [*SOURCES, *MOVE]

NODES: dict[str, list[BindingType]] = {
    "everywhere": [*GLOBAL, *PLAYBACK],
    "dashboard": DASHBOARD_SCREEN,
    "board": BOARD,
    "Inbox and lists": MOVE,
    "list screen": LIST_SCREEN_KEYS,
    "reader": READER_SCREEN,
    "matrix": MATRIX,
    "matrix grid": GRID,
    "roadmap": ROADMAP,
    "roadmap board": GRID,
    "sources": SOURCES_SCREEN,
}


def keymap_problems(keymap: dict[str, str]) -> list[tuple[str, str]]:
    """What a ``[keys]`` keymap would break, as (action it names, sentence): a key given
    to one action is taken from any other action bound to it on the same screen, and an
    action left with no key at all could no longer be used."""
    from textual.binding import BindingsMap

    problems: list[tuple[str, str]] = []
    for where, group in NODES.items():
        bindings = [b for b in group if isinstance(b, Binding)]
        applied = BindingsMap(bindings)
        applied.apply_keymap(keymap)
        left = {b.id for bound in applied.key_to_bindings.values() for b in bound}
        for binding in bindings:
            if binding.id in left or binding.id is None:
                continue
            lost = [key.strip() for key in binding.key.split(",")]
            taker = next(
                (
                    action
                    for action, keys in keymap.items()
                    if action != binding.id and set(lost) & {k.strip() for k in keys.split(",")}
                ),
                binding.id,
            )
            message = (
                f"takes {', '.join(repr(k) for k in lost)} from {binding.id} "
                f'("{binding.description}", {where}), which would have no key left; '
                f"give {binding.id} another key as well"
            )
            if (taker, message) not in problems:
                problems.append((taker, message))
    return problems
