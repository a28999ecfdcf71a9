"""Every adapter folio has, imported (and so registered) in the order ``recognise`` tries
them: the most specific address forms first, Mastodon's ``https://host/@user`` (any host)
last, after YouTube's ``https://www.youtube.com/@handle``."""

from __future__ import annotations

import importlib

ORDER = ("youtube", "bluesky", "hackernews", "github", "lobsters", "mastodon", "bookmarks")
"""Module names under tui.core.sources; each registers its adapter when imported."""

for _name in ORDER:
    importlib.import_module(f"tui.core.sources.{_name}")
