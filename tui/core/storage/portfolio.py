"""portfolio.toml: the user's sources, priority matrix, roadmap and vision.

The file is the user's: written by hand and by folio. Here it is read and validated (a
hand edit with a mistake is refused with the file, line and key, and the file is left as
it is), and written whole, with tomli-w in a stable key order, for a new file. Changes to
an existing file go through ``portfolio_edit``, which keeps the user's comments and layout.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli
import tomli_w

from tui.core.config import ConfigError, key_line, parse_interval, toml_syntax_error
from tui.core.ingest.text import clean_line
from tui.core.models import KINDS, Source
from tui.core.planning.measures import check_metric, parse_target
from tui.core.storage.atomic import file_lock, write_atomic

LANES: tuple[str, ...] = ("now", "next", "later", "done")
STATUSES: tuple[str, ...] = ("idea", "trying", "adopted", "dropped")


@dataclass
class MatrixAxes:
    """Names for the matrix's axes and quadrants; ``[matrix_axes]`` may rename them."""

    value: str = "Value"
    effort: str = "Effort"
    quick_wins: str = "Quick wins"
    """High value, low effort."""
    big_bets: str = "Big bets"
    """High value, high effort."""
    fill_ins: str = "Fill-ins"
    """Low value, low effort."""
    drop: str = "Drop"
    """Low value, high effort."""


@dataclass
class MatrixEntry:
    """One platform or source in the priority matrix, scored for value and effort."""

    id: str
    name: str = ""
    notes: str = ""
    value: int = 3
    """1 to 5, the vertical axis."""
    effort: int = 3
    """1 to 5, the horizontal axis."""
    sources: list[str] = field(default_factory=list)
    """Source URLs or tags this entry covers."""


@dataclass
class Experiment:
    """One card of the roadmap: an experiment towards the vision."""

    id: str
    title: str = ""
    hypothesis: str = ""
    measure: str = ""
    lane: str = "next"
    status: str = "idea"
    start: dt.date | None = None
    review: dt.date | None = None
    links: list[str] = field(default_factory=list)
    """Matrix ids or source URLs."""
    metric: str = ""
    """A measure folio computes on the linked own sources, such as ``"replies/post"``
    (``planning.measures.MEASURES``); empty for none. ``measure`` stays free text."""


@dataclass
class Portfolio:
    """Everything in portfolio.toml."""

    sources: list[Source] = field(default_factory=list)
    vision: str = ""
    matrix: list[MatrixEntry] = field(default_factory=list)
    roadmap: list[Experiment] = field(default_factory=list)
    matrix_axes: MatrixAxes | None = None

    def source(self, url: str) -> Source | None:
        return next((s for s in self.sources if s.url == url), None)


BACKUPS = 5
"""Dated backups of portfolio.toml kept beside it (``portfolio.toml.bak.<time>``)."""

MAX_NAME = 200
"""Characters of a feed's title that folio copies into portfolio.toml as a source name."""


def source_name(title: str) -> str:
    """A feed's title made fit to be a source name in the user's file: one line, with no
    control or bidi characters, at most ``MAX_NAME`` characters (cut with an ellipsis)."""
    name = clean_line(title)
    if len(name) > MAX_NAME:
        name = name[: MAX_NAME - 1].rstrip() + "…"
    return name


def name_from_feeds(portfolio: Portfolio, feed_titles: dict[str, str]) -> int:
    """Give sources without a name their feed's own title (a newsboat ``urls`` file names
    none); returns how many were named. Names the user chose are never touched."""
    named = 0
    for source in portfolio.sources:
        title = source_name(feed_titles.get(source.url, ""))
        if not source.name and title:
            source.name = title
            named += 1
    return named


# -- reading ----------------------------------------------------------------------------

_SOURCE_KEYS = {
    "url": str,
    "name": str,
    "kind": str,
    "tags": list,
    "mine": bool,
    "interval": str,
    "api": str,
    "download": str,
    "target": str,
}
DOWNLOAD_CHOICES: tuple[str, ...] = ("new", "none")
"""Values of a source's ``download``: queue new episodes as they arrive, or never."""
_MATRIX_KEYS = {
    "id": str,
    "name": str,
    "notes": str,
    "value": int,
    "effort": int,
    "sources": list,
}
_ROADMAP_KEYS = {
    "id": str,
    "title": str,
    "hypothesis": str,
    "measure": str,
    "lane": str,
    "status": str,
    "start": dt.date,
    "review": dt.date,
    "links": list,
    "metric": str,
}
_TYPE_WORDS = {
    str: "a string",
    list: "a list of strings",
    bool: "true or false",
    int: "a whole number",
    dt.date: "a date such as 2026-12-01",
}


class _Reader:
    """Validates the parsed TOML, turning each mistake into a ConfigError with its line."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text

    def fail(self, table: str | None, key: str, message: str, index: int | None = None) -> None:
        line = self._line(table, key, index)
        label = f"{table}[{index}].{key}" if table and index is not None else key
        raise ConfigError(self.path, message, line=line, key=label)

    def _line(self, table: str | None, key: str, index: int | None) -> int | None:
        """Find ``key`` inside the index-th ``[[table]]``, or at top level."""
        if table is None or index is None:
            return key_line(self.text, None, key)
        seen = -1
        header_line = None
        for number, line in enumerate(self.text.splitlines(), start=1):
            stripped = line.strip()
            if stripped.startswith("["):
                # A header may carry a comment: [[sources]]  # my own blog
                if stripped.split("#", 1)[0].replace(" ", "") == f"[[{table}]]":
                    seen += 1
                    if seen == index:
                        header_line = number
                    elif seen > index:
                        break
                elif seen == index:
                    break
                continue
            if seen == index and stripped.split("=", 1)[0].strip().strip("\"'") == key:
                return number
        return header_line

    def table(self, raw: dict[str, Any], name: str, index: int, spec: dict[str, type]) -> None:
        for key, value in raw.items():
            if key not in spec:
                self.fail(name, key, f"unknown key; known keys are {', '.join(spec)}", index)
            kind = spec[key]
            ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
            if kind is dt.date and isinstance(value, dt.datetime):
                ok = False
            if kind is list and ok:
                ok = all(isinstance(v, str) for v in value)
            if not ok:
                self.fail(name, key, f"expected {_TYPE_WORDS[kind]}", index)

    def text_or_fail(self, raw: dict[str, Any], name: str, index: int, key: str) -> str:
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            self.fail(name, key, "is required and must be a non-empty string", index)
        assert isinstance(value, str)
        return value


def _require_list(reader: _Reader, raw: dict[str, Any], name: str) -> list[dict[str, Any]]:
    value = raw.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        reader.fail(None, name, f"expected [[{name}]] tables")
    return list(value)


def parse_portfolio(text: str, path: Path) -> Portfolio:
    try:
        raw = tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        raise toml_syntax_error(path, exc) from None
    reader = _Reader(path, text)
    known = {"vision", "sources", "matrix", "roadmap", "matrix_axes"}
    for key in raw:
        if key not in known:
            reader.fail(None, key, f"unknown key; known keys are {', '.join(sorted(known))}")
    vision = raw.get("vision", "")
    if not isinstance(vision, str):
        reader.fail(None, "vision", "expected a string")

    portfolio = Portfolio(vision=vision)
    seen_urls: set[str] = set()
    for index, entry in enumerate(_require_list(reader, raw, "sources")):
        reader.table(entry, "sources", index, _SOURCE_KEYS)
        url = reader.text_or_fail(entry, "sources", index, "url")
        if not url.startswith(("http://", "https://")):
            reader.fail("sources", "url", "must be an http:// or https:// URL", index)
        if url in seen_urls:
            reader.fail("sources", "url", f"{url} is listed twice", index)
        seen_urls.add(url)
        kind = entry.get("kind", "blog")
        if kind not in KINDS:
            reader.fail("sources", "kind", f"expected one of {', '.join(KINDS)}", index)
        api = entry.get("api", "")
        if api:
            from tui.core.sources.base import known_apis

            if api not in known_apis():
                reader.fail("sources", "api", f"expected one of {', '.join(known_apis())}", index)
        interval = entry.get("interval")
        if interval is not None:
            try:
                parse_interval(interval)
            except ValueError as exc:
                reader.fail("sources", "interval", str(exc), index)
        download = entry.get("download", "")
        if download and download not in DOWNLOAD_CHOICES:
            reader.fail(
                "sources",
                "download",
                'expected "new" (queue new episodes as they arrive) or "none"',
                index,
            )
        if entry.get("target"):
            try:
                parse_target(entry["target"])
            except ValueError as exc:
                reader.fail("sources", "target", str(exc), index)
        portfolio.sources.append(
            Source(
                url=url,
                name=entry.get("name", ""),
                kind=kind,
                tags=list(entry.get("tags", [])),
                mine=entry.get("mine", False),
                interval=interval,
                api=entry.get("api", ""),
                download=download,
                target=entry.get("target", ""),
            )
        )

    ids: set[str] = set()
    for index, entry in enumerate(_require_list(reader, raw, "matrix")):
        reader.table(entry, "matrix", index, _MATRIX_KEYS)
        entry_id = reader.text_or_fail(entry, "matrix", index, "id")
        if entry_id in ids:
            reader.fail("matrix", "id", f"{entry_id!r} is used twice", index)
        ids.add(entry_id)
        for score in ("value", "effort"):
            if not 1 <= entry.get(score, 3) <= 5:
                reader.fail("matrix", score, "expected a whole number from 1 to 5", index)
        portfolio.matrix.append(MatrixEntry(**entry))

    ids = set()
    for index, entry in enumerate(_require_list(reader, raw, "roadmap")):
        reader.table(entry, "roadmap", index, _ROADMAP_KEYS)
        entry_id = reader.text_or_fail(entry, "roadmap", index, "id")
        if entry_id in ids:
            reader.fail("roadmap", "id", f"{entry_id!r} is used twice", index)
        ids.add(entry_id)
        if entry.get("lane", "next") not in LANES:
            reader.fail("roadmap", "lane", f"expected one of {', '.join(LANES)}", index)
        if entry.get("status", "idea") not in STATUSES:
            reader.fail("roadmap", "status", f"expected one of {', '.join(STATUSES)}", index)
        if entry.get("metric"):
            try:
                check_metric(entry["metric"])
            except ValueError as exc:
                reader.fail("roadmap", "metric", str(exc), index)
        portfolio.roadmap.append(Experiment(**entry))

    axes = raw.get("matrix_axes")
    if axes is not None:
        if not isinstance(axes, dict):
            reader.fail(None, "matrix_axes", "expected a table")
        spec = {name: str for name in MatrixAxes.__dataclass_fields__}
        for key, value in axes.items():
            if key not in spec or not isinstance(value, str):
                raise ConfigError(
                    path,
                    f"expected a string; known keys are {', '.join(spec)}",
                    line=key_line(text, "matrix_axes", key),
                    key=f"matrix_axes.{key}",
                )
        portfolio.matrix_axes = MatrixAxes(**axes)
    return portfolio


def load_portfolio(path: Path) -> Portfolio:
    """Read ``portfolio.toml``; a missing file is an empty portfolio."""
    return parse_portfolio(read_text(path), path)


# -- reading, and noticing changes -------------------------------------------------------

Entry = Source | MatrixEntry | Experiment

SECTIONS: dict[str, str] = {"sources": "url", "matrix": "id", "roadmap": "id"}
"""Each list of tables in the file, and the key that names one of its entries."""


def entries_of(portfolio: Portfolio, section: str) -> list[Any]:
    entries: list[Any] = getattr(portfolio, section)
    return entries


def key_of(section: str, entry: Entry) -> str:
    value: str = getattr(entry, SECTIONS[section])
    return value


def describe_changes(before: Portfolio, after: Portfolio) -> str:
    """What differs, in a few words: "2 sources added, 1 changed; the vision changed"."""
    nouns = {
        "sources": ("source", "sources"),
        "matrix": ("matrix entry", "matrix entries"),
        "roadmap": ("experiment", "experiments"),
    }
    parts: list[str] = []
    for section, (one, many) in nouns.items():
        old = {key_of(section, e): e for e in entries_of(before, section)}
        new = {key_of(section, e): e for e in entries_of(after, section)}
        counts = [
            (sum(key not in old for key in new), "added"),
            (sum(key not in new for key in old), "removed"),
            (sum(key in new and new[key] != entry for key, entry in old.items()), "changed"),
        ]
        words = [f"{n} {what}" for n, what in counts if n]
        if words:
            first = next(n for n, _ in counts if n)
            count, what = words[0].split(" ", 1)
            words[0] = f"{count} {one if first == 1 else many} {what}"
            parts.append(", ".join(words))
    if before.vision != after.vision:
        parts.append("the vision changed")
    if before.matrix_axes != after.matrix_axes:
        parts.append("the matrix axes changed")
    return "; ".join(parts)


Signature = tuple[int, int, int, int]
"""What says a file changed without reading it: device, inode, size, modification time."""


def file_signature(path: Path) -> Signature | None:
    """The file's signature (through a symbolic link), or None when there is no file."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


@dataclass
class Snapshot:
    """The portfolio as read at one moment, and the file's signature just before."""

    portfolio: Portfolio
    signature: Signature | None


def read_text(path: Path) -> str:
    """The file's text; "" when there is none (an empty portfolio)."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, f"cannot read the file: {exc}") from None


def read_snapshot(path: Path) -> Snapshot:
    """Read and validate the file; a missing file is an empty portfolio. The signature is
    taken first, so a change made while reading shows up as a change next time."""
    signature = file_signature(path)
    return Snapshot(parse_portfolio(read_text(path), path), signature)


# -- writing ----------------------------------------------------------------------------


def source_fields(source: Source) -> dict[str, Any]:
    """A source as the keys of its ``[[sources]]`` table, in the order folio writes them."""
    table: dict[str, Any] = {
        "url": source.url,
        "name": source.name,
        "kind": source.kind,
        "tags": list(source.tags),
        "mine": source.mine,
    }
    if source.interval:
        table["interval"] = source.interval
    if source.api:
        table["api"] = source.api
    if source.download:
        table["download"] = source.download
    if source.target:
        table["target"] = source.target
    return table


def matrix_fields(entry: MatrixEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "name": entry.name,
        "notes": entry.notes,
        "value": entry.value,
        "effort": entry.effort,
        "sources": list(entry.sources),
    }


def experiment_fields(experiment: Experiment) -> dict[str, Any]:
    """An experiment's keys; a date that is not set is left out (TOML has no null)."""
    table: dict[str, Any] = {
        "id": experiment.id,
        "title": experiment.title,
        "hypothesis": experiment.hypothesis,
        "measure": experiment.measure,
        "lane": experiment.lane,
        "status": experiment.status,
        "start": experiment.start,
        "review": experiment.review,
        "links": list(experiment.links),
        "metric": experiment.metric or None,
    }
    return {key: value for key, value in table.items() if value is not None}


def _dumps(table: dict[str, Any]) -> str:
    """Long text reads best as multi-line strings, but inside one tomli-w writes a CR LF
    as a bare LF; text holding a CR is written escaped instead, so it survives exactly."""
    texts = [v for value in table.values() for v in (value if isinstance(value, list) else [value])]
    has_cr = any("\r" in text for text in texts if isinstance(text, str))
    return tomli_w.dumps(table, multiline_strings=not has_cr)


def portfolio_to_toml(portfolio: Portfolio) -> str:
    """The file text, keys always in the same order so diffs stay small.

    Each table is serialised by tomli-w; the ``[[sources]]``-style headers are laid out
    here because tomli-w would inline short tables, which is harder to edit by hand.
    """
    parts = [_dumps({"vision": portfolio.vision})]
    if portfolio.matrix_axes is not None:
        parts.append("[matrix_axes]\n" + tomli_w.dumps(dict(portfolio.matrix_axes.__dict__)))
    tables: list[tuple[str, dict[str, Any]]] = [
        ("sources", source_fields(s)) for s in portfolio.sources
    ]
    tables += [("matrix", matrix_fields(m)) for m in portfolio.matrix]
    tables += [("roadmap", experiment_fields(e)) for e in portfolio.roadmap]
    for name, table in tables:
        parts.append(f"[[{name}]]\n" + _dumps(table))
    return "\n".join(parts)


def save_portfolio(path: Path, portfolio: Portfolio) -> None:
    """Write the whole file anew (a new portfolio, tests). The user's existing file is
    changed with ``portfolio_edit.apply_edits``, which keeps what this would lose."""
    with file_lock(path):
        write_atomic(path, portfolio_to_toml(portfolio).encode("utf-8"), keep_backups=BACKUPS)
