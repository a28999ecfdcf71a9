"""The offline demo portfolio: complete, parseable, fresh, and served without any network."""

from __future__ import annotations

import calendar
import datetime as dt
import json
import socket
import tomllib
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

import fastfeedparser
import feedparser
import httpx
import pytest

from tui.core.demo import offline as demo
from tui.core.demo.offline import (
    ANCHOR_DATE,
    DemoTransport,
    demo_dir,
    demo_portfolio_text,
    load_index,
    render_feed,
)
from tui.core.models import KINDS
from tui.core.planning.measures import MEASURES

NOW = dt.datetime(2026, 11, 25, 12, 30, 45, tzinfo=dt.UTC)
WEEK = dt.timedelta(weeks=1)
OWN_BLOG = "https://alexmoreau.example/feed/"
OWN_PODCAST = "https://alexmoreau.example/podcast/feed.xml"


def portfolio(today: dt.date = ANCHOR_DATE) -> dict[str, Any]:
    return tomllib.loads(demo_portfolio_text(today))


def feed_sources() -> list[dict[str, Any]]:
    """The demo's feeds: its API accounts (``api = ...``) are tested in test_demo_apis.py."""
    return [source for source in portfolio()["sources"] if "api" not in source]


def is_reserved(url: str) -> bool:
    """True for hosts under the reserved example domains, which never resolve to anyone real."""
    host = urlsplit(url).hostname or ""
    return host.endswith((".example", ".example.com", ".example.org")) or host in (
        "example.com",
        "example.org",
    )


def parse(response: httpx.Response) -> tuple[list[dict[str, Any]], Any]:
    """(entries, parsed document) with the library that understands the format.

    feedparser 6.0.14 has no JSON Feed support, so JSON Feeds are checked with json and with
    fastfeedparser instead.
    """
    content_type = response.headers["content-type"]
    if "json" in content_type:
        doc = json.loads(response.content)
        assert doc["version"] == "https://jsonfeed.org/version/1.1"
        for item in doc["items"]:
            assert item["id"] and item["url"] and item["date_published"]
            assert item.get("content_html") or item.get("content_text")
        # Bytes, never str: fastfeedparser fetches a str that starts with http(s)://.
        assert len(fastfeedparser.parse(response.content).entries) == len(doc["items"])
        return doc["items"], doc
    parsed = feedparser.parse(response.content, response_headers={"content-type": content_type})
    assert not parsed.bozo, f"{response.request.url}: {parsed.get('bozo_exception')}"
    assert len(fastfeedparser.parse(response.content).entries) == len(parsed.entries)
    return parsed.entries, parsed


def entry_time(entry: dict[str, Any]) -> dt.datetime | None:
    if "date_published" in entry:
        return dt.datetime.fromisoformat(entry["date_published"])
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    if stamp is None:
        return None
    return dt.datetime.fromtimestamp(calendar.timegm(stamp), dt.UTC)


@pytest.fixture(scope="module")
def served() -> dict[str, tuple[httpx.Response, list[dict[str, Any]]]]:
    """Every demo source fetched once through DemoTransport at a fixed moment."""
    client = httpx.Client(transport=DemoTransport(now=NOW))
    out = {}
    for source in feed_sources():
        response = client.get(source["url"])
        entries, _ = parse(response) if response.status_code == 200 else ([], None)
        out[source["url"]] = (response, entries)
    return out


# --- where the demo lives ----------------------------------------------------------------


def test_demo_dir_holds_the_portfolio_and_the_index() -> None:
    folder = demo_dir()
    assert (folder / "portfolio.toml").is_file()
    assert (folder / "feeds" / "index.toml").is_file()


def test_demo_dir_prefers_the_wheel_copy(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "site-packages" / "tui"
    (package / "_config" / "demo").mkdir(parents=True)
    import tui

    monkeypatch.setattr(tui, "__file__", str(package / "__init__.py"))
    assert demo_dir() == (package / "_config" / "demo").resolve()


def test_the_shipped_demo_is_small() -> None:
    size = sum(p.stat().st_size for p in demo_dir().rglob("*") if p.is_file())
    assert size < 3_000_000


def test_index_and_portfolio_list_the_same_urls() -> None:
    index_urls = {feed.url for feed in load_index().values()}
    source_urls = [source["url"] for source in feed_sources()]
    assert len(source_urls) == len(set(source_urls))
    assert index_urls == set(source_urls)
    shipped = {p.name for p in (demo_dir() / "feeds").iterdir() if p.name != "index.toml"}
    assert shipped == {feed.path.name for feed in load_index().values()}


# --- every feed is served and parses -----------------------------------------------------


def test_every_source_is_served_with_entries(served: dict[str, Any]) -> None:
    for url, (response, entries) in served.items():
        assert response.status_code == 200, url
        assert response.headers["etag"], url
        assert 8 <= len(entries) <= 25, (url, len(entries))


def test_content_types_match_the_format(served: dict[str, Any]) -> None:
    types = {response.headers["content-type"].split(";")[0] for response, _ in served.values()}
    assert {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/feed+json",
    } <= types


def test_placeholders_are_all_substituted(served: dict[str, Any]) -> None:
    for url, (response, _) in served.items():
        assert b"{{" not in response.content, url
        assert b"}}" not in response.content, url


def test_formats_are_mixed() -> None:
    formats = Counter(feed.fmt for feed in load_index().values())
    assert formats["json"] >= 2
    assert formats["rdf"] >= 1
    assert formats["rss"] >= 10
    assert formats["atom"] >= 5


def test_counts_per_kind() -> None:
    kinds = Counter(source["kind"] for source in portfolio()["sources"])
    assert set(kinds) <= set(KINDS)
    for kind in ("blog", "podcast", "bookmarks", "social"):
        assert kinds[kind] >= 10, kind
    assert kinds["video"] >= 3


def test_sources_are_well_formed() -> None:
    for source in portfolio()["sources"]:
        allowed = {"url", "name", "kind", "tags", "mine", "interval", "api", "target"}
        assert set(source) <= allowed
        assert "target" not in source or source["mine"]
        assert source["url"].startswith("https://") and is_reserved(source["url"]), source
        assert source["name"] and isinstance(source["tags"], list)


def test_podcasts_have_audio_enclosures_and_durations(served: dict[str, Any]) -> None:
    for source in portfolio()["sources"]:
        if source["kind"] != "podcast":
            continue
        _, entries = served[source["url"]]
        for entry in entries:
            audio = [e for e in entry.enclosures if e.type.startswith("audio/")]
            assert audio and int(audio[0].length) > 0, source["url"]
            assert entry.get("itunes_duration"), source["url"]


def test_links_in_items_stay_on_reserved_domains(served: dict[str, Any]) -> None:
    for url, (_, entries) in served.items():
        for entry in entries:
            links = [entry.get("link") or entry.get("url") or ""]
            links += [e.get("href", "") for e in entry.get("enclosures", [])]
            links.append(entry.get("external_url", ""))
            for link in filter(None, links):
                assert is_reserved(link), (url, link)


def test_hostile_but_realistic_titles_are_present(served: dict[str, Any]) -> None:
    titles = [entry.get("title", "") for _, entries in served.values() for entry in entries]
    assert "[Podcast] Episode 12: Onboarding for teams of one" in titles
    assert any("Q&A" in title for title in titles)
    # Mastodon and Bluesky items have no title at all, as in the real feeds.
    assert any(not title for title in titles)


def test_reader_pane_content_has_structure(served: dict[str, Any]) -> None:
    _, entries = served["https://peopledesk.example/feed/"]
    html = " ".join(entry.content[0].value for entry in entries)
    for tag in ("<p>", "<h2>", "<li>", "<blockquote>", "<a href=", "<img"):
        assert tag in html, tag


# --- dates stay fresh --------------------------------------------------------------------


def test_items_are_recent_relative_to_now(served: dict[str, Any]) -> None:
    times = [entry_time(e) for _, entries in served.values() for e in entries]
    dated = [t for t in times if t is not None]
    assert len(dated) >= len(times) - 2  # one undated bookmark on purpose
    within_14_weeks = [t for t in dated if NOW - t <= 14 * WEEK]
    assert len(within_14_weeks) / len(dated) > 0.85
    last_day = [t for t in dated if dt.timedelta(0) <= NOW - t <= dt.timedelta(days=1)]
    assert len(last_day) >= 10
    assert all(NOW - t <= 30 * WEEK for t in dated)


def test_own_blog_and_podcast_are_marked_mine() -> None:
    mine = {s["url"]: s["kind"] for s in feed_sources() if s["mine"]}
    assert mine == {OWN_BLOG: "blog", OWN_PODCAST: "podcast"}


@pytest.mark.parametrize(("url", "before", "since"), [(OWN_BLOG, 8, 16), (OWN_PODCAST, 4, 8)])
def test_own_cadence_changed_when_the_experiment_started(
    served: dict[str, Any], url: str, before: int, since: int
) -> None:
    """Weekly (blog) or fortnightly (podcast) until eight weeks ago, twice as often since."""
    start = NOW - 8 * WEEK
    times = [entry_time(e) for e in served[url][1]]
    assert sum(1 for t in times if t and t >= start) == since
    assert sum(1 for t in times if t and start - 8 * WEEK <= t < start) == before


def test_rss_dates_are_rfc822_and_atom_dates_rfc3339() -> None:
    assert render_feed("<pubDate>{{date:-1d}}</pubDate>", NOW, "rss") == (
        "<pubDate>Tue, 24 Nov 2026 12:30:00 GMT</pubDate>"
    )
    assert render_feed("<updated>{{date:-1d}}</updated>", NOW, "atom") == (
        "<updated>2026-11-24T12:30:00Z</updated>"
    )
    assert render_feed('"{{date:now}}"', NOW, "json") == '"2026-11-25T12:30:00Z"'
    assert render_feed("{{date:-2w}}", NOW, "rdf") == "2026-11-11T12:30:00Z"


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("-3d4h", NOW - dt.timedelta(days=3, hours=4)),
        ("+5d", NOW + dt.timedelta(days=5)),
        ("-1w2d3h4m", NOW - dt.timedelta(weeks=1, days=2, hours=3, minutes=4)),
        ("now", NOW),
    ],
)
def test_placeholder_offsets(spec: str, expected: dt.datetime) -> None:
    rendered = render_feed("{{date:" + spec + "}}", NOW, "atom")
    assert rendered == expected.replace(second=0).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize("spec", ["3d", "-3x", "-", "yesterday", "-3d 4h", ""])
def test_bad_placeholders_are_refused(spec: str) -> None:
    with pytest.raises(ValueError, match="placeholder"):
        render_feed("{{date:" + spec + "}}", NOW, "rss")


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="format"):
        render_feed("no placeholders", NOW, "html")


def test_render_is_stable_within_a_minute() -> None:
    template = (demo_dir() / "feeds" / "blog-peopledesk.xml").read_text(encoding="utf-8")
    later = NOW + dt.timedelta(seconds=10)
    assert render_feed(template, NOW, "rss") == render_feed(template, later, "rss")
    naive = NOW.replace(tzinfo=None)
    assert render_feed(template, naive, "rss") == render_feed(template, NOW, "rss")


def test_process_now_is_fixed_and_whole_minutes() -> None:
    first = demo.process_now()
    assert first == demo.process_now()
    assert first.second == 0 and first.microsecond == 0 and first.tzinfo is not None


# --- the portfolio: dates, matrix, roadmap -----------------------------------------------


def test_portfolio_text_is_unchanged_on_the_anchor_date() -> None:
    original = (demo_dir() / "portfolio.toml").read_text(encoding="utf-8")
    assert demo_portfolio_text(ANCHOR_DATE) == original


@pytest.mark.parametrize("days", [1, 40, 400, -3])
def test_portfolio_dates_are_shifted(days: int) -> None:
    anchored = portfolio()
    shifted = portfolio(ANCHOR_DATE + dt.timedelta(days=days))
    assert len(shifted["roadmap"]) == len(anchored["roadmap"])
    for old, new in zip(anchored["roadmap"], shifted["roadmap"], strict=True):
        for key in ("start", "review"):
            assert isinstance(new[key], dt.date)
            assert new[key] - old[key] == dt.timedelta(days=days)
    assert shifted["sources"] == anchored["sources"]
    assert shifted["matrix"] == anchored["matrix"]


def test_shift_dates_leaves_non_dates_alone() -> None:
    text = 'a = 2026-02-30\nb = "v2026-11-25x"\nc = 2026-11-25\nd = 12026-11-25\n'
    assert demo.shift_dates(text, 7) == (
        'a = 2026-02-30\nb = "v2026-12-02x"\nc = 2026-12-02\nd = 12026-11-25\n'
    )


def test_vision_is_written() -> None:
    vision = portfolio()["vision"]
    assert isinstance(vision, str) and len(vision.split()) > 30


def test_matrix_values_and_quadrants() -> None:
    matrix = portfolio()["matrix"]
    assert 8 <= len(matrix) <= 14
    assert len({entry["id"] for entry in matrix}) == len(matrix)
    quadrants: Counter[tuple[bool, bool]] = Counter()
    for entry in matrix:
        assert set(entry) == {"id", "name", "notes", "value", "effort", "sources"}
        assert 1 <= entry["value"] <= 5 and 1 <= entry["effort"] <= 5, entry["id"]
        if entry["value"] != 3 and entry["effort"] != 3:
            quadrants[(entry["value"] > 3, entry["effort"] > 3)] += 1
    assert len(quadrants) == 4, quadrants


def test_matrix_sources_are_source_urls_or_tags() -> None:
    doc = portfolio()
    urls = {source["url"] for source in doc["sources"]}
    tags = {tag for source in doc["sources"] for tag in source["tags"]}
    for entry in doc["matrix"]:
        for ref in entry["sources"]:
            assert ref in urls or ref in tags, (entry["id"], ref)


def test_roadmap_covers_every_lane_and_status() -> None:
    roadmap = portfolio()["roadmap"]
    assert {item["lane"] for item in roadmap} == {"now", "next", "later", "done"}
    assert {item["status"] for item in roadmap} == {"idea", "trying", "adopted", "dropped"}
    for item in roadmap:
        assert set(item) - {"metric"} == {
            "id", "title", "hypothesis", "measure", "lane", "status", "start", "review", "links",
        }  # fmt: skip
        assert item["start"] < item["review"], item["id"]


def test_roadmap_names_measures_folio_computes() -> None:
    measured = {item["id"]: item["metric"] for item in portfolio()["roadmap"] if "metric" in item}
    assert measured["twice-weekly-blog"] == "posts/week"
    assert set(measured.values()) <= set(MEASURES)


def test_roadmap_reviews_are_both_past_and_future() -> None:
    today = dt.date.today()
    roadmap = portfolio(today)["roadmap"]
    trying = [item for item in roadmap if item["status"] == "trying"]
    assert any(item["review"] < today for item in trying)
    assert any(item["review"] > today for item in trying)


def test_roadmap_links_are_matrix_ids_or_source_urls() -> None:
    doc = portfolio()
    targets = {entry["id"] for entry in doc["matrix"]} | {s["url"] for s in doc["sources"]}
    for item in doc["roadmap"]:
        assert item["links"], item["id"]
        for link in item["links"]:
            assert link in targets, (item["id"], link)


def test_the_cadence_experiment_is_measurable_from_the_own_blog() -> None:
    roadmap = {item["id"]: item for item in portfolio()["roadmap"]}
    experiment = roadmap["twice-weekly-blog"]
    assert OWN_BLOG in experiment["links"]
    assert experiment["start"] == ANCHOR_DATE - 8 * WEEK


# --- the transport -----------------------------------------------------------------------


async def test_second_refresh_is_answered_304() -> None:
    async with httpx.AsyncClient(transport=DemoTransport(now=NOW)) as client:
        first = await client.get(OWN_BLOG)
        etag = first.headers["etag"]
        again = await client.get(OWN_BLOG, headers={"If-None-Match": etag})
        weak = await client.get(OWN_BLOG, headers={"If-None-Match": f'"other", W/{etag}'})
        star = await client.get(OWN_BLOG, headers={"If-None-Match": "*"})
        stale = await client.get(OWN_BLOG, headers={"If-None-Match": '"stale"'})
    assert first.status_code == 200
    assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", etag)
    assert weak.status_code == star.status_code == 304
    assert stale.status_code == 200 and stale.content == first.content


async def test_if_modified_since_is_honoured_only_without_if_none_match() -> None:
    async with httpx.AsyncClient(transport=DemoTransport(now=NOW)) as client:
        first = await client.get(OWN_PODCAST)
        since = {"If-Modified-Since": first.headers["last-modified"]}
        again = await client.get(OWN_PODCAST, headers=since)
        older = await client.get(
            OWN_PODCAST, headers={"If-Modified-Since": "Sun, 01 Nov 2026 00:00:00 GMT"}
        )
        both = await client.get(OWN_PODCAST, headers={**since, "If-None-Match": '"stale"'})
        junk = await client.get(OWN_PODCAST, headers={"If-Modified-Since": "not a date"})
    assert again.status_code == 304
    assert older.status_code == both.status_code == junk.status_code == 200


def test_etag_is_stable_per_moment_and_changes_with_it() -> None:
    one = httpx.Client(transport=DemoTransport(now=NOW)).get(OWN_BLOG)
    two = httpx.Client(transport=DemoTransport(now=NOW + dt.timedelta(seconds=10))).get(OWN_BLOG)
    later = httpx.Client(transport=DemoTransport(now=NOW + dt.timedelta(hours=1))).get(OWN_BLOG)
    assert one.headers["etag"] == two.headers["etag"]
    assert one.content == two.content
    assert later.headers["etag"] != one.headers["etag"]


async def test_unknown_url_is_404_and_other_methods_405() -> None:
    async with httpx.AsyncClient(transport=DemoTransport(now=NOW)) as client:
        missing = await client.get("https://alexmoreau.example/nope.xml")
        elsewhere = await client.get("https://www.python.org/")
        posted = await client.post(OWN_BLOG, content=b"x")
        head = await client.head(OWN_BLOG)
    assert missing.status_code == elsewhere.status_code == 404
    assert posted.status_code == 405
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) > 1000


async def test_url_spelling_is_normalised() -> None:
    async with httpx.AsyncClient(transport=DemoTransport(now=NOW)) as client:
        response = await client.get("https://ALEXMOREAU.example:443/feed/#top")
    assert response.status_code == 200


async def test_the_transport_never_touches_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the demo transport opened a socket")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    transport = DemoTransport(now=NOW)
    async with httpx.AsyncClient(transport=transport) as client:
        for url in transport.urls:
            assert (await client.get(url)).status_code == 200
        assert (await client.get("https://unknown.example/")).status_code == 404
    assert transport.requests == len(transport.urls) + 1


def test_a_broken_index_is_refused(tmp_path: Any) -> None:
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    (feeds / "index.toml").write_text('[[feed]]\nurl = "https://a.example/"\nfile = "a.xml"\n')
    with pytest.raises(ValueError, match="format"):
        load_index(tmp_path)
    (feeds / "index.toml").write_text(
        '[[feed]]\nurl = "https://a.example/"\nfile = "../../etc/passwd"\nformat = "rss"\n'
    )
    with pytest.raises(ValueError, match="outside"):
        load_index(tmp_path)


async def test_an_address_outside_the_demo_is_refused_in_words() -> None:
    # Adding a source in the demo goes through the offline transport, whose answers are
    # already read: a 404 must read as one, not as an httpx error about consumed streams.
    from tui.core.net.fetch import Fetcher, FetchError, discover_feed

    async with Fetcher(transport=DemoTransport(now=NOW)) as fetcher:
        result = await fetcher.fetch("http://127.0.0.1:9/feed.xml")
    assert result.error == "server said 404 Not Found"
    with pytest.raises(FetchError, match="server said 404 Not Found"):
        await discover_feed("http://127.0.0.1:9/feed.xml", transport=DemoTransport(now=NOW))
