"""Reading newsboat ``urls`` files."""

from __future__ import annotations

from tui.core.interop.opml import read_newsboat_urls
from tui.core.models import Source

URLS = """\
# My feeds
https://blog.example/feed.xml
https://news.example/rss  news "long read" "~Example News"  world

   # indented comment
https://www.youtube.com/feeds/videos.xml?channel_id=UC1 "~Talks" video
"query:Unread Articles:unread = \\"yes\\""
"exec:~/bin/fetch-something.sh"
"filter:~/bin/clean.sh:https://filtered.example/feed" tagged
https://tagged.example/feed "~Title with \\"quotes\\"" "!" tech tech # trailing comment
"""


def test_reads_urls_names_and_tags() -> None:
    sources = read_newsboat_urls(URLS)
    assert sources == [
        Source(url="https://blog.example/feed.xml"),
        Source(
            url="https://news.example/rss",
            name="Example News",
            kind="news",  # from its tag, as from a folder's name
            tags=["news", "long read", "world"],
        ),
        Source(
            url="https://www.youtube.com/feeds/videos.xml?channel_id=UC1",
            name="Talks",
            kind="video",
            tags=["video"],
        ),
        Source(url="https://tagged.example/feed", name='Title with "quotes"', tags=["tech"]),
    ]


def test_query_exec_and_filter_lines_are_counted_as_skipped() -> None:
    skipped = read_newsboat_urls(URLS).skipped
    assert len(skipped) == 3
    assert skipped[0] == "line 7: query feed 'Unread Articles' skipped (a saved search, not a feed)"
    assert skipped[1].startswith("line 8: exec: feed skipped")
    assert skipped[2].startswith("line 9: filter: feed skipped")


def test_lines_that_are_not_web_addresses_are_skipped() -> None:
    sources = read_newsboat_urls(
        "ftp://files.example/feed\nnot-a-url tag\nfile:///home/me/feed.xml\nhttps:///nohost\n"
        "https://ok.example/\n"
    )
    assert [s.url for s in sources] == ["https://ok.example/"]
    assert [line.split(":", 1)[0] for line in sources.skipped] == [
        "line 1",
        "line 2",
        "line 3",
        "line 4",
    ]


def test_quoted_url_unterminated_quote_and_crlf() -> None:
    sources = read_newsboat_urls(
        '"https://quoted.example/feed" "a tag"\r\nhttps://b.example/ "unterminated tag\r\n'
    )
    assert sources == [
        Source(url="https://quoted.example/feed", tags=["a tag"]),
        Source(url="https://b.example/", tags=["unterminated tag"]),
    ]


def test_hash_inside_quotes_or_a_word_is_not_a_comment() -> None:
    sources = read_newsboat_urls('https://a.example/feed#frag "#hashtag" c#\n')
    assert sources == [Source(url="https://a.example/feed#frag", tags=["#hashtag", "c#"])]


def test_last_title_wins_and_empty_tags_are_dropped() -> None:
    sources = read_newsboat_urls('https://a.example/ "~First" "" "~Second"\n')
    assert sources == [Source(url="https://a.example/", name="Second")]


def test_tabs_separate_words_and_control_characters_are_stripped() -> None:
    sources = read_newsboat_urls('https://a.example/\ttag1\t"~Na\x1bme\u202e"\n')
    assert sources == [Source(url="https://a.example/", name="Name", tags=["tag1"])]


def test_kinds_are_guessed_from_the_url() -> None:
    sources = read_newsboat_urls(
        "https://hnrss.org/frontpage\nhttps://feeds.pinboard.in/rss/u:me/\n"
        "https://mastodon.social/@me.rss\nhttps://feed.example/podcast/\n"
    )
    assert [s.kind for s in sources] == ["news", "bookmarks", "social", "podcast"]


def test_empty_and_comment_only_files_give_nothing() -> None:
    assert read_newsboat_urls("") == []
    only_comments = read_newsboat_urls("# a\n\n   \n#b\n")
    assert only_comments == [] and only_comments.skipped == []


def test_bom_is_ignored() -> None:
    assert read_newsboat_urls("\ufeffhttps://a.example/\n") == [Source(url="https://a.example/")]


def test_kinds_from_tags_and_folder_names() -> None:
    from tui.core.interop.opml import kind_from_labels, read_opml

    assert kind_from_labels(["Podcasts"]) == "podcast"
    assert kind_from_labels(["Tech videos"]) == "video"
    assert kind_from_labels(["hr", "Mastodon"]) == "social"
    assert kind_from_labels(["Podcasts and videos"]) is None  # two kinds: no guess
    assert kind_from_labels(["Work"]) is None
    opml = """<?xml version="1.0"?><opml version="2.0"><head/><body>
    <outline text="Listening"><outline text="Show" xmlUrl="https://show.example/rss"/></outline>
    <outline text="YouTube"><outline text="Talks" xmlUrl="https://talks.example/feed"/></outline>
    <outline text="Work"><outline text="Blog" xmlUrl="https://work.example/feed"/></outline>
    </body></opml>"""
    kinds = {s.name: (s.kind, s.tags) for s in read_opml(opml)}
    assert kinds == {
        "Show": ("podcast", ["Listening"]),
        "Talks": ("video", ["YouTube"]),
        "Blog": ("blog", ["Work"]),
    }
