"""xmlsafe.check_xml and ItemScan: expat's verdict, and what it saw of each top-level item."""

from __future__ import annotations

import contextlib
import xml.parsers.expat

from hypothesis import given, settings
from hypothesis import strategies as st

from tui.core.ingest.text import clean_line
from tui.core.ingest.xmlsafe import (
    ItemScan,
    ScannedItem,
    check_xml,
    declare_prefixes,
    defuse,
    find_entity_declaration,
    mend,
    recover,
    scan_prolog,
    to_utf8,
)

ITUNES = 'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"'
ATOM = 'xmlns="http://www.w3.org/2005/Atom"'

Seen = tuple[bool, bool, bool, list[tuple[str, str, str]], str]


def seen(item: ScannedItem) -> Seen:
    return (item.has_link, item.has_title, item.not_permalink, item.link_enclosures, item.duration)


def scan(body: bytes) -> tuple[str | None, list[Seen]]:
    items = ItemScan(body)
    error = check_xml(body, items)
    return error, [seen(item) for item in items.items]


def rss(items: str, ns: str = ITUNES) -> bytes:
    return f"<rss {ns}><channel><title>t</title><link>l</link>{items}</channel></rss>".encode()


def test_rss_links_titles_and_permalinks() -> None:
    error, items = scan(
        rss(
            "<item><title>a</title><link>l</link><guid>g</guid></item>"
            '<item><guid isPermaLink="false">g</guid></item>'
            '<item><guid ISPERMALINK=" FALSE ">g</guid><guid>h</guid></item>'  # the last counts
            '<item><guid isPermaLink="true">g</guid><source url="u"><title>s</title></source>'
            "</item>"
        )
    )
    assert error is None
    assert items == [
        (True, True, False, [], ""),
        (False, False, True, [], ""),
        (False, False, False, [], ""),
        (False, False, False, [], ""),  # a grandchild title is not the item's title
    ]


def test_atom_links() -> None:
    error, items = scan(
        f"<feed {ATOM}><title>t</title><entry><title>a</title>"
        '<link rel=" Alternate " href="x"/>'
        '<link rel="enclosure" href="a.mp3" type="audio/mpeg" length="12"/>'
        '<link rel="enclosure"/><link rel="self" href="s"/></entry>'
        '<entry><link href="x"/><link rel="ENCLOSURE" href="b.mp3"/></entry>'
        '<entry><link rel="related" href="x"/></entry></feed>'.encode()
    )
    assert error is None
    assert items == [
        (True, True, False, [("a.mp3", "audio/mpeg", "12")], ""),
        (True, False, False, [("b.mp3", "", "")], ""),
        (False, False, False, [], ""),
    ]


def test_only_top_level_items_count_in_any_namespace() -> None:
    body = (
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        b' xmlns="http://purl.org/rss/1.0/"><channel><title>t</title></channel>'
        b"<item><title>a</title><item><link>inner</link></item></item>"
        b'<x:entry xmlns:x="urn:x"><x:link/></x:entry></rdf:RDF>'
    )
    error, items = scan(body)
    assert error is None
    assert items == [(False, True, False, [], ""), (True, False, False, [], "")]


def test_durations() -> None:
    error, items = scan(
        rss(
            "<item><itunes:duration> 01:02:03\n</itunes:duration>"
            "<itunes:duration>9</itunes:duration></item>"  # the first one wins
            "<item><itunes:duration>1<b>2</b>3</itunes:duration></item>"  # up to the first end
            "<item><itunes:duration/></item>"
            "<item><x><itunes:duration>5</itunes:duration></x></item>"  # not a child
            '<item><duration xmlns="urn:other">7</duration></item>'
            "<item><itunes:duration><![CDATA[4]]>&#49;</itunes:duration></item>"
        )
    )
    assert error is None
    assert [item[4] for item in items] == ["01:02:03", "12", "", "", "", "41"]


def test_durations_need_the_namespace_early_in_the_document() -> None:
    upper = b'<rss xmlns:i="http://www.ITUNES.com/DTDs/Podcast-1.0.dtd"><channel><item>'
    assert scan(upper + b"<i:duration>5</i:duration></item></channel></rss>")[1][0][4] == "5"
    late = (
        b"<rss><channel><!--" + b"x" * 70_000 + b"--><item>"
        b'<i:duration xmlns:i="http://www.itunes.com/dtds/podcast-1.0.dtd">5</i:duration>'
        b"</item></channel></rss>"
    )
    assert scan(late) == (None, [(False, False, False, [], "")])


def test_ill_formed_documents_say_where() -> None:
    body = rss("<item><title>a</title></item><item><title>b</item>")
    error, items = scan(body)
    column = body.rindex(b"</item>") + 3  # expat points at the name in "</item>"
    assert error == f"ill-formed XML: mismatched tag at line 1, column {column}"
    assert len(items) == 2
    assert scan(b'<?xml version="1.0" encoding="bogus"?><rss/>')[0] == (
        "ill-formed XML: unknown encoding: bogus"  # LookupError from the codec lookup
    )
    assert scan(b"<a:rss/>")[0] == "ill-formed XML: unbound prefix at line 1, column 1"


# --------------------------------------------------------------------------- reference


class ReferenceScan:
    """The scan written the slow and obvious way: one pair of handlers for the whole
    document, the depth of every element tracked, text collected everywhere."""

    def __init__(self, body: bytes) -> None:
        self.podcast = b"itunes.com/dtds/podcast" in body[:65536].lower()
        self.items: list[ScannedItem] = []
        self.level = 0
        self.item_level = 0
        self.text: list[str] | None = None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.level += 1
        local = name.rpartition(" ")[2]
        if not self.item_level:
            if local in ("item", "entry"):
                self.item_level = self.level
                self.items.append(ScannedItem())
            return
        if self.level != self.item_level + 1:
            return
        item = self.items[-1]
        if local == "link":
            rel = attrs.get("rel", "alternate").strip().lower()
            if rel == "alternate":
                item.has_link = True
            elif rel == "enclosure" and attrs.get("href"):
                item.link_enclosures.append(
                    (attrs["href"], attrs.get("type", ""), attrs.get("length", ""))
                )
        elif local == "title":
            item.has_title = True
        elif local == "guid":
            permalink = next((v for k, v in attrs.items() if k.lower() == "ispermalink"), "")
            item.not_permalink = permalink.strip().lower() == "false"
        elif self.podcast and local == "duration" and "itunes.com/dtds/podcast" in name.lower():
            self.text = []

    def end(self, name: str) -> None:
        if self.text is not None:
            item = self.items[-1]
            item.duration = item.duration or clean_line("".join(self.text))
            self.text = None
        if self.level == self.item_level:
            self.item_level = 0
        self.level -= 1

    def chars(self, data: str) -> None:
        if self.text is not None:
            self.text.append(data)


def reference_scan(body: bytes) -> list[Seen]:
    ref = ReferenceScan(body)
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.StartElementHandler = ref.start
    parser.EndElementHandler = ref.end
    parser.CharacterDataHandler = ref.chars
    with contextlib.suppress(xml.parsers.expat.ExpatError, LookupError, ValueError):
        parser.Parse(body, True)
    return [seen(item) for item in ref.items]


_NAMES = st.sampled_from(
    [
        "item", "entry", "link", "title", "guid", "itunes:duration", "x:duration", "b",
        "channel", "x:item", "source",
    ]
)  # fmt: skip
_ATTRS = st.sampled_from(
    [
        "", ' rel="alternate"', ' rel="enclosure" href="a" type="t"', ' rel=" SELF "',
        ' href="h" rel="Enclosure"', ' isPermaLink="false"', " ISPERMALINK='False '",
        ' isPermaLink="true"', ' x:rel="enclosure"',
    ]
)  # fmt: skip
_TEXT = st.sampled_from(["", "12:30", " 1 ", "&amp;", "<![CDATA[9]]>", "\r\n", "<!--c-->"])


@st.composite
def _element(draw: st.DrawFn, depth: int = 0) -> str:
    name = draw(_NAMES)
    children = draw(st.lists(_element(depth + 1), max_size=3)) if depth < 3 else []
    parts = [draw(_TEXT)]
    for child in children:
        parts += [child, draw(_TEXT)]
    return f"<{name}{draw(_ATTRS)}>{''.join(parts)}</{name}>"


@settings(max_examples=100, deadline=None)
@given(st.lists(_element(), max_size=6), st.booleans(), st.booleans())
def test_scan_matches_the_reference(children: list[str], podcast: bool, broken: bool) -> None:
    itunes = "http://www.itunes.com/dtds/podcast-1.0.dtd" if podcast else "urn:not-itunes"
    body = f'<rss xmlns:itunes="{itunes}" xmlns:x="urn:x">{"".join(children)}</rss>'.encode()
    if broken:
        body = body[: len(body) * 2 // 3]
    items = ItemScan(body)
    check_xml(body, items)
    assert [seen(item) for item in items.items] == reference_scan(body)


# --------------------------------------------------------------------------- lines


def _checked(body: bytes) -> str | None:
    body = to_utf8(body, "")
    body, _ = defuse(body, scan_prolog(body))
    return check_xml(body, ItemScan(body))


def test_errors_give_the_line_of_the_document_as_it_arrived() -> None:
    subset = b'<!DOCTYPE rss [\n<!ENTITY a "x">\n<!ENTITY b "y">\n]>\n'
    body = b'<?xml version="1.0"?>\n' + subset + b"<rss>\n<channel>\n<title>t</i>\n"
    # Line 8 counted in the document as it came, not in the one without its subset.
    assert _checked(body) == "ill-formed XML: mismatched tag at line 8, column 11"
    assert _checked(body.decode().encode("utf-16")) == (
        "ill-formed XML: mismatched tag at line 8, column 11"
    )


def test_error_columns_count_characters_not_bytes() -> None:
    body = "<rss><title>日本語 Ünï</i></rss>".encode()
    # expat points at the name in "</i>": the 22nd character, the 28th byte.
    assert _checked(body) == "ill-formed XML: mismatched tag at line 1, column 22"


def test_entity_declarations_are_found_anywhere() -> None:
    assert find_entity_declaration(b"<rss/>") is None
    assert find_entity_declaration(b'x\n<!--\n<!entity  lol "z">-->') == (3, "lol")
    assert find_entity_declaration(b'<a>\n<!ENTITY % pe SYSTEM "f">') == (2, "pe")


def test_defuse_defangs_declarations_outside_the_prolog_and_drops_nul() -> None:
    body = b'junk <!DOCTYPE r [<!ENTITY e "v">]><r>&e;<!\x00ENTITY f "w"></r>'
    defused, removed = defuse(body, scan_prolog(body))
    assert removed
    assert b"<!ENTITY" not in defused.upper().replace(b"&LT;", b"")
    assert defused == b'junk <!DOCTYPE r [&lt;!ENTITY e "v">]><r>&e;&lt;!ENTITY f "w"></r>'


# --------------------------------------------------------------------------- leniency


def test_mend_repairs_entities_outside_cdata_and_comments() -> None:
    body = (
        b"<r><t>caf&eacute; &lang; &#X41; R&D &bogus; &amp; &#233;</t>"
        b"<![CDATA[Tom & Jerry &eacute;]]><!-- a & b --></r>"
    )
    mended = mend(body)
    assert mended == (
        b"<r><t>caf&#233; &#9001; &#x41; R&amp;D &amp;bogus; &amp; &#233;</t>"
        b"<![CDATA[Tom & Jerry &eacute;]]><!-- a & b --></r>"
    )
    assert mend(mended) is None  # nothing left to mend


def test_mend_reads_bytes_that_are_not_utf8_as_feedparser_does() -> None:
    body = b'<?xml version="1.0" encoding="utf-8"?><r>caf\xe9 \x93q\x94\x0b</r>'
    assert mend(body) == '<?xml version="1.0" encoding="utf-8"?><r>café “q”</r>'.encode()


def test_mend_stops_at_an_unterminated_section() -> None:
    body = b"<r>a & b <![CDATA[ & " + b"&" * 100_000
    assert mend(body) == b"<r>a &amp; b <![CDATA[ & " + b"&" * 100_000


def test_declare_prefixes() -> None:
    body = b'<?xml version="1.0"?><rss x:a="1"><itunes:duration>3</itunes:duration></rss>'
    assert declare_prefixes(body) == (
        b'<?xml version="1.0"?><rss xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"'
        b' xmlns:x="urn:x-undeclared" x:a="1"><itunes:duration>3</itunes:duration></rss>'
    )
    assert declare_prefixes(b'<rss xmlns:a="u"><a:b/></rss>') is None


def test_recover_writes_broken_documents_back_well_formed() -> None:
    recovered = recover(b"<rss><channel><title>a &amp; b</title><item><title>x</item>")
    assert recovered is not None
    assert check_xml(recovered, ItemScan(recovered)) is None
    assert recover(b"no markup at all") is None
