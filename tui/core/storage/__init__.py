"""Everything folio keeps on disk: where files live (``paths``), atomic writes (``atomic``),
the user's ``portfolio.toml`` (``portfolio``), the SQLite store of items and fetch state
(``store``), and which set of files a run uses, the user's or the demo's (``workspace``)."""
