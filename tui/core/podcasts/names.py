"""File names for episodes, made from text that came from a feed.

An episode's title or its enclosure's URL is hostile: it may hold ``../``, a slash, a
newline, terminal controls, a leading ``-`` that a tool would read as an option, or
hundreds of bytes. What comes out of :func:`episode_file_name` has none of those, fits in
:data:`MAX_NAME_BYTES` of UTF-8, and :func:`unique_path` checks that the path it makes
lies inside the download folder. Nothing here ever reaches a shell: players get argv lists.
"""

from __future__ import annotations

import mimetypes
import re
import unicodedata
from collections.abc import Container
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from tui.core.ingest.text import clean_line

MAX_NAME_BYTES = 200
"""Longest file name folio makes, in bytes of UTF-8: file systems allow 255, and the
``.partial`` of an unfinished download must still fit."""
PARTIAL_SUFFIX = ".partial"

_UNSAFE = re.compile(r'[\x00-\x1f\x7f-\x9f/\\<>:"|?*]')
"""Controls, both path separators, and what FAT and NTFS refuse (episodes are often
copied to players and phones formatted that way)."""
_DOTS = re.compile(r"\.{2,}")
_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.IGNORECASE)
_EXTENSION = re.compile(r"^\.[A-Za-z0-9]{1,5}$")
_AUDIO_TYPES = {
    "audio/mpeg": ".mp3",
    "audio/mp3": ".mp3",
    "audio/x-m4a": ".m4a",
    "audio/mp4": ".m4a",
    "audio/aac": ".aac",
    "audio/ogg": ".ogg",
    "audio/opus": ".opus",
    "audio/flac": ".flac",
    "audio/wav": ".wav",
    "audio/x-wav": ".wav",
    "video/mp4": ".mp4",
    "video/webm": ".webm",
}


def safe_name(text: str, fallback: str = "episode") -> str:
    """``text`` as one safe path component: no separators, controls or ``..``, no leading
    ``-`` or ``.``, no trailing dot or space, spaces folded; ``fallback`` when nothing is
    left. Not yet cut to length (see :func:`fit_bytes`)."""
    name = unicodedata.normalize("NFC", clean_line(text))
    name = _UNSAFE.sub(" ", name)
    # "Wait... what" keeps its meaning as "Wait… what"; "../x" loses its "..".
    name = _DOTS.sub("…", name)
    name = " ".join(name.split())
    name = name.lstrip("-. ").rstrip(". ")
    if not name:
        return fallback
    if _RESERVED.match(name):
        name = "_" + name
    return name


def fit_bytes(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` bytes of UTF-8, at a character boundary."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    cut = data[: max(0, limit)].decode("utf-8", errors="ignore")
    # A cut may leave a combining mark without its letter, or a trailing space or dot.
    while cut and unicodedata.combining(cut[-1]):
        cut = cut[:-1]
    return cut.rstrip(". ")


def extension_for(url: str, content_type: str = "") -> str:
    """The file extension an episode should get: its URL's own when it looks like one
    (``.mp3``, ``.m4a``), else one for its type, else none."""
    path = unquote(urlsplit(url).path)
    suffix = PurePosixPath(path).suffix
    if _EXTENSION.match(suffix):
        return suffix.lower()
    kind = content_type.split(";", 1)[0].strip().lower()
    known = _AUDIO_TYPES.get(kind) or mimetypes.guess_extension(kind) or ""
    return known if _EXTENSION.match(known) else ""


def episode_stem(title: str, url: str) -> str:
    """The name an episode's file is built on: its title, or its URL's file name."""
    stem = safe_name(title, fallback="")
    if stem:
        return stem
    last = PurePosixPath(unquote(urlsplit(url).path)).name
    return safe_name(PurePosixPath(last).stem or last, fallback="episode")


def episode_file_name(title: str, url: str, content_type: str = "", number: int = 1) -> str:
    """``<title>.<ext>`` (``<title> (2).<ext>`` for ``number`` 2), at most
    :data:`MAX_NAME_BYTES` bytes; a ``.partial`` added to it is still a legal name."""
    extension = extension_for(url, content_type)
    tail = (f" ({number})" if number > 1 else "") + extension
    budget = MAX_NAME_BYTES - len(tail.encode("utf-8"))
    stem = fit_bytes(episode_stem(title, url), budget) or "episode"
    return stem + tail


def feed_folder_name(title: str, url: str) -> str:
    """A feed's folder: its name, else its host."""
    name = safe_name(title, fallback="") or safe_name(urlsplit(url).hostname or "", "feed")
    return fit_bytes(name, MAX_NAME_BYTES) or "feed"


def partial_path(final: Path) -> Path:
    return final.with_name(final.name + PARTIAL_SUFFIX)


def is_inside(folder: Path, path: Path) -> bool:
    """Whether ``path`` lies strictly inside ``folder`` once links and ``..`` are resolved."""
    root = folder.resolve()
    target = path.resolve()
    return target != root and target.is_relative_to(root)


class UnsafePath(Exception):
    """A path built for an episode would lie outside the download folder."""


def unique_path(
    root: Path,
    feed: str,
    title: str,
    url: str,
    content_type: str = "",
    taken: Container[str] = (),
) -> Path:
    """A free path for an episode: ``root/<feed>/<name>``, numbered when the name is used
    (by a file, an unfinished ``.partial``, or another queued episode in ``taken``).

    Raises UnsafePath if the result would not lie inside ``root``: the names are sanitised
    so that this cannot happen, and the check makes sure of it.
    """
    folder = root / feed
    for number in range(1, 10_000):
        candidate = folder / episode_file_name(title, url, content_type, number)
        if (
            str(candidate) not in taken
            and not candidate.exists()
            and not partial_path(candidate).exists()
        ):
            break
    else:  # pragma: no cover - ten thousand episodes of one title
        raise UnsafePath(f"no free name for {title!r} in {folder}")
    if not is_inside(root, candidate) or candidate.parent.resolve() != folder.resolve():
        raise UnsafePath(f"{candidate} is not inside {root}")
    return candidate
