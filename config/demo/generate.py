"""Write the offline demo portfolio: ``portfolio.toml``, ``feeds/*`` and ``feeds/index.toml``.

The generated files are what ships and what the app reads; this script only exists so they can be
regenerated consistently (every URL in the portfolio must have a feed file and an index entry).
It is deterministic: the same seed gives byte-identical output, so a regeneration shows up in a
diff only where the script changed.

Feed dates are written as placeholders such as ``{{date:-3d4h}}`` (3 days 4 hours before "now");
``tui.core.demo.render_feed`` substitutes them when the feed is served, so the demo never looks
stale. Dates in ``portfolio.toml`` are plain TOML dates relative to the anchor 2026-11-25 and get
shifted by ``tui.core.demo.demo_portfolio_text``.

The accounts read through web APIs (Mastodon, Bluesky, Hacker News) come from
generate_apis.py: ``apis/*.json``, served by ``tui.core.demo.apis`` in each API's shapes.

Run from the repository root:  .venv/bin/python config/demo/generate.py  (``--out DIR``
writes elsewhere: tests/unit/test_demo_generate.py regenerates into a temporary folder and
compares it with what ships)
"""

from __future__ import annotations

import json
import random
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

HERE = Path(__file__).resolve().parent
FEEDS = HERE / "feeds"

# One seeded generator for everything, consumed in a fixed order, keeps the output reproducible.
R = random.Random(20261125)

MIN = 1
HOUR = 60
DAY = 24 * HOUR
WEEK = 7 * DAY

# --------------------------------------------------------------------------------------------
# Vocabulary. Everything is invented; names and organisations are not real people or companies.
# --------------------------------------------------------------------------------------------

# Word lists are tables, kept compact on purpose.
# fmt: off
SUBJECTS: dict[str, list[str]] = {
    "hr": [
        "onboarding", "exit interviews", "performance reviews", "job ads", "pay transparency",
        "the employee handbook", "reference checks", "employer branding", "internal mobility",
        "candidate experience", "probation reviews", "engagement surveys", "manager one-to-ones",
        "flexible working requests", "learning budgets", "recognition", "offboarding",
        "hiring scorecards", "people analytics", "remote onboarding", "interview panels",
        "salary bands", "return-to-office policies", "succession planning",
        "new-manager training", "grievance processes",
    ],
    "social": [
        "cross-posting", "hashtag strategy", "alt text", "the Mastodon move",
        "Bluesky starter packs", "LinkedIn carousels", "community guidelines", "moderation queues",
        "scheduling tools", "engagement metrics", "reply etiquette", "social listening",
        "profile bios", "pinned posts", "the fediverse", "short-form video",
        "social media policies", "employee advocacy", "quote posts", "link previews",
        "follower counts", "content calendars", "personal brands", "candidate DMs",
    ],
    "blogging": [
        "RSS feeds", "the editorial calendar", "evergreen posts", "newsletters",
        "static site generators", "comment sections", "webmentions", "the drafts folder",
        "post series", "archive pages", "link posts", "writing habits", "headlines",
        "the about page", "blogrolls", "POSSE", "search traffic", "long-form writing",
        "reader email", "guest posts", "the slow web", "category pages", "personal websites",
        "publishing cadence", "corrections",
    ],
    "podcasting": [
        "show notes", "transcripts", "chapter markers", "guest booking", "interview prep",
        "microphones", "remote recording", "audio editing", "intro music", "episode artwork",
        "download stats", "podcast feeds", "Podcasting 2.0 tags", "listener questions",
        "trailers", "season planning", "audiograms", "sponsorship", "loudness levels",
        "the episode backlog", "video podcasts", "cold opens", "episode length",
        "release schedules", "guest release forms",
    ],
    "tagging": [
        "folksonomies", "controlled vocabularies", "tag gardening", "synonym rings", "hashtags",
        "tag clouds", "faceted search", "bookmark tags", "metadata schemas",
        "taxonomy governance", "skills taxonomies", "auto-tagging", "tag bundles",
        "plural tags", "tag hierarchies", "content audits", "tag pages", "knowledge bases",
        "labels in the HRIS", "personal knowledge management", "naming conventions",
        "tag sprawl", "search logs", "the tag inbox", "keyword lists",
    ],
}

ACTIONS: dict[str, list[str]] = {
    "hr": [
        "write the job ad with the hiring manager in the room",
        "publish the salary range in every ad",
        "ask new starters what confused them in week one",
        "book the first one-to-one before day one",
        "keep the handbook to one searchable page per policy",
        "share the interview questions with candidates in advance",
        "close every application with a human reply",
        "review probation at thirty days, not ninety",
        "let managers rehearse hard conversations before they have them",
        "track time to first useful task, not just time to hire",
        "hold exit interviews a month after the leaving date",
        "keep the onboarding plan in a shared document rather than a slide deck",
        "write rejection emails you would be happy to receive",
        "agree the scorecard before the first interview",
        "turn the three most common questions into an FAQ",
    ],
    "social": [
        "post where the conversation already is",
        "write alt text for every image",
        "reply before you broadcast",
        "pick one platform and do it well",
        "keep a swipe file of posts that worked",
        "schedule less and show up more",
        "link to the long version on your own site",
        "pin one post that explains who you are",
        "check what a hashtag is used for before you use it",
        "hide the like counts for a week",
        "write the post first and pick the platform second",
        "answer every genuine question within a day",
        "cross-post by hand for the first month",
        "ask a question you actually want answered",
        "write a bio that says what you post about",
    ],
    "blogging": [
        "publish on a fixed day",
        "keep a running list of post ideas",
        "write the headline last",
        "link generously to other blogs",
        "offer a full-text RSS feed",
        "cut the first paragraph",
        "end each post with one question",
        "update old posts instead of always writing new ones",
        "turn recurring questions into posts",
        "keep drafts under a week old",
        "add a two-line summary at the top",
        "put the date at the top of every post",
        "read the post aloud before publishing",
        "group related posts into a series",
        "write for one specific reader",
    ],
    "podcasting": [
        "record a ten-minute test call with every new guest",
        "send guests the questions a week ahead",
        "write the show notes while you edit",
        "publish a transcript with every episode",
        "add chapter markers to anything over thirty minutes",
        "level the audio to -16 LUFS",
        "record each side locally",
        "cut the first three minutes",
        "keep two finished episodes in the backlog",
        "ask every guest for one listener question",
        "keep the same intro for a whole season",
        "link every resource mentioned on air",
        "put the guest's name in the episode title",
        "publish on the same weekday every time",
        "check the feed in two podcast apps before announcing",
    ],
    "tagging": [
        "merge tags that differ only by a plural",
        "write a one-line definition for every tag",
        "limit yourself to three tags per item",
        "review unused tags every quarter",
        "prefer nouns to adjectives",
        "keep a synonyms file next to the tag list",
        "tag for finding, not for describing",
        "lower-case every tag",
        "split tags that mean two things",
        "check the search logs before adding a tag",
        "give each top-level tag an owner",
        "retire tags with fewer than five items",
        "use the same tags on the blog and the bookmarks",
        "start from the questions people actually ask",
        "record tag changes in a changelog",
    ],
}

FACTS: dict[str, list[str]] = {
    "hr": [
        "Candidates read a job ad the way we read a contract: slowly, and looking for the catch.",
        "A new starter's first week sets expectations that take months to undo.",
        "Most managers were never taught to run a one-to-one; they copied the last person who "
        "ran one on them.",
        "Exit interviews tell you what people are willing to say on the way out, which is not "
        "always why they left.",
        "Publishing pay ranges mostly surprises the people already inside the company.",
        "A handbook written for lawyers gets read by nobody else.",
        "Policies age faster than the people who wrote them.",
        "The best employer branding is an accurate job ad.",
        "People remember how a rejection felt long after they forget the role.",
        "An engagement survey nobody acts on is worse than no survey at all.",
    ],
    "social": [
        "Reach is rented; relationships are owned.",
        "An algorithmic feed rewards the loudest post, not the most useful one.",
        "On the fediverse, a reply counts for more than a like.",
        "Alt text is the only way part of your audience sees the image at all.",
        "A post that asks a real question gets more replies than one that announces an answer.",
        "Follower counts measure the past; replies measure the present.",
        "Every platform changes its rules eventually; the archive on your own site does not.",
        "Candidates check an employer's social accounts before they check the careers page.",
        "A quiet account with good replies beats a busy one nobody talks to.",
        "Cross-posting everywhere usually means being present nowhere.",
    ],
    "blogging": [
        "A blog is a long conversation with whoever finds it next year.",
        "RSS is still the most reliable way to reach the readers who care most.",
        "Readers forgive a short post, but not a silent month.",
        "Once you have a few hundred posts, old ones bring in more readers than new ones.",
        "Headlines are for search engines; first sentences are for people.",
        "A newsletter is a blog that arrives.",
        "The post you almost did not publish is often the one people write back about.",
        "A blogroll is the cheapest recommendation engine ever built.",
        "Writing in public turns vague opinions into positions you can defend or change.",
        "Nobody subscribes to a feed that posts once and then vanishes.",
    ],
    "podcasting": [
        "Listeners forgive average audio, but not a guest they cannot hear.",
        "Show notes are the part of an episode that search engines can read.",
        "A transcript adds two audiences: people who prefer reading and people who search.",
        "The first thirty seconds decide whether someone stays for the next thirty minutes.",
        "Most podcasts stop before episode ten; simply continuing puts you ahead.",
        "A podcast is an RSS feed with an enclosure, which is exactly why it is still open.",
        "Guests share episodes they sound good in, so editing is also marketing.",
        "A regular release day matters more to listeners than episode length.",
        "Good interview questions are short; the guest should do the talking.",
        "Download numbers are a rough proxy; listener emails are the real signal.",
    ],
    "tagging": [
        "A tag you never search for is decoration.",
        "Tags drift: the word you chose three years ago may mean something else now.",
        "Folksonomies grow fast and rot fast; someone has to do the weeding.",
        "Hashtags are tags with a megaphone attached.",
        "A controlled vocabulary feels slow until the day you need to find something.",
        "The best taxonomy is the one people actually use, not the most correct one.",
        "Plurals and synonyms cause more duplicate tags than real disagreement does.",
        "Every tag is a small promise to your future self.",
        "Search logs are the closest thing to a list of the tags people wish existed.",
        "Three good tags beat twelve hopeful ones.",
    ],
}

METRICS: dict[str, list[tuple[str, str]]] = {
    "hr": [
        ("time to hire", "days"), ("offer acceptance", "pct"), ("the survey response rate", "pct"),
        ("first-year attrition", "pct"), ("applications per role", "count"),
    ],
    "social": [
        ("replies per post", "small"), ("profile visits a week", "count"),
        ("click-through to the blog", "pct"), ("new followers a week", "count"),
    ],
    "blogging": [
        ("newsletter sign-ups a month", "count"), ("the share of returning readers", "pct"),
        ("RSS subscribers", "count"), ("posts a month", "small"),
    ],
    "podcasting": [
        ("downloads per episode", "count"), ("the average listen-through", "pct"),
        ("listener emails a month", "small"), ("editing time per episode", "hours"),
    ],
    "tagging": [
        ("tags in use", "count"), ("duplicate tags", "count"),
        ("searches that found something", "pct"), ("untagged bookmarks", "count"),
    ],
}

AUDIENCES = [
    "HR generalists", "people teams of one", "recruiters", "hiring managers",
    "small-business owners", "L&D leads", "HR business partners", "founders",
    "internal comms teams", "community managers", "new podcasters", "bloggers",
    "librarians", "people-ops consultants", "social media managers",
]
PLATFORMS = [
    "Mastodon", "Bluesky", "LinkedIn", "the company blog", "the newsletter", "YouTube",
    "the podcast", "Threads", "the staff intranet", "Slack",
]
TOOLS = [
    "a shared spreadsheet", "a plain text file", "the ATS", "Pinboard", "a Trello board",
    "Raindrop", "the HRIS", "Obsidian", "a paper notebook", "a kanban board", "Airtable",
]
DURATIONS = [
    "three months", "six weeks", "a year", "two quarters", "eight weeks", "ten days",
    "a month", "half a year", "four weeks",
]
CADENCES = ["Friday", "fortnight", "month", "Monday morning", "sprint review"]
ORGS = [
    "a 40-person design agency", "a regional hospital trust", "a fintech scale-up",
    "a public library network", "a university careers service", "a logistics firm",
    "a climate nonprofit", "a small games studio", "a city council", "a family-run bakery chain",
    "a software consultancy", "a housing association", "a museum", "a seed-stage startup",
]
ROLES = [
    "Head of People", "talent partner", "community manager", "podcast producer",
    "HR consultant", "internal comms lead", "taxonomist", "recruiter", "people-ops manager",
    "social media manager", "L&D lead", "fractional CPO", "digital librarian",
]
FIRST = [
    "Priya", "Dana", "Tomás", "Zoë", "Marta", "Jules", "Hollis", "Kwame", "Inês", "Søren",
    "Aiyana", "Mei", "Oluwaseun", "Farah", "Luca", "Nadia", "Rafael", "Hana", "Björn", "Chidi",
    "Elena", "Yusuf", "Camille", "Tariq", "Ana", "Noor", "Mateo", "Ingrid", "Kenji", "Fatima",
    "Owen", "Leila", "Rosa", "Declan", "Amara", "Wiremu", "Sakura", "Ilse", "Maya", "Sam",
]
LAST = [
    "Natarajan", "Kim", "Ferreira", "Okoro", "Lindqvist", "Haddad", "Nakamura", "Mensah",
    "Kowalski", "Ortega", "Byrne", "Achterberg", "Delacroix", "Osei", "Varga", "Ruiz", "Farouk",
    "Lindgren", "Tanaka", "Abara", "Novak", "Castell", "Whitfield", "Ngata", "Dubois", "Rahman",
    "Ekström", "Silva", "Oyelaran", "Brennan",
]
SITES = {
    "peopleopsjournal.example": "People Ops Journal",
    "indieweb-guide.example": "The IndieWeb Guide",
    "taxonomy-review.example.org": "Taxonomy Review",
    "podcraft.example": "PodCraft",
    "socialwhy.example": "Social, Why?",
    "worklab.example.org": "WorkLab",
    "hr-research.example.com": "HR Research Digest",
    "fediverse-notes.example": "Fediverse Notes",
    "writing-in-public.example": "Writing in Public",
    "audiodesk.example": "AudioDesk",
    "metadata-matters.example.org": "Metadata Matters",
    "candidate-voice.example": "Candidate Voice",
    "smallteams.example.com": "Small Teams",
}
EXTERNAL_HOSTS = list(SITES)

TITLES = [
    "{n} lessons from a year of {s}",
    "What {aud} get wrong about {s}",
    "The case for {s}",
    "{S}, revisited",
    "Notes on {s} and {s2}",
    "A field guide to {s} for {aud}",
    "How we rebuilt {s} in {dur}",
    "Stop polishing {s}; fix {s2} first",
    "{S}: worth the effort for {aud}?",
    "The quiet cost of neglecting {s}",
    "A checklist for {s}",
    "Putting {s} on the roadmap",
    "{S} without the jargon",
    "Small experiments with {s}",
    "Three questions to ask before you change {s}",
    "What {dur} of {s} taught me",
    "{S} on a shoestring",
    "The one-page guide to {s}",
    "Where {s} and {s2} overlap",
    "{S}: what the numbers actually say",
    "Ask a practitioner: how do you handle {s}?",
    "A better default for {s}",
    "{S}, in public",
    "{S} for teams of one",
    "Playbook: {s}, version {v}",
    "{n} myths about {s}",
    "Everything I know about {s}, in one post",
    "How {aud} can get {s} right",
    "Why I still care about {s}",
    "{S}: a people problem",
    "Getting started with {s}",
    "We tried to {a}. Here is what happened",
    "Why you should {a}",
    "The audit of {s} I should have done years ago",
    "A year of {s}: what worked",
    "{S} after the hype",
    "Field notes: {s}",
    "How {org} handles {s}",
    "What I tell {aud} about {s}",
    "{S}: harder than it looks",
    "The {n}-minute guide to {s}",
]

OPEN = [
    "Most {aud} I talk to treat {s} as a chore to get through rather than something to learn "
    "from.",
    "I used to think of {s} as a solved problem. {Dur} of doing it badly changed my mind.",
    "Every few months someone asks how I handle {s}, so here is the long answer.",
    "A reader wrote in last week asking about {s}, and it is a better question than it looks.",
    "There is plenty of advice about {s}, and most of it assumes a team of twenty.",
    "{S}: one of those jobs nobody owns until something goes wrong.",
    "This started as a short post on {plat} and grew too long for it.",
    "I spent {dur} paying close attention to {s}, and wrote down what I saw.",
    "What would {s} look like if we designed everything around {aud}?",
    "{fact}",
    "We changed how we handle {s} at {org}, and it is time for an honest look at how it went.",
    "If you work with {aud}, you have probably had the conversation about {s} more than once.",
    "Short post today, because the lesson is short.",
    "I have been putting off writing about {s} for a while.",
    "Last {cad} someone asked me a simple question about {s}, and I did not have a simple "
    "answer.",
    "This is the post I wish I had read before I started on {s}.",
    "Confession: for years I got {s} wrong.",
]
MIDDLE = [
    "The short version: {a}, and {a2}.",
    "What surprised me was how little of it needed a new tool; {tool} was already doing most of "
    "the work.",
    "After {dur}, {res}.",
    "The hard part was never {s} as such; it was getting {aud} to agree on what good looks "
    "like.",
    "If you only change one thing, {a}.",
    "We kept a simple log in {tool} and looked at it every {cad}.",
    "It is tempting to skip this step when things are busy. Don't: {a}.",
    "{fact}",
    "{fact} That is why I keep coming back to {s}.",
    "{arole} at {org} put it to me like this: {fact_lc}",
    "It helps to {a}; it helps even more to {a2}.",
    "Nothing here is new. What has changed is that so much of {s} now happens in public, on "
    "{plat}, where "
    "candidates, colleagues and readers can all see it.",
    "The numbers are small, but the direction is clear: {res}.",
    "I expected pushback. Instead {res}, and people started asking how to do the same with {s2}.",
    "The mistake I made first was treating {s} and {s2} as separate projects.",
    "{S2} turned out to matter more than I thought, because that is where most of the questions "
    "came from.",
    "Our rule of thumb now is simple: {a}.",
    "For {aud}, the useful question is not whether to bother with {s}, but how little of it you "
    "can do well.",
    "I asked around on {plat}, and the most common answer was to {a}.",
    "We wrote the expected result down before we started, which made the review much easier.",
    "Here is what that looked like in practice: we agreed to {a}, wrote it on the wall, and "
    "checked it every {cad}.",
    "Nobody asked for a new process. They asked for fewer surprises.",
    "The first attempt failed because we tried to change {s} and {s2} in the same month.",
    "In the end {tool} was enough; the discipline mattered more than the software.",
    "I would not have believed it without writing the numbers down: {res}.",
    "Ask three {aud} about {s} and you will get four opinions.",
    "There is a version of {s} that looks good in a slide deck and another that survives a busy "
    "Tuesday. Aim for the second.",
    "The best feedback came from {aud}, who are usually the last people consulted.",
    "A small thing that helped: we started to {a}.",
    "When in doubt, {a}.",
    "I still get this wrong about once a month.",
    "Most of the effort went into explaining why, not into the change itself.",
    "If that sounds obvious, it is. Obvious things are the ones that get skipped.",
    "The second month was harder than the first, mostly because the novelty wore off.",
    "One {role} I spoke to keeps a one-page note on {s} and updates it every {cad}.",
    "We measured one thing only, and it was enough: {res}.",
    "Somewhere between {s} and {s2} is the work that actually matters.",
    "It took {dur} before anyone outside the team noticed.",
]
PODCAST_OPEN = [
    "This week: {s}, and why it keeps coming up in your emails.",
    "We get a lot of questions about {s}, so this whole episode is about it.",
    "A shorter episode this week, on {s}.",
    "Recorded in one take at {org}: a conversation about {s} and {s2}.",
    "Back to basics with {s}.",
    "You asked, we answered: {s}, from first steps to the awkward bits.",
    "What does {s} done well sound like from the inside?",
    "Part two of our mini-series on {s}.",
    "Straight from the listener mailbag: how do you handle {s} when nobody owns it?",
    "{fact}",
]
NEWS_BODY = [
    "The findings are based on responses from {num} {aud}.",
    "“{fact}” said {name}, {role} at {org}.",
    "Respondents named {s} and {s2} as the areas where they most wanted guidance.",
    "The report recommends that employers {a}.",
    "Critics say the numbers reveal more about how {aud} work than about {s} itself.",
    "Separately, {res} at organisations that had started to {a}.",
    "Analysts expect more organisations to {a} over the coming year.",
    "The full report is available from the publisher's website.",
    "{plat} said it had no plans to change how {s} works, but would keep it under review.",
    "The change is rolling out gradually over the next few weeks.",
    "Smaller organisations were the least likely to have a written policy on {s}.",
    "Last year's edition found a similar pattern, though the gap has narrowed.",
    "The guidance is not binding, but is likely to shape practice on {s}.",
    "Several respondents said {s2} had taken priority over {s} this year.",
    "The authors caution that the sample skews towards {aud}.",
]
CLOSE = [
    "I will report back at the next review date.",
    "If you have tried something similar, I would like to hear how it went.",
    "More on {s2} next time.",
    "As ever, replies are open on {plat}.",
    "None of this is finished; treat it as a beta.",
    "Start small, write down what you expect, and check back in {dur}.",
    "That is all for now. Go and {a}.",
]
HEADINGS = [
    "What we tried", "What changed", "What I would do differently", "The checklist",
    "Where it went wrong", "The numbers", "A note on tools", "Why it matters for {aud}",
    "Before you start", "The bit nobody mentions", "What is next",
]
NOTES = [
    "Good checklist for {s}; worth stealing the middle section.",
    "Clear explanation of {s} for {aud}.",
    "Bookmarking for the next time someone asks about {s}.",
    "Useful counterpoint to the usual advice on {s}.",
    "Short, practical, and right about {s}.",
    "Via {name}. {fact}",
    "Long read, but the part on {s2} is worth it.",
    "Send this to new managers.",
    "Template we could adapt for {s}.",
    "Data, not opinions, on {s}.",
    "{fact}",
    "Disagree with half of it, which is why I saved it.",
    "For the {s} workshop.",
    "",
]
TOOTS = [
    "Hot take: most problems with {s} are people problems, not tooling problems.",
    "Question for {aud}: how do you handle {s}? Asking for a small team.",
    "Week {n} of trying to {a}. So far: {res}.",
    "Reminder: {fact_lc}",
    "Today I learned that {res_lc} when you {a}. Small change, real effect.",
    "Small win this week: {res}.",
    "Thread on {s} 🧵 1/ {fact}",
    "Unpopular opinion: you do not need a strategy for {s}. You need to {a}.",
    "Recording a podcast episode on {s} this afternoon. Send me your questions! 🎙️",
    "Spent the morning on {s2}. {fact}",
    "If your plan for {s} needs forty slides, it is not a plan yet.",
    "Three years of {s} in one sentence: {a}.",
    "Anyone else find that everything about {s} gets easier once you {a}?",
    "Reading list for the weekend, all about {s} and {s2}. 📚",
    "{fact} #{tag}",
]
EMOJI = ["", "", "", " 🙌", " 📌", " ✅", " 🤔", " 👀", " 💡"]
# fmt: on


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-")


def person() -> str:
    return f"{R.choice(FIRST)} {R.choice(LAST)}"


def handle(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower().split()[0]) + R.choice(["", "_hr", "writes", "k"])


def result(topic: str) -> str:
    """A measured outcome with plausible numbers, such as 'time to hire went from 41 to 27 days'."""
    metric, unit = R.choice(METRICS[topic])
    up = unit not in ("days", "hours") and not metric.startswith(("duplicate", "untagged"))
    if metric.startswith("first-year"):
        up = False
    if unit == "days":
        a = R.randint(24, 62)
        b = int(a * R.uniform(0.5, 0.85))
        return f"{metric} went from {a} to {b} days"
    if unit == "hours":
        a = R.randint(4, 9)
        b = max(1, a - R.randint(1, 3))
        return f"{metric} dropped from {a} hours to {b}"
    if unit == "pct":
        a = R.randint(12, 64)
        change = R.randint(4, 22)
        b = min(a + change, 96) if up else max(a - change, a * 6 // 10)
        return f"{metric} moved from {a}% to {b}%"
    if unit == "small":
        a = R.randint(1, 4)
        b = a + R.randint(1, 5)
        return f"{metric} went from {a} to {b}"
    a = R.randint(30, 900)
    b = int(a * (R.uniform(1.2, 2.4) if up else R.uniform(0.3, 0.8)))
    verb = R.choice(["went from", "moved from", "changed from"])
    return f"{metric} {verb} {a} to {b}"


class Slots(dict[str, str]):
    """Template slots drawn lazily, so each template only consumes the randomness it uses.

    One Slots object stands for one post: ``fill`` formats each sentence with a fresh child, so
    the subject, second subject, audience and organisation stay the same throughout the post
    while actions, facts, tools and results vary, and no action or fact is used twice.
    """

    PERSIST = ("s", "S", "s2", "S2", "aud", "org", "guest")

    def __init__(self, topic: str, subject: str | None = None, used: set[str] | None = None):
        super().__init__()
        self.topic = topic
        self.subject = subject or R.choice(SUBJECTS[topic])
        self.used: set[str] = set() if used is None else used

    def child(self) -> Slots:
        kid = Slots(self.topic, self.subject, self.used)
        kid.update({k: v for k, v in self.items() if k in self.PERSIST})
        return kid

    def pick(self, options: list[str]) -> str:
        fresh = [o for o in options if o not in self.used] or options
        value = R.choice(fresh)
        self.used.add(value)
        return value

    def __missing__(self, key: str) -> str:
        t = self.topic
        value: str
        if key == "s":
            value = self.subject
        elif key == "S":
            value = cap(self.subject)
        elif key in ("s2", "S2"):
            other = [x for x in SUBJECTS[t] if x != self.subject]
            value = self.get("s2") or R.choice(other)
            self["s2"] = value
            if key == "S2":
                value = cap(value)
        elif key == "a":
            value = self.pick(ACTIONS[t])
        elif key == "a2":
            self["a"]
            value = self.pick(ACTIONS[t])
        elif key == "A":
            value = cap(self.pick(ACTIONS[t]))
        elif key == "aud":
            value = R.choice(AUDIENCES)
        elif key == "plat":
            value = R.choice(PLATFORMS)
        elif key == "tool":
            value = R.choice(TOOLS)
        elif key in ("dur", "Dur"):
            value = self.get("dur") or R.choice(DURATIONS)
            self["dur"] = value
            if key == "Dur":
                value = cap(value)
        elif key == "cad":
            value = R.choice(CADENCES)
        elif key == "org":
            value = R.choice(ORGS)
        elif key == "role":
            value = R.choice(ROLES)
        elif key == "arole":
            role = R.choice(ROLES)
            value = ("an " if role[0] in "AEIOUaeiou" or role.startswith("HR") else "a ") + role
        elif key == "num":
            value = f"{R.randint(2, 40) * 50:,}"
        elif key == "name":
            value = person()
        elif key == "fact":
            value = self.pick(FACTS[t])
        elif key == "fact_lc":
            f = self.pick(FACTS[t])
            value = f[:1].lower() + f[1:]
        elif key == "res" or key == "res_lc":
            value = result(t)
        elif key == "n":
            value = str(R.choice([3, 4, 5, 5, 6, 7, 10, 12]))
        elif key == "v":
            value = f"{R.randint(2, 4)}.{R.randint(0, 9)}"
        elif key == "tag":
            value = t
        else:
            raise KeyError(key)
        self[key] = value
        return value


def fill(template: str, slots: Slots) -> str:
    kid = slots.child()
    text = cap(template.format_map(kid))
    slots.update({k: v for k, v in kid.items() if k in Slots.PERSIST})
    return text


USED_TITLES: set[str] = set()


def titled(topic: str, templates: list[str] | None = None) -> tuple[str, Slots]:
    """A title not used anywhere else in the demo, and the slots to write its post with."""
    for _ in range(200):
        slots = Slots(topic)
        t = fill(R.choice(templates or TITLES), slots)
        if t not in USED_TITLES:
            USED_TITLES.add(t)
            return t, slots
    raise RuntimeError("ran out of distinct titles")


def title(topic: str, templates: list[str] | None = None) -> str:
    return titled(topic, templates)[0]


def h(text: str) -> str:
    """Escape text for HTML; the HTML is XHTML-clean so it can also go into Atom xhtml content."""
    return escape(text, {'"': "&quot;"})


def article(
    topic: str,
    *,
    host: str,
    paragraphs: tuple[int, int] = (2, 4),
    image_chance: float = 0.35,
    extras: bool = True,
    slots: Slots | None = None,
) -> tuple[str, str]:
    """Return (plain summary, HTML body) for a blog-style post about ``topic``."""
    slots = slots or Slots(topic)
    parts: list[str] = []
    first = [fill(slots.pick(OPEN), slots)]
    first += [fill(slots.pick(MIDDLE), slots) for _ in range(R.randint(1, 2))]
    summary = " ".join(first)
    parts.append(f"<p>{h(summary)}</p>")
    count = R.randint(*paragraphs)
    if extras and R.random() < image_chance:
        alt = f"Diagram: {slots['s']} as one of {R.randint(3, 6)} steps, drawn on a whiteboard"
        slug = slugify(slots["s"])
        parts.append(
            f'<figure><img src="https://{host}/uploads/{slug}-{R.randint(1, 99)}.jpg" '
            f'alt="{h(alt)}" width="1200" height="675" />'
            f"<figcaption>{h(cap(slots['s']))}, the way we drew it in the first workshop."
            "</figcaption></figure>"
        )
    for i in range(1, count):
        if extras and R.random() < 0.45:
            parts.append(f"<h2>{h(fill(slots.pick(HEADINGS), slots))}</h2>")
        body = [fill(slots.pick(MIDDLE), slots) for _ in range(R.randint(2, 3))]
        if i == count - 1:
            body.append(fill(slots.pick(CLOSE), slots))
        parts.append(f"<p>{h(' '.join(body))}</p>")
        if extras and i == 1 and R.random() < 0.6:
            tag = R.choice(["ul", "ul", "ol"])
            items = [slots.pick(ACTIONS[topic]) for _ in range(R.randint(3, 5))]
            lis = "".join(f"<li>{h(cap(x))}.</li>" for x in items)
            parts.append(f"<{tag}>{lis}</{tag}>")
        if extras and i == 1 and R.random() < 0.35:
            who = person()
            parts.append(
                f"<blockquote><p>{h(slots.pick(FACTS[topic]))}</p>"
                f"<footer>— {h(who)}, {h(R.choice(ROLES))}</footer></blockquote>"
            )
    if extras and R.random() < 0.5:
        links = []
        for _ in range(R.randint(1, 3)):
            ext = R.choice(EXTERNAL_HOSTS)
            anchor = fill(R.choice(TITLES), Slots(topic))
            links.append(f'<li><a href="https://{ext}/{slugify(anchor)}/">{h(anchor)}</a></li>')
        parts.append(f"<p>Further reading:</p><ul>{''.join(links)}</ul>")
    return summary, "\n".join(parts)


# --------------------------------------------------------------------------------------------
# Dates: placeholders relative to the moment the feed is served.
# --------------------------------------------------------------------------------------------


def ph(minutes_ago: int) -> str:
    """``{{date:-3d4h12m}}`` for a moment ``minutes_ago`` before now (negative: in the future)."""
    sign = "-" if minutes_ago >= 0 else "+"
    rest = abs(minutes_ago)
    if rest == 0:
        return "{{date:now}}"
    out = ""
    for unit, size in (("w", WEEK), ("d", DAY), ("h", HOUR), ("m", MIN)):
        if rest >= size:
            out += f"{rest // size}{unit}"
            rest %= size
    return f"{{{{date:{sign}{out}}}}}"


def spread(n: int, *, newest: int | None = None, span: int = 14 * WEEK) -> list[int]:
    """``n`` item ages in minutes, newest first, spread irregularly over ``span``."""
    if newest is None:
        # About half the feeds have something from the last day; the rest are quieter.
        newest = R.choice(
            [
                R.randint(20, 20 * HOUR),
                R.randint(20, 20 * HOUR),
                R.randint(DAY, 4 * DAY),
                R.randint(2 * DAY, 12 * DAY),
            ]
        )
    ages = sorted(R.randint(newest, span) for _ in range(n - 1))
    return [newest, *ages]


def cadence(start_age: int, period: int, count: int, jitter: int = 3 * HOUR) -> list[int]:
    """Ages of ``count`` regular posts, the first ``start_age`` ago, one every ``period``."""
    return [start_age - k * period + R.randint(-jitter, jitter) for k in range(count)]


# --------------------------------------------------------------------------------------------
# Document builders. Each returns text; fmt decides how placeholders render (RFC 822 or 3339).
# --------------------------------------------------------------------------------------------

XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n'


def cdata(text: str) -> str:
    assert "]]>" not in text
    return f"<![CDATA[{text}]]>"


def el(tag: str, text: str | None, /, **attrs: str) -> str:
    a = "".join(f" {k.replace('__', ':')}={quoteattr(v)}" for k, v in attrs.items())
    if text is None:
        return f"<{tag}{a}/>"
    return f"<{tag}{a}>{text}</{tag}>"


def rss(channel: list[str], items: list[list[str]], ns: dict[str, str]) -> str:
    xmlns = "".join(f' xmlns:{k}="{v}"' for k, v in ns.items())
    out = [XML_DECL, f'<rss version="2.0"{xmlns}>\n<channel>\n']
    out += [f"  {line}\n" for line in channel]
    for item in items:
        out.append("  <item>\n")
        out += [f"    {line}\n" for line in item]
        out.append("  </item>\n")
    out.append("</channel>\n</rss>\n")
    return "".join(out)


def atom(head: list[str], entries: list[list[str]], ns: dict[str, str], lang: str = "") -> str:
    xmlns = "".join(f' xmlns:{k}="{v}"' for k, v in ns.items())
    lang_attr = f' xml:lang="{lang}"' if lang else ""
    out = [XML_DECL, f'<feed xmlns="http://www.w3.org/2005/Atom"{xmlns}{lang_attr}>\n']
    out += [f"  {line}\n" for line in head]
    for entry in entries:
        out.append("  <entry>\n")
        out += [f"    {line}\n" for line in entry]
        out.append("  </entry>\n")
    out.append("</feed>\n")
    return "".join(out)


def rdf(about: str, head: list[str], items: list[tuple[str, list[str]]], ns: dict[str, str]) -> str:
    xmlns = "".join(f' xmlns:{k}="{v}"' for k, v in ns.items())
    out = [
        XML_DECL,
        '<rdf:RDF xmlns="http://purl.org/rss/1.0/" '
        f'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"{xmlns}>\n',
        f"  <channel rdf:about={quoteattr(about)}>\n",
    ]
    out += [f"    {line}\n" for line in head]
    out.append("    <items><rdf:Seq>\n")
    out += [f"      <rdf:li rdf:resource={quoteattr(link)}/>\n" for link, _ in items]
    out.append("    </rdf:Seq></items>\n  </channel>\n")
    for link, lines in items:
        out.append(f"  <item rdf:about={quoteattr(link)}>\n")
        out += [f"    {line}\n" for line in lines]
        out.append("  </item>\n")
    out.append("</rdf:RDF>\n")
    return "".join(out)


def jsonfeed(feed: dict[str, Any], items: list[dict[str, Any]]) -> str:
    doc = {"version": "https://jsonfeed.org/version/1.1", **feed, "items": items}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


NS_CONTENT = "http://purl.org/rss/1.0/modules/content/"
NS_DC = "http://purl.org/dc/elements/1.1/"
NS_ATOM = "http://www.w3.org/2005/Atom"
NS_MEDIA = "http://search.yahoo.com/mrss/"
NS_ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
NS_PODCAST = "https://podcastindex.org/namespace/1.0"


# --------------------------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------------------------


@dataclass
class Spec:
    url: str
    name: str
    kind: str
    tags: list[str]
    file: str
    build: Callable[[Spec], str]
    fmt: str
    topics: tuple[str, ...] = ("hr",)
    n: int = 0
    mine: bool = False
    interval: str | None = None
    author: str = ""
    home: str = ""
    content_type: str | None = None
    opts: dict[str, Any] = field(default_factory=dict)

    def topic(self) -> str:
        return R.choice(self.topics)

    def count(self) -> int:
        return self.n or R.randint(10, 22)


def host_of(url: str) -> str:
    return url.split("/")[2]


def wp_title(text: str) -> str:
    """WordPress writes curly apostrophes and ampersands as numeric references; so do we."""
    return escape(text).replace("'", "&#8217;").replace("&amp;", "&#038;")


# ---- blogs ---------------------------------------------------------------------------------


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


# ---- podcasts ------------------------------------------------------------------------------

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


def uuid4() -> uuid.UUID:
    return uuid.UUID(int=R.getrandbits(128), version=4)


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


# ---- bookmarks -----------------------------------------------------------------------------


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


# ---- social --------------------------------------------------------------------------------


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


# ---- video ---------------------------------------------------------------------------------


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


# ---- news ----------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------
# The portfolio
# --------------------------------------------------------------------------------------------

ALL = ("hr", "social", "blogging", "podcasting", "tagging")
OWN_BLOG = "https://alexmoreau.example/feed/"
OWN_PODCAST = "https://alexmoreau.example/podcast/feed.xml"

# One row per source; positional fields are url, name, kind, tags, file, builder, format, topics.
# fmt: off
SPECS: list[Spec] = [
    # --- blogs
    Spec(OWN_BLOG, "Alex Moreau: People, Platforms, Practice", "blog", ["hr", "blogging"],
         "blog-alexmoreau.xml", build_own_blog, "rss", ("hr", "blogging", "tagging"), mine=True,
         interval="1h", author="Alex Moreau",
         opts={"description": "Notes on HR, writing in public and the tools in between."}),
    Spec("https://peopledesk.example/feed/", "The People Desk", "blog", ["hr"],
         "blog-peopledesk.xml", build_wordpress, "rss", ("hr", "hr", "social"),
         author="Priya Natarajan",
         opts={"description": "Practical HR for small teams.",
               "authors": ["Priya Natarajan", "Declan Byrne"]}),
    Spec("https://hiringinpublic.example/atom.xml", "Hiring in Public", "blog",
         ["hr", "social-media"], "blog-hiringinpublic.xml", build_atom_blog, "atom",
         ("hr", "social"), author="Wiremu Ngata",
         opts={"style": "hugo", "description": "Recruiting where everyone can see it."}),
    Spec("https://smallteamhr.substack.example/feed", "Small Team HR", "blog", ["hr"],
         "blog-smallteamhr.xml", build_substack, "rss", ("hr",), author="Marta Kowalski",
         opts={"description": "A weekly letter for people teams of one."}),
    Spec("https://taggardening.example/feed.xml", "Tag Gardening", "blog", ["tagging"],
         "blog-taggardening.xml", build_atom_blog, "atom", ("tagging",), author="Ilse Achterberg",
         opts={"style": "jekyll", "generator": "Jekyll",
               "description": "Weeding, pruning and planting vocabularies."}),
    Spec("https://quietchannels.example/rss/", "Quiet Channels", "blog", ["social-media"],
         "blog-quietchannels.xml", build_ghost, "rss", ("social", "social", "blogging"),
         author="Noor Haddad",
         opts={"description": "Social media strategy for people who dislike social media."}),
    Spec("https://fedidesk.example/index.xml", "Notes from the Fediverse Desk", "blog",
         ["social-media", "mastodon"], "blog-fedidesk.xml", build_wordpress, "rss",
         ("social",), author="Jules Varga",
         opts={"description": "Running organisational accounts on Mastodon and friends."}),
    Spec("https://medium.example/feed/employer-brand-lab", "Employer Brand Lab", "blog",
         ["hr", "social-media"], "blog-employerbrandlab.xml", build_medium, "rss",
         ("hr", "social"),
         opts={"description": "Stories about employer branding - Medium",
               "authors": ["Camille Dubois", "Kenji Tanaka", "Rosa Ortega"]}),
    Spec("https://longhaulblogging.blogspot.example/feeds/posts/default",
         "Blogging for the Long Haul", "blog", ["blogging"], "blog-longhaul.xml",
         build_atom_blog, "atom", ("blogging",), author="Owen Whitfield",
         opts={"style": "blogger", "generator": "Blogger",
               "description": "Fifteen years of keeping a blog alive."}),
    Spec("https://metadatafieldguide.example/feed/", "A Field Guide to Metadata", "blog",
         ["tagging"], "blog-metadatafieldguide.xml", build_wordpress, "rss",
         ("tagging", "blogging"), author="Mei Lindgren",
         opts={"description": "Taxonomies, tags and the people who maintain them."}),
    Spec("https://linework.micro.example/feed.json", "Linework", "blog",
         ["blogging", "indieweb"], "blog-linework.json", build_microblog, "json",
         ("blogging", "social"), author="Hollis Brennan",
         opts={"description": "Short posts and the occasional essay."}),
    Spec("https://thecommsroom.example/feed/", "The Comms Room", "blog", ["hr"],
         "blog-thecommsroom.xml", build_wordpress, "rss", ("hr", "social"),
         author="Farah Rahman",
         opts={"description": "Internal communications, honestly.",
               "authors": ["Farah Rahman", "Chidi Abara"]}),
    # --- podcasts
    Spec(OWN_PODCAST, "Hallway HR", "podcast", ["hr", "podcasting"], "podcast-hallwayhr.xml",
         build_podcast, "rss", ("hr",), mine=True, interval="1h", author="Alex Moreau",
         opts={"description": "Short conversations about the human side of HR, with the people "
               "who do it.", "length": (1500, 2700), "numbering": "Episode {n}: {t}"}),
    Spec("https://peopleopsafterdark.libsyn.example/rss", "People Ops After Dark", "podcast",
         ["hr", "podcasting"], "podcast-peopleopsafterdark.xml", build_podcast, "rss", ("hr",),
         author="Dana Kim & Luca Ferreira", n=18,
         opts={"description": "Two HR people, one microphone each, no slides.",
               "media": "traffic.libsyn.example", "numbering": "{n}. {t}",
               "latest": 212, "duration": "seconds"}),
    Spec("https://feeds.buzzsprout.example/1843021.rss", "The Recruiter's Notebook", "podcast",
         ["hr"], "podcast-recruitersnotebook.xml", build_podcast, "rss", ("hr", "social"),
         author="Tariq Farouk", n=14,
         opts={"description": "Interviews with recruiters about the craft.",
               "media": "www.buzzsprout.example", "numbering": "#{n} – {t}",
               "duration": "mmss", "length": (900, 2400)}),
    Spec("https://feeds.transistor.example/mic-check", "Mic Check", "podcast",
         ["podcasting"], "podcast-miccheck.xml", build_podcast, "rss", ("podcasting",),
         author="Sam Osei", n=16, interval="6h",
         opts={"description": "Podcasting for practitioners: gear, workflow and craft.",
               "media": "media.transistor.example", "numbering": "{t} (Ep. {n})",
               "transcripts": True, "category": "Technology"}),
    Spec("https://taggedshow.example/rss", "Tagged", "podcast", ["tagging", "podcasting"],
         "podcast-tagged.xml", build_podcast, "rss", ("tagging",), author="Ingrid Ekström",
         n=12,
         opts={"description": "A show about metadata, taxonomy and the art of finding things.",
               "period": 2 * WEEK, "season": 3, "latest": 24, "category": "Technology"}),
    Spec("https://anchor.example/s/9c1e4a/podcast/rss", "Social Sundays", "podcast",
         ["social-media", "podcasting"], "podcast-socialsundays.xml", build_podcast, "rss",
         ("social",), author="Amara Mensah", n=14,
         opts={"description": "Every Sunday: one platform, one idea, fifteen minutes.",
               "media": "anchor-media.example", "length": (700, 1200), "mime": "audio/x-m4a",
               "latest": 96}),
    Spec("https://feeds.megaphone.example/workcultureweekly", "Work Culture Weekly", "podcast",
         ["hr"], "podcast-workcultureweekly.xml", build_podcast, "rss", ("hr",),
         author="Elena Ruiz", n=20,
         opts={"description": "The week in workplace culture, in forty minutes.",
               "media": "chrt.example/track/megaphone", "numbering": "{t}",
               "length": (2000, 3000)}),
    Spec("https://openwebhour.example/feed/podcast/", "The Open Web Hour", "podcast",
         ["blogging", "indieweb", "podcasting"], "podcast-openwebhour.xml", build_podcast,
         "rss", ("blogging",), author="Yusuf Castell", n=10,
         opts={"description": "Blogs, feeds and the independent web.", "period": 2 * WEEK,
               "length": (3000, 4500), "transcripts": True, "category": "Technology"}),
    Spec("https://feeds.simplecast.example/remote-and-human", "Remote & Human", "podcast",
         ["hr"], "podcast-remoteandhuman.xml", build_podcast, "rss", ("hr", "social"),
         author="Leila Silva", n=15,
         opts={"description": "Remote work, hybrid teams & the humans in them.",
               "media": "cdn.simplecast.example/audio"}),
    Spec("https://feeds.podbean.example/hashtaghygiene/feed.xml", "Hashtag Hygiene", "podcast",
         ["social-media", "tagging"], "podcast-hashtaghygiene.xml", build_podcast, "rss",
         ("social", "tagging"), author="Mateo Novak", n=11,
         opts={"description": "Tidy tags, better reach.", "media": "mcdn.podbean.example",
               "length": (600, 1500), "duration": "mmss"}),
    Spec("https://feeds.captivate.example/employer-brand-show/", "The Employer Brand Show",
         "podcast", ["hr", "social-media"], "podcast-employerbrandshow.xml", build_podcast,
         "rss", ("hr", "social"), author="Kwame Oyelaran", n=13,
         opts={"description": "How organisations show up, online and off.",
               "media": "podcasts.captivate.example"}),
    Spec("https://audiocraftminute.example/podcast.rss", "Audio Craft Minute", "podcast",
         ["podcasting"], "podcast-audiocraftminute.xml", build_podcast, "rss", ("podcasting",),
         author="Björn Lindqvist", n=25,
         opts={"description": "One audio tip a day, in about a minute.", "period": 2 * DAY,
               "length": (55, 140), "duration": "seconds", "numbering": "Tip {n}: {t}",
               "latest": 610, "titles": TIP_TITLES, "guests": 0.0}),
    # --- bookmarks
    Spec("https://feeds.pinboard.example/rss/u:priyan/t:hr/", "Pinboard: priyan/hr",
         "bookmarks", ["bookmarks", "hr"], "bookmarks-pinboard-priyan.rdf", build_pinboard,
         "rdf", ("hr",),
         opts={"user": "priyan", "link": "https://pinboard.example/u:priyan/t:hr/"}),
    Spec("https://feeds.pinboard.example/rss/t:tagging/", "Pinboard: recent on tagging",
         "bookmarks", ["bookmarks", "tagging"], "bookmarks-pinboard-tagging.rdf",
         build_pinboard, "rdf", ("tagging",),
         opts={"user": "ilse_a", "link": "https://pinboard.example/t:tagging/"}),
    Spec("https://bookmarks.raindrop.example/collection/31415926/feed",
         "Raindrop: Social media research", "bookmarks", ["bookmarks", "social-media"],
         "bookmarks-raindrop-social.xml", build_bookmarks_rss, "rss", ("social",),
         opts={"style": "raindrop", "link": "https://raindrop.example/my/31415926",
               "description": "Links collected by Noor Haddad"}),
    Spec("https://bookmarks.raindrop.example/collection/27182818/feed",
         "Raindrop: Podcast production", "bookmarks", ["bookmarks", "podcasting"],
         "bookmarks-raindrop-podcast.xml", build_bookmarks_rss, "rss", ("podcasting",),
         opts={"style": "raindrop", "link": "https://raindrop.example/my/27182818",
               "description": "Links collected by Sam Osei"}),
    Spec("https://links.danakim.example/feeds/shared", "linkding: Dana's shared links",
         "bookmarks", ["bookmarks", "hr", "blogging"], "bookmarks-linkding.xml",
         build_bookmarks_rss, "rss", ("hr", "blogging"), author="dana",
         opts={"style": "linkding", "link": "https://links.danakim.example/bookmarks/shared",
               "description": "Shared bookmarks"}),
    Spec("https://links.hollis.example/feed.json", "Hollis's link blog", "bookmarks",
         ["bookmarks", "blogging", "indieweb"], "bookmarks-hollis.json", build_bookmarks_json,
         "json", ("blogging", "tagging"), author="Hollis Brennan",
         opts={"description": "Things worth reading about the independent web."}),
    Spec("https://readinglist.example/u/marta/feed.json", "Marta's reading list", "bookmarks",
         ["bookmarks", "hr"], "bookmarks-marta.json", build_bookmarks_json, "json",
         ("hr", "social"), author="Marta Kowalski",
         opts={"description": "What I'm reading about small-team HR."}),
    Spec("https://wallabag.example/feed/jules/starred", "wallabag: Jules's starred",
         "bookmarks", ["bookmarks", "social-media"], "bookmarks-wallabag.xml",
         build_bookmarks_atom, "atom", ("social", "blogging"), author="Jules Varga", n=8,
         opts={"style": "wallabag"}),
    Spec("https://shaarli.example/feed/atom", "Shaarli: Tomás's links", "bookmarks",
         ["bookmarks", "tagging"], "bookmarks-shaarli.xml", build_bookmarks_atom, "atom",
         ("tagging", "podcasting"), author="Tomás Ortega", opts={"style": "shaarli"}),
    Spec("https://www.diigo.example/rss/user/hrtechnotes", "Diigo: hrtechnotes", "bookmarks",
         ["bookmarks", "hr"], "bookmarks-diigo.xml", build_bookmarks_rss, "rss",
         ("hr", "tagging"), content_type="text/xml; charset=utf-8",
         opts={"style": "diigo", "link": "https://www.diigo.example/user/hrtechnotes",
               "description": "hrtechnotes's bookmarks"}),
    Spec("https://feedbin.example/starred/a1b2c3d4e5.xml", "Feedbin: starred", "bookmarks",
         ["bookmarks", "blogging", "podcasting"], "bookmarks-feedbin.xml", build_bookmarks_rss,
         "rss", ("blogging", "podcasting"), author="Feedbin",
         opts={"style": "feedbin", "link": "https://feedbin.example/",
               "description": "Starred articles"}),
    Spec("https://instapaper.example/starred/rss/5550123/abcDEF", "Instapaper: liked",
         "bookmarks", ["bookmarks", "hr", "social-media"], "bookmarks-instapaper.xml",
         build_bookmarks_rss, "rss", ALL,
         opts={"style": "instapaper", "link": "https://instapaper.example/starred",
               "description": "Liked articles"}),
    # --- social
    Spec("https://hr.social.example/@priya.rss", "Priya Natarajan (@priya@hr.social.example)",
         "social", ["hr", "mastodon"], "social-mastodon-priya.xml", build_mastodon, "rss",
         ("hr", "hr", "social")),
    Spec("https://mastodon.example/@tagwrangler.rss", "Ilse (@tagwrangler@mastodon.example)",
         "social", ["tagging", "mastodon"], "social-mastodon-tagwrangler.xml", build_mastodon,
         "rss", ("tagging",)),
    Spec("https://podcastindex.social.example/@samosei.rss",
         "Sam Osei (@samosei@podcastindex.social.example)", "social",
         ["podcasting", "mastodon"], "social-mastodon-samosei.xml", build_mastodon, "rss",
         ("podcasting",)),
    Spec("https://hachyderm.example/@fedidesk.rss", "Fediverse Desk (@fedidesk@hachyderm.example)",
         "social", ["social-media", "mastodon"], "social-mastodon-fedidesk.xml",
         build_mastodon, "rss", ("social",)),
    Spec("https://indieweb.social.example/@linework.rss",
         "Hollis (@linework@indieweb.social.example)", "social", ["blogging", "mastodon"],
         "social-mastodon-linework.xml", build_mastodon, "rss", ("blogging", "social"), n=16),
    Spec("https://bsky.example/profile/mayaokoro.bsky.example/rss",
         "Maya Okoro (Bluesky)", "social", ["hr", "bluesky"], "social-bluesky-maya.xml",
         build_bluesky, "rss", ("hr", "social"),
         opts={"handle": "mayaokoro.bsky.example", "did": "did:plc:4xk2mq7vd3e5ntwlyrb6opsa",
               "description": "Talent partner. Writing about hiring in public."}),
    Spec("https://bsky.example/profile/employerbrandlab.example/rss",
         "Employer Brand Lab (Bluesky)", "social", ["hr", "bluesky"],
         "social-bluesky-ebl.xml", build_bluesky, "rss", ("hr", "social"), n=12,
         opts={"handle": "employerbrandlab.example", "did": "did:plc:q7hz3c2rw5tn6yvk4mbxe2ld",
               "description": "Stories about how organisations show up."}),
    Spec("https://hnrss.example/newest?q=RSS+OR+podcast+OR+blogging",
         "Hacker News: RSS, podcasts, blogging", "social", ["hacker-news", "blogging"],
         "social-hn.xml", build_hn, "rss", ("blogging",), interval="30m"),
    Spec("https://github.example/openfeeds/feedkit/releases.atom", "feedkit releases",
         "social", ["github", "tools"], "social-github-feedkit.xml", build_github, "atom",
         ("blogging",), interval="12h",
         opts={"repo": "openfeeds/feedkit", "repo_id": "418822561", "version": (3, 4, 2)}),
    Spec("https://github.example/tagwright/tagwright/releases.atom", "tagwright releases",
         "social", ["github", "tools", "tagging"], "social-github-tagwright.xml", build_github,
         "atom", ("tagging",), interval="12h",
         opts={"repo": "tagwright/tagwright", "repo_id": "602931174", "version": (1, 8, 1)}),
    Spec("https://www.reddit.example/r/humanresources/.rss", "r/humanresources", "social",
         ["hr", "reddit"], "social-reddit-hr.xml", build_reddit, "atom", ("hr",),
         opts={"sub": "humanresources",
               "description": "A place for HR professionals to talk shop."}),
    Spec("https://lemmy.example/feeds/c/podcasting.xml?sort=Active", "Lemmy: podcasting",
         "social", ["podcasting", "lemmy"], "social-lemmy-podcasting.xml", build_lemmy, "rss",
         ("podcasting",),
         opts={"community": "podcasting", "description": "Making and listening to podcasts."}),
    # --- video
    Spec("https://www.youtube.example/feeds/videos.xml?channel_id=UCm1cChEcKp0dcAst4Y8wq2Q",
         "Mic Check", "video", ["podcasting", "youtube"], "video-youtube-miccheck.xml",
         build_youtube, "atom", ("podcasting",),
         opts={"blog": "miccheck.example", "social": "https://podcastindex.social.example/@samosei"}),
    Spec("https://www.youtube.example/feeds/videos.xml?channel_id=UCeBL4b8x2rQ0vJ6mZkTn3fA",
         "Employer Brand Lab", "video", ["hr", "youtube"], "video-youtube-ebl.xml",
         build_youtube, "atom", ("hr", "social"),
         opts={"blog": "medium.example/employer-brand-lab",
               "social": "https://bsky.example/profile/employerbrandlab.example"}),
    Spec("https://www.youtube.example/feeds/videos.xml?channel_id=UCt4gG4rd3n1ngXq7pLs9vWc",
         "Tag Gardening TV", "video", ["tagging", "youtube"], "video-youtube-taggardening.xml",
         build_youtube, "atom", ("tagging", "blogging"),
         opts={"blog": "taggardening.example", "social": "https://mastodon.example/@tagwrangler",
               "span": 30 * WEEK}),
    Spec("https://peertube.example/feeds/videos.xml?videoChannelId=42", "Open Web Hour (video)",
         "video", ["blogging", "indieweb", "peertube"], "video-peertube-openwebhour.xml",
         build_peertube, "rss", ("blogging", "podcasting"), author="Yusuf Castell",
         opts={"channel": "openwebhour", "description": "Video editions of The Open Web Hour."}),
    # --- news
    Spec("https://peoplewire.example/feeds/news/", "People Wire", "news", ["hr", "news"],
         "news-peoplewire.xml", build_news_rss, "rss", ("hr",), interval="30m",
         opts={"description": "News for people professionals.", "future": True}),
    Spec("https://platformwatch.example/atom.xml", "Platform Watch", "news",
         ["social-media", "news"], "news-platformwatch.xml", build_news_atom, "atom",
         ("social",), opts={"description": "What changed on the platforms this week."}),
    Spec("https://webdesk.example/index.rdf", "Web Desk Daily", "news", ["blogging", "news"],
         "news-webdesk.rdf", build_news_rdf, "rdf", ("blogging", "podcasting", "tagging"),
         opts={"description": "Stories for people who build and write the web."}),
]
# fmt: on

VISION = (
    "In two years I want to be the person HR practitioners think of when they ask how to work in "
    "public: a blog I publish twice a week without strain, a podcast that comes out every week "
    "and is easy to find, and a small set of social accounts where I reply more than I broadcast. "
    "Everything I make lives first on my own site and is tagged the same way everywhere, so my "
    "archive is a resource rather than a pile. I would rather be useful to five hundred people "
    "than visible to fifty thousand."
)

MATRIX = """\
# The priority matrix: value to the vision (vertical) against effort (horizontal), 1..5.

[[matrix]]
id = "own-blog"
name = "My blog"
notes = "The home base. Everything else links back here."
value = 5
effort = 4
sources = ["{own_blog}"]

[[matrix]]
id = "own-podcast"
name = "Hallway HR (my podcast)"
notes = "Weekly since the experiment started. Editing is the bottleneck."
value = 5
effort = 5
sources = ["{own_podcast}"]

[[matrix]]
id = "mastodon"
name = "Mastodon"
notes = "Best replies per post of any platform. Keep it conversational."
value = 4
effort = 2
sources = ["mastodon"]

[[matrix]]
id = "bookmarks"
name = "Shared bookmarks"
notes = "Cheap to keep up, and they feed the Friday link post."
value = 4
effort = 1
sources = ["bookmarks", "tagging"]

[[matrix]]
id = "hr-blogs"
name = "HR blogs and newsletters"
notes = "Where most post ideas come from. Read, don't just skim."
value = 4
effort = 2
sources = ["hr", "https://smallteamhr.substack.example/feed"]

[[matrix]]
id = "bluesky"
name = "Bluesky"
notes = "Some HR people moved here. Watching, not posting much yet."
value = 3
effort = 2
sources = ["bluesky"]

[[matrix]]
id = "hacker-news"
name = "Hacker News"
notes = "Occasionally useful on RSS and podcast tooling. Easy to lose an hour."
value = 2
effort = 1
sources = ["hacker-news"]

[[matrix]]
id = "github-releases"
name = "Tool releases"
notes = "Only the tools I actually use for tagging and feeds."
value = 2
effort = 1
sources = ["github"]

[[matrix]]
id = "linkedin"
name = "LinkedIn"
notes = "Where the audience is, but carousels eat a whole afternoon."
value = 2
effort = 4
sources = []

[[matrix]]
id = "youtube"
name = "YouTube"
notes = "Video versions of the podcast. Big effort for little return so far."
value = 2
effort = 5
sources = ["youtube", "peertube"]

[[matrix]]
id = "threads"
name = "Threads"
notes = "Tried it; dropped it. Kept here so I remember why."
value = 1
effort = 4
sources = []
"""

ROADMAP = """\
# Experiments towards the vision, run in perpetual beta: idea -> trying -> adopted or dropped.
# Dates are relative to 2026-11-25 and are shifted to today when the demo is opened.

[[roadmap]]
id = "twice-weekly-blog"
title = "Blog twice a week"
hypothesis = "Two posts a week instead of one doubles returning readers without burning me out."
measure = "Posts per week on my blog, eight weeks before against eight weeks since the start."
metric = "posts/week"
lane = "now"
status = "trying"
start = 2026-09-30
review = 2026-12-09
links = ["own-blog", "{own_blog}"]

[[roadmap]]
id = "weekly-podcast"
title = "Weekly podcast episodes"
hypothesis = "A weekly release day grows downloads per episode more than longer episodes would."
measure = "Episodes per week on Hallway HR since the start; downloads per episode from the host."
metric = "posts/week"
lane = "now"
status = "trying"
start = 2026-09-30
review = 2026-11-18
links = ["own-podcast", "{own_podcast}"]

[[roadmap]]
id = "mastodon-replies"
title = "Reply first on Mastodon"
hypothesis = "Three thoughtful replies a day bring more conversation than three posts a day."
measure = "Replies received per week, counted every Friday."
metric = "replies/post"
lane = "now"
status = "trying"
start = 2026-11-04
review = 2026-12-16
links = ["mastodon", "https://hr.social.example/@alexmoreau"]

[[roadmap]]
id = "shared-tags"
title = "One tag vocabulary everywhere"
hypothesis = "The same 40 tags on the blog, podcast notes and bookmarks make the archive findable."
measure = "Share of posts and bookmarks using only tags from the list."
lane = "next"
status = "idea"
start = 2026-12-07
review = 2027-02-01
links = ["bookmarks", "own-blog", "own-podcast"]

[[roadmap]]
id = "bluesky-crosspost"
title = "Cross-post the blog to Bluesky"
hypothesis = "A link and one sentence per blog post reaches the HR people who left LinkedIn."
measure = "Clicks from Bluesky to the blog per post."
lane = "next"
status = "idea"
start = 2027-01-04
review = 2027-02-15
links = ["bluesky"]

[[roadmap]]
id = "podcast-transcripts"
title = "Transcripts for every episode"
hypothesis = "Transcripts bring search traffic to episode pages."
measure = "Visits to episode pages from search, per episode."
lane = "later"
status = "idea"
start = 2027-03-01
review = 2027-05-03
links = ["own-podcast"]

[[roadmap]]
id = "youtube-clips"
title = "Short video clips of each episode"
hypothesis = "Sixty-second clips find listeners who never open a podcast app."
measure = "New podcast subscribers who mention video."
lane = "later"
status = "idea"
start = 2027-04-05
review = 2027-06-07
links = ["youtube"]

[[roadmap]]
id = "friday-links"
title = "Friday link post from my bookmarks"
hypothesis = "A weekly post built from my bookmarks is a cheap way to keep the blog alive."
measure = "Link posts published without missing a Friday."
lane = "done"
status = "adopted"
start = 2026-06-03
review = 2026-08-26
links = ["bookmarks", "{own_blog}"]

[[roadmap]]
id = "threads-presence"
title = "A presence on Threads"
hypothesis = "Threads reaches HR people who never joined Mastodon."
measure = "Replies and profile visits per week."
lane = "done"
status = "dropped"
start = 2026-07-01
review = 2026-08-12
links = ["threads"]
"""


TARGETS = {OWN_BLOG: "2/w", OWN_PODCAST: "1/w"}
"""The posting cadence the demo's practitioner aims for on their own blog and podcast."""


def toml_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def portfolio_toml() -> str:
    out = [
        "# The offline demo portfolio: opened when no portfolio exists yet and by `folio --demo`.",
        "# Generated by config/demo/generate.py. Every source URL is answered offline by",
        "# tui.core.demo.DemoTransport from feeds/index.toml; the .example domains never resolve.",
        "",
        f"vision = {toml_str(VISION)}",
        "",
    ]
    kind = ""
    for s in SPECS:
        if s.kind != kind:
            if kind == "social":
                out += api_sources_toml()
            kind = s.kind
            out.append(f"# --- {kind}")
        out += [
            "[[sources]]",
            f"url = {toml_str(s.url)}",
            f"name = {toml_str(s.name)}",
            f"kind = {toml_str(s.kind)}",
            f"tags = [{', '.join(toml_str(t) for t in s.tags)}]",
            f"mine = {'true' if s.mine else 'false'}",
        ]
        if s.interval:
            out.append(f"interval = {toml_str(s.interval)}")
        if s.url in TARGETS:
            out.append(f"target = {toml_str(TARGETS[s.url])}")
        out.append("")
    text = "\n".join(out) + "\n" + MATRIX + "\n" + ROADMAP
    return text.replace("{own_blog}", OWN_BLOG).replace("{own_podcast}", OWN_PODCAST)


def api_sources_toml() -> list[str]:
    """The accounts read through web APIs (generate_apis.py), answered by DemoTransport from
    apis/*.json: no feed file, no index entry."""
    from generate_apis import SOURCES

    out = ["# --- social, through their APIs (answered offline from apis/*.json)"]
    for source in SOURCES:
        out += [
            "[[sources]]",
            f"url = {toml_str(source['url'])}",
            f"name = {toml_str(source['name'])}",
            'kind = "social"',
            f"tags = [{', '.join(toml_str(t) for t in source['tags'])}]",
            f"mine = {'true' if source['mine'] else 'false'}",
        ]
        if source["interval"]:
            out.append(f"interval = {toml_str(source['interval'])}")
        out += [f"api = {toml_str(source['api'])}", ""]
    return out


def index_toml() -> str:
    out = [
        "# Which file answers which demo URL, and how its date placeholders render.",
        "# format: rss (RFC 822 dates), atom, json or rdf (RFC 3339 dates).",
        "# content_type is optional; the default follows the format.",
        "",
    ]
    for s in SPECS:
        out += [
            "[[feed]]",
            f"url = {toml_str(s.url)}",
            f"file = {toml_str(s.file)}",
            f"format = {toml_str(s.fmt)}",
        ]
        if s.content_type:
            out.append(f"content_type = {toml_str(s.content_type)}")
        out.append("")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Write the offline demo portfolio.")
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write (default: here)")
    out = parser.parse_args(argv).out
    feeds = out / "feeds"
    feeds.mkdir(parents=True, exist_ok=True)
    for old in feeds.iterdir():
        if old.suffix in (".xml", ".rdf", ".json"):
            old.unlink()
    for s in SPECS:
        (feeds / s.file).write_text(s.build(s), encoding="utf-8")
    (feeds / "index.toml").write_text(index_toml(), encoding="utf-8")
    (out / "portfolio.toml").write_text(portfolio_toml(), encoding="utf-8")
    import generate_apis

    accounts = generate_apis.write(out / "apis")
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file() and p.suffix != ".py")
    print(f"wrote {len(SPECS)} feeds and {accounts} API accounts, {size / 1e6:.2f} MB in {out}")


if __name__ == "__main__":
    main()
