"""settings.toml: read only, optional, every key with a default.

The shipped ``config/settings.toml`` documents each key. Unknown keys and wrong types are
refused with the file, the line and the key, so a typo never silently does nothing.
"""

from __future__ import annotations

import functools
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


@functools.lru_cache(maxsize=256, typed=True)  # asked again for every source; typed: True is not 1
def parse_duration(value: str | int | float) -> float:
    """Seconds in ``"90s"``, ``"30m"``, ``"2h"``, ``"1d"``, ``"1w"`` or a bare number."""
    if isinstance(value, bool):
        raise ValueError('expected a duration such as "30m"')
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        match = _DURATION.match(value)
        if not match:
            raise ValueError(f'expected a duration such as "30m" or "2h", not {value!r}')
        seconds = float(match.group(1)) * _UNITS[match.group(2)]
    if seconds <= 0:
        raise ValueError("a duration must be more than zero")
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
        return parse_duration(self.interval)


@dataclass
class UISettings:
    """The ``[ui]`` section of settings.toml."""

    theme: str = "textual-dark"
    """A Textual theme name; the command palette can switch it for the session."""
    browser: str = ""
    """Command to open links, e.g. "firefox"; empty means $BROWSER or the system opener."""


@dataclass
class OutputSettings:
    """The ``[output]`` section of settings.toml: how the user's own output is measured."""

    window: str = "90d"
    """How far back "My output" and ``folio output`` count posts; older posts are left out."""

    @property
    def window_seconds(self) -> float:
        return parse_duration(self.window)


@dataclass
class Settings:
    """All of settings.toml, each section with its defaults."""

    refresh: RefreshSettings = field(default_factory=RefreshSettings)
    ui: UISettings = field(default_factory=UISettings)
    output: OutputSettings = field(default_factory=OutputSettings)
    keys: dict[str, str] = field(default_factory=dict)
    """Action name to key(s), e.g. ``star = "S"`` or ``move_down = "j,ctrl+n"``."""


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
        "output_back",
    }
)
"""The binding ids ``[keys]`` may rebind; tui/keys.py defines them (a test keeps the two equal)."""

_POSITIVE_INTS = {"max_connections", "max_per_host", "max_body_mb"}
_POSITIVE_FLOATS = {"timeout", "connect_timeout"}


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
        if (key in _POSITIVE_INTS or key in _POSITIVE_FLOATS) and value <= 0:
            raise ConfigError(path, "must be more than zero", line=line, key=f"{name}.{key}")
        if key == "processes" and value < 0:
            raise ConfigError(path, "must be 0 (automatic) or more", line=line, key=f"{name}.{key}")
        if key in ("interval", "window"):
            try:
                parse_duration(value)
            except ValueError as exc:
                raise ConfigError(path, str(exc), line=line, key=f"{name}.{key}") from None
        values[key] = value
    return values


def _type_name(kind: type) -> str:
    return {bool: "true or false", int: "a whole number", float: "a number", str: "a string"}.get(
        kind, kind.__name__
    )


def _example(default: Any) -> str:
    if isinstance(default, bool):
        return "true" if default else "false"
    if isinstance(default, str):
        return f'"{default}"'
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
                        'expected a string of keys, e.g. star = "S" or move_down = "j,down"',
                        line=key_line(text, name, action),
                        key=f"keys.{action}",
                    )
            settings.keys = dict(value)
        else:
            raise ConfigError(
                path,
                "unknown section; known sections are [refresh], [ui], [output] and [keys]",
                line=key_line(text, name, ""),
                key=name,
            )
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
