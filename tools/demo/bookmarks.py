"""Bookmark feeds as Pinboard, Shaarli, wallabag, linkding and others publish them:
a page title, its external URL, the bookmarker's note and tags.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from .dates import ph, spread
from .documents import NS_ATOM, NS_CONTENT, NS_DC, NS_MEDIA, atom, el, jsonfeed, rdf, rss
from .prose import Slots, article, fill, h, slugify, titled
from .randomness import R, uuid4
from .spec import Spec, host_of
from .vocabulary import EXTERNAL_HOSTS, NOTES, SITES


def bookmark(topic: str) -> tuple[str, str, str, list[str], Slots]:
    """(page title, external URL, the bookmarker's note, tags, slots of the bookmarked page)."""
    ext = R.choice(EXTERNAL_HOSTS)
    t, slots = titled(topic)
    page_title = t
    if R.random() < 0.4:
        site = SITES[ext]
        page_title = f"{t} {R.choice(['|', '-', '·', '—'])} {site}"
    url = f"https://{ext}/{R.choice(['', 'blog/', 'articles/', 'notes/', 'p/'])}{slugify(t)}"
    note = fill(R.choice(NOTES), slots) if R.random() < 0.85 else ""
    extra = R.choice(["toread", "reference", "howto", "research", "checklist"])
    tags = sorted({topic, slugify(slots.subject).removeprefix("the-"), extra})
    return page_title, url, note, tags, slots


def build_pinboard(s: Spec) -> str:
    user = s.opts["user"]
    ages = spread(s.count())
    items = []
    for age in ages:
        t, url, note, tags, _ = bookmark(s.topic())
        items.append(
            (
                url,
                [
                    el("title", escape(t)),
                    el("dc:date", ph(age)),
                    el("link", escape(url)),
                    el("dc:creator", user),
                    el("description", escape(note)) if note else "<description/>",
                    el("dc:subject", " ".join(tags)),
                    el("dc:source", "https://pinboard.example/"),
                    el("dc:identifier", f"https://pinboard.example/u:{user}/b:{uuid4().hex[:12]}/"),
                    "<taxo:topics><rdf:Bag>"
                    + "".join(
                        f'<rdf:li rdf:resource="https://pinboard.example/u:{user}/t:{tag}"/>'
                        for tag in tags
                    )
                    + "</rdf:Bag></taxo:topics>",
                ],
            )
        )
    head = [
        el("title", escape(s.name)),
        el("link", escape(s.opts["link"])),
        "<description/>",
    ]
    ns = {
        "dc": NS_DC,
        "taxo": "http://purl.org/rss/1.0/modules/taxonomy/",
        "syn": "http://purl.org/rss/1.0/modules/syndication/",
        "content": NS_CONTENT,
    }
    return rdf("https://pinboard.example", head, items, ns)


def build_bookmarks_rss(s: Spec) -> str:
    """Raindrop, linkding, Diigo, Feedbin and Instapaper: RSS 2.0 with small differences."""
    style = s.opts["style"]
    ages = spread(s.count())
    items = []
    for i, age in enumerate(ages):
        t, url, note, tags, _ = bookmark(s.topic())
        lines = [el("title", escape(t)), el("link", escape(url))]
        if style == "raindrop":
            cover = f"https://rdl.raindrop.example/render/{R.randint(10**8, 10**9)}"
            desc = f"<p>{h(note)}</p>" if note else ""
            lines += [
                el("guid", escape(url), isPermaLink="true"),
                el("description", escape(desc)),
                el("media:content", None, url=cover, medium="image"),
            ]
        elif style == "diigo":
            lines += [
                el("guid", f"https://www.diigo.example/item/{R.randint(10**8, 10**9)}"),
                el("description", escape(note + (" (highlights: 3)" if i % 4 == 0 else ""))),
            ]
        else:
            lines += [el("guid", escape(url)), el("description", escape(note))]
        if style == "instapaper" and i == len(ages) - 1:
            # An undated item: some services omit the date on imported bookmarks.
            items.append(lines)
            continue
        lines.append(el("pubDate", ph(age)))
        lines += [el("category", tag) for tag in tags]
        if style in ("linkding", "feedbin"):
            lines.append(el("dc:creator", escape(s.author)))
        items.append(lines)
    channel = [
        el("title", escape(s.name)),
        el("link", escape(s.opts["link"])),
        el("description", escape(s.opts["description"])),
        el("atom:link", None, href=s.url, rel="self", type="application/rss+xml"),
    ]
    if style != "instapaper":
        channel.append(el("lastBuildDate", ph(ages[0])))
    ns = {"atom": NS_ATOM, "dc": NS_DC, "media": NS_MEDIA}
    return rss(channel, items, ns)


def build_bookmarks_json(s: Spec) -> str:
    host = host_of(s.url)
    ages = spread(s.count())
    items = []
    for age in ages:
        t, url, note, tags, _ = bookmark(s.topic())
        bid = uuid4().hex[:10]
        item: dict[str, Any] = {
            "id": f"https://{host}/b/{bid}",
            "url": f"https://{host}/b/{bid}",
            "external_url": url,
            "title": t,
            "content_text": note or t,
            "date_published": ph(age),
            "tags": tags,
        }
        if note and R.random() < 0.5:
            item["content_html"] = (
                f'<p>{h(note)}</p><p>Saved from <a href="{h(url)}">{h(host_of(url))}</a>.</p>'
            )
        items.append(item)
    feed = {
        "title": s.name,
        "home_page_url": f"https://{host}/",
        "feed_url": s.url,
        "description": s.opts["description"],
        "authors": [{"name": s.author}],
        "language": "en",
    }
    return jsonfeed(feed, items)


def build_bookmarks_atom(s: Spec) -> str:
    """Wallabag and Shaarli export Atom; Wallabag includes the saved article's text."""
    host = host_of(s.url)
    style = s.opts["style"]
    ages = spread(s.count())
    entries = []
    for age in ages:
        topic = s.topic()
        t, url, note, tags, slots = bookmark(topic)
        if style == "wallabag":
            _, body = article(
                topic, host=host_of(url), paragraphs=(2, 3), image_chance=0.1, slots=slots
            )
            link = f"https://{host}/share/{uuid4().hex[:13]}"
        else:
            body = f"<p>{h(note)}</p>" if note else ""
            body += f'<br />— <a href="https://{host}/shaare/{uuid4().hex[:6]}">Permalink</a>'
            link = url
        entries.append(
            [
                el("title", escape(t)),
                el("link", None, rel="alternate", type="text/html", href=link),
                el("id", f"urn:uuid:{uuid4()}"),
                el("published", ph(age)),
                el("updated", ph(age)),
                f'<content type="html">{escape(body)}</content>',
                *(el("category", None, term=tag, label=tag) for tag in tags),
            ]
        )
    head = [
        el("title", escape(s.name)),
        el("link", None, rel="self", type="application/atom+xml", href=s.url),
        el("link", None, rel="alternate", href=f"https://{host}/"),
        el("id", f"urn:uuid:{uuid4()}"),
        el("updated", ph(ages[0])),
        f"<author><name>{escape(s.author)}</name></author>",
        el("generator", "wallabag" if style == "wallabag" else "Shaarli", uri=f"https://{host}/"),
    ]
    return atom(head, entries, {})
