"""Playing an episode with the user's player, and learning where they stopped.

The player is an argv list from settings (``["mpv", "--no-video"]`` by default), to which
folio adds the position to start at and then ``--`` and the file or URL: no shell ever
sees a feed's text, and a name starting with ``-`` is never read as an option.

The player runs in the background, headless (``--no-terminal``): a terminal app cannot
give its terminal to a player and go on refreshing and downloading, and the people folio
is for triage while they listen. With mpv, folio talks to it through its JSON IPC socket
(``--input-ipc-server``, in ``$XDG_RUNTIME_DIR``): it asks ``time-pos`` and ``duration``
every second, so the position survives even a crash, and sends pause, seek and quit.
Other players are started and stopped, with their start option when folio knows it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

POLL_INTERVAL = 1.0
"""Seconds between two questions to mpv about the position."""
SOCKET_WAIT = 5.0
"""Seconds mpv may take to open its IPC socket."""
STOP_WAIT = 3.0
"""Seconds a player may take to quit before it is terminated."""
STDERR_KEPT = 2000
"""Characters of a player's error output kept, to say why it failed."""

_START_OPTIONS: dict[str, Callable[[float], list[str]]] = {
    "mpv": lambda seconds: [f"--start={seconds:.1f}"],
    "vlc": lambda seconds: [f"--start-time={seconds:.0f}"],
    "cvlc": lambda seconds: [f"--start-time={seconds:.0f}"],
    "mplayer": lambda seconds: ["-ss", f"{seconds:.1f}"],
    "ffplay": lambda seconds: ["-ss", f"{seconds:.1f}"],
}
"""How each known player is told where to start."""

_counter = itertools.count(1)


class PlayerError(Exception):
    """The episode cannot be played; ``str()`` says why, for the user."""


def program_name(player: Sequence[str]) -> str:
    return Path(player[0]).name if player else ""


def is_mpv(player: Sequence[str]) -> bool:
    return program_name(player) == "mpv"


def play_target(file: str, url: str) -> str:
    """What the player gets: the downloaded file if it is there, else the episode's URL
    if it is http(s). PlayerError when there is neither."""
    if file and Path(file).is_file():
        return file
    if url:
        scheme = urlsplit(url).scheme.lower()
        if scheme in ("http", "https"):
            return url
        raise PlayerError(f"Only http:// and https:// episodes are played, not {scheme}:.")
    raise PlayerError("This item has no episode to play.")


def player_argv(
    player: Sequence[str], target: str, start: float = 0.0, ipc_socket: Path | None = None
) -> list[str]:
    """The command line: the player and its options, folio's own, ``--``, the target."""
    if not player:
        raise PlayerError('No player is set: set [podcasts] player = ["mpv", "--no-video"].')
    argv = list(player)
    if is_mpv(player):
        argv.append("--no-terminal")
        if ipc_socket is not None:
            argv.append(f"--input-ipc-server={ipc_socket}")
    start_option = _START_OPTIONS.get(program_name(player))
    if start > 0 and start_option is not None:
        argv += start_option(start)
    return [*argv, "--", target]


def socket_path() -> Path:
    """A fresh path for mpv's socket: in ``$XDG_RUNTIME_DIR`` (private to the user), else
    in a new private temporary folder. Unix socket paths are limited to about 100 bytes."""
    name = f"folio-mpv-{os.getpid()}-{next(_counter)}.sock"
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime and os.path.isdir(runtime) and os.access(runtime, os.W_OK):
        path = Path(runtime) / name
        if len(os.fsencode(path)) < 100:
            return path
    return Path(tempfile.mkdtemp(prefix="folio-")) / name


Update = Callable[["Playback"], None]


class Playback:
    """One episode playing in a background player process.

    ``start()`` launches it; ``watch()`` follows it until it ends (asking mpv for the
    position every second and calling ``on_update``); ``pause()``, ``seek()`` and
    ``stop()`` control it. Everything runs on one event loop.
    """

    def __init__(
        self,
        item_id: int,
        player: Sequence[str],
        target: str,
        start: float = 0.0,
        on_update: Update | None = None,
        poll_interval: float = POLL_INTERVAL,
    ) -> None:
        self.item_id = item_id
        self.target = target
        self.start_at = start
        self.position = start
        self.duration: float | None = None
        self.paused = False
        self.reached_end = False
        """mpv said the file played to its end."""
        self.stopping = False
        self.on_update = on_update
        self.poll_interval = poll_interval
        self.mpv = is_mpv(player)
        self.socket = socket_path() if self.mpv else None
        self.argv = player_argv(player, target, start, self.socket)
        self.process: asyncio.subprocess.Process | None = None
        self.error_output = ""
        self._writer: asyncio.StreamWriter | None = None
        self._replies: dict[int, asyncio.Future[Any]] = {}
        self._request_ids = itertools.count(1)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def start(self) -> None:
        try:
            self.process = await asyncio.create_subprocess_exec(
                *self.argv,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
                # Its own session: the terminal's ctrl+c and ctrl+z go to folio only.
                start_new_session=True,
            )
        except FileNotFoundError:
            raise PlayerError(
                f"The player {self.argv[0]!r} is not installed (or not on PATH): install it,"
                " or set [podcasts] player in settings.toml."
            ) from None
        except OSError as exc:
            raise PlayerError(f"Could not start {self.argv[0]!r}: {exc.strerror or exc}") from None

    async def watch(self) -> int:
        """Follow the player until it exits; returns its exit status."""
        process = self.process
        assert process is not None, "start() first"
        errors = asyncio.ensure_future(self._read_errors())
        follow = asyncio.ensure_future(self._follow_mpv()) if self.mpv else None
        try:
            status = await process.wait()
        finally:
            if follow is not None:
                # mpv's last words (end-file, and why) may still be in the socket.
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await asyncio.wait_for(follow, self.poll_interval + 1.0)
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(errors, 1.0)
            self._close_socket()
        self._report()
        return status

    async def _read_errors(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        while chunk := await self.process.stderr.read(4096):
            self.error_output = (self.error_output + chunk.decode("utf-8", "replace"))[
                -STDERR_KEPT:
            ]

    # -- mpv's JSON IPC -------------------------------------------------------------------

    async def _follow_mpv(self) -> None:
        reader = await self._connect()
        if reader is None:
            return
        listen = asyncio.ensure_future(self._listen(reader))
        try:
            while self.running:
                await self._poll()
                await asyncio.sleep(self.poll_interval)
            # Read to the end of what mpv said before it quit.
            with contextlib.suppress(TimeoutError, OSError):
                await asyncio.wait_for(asyncio.shield(listen), 1.0)
        finally:
            listen.cancel()

    async def _connect(self) -> asyncio.StreamReader | None:
        assert self.socket is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SOCKET_WAIT
        while self.running and loop.time() < deadline:
            try:
                reader, self._writer = await asyncio.open_unix_connection(str(self.socket))
                return reader
            except OSError:
                await asyncio.sleep(0.05)
        return None

    async def _listen(self, reader: asyncio.StreamReader) -> None:
        while line := await reader.readline():
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if not isinstance(message, dict):
                continue
            request_id = message.get("request_id")
            if isinstance(request_id, int) and request_id in self._replies:
                future = self._replies.pop(request_id)
                if not future.done():
                    future.set_result(message)
                continue
            event = message.get("event")
            if event == "end-file" and message.get("reason") == "eof":
                self.reached_end = True
            elif event == "pause":
                self.paused = True
            elif event == "unpause":
                self.paused = False

    async def command(self, *args: Any, timeout: float = 2.0) -> Any:
        """Send one mpv command; its ``data``, or None when mpv is gone or said no."""
        if self._writer is None or not self.running:
            return None
        request_id = next(self._request_ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._replies[request_id] = future
        payload = {"command": list(args), "request_id": request_id}
        try:
            self._writer.write(json.dumps(payload).encode("utf-8") + b"\n")
            await self._writer.drain()
            reply = await asyncio.wait_for(future, timeout)
        except (OSError, TimeoutError):
            return None
        finally:
            self._replies.pop(request_id, None)
        if not isinstance(reply, dict) or reply.get("error") != "success":
            return None
        return reply.get("data")

    async def _poll(self) -> None:
        position = await self.command("get_property", "time-pos")
        duration = await self.command("get_property", "duration")
        paused = await self.command("get_property", "pause")
        if isinstance(position, int | float) and not self.stopping:
            self.position = float(position)
        if isinstance(duration, int | float) and duration > 0:
            self.duration = float(duration)
        if isinstance(paused, bool):
            self.paused = paused
        self._report()

    def _report(self) -> None:
        if self.on_update is not None:
            self.on_update(self)

    def _close_socket(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self.socket is not None:
            with contextlib.suppress(OSError):
                self.socket.unlink()

    # -- control --------------------------------------------------------------------------

    async def toggle_pause(self) -> bool:
        """Pause or resume; returns whether it is paused now (mpv only)."""
        if self._writer is None:
            return self.paused
        await self.command("cycle", "pause")
        paused = await self.command("get_property", "pause")
        if isinstance(paused, bool):
            self.paused = paused
        self._report()
        return self.paused

    async def seek(self, seconds: float) -> None:
        await self.command("seek", seconds, "relative")
        await self._poll()

    async def stop(self) -> None:
        """Stop playing, keeping the position: asked of mpv first, then the process ends."""
        if not self.running:
            return
        if self._writer is not None:
            await self._poll()
            self.stopping = True
            await self.command("quit")
        self.stopping = True
        process = self.process
        assert process is not None
        try:
            await asyncio.wait_for(process.wait(), STOP_WAIT if self.mpv else 0.01)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
            try:
                await asyncio.wait_for(process.wait(), STOP_WAIT)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()
