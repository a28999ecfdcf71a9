"""Social feeds read as feeds (not through an API): Mastodon and Bluesky accounts,
Hacker News, GitHub releases, Reddit and Lemmy.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from .dates import DAY, HOUR, WEEK, ph, spread
from .documents import NS_ATOM, NS_DC, NS_MEDIA, atom, cdata, el, rss
from .prose import Slots, fill, h, handle, person, slugify, title, titled
from .randomness import R
from .spec import Spec, host_of
from .vocabulary import EMOJI, EXTERNAL_HOSTS, MIDDLE, SUBJECTS, TITLES, TOOTS


def hashtag_html(host: str, tag: str) -> str:
    return (
        f'<a href="https://{host}/tags/{tag.lower()}" class="mention hashtag" rel="tag">'
        f"#<span>{tag}</span></a>"
    )


def build_mastodon(s: Spec) -> str:
    host = host_of(s.url)
    user = s.url.split("/@")[1].removesuffix(".rss")
    ages = spread(s.count(), newest=R.randint(10, 14 * HOUR), span=6 * WEEK)
    tagwords = {
        "hr": "HR",
        "social": "SocialMedia",
        "blogging": "Blogging",
        "podcasting": "Podcasting",
        "tagging": "Tagging",
    }
    items = []
    status = 113_500_000_000_000_000 + R.randint(0, 10**15)
    seen: set[str] = set()  # shared by the feed's posts, so templates rotate
    for age in ages:
        topic = s.topic()
        status -= R.randint(10**11, 10**13)
        slots = Slots(topic, used=seen)
        text = fill(slots.pick(TOOTS), slots).removesuffix(f" #{topic}")
        parts = [h(text) + R.choice(EMOJI)]
        if R.random() < 0.3:
            other = person()
            mention = handle(other)
            parts.append(
                f'cc <span class="h-card" translate="no"><a href="https://{host}/@{mention}" '
                f'class="u-url mention">@<span>{mention}</span></a></span>'
            )
        if R.random() < 0.35:
            ext = R.choice(EXTERNAL_HOSTS)
            path = slugify(R.choice(SUBJECTS[topic]))
            parts.append(
                f'<a href="https://{ext}/{path}" target="_blank" rel="nofollow noopener">'
                f'<span class="invisible">https://</span><span class="">{ext}/{path}</span></a>'
            )
        tags = [tagwords[topic], R.choice(["Fediverse", "WorkLife", "IndieWeb", "Writing"])]
        html = f"<p>{' '.join(parts)}</p><p>{' '.join(hashtag_html(host, t) for t in tags)}</p>"
        link = f"https://{host}/@{user}/{status}"
        lines = [
            el("guid", link, isPermaLink="true"),
            el("link", link),
            el("pubDate", ph(age)),
            el("description", escape(html)),
        ]
        if R.random() < 0.15:
            lines.append(
                f'<media:content url="https://files.{host}/media_attachments/{status}.png" '
                'type="image/png" fileSize="184233" medium="image">'
                '<media:rating scheme="urn:simple">nonadult</media:rating></media:content>'
            )
        lines += [el("category", t.lower()) for t in tags]
        items.append(lines)
    channel = [
        el("title", escape(s.name)),
        el("description", escape(f"Public posts from @{user}@{host}")),
        el("link", f"https://{host}/@{user}"),
        f"<image><url>https://files.{host}/accounts/avatars/{user}.png</url>"
        f"<title>{escape(s.name)}</title><link>https://{host}/@{user}</link></image>",
        el("lastBuildDate", ph(ages[0])),
        el("webfeeds:icon", f"https://files.{host}/accounts/avatars/{user}.png"),
        el("generator", "Mastodon v4.3.2"),
    ]
    ns = {"webfeeds": "http://webfeeds.org/rss/1.0", "media": NS_MEDIA}
    return rss(channel, items, ns)


def build_bluesky(s: Spec) -> str:
    user = s.opts["handle"]
    did = s.opts["did"]
    ages = spread(s.count(), span=5 * WEEK)
    items = []
    seen: set[str] = set()
    for age in ages:
        topic = s.topic()
        slots = Slots(topic, used=seen)
        text = fill(slots.pick(TOOTS), slots)
        rkey = "3l" + "".join(R.choice("abcdefghijklmnopqrstuvwxyz234567") for _ in range(11))
        items.append(
            [
                el("link", f"https://bsky.example/profile/{did}/post/{rkey}"),
                el("description", escape(text)),
                el("pubDate", ph(age)),
                el("guid", f"at://{did}/app.bsky.feed.post/{rkey}", isPermaLink="false"),
            ]
        )
    channel = [
        el("description", escape(s.opts["description"])),
        el("link", f"https://bsky.example/profile/{user}"),
        el("title", escape(f"@{user} - {s.name.split(' (')[0]}")),
    ]
    return rss(channel, items, {})


HN_TITLES = [
    "Show HN: A tag-based bookmark manager in a single file",
    "Ask HN: How do you keep a personal blog going?",
    "Podcasts are just RSS feeds, and that is fine",
    "The decline of the blogroll (2019)",
    "Show HN: I built a podcast transcript search for my own show",
    "Ask HN: What do you use to read RSS in 2026?",
    "JSON Feed 1.1",
    "Why I stopped using hashtags",
    "The hidden costs of hiring pipelines",
    "Show HN: Open-source job ad linter",
    "A practical guide to controlled vocabularies",
    "Ask HN: Is Mastodon working for you professionally?",
    "Conditional GET is the most underrated HTTP feature",
    "Folksonomies, twenty years on",
    "Show HN: Terminal dashboard for following feeds",
    "Webmentions in practice",
    "How we cut our podcast editing time in half",
    "Pay transparency laws and what they changed",
    "Ask HN: How do you tag your notes?",
    "The Atom syndication format is still good",
    "Show HN: A static site generator that outputs only RSS",
    "Ask HN: Remote onboarding that actually works?",
    "The case for publishing your hiring rubric",
    "Podcasting 2.0 chapters and transcripts, explained",
    "What happened to social bookmarking?",
]


def build_hn(s: Spec) -> str:
    ages = spread(20, newest=R.randint(5, 90), span=3 * WEEK)
    items = []
    hn_id = 42_300_000 + R.randint(0, 10**5)
    for age, t in zip(ages, R.sample(HN_TITLES, 20), strict=True):
        hn_id -= R.randint(2000, 90000)
        comments = f"https://news.ycombinator.example/item?id={hn_id}"
        if t.startswith(("Ask HN", "Show HN")) and R.random() < 0.5:
            url = comments
        else:
            url = f"https://{R.choice(EXTERNAL_HOSTS)}/{slugify(t)}"
        points, ncomments = R.randint(3, 480), R.randint(0, 260)
        desc = (
            f'<p>Article URL: <a href="{h(url)}">{h(url)}</a></p>\n'
            f'<p>Comments URL: <a href="{h(comments)}">{h(comments)}</a></p>\n'
            f"<p>Points: {points}</p>\n<p># Comments: {ncomments}</p>"
        )
        items.append(
            [
                el("title", cdata(t)),
                f"<description>{cdata(desc)}</description>",
                el("pubDate", ph(age)),
                el("link", escape(url)),
                el("dc:creator", person().split()[0].lower() + str(R.randint(1, 99))),
                el("comments", escape(comments)),
                el("guid", escape(comments), isPermaLink="false"),
            ]
        )
    channel = [
        el("title", cdata("Hacker News: Newest: RSS OR podcast OR blogging")),
        el("description", cdata("Hacker News RSS")),
        el("link", "https://news.ycombinator.example/"),
        el("generator", "hnrss v2.1.1"),
        el("lastBuildDate", ph(ages[0])),
        el("atom:link", None, href=s.url, rel="self", type="application/rss+xml"),
    ]
    return rss(channel, items, {"dc": NS_DC, "atom": NS_ATOM})


def build_github(s: Spec) -> str:
    repo = s.opts["repo"]
    major, minor, patch = s.opts["version"]
    ages = spread(10, span=20 * WEEK)
    entries = []
    fixes = [
        "Fix crash when a tag contains a slash",
        "Handle feeds that send an empty ETag",
        "Respect Retry-After on 429 responses",
        "Import Pinboard exports with mixed-case tags",
        "Merge duplicate tags that differ only by plural",
        "Add `--dry-run` to the rename command",
        "Faster start-up with large tag lists",
        "Docs: explain the synonyms file",
        "Keep the original order of tags on export",
        "Support JSON Feed 1.1 `authors`",
        "Treat `itunes:duration` in seconds correctly",
        "Drop Python 3.9",
        "Skip unchanged feeds by content hash",
    ]
    for i, age in enumerate(ages):
        version = f"v{major}.{minor}.{patch}"
        contributors = [handle(person()) for _ in range(3)]
        changes = "".join(
            f"<li>{h(c)} by @{R.choice(contributors)} in "
            f'<a href="https://github.example/{repo}/pull/{pr}">#{pr}</a></li>'
            for c, pr in zip(R.sample(fixes, 5), R.sample(range(100, 900), 5), strict=True)
            if R.random() < 0.7
        )
        prev = f"v{major}.{minor}.{patch - 1}" if patch else f"v{major}.{max(minor - 1, 0)}.0"
        body = (
            f"<h2>What's Changed</h2>\n<ul>{changes}</ul>\n"
            + (
                f"<h2>New Contributors</h2>\n<ul><li>@{contributors[0]} made their first "
                "contribution</li></ul>\n"
                if i % 3 == 0
                else ""
            )
            + f'<p><strong>Full Changelog</strong>: <a href="https://github.example/{repo}/'
            f'compare/{prev}...{version}">{prev}...{version}</a></p>'
        )
        entries.append(
            [
                el("id", f"tag:github.example,2008:Repository/{s.opts['repo_id']}/{version}"),
                el("updated", ph(age)),
                el(
                    "link",
                    None,
                    rel="alternate",
                    type="text/html",
                    href=f"https://github.example/{repo}/releases/tag/{version}",
                ),
                el("title", version if i % 2 else f"{version}: {fixes[i % len(fixes)]}"),
                f'<content type="html">{escape(body)}</content>',
                f"<author><name>{contributors[1]}</name></author>",
                el(
                    "media:thumbnail",
                    None,
                    height="30",
                    width="30",
                    url=f"https://avatars.github.example/u/{R.randint(10**5, 10**7)}?s=60&v=4",
                ),
            ]
        )
        if patch:
            patch -= 1
        else:
            minor, patch = max(minor - 1, 0), R.randint(1, 4)
    head = [
        el("id", f"tag:github.example,2008:https://github.example/{repo}/releases"),
        el(
            "link",
            None,
            type="text/html",
            rel="alternate",
            href=f"https://github.example/{repo}/releases",
        ),
        el("link", None, type="application/atom+xml", rel="self", href=s.url),
        el("title", f"Release notes from {repo.split('/')[1]}"),
        el("updated", ph(ages[0])),
    ]
    return atom(head, entries, {"media": NS_MEDIA}, lang="en-US")


REDDIT_TITLES = [
    "How do you handle {s} at a 50-person company?",
    "Is it normal for {s} to take this long?",
    "Rant: {s} at my last job",
    "What tools do you use for {s}?",
    "Manager wants me to {a}. Thoughts?",
    "Advice on {s} for a first-time HR hire",
    "Anyone else finding {s} harder this year?",
    "Template for {s}? Happy to share mine",
    "Weekly thread: {s}",
    "Did anyone {a}? How did it go?",
]


def build_reddit(s: Spec) -> str:
    sub = s.opts["sub"]
    ages = spread(s.n or 25, newest=R.randint(5, 3 * HOUR), span=10 * DAY)
    entries = []
    for age in ages:
        topic = s.topic()
        t, slots = titled(topic, REDDIT_TITLES)
        user = handle(person()) + str(R.randint(10, 9999))
        pid = "1" + "".join(R.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(6))
        slug = slugify(t)[:50].replace("-", "_")
        link = f"https://www.reddit.example/r/{sub}/comments/{pid}/{slug}/"
        body_text = " ".join(fill(R.choice(MIDDLE), slots) for _ in range(R.randint(1, 3)))
        content = (
            f'<!-- SC_OFF --><div class="md"><p>{h(body_text)}</p></div><!-- SC_ON --> '
            f'&#32; submitted by &#32; <a href="https://www.reddit.example/user/{user}">'
            f" /u/{user} </a>"
            f' <br/> <span><a href="{link}">[link]</a></span> &#32; '
            f'<span><a href="{link}">[comments]</a></span>'
        )
        entries.append(
            [
                f"<author><name>/u/{user}</name><uri>https://www.reddit.example/user/{user}</uri>"
                "</author>",
                el("category", None, term=sub, label=f"r/{sub}"),
                f'<content type="html">{escape(content)}</content>',
                el("id", f"t3_{pid}"),
                el("link", None, href=link),
                el("updated", ph(age)),
                el("published", ph(age)),
                el("title", escape(t)),
            ]
        )
    head = [
        el("category", None, term=sub, label=f"r/{sub}"),
        el("updated", ph(ages[0])),
        el("icon", "https://www.redditstatic.example/icon.png/"),
        el("id", f"/r/{sub}/.rss"),
        el("link", None, rel="self", href=s.url, type="application/atom+xml"),
        el(
            "link",
            None,
            rel="alternate",
            href=f"https://www.reddit.example/r/{sub}/",
            type="text/html",
        ),
        el("subtitle", escape(s.opts["description"])),
        el("title", escape(s.name)),
    ]
    return atom(head, entries, {"media": NS_MEDIA})


def build_lemmy(s: Spec) -> str:
    host = host_of(s.url)
    community = s.opts["community"]
    ages = spread(s.count(), span=4 * WEEK)
    items = []
    post = R.randint(2_000_000, 9_000_000)
    for age in ages:
        topic = s.topic()
        t = title(topic, REDDIT_TITLES + TITLES)
        post -= R.randint(500, 20000)
        user = handle(person())
        ext = R.choice(EXTERNAL_HOSTS)
        link = f"https://{ext}/{slugify(t)}" if R.random() < 0.5 else f"https://{host}/post/{post}"
        points, comments = R.randint(1, 140), R.randint(0, 40)
        desc = (
            f'submitted by <a href="https://{host}/u/{user}">{user}</a> to '
            f'<a href="https://{host}/c/{community}">{community}</a><br>{points} points | '
            f'<a href="https://{host}/post/{post}">{comments} comments</a>'
        )
        items.append(
            [
                el("title", escape(t)),
                el("link", escape(link)),
                el("description", escape(desc)),
                el("comments", f"https://{host}/post/{post}"),
                el("guid", f"https://{host}/post/{post}"),
                el("pubDate", ph(age)),
                el("dc:creator", f"{user}@{host}"),
                el("category", community),
            ]
        )
    channel = [
        el("title", escape(s.name)),
        el("link", f"https://{host}/c/{community}"),
        el("description", escape(s.opts["description"])),
    ]
    return rss(channel, items, {"dc": NS_DC})
