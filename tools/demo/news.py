"""News feeds in a reporter's voice, as RSS 2.0, Atom and RSS 1.0 (RDF); one item is
dated in the future, as real news feeds sometimes are.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from .dates import DAY, HOUR, WEEK, ph, spread
from .documents import NS_ATOM, NS_CONTENT, NS_DC, atom, cdata, el, rdf, rss
from .prose import Slots, cap, fill, h, person, result, slugify, titled
from .randomness import R
from .spec import Spec, host_of
from .vocabulary import NEWS_BODY

NEWS_TITLES = [
    "Survey: {res}",
    "Regulator publishes guidance on {s}",
    "{n} in 10 employers plan changes to {s} next year",
    "Report finds {aud} spend more time on {s} than expected",
    "Analysis: what the new rules mean for {s}",
    "{S} high on the agenda at this year's people conference",
    "Study links {s} to retention",
    "Platform changes put {s} back in focus",
    "Opinion: it is time to rethink {s}",
    "Explainer: {s} in five minutes",
]


def news_article(slots: Slots, host: str) -> tuple[str, str]:
    """(summary, HTML) in a reporter's voice rather than a blogger's."""
    lead = f"{cap(result(slots.topic))}, according to figures published this week."
    if R.random() < 0.5:
        lead = fill(slots.pick(NEWS_BODY[:4]), slots)
    paragraphs = [[lead, fill(slots.pick(NEWS_BODY), slots)]]
    for _ in range(R.randint(1, 3)):
        paragraphs.append([fill(slots.pick(NEWS_BODY), slots) for _ in range(R.randint(1, 2))])
    html = [f"<p>{h(' '.join(p))}</p>" for p in paragraphs]
    if R.random() < 0.25:
        html.insert(
            1,
            f'<img src="https://{host}/images/{slugify(slots.subject)}-{R.randint(100, 999)}.jpg" '
            f'alt="{h("Stock photo: people around a meeting table")}" />',
        )
    return " ".join(paragraphs[0]), "\n".join(html)


def news_items(s: Spec) -> list[tuple[int, str, str, str]]:
    """(age, title, summary, html) for a news feed; one item is dated in the future."""
    ages = spread(s.count(), newest=R.randint(10, 3 * HOUR), span=5 * WEEK)
    out = []
    for i, age in enumerate(ages):
        topic = s.topic()
        t, slots = titled(topic, NEWS_TITLES)
        summary, body = news_article(slots, host_of(s.url))
        if i == 1 and s.opts.get("future"):
            # A scheduled post that leaked early with its publication date: a real-world oddity
            # the store must not sort above everything else for days.
            t = "Webinar: " + t
            age = -2 * DAY - 3 * HOUR
        out.append((age, t, summary, body))
    return out


def build_news_rss(s: Spec) -> str:
    host = host_of(s.url)
    items = []
    rows = news_items(s)
    for i, (age, t, summary, body) in enumerate(rows):
        link = f"https://{host}/news/{slugify(t)}/"
        shown = escape(t)
        if i == 4:
            # Double-escaped ampersand, exactly as some CMSs emit it: "Pay &amp; benefits".
            shown = "Pay &amp;amp; benefits roundup — " + escape(t)
        items.append(
            [
                el("title", shown),
                el("link", link),
                el("guid", link, isPermaLink="true"),
                el("pubDate", ph(age)),
                el("author", f"newsdesk@{host} ({escape(person())})"),
                el("description", escape(f"<p>{h(summary)}</p>")),
                f"<content:encoded>{cdata(body)}</content:encoded>",
                el("category", "News"),
            ]
        )
    channel = [
        el("title", escape(s.name)),
        el("link", f"https://{host}/"),
        el("description", escape(s.opts["description"])),
        el("language", "en-us"),
        el("lastBuildDate", ph(max(0, min(a for a, *_ in rows)))),
        el("ttl", "30"),
        el("atom:link", None, href=s.url, rel="self", type="application/rss+xml"),
    ]
    return rss(channel, items, {"content": NS_CONTENT, "atom": NS_ATOM})


def build_news_atom(s: Spec) -> str:
    host = host_of(s.url)
    entries = []
    rows = news_items(s)
    for age, t, summary, body in rows:
        link = f"https://{host}/{slugify(t)}"
        entries.append(
            [
                el("title", escape(t)),
                el("link", None, href=link),
                el("id", link),
                el("published", ph(age)),
                el("updated", ph(age)),
                f"<author><name>{escape(person())}</name></author>",
                el("summary", escape(summary)),
                f'<content type="html">{escape(body)}</content>',
            ]
        )
    head = [
        el("title", escape(s.name)),
        el("subtitle", escape(s.opts["description"])),
        el("link", None, href=s.url, rel="self"),
        el("link", None, href=f"https://{host}/"),
        el("id", f"https://{host}/"),
        el("updated", ph(max(0, min(a for a, *_ in rows)))),
    ]
    return atom(head, entries, {})


def build_news_rdf(s: Spec) -> str:
    host = host_of(s.url)
    items = []
    for age, t, summary, _ in news_items(s):
        link = f"https://{host}/story/{R.randint(10**5, 10**6)}/{slugify(t)[:40]}"
        items.append(
            (
                link,
                [
                    el("title", escape(t)),
                    el("link", link),
                    el("description", escape(summary)),
                    el("dc:creator", escape(person().split()[0].lower())),
                    el("dc:date", ph(age)),
                    el("dc:subject", "web"),
                    el("slash:department", "one-tag-to-rule-them-all"),
                    el("slash:comments", str(R.randint(0, 300))),
                ],
            )
        )
    head = [
        el("title", escape(s.name)),
        el("link", f"https://{host}/"),
        el("description", escape(s.opts["description"])),
        el("dc:language", "en-us"),
        el("dc:publisher", "Web Desk Media"),
        el("syn:updatePeriod", "hourly"),
        el("syn:updateFrequency", "1"),
    ]
    ns = {
        "dc": NS_DC,
        "slash": "http://purl.org/rss/1.0/modules/slash/",
        "syn": "http://purl.org/rss/1.0/modules/syndication/",
    }
    return rdf(f"https://{host}/", head, items, ns)
