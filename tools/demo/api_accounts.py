"""The offline demo's API accounts: what DemoTransport answers for them, written as
``apis/*.json`` beside the feed templates. write.py calls ``write``; portfolio.py adds
``SOURCES`` to the demo portfolio.

Each file holds one account (or list) with its posts, written relative to "now": a post's
``age`` in minutes, and the ``final`` counts it grows towards. ``tui.core.demo.apis``
serves them in each API's documented shapes, with ``created_at`` = now - age and each count
at ``final × (1 - e^(-age/τ))``: a post's counts grow over its first days, so every refresh
(and the demo's weekly history) sees them change, deterministically from the date.

The practitioner, Alex Moreau, posts on Mastodon a few times a week and has replied more
since the "Reply first on Mastodon" experiment began (21 days before the anchor date, so 21
days before today in the shifted demo): replies received per post are higher since then.
On Bluesky Alex is mostly watching; on Hacker News Alex submits a blog post now and then.

It has its own seeded generator, so regenerating the feeds never changes these, and the
reverse.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from .dates import DAY, HOUR, WEEK
from .social import HN_TITLES
from .vocabulary import ACTIONS, AUDIENCES, EXTERNAL_HOSTS, FACTS, SUBJECTS

RNG = random.Random(20261126)

EXPERIMENT_AGE = 21 * DAY
"""The "Reply first on Mastodon" experiment began this long before now."""

OWN_MASTODON = "https://hr.social.example/@alexmoreau"
OWN_BLUESKY = "https://bsky.example/profile/alexmoreau.bsky.example"
OWN_HN = "https://news.ycombinator.example/user?id=alexmoreau"

SOURCES: list[dict[str, Any]] = [
    {"url": OWN_MASTODON, "name": "Alex Moreau (@alexmoreau@hr.social.example)",
     "tags": ["hr", "mastodon"], "mine": True, "interval": "1h", "api": "mastodon"},
    {"url": OWN_BLUESKY, "name": "Alex Moreau (@alexmoreau.bsky.example)",
     "tags": ["social-media", "bluesky"], "mine": True, "interval": "1h", "api": "bluesky"},
    {"url": OWN_HN, "name": "alexmoreau on Hacker News", "tags": ["hacker-news", "blogging"],
     "mine": True, "interval": "2h", "api": "hackernews"},
    {"url": "https://hr.social.example/@marta", "name": "Marta Kowalski (@marta@hr.social.example)",
     "tags": ["hr", "mastodon"], "mine": False, "interval": None, "api": "mastodon"},
    {"url": "https://podcastindex.social.example/@miccheck",
     "name": "Mic Check (@miccheck@podcastindex.social.example)",
     "tags": ["podcasting", "mastodon"], "mine": False, "interval": None, "api": "mastodon"},
    {"url": "https://bsky.example/profile/hollis.bsky.example",
     "name": "Hollis Brennan (@hollis.bsky.example)", "tags": ["blogging", "bluesky"],
     "mine": False, "interval": None, "api": "bluesky"},
    {"url": "https://news.ycombinator.example/best", "name": "Hacker News: best",
     "tags": ["hacker-news"], "mine": False, "interval": "1h", "api": "hackernews"},
]  # fmt: skip
"""The demo portfolio's API sources, in the order they are listed (kind "social")."""

OWN_TEXTS = [
    "New on the blog: {a_cap}. It took me {n} drafts. {link}",
    "Question for {aud}: how do you handle {s}? Asking for a small team.",
    "{fact}",
    "This week's episode of Hallway HR is about {s}. {link}",
    "Small win: we finally {a}. Took a month longer than planned.",
    "Thread on {s} 🧵 1/ {fact}",
    "If your plan for {s} needs forty slides, it is not a plan yet.",
    "Reading list for the weekend, all about {s}. 📚 {link}",
    "Unpopular opinion: you do not need a strategy for {s}. You need to {a}.",
    "Week {n} of trying to {a}. So far, so good.",
    "Reminder for {aud}: {fact_lc} #{tag}",
    "Trying something new: I will {a}. Report in a month. #{tag} #WorkingInPublic",
    "Today's small win: {s}, sorted. #{tag}",
    "Drafting a post on {s}. #{tag} #WritingInPublic",
]
REPLY_TEXTS = [
    "{who} yes! We did the same with {s} and it helped more than I expected.",
    "{who} thank you for this. Saving it for the next time someone asks about {s}.",
    "{who} the bit about {s} is spot on. How long did it take your team?",
    "{who} I tried that last year; the trick was to {a}.",
    "{who} great question. I would start by asking what {aud} actually need.",
]
FRIENDS = [("priya", "hr.social.example"), ("samosei", "podcastindex.social.example"),
           ("fedidesk", "hachyderm.example"), ("marta", "hr.social.example"),
           ("tagwrangler", "mastodon.example")]  # fmt: skip
TAGS = {"hr": "HR", "social": "SocialMedia", "blogging": "Blogging",
        "podcasting": "Podcasting", "tagging": "Tagging"}  # fmt: skip


def _fill(template: str, topic: str, who: str = "") -> str:
    subject = RNG.choice(SUBJECTS[topic])
    action = RNG.choice(ACTIONS[topic])
    fact = RNG.choice(FACTS[topic])
    slug = "-".join(subject.lower().split())[:40]
    text = template.format(
        s=subject, a=action, a_cap=action[:1].upper() + action[1:], aud=RNG.choice(AUDIENCES),
        fact=fact, fact_lc=fact[:1].lower() + fact[1:], n=RNG.choice([2, 3, 4, 5, 6, 8]),
        who=who, tag=TAGS[topic], link=f"https://alexmoreau.example/2026/{slug}/",
    )  # fmt: skip
    return text[:1].upper() + text[1:] if not text.startswith("@") else text


def _ages(count: int, span: int, newest: int) -> list[int]:
    return sorted({RNG.randint(newest, span) for _ in range(count * 2)})[:count]


def _html(text: str, host: str, topic: str) -> str:
    """A status's HTML as Mastodon writes it: links, mentions and hashtags marked up."""
    import html

    words = []
    for word in text.split(" "):
        if word.startswith("https://"):
            shown = word.removeprefix("https://")
            words.append(
                f'<a href="{html.escape(word)}" target="_blank" rel="nofollow noopener">'
                f'<span class="invisible">https://</span><span class="">{html.escape(shown)}'
                "</span></a>"
            )
        elif word.startswith("#") and word[1:].isalnum():
            words.append(
                f'<a href="https://{host}/tags/{word[1:].lower()}" class="mention hashtag"'
                f' rel="tag">#<span>{word[1:]}</span></a>'
            )
        elif word.startswith("@") and "@" in word[1:]:
            user, server = word[1:].split("@", 1)
            words.append(
                f'<span class="h-card" translate="no"><a href="https://{server}/@{user}"'
                f' class="u-url mention">@<span>{user}</span></a></span>'
            )
        else:
            words.append(html.escape(word))
    tag = TAGS[topic]
    if "#" in text:  # tagged in the text already
        return f"<p>{' '.join(words)}</p>"
    return (
        f'<p>{" ".join(words)}</p><p><a href="https://{host}/tags/{tag.lower()}"'
        f' class="mention hashtag" rel="tag">#<span>{tag}</span></a></p>'
    )


def mastodon_account(
    host: str, user: str, name: str, topics: tuple[str, ...], posts: int, *, own: bool,
    followers: tuple[int, float], following: int, statuses_base: int, note: str,
) -> dict[str, Any]:  # fmt: skip
    statuses: list[dict[str, Any]] = []
    number = 113_600_000_000_000_000 + RNG.randint(0, 10**14)
    for age in _ages(posts, 13 * WEEK, RNG.randint(40, 10 * HOUR)):
        topic = RNG.choice(topics)
        after = age < EXPERIMENT_AGE
        replying = own and after and RNG.random() < 0.45
        if replying:
            friend, server = RNG.choice(FRIENDS)
            text = _fill(RNG.choice(REPLY_TEXTS), topic, who=f"@{friend}@{server}")
        else:
            text = _fill(RNG.choice(OWN_TEXTS), topic)
        number -= RNG.randint(10**10, 10**12)
        replies = RNG.randint(0, 3) + (RNG.randint(2, 6) if own and after else 0)
        statuses.append({
            "id": str(number),
            "age": age,
            "html": _html(text, host, topic),
            "reply_to": str(number - RNG.randint(10**8, 10**9)) if replying else None,
            "final": {
                "replies": replies,
                "reblogs": RNG.randint(0, 4) + (RNG.random() < 0.15) * RNG.randint(5, 25),
                "favourites": RNG.randint(2, 18) + (RNG.random() < 0.15) * RNG.randint(10, 60),
                "quotes": int(RNG.random() < 0.1),
            },
        })  # fmt: skip
    statuses.sort(key=lambda s: s["age"])
    return {
        "kind": "mastodon", "host": host, "user": user, "id": str(RNG.randint(10**17, 10**18)),
        "display_name": name, "note": note, "followers": list(followers),
        "following": following, "statuses_base": statuses_base, "statuses": statuses,
    }  # fmt: skip


def bluesky_account(
    handle: str, did: str, name: str, topics: tuple[str, ...], posts: int, *,
    followers: tuple[int, float], follows: int, posts_base: int, description: str,
) -> dict[str, Any]:  # fmt: skip
    out: list[dict[str, Any]] = []
    for age in _ages(posts, 13 * WEEK, RNG.randint(2 * HOUR, 3 * DAY)):
        topic = RNG.choice(topics)
        rkey = "3l" + "".join(RNG.choice("abcdefghijklmnopqrstuvwxyz234567") for _ in range(11))
        out.append({
            "rkey": rkey,
            "age": age,
            "text": _fill(RNG.choice(OWN_TEXTS), topic),
            "final": {"replies": RNG.randint(0, 3), "reposts": RNG.randint(0, 5),
                      "likes": RNG.randint(1, 20), "quotes": int(RNG.random() < 0.1)},
        })  # fmt: skip
    out.sort(key=lambda p: p["age"])
    return {
        "kind": "bluesky", "handle": handle, "did": did, "display_name": name,
        "description": description, "followers": list(followers), "follows": follows,
        "posts_base": posts_base, "posts": out,
    }  # fmt: skip


def hn_user(user: str, stories: int) -> dict[str, Any]:
    out: list[dict[str, Any]] = []
    number = 42_400_000 + RNG.randint(0, 10**5)
    titles = RNG.sample(
        [
            "Blogging twice a week without burning out",
            "What I learned running an HR podcast for two years",
            "Show HN: A tag vocabulary for personal archives",
            "Writing job ads people actually finish reading",
            "RSS is still the best way to follow people",
            "The case for publishing your hiring rubric",
            "One tag list for the blog, the podcast and the bookmarks",
            "Why I reply more than I post",
        ],
        stories,
    )
    ages = _ages(stories, 12 * WEEK, RNG.randint(DAY, 5 * DAY))
    for age, title in zip(ages, titles, strict=True):
        number -= RNG.randint(50_000, 900_000)
        hit = RNG.random() < 0.2
        slug = "-".join(title.lower().replace(":", "").split())[:50]
        out.append({
            "id": number,
            "age": age,
            "title": title,
            "url": f"https://alexmoreau.example/2026/{slug}/",
            "final": {"points": RNG.randint(60, 180) if hit else RNG.randint(1, 14),
                      "comments": RNG.randint(20, 90) if hit else RNG.randint(0, 6)},
        })  # fmt: skip
    out.sort(key=lambda s: s["age"])
    return {"kind": "hn-user", "user": user, "stories": out}


def hn_list(name: str, count: int) -> dict[str, Any]:
    items = []
    number = 42_500_000 + RNG.randint(0, 10**5)
    for title in RNG.sample(HN_TITLES, min(count, len(HN_TITLES))):
        number -= RNG.randint(2_000, 60_000)
        items.append({
            "id": number,
            "age": RNG.randint(6 * HOUR, 6 * DAY),
            "title": title,
            "url": f"https://{RNG.choice(EXTERNAL_HOSTS)}/{'-'.join(title.lower().split())[:40]}",
            "by": RNG.choice(["pdx_dev", "tagsmith", "rssfan", "kw_ops", "mlindgren", "hollisb"]),
            "final": {"points": RNG.randint(180, 900), "comments": RNG.randint(40, 400)},
        })  # fmt: skip
    return {"kind": "hn-list", "list": name, "items": items}


def build() -> dict[str, dict[str, Any]]:
    """Every demo API file by name, in a fixed order (the generator's draws depend on it)."""
    return {
        "mastodon-alexmoreau.json": mastodon_account(
            "hr.social.example", "alexmoreau", "Alex Moreau", ("hr", "blogging", "social"), 52,
            own=True, followers=(412, 6.0), following=188, statuses_base=1480,
            note="<p>HR practitioner. I write at alexmoreau.example and host Hallway HR.</p>",
        ),
        "bluesky-alexmoreau.json": bluesky_account(
            "alexmoreau.bsky.example", "did:plc:a1exm0reauq7hz3c2rw5tn6y", "Alex Moreau",
            ("hr", "social"), 18, followers=(163, 3.0), follows=97, posts_base=210,
            description="HR, blogging and podcasting. Mostly on Mastodon; here too.",
        ),
        "hn-alexmoreau.json": hn_user("alexmoreau", 6),
        "mastodon-marta.json": mastodon_account(
            "hr.social.example", "marta", "Marta Kowalski", ("hr",), 20, own=False,
            followers=(2210, 9.0), following=340, statuses_base=5100,
            note="<p>Small Team HR, a weekly letter for people teams of one.</p>",
        ),
        "mastodon-miccheck.json": mastodon_account(
            "podcastindex.social.example", "miccheck", "Mic Check", ("podcasting",), 16,
            own=False, followers=(5400, 12.0), following=120, statuses_base=2300,
            note="<p>Podcasting for practitioners: gear, workflow and craft.</p>",
        ),
        "bluesky-hollis.json": bluesky_account(
            "hollis.bsky.example", "did:plc:h0ll1sbrennanq7hz3c2rw5t", "Hollis Brennan",
            ("blogging",), 16, followers=(880, 4.0), follows=300, posts_base=1900,
            description="Short posts and the occasional essay. Linework on the web.",
        ),
        "hn-best.json": hn_list("beststories", 20),
    }  # fmt: skip


def write(folder: Path) -> int:
    """Write every API file into ``folder`` (made if needed); returns how many."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.json"):
        old.unlink()
    files = build()
    for name, data in files.items():
        text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        (folder / name).write_text(text, encoding="utf-8")
    return len(files)
