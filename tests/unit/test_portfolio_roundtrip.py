"""Saving a portfolio and loading it back gives the same portfolio, whatever the text holds:
quotes, backslashes, newlines, brackets, control characters, any script."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tui.core.models import KINDS, Source
from tui.core.planning.measures import MEASURES
from tui.core.storage.atomic import backups_of
from tui.core.storage.portfolio import (
    LANES,
    STATUSES,
    Experiment,
    MatrixAxes,
    MatrixEntry,
    Portfolio,
    load_portfolio,
    parse_portfolio,
    portfolio_to_toml,
    save_portfolio,
)

# Any code point that UTF-8 can hold (surrogates cannot), plus the awkward ones on purpose.
ANY_CHAR = st.characters(exclude_categories=["Cs"])
TRICKY = st.sampled_from(['"', "'", '"""', "'''", "\\", "\n", "\r\n", "\r", "[", "]", "[[x]]",
                          "#", "=", "\t", "\x00", "\x1b[31m", "\u202e", "[@click=app.quit]x[/]",
                          " ", "", "\ufeff", "é", "日本"])  # fmt: skip
TEXT = st.lists(st.one_of(st.text(ANY_CHAR, max_size=12), TRICKY), max_size=5).map("".join)
ID = TEXT.filter(lambda s: bool(s.strip()))
TEXTS = st.lists(TEXT, max_size=4)
DATES = st.one_of(st.none(), st.dates())
SCORE = st.integers(1, 5)


@st.composite
def portfolios(draw: st.DrawFn) -> Portfolio:
    paths = draw(st.lists(TEXT, max_size=4, unique=True))
    sources = [
        Source(
            url=draw(st.sampled_from(["http://", "https://"])) + path,
            name=draw(TEXT),
            kind=draw(st.sampled_from(KINDS)),
            tags=draw(TEXTS),
            mine=draw(st.booleans()),
            interval=draw(st.sampled_from([None, "30m", "2h", "1d", "90s", "1.5h"])),
            target=draw(st.sampled_from(["", "2/w", "1/m", "0.5/d"])),
        )
        for path in paths
    ]
    matrix = [
        MatrixEntry(entry_id, draw(TEXT), draw(TEXT), draw(SCORE), draw(SCORE), draw(TEXTS))
        for entry_id in draw(st.lists(ID, max_size=4, unique=True))
    ]
    roadmap = [
        Experiment(
            id=experiment_id,
            title=draw(TEXT),
            hypothesis=draw(TEXT),
            measure=draw(TEXT),
            lane=draw(st.sampled_from(LANES)),
            status=draw(st.sampled_from(STATUSES)),
            start=draw(DATES),
            review=draw(DATES),
            links=draw(TEXTS),
            metric=draw(st.sampled_from(["", *MEASURES])),
        )
        for experiment_id in draw(st.lists(ID, max_size=4, unique=True))
    ]
    axes = draw(st.one_of(st.none(), st.builds(MatrixAxes, *[TEXT] * 6)))
    return Portfolio(
        sources=sources, vision=draw(TEXT), matrix=matrix, roadmap=roadmap, matrix_axes=axes
    )


# database=None keeps the example cache out of the working tree.
@settings(max_examples=300, deadline=None, database=None)
@given(portfolios())
def test_text_round_trips(portfolio: Portfolio) -> None:
    text = portfolio_to_toml(portfolio)
    assert parse_portfolio(text, Path("portfolio.toml")) == portfolio
    # The layout is stable: writing what was read gives the same bytes.
    assert portfolio_to_toml(parse_portfolio(text, Path("portfolio.toml"))) == text


@settings(max_examples=60, deadline=None, database=None)
@given(portfolios(), portfolios())
def test_save_then_load_gives_the_same_portfolio(first: Portfolio, second: Portfolio) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "portfolio.toml"
        save_portfolio(path, first)
        assert load_portfolio(path) == first
        save_portfolio(path, second)
        assert load_portfolio(path) == second
        # The version replaced is kept in a dated backup.
        assert load_portfolio(backups_of(path)[-1]) == first


def test_crlf_in_multiline_text_survives() -> None:
    portfolio = Portfolio(vision="line one\r\nline two", matrix=[MatrixEntry("a", notes="x\r\ny")])
    assert parse_portfolio(portfolio_to_toml(portfolio), Path("portfolio.toml")) == portfolio
