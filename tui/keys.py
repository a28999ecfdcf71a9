"""Every key binding, as data. Each has an id, so ``[keys]`` in settings.toml can rebind
it (``star = "S"``); the help screen and the footer read these same lists."""

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
    Binding("m", "mark_pane_read", "Mark pane read", id="mark_pane_read"),
    Binding("u", "undo", "Undo", id="undo"),
]

EPISODE: list[BindingType] = [
    # On an item with an episode (dashboard, reader, Downloads); the footer shows them then.
    Binding("d", "download", "Download", id="download"),
    Binding("P", "play", "Play", id="play"),
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
]

SOURCES: list[BindingType] = [
    Binding("a", "add_source", "Add", id="add_source"),
    Binding("enter,e", "edit", "Edit", id="edit"),
    Binding("d", "delete", "Delete", id="delete"),
    Binding("u", "undo", "Undo", id="undo"),
]


OUTPUT: list[BindingType] = [
    # The ids are the dashboard's: a user who rebinds opening an item rebinds it here too.
    Binding("enter", "open_item", "Posts/Read", id="open_item"),
    Binding("o", "open_link", "Open", id="open_link"),
    Binding("tab", "switch_pane", "Sources/Posts", id="switch_pane"),
    Binding("escape", "back", "Back", show=False, id="output_back"),
]


def binding_ids() -> set[str]:
    ids = set()
    groups = (GLOBAL, MOVE, SIDEWAYS, PANES, READER, TRIAGE, EPISODE, PLAYBACK, DOWNLOADS)
    for group in (*groups, MATRIX, ROADMAP, SOURCES, OUTPUT):
        for binding in group:
            assert isinstance(binding, Binding) and binding.id
            ids.add(binding.id)
    return ids
