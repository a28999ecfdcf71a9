"""A private tmux server driven through a control-mode client, for bench/ui_bench.py.

tmux sends the control client a ``%output`` notification whenever a pane writes to its
terminal; the driver captures the pane after every notification (and every 50 ms
regardless), so a benchmark sees a changed screen as soon as it can have changed without a
busy poll competing with the program under test for the cores.
"""

from __future__ import annotations

import contextlib
import os
import queue
import re
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


class TmuxError(RuntimeError):
    pass


def _quote(arg: str) -> str:
    if "'" in arg or "\n" in arg:
        raise ValueError(f"cannot quote {arg!r} for tmux")
    return "'" + arg + "'"


_ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][0-9A-Za-z]|.)")


def plain(screen: str) -> str:
    return _ANSI.sub("", screen)


@dataclass
class Press:
    """Seconds from sending a key to: the first changed screen; the screen showing what the
    key asked for (the reader's article, the list again); the last update before the screen
    stayed quiet (None if it did not settle within 5 s)."""

    first: float
    shown: float
    settled: float | None


@dataclass
class Pane:
    id: str
    pid: int
    window: str
    started: float
    """perf_counter() just before the new-window command was sent."""


class Tmux:
    """A private tmux server (own socket) with one control-mode client attached."""

    fallback = 0.05
    """Seconds between screen captures when no output notification arrives."""

    def __init__(self, width: int, height: int, term: str) -> None:
        self.sock = f"folio-ui-bench-{os.getpid()}"
        self.base = ["tmux", "-L", self.sock, "-f", "/dev/null"]
        self.width, self.height = width, height
        # A placeholder window keeps the session alive; `cat` waits on its terminal forever.
        # (Do not set window-size manual: tmux 3.3a then segfaults on new-window without
        # a client.)
        self._run("new-session", "-d", "-s", "bench", "-x", str(width), "-y", str(height), "cat")
        try:
            pid, self.socket_path = self._run(
                "display-message", "-p", "#{pid} #{socket_path}"
            ).split()
            self.server_pid = int(pid)
            self._run("set-option", "-g", "escape-time", "0")
            self._run("set-option", "-g", "default-terminal", term)
            self._run("set-option", "-g", "remain-on-exit", "on")
            self._run("set-option", "-g", "status", "off")
            self.proc = subprocess.Popen(
                [*self.base, "-C", "attach-session", "-t", "bench"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
            self._responses: queue.Queue[tuple[bool, list[str]] | None] = queue.Queue()
            self._cond = threading.Condition()
            self.outputs: dict[str, int] = {}
            self.last_output: dict[str, float] = {}
            self._reader = threading.Thread(target=self._read, daemon=True)
            self._reader.start()
            self._response(10.0)  # the attach command's own (empty) block
            # A control client has no size unless it sets one; give it the same, so it never
            # shrinks the windows.
            self.cmd(f"refresh-client -C {width}x{height}")
        except BaseException:
            with contextlib.suppress(Exception):
                self._run("kill-server")
            raise

    def _run(self, *args: str) -> str:
        out = subprocess.run([*self.base, *args], capture_output=True, text=True, timeout=30)
        if out.returncode != 0:
            raise TmuxError(f"tmux {' '.join(args)}: {out.stderr.strip() or out.returncode}")
        return out.stdout

    def _read(self) -> None:
        assert self.proc.stdout is not None
        block: list[str] | None = None
        number = ""
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            if block is not None:
                if line.startswith(("%end ", "%error ")) and line.split(" ")[2:3] == [number]:
                    self._responses.put((line.startswith("%end "), block))
                    block = None
                else:
                    block.append(line)
            elif line.startswith("%begin "):
                block, number = [], line.split(" ")[2]
            elif line.startswith("%output "):
                pane = line.split(" ", 2)[1]
                now = time.perf_counter()
                with self._cond:
                    self.outputs[pane] = self.outputs.get(pane, 0) + 1
                    self.last_output[pane] = now
                    self._cond.notify_all()
        self._responses.put(None)

    def _response(self, timeout: float) -> list[str]:
        try:
            got = self._responses.get(timeout=timeout)
        except queue.Empty:
            raise TmuxError("tmux did not answer") from None
        if got is None:
            raise TmuxError("the tmux control client went away (did the server crash?)")
        ok, lines = got
        if not ok:
            raise TmuxError("; ".join(lines) or "tmux command failed")
        return lines

    def cmd(self, command: str, timeout: float = 30.0) -> list[str]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command.encode("utf-8") + b"\n")
        self.proc.stdin.flush()
        return self._response(timeout)

    # -- panes -----------------------------------------------------------------------

    def spawn(self, argv: list[str], env: dict[str, str], cwd: Path) -> Pane:
        words = ["env", "-i", *(f"{k}={v}" for k, v in env.items()), *argv]
        command = (
            "new-window -d -P -F '#{pane_id} #{pane_pid} #{window_id} "
            "#{window_width}x#{window_height}' -c "
            + _quote(str(cwd))
            + " "
            + " ".join(_quote(w) for w in words)
        )
        started = time.perf_counter()
        pane_id, pid, window, size = self.cmd(command)[0].split()
        if size != f"{self.width}x{self.height}":
            raise TmuxError(f"the window is {size}, not {self.width}x{self.height}")
        return Pane(pane_id, int(pid), window, started)

    def capture(self, pane: Pane, attributes: bool = True) -> str:
        flags = "-p -e" if attributes else "-p"
        return "\n".join(self.cmd(f"capture-pane {flags} -t {pane.id}"))

    def dead(self, pane: Pane) -> bool:
        try:
            out = self.cmd(f"display-message -p -t {pane.id} '#{{pane_dead}}'")
        except TmuxError:
            return True
        return out[:1] == ["1"]

    def outputs_of(self, pane: Pane) -> int:
        with self._cond:
            return self.outputs.get(pane.id, 0)

    def wait_screen(
        self,
        pane: Pane,
        done: Callable[[str], bool],
        timeout: float,
        attributes: bool = True,
    ) -> tuple[float, str]:
        """Capture after every output until ``done(screen)``; returns (time, screen)."""
        deadline = time.perf_counter() + timeout
        while True:
            seen = self.outputs_of(pane)
            screen = self.capture(pane, attributes)
            now = time.perf_counter()
            if done(screen):
                return now, screen
            if now > deadline:
                dead = " (the program has exited)" if self.dead(pane) else ""
                raise TmuxError(
                    f"timed out after {timeout:.0f} s{dead}; the screen:\n{plain(screen)}"
                )
            with self._cond:
                if self.outputs.get(pane.id, 0) == seen:
                    self._cond.wait(timeout=self.fallback)

    def wait_quiet(self, pane: Pane, quiet: float, cap: float) -> bool:
        """Wait until the pane has written nothing for ``quiet`` s; False if ``cap`` passed."""
        deadline = time.perf_counter() + cap
        with self._cond:
            while True:
                now = time.perf_counter()
                last = self.last_output.get(pane.id, pane.started)
                if now - last >= quiet:
                    return True
                if now > deadline:
                    return False
                self._cond.wait(timeout=min(quiet - (now - last), deadline - now) + 0.001)

    def press(
        self,
        pane: Pane,
        key: str,
        shown: Callable[[str], bool] | None = None,
        quiet: float = 0.2,
        timeout: float = 30.0,
    ) -> Press:
        """Send one key and time the screen's answer (see ``Press``).

        Waits first until the pane has been quiet for ``quiet`` s, so the change seen is the
        answer to this key. ``shown`` (on the plain text of the screen) says when the screen
        shows what the key asked for; without it, the first change counts.
        """
        self.wait_quiet(pane, quiet, cap=5.0)
        before = self.capture(pane)
        start = time.perf_counter()
        self.cmd(f"send-keys -t {pane.id} {key}")
        first: list[float] = []

        def done(screen: str) -> bool:
            if screen == before:
                return False
            if not first:
                first.append(time.perf_counter())
            return shown is None or shown(plain(screen))

        when, _ = self.wait_screen(pane, done, timeout)
        settled = self.wait_quiet(pane, quiet, cap=5.0)
        with self._cond:
            last = max(self.last_output.get(pane.id, when), when)
        return Press(
            first=first[0] - start,
            shown=when - start,
            settled=(last - start) if settled else None,
        )

    def send(self, pane: Pane, *keys: str) -> None:
        for key in keys:
            self.cmd(f"send-keys -t {pane.id} {key}")

    def close(self, pane: Pane, keys: list[str], timeout: float = 60.0) -> bool:
        """Quit with ``keys``, wait for the program to exit, remove the window.

        True if it exited by itself (else the window is killed, which sends SIGHUP).
        """
        exited = True
        if keys:
            for key in keys:
                if self.dead(pane):
                    break
                self.wait_quiet(pane, 0.2, cap=2.0)
                self.send(pane, key)
            deadline = time.perf_counter() + timeout
            while not self.dead(pane):
                if time.perf_counter() > deadline:
                    exited = False
                    break
                time.sleep(0.05)
        self.cmd(f"kill-window -t {pane.window}")
        return exited

    def shutdown(self) -> None:
        with contextlib.suppress(TmuxError, subprocess.TimeoutExpired):
            self._run("kill-server")
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        # kill-server returns before the server has gone; a new server on the same socket
        # name would otherwise meet a dying one.
        for _ in range(100):
            try:
                os.kill(self.server_pid, 0)
            except OSError:
                break
            time.sleep(0.05)
        with contextlib.suppress(OSError):
            os.unlink(self.socket_path)
