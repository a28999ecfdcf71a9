"""folio: a terminal dashboard for a personal social-media portfolio."""

__version__ = "0.1.0"
