"""OPML import and export, URL normalisation and merging, and reading subscription files."""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.core.ingest.text import clean_line
from tui.core.interop import opml
from tui.core.interop.opml import (
    ImportedSources,
    ImportFormatError,
    merge_sources,
    normalise_url,
    read_opml,
    read_sources_file,
    write_opml,
)
from tui.core.models import KIND_HEADINGS, KINDS, Source

TESTS = Path(__file__).resolve().parent.parent
FIXTURES = TESTS / "fixtures" / "opml"
CORPUS_OPML = TESTS.parent.parent / "shared" / "corpus" / "opml"


def doc(body: str, *, version: str = "2.0") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<opml version="{version}">\n'
        f"<head><title>t</title></head>\n<body>\n{body}\n</body>\n</opml>\n"
    )


# ------------------------------------------------------------------ real files (fixtures)


def test_fixture_with_folder_gives_folder_as_tag_and_keeps_unicode_names() -> None:
    sources = read_opml((FIXTURES / "japan.opml").read_bytes())
    assert len(sources) == 8
    assert all(s.tags == ["Japan"] for s in sources)
    assert all(s.kind == "blog" for s in sources)
    assert sources[0] == Source(
        url="https://www.japantimes.co.jp/feed/topstories/",
        name="Japan Times latest articles",
        kind="blog",
        tags=["Japan"],
    )
    names = [s.name for s in sources]
    assert "朝日新聞デジタル" in names
    assert "NYT > Japan" in names
    assert sources.skipped == []
    assert sources.repaired == []


def test_fixture_flat_opml_with_bare_ampersand_is_read() -> None:
    # The file has "showbiz & celebrity" in a description: not well-formed XML, but
    # the kind of mistake real exporters make, so it must import.
    sources = read_sources_file(FIXTURES / "united_kingdom.opml")
    assert [s.url for s in sources] == [
        "http://feeds.bbci.co.uk/news/rss.xml",
        "https://www.theguardian.com/world/rss",
        "https://www.dailymail.co.uk/home/index.rss",
        "http://www.independent.co.uk/news/uk/rss",
        "http://feeds.feedburner.com/daily-express-news-showbiz",
    ]
    assert sources[2].name == "Home | Mail Online"
    assert all(s.tags == [] for s in sources)


# ------------------------------------------------------------------- real files (corpus)


def corpus_files() -> list[Path]:
    return sorted(CORPUS_OPML.glob("*.opml")) if CORPUS_OPML.is_dir() else []


@pytest.mark.corpus
@pytest.mark.skipif(not corpus_files(), reason="../shared/corpus/opml is absent")
@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_every_corpus_file_imports_every_feed(path: Path) -> None:
    raw = path.read_text(encoding="utf-8")
    expected = len(re.findall(r"\bxmlUrl=", raw))
    sources = read_sources_file(path)
    assert len(sources) == expected
    assert sources.skipped == []
    assert all(s.url.startswith(("http://", "https://")) for s in sources)
    assert all(s.kind in KINDS for s in sources)
    assert all(s.name for s in sources)
    folder = re.search(r"with_category-(.+)\.opml", path.name)
    if folder:
        assert {t for s in sources for t in s.tags} == {folder.group(1).replace("_", " ")}
    else:
        assert all(s.tags == [] for s in sources)


@pytest.mark.corpus
@pytest.mark.skipif(not corpus_files(), reason="../shared/corpus/opml is absent")
def test_corpus_outline_with_html_quotes_in_description_is_mended() -> None:
    sources = read_sources_file(CORPUS_OPML / "recommended-with_category-Programming.opml")
    assert len(sources.repaired) == 1
    assert sources.repaired[0].startswith("line 43:")
    signal = next(s for s in sources if s.name == "Signal v. Noise")
    assert signal.url == "https://m.signalvnoise.com/feed/"
    assert signal.tags == ["Programming"]
    by_url = {s.url: s.kind for s in sources}
    assert by_url["https://www.youtube.com/feeds/videos.xml?user=GoogleTechTalks"] == "video"
    assert by_url["https://www.reddit.com/r/programming/.rss"] == "news"


# ---------------------------------------------------------------------------- structure


def test_nested_folders_become_tags_outermost_first() -> None:
    sources = read_opml(
        doc(
            """
            <outline text="Tech">
              <outline text="Python" title="Python">
                <outline text="Planet" xmlUrl="https://planetpython.org/rss20.xml"/>
              </outline>
              <outline text="Top" xmlUrl="https://example.com/top.xml"/>
            </outline>
            <outline text="Loose" xmlUrl="https://example.com/loose.xml"/>
            """
        )
    )
    assert [(s.name, s.tags) for s in sources] == [
        ("Planet", ["Tech", "Python"]),
        ("Top", ["Tech"]),
        ("Loose", []),
    ]


def test_category_attribute_becomes_tags_split_on_slashes_without_empties() -> None:
    sources = read_opml(
        doc(
            '<outline text="Dev"><outline text="A" xmlUrl="https://a.example/feed" '
            'category="/Tech/Python, news ,,/, Dev"/></outline>'
        )
    )
    # The folder comes first; "Dev" from category repeats it and is not doubled.
    assert sources[0].tags == ["Dev", "Tech", "Python", "news"]


def test_opml_1_0_with_text_only_and_lowercase_xmlurl() -> None:
    sources = read_opml(
        '<?xml version="1.0"?><opml version="1.0"><head/><body>'
        '<outline text="Old School" type="rss" xmlurl="http://old.example/rss"/>'
        "</body></opml>"
    )
    assert sources == [Source(url="http://old.example/rss", name="Old School")]


def test_name_prefers_title_and_a_text_equal_to_the_url_is_no_name() -> None:
    sources = read_opml(
        doc(
            '<outline text="short" title="Long Title" xmlUrl="https://a.example/f"/>'
            '<outline text="https://b.example/f" xmlUrl="https://b.example/f"/>'
            '<outline title="" text="From text" xmlUrl="https://c.example/f"/>'
        )
    )
    assert [s.name for s in sources] == ["Long Title", "", "From text"]


def test_kind_comes_from_type_then_url_then_blog() -> None:
    sources = read_opml(
        doc(
            '<outline text="p" type="podcast" xmlUrl="https://p.example/feed"/>'
            '<outline text="y" type="rss" '
            'xmlUrl="https://www.youtube.com/feeds/videos.xml?channel_id=UC1"/>'
            '<outline text="m" type="rss" xmlUrl="https://mastodon.social/@someone.rss"/>'
            '<outline text="b" type="rss" xmlUrl="https://blog.example/feed"/>'
        )
    )
    assert [s.kind for s in sources] == ["podcast", "video", "social", "blog"]


def test_outlines_without_web_address_are_skipped_with_a_reason() -> None:
    sources = read_opml(
        doc(
            '<outline text="Local" xmlUrl="file:///etc/passwd"/>'
            '<outline text="Script" xmlUrl="javascript:alert(1)"/>'
            '<outline text="Old" xmlUrl="feed://old.example/rss"/>'
            '<outline text="Link only" type="link" url="https://example.com/"/>'
        )
    )
    assert [s.url for s in sources] == ["http://old.example/rss"]
    assert len(sources.skipped) == 2
    assert "'Local'" in sources.skipped[0] and "file:///etc/passwd" in sources.skipped[0]
    assert sources.skipped[0].startswith("line ")


def test_outlines_outside_body_are_ignored() -> None:
    sources = read_opml(
        '<opml version="2.0"><head><outline text="x" xmlUrl="https://head.example/"/>'
        '</head><body><outline text="y" xmlUrl="https://body.example/"/></body></opml>'
    )
    assert [s.url for s in sources] == ["https://body.example/"]


def test_control_and_bidi_characters_are_stripped_from_names_and_tags() -> None:
    sources = read_opml(
        doc(
            '<outline text="Fold\u202eer">'
            '<outline text="a\u0085b&#9;&#10;c \u2066d\u2069" xmlUrl="https://a.example/f" '
            'category="x\u0090y"/></outline>'
        )
    )
    # text.clean_line, as for feed text: a C1 character is a windows-1252 byte read as
    # latin-1, so U+0085 is "…"; U+0090 has no character there and goes.
    assert sources[0].name == "a…b c d"
    assert sources[0].tags == ["Folder", "xy"]


def test_html_entities_and_bare_ampersands_are_repaired() -> None:
    sources = read_opml(
        doc(
            '<outline text="Caf&eacute; &amp; Bar&nbsp;News &bogus; R&D" '
            'xmlUrl="https://a.example/feed?x=1&y=2"/>'
        )
    )
    assert sources[0].name == "Café & Bar News &bogus; R&D"
    assert sources[0].url == "https://a.example/feed?x=1&y=2"


def test_lt_inside_attribute_is_repaired_even_on_one_line() -> None:
    sources = read_opml(
        '<opml version="2.0"><body><outline text="a < b" xmlUrl="https://a.example/f"/>'
        '<outline text="c" xmlUrl="https://c.example/f"/></body></opml>'
    )
    assert [s.name for s in sources] == ["a < b", "c"]


def test_outline_with_unescaped_quotes_is_mended_and_reported() -> None:
    text = doc(
        '<outline text="Good" xmlUrl="https://good.example/f"/>\n'
        '<outline text="Broken" title="Broken" description="by <a href="https://x.example/">'
        'us</a>" xmlUrl="https://broken.example/f" type="rss" category="/T"/>\n'
        '<outline text="After" xmlUrl="https://after.example/f"/>'
    )
    sources = read_opml(text)
    assert [(s.name, s.url, s.tags) for s in sources] == [
        ("Good", "https://good.example/f", []),
        ("Broken", "https://broken.example/f", ["T"]),
        ("After", "https://after.example/f", []),
    ]
    assert sources.repaired == [
        "line 6: broken outline mended; only its name, address, type and tags were kept"
    ]


def broken_line(n: int) -> str:
    return (
        f'<outline text="F{n}" description="see <a href="https://x/">x</a>" '
        f'xmlUrl="https://f{n}.example/"/>'
    )


def test_broken_folder_line_is_mended_and_keeps_its_children() -> None:
    text = doc(
        '<outline text="Folder" description="a "quoted" word">\n'
        '<outline text="Child" xmlUrl="https://child.example/"/>\n'
        "</outline>\n" + broken_line(1)
    )
    sources = read_opml(text)
    assert [(s.name, s.tags) for s in sources] == [("Child", ["Folder"]), ("F1", [])]
    assert [note.split(":", 1)[0] for note in sources.repaired] == ["line 5", "line 8"]


def test_too_many_broken_lines_give_up_with_the_first_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(opml, "MAX_LINE_REPAIRS", 2)
    text = doc("\n".join(broken_line(n) for n in range(3)))
    with pytest.raises(ImportFormatError, match=r"^line 5, column \d+: not well-formed"):
        read_opml(text)
    monkeypatch.setattr(opml, "MAX_LINE_REPAIRS", 3)
    assert len(read_opml(text).repaired) == 3


# ------------------------------------------------------------------------------ errors


def test_broken_xml_reports_the_line() -> None:
    text = '<opml version="2.0">\n<body>\n<outline text="a" xmlUrl="https://a/">\n</body>\n'
    with pytest.raises(ImportFormatError, match=r"line 4\b.*mismatched tag") as info:
        read_opml(text)
    assert info.value.line == 4


def test_line_numbers_count_the_blank_lines_before_the_document() -> None:
    text = "\n\n\n" + '<opml version="2.0">\n<body>\n<outline>\n</opml>\n'
    with pytest.raises(ImportFormatError, match=r"^line 7\b") as info:
        read_opml(text.encode())
    assert info.value.line == 7


def test_truncated_file_reports_the_line() -> None:
    with pytest.raises(ImportFormatError, match=r"line 2"):
        read_opml('<opml version="2.0">\n<body><outline text="a"')


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("", "empty"),
        ("   \n\t", "empty"),
        (b"\xef\xbb\xbf", "empty"),
        ('<rss version="2.0"><channel/></rss>', "is a feed"),
        ("<feed xmlns='http://www.w3.org/2005/Atom'/>", "is a feed"),
        ("<!DOCTYPE html><html><body>hi</body></html>", "web page"),
        ("<svg/>", "starts with <svg>"),
        ('<opml version="2.0"><head/></opml>', "no <body>"),
        ("just some words", "not well-formed"),
        (b'<?xml version="1.0" encoding="x-nonsense"?><opml/>', "encoding"),
        (b"<opml><body><outline text='\xff'/></body></opml>", "not valid utf-8"),
    ],
)
def test_not_opml_is_refused_in_words(data: str | bytes, message: str) -> None:
    with pytest.raises(ImportFormatError, match=re.escape(message)):
        read_opml(data)


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE opml [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<opml version="2.0"><body>
<outline text="&lol9;" xmlUrl="https://example.com/feed"/>
</body></opml>
"""


@pytest.mark.parametrize("as_bytes", [False, True])
def test_billion_laughs_fails_fast_without_expanding(as_bytes: bool) -> None:
    data: str | bytes = BILLION_LAUGHS.encode() if as_bytes else BILLION_LAUGHS
    started = time.perf_counter()
    with pytest.raises(ImportFormatError, match="entity") as info:
        read_opml(data)
    assert time.perf_counter() - started < 0.5
    assert info.value.line == 3


@pytest.mark.parametrize(
    "before",
    ["junk ", "<!-- c -->\n", "\ufeff\ufeff", '<opml version="2.0">', "<!--\n"],
    ids=["text", "comment", "second BOM", "after the root", "inside a comment"],
)
def test_entity_declarations_are_refused_wherever_they_are(before: str) -> None:
    # The same search that defuses feeds (xmlsafe), not a check of how the file starts.
    text = (
        f'{before}<!DOCTYPE opml [\n<!ENTITY e "{"x" * 1000}">\n]>\n'
        '<opml version="2.0"><body><outline text="&e;&e;" xmlUrl="https://a.example/"/>'
        "</body></opml>"
    )
    with pytest.raises(ImportFormatError, match="refused for safety") as info:
        read_opml(text)
    assert info.value.line == 2 + before.count("\n")


def test_external_entity_is_refused() -> None:
    xxe = (
        '<?xml version="1.0"?>\n<!DOCTYPE opml [\n<!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>\n'
        '<opml version="2.0"><body><outline text="&xxe;" xmlUrl="https://a.example/"/>'
        "</body></opml>"
    )
    with pytest.raises(ImportFormatError, match="refused for safety"):
        read_opml(xxe)


def test_external_dtd_is_never_loaded() -> None:
    # An external DTD could define &secret;; expat must not fetch it, so the reference
    # stays literal text instead of pulling anything in.
    text = (
        '<?xml version="1.0"?>\n<!DOCTYPE opml SYSTEM "http://127.0.0.1:9/evil.dtd">\n'
        '<opml version="2.0"><body><outline text="&secret;" xmlUrl="https://a.example/"/>'
        "</body></opml>"
    )
    assert read_opml(text)[0].name == "&secret;"


# --------------------------------------------------------------------------- encodings


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "utf-16", "iso-8859-1", "windows-1251", "shift_jis"]
)
def test_declared_and_bom_encodings_are_honoured(encoding: str) -> None:
    name = "Жж" if encoding == "windows-1251" else ("日本" if encoding == "shift_jis" else "Zoë")
    declared = encoding.replace("-sig", "")
    text = (
        f'<?xml version="1.0" encoding="{declared}"?>\n<opml version="2.0"><body>'
        f'<outline text="{name}" xmlUrl="https://a.example/"/></body></opml>'
    )
    assert read_opml(text.encode(encoding))[0].name == name


def test_text_input_ignores_the_declared_encoding() -> None:
    text = (
        '\ufeff<?xml version="1.0" encoding="ISO-8859-1"?><opml><body>'
        '<outline text="Zoë 日本" xmlUrl="https://a.example/"/></body></opml>'
    )
    assert read_opml(text)[0].name == "Zoë 日本"


# ---------------------------------------------------------------------------- writing


SAMPLE = [
    Source(
        url="https://a.example/feed?x=1&y=2",
        name='Fish & Chips <"daily"> — café ☕',
        kind="podcast",
        tags=["food", "ünïcödé & co", "a/b", "x,y", "two words"],
        mine=True,
        interval="30m",
    ),
    Source(url="https://b.example/atom", name="", kind="video"),
    Source(url="http://c.example/rss", name="C's blog", kind="blog", tags=["Tech"]),
    Source(url="https://d.example/rss", name="D", kind="news", interval="2h"),
]


def test_round_trip_is_exact() -> None:
    assert read_opml(write_opml(SAMPLE)) == sorted(SAMPLE, key=lambda s: KINDS.index(s.kind))


def test_round_trip_through_bytes_and_a_file(tmp_path: Path) -> None:
    path = tmp_path / "export.opml"
    path.write_text(write_opml(SAMPLE), encoding="utf-8")
    assert sorted(read_sources_file(path), key=lambda s: s.url) == sorted(
        SAMPLE, key=lambda s: s.url
    )


def test_export_is_well_formed_standard_opml_grouped_by_kind() -> None:
    root = ET.fromstring(write_opml(SAMPLE, title="Mine & <yours>"))
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert root.findtext("head/title") == "Mine & <yours>"
    groups = root.findall("body/outline")
    assert [g.get("folioKind") for g in groups] == ["blog", "podcast", "video", "news"]
    assert [g.get("text") for g in groups] == [
        KIND_HEADINGS[k] for k in ("blog", "podcast", "video", "news")
    ]
    podcast = groups[1].findall("outline")[0]
    assert podcast.get("type") == "rss"
    assert podcast.get("xmlUrl") == "https://a.example/feed?x=1&y=2"
    assert podcast.get("title") == 'Fish & Chips <"daily"> — café ☕'
    # Other readers see tags in the standard attribute, split the way OPML says.
    assert podcast.get("category") == "food,ünïcödé & co,a,b,x,y,two words"
    assert podcast.get("folioMine") == "true"
    assert podcast.get("folioInterval") == "30m"
    unnamed = groups[2].findall("outline")[0]
    assert unnamed.get("text") == "https://b.example/atom"
    assert unnamed.get("title") is None
    assert unnamed.get("category") is None and unnamed.get("folioMine") is None


def test_export_keeps_line_breaks_in_attributes_as_character_references() -> None:
    text = write_opml([Source(url="https://a.example/", name="two\nlines\tand tab")])
    assert "&#10;" in text and "&#9;" in text
    outline = ET.fromstring(text).find("body/outline/outline")
    assert outline is not None and outline.get("title") == "two\nlines\tand tab"
    # folio itself keeps names on one line.
    assert read_opml(text)[0].name == "two lines and tab"


def test_export_only_uses_folio_tags_when_category_cannot_carry_them() -> None:
    text = write_opml([Source(url="https://a.example/", tags=["plain", "two words"])])
    assert 'category="plain,two words"' in text
    assert "folioTags" not in text


def test_export_is_deterministic_and_skips_empty_groups() -> None:
    first = write_opml(SAMPLE)
    assert first == write_opml(SAMPLE)
    assert "Bookmarks" not in first and "Social" not in first


def test_export_of_nothing_reads_back_as_nothing() -> None:
    assert read_opml(write_opml([])) == []


def test_kind_folders_of_our_export_are_not_tags_but_other_folders_are() -> None:
    sources = read_opml(
        doc(
            '<outline text="Podcasts" folioKind="podcast">'
            '<outline text="Mine" title="Mine">'
            '<outline text="x" xmlUrl="https://x.example/"/>'
            "</outline></outline>"
        )
    )
    # The feed has no folioKind of its own: it takes its kind folder's kind.
    assert sources == [Source(url="https://x.example/", name="x", kind="podcast", tags=["Mine"])]


def test_unknown_export_kind_falls_back_to_guessing() -> None:
    sources = read_opml(
        doc('<outline text="x" folioKind="hologram" xmlUrl="https://www.youtube.com/feeds/x"/>')
    )
    assert sources[0].kind == "video"


def test_characters_xml_cannot_hold_are_dropped_on_export() -> None:
    text = write_opml([Source(url="https://a.example/", name="bell\x07 and \ufffe end")])
    assert read_opml(text)[0].name == "bell and end"


label_text = st.text(
    alphabet=st.characters(
        exclude_categories=["Cs"],
        exclude_characters="\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
    ),
    max_size=30,
).map(clean_line)

sources_strategy = st.builds(
    Source,
    url=st.builds(
        lambda scheme, host, path: f"{scheme}://{host}/{path}",
        st.sampled_from(["http", "https"]),
        st.from_regex(r"[a-z0-9]{1,12}(\.[a-z]{2,5}){1,2}", fullmatch=True),
        st.text(alphabet="abcXYZ019-._~/?&=%<>\"'#;:@!$é日", max_size=30),
    ),
    name=label_text,
    kind=st.sampled_from(KINDS),
    tags=st.lists(label_text.filter(bool), unique=True, max_size=4),
    mine=st.booleans(),
    interval=st.none() | st.sampled_from(["5m", "30m", "1h", "1d"]),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(sources_strategy, max_size=6))
def test_round_trip_property(sources: list[Source]) -> None:
    back = read_opml(write_opml(sources))
    assert back == sorted(sources, key=lambda s: KINDS.index(s.kind))
    assert back.skipped == [] and back.repaired == []


# ---------------------------------------------------------------- normalise and merge


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("HTTPS://Example.COM/Feed", "https://example.com/Feed"),
        ("https://example.com/feed/", "https://example.com/feed"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/feed#top", "https://example.com/feed"),
        ("http://example.com:80/feed", "http://example.com/feed"),
        ("https://example.com:443/feed", "https://example.com/feed"),
        ("  https://example.com/feed  ", "https://example.com/feed"),
        ("https://user@Example.com/f", "https://user@example.com/f"),
        ("http://[::1]:80/f", "http://[::1]/f"),
    ],
)
def test_normalise_url_equates_spellings_of_one_feed(a: str, b: str) -> None:
    assert normalise_url(a) == normalise_url(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://example.com/Feed", "https://example.com/feed"),
        ("https://example.com/feed?a=1", "https://example.com/feed?a=2"),
        ("http://example.com/feed", "https://example.com/feed"),
        ("https://example.com:8443/feed", "https://example.com/feed"),
    ],
)
def test_normalise_url_keeps_distinct_feeds_apart(a: str, b: str) -> None:
    assert normalise_url(a) != normalise_url(b)


def test_normalise_url_survives_garbage() -> None:
    assert normalise_url("http://[broken") == "http://[broken"
    assert normalise_url("http://host:notaport/") == "http://host:notaport/"


def test_merge_skips_existing_and_repeated_urls_and_keeps_order() -> None:
    existing = [Source(url="https://a.example/feed"), Source(url="https://b.example/")]
    new = [
        Source(url="HTTPS://A.example/feed/", name="dup of existing"),
        Source(url="https://c.example/", name="c"),
        Source(url="https://c.example", name="dup within new"),
        Source(url="https://d.example/", name="d"),
        Source(url="https://b.example/#x", name="dup of existing again"),
    ]
    before_existing, before_new = list(existing), list(new)
    merged, added, duplicates = merge_sources(existing, new)
    assert [s.name for s in added] == ["c", "d"]
    assert merged == existing + added
    assert duplicates == 3
    assert existing == before_existing and new == before_new


def test_merge_of_nothing() -> None:
    assert merge_sources([], []) == ([], [], 0)


# ------------------------------------------------------------------- read_sources_file


def test_sources_file_detects_opml_after_bom_and_whitespace(tmp_path: Path) -> None:
    path = tmp_path / "subs.xml"
    path.write_bytes(
        b"\xef\xbb\xbf\n  \n" + doc('<outline text="x" xmlUrl="https://x/"/>').encode()
    )
    result = read_sources_file(path)
    assert isinstance(result, ImportedSources)
    assert [s.url for s in result] == ["https://x/"]


def test_sources_file_detects_utf16_opml(tmp_path: Path) -> None:
    path = tmp_path / "subs.opml"
    path.write_bytes(doc('<outline text="ü" xmlUrl="https://x/"/>').encode("utf-16"))
    assert read_sources_file(path)[0].name == "ü"


def test_sources_file_reads_newsboat_urls(tmp_path: Path) -> None:
    path = tmp_path / "urls"
    path.write_bytes(b'\xef\xbb\xbf# mine\nhttps://x.example/feed "tag" "~X"\n')
    assert read_sources_file(path) == [Source(url="https://x.example/feed", name="X", tags=["tag"])]


def test_sources_file_missing_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "nope.opml"
    with pytest.raises(ImportFormatError, match=re.escape(str(path))):
        read_sources_file(path)


def test_sources_file_directory_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError, match=re.escape(str(tmp_path))):
        read_sources_file(tmp_path)


def test_sources_file_undecodable_names_path_and_line(tmp_path: Path) -> None:
    path = tmp_path / "urls"
    path.write_bytes(b"https://ok.example/\nhttps://bad.example/\xff\xfe\n")
    with pytest.raises(ImportFormatError, match=re.escape(f"{path}: line 2")) as info:
        read_sources_file(path)
    assert info.value.line == 2


def test_sources_file_broken_opml_names_path_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.opml"
    path.write_text('<opml version="2.0">\n<body>\n<outline>\n</opml>\n', encoding="utf-8")
    with pytest.raises(ImportFormatError, match=re.escape(f"{path}: line 4")):
        read_sources_file(path)


def test_sources_file_too_large_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(opml, "MAX_FILE_BYTES", 10)
    path = tmp_path / "big"
    path.write_bytes(b"https://example.com/feed\n")
    with pytest.raises(ImportFormatError, match="too large"):
        read_sources_file(path)
