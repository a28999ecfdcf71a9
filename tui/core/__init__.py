"""folio's engine. It never imports Textual (tests/unit/test_hygiene.py enforces this).

Data flows one way: ``storage.portfolio`` → ``refresh`` → ``net`` (fetch) → ``ingest`` (parse,
sanitise) → ``storage.store`` → listeners. ``session`` is what the UI and the command line
call; ``planning`` computes what the matrix and roadmap show; ``interop`` reads and writes
other tools' files; ``demo`` serves the offline demo. ARCHITECTURE.md at the top of the
repository describes each part.
"""
