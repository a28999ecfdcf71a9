"""folio's command line: the app by default, plus headless sub-commands.

Heavy modules (textual, httpx, the parsers) are imported inside the commands that need
them, so ``folio --help`` and ``folio items`` start quickly.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from . import __version__


def _import_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "file",
        help="an OPML 1.0/2.0 file or a newsboat 'urls' file (feeds to follow), or a browser's "
        "bookmarks.html (bookmarks, sent to the bookmark service when one is set)",
    )


def _add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "url",
        help="a feed, a web page, or an account: https://instance/@user, @user@instance,"
        " https://bsky.app/profile/handle, https://news.ycombinator.com/user?id=NAME,"
        " https://github.com/owner/repo, https://www.youtube.com/@handle, https://lobste.rs/~user",
    )
    p.add_argument("--kind", choices=_kinds(), help="the kind of source (guessed when left out)")
    p.add_argument("--name", help="a name for the source (the feed's title when left out)")
    p.add_argument("--tag", action="append", default=[], help="a tag; repeat for more")
    p.add_argument(
        "--mine",
        action="store_true",
        help="your own account, blog or podcast: its cadence and counts are measured, and its"
        " items are not triaged",
    )
    p.add_argument(
        "--interval",
        metavar="DURATION",
        help="how often to refresh it, e.g. 15m, 2h, 1d (default: settings.toml's interval)",
    )


def _refresh_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--due", action="store_true", help="only the sources whose refresh is due")


def _items_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--unread", action="store_true", help="only unread items")
    p.add_argument("--starred", action="store_true", help="only starred items")
    p.add_argument("--saved", action="store_true", help="only items saved for later")
    p.add_argument("--bookmarked", action="store_true", help="only bookmarked items")
    p.add_argument(
        "--since",
        metavar="DATE",
        help="only items published since DATE: 2026-11-01, 2026-11-01T09:30, or 36h, 2d, 1w ago",
    )
    p.add_argument(
        "--source",
        metavar="NAME_OR_URL",
        help="only items from this source: its URL, its name, or part of its name",
    )
    p.add_argument("--limit", type=int, default=None, help="at most this many items")
    _json_argument(p)


def _json_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="one JSON object per line")


def _export_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of stdout")
    p.add_argument(
        "--bookmarks",
        action="store_true",
        help="write every bookmark as a browser bookmark file (Netscape format) instead",
    )


def _sync_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print what moved as one JSON object")


def _download_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--new",
        action="store_true",
        help='queue the new episodes of every podcast, not only of those with download = "new"',
    )
    p.add_argument(
        "--source", metavar="URL", help="only this podcast: queue its new episodes, download them"
    )


def _roadmap_arguments(p: argparse.ArgumentParser) -> None:
    _json_argument(p)
    p.add_argument("--due", action="store_true", help="only experiments whose review is due")


def _output_arguments(p: argparse.ArgumentParser) -> None:
    _json_argument(p)
    p.add_argument(
        "--window",
        metavar="SPAN",
        help='how far back to count, e.g. "30d" or "12w" (default: [output] window, 90d)',
    )


_SUBCOMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None]]] = {
    "import": (
        "add sources from OPML or a newsboat urls file, or bookmarks from bookmarks.html",
        _import_arguments,
    ),
    "add": (
        "follow a feed, a web page that names its feed, or an account (Mastodon, Bluesky,"
        " Hacker News, GitHub, YouTube, Lobsters)",
        _add_arguments,
    ),
    "refresh": ("refresh every source now, concurrently", _refresh_arguments),
    "items": ("list stored items, newest first", _items_arguments),
    "sources": ("list each source's state", _json_argument),
    "export": ("write your sources as OPML 2.0 (--bookmarks: your bookmarks)", _export_arguments),
    "download": ("download queued and new podcast episodes (resumes)", _download_arguments),
    "matrix": ("print the priority matrix", _json_argument),
    "roadmap": ("print the roadmap of experiments", _roadmap_arguments),
    "output": ("print your own output: cadence, engagement, followers", _output_arguments),
    "sync": (
        "sync once with the feed server in [sync] and print what moved each way",
        _sync_arguments,
    ),
    "repair": (
        "check folio.db and rebuild a damaged one, keeping what can be read",
        lambda p: None,
    ),
}
_COMMANDS = frozenset(_SUBCOMMANDS)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser; with ``command``, only that sub-command's is built.

    Each sub-parser costs about 0.4 ms (argparse asks gettext for its messages, and gettext
    looks for translation files each time): building one instead of eight took the parser
    of ``folio refresh`` from 5.1 to 2.3 ms, before the command can start.
    """
    parser = argparse.ArgumentParser(
        prog="folio",
        description="A terminal dashboard for your social-media portfolio: "
        "follow feeds, prioritise platforms, plan experiments.",
        epilog="Run 'folio' with no command to open the dashboard. "
        "Files: settings.toml and portfolio.toml under $XDG_CONFIG_HOME/folio, "
        "folio.db under $XDG_DATA_HOME/folio.",
    )
    parser.add_argument("--version", action="version", version=f"folio {__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="use the offline demo portfolio (never touches your own files)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (summary, add_arguments) in _SUBCOMMANDS.items():
        if command is None or name == command:
            add_arguments(sub.add_parser(name, help=summary))
    return parser


def _command_in(argv: Sequence[str]) -> str | None:
    # No option before the command takes a value, so the first word that names a command is
    # the command (a later one is an argument, as in "folio import refresh").
    return next((arg for arg in argv if arg in _COMMANDS), None)


def _kinds() -> tuple[str, ...]:
    from .core.models import KINDS

    return KINDS


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser(_command_in(sys.argv[1:] if argv is None else argv)).parse_args(argv)
    from . import commands

    try:
        return commands.run(args)
    except KeyboardInterrupt:
        print("folio: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of our output went away (``folio items | head``): not an error.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def console_main() -> NoReturn:
    """The ``folio`` command. After a headless command has finished and closed its files,
    the process leaves without tearing the interpreter down: that took 40-60 ms, a tenth of
    a ``folio refresh`` in which every feed answered 304."""
    args = sys.argv[1:]
    headless = any(arg in _COMMANDS for arg in args)
    if headless:
        # Start-up makes only objects that live as long as the process (modules, settings,
        # the portfolio): collecting garbage among them cost 8-10 ms before a refresh could
        # start. A command that runs long turns the collector back on (commands.py).
        gc.disable()
    status = main(args)
    if not headless:
        sys.exit(status)  # the dashboard: let Textual and every thread wind down as usual
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        pass  # the reader went away (``folio items | head``): not an error
    os._exit(status)


if __name__ == "__main__":
    console_main()
