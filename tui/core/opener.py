"""Open a link in the user's browser: an argv list, never a shell, http(s) only."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from urllib.parse import urlsplit


def is_openable(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def browser_argv(url: str, browser: str = "") -> list[str] | None:
    """The command that opens ``url``: the ``ui.browser`` setting, else ``$BROWSER``,
    else the system opener. The URL is always one argv element of its own."""
    for command in (browser, *os.environ.get("BROWSER", "").split(os.pathsep)):
        command = command.strip()
        if not command:
            continue
        # The command comes from the user's own settings or environment, never a feed.
        words = shlex.split(command)
        if any("%s" in word for word in words):
            return [word.replace("%s", url) for word in words]
        return [*words, url]
    opener = "open" if sys.platform == "darwin" else "xdg-open"
    path = shutil.which(opener)
    return [path, url] if path else None


def open_url(url: str, browser: str = "") -> str | None:
    """Open ``url``; returns None on success or an error message in words."""
    if not is_openable(url):
        return f"only http and https links are opened, not {url[:60]!r}"
    argv = browser_argv(url, browser)
    if argv is None:
        return "no browser found: set $BROWSER or ui.browser in settings.toml"
    try:
        subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as exc:
        return f"could not start {argv[0]}: {exc.strerror or exc}"
    return None
