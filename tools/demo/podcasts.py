"""Podcast feeds with enclosures, chapters and show notes, and the user's own show,
which went from fortnightly to weekly when its experiment began.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from .blogs import subject_for
from .dates import DAY, HOUR, WEEK, cadence, ph
from .documents import NS_ATOM, NS_CONTENT, NS_ITUNES, NS_PODCAST, cdata, el, rss
from .prose import USED_TITLES, Slots, cap, fill, h, person, slugify
from .randomness import R, uuid4
from .spec import Spec, host_of
from .vocabulary import ACTIONS, EXTERNAL_HOSTS, MIDDLE, ORGS, PODCAST_OPEN, ROLES, TITLES

EPISODE_TITLES = [
    "{S}, with {guest}",
    "{guest} on {s}",
    "Listener questions: {s}",
    "Solo: {s}",
    "Why bother with {s}? With {guest}",
    "{S} and {s2}",
    "The truth about {s}",
    "{guest}: {s} at {org}",
    "Getting {s} right, with {guest}",
    "Ask us anything about {s}",
    "Behind the scenes: {s}",
    "{S} in practice",
]
TIP_TITLES = ["{A}", "A minute on {s}", "Quick fix: {s}", "One thing about {s}", "{S}, briefly"]
OWN_EPISODES = {  # episode number: title; fortnightly up to 15, weekly from 16 (the experiment)
    23: ("Exit interviews nobody reads, with Dana Kim", "hr"),
    22: ("Listener Q&A: tags, taxonomies and the HRIS", "tagging"),
    21: ("Employer branding on a shoestring, with Kwame Mensah", "hr"),
    20: ("Solo: what weekly publishing is teaching me", "podcasting"),
    19: ("Pay bands in public, with Inês Ferreira", "hr"),
    18: ("The manager's first ninety days, with Søren Lindqvist", "hr"),
    17: ("Mastodon for HR people, with Priya Natarajan", "social"),
    16: ("Going weekly: why and how", "podcasting"),
    15: ("Writing job ads people finish reading", "hr"),
    14: ("Reference checks that tell you something, with Amara Osei", "hr"),
    13: ("Internal comms is a feed, with Hana Nakamura", "social"),
    12: ("Onboarding for teams of one", "hr"),
    11: ("Hashtags, folksonomies and the office wiki, with Tomás Ortega", "tagging"),
    10: ("Performance reviews without the theatre", "hr"),
}


def duration_text(seconds: int, style: str) -> str:
    if style == "seconds":
        return str(seconds)
    hh, rest = divmod(seconds, 3600)
    mm, ss = divmod(rest, 60)
    if style == "mmss" and hh == 0:
        return f"{mm}:{ss:02d}"
    return f"{hh:02d}:{mm:02d}:{ss:02d}"


def show_notes(slots: Slots, guest: str | None, host: str, length: int) -> tuple[str, str]:
    topic = slots.topic
    intro = fill(slots.pick(PODCAST_OPEN), slots)
    more = fill(slots.pick(MIDDLE), slots)
    parts = [f"<p>{h(intro)} {h(more)}</p>"]
    if guest:
        parts.append(
            f"<p>My guest is <strong>{h(guest)}</strong>, {h(R.choice(ROLES))} at "
            f"{h(R.choice(ORGS))}.</p>"
        )
    points = [slots.pick(ACTIONS[topic]) for _ in range(3)]
    parts.append(
        "<p>In this episode:</p><ul>" + "".join(f"<li>{h(cap(p))}</li>" for p in points) + "</ul>"
    )
    if length > 900 and R.random() < 0.7:
        marks = sorted(R.sample(range(60, max(length - 120, 400)), 4))
        chapters = ["00:00 Intro"] + [
            f"{m // 60:02d}:{m % 60:02d} {cap(p)}"
            for m, p in zip(marks, [*points, "Wrap-up"], strict=True)
        ]
        parts.append("<p>Chapters:<br />" + "<br />".join(h(c) for c in chapters) + "</p>")
    ext = R.choice(EXTERNAL_HOSTS)
    anchor = fill(R.choice(TITLES), Slots(topic))
    parts.append(
        f'<p>Links: <a href="https://{ext}/{slugify(anchor)}/">{h(anchor)}</a> · '
        f'<a href="https://{host}/transcripts/">transcripts</a></p>'
    )
    return intro, "\n".join(parts)


def build_podcast(s: Spec) -> str:
    host = host_of(s.url)
    media = s.opts.get("media", f"media.{host}")
    style = s.opts.get("duration", "hhmmss")
    mime = s.opts.get("mime", "audio/mpeg")
    ext = "m4a" if "m4a" in mime else "mp3"
    show = slugify(s.name)
    if s.mine:
        # Fortnightly until the experiment started 8 weeks ago, weekly since.
        weekly = sorted(cadence(8 * WEEK - 2 * DAY, WEEK, 8, jitter=2 * HOUR))
        fortnightly = sorted(cadence(18 * WEEK + 2 * DAY, 2 * WEEK, 6, jitter=2 * HOUR))
        ages = weekly + fortnightly
        numbers = list(range(23, 9, -1))
    else:
        period = s.opts.get("period", WEEK)
        n = s.count()
        first = R.randint(2 * HOUR, period)
        jitter = min(6 * HOUR, period // 4)
        ages = sorted(first + k * period + R.randint(0, jitter) for k in range(n))
        numbers = list(range(s.opts.get("latest", R.randint(40, 180)), 0, -1))[:n]
    items = []
    for age, num in zip(ages, numbers, strict=False):
        guest = None
        if s.mine:
            ep_title, topic = OWN_EPISODES[num]
            if ", with " in ep_title:
                guest = ep_title.split(", with ")[1]
            slots = Slots(topic, subject_for(ep_title, (topic,))[1])
        else:
            topic = s.topic()
            guest = person() if R.random() < s.opts.get("guests", 0.7) else None
            slots = Slots(topic)
            slots["guest"] = guest or "the team"
            templates = s.opts.get("titles", EPISODE_TITLES)
            templates = [t for t in templates if guest or "{guest}" not in t]
            for _ in range(50):
                ep_title = fill(R.choice(templates), slots)
                if ep_title not in USED_TITLES:
                    break
                slots = Slots(topic)
                slots["guest"] = guest or "the team"
            USED_TITLES.add(ep_title)
        seconds = R.randint(*s.opts.get("length", (1500, 3600)))
        summary, notes = show_notes(slots, guest, host, seconds)
        numbering = s.opts.get("numbering", "Episode {n}: {t}")
        full_title = numbering.format(n=num, t=ep_title)
        link = f"https://{host}/episodes/{num}-{slugify(ep_title)[:40]}"
        episode_type = "full"
        lines = [
            el("title", escape(full_title)),
            el("itunes:title", escape(ep_title)),
            el("itunes:episode", str(num)),
        ]
        if "season" in s.opts:
            lines.append(el("itunes:season", str(s.opts["season"])))
        lines += [
            el("itunes:episodeType", episode_type),
            el("guid", str(uuid4()), isPermaLink="false"),
            el("link", link),
            f"<description>{cdata(notes)}</description>",
            f"<content:encoded>{cdata(notes)}</content:encoded>",
            el("itunes:summary", escape(summary)),
            el("pubDate", ph(age)),
            el(
                "enclosure",
                None,
                url=f"https://{media}/{show}/ep-{num:03d}.{ext}",
                length=str(seconds * 16000 + R.randint(0, 99999)),
                type=mime,
            ),
            el("itunes:duration", duration_text(seconds, style)),
            el("itunes:explicit", "false"),
        ]
        if s.opts.get("transcripts") or s.mine:
            lines.append(
                el(
                    "podcast:transcript",
                    None,
                    url=f"https://{host}/transcripts/{num}.vtt",
                    type="text/vtt",
                )
            )
        items.append(lines)
    owner = s.author
    channel = [
        el("title", escape(s.name)),
        el("link", f"https://{host}/"),
        el("language", "en"),
        el("copyright", escape(f"© {owner}")),
        el("description", escape(s.opts["description"])),
        el("atom:link", None, href=s.url, rel="self", type="application/rss+xml"),
        el("itunes:author", escape(owner)),
        f"<itunes:owner><itunes:name>{escape(owner)}</itunes:name>"
        f"<itunes:email>hello@{host}</itunes:email></itunes:owner>",
        el("itunes:image", None, href=f"https://{media}/{show}/cover-3000.jpg"),
        '<itunes:category text="Business">'
        + el("itunes:category", None, text=s.opts.get("category", "Careers"))
        + "</itunes:category>",
        el("itunes:explicit", "false"),
        el("itunes:type", "episodic"),
        el("podcast:locked", "no"),
        el("podcast:guid", str(uuid4())),
        el("lastBuildDate", ph(min(ages))),
    ]
    ns = {"itunes": NS_ITUNES, "content": NS_CONTENT, "atom": NS_ATOM, "podcast": NS_PODCAST}
    return rss(channel, items, ns)
