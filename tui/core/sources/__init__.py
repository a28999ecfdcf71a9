"""Sources that are not plain feeds: one adapter per kind of web API (Mastodon, Bluesky,
Hacker News, GitHub, YouTube, Lobsters, a bookmark service, a sync server's feed).

An adapter turns a source's address into requests and the answers into a ``ParsedFeed``,
with its own paging and rate limits, behind one interface (``base.Adapter``) that the
refresher calls. The refresher, the store, the limits and the error words stay shared: an
adapter makes its calls through the refresher's ``Fetcher`` and reports in words.
"""
