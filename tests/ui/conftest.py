"""A small, fixed portfolio for UI tests: deterministic data and a frozen clock, so
snapshots do not drift with the date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen

from tui.core.config import Settings
from tui.core.models import Enclosure, ParsedFeed, ParsedItem, Source, SourceState
from tui.core.session import Session
from tui.core.storage.portfolio import Experiment, MatrixEntry, Portfolio, save_portfolio
from tui.core.storage.workspace import Workspace

FIXED_NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)

SOURCES = [
    Source("https://people.example/feed", "People Ops Weekly", "blog", ["hr"]),
    Source("https://tagging.example/atom", "Tag Theory", "blog", ["tagging"]),
    Source("https://me.example/feed", "My Own Blog", "blog", ["mine"], mine=True),
    Source("https://cast.example/rss", "The HR Cast", "podcast", ["hr", "audio"]),
    Source("https://links.example/rss", "Shared Links", "bookmarks", ["links"]),
    Source("https://social.example/@ana.rss", "@ana@social.example", "social", ["mastodon"]),
]

TOPICS = [
    "Onboarding that sticks",
    "Why folksonomies beat taxonomies",
    "Posting cadence and burnout",
    "Measuring reach without vanity metrics",
    "Employer branding on small budgets",
    "A year of weekly newsletters",
    "Tag gardening in practice",
    "Remote interviews that work",
]


def sample_feed(source: Source, index: int) -> ParsedFeed:
    items = []
    for n, topic in enumerate(TOPICS):
        published = FIXED_NOW - dt.timedelta(days=n * 3 + index, hours=index)
        enclosures = (
            [Enclosure(f"{source.url}/ep{n}.mp3", "audio/mpeg", 31_000_000 + n)]
            if source.kind == "podcast"
            else []
        )
        items.append(
            ParsedItem(
                guid=f"{source.url}#{n}",
                title=f"{topic} ({source.name.split()[0]} {n + 1})",
                link=f"{source.url.rsplit('/', 1)[0]}/posts/{n + 1}",
                author="Ana Example",
                content=(
                    f"<h2>{topic}</h2><p>Notes on <b>{topic.lower()}</b> with a "
                    f'<a href="https://example.org/ref{n}">reference</a>.</p>'
                    "<ul><li>first point</li><li>second point</li></ul>"
                ),
                published=published,
                enclosures=enclosures,
                duration="42:10" if source.kind == "podcast" else "",
            )
        )
    return ParsedFeed(title=source.name, link=source.url, items=items)


def sample_portfolio() -> Portfolio:
    return Portfolio(
        sources=list(SOURCES),
        vision="Be the practitioner people ask about HR and social media, in public.",
        matrix=[
            MatrixEntry("mastodon", "Mastodon", "Community", 5, 2, ["mastodon"]),
            MatrixEntry("podcast", "Podcasting", "Slow to make", 4, 4, ["audio"]),
            MatrixEntry("bookmarks", "Link sharing", "Cheap", 2, 1, ["links"]),
            MatrixEntry("hr-blogs", "HR blogs", "Too many", 2, 4, ["hr"]),
        ],
        roadmap=[
            Experiment(
                "weekly",
                "Post weekly",
                "Weekly posts grow readers",
                "posts/week",
                "now",
                "trying",
                dt.date(2026, 10, 1),
                dt.date(2026, 11, 15),
                ["https://me.example/feed"],
            ),
            Experiment(
                "clips",
                "Audio clips on Mastodon",
                "Clips bring listeners",
                "plays",
                "next",
                "idea",
                dt.date(2026, 12, 1),
                dt.date(2027, 1, 15),
                ["mastodon"],
            ),
            Experiment(
                "tags",
                "Public tag pages",
                "",
                "",
                "done",
                "adopted",
                dt.date(2026, 6, 1),
                dt.date(2026, 8, 1),
                [],
            ),
        ],
    )


def build_session(root: Path, portfolio: Portfolio | None = None) -> Session:
    """A session over real files in ``root``: portfolio.toml and a SQLite store."""
    portfolio = portfolio or sample_portfolio()
    workspace = Workspace(
        portfolio_path=root / "portfolio.toml",
        db_path=root / "folio.db",
        settings=Settings(),
    )
    save_portfolio(workspace.portfolio_path, portfolio)
    session = Session(workspace)
    session.clock = lambda: FIXED_NOW
    for index, source in enumerate(portfolio.sources):
        state = SourceState(
            url=source.url,
            status="ok",
            last_fetched=FIXED_NOW - dt.timedelta(minutes=5),
            next_due=FIXED_NOW + dt.timedelta(minutes=25),
            fetches=3,
            not_modified=2,
        )
        session.store.store_feed(state, sample_feed(source, index), now=FIXED_NOW)
    return session


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    built = build_session(tmp_path / "portfolio")
    yield built
    built.close()


async def wait_for(
    pilot: Pilot[Any], predicate: Callable[[], bool], what: str = "the condition"
) -> None:
    """Wait for a condition (a worker, a debounce timer), failing after about 8 s.

    Waiting on the condition itself, never on a fixed sleep, keeps the tests fast when the
    machine is idle and correct when it is busy."""
    for _ in range(400):
        if predicate():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"timed out waiting for {what}")


ScreenT = TypeVar("ScreenT", bound=Screen[Any])


async def press_for_screen(pilot: Pilot[Any], key: str, kind: type[ScreenT], what: str) -> ScreenT:
    """Press ``key`` and wait until the screen shown is a ``kind``; return it."""
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, kind), what)
    screen = pilot.app.screen
    assert isinstance(screen, kind)
    return screen


def notices(app: App[Any]) -> list[str]:
    """The messages of every notification the app has shown."""
    return [note.message for note in app._notifications]
