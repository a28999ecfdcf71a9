"""The outbox on a real SQLite store: order, retries, back-off, giving up, and kill -9."""

from __future__ import annotations

import datetime as dt
import random
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

import pytest

from tui.core.outbox.queue import BACKOFF_MAX, Outbox, OutboxEntry, backoff
from tui.core.outbox.sender import FAILED, RETRY, SENT, Outcome, flush
from tui.core.storage.store import Store

NOW = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def outbox(tmp_path: Path) -> Outbox:
    return Outbox(Store(tmp_path / "folio.db"))


class Service:
    """A sender that records what it got and answers from a script, per call."""

    service = "bookmarks"

    def __init__(self, batch_size: int = 10, script: Sequence[str] = ()) -> None:
        self.batch_size = batch_size
        self.script = list(script)
        self.got: list[list[str]] = []

    async def send(self, entries: Sequence[OutboxEntry]) -> list[Outcome]:
        self.got.append([entry.key for entry in entries])
        answer = self.script.pop(0) if self.script else SENT
        if answer == "down":
            return [
                Outcome(entry.id, RETRY, "cannot connect: connection refused") for entry in entries
            ]
        if answer == "crash":
            raise RuntimeError("bug")
        outcomes = []
        for entry in entries:
            refused = entry.payload.get("refuse")
            outcomes.append(
                Outcome(entry.id, FAILED, "400 Bad Request") if refused else Outcome(entry.id, SENT)
            )
        return outcomes


async def test_changes_go_in_order_in_batches(outbox: Outbox) -> None:
    outbox.put_many("bookmarks", [("add", f"u{n}", {}) for n in range(25)], NOW)
    service = Service(batch_size=10)
    report = await flush(outbox, service, NOW)
    assert report.sent == 25 and report.waiting == 0
    assert [len(batch) for batch in service.got] == [10, 10, 5]
    assert [key for batch in service.got for key in batch] == [f"u{n}" for n in range(25)]
    assert outbox.pending("bookmarks") == []


async def test_a_dead_service_keeps_everything_and_backs_off(outbox: Outbox) -> None:
    outbox.put_many("bookmarks", [("add", "a", {}), ("delete", "a", {}), ("add", "b", {})], NOW)
    service = Service(script=["down"])
    report = await flush(outbox, service, NOW)
    assert report.sent == 0 and report.waiting == 3
    assert report.errors == ["cannot connect: connection refused"]
    first, *rest = outbox.pending("bookmarks")
    assert first.attempts == 1 and first.last_error.startswith("cannot connect")
    assert first.next_try is not None and first.next_try > NOW
    assert all(entry.attempts == 0 for entry in rest)
    # Nothing is due before the back-off ends, not even what came after it.
    assert outbox.due("bookmarks", NOW + dt.timedelta(seconds=5)) == []
    later = NOW + dt.timedelta(hours=1)
    assert [e.key for e in outbox.due("bookmarks", later)] == ["a", "a", "b"]
    report = await flush(outbox, service, later)
    assert report.sent == 3 and service.got[-1] == ["a", "a", "b"]
    assert outbox.waiting() == []


async def test_a_refused_change_is_kept_apart_and_the_rest_go_on(outbox: Outbox) -> None:
    outbox.put_many(
        "bookmarks", [("add", "a", {}), ("add", "bad", {"refuse": True}), ("add", "c", {})], NOW
    )
    report = await flush(outbox, Service(), NOW)
    assert report.sent == 2 and report.failed == 1
    [failed] = outbox.failed("bookmarks")
    assert failed.key == "bad" and failed.last_error == "400 Bad Request"
    [summary] = outbox.waiting()
    assert (summary.waiting, summary.failed) == (0, 1)
    assert outbox.requeue_failed("bookmarks", NOW) == 1
    assert [e.key for e in outbox.due("bookmarks", NOW)] == ["bad"]


async def test_a_crashing_sender_loses_nothing(outbox: Outbox) -> None:
    outbox.put("bookmarks", "add", "a", {"title": "é"}, NOW)
    report = await flush(outbox, Service(script=["crash"]), NOW)
    assert report.sent == 0 and "internal error: RuntimeError" in report.errors[0]
    [entry] = outbox.pending("bookmarks")
    assert entry.payload == {"title": "é"} and entry.attempts == 1


async def test_retry_after_is_honoured(outbox: Outbox) -> None:
    entry_id = outbox.put("bookmarks", "add", "a", {}, NOW)
    later = NOW + dt.timedelta(hours=2)
    outbox.retry([entry_id], "429", NOW, not_before=later)
    assert outbox.due("bookmarks", later - dt.timedelta(seconds=1)) == []
    assert len(outbox.due("bookmarks", later)) == 1


def test_backoff_doubles_and_is_capped() -> None:
    rng = random.Random(1)
    waits = [backoff(n, rng) for n in (1, 2, 3, 30, 500)]
    assert 27 <= waits[0] <= 33 and 54 <= waits[1] <= 66 and 108 <= waits[2] <= 132
    assert waits[3] <= BACKOFF_MAX * 1.1 and waits[4] <= BACKOFF_MAX * 1.1


def test_kill_9_while_queueing_loses_no_committed_change(tmp_path: Path) -> None:
    """A process queues changes one transaction at a time and is killed mid-way: every change
    it reported as queued is in the store afterwards."""
    db = tmp_path / "folio.db"
    Store(db).close()
    script = textwrap.dedent(
        f"""
        import sys
        from tui.core.outbox.queue import Outbox
        from tui.core.storage.store import Store
        outbox = Outbox(Store({str(db)!r}))
        for n in range(100000):
            outbox.put("sync", "read", str(n), {{"n": n}})
            print(n, flush=True)
        """
    )
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    reported = -1
    for line in process.stdout:
        reported = int(line)
        if reported >= 300:
            break
    process.kill()
    process.wait()
    keys = {entry.key for entry in Outbox(Store(db)).pending("sync", limit=1_000_000)}
    assert {str(n) for n in range(reported + 1)} <= keys
