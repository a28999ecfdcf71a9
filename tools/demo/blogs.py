"""Blog feeds as WordPress, Substack, Ghost, Medium, Hugo/Jekyll/Blogger and micro.blog
write them, and the user's own blog, whose posting rate changes with its experiment.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape, quoteattr

from .dates import DAY, HOUR, WEEK, cadence, ph, spread
from .documents import NS_ATOM, NS_CONTENT, NS_DC, NS_MEDIA, atom, cdata, el, jsonfeed, rss
from .prose import Slots, article, cap, fill, h, slugify, titled
from .randomness import R, uuid4
from .spec import Spec, host_of
from .vocabulary import SUBJECTS, TOOTS


def wp_title(text: str) -> str:
    """WordPress writes curly apostrophes and ampersands as numeric references; so do we."""
    return escape(text).replace("'", "&#8217;").replace("&amp;", "&#038;")


def build_wordpress(s: Spec) -> str:
    host = host_of(s.url)
    authors = s.opts.get("authors", [s.author])
    ages = spread(s.count())
    items = []
    post_id = R.randint(900, 4000)
    for age in ages:
        topic = s.topic()
        t, slots = titled(topic)
        summary, body = article(topic, host=host, slots=slots)
        post_id -= R.randint(3, 40)
        link = f"https://{host}/{slugify(t)}/"
        excerpt = summary[:240].rsplit(" ", 1)[0] + " […]"
        appeared = (
            f'<p>The post <a href="{link}">{h(t)}</a> appeared first on '
            f'<a href="https://{host}">{h(s.name)}</a>.</p>'
        )
        cats = R.sample([*s.tags, slugify(R.choice(SUBJECTS[topic]))], 2)
        items.append(
            [
                f"<title>{wp_title(t)}</title>",
                el("link", link),
                el("comments", f"{link}#respond"),
                f"<dc:creator>{cdata(R.choice(authors))}</dc:creator>",
                el("pubDate", ph(age)),
                *(f"<category>{cdata(c)}</category>" for c in cats),
                el("guid", f"https://{host}/?p={post_id}", isPermaLink="false"),
                f"<description>{cdata(f'<p>{h(excerpt)}</p>' + appeared)}</description>",
                f"<content:encoded>{cdata(body + appeared)}</content:encoded>",
                el("wfw:commentRss", f"{link}feed/"),
                el("slash:comments", str(R.choice([0, 0, 1, 2, 3, 5, 8, 14]))),
            ]
        )
    channel = [
        el("title", wp_title(s.name)),
        el("atom:link", None, href=s.url, rel="self", type="application/rss+xml"),
        el("link", f"https://{host}"),
        el("description", escape(s.opts.get("description", ""))),
        el("lastBuildDate", ph(ages[0])),
        el("language", s.opts.get("lang", "en-GB")),
        el("sy:updatePeriod", "hourly"),
        el("sy:updateFrequency", "1"),
        el("generator", "https://wordpress.org/?v=6.7.1"),
    ]
    ns = {
        "content": NS_CONTENT,
        "wfw": "http://wellformedweb.org/CommentAPI/",
        "dc": NS_DC,
        "atom": NS_ATOM,
        "sy": "http://purl.org/rss/1.0/modules/syndication/",
        "slash": "http://purl.org/rss/1.0/modules/slash/",
    }
    return rss(channel, items, ns)


def build_substack(s: Spec) -> str:
    host = host_of(s.url)
    ages = spread(s.count(), span=16 * WEEK)
    items = []
    for age in ages:
        topic = s.topic()
        t, slots = titled(topic)
        summary, body = article(
            topic, host="substack-post-media.example", paragraphs=(3, 5), slots=slots
        )
        link = f"https://{host}/p/{slugify(t)}"
        subtitle = summary.split(". ")[0].rstrip(".") + "."
        items.append(
            [
                f"<title>{cdata(t)}</title>",
                f"<description>{cdata(subtitle)}</description>",
                el("link", link),
                el("guid", link, isPermaLink="false"),
                f"<dc:creator>{cdata(s.author)}</dc:creator>",
                el("pubDate", ph(age)),
                # Substack attaches the cover image as an enclosure: not every enclosure is audio.
                el(
                    "enclosure",
                    None,
                    url=f"https://substack-post-media.example/public/images/{uuid4()}_1456x816.jpeg",
                    length="0",
                    type="image/jpeg",
                ),
                f"<content:encoded>{cdata(body)}</content:encoded>",
            ]
        )
    channel = [
        f"<title>{cdata(s.name)}</title>",
        f"<description>{cdata(s.opts['description'])}</description>",
        el("link", f"https://{host}"),
        el("generator", "Substack"),
        el("lastBuildDate", ph(ages[0])),
        el("atom:link", None, href=s.url, rel="self", type="application/rss+xml"),
        f"<copyright>{cdata(s.author)}</copyright>",
        el("language", cdata("en")),
        f"<webMaster>{cdata('smallteamhr@substack.example')}</webMaster>",
    ]
    return rss(channel, items, {"dc": NS_DC, "content": NS_CONTENT, "atom": NS_ATOM})


def build_ghost(s: Spec) -> str:
    host = host_of(s.url)
    ages = spread(s.count())
    items = []
    for age in ages:
        topic = s.topic()
        t, slots = titled(topic)
        summary, body = article(topic, host=host, image_chance=0.2, slots=slots)
        link = f"https://{host}/{slugify(t)}/"
        img = f"https://{host}/content/images/size/w1200/{slugify(t)[:30]}.png"
        cover = f"<img src={quoteattr(img)} alt='' />"
        items.append(
            [
                f"<title>{cdata(t)}</title>",
                f"<description>{cdata(summary)}</description>",
                el("link", link),
                el("guid", uuid4().hex[:24], isPermaLink="false"),
                f"<category>{cdata(cap(topic))}</category>",
                f"<dc:creator>{cdata(s.author)}</dc:creator>",
                el("pubDate", ph(age)),
                el("media:content", None, url=img, medium="image"),
                f"<content:encoded>{cdata(cover + body)}</content:encoded>",
            ]
        )
    channel = [
        f"<title>{cdata(s.name)}</title>",
        f"<description>{cdata(s.opts['description'])}</description>",
        el("link", f"https://{host}/"),
        el("generator", "Ghost 5.101"),
        el("lastBuildDate", ph(ages[0])),
        el("atom:link", None, href=s.url, rel="self", type="application/rss+xml"),
        el("ttl", "60"),
    ]
    ns = {"dc": NS_DC, "content": NS_CONTENT, "atom": NS_ATOM, "media": NS_MEDIA}
    return rss(channel, items, ns)


def build_medium(s: Spec) -> str:
    ages = spread(s.count(), span=15 * WEEK)
    items = []
    for age in ages:
        topic = s.topic()
        t, slots = titled(topic)
        _, body = article(topic, host="cdn-images.medium.example", paragraphs=(3, 4), slots=slots)
        pid = uuid4().hex[:12]
        link = f"https://medium.example/employer-brand-lab/{slugify(t)}-{pid}?source=rss"
        cats = R.sample([*s.tags, slugify(R.choice(SUBJECTS[topic])), "careers", "marketing"], 3)
        items.append(
            [
                f"<title>{cdata(t)}</title>",
                el("link", escape(link)),
                el("guid", f"https://medium.example/p/{pid}", isPermaLink="false"),
                *(f"<category>{cdata(c)}</category>" for c in cats),
                f"<dc:creator>{cdata(R.choice(s.opts['authors']))}</dc:creator>",
                el("pubDate", ph(age)),
                f"<content:encoded>{cdata(body)}</content:encoded>",
            ]
        )
    channel = [
        f"<title>{cdata(s.name + ' - Medium')}</title>",
        f"<description>{cdata(s.opts['description'])}</description>",
        el("link", "https://medium.example/employer-brand-lab?source=rss"),
        el("generator", "Medium"),
        el("lastBuildDate", ph(ages[0])),
        el("atom:link", None, href=s.url, rel="self", type="application/rss+xml"),
        el("webMaster", cdata("yourfriends@medium.example")),
    ]
    return rss(channel, items, {"dc": NS_DC, "content": NS_CONTENT, "atom": NS_ATOM})


def build_atom_blog(s: Spec) -> str:
    """Hugo, Jekyll and Blogger all write Atom, each a little differently."""
    host = host_of(s.url)
    style = s.opts["style"]
    ages = spread(s.count())
    entries = []
    for age in ages:
        topic = s.topic()
        t, slots = titled(topic)
        summary, body = article(topic, host=host, slots=slots)
        if style == "blogger":
            post = R.randint(10**17, 10**18)
            link = f"https://{host}/{slugify(t)[:40]}.html"
            eid = f"tag:blogger.example,1999:blog-7781203344.post-{post}"
        else:
            link = f"https://{host}/posts/{slugify(t)}/"
            eid = link if style == "jekyll" else f"tag:{host},2019:{slugify(t)}"
        updated = max(age - R.choice([0, 0, 0, R.randint(HOUR, 3 * DAY)]), 10)
        if style == "hugo":
            # Well-formed XHTML content, to exercise the third Atom content type.
            content = (
                '<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
                f"{body}</div></content>"
            )
        else:
            content = f'<content type="html">{escape(body)}</content>'
        tags = R.sample([*s.tags, slugify(R.choice(SUBJECTS[topic]))], 2)
        entries.append(
            [
                el("title", escape(t), type="text"),
                el("link", None, href=link, rel="alternate", type="text/html", title=t),
                el("id", escape(eid)),
                el("published", ph(age)),
                el("updated", ph(updated)),
                f"<author><name>{escape(s.author)}</name></author>",
                *(el("category", None, term=tag) for tag in tags),
                el("summary", escape(summary), type="text"),
                content,
            ]
        )
    head = [
        el("title", escape(s.name), type="text"),
        el("subtitle", escape(s.opts["description"])),
        el("link", None, href=s.url, rel="self", type="application/atom+xml"),
        el("link", None, href=f"https://{host}/", rel="alternate", type="text/html"),
        el("id", f"https://{host}/"),
        el("updated", ph(ages[0])),
        f"<author><name>{escape(s.author)}</name></author>",
        el("generator", s.opts.get("generator", "Hugo"), uri="https://gohugo.example/"),
    ]
    return atom(head, entries, {}, lang="en")


def build_microblog(s: Spec) -> str:
    """micro.blog-style JSON Feed: a mix of titled posts and short untitled notes."""
    host = host_of(s.url)
    ages = spread(s.count(), newest=R.randint(30, 6 * HOUR))
    items = []
    for i, age in enumerate(ages):
        topic = s.topic()
        path = f"/{R.randint(1000, 9999)}/{slugify(SUBJECTS[topic][i % 20])[:20]}-{i}.html"
        item: dict[str, Any] = {"id": f"https://{host}{path}", "url": f"https://{host}{path}"}
        if R.random() < 0.5:
            t, slots = titled(topic)
            summary, body = article(
                topic, host=host, paragraphs=(2, 3), image_chance=0.2, slots=slots
            )
            item.update(title=t, content_html=body, summary=summary)
        else:
            text = fill(R.choice(TOOTS), Slots(topic))
            item["content_html"] = f"<p>{h(text)}</p>"
            item["content_text"] = text
        item["date_published"] = ph(age)
        item["tags"] = R.sample(s.tags, 1)
        items.append(item)
    feed = {
        "title": s.name,
        "home_page_url": f"https://{host}/",
        "feed_url": s.url,
        "description": s.opts["description"],
        "icon": f"https://{host}/avatar.png",
        "favicon": f"https://{host}/favicon.png",
        "language": "en",
        "authors": [{"name": s.author, "url": f"https://{host}/about/"}],
    }
    return jsonfeed(feed, items)


OWN_BLOG_AFTER = [  # newest first: the twice-weekly period that began ~8 weeks ago
    "Twice a week, week 8: the honest numbers",
    "What I cut to make room for two posts a week",
    "A tag is a promise to your future self",
    "Drafts folder zero (almost)",
    "The Friday link post is back",
    "Exit interviews as a blog series? Not quite",
    "Why my podcast show notes are now blog posts",
    "Onboarding checklists I actually reuse",
    "Mastodon, one month in: fewer followers, better replies",
    "Writing job ads in public",
    "Tagging the archive: 412 posts, 38 tags",
    "Two posts a week: the first fortnight",
    "A small style guide for HR writing",
    "Q&A: how do you find time to blog?",
    "Why I'm moving to twice weekly (and how I'll know if it worked)",
    "Starting an experiment: two posts a week",
]
OWN_BLOG_BEFORE = [  # newest first: the weekly period before the experiment
    "Links I saved this week",
    "The probation period, explained to a new manager",
    "My podcast workflow, end to end",
    "What a good reference check sounds like",
    "Hashtags are tags with a megaphone",
    "The employee handbook nobody reads",
    "Pay transparency in a 30-person company",
    "[Podcast] Episode 12: Onboarding for teams of one",
]


def subject_for(text: str, fallback: tuple[str, ...]) -> tuple[str, str]:
    """The (topic, subject) a hand-written title is about, so its body matches it."""
    lower = text.lower()
    best: tuple[int, str, str] | None = None
    for topic, subjects in SUBJECTS.items():
        for subject in subjects:
            words = subject.removeprefix("the ").lower()
            stem = words[:-1] if words.endswith("s") else words
            if stem in lower and (best is None or len(stem) > best[0]):
                best = (len(stem), topic, subject)
    if best is None:
        topic = R.choice(fallback)
        return topic, R.choice(SUBJECTS[topic])
    return best[1], best[2]


def build_own_blog(s: Spec) -> str:
    """The user's own blog: weekly until the experiment began 8 weeks ago, twice weekly since."""
    host = host_of(s.url)
    # Twice weekly since 8 weeks ago (first post a day after the start), weekly before that.
    after = sorted(cadence(8 * WEEK - DAY, 7 * DAY // 2, len(OWN_BLOG_AFTER), jitter=5 * HOUR))
    before = sorted(cadence(15 * WEEK + 5 * DAY, WEEK, len(OWN_BLOG_BEFORE), jitter=5 * HOUR))
    entries = list(zip(OWN_BLOG_AFTER + OWN_BLOG_BEFORE, after + before, strict=True))
    items = []
    for t, age in entries:
        topic, subject = subject_for(t, s.topics)
        summary, body = article(topic, host=host, slots=Slots(topic, subject))
        if t.startswith("Twice a week") or t.startswith("Two posts"):
            body = (
                "<p>This is part of my <em>two posts a week</em> experiment. The plan, the "
                f'hypothesis and the review date are on <a href="https://{host}/now/">my now '
                "page</a>.</p>\n" + body
            )
        if t.startswith("[Podcast]"):
            summary = "Episode 12 of Hallway HR is out: onboarding when you are the whole HR team."
            body = (
                f"<p>{h(summary)} Listen in your podcast app or "
                f'<a href="https://{host}/podcast/12/">on the episode page</a>.</p>\n' + body
            )
        if t.startswith("Links I saved"):
            # One relative link, as hand-written posts often have: readers must resolve it.
            body += '\n<p>Older link posts are in <a href="/tags/links/">the archive</a>.</p>'
        link = f"https://{host}/{slugify(t)}/"
        items.append(
            [
                el("title", escape(t)),
                el("link", link),
                el("guid", link, isPermaLink="true"),
                el("pubDate", ph(age)),
                el("dc:creator", escape(s.author)),
                *(el("category", c) for c in sorted({topic, *R.sample(s.tags, 1)})),
                el("description", escape(summary)),
                f"<content:encoded>{cdata(body)}</content:encoded>",
            ]
        )
    channel = [
        el("title", escape(s.name)),
        el("link", f"https://{host}/"),
        el("description", escape(s.opts["description"])),
        el("language", "en-gb"),
        el("generator", "Hugo"),
        el("lastBuildDate", ph(min(after))),
        el("atom:link", None, href=s.url, rel="self", type="application/rss+xml"),
    ]
    return rss(channel, items, {"content": NS_CONTENT, "dc": NS_DC, "atom": NS_ATOM})
