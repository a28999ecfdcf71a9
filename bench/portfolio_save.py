"""What one save of portfolio.toml costs: the edit made with tomlkit on the file as it is on
disk (lock, read, validate, edit, render, validate again, atomic write), side by side with
the whole-file rewrite with tomli-w it replaced, on the demo portfolio (595 lines) and on a
portfolio of 500 sources. Also the cost of the app's look for changes (one stat).

    .venv/bin/python bench/portfolio_save.py [--reps 30]

Each figure is the median of ``--reps`` runs, in milliseconds, in a fresh temporary folder.
An edit uses the tomlkit document kept from the last write when the file still holds that
text; the "first edit after a change elsewhere" row parses it afresh (the app does that
parse in a thread as soon as it has read a changed file, see ``portfolio_edit.prepare``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import tomli
import tomlkit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tui.core.models import Source  # noqa: E402
from tui.core.storage import atomic, portfolio_edit  # noqa: E402
from tui.core.storage.atomic import write_atomic  # noqa: E402
from tui.core.storage.portfolio import (  # noqa: E402
    Experiment,
    MatrixEntry,
    Portfolio,
    file_signature,
    parse_portfolio,
    portfolio_to_toml,
)
from tui.core.storage.portfolio_edit import UpdateEntry, apply_edits  # noqa: E402


def big_portfolio(sources: int = 500) -> str:
    portfolio = Portfolio(
        vision="A vision of a few sentences. " * 5,
        sources=[
            Source(
                f"https://site{n}.example/feed.xml",
                f"Site number {n}",
                ("blog", "podcast", "social")[n % 3],
                ["hr", f"topic{n % 7}"],
                mine=n == 0,
                interval="2h" if n % 5 == 0 else None,
            )
            for n in range(sources)
        ],
        matrix=[
            MatrixEntry(f"m{n}", f"Entry {n}", "notes", 1 + n % 5, 1 + n % 3) for n in range(20)
        ],
        roadmap=[Experiment(f"x{n}", f"Experiment {n}", links=[f"m{n}"]) for n in range(10)],
    )
    return "# A big portfolio, with a comment.\n" + portfolio_to_toml(portfolio)


def median_ms(run: Callable[[], object], reps: int) -> float:
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def measure(name: str, text: str, reps: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "portfolio.toml"
        path.write_text(text, encoding="utf-8")
        portfolio = parse_portfolio(text, path)
        first = portfolio.sources[0]
        names = iter(range(10**9))

        def tomlkit_edit(keep_backups: int = 0) -> None:
            change = {"name": f"{first.name} {next(names)}"}
            apply_edits(
                path, [UpdateEntry("sources", first.url, change)], keep_backups=keep_backups
            )

        def tomli_w_rewrite() -> None:
            # What a save was: read and validate, change the copy, write it all anew.
            current = parse_portfolio(path.read_text(encoding="utf-8"), path)
            current.sources[0].name = f"{first.name} {next(names)}"
            write_atomic(path, portfolio_to_toml(current).encode("utf-8"))

        def with_backup() -> None:
            spacing = atomic.BACKUP_SPACING
            atomic.BACKUP_SPACING = dt.timedelta(0)  # a backup at every save
            try:
                tomlkit_edit(keep_backups=5)
            finally:
                atomic.BACKUP_SPACING = spacing

        def cold_edit() -> None:
            portfolio_edit._documents.clear()  # as after a change made elsewhere
            tomlkit_edit()

        rows = [
            ("save: tomlkit edit on the file as it is (this branch)", lambda: tomlkit_edit()),
            ("save: same, with a dated backup made", with_backup),
            ("save: same, first edit after a change elsewhere (parse)", cold_edit),
            ("save: tomli-w whole rewrite (before)", tomli_w_rewrite),
            ("  part: tomli parse + validate", lambda: parse_portfolio(text, path)),
            ("  part: tomli parse only", lambda: tomli.loads(text)),
            ("  part: tomlkit parse", lambda: tomlkit.parse(text)),
            ("  part: tomlkit render", (doc := tomlkit.parse(text)).as_string),
            ("  part: tomli-w render", lambda: portfolio_to_toml(portfolio)),
        ]
        size = f"{text.count(chr(10))} lines, {len(text.encode()):,} bytes"
        print(f"\n{name}: {size}, {len(portfolio.sources)} sources")
        for label, run in rows:
            print(f"  {label:<58} {median_ms(run, reps):8.2f} ms")
        del doc
        stat_us = median_ms(lambda: file_signature(path), reps * 100) * 1000
        print(f"  {'look for a change (one stat, each second in the app)':<58} {stat_us:8.1f} µs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=30)
    args = parser.parse_args()
    demo = (REPO / "config" / "demo" / "portfolio.toml").read_text(encoding="utf-8")
    measure("demo portfolio (config/demo/portfolio.toml)", demo, args.reps)
    measure("500 sources", big_portfolio(), args.reps)


if __name__ == "__main__":
    main()
