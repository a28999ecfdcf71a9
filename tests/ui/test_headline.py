"""The row title of an untitled item (a Mastodon or Bluesky post): its text, whole words.

Issue 13/14: rows read "# Blogging", "@ bob" and "https:// example.com" because every tag
of the post's HTML became a space. The headline now comes from ingest's one_line, where
inline elements join their text as written.
"""

from __future__ import annotations

import datetime as dt

from tui.core.models import Item
from tui.widgets.itemlist import headline

NOW = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
POST = (
    '<p>Trying <a href="https://m.example/tags/Blogging" class="mention hashtag" rel="tag">'
    '#<span>Blogging</span></a> with <span class="h-card"><a href="https://m.example/@bob" '
    'class="u-url mention">@<span>bob</span></a></span>: <a href="https://example.com/a/b">'
    '<span class="invisible">https://</span><span class="">example.com/a/b</span>'
    '<span class="invisible"></span></a></p>'
)


def item(title: str, summary: str) -> Item:
    return Item(
        id=1, source="s", guid="g", title=title, link="", author="", summary=summary,
        content="", published=NOW, dated=True, first_seen=NOW,
    )  # fmt: skip


def test_untitled_post_keeps_tags_mentions_and_links_whole() -> None:
    assert headline(item("", POST)) == ("Trying #Blogging with @bob: https://example.com/a/b")


def test_a_title_wins_and_nothing_gives_untitled() -> None:
    assert headline(item("A title", POST)) == "A title"
    assert headline(item("", "")) == "(untitled)"
    assert headline(item("", "<p> </p>")) == "(untitled)"
