"""The feed formats' skeletons (RSS 2.0, Atom, RSS 1.0/RDF, JSON Feed), their namespaces,
and TOML string quoting: text builders that take already-escaped parts.
"""

from __future__ import annotations

import json
from typing import Any
from xml.sax.saxutils import quoteattr

XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n'


def cdata(text: str) -> str:
    """Raw HTML inside an XML element, as most blog engines write ``content:encoded``."""
    assert "]]>" not in text
    return f"<![CDATA[{text}]]>"


def el(tag: str, text: str | None, /, **attrs: str) -> str:
    """One XML element; ``text`` is already escaped, None makes it empty. ``a__b=`` is ``a:b=``."""
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


def toml_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)
