"""HTML to reader text: folio's html_to_text (lxml plus a walk) against inscriptis.

Run by hand: ``.venv/bin/python bench/htmltext_speed.py``. inscriptis comes with the
``bench`` extra. Times the item bodies of ../shared/corpus/real-feeds (best of 3, CPU
time) and a megabyte of each kind of hostile HTML from tests/unit/test_htmltext.py, then
shows what each gives for the cases the reader must show (numbered links, headings,
quotes, lists, rules, images), which is why folio walks lxml's tree itself.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "unit"))

from test_htmltext import HOSTILE_MEGABYTE  # type: ignore[import-not-found]  # noqa: E402

from tui.core.ingest.htmltext import html_to_text  # noqa: E402
from tui.core.ingest.parse import parse_feed  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "real-feeds"
CASES = {
    "links": '<p>See <a href="/about">about</a> and <a href="https://o.example/x">this</a>.</p>',
    "headings": "<h1>Title</h1><p>x</p><h3>Sub <i>head</i></h3>",
    "quote": "<p>Before</p><blockquote><p>Quoted one</p><p>two</p></blockquote>",
    "lists": "<ul><li>one</li><li>two<ol start='3'><li>three</li><li>four</li></ol></li></ul>",
    "rule": "<p>a<br>b</p><hr><p>d</p>",
    "images": '<p><img src="a.png" alt="A cat"> and <img src="b.png"></p>',
}


def _inscriptis() -> Callable[[str, str], str] | None:
    try:
        from inscriptis import get_text
        from inscriptis.model.config import ParserConfig
    except ImportError:
        return None
    config = ParserConfig(display_links=True, display_images=True, table_cell_separator=" | ")
    return lambda html, base: get_text(html, config)


def _best_of_3(run: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    inscriptis = _inscriptis()
    engines: dict[str, Callable[[str, str], object]] = {"folio html_to_text": html_to_text}
    if inscriptis is None:
        print("inscriptis is not installed (pip install -e '.[bench]'): folio only")
    else:
        engines["inscriptis get_text"] = inscriptis
    if CORPUS.is_dir():
        bodies = [
            (item.content or item.summary, item.link)
            for path in sorted(CORPUS.iterdir())
            if path.name != "LICENSE"
            for item in parse_feed(path.read_bytes()).items
        ]
        size = sum(len(html) for html, _ in bodies) / 1e6
        print(f"{len(bodies)} item bodies of the real feeds, {size:.1f} MB of HTML")
        for name, render in engines.items():

            def run(render: Callable[[str, str], object] = render) -> None:
                for html, base in bodies:
                    render(html, base)

            seconds = _best_of_3(run)
            print(
                f"  {name:22} {seconds * 1000:8.1f} ms  {seconds / len(bodies) * 1e6:6.1f} µs/body"
            )
    else:
        print(f"no corpus at {CORPUS}: real bodies skipped")
    print("a megabyte of hostile HTML (ms, one run each)")
    print(f"  {'':26}" + "".join(f"{name:>22}" for name in engines))
    for kind, html in HOSTILE_MEGABYTE.items():
        row = []
        for render in engines.values():
            start = time.process_time()
            render(html, "https://x.example/")
            row.append(f"{(time.process_time() - start) * 1000:22.1f}")
        print(f"  {kind:26}" + "".join(row))
    print("what the reader shows")
    for case, html in CASES.items():
        for name, render in engines.items():
            result = render(html, "https://blog.example/post")
            text = result.text if hasattr(result, "text") else str(result)
            print(f"  {case:9} {name:20} {text.strip()!r}")


if __name__ == "__main__":
    main()
