"""The priority matrix and the roadmap: their rules (``rules``: quadrants, triage order,
reviews, cadence) and what their screens show, computed without Textual (``views``)."""
