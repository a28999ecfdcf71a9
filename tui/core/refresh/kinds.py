"""A source's kind, learnt from its first fetch: a feed whose items carry audio is a
podcast, whatever its address or folder suggested before anything was fetched.

Only sources still of the default kind ("blog") whose very first fetch has just been
stored are changed, so a kind the user chose is never overridden.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from tui.core.models import Source, SourceState
from tui.core.storage.store import Store

AUDIO_EXTENSIONS = (".mp3", ".m4a", ".aac", ".ogg", ".oga", ".opus", ".flac", ".wav")


def first_fetched(states: Mapping[str, SourceState]) -> set[str]:
    """The sources whose one and only fetch so far worked: just fetched for the first
    time (a refresh that stored new items is when to ask)."""
    return {url for url, state in states.items() if state.fetches == 1 and state.status == "ok"}


def learn_kinds(
    store: Store, sources: list[Source], states: Mapping[str, SourceState]
) -> list[str]:
    """Make podcasts of the sources whose first fetch showed audio (see the module);
    returns their URLs. ``sources`` are changed in place."""
    first = first_fetched(states)
    candidates = [s for s in sources if s.url in first and s.kind == "blog"]
    if not candidates:
        return []
    audio = audio_sources(store, [s.url for s in candidates])
    changed = podcasts_found(candidates, first, audio)
    for source in candidates:
        if source.url in changed:
            source.kind = "podcast"
    return changed


def audio_sources(store: Store, urls: Iterable[str]) -> set[str]:
    """Those of ``urls`` whose stored items mostly (half or more) carry audio: an
    ``audio/`` enclosure type, or an audio file's extension when the type is missing."""
    wanted = list(urls)
    if not wanted:
        return set()
    audio = " OR ".join(
        ["enclosure_type LIKE 'audio/%'"]
        + [
            f"(enclosure_type = '' AND lower(enclosure_url) LIKE '%{ext}')"
            for ext in AUDIO_EXTENSIONS
        ]
    )
    rows = store._query(
        f"SELECT source, count(*), sum({audio}) FROM items"
        f" WHERE source IN ({','.join('?' * len(wanted))}) GROUP BY source",
        wanted,
    )
    return {source for source, total, with_audio in rows if total and with_audio * 2 >= total}


def podcasts_found(
    sources: Iterable[Source], first_fetched: set[str], audio: set[str]
) -> list[str]:
    """The sources to make podcasts: fetched for the first time, still "blog" (the
    default), and carrying audio."""
    return [
        s.url for s in sources if s.url in first_fetched and s.url in audio and s.kind == "blog"
    ]
