"""Changes to portfolio.toml, made as operations on the file as it is on disk.

Several writers share the file: the app, each ``folio`` command, and the user's editor.
So no writer saves "its" portfolio. Each takes the file's lock, reads the file as it is
now, applies only its own change to it (an ``Edit``: add, update or delete one entry,
set the vision), and writes it back atomically, all under the lock. What anyone else
changed is kept. Undo is an edit too: each edit returns its inverse, computed from the
file it was applied to, never a stale copy.

The document is edited with tomlkit, so the user's comments, blank lines, order and
formatting survive; only the lines of the changed entry differ. After each change the
new text is parsed and validated like any hand edit, and must equal the portfolio the
edits meant to make: if tomlkit ever rearranged something else, nothing is written.
"""

from __future__ import annotations

import copy
import dataclasses
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w
import tomlkit
import tomlkit.exceptions
from tomlkit.container import Container
from tomlkit.items import AoT, Array, Comment, InlineTable, Item, Table, Whitespace
from tomlkit.toml_document import TOMLDocument

from tui.core.config import ConfigError
from tui.core.models import Source
from tui.core.storage.atomic import file_lock, write_atomic
from tui.core.storage.portfolio import (
    BACKUPS,
    SECTIONS,
    Entry,
    Experiment,
    MatrixEntry,
    Portfolio,
    Signature,
    entries_of,
    experiment_fields,
    file_signature,
    key_of,
    matrix_fields,
    parse_portfolio,
    read_text,
    source_fields,
    source_name,
)

_LEFT_OUT_WHEN_EMPTY = {"interval", "api", "target", "metric"}
"""Keys that folio writes only when set (see ``source_fields``, ``experiment_fields``)."""


class EditConflict(Exception):
    """The change no longer fits the file (an entry was removed or changed elsewhere);
    the message says so in words, and nothing was written."""


def entry_fields(section: str, entry: Entry) -> dict[str, Any]:
    if isinstance(entry, Source):
        return source_fields(entry)
    if isinstance(entry, MatrixEntry):
        return matrix_fields(entry)
    return experiment_fields(entry)


def _index_in_model(portfolio: Portfolio, section: str, key: str) -> int | None:
    for index, entry in enumerate(entries_of(portfolio, section)):
        if key_of(section, entry) == key:
            return index
    return None


def _describe(section: str, key: str) -> str:
    what = {"sources": "the source", "matrix": "the matrix entry", "roadmap": "the experiment"}
    return f"{what[section]} {key}"


def _gone(section: str, key: str) -> EditConflict:
    return EditConflict(f"{_describe(section, key)} is no longer in portfolio.toml")


def _default(entry: Entry, name: str) -> Any:
    spec = next(f for f in dataclasses.fields(entry) if f.name == name)
    if spec.default_factory is not dataclasses.MISSING:
        return spec.default_factory()
    return spec.default


def _new_entry(section: str, fields: dict[str, Any]) -> Entry:
    values = copy.deepcopy(fields)
    if section == "sources":
        return Source(**values)
    if section == "matrix":
        return MatrixEntry(**values)
    return Experiment(**values)


# -- tomlkit: values and layout ---------------------------------------------------------


def _value_item(value: Any) -> Item:
    """A TOML value as a tomlkit item. Text goes through tomli-w, whose escaping the
    round-trip tests cover; text with line breaks becomes a multi-line string, as folio
    writes it in a new file. Lists of text stay inline: ``tags = ["a", "b"]``."""
    if isinstance(value, str):
        has_cr = "\r" in value
        text = tomli_w.dumps({"v": value}, multiline_strings=not has_cr)
        parsed = tomlkit.parse(text).item("v")
        assert isinstance(parsed, Item)
        return parsed
    made: Item = tomlkit.item(value)
    return made


def _trailing_start(container: Container) -> int:
    """Where the blank lines and comments at the end of a table begin. In the file they
    come before the next header, so they belong to what follows, not to this table."""
    body = container.body
    index = len(body)
    while index and body[index - 1][0] is None:
        if not isinstance(body[index - 1][1], Whitespace | Comment):
            break
        index -= 1
    return index


def _pop_trailing(table: Table) -> list[Item]:
    body = table.value.body
    start = _trailing_start(table.value)
    trailing = [item for _, item in body[start:]]
    del body[start:]
    return trailing


def _push_trailing(table: Table, items: list[Item]) -> None:
    table.value.body.extend((None, item) for item in items)


def _set_key(table: Table | InlineTable, key: str, value: Any, written: str | None = None) -> None:
    """Set one key, where it is (its comment stays) or at the end of the table.
    ``written`` is the value's own text, when it should be written exactly so."""
    item = _value_item(value)
    if written is not None:
        again = tomlkit.parse(f"v = {written}\n").item("v")
        if isinstance(again, Item) and again.unwrap() == item.unwrap():
            item = again
    if key in table:
        table[key] = item
    elif isinstance(table, Table):
        trailing = _pop_trailing(table)
        table.append(key, item)
        _push_trailing(table, trailing)
    else:
        table.append(key, item)


def _new_table(fields: dict[str, Any]) -> Table:
    table = tomlkit.table()
    for key, value in fields.items():
        table.append(key, _value_item(value))
    return table


def _doc_entries(doc: TOMLDocument, section: str) -> AoT | Array | None:
    found = doc.get(section)
    if found is None:
        return None
    item = doc.item(section)
    if isinstance(item, AoT | Array):
        return item
    raise EditConflict(f"[[{section}]] has a layout folio cannot edit")


def _doc_index(entries: AoT | Array, section: str, key: str) -> int:
    name = SECTIONS[section]
    for index, table in enumerate(entries):
        if isinstance(table, Table | InlineTable) and table.get(name) == key:
            return index
    raise EditConflict(f"{_describe(section, key)} is no longer in portfolio.toml")


def _is_blank(item: Item) -> bool:
    return isinstance(item, Whitespace)


def _insert_table(doc: TOMLDocument, section: str, index: int | None, table: Table) -> None:
    """Insert right after the previous entry's last key: the blank lines and comments
    that introduced the next entry (or the next section) stay just before it."""
    entries = _doc_entries(doc, section)
    if isinstance(entries, Array):
        if len(entries) == 0:
            # ``sources = []`` written by hand: replaced by a list of tables at the end,
            # where no plain key can follow a header and be swallowed by it.
            doc.remove(section)
            entries = None
        else:
            inline = tomlkit.inline_table()
            inline.update(table.unwrap())
            entries.insert(len(entries) if index is None else index, inline)
            return
    if entries is None or len(entries) == 0:
        if entries is not None:
            doc.remove(section)
        if doc.body and not doc.as_string().endswith("\n\n"):
            table.trivia.indent = "\n"
        new_list = tomlkit.aot()
        doc.append(section, new_list)
        new_list.append(table)
        return
    assert isinstance(entries, AoT)
    position = len(entries) if index is None else min(index, len(entries))
    if position == 0:
        following = entries[0]
        table.trivia.indent, following.trivia.indent = following.trivia.indent, ""
        entries.insert(0, table)
        table.value.body.append((None, Whitespace("\n")))
        return
    trailing = _pop_trailing(entries[position - 1])
    table.trivia.indent = "\n"
    entries.insert(position, table)
    _push_trailing(table, trailing)
    if position + 1 < len(entries) and not trailing:
        entries[position + 1].trivia.indent = "\n" + entries[position + 1].trivia.indent


def _remove_table(doc: TOMLDocument, section: str, index: int) -> str:
    """Remove one table; returns its text (with its own comments) for an undo. The
    comments after it introduce what follows, so they stay; one blank line goes with it."""
    entries = _doc_entries(doc, section)
    assert entries is not None
    if isinstance(entries, Array):
        removed_inline = entries[index]
        del entries[index]
        return _table_text(section, _new_table(dict(removed_inline.unwrap())))
    table = entries[index]
    trailing = _pop_trailing(table)
    text = _table_text(section, table)
    # What came before the table (a heading, a blank line) stays and is followed by what
    # came after it, less the blank line that separated the table from it.
    if index == 0:
        before_blank = True
    else:
        body = entries[index - 1].value.body
        before_blank = bool(body) and _is_blank(body[-1][1])
    if before_blank:
        while trailing and _is_blank(trailing[0]):
            trailing.pop(0)
    del entries[index]
    if index < len(entries):
        following = entries[index]
        moved = "".join(item.as_string() for item in trailing)
        lead = table.trivia.indent if index == 0 else ""
        following.trivia.indent = lead + moved + following.trivia.indent
    elif index > 0:
        _push_trailing(entries[index - 1], trailing)
    else:
        doc.remove(section)
        for item in trailing:
            doc.add(item)  # type: ignore[arg-type]
    return text


def _table_text(section: str, table: Table) -> str:
    header = f"[[{section}]]{table.trivia.comment_ws}{table.trivia.comment}\n"
    return header + table.value.as_string()


def _table_from_text(section: str, text: str) -> Table:
    entries = tomlkit.parse(text).item(section)
    assert isinstance(entries, AoT)
    table = entries[0]
    table.trivia.indent = ""
    return table


# -- the edits --------------------------------------------------------------------------


class Edit:
    """One change to the portfolio, applied to the document and to its parsed form."""

    def apply(self, doc: TOMLDocument, portfolio: Portfolio) -> list[Edit]:
        """Change both; returns the edits that undo this one (empty for no change)."""
        raise NotImplementedError


@dataclass
class AddEntry(Edit):
    """Add a source, matrix entry or experiment (at ``index``, or at the end).

    An entry whose key is already in the file is refused, except that a new matrix entry
    or experiment made in the app (``rename_if_taken``) takes the next free id."""

    section: str
    fields: dict[str, Any]
    index: int | None = None
    text: str | None = None
    """The table's own text, with its comments (an undone delete brings them back)."""
    rename_if_taken: bool = False

    @classmethod
    def of(cls, section: str, entry: Entry, **kwargs: Any) -> AddEntry:
        return cls(section, entry_fields(section, entry), **kwargs)

    def apply(self, doc: TOMLDocument, portfolio: Portfolio) -> list[Edit]:
        name = SECTIONS[self.section]
        fields = dict(self.fields)
        key = str(fields[name])
        if _index_in_model(portfolio, self.section, key) is not None:
            if not self.rename_if_taken:
                raise EditConflict(f"{_describe(self.section, key)} is already in portfolio.toml")
            number = 2
            while _index_in_model(portfolio, self.section, f"{key}-{number}") is not None:
                number += 1
            key = fields[name] = f"{key}-{number}"
            self.fields = fields
        if self.text is not None:
            table = _table_from_text(self.section, self.text)
        else:
            table = _new_table(fields)
        _insert_table(doc, self.section, self.index, table)
        entries = entries_of(portfolio, self.section)
        entry = _new_entry(self.section, fields)
        entries.insert(len(entries) if self.index is None else self.index, entry)
        return [DeleteEntry(self.section, key)]


@dataclass
class DeleteEntry(Edit):
    section: str
    key: str

    def apply(self, doc: TOMLDocument, portfolio: Portfolio) -> list[Edit]:
        index = _index_in_model(portfolio, self.section, self.key)
        if index is None:
            raise _gone(self.section, self.key)
        entries = _doc_entries(doc, self.section)
        assert entries is not None
        text = _remove_table(doc, self.section, _doc_index(entries, self.section, self.key))
        removed = entries_of(portfolio, self.section).pop(index)
        fields = entry_fields(self.section, removed)
        return [AddEntry(self.section, fields, index=index, text=text)]


@dataclass
class UpdateEntry(Edit):
    """Set some keys of one entry; a value of None removes the key (a date not set).

    ``expected`` holds what the editor saw before its change: a key that has changed on
    disk since then is a conflict, so a change made elsewhere is never overwritten."""

    section: str
    key: str
    changes: dict[str, Any]
    expected: dict[str, Any] = field(default_factory=dict)
    written: dict[str, str] = field(default_factory=dict)
    """How some of the values were written (an undo puts back ``[ "a",  "b" ]`` as it was)."""

    @classmethod
    def between(cls, section: str, before: Entry, after: Entry) -> UpdateEntry:
        """The keys an edit in the app changed, and what they were."""
        old = dataclasses.asdict(before)
        new = dataclasses.asdict(after)
        changed = {name: new[name] for name in new if new[name] != old[name]}
        expected = {name: old[name] for name in changed}
        return cls(section, key_of(section, before), changed, expected)

    def apply(self, doc: TOMLDocument, portfolio: Portfolio) -> list[Edit]:
        index = _index_in_model(portfolio, self.section, self.key)
        if index is None:
            raise _gone(self.section, self.key)
        entry = entries_of(portfolio, self.section)[index]
        name = SECTIONS[self.section]
        for key, value in self.expected.items():
            if getattr(entry, key) != value:
                raise EditConflict(
                    f"{key} of {_describe(self.section, self.key)} was changed in "
                    "portfolio.toml meanwhile"
                )
        changes = {k: v for k, v in self.changes.items() if getattr(entry, k) != v}
        if not changes:
            return []
        new_key = changes.get(name, self.key)
        if new_key != self.key and _index_in_model(portfolio, self.section, new_key) is not None:
            raise EditConflict(f"{_describe(self.section, new_key)} is already in portfolio.toml")
        entries = _doc_entries(doc, self.section)
        assert entries is not None
        table = entries[_doc_index(entries, self.section, self.key)]
        # A key the file did not have is removed again by the undo, not written out.
        undo_changes = {key: getattr(entry, key) if key in table else None for key in changes}
        undo_written = {
            key: item.as_string()
            for key in changes
            if key in table and isinstance(item := table.item(key), Item)
        }
        for key, value in changes.items():
            if value is None or (key in _LEFT_OUT_WHEN_EMPTY and not value):
                if key in table:
                    del table[key]
                setattr(entry, key, _default(entry, key))
            else:
                _set_key(table, key, value, self.written.get(key))
                setattr(entry, key, copy.deepcopy(value))
        after = {key: getattr(entry, key) for key in changes}
        return [UpdateEntry(self.section, new_key, undo_changes, after, undo_written)]


@dataclass
class AddSources(Edit):
    """Add the sources that are not followed yet (``folio add``, ``folio import``),
    judged against the file as it is now; ``same`` says when two URLs are one feed."""

    sources: Sequence[Source]
    same: Callable[[str], str] = str
    added: list[Source] = field(default_factory=list)
    duplicates: int = 0

    def apply(self, doc: TOMLDocument, portfolio: Portfolio) -> list[Edit]:
        seen = {self.same(source.url) for source in portfolio.sources}
        self.added, self.duplicates = [], 0
        undo: list[Edit] = []
        for source in self.sources:
            key = self.same(source.url)
            if key in seen:
                self.duplicates += 1
                continue
            seen.add(key)
            self.added.append(source)
            undo[:0] = AddEntry.of("sources", source).apply(doc, portfolio)
        return undo


@dataclass
class NameSources(Edit):
    """Give sources that have no name their feed's title (cut to fit). A source the
    user named meanwhile, or removed, is left alone."""

    titles: dict[str, str]
    named: list[str] = field(default_factory=list)

    def apply(self, doc: TOMLDocument, portfolio: Portfolio) -> list[Edit]:
        undo: list[Edit] = []
        self.named = []
        for source in list(portfolio.sources):
            name = source_name(self.titles.get(source.url, ""))
            if source.name or not name:
                continue
            undo[:0] = UpdateEntry("sources", source.url, {"name": name}, {"name": ""}).apply(
                doc, portfolio
            )
            self.named.append(source.url)
        return undo


@dataclass
class SetVision(Edit):
    text: str
    expected: str | None = None

    def apply(self, doc: TOMLDocument, portfolio: Portfolio) -> list[Edit]:
        if self.expected is not None and portfolio.vision != self.expected:
            raise EditConflict("the vision was changed in portfolio.toml meanwhile")
        if portfolio.vision == self.text:
            return []
        old = portfolio.vision
        doc["vision"] = _value_item(self.text)
        portfolio.vision = self.text
        return [SetVision(old, expected=self.text)]


def edits_between(before: Portfolio, after: Portfolio) -> list[Edit]:
    """The edits that turn ``before`` into ``after``: entries added (at the end), removed
    and changed (only the keys that changed), and the vision. For an edit made on a
    copy of the portfolio in memory, to be applied to the file as it is on disk."""
    edits: list[Edit] = []
    if before.matrix_axes != after.matrix_axes:
        raise EditConflict("folio does not edit [matrix_axes]; change it in portfolio.toml")
    for section in SECTIONS:
        old = {key_of(section, e): e for e in entries_of(before, section)}
        new = {key_of(section, e): e for e in entries_of(after, section)}
        edits += [DeleteEntry(section, key) for key in old if key not in new]
        for key, entry in new.items():
            if key not in old:
                edits.append(AddEntry.of(section, entry))
            elif entry != old[key]:
                edits.append(UpdateEntry.between(section, old[key], entry))
    if before.vision != after.vision:
        edits.append(SetVision(after.vision, expected=before.vision))
    return edits


# -- the file ---------------------------------------------------------------------------


@dataclass
class Applied:
    """What ``apply_edits`` did."""

    portfolio: Portfolio
    """The portfolio now on disk: the edits, and whatever others had changed before."""
    found: Portfolio
    """The portfolio as it was on disk before the edits."""
    undo: list[Edit]
    """Apply these (in order) to undo the edits."""
    before: Signature | None
    """The file's signature when it was read under the lock."""
    after: Signature | None
    """Its signature once written."""
    written: bool


# tomlkit parses slowly: 40 ms for the demo's 595 lines, about 0.5 s for 500 sources
# (bench/portfolio_save.py). So the document of the last write (or of ``prepare``) is
# kept, with its text, and used again when the file still holds exactly that text.
_documents: dict[Path, tuple[str, TOMLDocument, Portfolio]] = {}
_documents_lock = threading.Lock()


def _parsed(path: Path, text: str) -> tuple[TOMLDocument, Portfolio]:
    """The document and the validated portfolio of ``text``: kept ones if the text is the
    same, else parsed anew. The entry is taken out: an edit changes the document."""
    with _documents_lock:
        kept = _documents.pop(path, None)
    if kept is not None and kept[0] == text:
        return kept[1], kept[2]
    portfolio = parse_portfolio(text, path)  # a broken file: ConfigError with its line
    try:
        return tomlkit.parse(text), portfolio
    except tomlkit.exceptions.TOMLKitError as exc:
        raise ConfigError(path, f"folio cannot edit this file: {exc}") from None


def _keep(path: Path, text: str, doc: TOMLDocument, portfolio: Portfolio) -> None:
    with _documents_lock:
        _documents[path] = (text, doc, portfolio)
        while len(_documents) > 4:  # one portfolio in a run; tests use many
            del _documents[next(iter(_documents))]


def prepare(path: Path) -> None:
    """Parse the file now (in a thread, say), so that the next edit need not.

    The app calls this when it has read the file: the first edit of a big portfolio then
    takes milliseconds, not half a second of a frozen screen."""
    text = read_text(path)
    with _documents_lock:
        if path in _documents and _documents[path][0] == text:
            return
    try:
        doc, portfolio = _parsed(path, text)
    except ConfigError:
        return
    _keep(path, text, doc, portfolio)


def apply_edits(path: Path, edits: Sequence[Edit], *, keep_backups: int = BACKUPS) -> Applied:
    """Apply ``edits`` to the file as it is now, under its lock, and write it atomically.

    Raises ConfigError when the file on disk is broken (nothing is written) and
    EditConflict when an edit no longer fits it.
    """
    with file_lock(path):
        before = file_signature(path)
        text = read_text(path)
        doc, found = _parsed(path, text)
        portfolio = copy.deepcopy(found)
        undo: list[Edit] = []
        for edit in edits:
            undo[:0] = edit.apply(doc, portfolio)
        new_text = doc.as_string()
        if new_text == text:
            _keep(path, text, doc, found)
            return Applied(portfolio, found, undo, before, before, written=False)
        try:
            written = parse_portfolio(new_text, path)
        except ConfigError:
            written = None
        if written is None or written != portfolio:
            raise EditConflict(
                "folio could not make this change without disturbing other parts of "
                "portfolio.toml (its layout is unusual), so it wrote nothing; "
                "make the change by hand"
            )
        write_atomic(path, new_text.encode("utf-8"), keep_backups=keep_backups)
        _keep(path, new_text, doc, written)
        return Applied(portfolio, found, undo, before, file_signature(path), written=True)
