"""Sentences, titles and blog-style posts drawn from the vocabulary.

:class:`Slots` fills a template's ``{s}``, ``{a}``, ``{fact}``... lazily, so each template
only consumes the randomness it uses; :func:`titled` keeps every title in the demo
distinct; :func:`article` writes a post's summary and HTML body.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from .randomness import R
from .vocabulary import (
    ACTIONS,
    AUDIENCES,
    CADENCES,
    CLOSE,
    DURATIONS,
    EXTERNAL_HOSTS,
    FACTS,
    FIRST,
    HEADINGS,
    LAST,
    METRICS,
    MIDDLE,
    OPEN,
    ORGS,
    PLATFORMS,
    ROLES,
    SUBJECTS,
    TITLES,
    TOOLS,
)


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
