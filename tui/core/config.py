"""settings.toml: read only, optional, every key with a default.

The shipped ``config/settings.toml`` documents each key. Unknown keys and wrong types are
refused with the file, the line and the key, so a typo never silently does nothing.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import tomli


class ConfigError(Exception):
    """A settings or portfolio file is wrong. ``str()`` is the one-line message for users."""

    def __init__(self, path: Path | str, message: str, line: int | None = None, key: str = ""):
        self.path = Path(path)
        self.line = line
        self.key = key
        self.message = message
        where = f"{self.path}:{line}" if line else str(self.path)
        super().__init__(f"{where}: {key + ': ' if key else ''}{message}")


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


MIN_INTERVAL = 60.0
"""The shortest refresh interval: a minute."""
MAX_INTERVAL = 366 * 86400.0
"""The longest refresh interval: a year. Longer ones overflowed the scheduler's dates."""
INTERVAL_RANGE = "from 1m (a minute) to 366d (a year)"


@functools.lru_cache(maxsize=256, typed=True)  # asked again for every source; typed: True is not 1
def parse_duration(value: str | int | float) -> float:
    """Seconds in ``"90s"``, ``"30m"``, ``"2h"``, ``"1d"``, ``"1w"`` or a bare number."""
    if isinstance(value, bool):
        raise ValueError('expected a duration such as "30m"')
    if isinstance(value, int | float):
        try:
            seconds = float(value)
        except OverflowError:  # an int too large for a float
            seconds = math.inf
    else:
        match = _DURATION.match(value)
        if not match:
            raise ValueError(f'expected a duration such as "30m" or "2h", not {value!r}')
        seconds = float(match.group(1)) * _UNITS[match.group(2)]
    if not math.isfinite(seconds):
        raise ValueError(f"{value!r} is not a finite duration")
    if seconds <= 0:
        raise ValueError("a duration must be more than zero")
    return seconds


def parse_interval(value: str | int | float) -> float:
    """A refresh interval's seconds: a duration from a minute to a year."""
    try:
        seconds = parse_duration(value)
    except ValueError:
        raise ValueError(
            f'expected a duration such as "30m" or "2h", {INTERVAL_RANGE}, not {value!r}'
        ) from None
    if not MIN_INTERVAL <= seconds <= MAX_INTERVAL:
        raise ValueError(f"an interval must be {INTERVAL_RANGE}, not {value!r}")
    return seconds


WINDOW_RANGE = "from a day to ten years"


def parse_window(value: str | int | float) -> float:
    """The seconds of ``[output] window``: a duration from a day to ten years."""
    try:
        seconds = parse_duration(value)
    except ValueError:
        raise ValueError(
            f'expected a duration such as "90d" or "12w", {WINDOW_RANGE}, not {value!r}'
        ) from None
    if not 86400 <= seconds <= 3653 * 86400:
        raise ValueError(f"the window must be {WINDOW_RANGE}, not {value!r}")
    return seconds


def format_duration(seconds: float) -> str:
    for unit in ("w", "d", "h", "m"):
        if seconds >= _UNITS[unit] and seconds % _UNITS[unit] == 0:
            return f"{int(seconds // _UNITS[unit])}{unit}"
    return f"{int(seconds)}s"


@dataclass
class RefreshSettings:
    """The ``[refresh]`` section of settings.toml."""

    max_connections: int = 32
    """Requests in flight at once, over all hosts."""
    max_per_host: int = 4
    """Requests in flight at once to one host."""
    timeout: float = 20.0
    """Seconds one source may take, connect to last byte."""
    connect_timeout: float = 10.0
    """Seconds to open a connection."""
    max_body_mb: int = 16
    """Largest decompressed feed body, in MB; a larger one is a feed error."""
    interval: str = "30m"
    """Default refresh interval; a source's own ``interval`` overrides it."""
    auto: bool = True
    """Whether the app refreshes in the background on each source's schedule."""
    processes: int = 0
    """Parser processes ``folio refresh`` uses beside its own; 0: one per core."""

    @property
    def interval_seconds(self) -> float:
        return parse_interval(self.interval)


@dataclass
class UISettings:
    """The ``[ui]`` section of settings.toml."""

    theme: str = "textual-dark"
    """A Textual theme name; the command palette can switch it for the session."""
    browser: str = ""
    """Command to open links, e.g. "firefox"; empty means $BROWSER or the system opener."""
    inbox_recent: str = "2d"
    """The Inbox lists what was published this recently first (grouped by the matrix's
    quadrants, newest first), then everything older (grouped the same way)."""


BOOKMARK_SERVICES: dict[str, str] = {
    "linkding": "linkding",
    "shaarli": "Shaarli",
    "pinboard": "Pinboard",
}
"""The bookmark services folio can use, by their name in settings.toml, with their names
for people."""

PINBOARD_API = "https://api.pinboard.in/v1/"


@dataclass
class BookmarkSettings:
    """The ``[bookmarks]`` section of settings.toml: the service ``b`` saves bookmarks to."""

    service: str = ""
    """"linkding", "shaarli" or "pinboard"; empty: bookmarks stay in folio."""
    url: str = ""
    """The service's address (linkding's or Shaarli's own; Pinboard's API by default)."""
    user: str = ""
    """Pinboard's user name, when the token is given without it (user:TOKEN)."""

    @property
    def enabled(self) -> bool:
        return bool(self.service)

    @property
    def label(self) -> str:
        """The service's name for people: "linkding"."""
        return BOOKMARK_SERVICES.get(self.service, self.service)

    @property
    def base_url(self) -> str:
        """The service's address with one trailing slash (Pinboard's API by default)."""
        url = self.url or (PINBOARD_API if self.service == "pinboard" else "")
        return url.rstrip("/") + "/" if url else ""


@dataclass
class ApiSettings:
    """The ``[apis]`` section of settings.toml: where each web API is, and how much of it a
    refresh reads. A Mastodon account's API is its own instance, named in its address."""

    bluesky: str = "https://public.api.bsky.app"
    """Bluesky's public AppView (getAuthorFeed, getProfile)."""
    hackernews_algolia: str = "https://hn.algolia.com/api/v1"
    """Hacker News search by Algolia (a user's stories with points and comments)."""
    hackernews: str = "https://hacker-news.firebaseio.com/v0"
    """The official Hacker News API (front page, best, newest lists and their items)."""
    github: str = "https://api.github.com"
    """GitHub's REST API (stars, forks, release downloads)."""
    github_web: str = "https://github.com"
    """GitHub's web site (releases.atom and a user's .atom feed)."""
    youtube: str = "https://www.youtube.com"
    """YouTube's web site (channel feeds, and channel pages for an @handle)."""
    lobsters: str = "https://lobste.rs"
    """Lobsters (a user's stories, the front page and newest as JSON)."""
    recent_days: int = 90
    """Posts this recent are read at each refresh of your own accounts, for their counts."""
    max_pages: int = 10
    """Most pages one API source may read in one refresh (e.g. 10 × 40 Mastodon posts)."""


API_URL_KEYS = ("bluesky", "hackernews_algolia", "hackernews", "github", "github_web", "youtube",
                "lobsters")  # fmt: skip


SYNC_SERVICES: dict[str, str] = {
    "miniflux": "Miniflux",
    "greader": "Google Reader API",
}
"""The feed servers folio syncs with, by their name in settings.toml, with their names for
people. "greader" is FreshRSS's dialect of the Google Reader API, which Miniflux, Inoreader,
The Old Reader and BazQux speak too."""


@dataclass
class SyncSettings:
    """The ``[sync]`` section of settings.toml: the feed server folio keeps in step with."""

    service: str = ""
    """"miniflux" or "greader"; empty: folio syncs with nothing."""
    url: str = ""
    """The server's API address: Miniflux's own address, or the Google Reader API's
    (FreshRSS: https://freshrss.example.net/api/greader.php)."""
    user: str = ""
    """The account's user name: needed for the Google Reader API; for Miniflux only when
    the secret is the account's password rather than an API token."""
    interval: str = "10m"
    """How often the app pulls what changed on the server."""
    later_label: str = "Read later"
    """The label that holds "save for later" on a Google Reader API server (FreshRSS's
    labels); empty keeps "later" in folio only. Miniflux has no place for it."""

    @property
    def enabled(self) -> bool:
        return bool(self.service)

    @property
    def label(self) -> str:
        """The service's name for people: "Miniflux"."""
        return SYNC_SERVICES.get(self.service, self.service)

    @property
    def base_url(self) -> str:
        """The API address with one trailing slash."""
        return self.url.rstrip("/") + "/" if self.url else ""

    @property
    def interval_seconds(self) -> float:
        return parse_duration(self.interval)


def _default_player() -> list[str]:
    return ["mpv", "--no-video"]


@dataclass
class PodcastSettings:
    """The ``[podcasts]`` section of settings.toml."""

    folder: str = ""
    """Where episodes are saved, one folder per feed; empty means
    ``$XDG_DATA_HOME/folio/podcasts``. ``~`` is the home folder."""
    max_downloads: int = 2
    """Downloads that run at once; the others wait in the queue."""
    player: list[str] = field(default_factory=_default_player)
    """The player's program and options, as a list (never a shell command). folio adds the
    start position (for mpv, vlc and mplayer), then ``--`` and the file or URL."""
    remove_played_after: str = "0"
    """Delete a played episode's file this long after it was played, e.g. ``"7d"``;
    ``"0"`` keeps files until you delete them."""

    @property
    def remove_played_seconds(self) -> float | None:
        """Seconds after which played files go, or None to keep them."""
        if self.remove_played_after.strip() in ("0", ""):
            return None
        return parse_duration(self.remove_played_after)


@dataclass
class OutputSettings:
    """The ``[output]`` section of settings.toml: how the user's own output is measured."""

    window: str = "90d"
    """How far back "My output" and ``folio output`` count posts; older posts are left out."""

    @property
    def window_seconds(self) -> float:
        return parse_window(self.window)


@dataclass
class Settings:
    """All of settings.toml, each section with its defaults."""

    refresh: RefreshSettings = field(default_factory=RefreshSettings)
    ui: UISettings = field(default_factory=UISettings)
    bookmarks: BookmarkSettings = field(default_factory=BookmarkSettings)
    apis: ApiSettings = field(default_factory=ApiSettings)
    sync: SyncSettings = field(default_factory=SyncSettings)
    podcasts: PodcastSettings = field(default_factory=PodcastSettings)
    output: OutputSettings = field(default_factory=OutputSettings)
    keys: dict[str, str] = field(default_factory=dict)
    """Action name to key(s), e.g. ``star = "X"`` or ``move_down = "j,ctrl+n"``."""


KEY_ACTIONS: frozenset[str] = frozenset(
    {
        "show_dashboard",
        "show_matrix",
        "show_roadmap",
        "show_sources",
        "show_output",
        "refresh",
        "search",
        "help",
        "quit",
        "move_down",
        "move_up",
        "page_down",
        "page_up",
        "first",
        "last",
        "open_item",
        "toggle_read",
        "star",
        "save_later",
        "bookmark",
        "open_link",
        "mark_pane_read",
        "undo",
        "value_up",
        "value_down",
        "effort_up",
        "effort_down",
        "edit",
        "new",
        "delete",
        "lane_left",
        "lane_right",
        "cycle_status",
        "timeline",
        "add_source",
        "pane_left",
        "pane_right",
        "switch_pane",
        "reader_back",
        "reader_down",
        "reader_up",
        "reader_page",
        "reader_next",
        "reader_previous",
        "move_left",
        "move_right",
        "read_next",
        "mark_above_read",
        "open_feed",
        "next_list",
        "list_inbox",
        "list_unread",
        "list_starred",
        "list_later",
        "list_bookmarked",
        "list_all",
        "list_new",
        "full_width",
        "list_back",
        "edit_vision",
        "select_source",
        "clear_selection",
        "show_downloads",
        "download",
        "play",
        "pause_playback",
        "stop_playback",
        "seek_back",
        "seek_forward",
        "pause_download",
        "cancel_download",
        "retry_download",
        "toggle_played",
        "output_back",
    }
)
"""The binding ids ``[keys]`` may rebind; tui/keys.py defines them (a test keeps the two equal)."""

RANGES: dict[str, tuple[float, float, str]] = {
    "max_connections": (1, 1024, ""),
    "max_per_host": (1, 64, ""),
    "timeout": (0.1, 600, " seconds"),
    "connect_timeout": (0.1, 600, " seconds"),
    "max_body_mb": (1, 1024, " MB"),
    "processes": (0, 64, " (0: one per core)"),
    "recent_days": (1, 3660, " days"),
    "max_pages": (1, 1000, ""),
    "max_downloads": (1, 32, ""),
}
"""The numbers ``[refresh]`` and ``[apis]`` allow, lowest and highest: beyond them a value is
a typo or breaks folio (``timeout = inf`` hung a refresh on a silent server, ``nan`` failed
every source at once). config/settings.toml lists the same ranges."""


def _out_of_range(key: str, value: float) -> str | None:
    """Why ``value`` is refused for ``key``, or None when it is allowed."""
    if key not in RANGES:
        return None
    low, high, unit = RANGES[key]
    # A TOML integer can have hundreds of digits: compared as it is, never made a float.
    if (isinstance(value, int) or math.isfinite(value)) and low <= value <= high:
        return None
    kind = "a whole number" if isinstance(value, int) else "a number"
    shown = repr(value) if isinstance(value, float) else str(value)
    if len(shown) > 24:
        shown = shown[:20] + "…"
    return f"must be {kind} from {_number(low)} to {_number(high)}{unit}, not {shown}"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def key_line(text: str, section: str | None, key: str) -> int | None:
    """The line of ``key`` inside ``[section]`` (top level when None), for messages."""
    current: str | None = None
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        header = re.match(r"^\[\[?\s*([^\]]+?)\s*\]\]?", stripped)
        if header:
            current = header.group(1)
            if section is not None and current == section and key == "":
                return number
            continue
        if current == section and pattern.match(line):
            return number
    if section is not None:
        return key_line(text, None, section) if key else None
    return None


def toml_syntax_error(path: Path, exc: tomli.TOMLDecodeError) -> ConfigError:
    match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
    message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
    line = int(match.group(1)) if match else None
    return ConfigError(path, f"not valid TOML: {message}", line=line)


def _check_section(path: Path, text: str, name: str, raw: Any, model: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ConfigError(path, "expected a table", line=key_line(text, None, name), key=name)
    known = {f.name: f for f in fields(model)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        line = key_line(text, name, key)
        if key not in known:
            raise ConfigError(
                path,
                f"unknown key; known keys are {', '.join(sorted(known))}",
                line=line,
                key=f"{name}.{key}",
            )
        default = getattr(model(), key)
        expected = type(default)
        ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value, ok = float(value), True
        if not ok:
            raise ConfigError(
                path,
                f"expected {_type_name(expected)}, e.g. {key} = {_example(default)}",
                line=line,
                key=f"{name}.{key}",
            )
        problem = _out_of_range(key, value) if isinstance(value, int | float) else None
        if problem is not None:
            raise ConfigError(path, problem, line=line, key=f"{name}.{key}")
        if name == "apis" and key in API_URL_KEYS and not _is_web_address(value):
            raise ConfigError(
                path,
                f'expected an http:// or https:// address, e.g. {key} = "{default}"',
                line=line,
                key=f"{name}.{key}",
            )
        if name == "output" and key == "window":
            try:
                parse_window(value)
            except ValueError as exc:
                raise ConfigError(path, str(exc), line=line, key=f"{name}.{key}") from None
        if key in ("interval", "inbox_recent"):
            try:
                parse_interval(value)
            except ValueError as exc:
                raise ConfigError(path, str(exc), line=line, key=f"{name}.{key}") from None
        if key == "remove_played_after" and value.strip() not in ("0", ""):
            try:
                parse_duration(value)
            except ValueError as exc:
                raise ConfigError(
                    path, f'{exc}; "0" keeps the files', line=line, key=f"{name}.{key}"
                ) from None
        if key == "player" and (not value or not all(isinstance(v, str) and v for v in value)):
            raise ConfigError(
                path,
                "expected the program and its options as a list of strings, e.g. "
                'player = ["mpv", "--no-video"]',
                line=line,
                key=f"{name}.{key}",
            )
        values[key] = value
    return values


def _is_web_address(value: str) -> bool:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _type_name(kind: type) -> str:
    return {
        bool: "true or false",
        int: "a whole number",
        float: "a number",
        str: "a string",
        list: "a list of strings",
    }.get(kind, kind.__name__)


def _example(default: Any) -> str:
    if isinstance(default, bool):
        return "true" if default else "false"
    if isinstance(default, str):
        return f'"{default}"'
    if isinstance(default, list):
        return "[" + ", ".join(f'"{value}"' for value in default) + "]"
    return str(default)


def parse_settings(text: str, path: Path) -> Settings:
    try:
        raw = tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        raise toml_syntax_error(path, exc) from None
    settings = Settings()
    for name, value in raw.items():
        if name == "refresh":
            settings.refresh = RefreshSettings(
                **_check_section(path, text, name, value, RefreshSettings)
            )
        elif name == "ui":
            settings.ui = UISettings(**_check_section(path, text, name, value, UISettings))
        elif name == "sync":
            settings.sync = _sync_settings(
                path, text, _check_section(path, text, name, value, SyncSettings)
            )
        elif name == "bookmarks":
            settings.bookmarks = _bookmark_settings(
                path, text, _check_section(path, text, name, value, BookmarkSettings)
            )
        elif name == "apis":
            apis = _check_section(path, text, name, value, ApiSettings)
            for key in API_URL_KEYS:
                if key in apis:
                    apis[key] = apis[key].rstrip("/")
            settings.apis = ApiSettings(**apis)
        elif name == "podcasts":
            settings.podcasts = PodcastSettings(
                **_check_section(path, text, name, value, PodcastSettings)
            )
        elif name == "output":
            settings.output = OutputSettings(
                **_check_section(path, text, name, value, OutputSettings)
            )
        elif name == "keys":
            if not isinstance(value, dict):
                raise ConfigError(
                    path, "expected a table", line=key_line(text, None, name), key=name
                )
            for action, keys in value.items():
                if action not in KEY_ACTIONS:
                    raise ConfigError(
                        path,
                        "unknown action; the help screen (?) lists every action's name",
                        line=key_line(text, name, action),
                        key=f"keys.{action}",
                    )
                if not isinstance(keys, str) or not keys.strip():
                    raise ConfigError(
                        path,
                        'expected a string of keys, e.g. star = "X" or move_down = "j,down"',
                        line=key_line(text, name, action),
                        key=f"keys.{action}",
                    )
            settings.keys = dict(value)
        else:
            raise ConfigError(
                path,
                "unknown section; known sections are "
                "[refresh], [ui], [apis], [bookmarks], [sync], [podcasts], [output] and [keys]",
                line=key_line(text, name, ""),
                key=name,
            )
    return settings


def _web_address_problem(url: str, what: str, example: str) -> str:
    """Why ``url`` is not the plain http(s) address of a ``what`` ("" when it is)."""
    from urllib.parse import urlsplit

    scheme, host, rest = "", None, ""
    try:
        parts = urlsplit(url)
        scheme, host, rest = parts.scheme, parts.hostname, parts.query + parts.fragment
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        host = None
    if scheme not in ("http", "https") or not host:
        return f'expected the {what}\'s web address, e.g. url = "https://{example}"'
    if rest:
        return f"expected the {what}'s address without ?query or #fragment"
    return ""


def _bookmark_settings(path: Path, text: str, values: dict[str, Any]) -> BookmarkSettings:
    """``[bookmarks]`` checked as a whole: a known service, and an address it can use."""
    settings = BookmarkSettings(**values)

    def refuse(key: str, message: str) -> ConfigError:
        return ConfigError(
            path, message, line=key_line(text, "bookmarks", key), key=f"bookmarks.{key}"
        )

    if settings.service and settings.service not in BOOKMARK_SERVICES:
        known = ", ".join(f'"{name}"' for name in BOOKMARK_SERVICES)
        raise refuse("service", f"unknown service; folio knows {known}")
    if settings.url:
        if problem := _web_address_problem(settings.url, "service", "links.example.org"):
            raise refuse("url", problem)
    elif settings.service in ("linkding", "shaarli"):
        raise refuse(
            "service" if "url" not in values else "url",
            f'{settings.label} needs its address too: url = "https://…"',
        )
    if settings.user and ":" in settings.user:
        raise refuse("user", "expected the user name alone, without a colon")
    return settings


def _sync_settings(path: Path, text: str, values: dict[str, Any]) -> SyncSettings:
    """``[sync]`` checked as a whole: a known service, the address of its API, and the user
    name where the service needs one."""
    settings = SyncSettings(**values)

    def refuse(key: str, message: str) -> ConfigError:
        return ConfigError(path, message, line=key_line(text, "sync", key), key=f"sync.{key}")

    if settings.service and settings.service not in SYNC_SERVICES:
        known = ", ".join(f'"{name}"' for name in SYNC_SERVICES)
        raise refuse("service", f"unknown service; folio syncs with {known}")
    if settings.url:
        if problem := _web_address_problem(settings.url, "server", "rss.example.org"):
            raise refuse("url", problem)
    elif settings.service:
        raise refuse(
            "service" if "url" not in values else "url",
            f'{settings.label} needs its address too: url = "https://…"',
        )
    if settings.service == "greader" and not settings.user:
        raise refuse(
            "service" if "user" not in values else "user",
            'the Google Reader API needs the account\'s user name too: user = "…"',
        )
    if settings.user and ("/" in settings.user or ":" in settings.user):
        raise refuse("user", "expected the user name alone, without / or :")
    if "\n" in settings.later_label or "/" in settings.later_label:
        raise refuse("later_label", "expected a label name on one line, without /")
    return settings


def load_settings(path: Path) -> Settings:
    """Read ``settings.toml``; a missing file means every default."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, f"cannot read the file: {exc}") from None
    return parse_settings(text, path)
