"""``folio refresh`` on every core: the sources split by host between forked processes.

One process runs one event loop, and the GIL keeps its HTTP, parsing and storing on one
core. The command line therefore forks one process per extra core before it starts any
thread (forking a process with threads can deadlock the child), gives each process the
sources of its own hosts, and runs the last share itself. Every process refreshes with
its own ``Refresher`` and its own connection to the same SQLite file (WAL: one writer at
a time, each commit short, so they take turns). Children report each finished source as
a JSON line on a pipe; the parent merges those into one progress count and one summary.

Measured on 2 cores with the bench server (500 feeds of 20 items, 200 connections), four
runs each: the cold refresh took 1.0-1.2 s in two processes against 1.3-1.5 s in one; the
50 real feeds 0.46-0.53 s against 0.54-0.65 s. The run in which every answer is 304 gained
nothing (0.40-0.45 s either way): it waits on the server, not on this machine's CPU.

Hosts, not sources, are dealt out, so ``max_per_host`` holds across processes exactly;
``max_connections`` is divided between them. A child that dies leaves its unreported
sources as failures saying so; it never stops the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import os
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit

from tui.core.config import RefreshSettings
from tui.core.models import Source, SourceState, utcnow
from tui.core.refresh.refresher import (
    ERROR,
    ProgressCallback,
    ProgressEvent,
    Refresher,
    RefreshSummary,
    SourceResult,
)
from tui.core.refresh.schedule import is_due
from tui.core.storage.store import Store

if TYPE_CHECKING:
    import httpx

__all__ = [
    "MIN_SOURCES_PER_SHARD",
    "refresh_in_shards",
    "shard_count",
    "split_by_host",
    "summarise",
]

MIN_SOURCES_PER_SHARD = 20
"""Fewer sources than this per process, and forking costs more than it gains."""
MAX_SHARDS = 4
"""More processes than this would mostly queue for SQLite's one writer."""


def _cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))  # the cores this process may use
    return os.cpu_count() or 1


def shard_count(sources: int, wanted: int = 0, cpus: int | None = None) -> int:
    """How many processes to refresh ``sources`` with; 1 means no fork.

    ``wanted`` is the ``processes`` setting: 0 decides from the cores and the sources.
    """
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return 1  # a program with threads (a test): forking it is not safe
    if wanted:
        return max(1, min(wanted, sources))
    cpus = cpus if cpus is not None else _cpus()
    return max(1, min(cpus, MAX_SHARDS, sources // MIN_SOURCES_PER_SHARD))


def _host(url: str) -> str:
    try:
        parts = urlsplit(url)
        return f"{parts.hostname}:{parts.port}"
    except ValueError:
        return url  # refused later by the fetcher, in words


def split_by_host(sources: Sequence[Source], shards: int) -> list[list[Source]]:
    """``shards`` lists of sources, every host's sources in one list, sizes balanced."""
    by_host: dict[str, list[Source]] = {}
    for source in sources:
        by_host.setdefault(_host(source.url), []).append(source)
    parts: list[list[Source]] = [[] for _ in range(shards)]
    # Largest host first, each to the emptiest share so far: within one host's size of even.
    for group in sorted(by_host.values(), key=len, reverse=True):
        min(parts, key=len).extend(group)
    return parts


_RESULT_FIELDS = tuple(f.name for f in dataclasses.fields(SourceResult))


def _result_record(result: SourceResult) -> dict[str, Any]:
    # Not dataclasses.asdict, which deep-copies: 7 µs a result against 0.6 µs, at the end.
    return {name: getattr(result, name) for name in _RESULT_FIELDS}


def _result_from(record: dict[str, Any]) -> SourceResult:
    return SourceResult(**{k: v for k, v in record.items() if k in _RESULT_FIELDS})


@dataclasses.dataclass(frozen=True)
class _Job:
    """What every process of one refresh shares; each has its own sources."""

    db_path: Path
    settings: RefreshSettings
    transport: httpx.AsyncBaseTransport | None
    only_due: bool
    states: dict[str, SourceState]
    """Read once before the fork, for every process (each would take 3-5 ms to read them)."""


async def _refresh_part(
    job: _Job,
    sources: Sequence[Source],
    on_progress: ProgressCallback | None,
    others_running: Callable[[], bool],
) -> RefreshSummary:
    with Store(job.db_path) as store:
        # Parsing stays in this process (a thread): the other cores run the other shares.
        refresher = Refresher(store, job.settings, transport=job.transport, parse_workers=0)
        try:
            summary = await refresher.refresh(
                sources, only_due=job.only_due, on_progress=on_progress, states=job.states
            )
        finally:
            await refresher.close()
        if others_running():
            # The last connection to close copies the write-ahead log into the database
            # file: 26-31 ms at the very end of a cold refresh of the 50 real feeds. Copying
            # what is there now, while another process still works, leaves it 5 ms.
            store.checkpoint()
        return summary


def _child(write_fd: int, job: _Job, sources: Sequence[Source], progress: bool) -> NoReturn:
    """A forked share: refresh, report each source as a JSON line, and leave with _exit.

    With ``progress``, a line goes out as each source finishes; without, the results go in
    a few large writes at the end rather than a system call per line.
    """
    status = 0
    try:
        with open(write_fd, "w", encoding="utf-8", buffering=1 if progress else -1) as out:

            def report(event: ProgressEvent) -> None:
                out.write(json.dumps({"progress": event.url}) + "\n")

            # Not asyncio.run: its orderly shutdown of the loop and of its threads took 2-3
            # ms at the very end of a refresh, and os._exit below closes everything at once.
            summary = asyncio.new_event_loop().run_until_complete(
                _refresh_part(job, sources, report if progress else None, lambda: True)
            )
            out.writelines(json.dumps(_result_record(result)) + "\n" for result in summary.results)
    except BaseException:  # a child must never unwind into the parent's code
        status = 1
    finally:
        os._exit(status)  # no atexit handlers, no flushing of the parent's buffers


async def _read_child(read_fd: int, on_line: Callable[[dict[str, Any]], None]) -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=1 << 20)
    pipe = open(read_fd, "rb", buffering=0)  # noqa: SIM115 - the transport closes it
    transport, _ = await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), pipe)
    try:
        async for line in reader:
            with contextlib.suppress(ValueError):
                on_line(json.loads(line))
    finally:
        transport.close()  # and the pipe with it, before its number can be reused


def refresh_in_shards(
    db_path: Path,
    sources: Sequence[Source],
    settings: RefreshSettings,
    *,
    shards: int,
    transport: httpx.AsyncBaseTransport | None = None,
    only_due: bool = False,
    on_progress: ProgressCallback | None = None,
) -> RefreshSummary:
    """Refresh ``sources`` in ``shards`` processes; blocking. Call it with no thread running."""
    started = time.perf_counter()
    with Store(db_path) as store:  # migrated once, here, before several processes open it
        states = store.states(counts=False)
        if only_due:
            # Decided here, so that the shares are even and the progress counts what is due.
            now = utcnow()
            sources = [
                source
                for source in sources
                if is_due(states.get(source.url) or SourceState(url=source.url), now)
            ]
            only_due = False
    parts = [part for part in split_by_host(sources, shards) if part]
    if not parts:
        return RefreshSummary.of([], time.perf_counter() - started)
    share = dataclasses.replace(
        settings, max_connections=max(1, settings.max_connections // len(parts))
    )
    job = _Job(db_path, share, transport, only_due, states)
    children: list[tuple[int, int, list[Source]]] = []  # (pid, read end, sources)
    for part in parts[1:]:
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_fd)
            for _, other_fd, _ in children:
                os.close(other_fd)
            _child(write_fd, job, part, on_progress is not None)
        os.close(write_fd)
        children.append((pid, read_fd, part))

    total = sum(len(part) for part in parts)
    results: list[SourceResult] = []
    done = 0

    def count(url: str, outcome: str = "", new_items: int = 0, error: str = "") -> None:
        nonlocal done
        done += 1
        if on_progress is not None:
            with contextlib.suppress(Exception):  # a broken display must not stop the refresh
                on_progress(ProgressEvent(done, total, url, outcome, new_items, error))

    def own_progress(event: ProgressEvent) -> None:
        count(event.url, event.outcome, event.new_items, event.error)

    def from_child(record: dict[str, Any]) -> None:
        if "progress" in record:
            count(str(record["progress"]))
        else:
            results.append(_result_from(record))

    async def run_all() -> RefreshSummary:
        readers = [asyncio.create_task(_read_child(fd, from_child)) for _, fd, _ in children]

        def children_running() -> bool:
            return not all(reader.done() for reader in readers)

        own = await _refresh_part(
            job, parts[0], own_progress if on_progress is not None else None, children_running
        )
        await asyncio.gather(*readers)
        return own

    try:
        own = asyncio.run(run_all())
    finally:
        statuses = {pid: os.waitpid(pid, 0)[1] for pid, _, _ in children}
    results.extend(own.results)
    exits = [(part, os.waitstatus_to_exitcode(statuses[pid])) for pid, _, part in children]
    summary = summarise(results, exits)
    summary.seconds = time.perf_counter() - started
    return summary


def summarise(
    results: list[SourceResult], children: Sequence[tuple[Sequence[Source], int]]
) -> RefreshSummary:
    """The summary of every share; a child's sources it never reported are failures.

    ``children`` pairs each child's sources with its exit status (as ``waitstatus_to_exitcode``
    gives it: negative for a signal), so a child that was killed or crashed part-way through
    leaves words, not silence, for the sources it had not finished.
    """
    reported = {result.url for result in results}
    results = list(results)
    for part, code in children:
        for source in part:
            if source.url not in reported:
                message = f"internal error: the refresh process stopped (exit status {code})"
                results.append(SourceResult(source.url, ERROR, error=message))
    return RefreshSummary.of(results)
