"""The demo's ``portfolio.toml``: its vision, its sources, the priority matrix and the
roadmap of experiments. Dates are relative to 2026-11-25 and are shifted to today by
``tui.core.demo.offline.demo_portfolio_text`` when the demo is opened.
"""

from __future__ import annotations

from .api_accounts import SOURCES
from .documents import toml_str
from .sources import OWN_BLOG, OWN_PODCAST, SPECS

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


def portfolio_toml() -> str:
    out = [
        "# The offline demo portfolio: opened when no portfolio exists yet and by `folio --demo`.",
        "# Generated by tools/demo (python -m tools.demo). Every source URL is answered offline by",
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
    """The accounts read through web APIs (api_accounts.py), answered by DemoTransport from
    apis/*.json: no feed file, no index entry."""
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
