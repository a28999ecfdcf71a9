"""Video feeds as YouTube and PeerTube publish them."""

from __future__ import annotations

from xml.sax.saxutils import escape

from .dates import DAY, WEEK, ph, spread
from .documents import NS_ATOM, NS_CONTENT, NS_DC, NS_MEDIA, atom, el, rss
from .prose import article, cap, fill, h, titled
from .randomness import R, uuid4
from .spec import Spec, host_of
from .vocabulary import ACTIONS, OPEN


def video_id() -> str:
    return "".join(
        R.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        for _ in range(11)
    )


def build_youtube(s: Spec) -> str:
    channel_id = s.url.split("channel_id=")[1]
    ages = spread(15, span=s.opts.get("span", 16 * WEEK))
    entries = []
    for i, age in enumerate(ages):
        topic = s.topic()
        vid = video_id()
        t, slots = titled(topic)
        if i == 3:
            t = f"[Live] {t}"
        elif R.random() < 0.2:
            t = f"{t} #shorts"
        desc_lines = [fill(R.choice(OPEN), slots), ""]
        stamps = sorted(R.sample(range(30, 1500), 3))
        desc_lines += ["00:00 Intro"] + [
            f"{m // 60:02d}:{m % 60:02d} {cap(a)}"
            for m, a in zip(stamps, R.sample(ACTIONS[topic], 3), strict=True)
        ]
        desc_lines += ["", f"Blog: https://{s.opts['blog']}/", f"Mastodon: {s.opts['social']}"]
        watch = f"https://www.youtube.example/watch?v={vid}"
        views = R.randint(80, 48000)
        entries.append(
            [
                el("id", f"yt:video:{vid}"),
                el("yt:videoId", vid),
                el("yt:channelId", channel_id),
                el("title", escape(t)),
                el("link", None, rel="alternate", href=watch),
                f"<author><name>{escape(s.name)}</name>"
                f"<uri>https://www.youtube.example/channel/{channel_id}</uri></author>",
                el("published", ph(age)),
                el("updated", ph(max(5, age - R.randint(0, 2 * DAY)))),
                "<media:group>",
                f"  <media:title>{escape(t)}</media:title>",
                f'  <media:content url="https://www.youtube.example/v/{vid}?version=3" '
                'type="application/x-shockwave-flash" width="640" height="390"/>',
                f'  <media:thumbnail url="https://i1.ytimg.example/vi/{vid}/hqdefault.jpg" '
                'width="480" height="360"/>',
                f"  <media:description>{escape(chr(10).join(desc_lines))}</media:description>",
                "  <media:community>",
                f'    <media:starRating count="{views // 30}" average="5.00" min="1" max="5"/>',
                f'    <media:statistics views="{views}"/>',
                "  </media:community>",
                "</media:group>",
            ]
        )
    head = [
        el("link", None, rel="self", href=s.url),
        el("id", f"yt:channel:{channel_id.removeprefix('UC')}"),
        el("yt:channelId", channel_id),
        el("title", escape(s.name)),
        el("link", None, rel="alternate", href=f"https://www.youtube.example/channel/{channel_id}"),
        f"<author><name>{escape(s.name)}</name>"
        f"<uri>https://www.youtube.example/channel/{channel_id}</uri></author>",
        el("published", ph(R.randint(120, 400) * WEEK)),
    ]
    ns = {"yt": "http://www.youtube.com/xml/schemas/2015", "media": NS_MEDIA}
    return atom(head, entries, ns)


def build_peertube(s: Spec) -> str:
    host = host_of(s.url)
    ages = spread(s.count(), span=14 * WEEK)
    items = []
    for age in ages:
        topic = s.topic()
        t, slots = titled(topic)
        vid = str(uuid4())
        short = uuid4().hex[:22]
        seconds = R.randint(300, 2400)
        size = seconds * R.randint(90_000, 180_000)
        summary, _ = article(topic, host=host, paragraphs=(1, 1), extras=False, slots=slots)
        watch = f"https://{host}/w/{short}"
        items.append(
            [
                el("title", escape(t)),
                el("link", watch),
                el("guid", watch, isPermaLink="true"),
                el("pubDate", ph(age)),
                el("description", escape(f"<p>{h(summary)}</p>")),
                el("dc:creator", escape(s.author)),
                el(
                    "enclosure",
                    None,
                    url=f"https://{host}/static/web-videos/{vid}-720.mp4",
                    length=str(size),
                    type="video/mp4",
                ),
                f'<media:content url="https://{host}/static/web-videos/{vid}-720.mp4" '
                f'fileSize="{size}" type="video/mp4" medium="video" duration="{seconds}" '
                'height="720" lang="en"/>',
                el(
                    "media:thumbnail",
                    None,
                    url=f"https://{host}/lazy-static/thumbnails/{vid}.jpg",
                    height="122",
                    width="223",
                ),
                el("media:title", escape(t), type="plain"),
            ]
        )
    channel = [
        el("title", escape(s.name)),
        el("description", escape(s.opts["description"])),
        el("link", f"https://{host}/c/{s.opts['channel']}/videos"),
        el("generator", "PeerTube - https://joinpeertube.example"),
        el("lastBuildDate", ph(ages[0])),
        el("atom:link", None, href=s.url, rel="self", type="application/rss+xml"),
    ]
    ns = {"dc": NS_DC, "atom": NS_ATOM, "media": NS_MEDIA, "content": NS_CONTENT}
    return rss(channel, items, ns)
