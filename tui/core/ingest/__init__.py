"""Turning untrusted documents into clean data: feed parsing (``parse``, with ``xmlsafe``
making XML safe first), HTML to reader text (``htmltext``), the sanitiser every string from
the network passes through (``text``), and feed discovery and kind guessing (``discover``).
Nothing here does I/O."""
