"""Edits to portfolio.toml are operations on the file as it is on disk: each kind of edit
made in the app changes only its own lines of a hand-written file (every comment, blank
line and inline array elsewhere stays), a change made elsewhere is kept, and undo applies
the inverse operation to the file as it is then."""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.test_portfolio_roundtrip import DATES, TEXT, TEXTS
from tui.core.config import ConfigError, Settings
from tui.core.models import Source
from tui.core.session import NotSaved, ReadOnlyError, Session
from tui.core.storage.atomic import backups_of
from tui.core.storage.portfolio import (
    Experiment,
    MatrixEntry,
    Portfolio,
    load_portfolio,
    parse_portfolio,
    save_portfolio,
    source_name,
)
from tui.core.storage.portfolio_edit import (
    AddEntry,
    AddSources,
    DeleteEntry,
    EditConflict,
    NameSources,
    SetVision,
    UpdateEntry,
    apply_edits,
)
from tui.core.storage.workspace import Workspace

HAND_WRITTEN = '''\
# My portfolio, kept by hand and by folio.
# Every line that starts with # is mine.

vision = "Be useful to HR people, in public."  # revisit each spring

# --- blogs --------------------------------------------------------------
[[sources]]   # my own blog
url = "https://me.example/feed"  # canonical address
name = "Me"
kind = "blog"
tags = [ "hr",   "me" ]   # spaced on purpose
mine = true

[[sources]]
url = "https://b.example/feed"
name = "B"
# kind defaults to blog
tags = ["hr"]

# --- podcasts -----------------------------------------------------------
[[sources]]
url = "https://cast.example/rss"
name = "Cast"
kind = "podcast"
interval = "2h"   # they post weekly

# === The matrix ===
[[matrix]]
id = "mastodon"   # the fediverse
name = "Mastodon"
value = 5
effort = 2
sources = [ "hr" ]  # tags, not URLs

[[matrix]]
id = "blog"
name = "Blog"
notes = """
Two lines
of notes."""
value = 4
effort = 3

# === The roadmap ===
[[roadmap]]
id = "weekly"   # the big one
title = "Post weekly"
lane = "now"
status = "trying"
start = 2026-10-01
review = 2026-11-15   # decide then
links = [ "blog" ]

# the end
'''

COMMENTS = [line for line in HAND_WRITTEN.splitlines() if "#" in line]


def make_session(tmp_path: Path, text: str = HAND_WRITTEN) -> Session:
    path = tmp_path / "portfolio.toml"
    path.write_text(text, encoding="utf-8")
    return Session(Workspace(path, tmp_path / "folio.db", Settings()))


def known(session: Session, url: str) -> Source:
    source = session.source(url)
    assert source is not None
    return source


def changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    """The lines removed and the lines added, in order."""
    diff = list(difflib.ndiff(before.splitlines(), after.splitlines()))
    removed = [line[2:] for line in diff if line.startswith("- ")]
    added = [line[2:] for line in diff if line.startswith("+ ")]
    return removed, added


def edit_matrix(session: Session, entry_id: str, **changes: object) -> None:
    def edit(portfolio: Portfolio) -> None:
        for index, entry in enumerate(portfolio.matrix):
            if entry.id == entry_id:
                portfolio.matrix[index] = dataclasses.replace(entry, **changes)  # type: ignore[arg-type]

    session.edit_portfolio("matrix", "edit", edit)


def edit_roadmap(session: Session, card_id: str, **changes: object) -> None:
    def edit(portfolio: Portfolio) -> None:
        for index, card in enumerate(portfolio.roadmap):
            if card.id == card_id:
                portfolio.roadmap[index] = dataclasses.replace(card, **changes)  # type: ignore[arg-type]

    session.edit_portfolio("roadmap", "edit", edit)


ME = "https://me.example/feed"
B = "https://b.example/feed"

# Each kind of edit the app makes, the area its undo lives in, and exactly the lines it
# may remove and add. Everything else in the file, comments above all, stays as written.
CASES: list[tuple[str, str, Callable[[Session], object], list[str], list[str]]] = [
    (
        "rename a source",
        "sources",
        lambda s: s.update_source(B, dataclasses.replace(known(s, B), name="Bee")),
        ['name = "B"'],
        ['name = "Bee"'],
    ),
    (
        "retag a source: its inline array is rewritten, its comment kept",
        "sources",
        lambda s: s.update_source(ME, dataclasses.replace(known(s, ME), tags=["hr", "me", "x"])),
        ['tags = [ "hr",   "me" ]   # spaced on purpose'],
        ['tags = ["hr", "me", "x"]   # spaced on purpose'],
    ),
    (
        "give a source an interval",
        "sources",
        lambda s: s.update_source(B, dataclasses.replace(known(s, B), interval="45m")),
        [],
        ['interval = "45m"'],
    ),
    (
        "add a source: after the last one, before the matrix's heading",
        "sources",
        lambda s: s.add_source(Source("https://new.example/feed", "New", "news", ["n"])),
        [],
        [
            "",
            "[[sources]]",
            'url = "https://new.example/feed"',
            'name = "New"',
            'kind = "news"',
            'tags = ["n"]',
            "mine = false",
        ],
    ),
    (
        "delete a source: its own lines go, the heading after it stays",
        "sources",
        lambda s: s.delete_source(B),
        [
            "",
            "[[sources]]",
            'url = "https://b.example/feed"',
            'name = "B"',
            "# kind defaults to blog",
            'tags = ["hr"]',
        ],
        [],
    ),
    (
        "move a matrix entry (effort up)",
        "matrix",
        lambda s: edit_matrix(s, "mastodon", effort=4),
        ["effort = 2"],
        ["effort = 4"],
    ),
    (
        "edit a matrix entry's notes and sources",
        "matrix",
        lambda s: edit_matrix(s, "mastodon", notes="one\ntwo", sources=["hr", "social"]),
        ['sources = [ "hr" ]  # tags, not URLs'],
        ['sources = ["hr", "social"]  # tags, not URLs', 'notes = """', "one", 'two"""'],
    ),
    (
        "add a matrix entry",
        "matrix",
        lambda s: s.edit_portfolio(
            "matrix", "add", lambda p: p.matrix.append(MatrixEntry("yt", "YouTube", "", 2, 5))
        ),
        [],
        [
            "[[matrix]]",
            'id = "yt"',
            'name = "YouTube"',
            'notes = ""',
            "value = 2",
            "effort = 5",
            "sources = []",
            "",
        ],
    ),
    (
        "delete a matrix entry",
        "matrix",
        lambda s: s.edit_portfolio(
            "matrix",
            "delete",
            lambda p: setattr(p, "matrix", [e for e in p.matrix if e.id != "blog"]),
        ),
        [
            "[[matrix]]",
            'id = "blog"',
            'name = "Blog"',
            'notes = """',
            "Two lines",
            'of notes."""',
            "value = 4",
            "effort = 3",
            "",
        ],
        [],
    ),
    (
        "move a roadmap card to another lane",
        "roadmap",
        lambda s: edit_roadmap(s, "weekly", lane="later"),
        ['lane = "now"'],
        ['lane = "later"'],
    ),
    (
        "change a card's review date: the comment on its line stays",
        "roadmap",
        lambda s: edit_roadmap(s, "weekly", review=dt.date(2026, 12, 1), status="adopted"),
        ['status = "trying"', "review = 2026-11-15   # decide then"],
        ['status = "adopted"', "review = 2026-12-01   # decide then"],
    ),
    (
        "clear a card's start date",
        "roadmap",
        lambda s: edit_roadmap(s, "weekly", start=None),
        ["start = 2026-10-01"],
        [],
    ),
    (
        "add a roadmap card",
        "roadmap",
        lambda s: s.edit_portfolio(
            "roadmap", "add", lambda p: p.roadmap.append(Experiment("clips", "Clips"))
        ),
        [],
        [
            "[[roadmap]]",
            'id = "clips"',
            'title = "Clips"',
            'hypothesis = ""',
            'measure = ""',
            'lane = "next"',
            'status = "idea"',
            "links = []",
            "",
        ],
    ),
    (
        "delete a roadmap card",
        "roadmap",
        lambda s: s.edit_portfolio("roadmap", "delete", lambda p: setattr(p, "roadmap", [])),
        [
            "[[roadmap]]",
            'id = "weekly"   # the big one',
            'title = "Post weekly"',
            'lane = "now"',
            'status = "trying"',
            "start = 2026-10-01",
            "review = 2026-11-15   # decide then",
            'links = [ "blog" ]',
            "",
        ],
        [],
    ),
    (
        "edit the vision",
        "portfolio",
        lambda s: s.edit_portfolio("portfolio", "vision", lambda p: setattr(p, "vision", "Teach.")),
        ['vision = "Be useful to HR people, in public."  # revisit each spring'],
        ['vision = "Teach."  # revisit each spring'],
    ),
]


@pytest.mark.parametrize(
    ("edit", "area", "removed", "added"),
    [(c[2], c[1], c[3], c[4]) for c in CASES],
    ids=[case[0] for case in CASES],
)
def test_each_edit_changes_only_its_own_lines_and_undo_restores(
    tmp_path: Path,
    edit: Callable[[Session], object],
    area: str,
    removed: list[str],
    added: list[str],
) -> None:
    session = make_session(tmp_path)
    path = session.workspace.portfolio_path
    expected_before = session.portfolio
    edit(session)
    after = path.read_text(encoding="utf-8")
    assert changed_lines(HAND_WRITTEN, after) == (removed, added)
    for comment in COMMENTS:
        if comment not in removed:
            assert comment in after.splitlines()
    # What the session holds is what the file says.
    assert session.portfolio == load_portfolio(path)
    # Undo applies the inverse to the file as it is now: the portfolio is as before, and
    # so is every line, though a key or table put back may come back in another place.
    assert session.undo_portfolio(area) is not None
    assert load_portfolio(path) == expected_before
    restored = path.read_text(encoding="utf-8")
    assert sorted(line for line in restored.splitlines() if line) == sorted(
        line for line in HAND_WRITTEN.splitlines() if line
    )
    if len(removed) == len(added):
        # Values changed in place are put back exactly as they were written.
        assert restored == HAND_WRITTEN


def test_a_change_made_elsewhere_is_kept_by_the_next_edit(tmp_path: Path) -> None:
    session = make_session(tmp_path)
    path = session.workspace.portfolio_path
    # Meanwhile, in an editor: a new comment, a changed tag, a new source.
    text = path.read_text(encoding="utf-8")
    text = text.replace('tags = ["hr"]', 'tags = ["hr", "by-hand"]  # added in vim')
    text = text.replace(
        "# === The matrix ===",
        '[[sources]]\nurl = "https://vim.example/feed"  # from the editor\n\n# === The matrix ===',
    )
    path.write_text(text, encoding="utf-8")
    changes: list[str] = []
    session.listeners.append(lambda change: changes.append(change.message))
    edit_matrix(session, "mastodon", value=3)
    after = path.read_text(encoding="utf-8")
    assert changed_lines(text, after) == (["value = 5"], ["value = 3"])
    assert [s.url for s in session.sources][-1] == "https://vim.example/feed"
    assert session.source(B).tags == ["hr", "by-hand"]  # type: ignore[union-attr]
    assert any("Also loaded from the file: 1 source added, 1 changed" in m for m in changes)
    # Undo puts back only what the app changed.
    session.undo_portfolio("matrix")
    assert path.read_text(encoding="utf-8") == text


def test_an_edit_to_something_changed_or_removed_elsewhere_is_refused(tmp_path: Path) -> None:
    session = make_session(tmp_path)
    path = session.workspace.portfolio_path
    stale = session.source(B)
    assert stale is not None
    text = path.read_text(encoding="utf-8").replace('name = "B"', 'name = "Bee by hand"')
    path.write_text(text, encoding="utf-8")
    with pytest.raises(
        NotSaved, match=re.escape("name of the source https://b.example/feed was changed")
    ):
        session.update_source(B, dataclasses.replace(stale, name="Bee in the app"))
    assert path.read_text(encoding="utf-8") == text
    # The session reloaded, so the user sees the hand edit, and a second try works.
    assert session.source(B).name == "Bee by hand"  # type: ignore[union-attr]
    session.update_source(B, dataclasses.replace(known(session, B), name="Bee"))
    assert load_portfolio(path).sources[1].name == "Bee"
    # Deleted elsewhere: an undo of the rename cannot apply and says why.
    path.write_text(path.read_text(encoding="utf-8").replace(B, "https://b2.example/feed"))
    with pytest.raises(NotSaved, match=re.escape("no longer in portfolio.toml")):
        session.undo_portfolio("sources")
    assert "https://b2.example/feed" in path.read_text(encoding="utf-8")


def test_a_file_broken_on_disk_is_never_written(tmp_path: Path) -> None:
    session = make_session(tmp_path)
    path = session.workspace.portfolio_path
    broken = HAND_WRITTEN.replace('kind = "podcast"', 'kind = "podcst"')
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(ReadOnlyError, match=r"portfolio.toml:24: sources\[2\].kind"):
        edit_matrix(session, "mastodon", value=1)
    assert path.read_text(encoding="utf-8") == broken
    assert session.read_only and len(session.sources) == 3  # the last good version stays
    with pytest.raises(ConfigError):
        apply_edits(path, [SetVision("x")])
    assert path.read_text(encoding="utf-8") == broken
    # Fixed: the session reloads and is writable again.
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    change = session.check_portfolio_file()
    assert change is not None and "readable again" in change.message
    assert not session.read_only


def test_the_app_reloads_a_changed_file_and_says_what_changed(tmp_path: Path) -> None:
    session = make_session(tmp_path)
    path = session.workspace.portfolio_path
    assert session.check_portfolio_file() is None  # nothing changed: one stat
    apply_edits(path, [AddEntry.of("sources", Source("https://x.example/feed", "X"))])
    change = session.check_portfolio_file()
    assert change is not None and change.area == "portfolio"
    assert change.message == "portfolio.toml changed on disk: 1 source added."
    assert change.sources == ["https://x.example/feed"]
    assert session.check_portfolio_file() is None
    # Gone (moved away by hand): the last version stays and nothing is written.
    path.rename(tmp_path / "moved.toml")
    change = session.check_portfolio_file()
    assert change is not None and "the file is gone" in change.message
    with pytest.raises(ReadOnlyError):
        session.add_source(Source("https://y.example/feed"))
    assert not path.exists() and len(session.sources) == 4
    (tmp_path / "moved.toml").rename(path)
    assert session.check_portfolio_file() is not None and not session.read_only


def test_a_file_caught_half_written_is_not_shown(tmp_path: Path) -> None:
    """The app's timer reads a change only when two looks agree: an editor that truncates
    the file, then writes it, is never shown empty or half-written in between."""
    session = make_session(tmp_path)
    path = session.workspace.portfolio_path
    path.write_text("", encoding="utf-8")  # truncated: the editor is still writing
    assert session.check_portfolio_file(settle=True) is None
    path.write_text(HAND_WRITTEN[:300], encoding="utf-8")  # half of it
    assert session.check_portfolio_file(settle=True) is None
    assert len(session.sources) == 3 and not session.read_only
    path.write_text(HAND_WRITTEN.replace('"Cast"', '"The Cast"'), encoding="utf-8")
    assert session.check_portfolio_file(settle=True) is None  # seen once
    change = session.check_portfolio_file(settle=True)  # seen again: the write is over
    assert (
        change is not None and change.message == "portfolio.toml changed on disk: 1 source changed."
    )
    assert session.check_portfolio_file(settle=True) is None


def test_writing_through_a_symbolic_link_updates_its_target(tmp_path: Path) -> None:
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    target = dotfiles / "folio.toml"
    target.write_text(HAND_WRITTEN, encoding="utf-8")
    os.chmod(target, 0o600)
    config = tmp_path / "config"
    config.mkdir()
    link = config / "portfolio.toml"
    link.symlink_to(target)
    session = Session(Workspace(link, tmp_path / "folio.db", Settings()))
    session.add_source(Source("https://new.example/feed", "New"))
    assert link.is_symlink() and link.resolve() == target
    assert "https://new.example/feed" in target.read_text(encoding="utf-8")
    assert os.stat(target).st_mode & 0o777 == 0o600  # permissions kept
    # Backups and the lock live beside the real file; nothing lands beside the link.
    assert [p.name for p in backups_of(link)] == [p.name for p in backups_of(target)]
    assert backups_of(target)[0].parent == dotfiles
    assert sorted(p.name for p in config.iterdir()) == ["portfolio.toml"]
    # The app notices a change made through the target's own name too.
    target.write_text(HAND_WRITTEN, encoding="utf-8")
    assert session.check_portfolio_file() is not None
    assert len(session.sources) == 3


def test_a_new_file_and_an_empty_one_get_tables(tmp_path: Path) -> None:
    path = tmp_path / "portfolio.toml"
    apply_edits(path, [AddEntry.of("sources", Source("https://a.example/feed", "A"))])
    assert load_portfolio(path).sources == [Source("https://a.example/feed", "A")]
    path.write_text('vision = "v"\nsources = []\n', encoding="utf-8")
    apply_edits(path, [AddEntry.of("sources", Source("https://a.example/feed", "A"))])
    text = path.read_text(encoding="utf-8")
    assert text.startswith('vision = "v"\n') and "[[sources]]" in text
    assert load_portfolio(path).sources[0].name == "A"


def test_sources_written_inline_are_edited_inline(tmp_path: Path) -> None:
    path = tmp_path / "portfolio.toml"
    path.write_text('sources = [{url = "https://a.example/feed", name = "A"}]\n')
    applied = apply_edits(path, [AddEntry.of("sources", Source("https://b.example/feed"))])
    assert [s.url for s in applied.portfolio.sources] == [
        "https://a.example/feed",
        "https://b.example/feed",
    ]
    apply_edits(path, applied.undo)
    assert path.read_text() == 'sources = [{url = "https://a.example/feed", name = "A"}]\n'


def test_add_sources_judges_duplicates_against_the_file_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "portfolio.toml"
    apply_edits(path, [AddEntry.of("sources", Source("https://a.example/feed"))])
    adding = AddSources(
        [Source("HTTPS://A.example/feed/"), Source("https://b.example/feed")],
        same=lambda url: url.lower().rstrip("/"),
    )
    apply_edits(path, [adding])
    assert [s.url for s in adding.added] == ["https://b.example/feed"]
    assert adding.duplicates == 1


def test_naming_after_feeds_leaves_names_given_meanwhile(tmp_path: Path) -> None:
    """What ``folio refresh`` does at its end: a source added or named while it ran is
    kept as it is, and a feed's title is cut to one clean line."""
    path = tmp_path / "portfolio.toml"
    save_portfolio(path, Portfolio(sources=[Source("https://a.example/feed")]))
    started_with = load_portfolio(path)
    apply_edits(path, [AddEntry.of("sources", Source("https://b.example/feed"))])
    apply_edits(path, [UpdateEntry("sources", "https://a.example/feed", {"name": "Mine"})])
    huge = "\x1b[31mBig\nTitle " + "x" * 1_000_000
    titles = {s.url: huge for s in [*started_with.sources, Source("https://b.example/feed")]}
    naming = NameSources(titles)
    apply_edits(path, [naming])
    names = [s.name for s in load_portfolio(path).sources]
    assert names[0] == "Mine"
    assert names[1] == source_name(huge) and len(names[1]) == 200
    assert names[1].startswith("[31mBig Title xxx") and names[1].endswith("…")
    assert "\n" not in names[1] and "\x1b" not in names[1]
    assert naming.named == ["https://b.example/feed"]


def test_new_ids_in_the_app_never_collide_with_ones_added_meanwhile(tmp_path: Path) -> None:
    path = tmp_path / "portfolio.toml"
    apply_edits(path, [AddEntry.of("matrix", MatrixEntry("yt", "YouTube by hand"))])
    adding = AddEntry.of("matrix", MatrixEntry("yt", "YouTube"), rename_if_taken=True)
    apply_edits(path, [adding])
    assert [(e.id, e.name) for e in load_portfolio(path).matrix] == [
        ("yt", "YouTube by hand"),
        ("yt-2", "YouTube"),
    ]
    with pytest.raises(EditConflict, match=re.escape("already in portfolio.toml")):
        apply_edits(path, [AddEntry.of("matrix", MatrixEntry("yt"))])
    with pytest.raises(EditConflict, match=re.escape("no longer in portfolio.toml")):
        apply_edits(path, [DeleteEntry("roadmap", "nope")])


# -- any text, any edit --------------------------------------------------------------------


@st.composite
def source_changes(draw: st.DrawFn) -> dict[str, object]:
    keys = draw(st.sets(st.sampled_from(["name", "tags", "mine", "interval"]), min_size=1))
    values = {
        "name": TEXT,
        "tags": TEXTS,
        "mine": st.booleans(),
        "interval": st.sampled_from([None, "30m", "2h"]),
    }
    return {key: draw(values[key]) for key in keys}


@settings(max_examples=150, deadline=None, database=None)
@given(
    changes=source_changes(),
    notes=TEXT,
    hypothesis_text=TEXT,
    review=DATES,
    vision=TEXT,
)
def test_any_text_survives_an_edit_exactly(
    changes: dict[str, object],
    notes: str,
    hypothesis_text: str,
    review: dt.date | None,
    vision: str,
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "portfolio.toml"
        path.write_text(HAND_WRITTEN, encoding="utf-8")
        original = load_portfolio(path)
        applied = apply_edits(
            path,
            [
                UpdateEntry("sources", B, changes),
                UpdateEntry("matrix", "blog", {"notes": notes}),
                UpdateEntry("roadmap", "weekly", {"hypothesis": hypothesis_text, "review": review}),
                SetVision(vision),
            ],
        )
        on_disk = parse_portfolio(path.read_text(encoding="utf-8"), path)
        assert on_disk == applied.portfolio
        source = on_disk.sources[1]
        for key, value in changes.items():
            assert getattr(source, key) == (value or None if key == "interval" else value)
        assert on_disk.matrix[1].notes == notes
        assert on_disk.roadmap[0].hypothesis == hypothesis_text
        assert on_disk.roadmap[0].review == review
        assert on_disk.vision == vision
        # Every comment outside the edited lines is still there.
        text = path.read_text(encoding="utf-8")
        for comment in ("# --- podcasts", "# === The matrix ===", "# the end", "# the big one"):
            assert comment in text
        apply_edits(path, applied.undo)
        assert load_portfolio(path) == original
