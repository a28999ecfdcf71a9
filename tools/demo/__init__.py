"""Write the offline demo: ``portfolio.toml``, ``feeds/*``, ``feeds/index.toml`` and ``apis/*.json``
in config/demo.

The generated files are what ships and what the app reads; this package only exists so they can
be regenerated consistently (every URL in the portfolio must have a feed file and an index entry).
It lives outside config/ because the wheel force-includes that folder as ``tui/_config``: the app
needs the data, not the code that wrote it (tests/unit/test_demo_wheel.py checks the wheel).

It is deterministic: the same seeds give byte-identical output, so a regeneration shows up in a
diff only where the generator changed. tests/unit/test_demo_generate.py regenerates into a
temporary folder and compares every file with what ships.

Feed dates are written as placeholders such as ``{{date:-3d4h}}`` (3 days 4 hours before "now");
``tui.core.demo.offline.render_feed`` substitutes them when the feed is served, so the demo never
looks stale. Dates in ``portfolio.toml`` are plain TOML dates relative to the anchor 2026-11-25
and get shifted by ``tui.core.demo.offline.demo_portfolio_text``.

The modules, by what they make:

* ``vocabulary``, ``prose``: the invented words, and the sentences, titles and posts made of them;
  ``randomness``: the one seeded generator they all draw from; ``dates``: ages and placeholders.
* ``documents``: the feed formats' skeletons; ``spec``: one source and the builder of its file.
* ``blogs``, ``podcasts``, ``bookmarks``, ``social``, ``video``, ``news``: one builder per kind of
  site, each writing a feed the way that site does.
* ``sources``: every feed of the portfolio; ``api_accounts``: the accounts read through web APIs
  (Mastodon, Bluesky, Hacker News), with their own seed.
* ``portfolio``: ``portfolio.toml`` (vision, sources, matrix, roadmap); ``write``: the files and
  ``feeds/index.toml``.

Run from the repository root:  .venv/bin/python -m tools.demo  (``--out DIR`` writes elsewhere)
"""
