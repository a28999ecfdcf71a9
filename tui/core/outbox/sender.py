"""Sending the outbox: each service's changes in order, in batches, settled one by one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from tui.core.models import utcnow
from tui.core.outbox.queue import Outbox, OutboxEntry

__all__ = ["FAILED", "RETRY", "SENT", "FlushReport", "Outcome", "Sender", "flush"]

SENT = "sent"
RETRY = "retry"
"""Not now (the server is down, slow, limits us, or refused the token): try again later."""
FAILED = "failed"
"""Never (the service refuses this change itself): give up, keep it, show it."""


@dataclass(frozen=True)
class Outcome:
    """What became of one entry."""

    entry_id: int
    result: str
    """SENT, RETRY or FAILED."""
    error: str = ""
    """In words, for the user; never a token."""
    retry_after: dt.datetime | None = None
    """When the service asked us to come back (429 / 503 with Retry-After)."""


class Sender(Protocol):
    """A service's side of the outbox.

    ``send`` gets a batch of due entries, oldest first, and answers one Outcome per entry
    (entries it leaves out count as RETRY). Sending an entry twice must do no harm. After a
    temporary failure it should answer RETRY for that entry and every later one, so that
    changes to one thing keep their order.
    """

    service: str
    batch_size: int

    async def send(self, entries: Sequence[OutboxEntry]) -> Sequence[Outcome]: ...


@dataclass
class FlushReport:
    """What one flush of one service did."""

    service: str
    sent: int = 0
    failed: int = 0
    waiting: int = 0
    """Left for a later try."""
    errors: list[str] = field(default_factory=list)


async def flush(
    outbox: Outbox, sender: Sender, now: dt.datetime | None = None, max_batches: int = 100
) -> FlushReport:
    """Send what is due for ``sender``'s service, batch after batch, until nothing is due or
    a batch could not be sent. Never raises for the service's failures."""
    import asyncio

    report = FlushReport(sender.service)
    for _ in range(max_batches):
        moment = now or utcnow()
        batch = await asyncio.to_thread(
            outbox.due, sender.service, moment, max(1, sender.batch_size)
        )
        if not batch:
            break
        try:
            outcomes = {outcome.entry_id: outcome for outcome in await sender.send(batch)}
        except Exception as exc:  # a bug in a sender must not lose or stop the queue
            error = f"internal error: {type(exc).__name__}: {exc}"
            outcomes = {entry.id: Outcome(entry.id, RETRY, error) for entry in batch}
        progressed = await asyncio.to_thread(_settle, outbox, batch, outcomes, moment, report)
        if not progressed:
            break
    report.waiting = len(await asyncio.to_thread(outbox.pending, sender.service))
    return report


def _settle(
    outbox: Outbox,
    batch: Sequence[OutboxEntry],
    outcomes: dict[int, Outcome],
    now: dt.datetime,
    report: FlushReport,
) -> bool:
    """Record each entry's outcome; True when every entry of the batch was settled."""
    sent: list[int] = []
    stopped = False
    for entry in batch:
        outcome = outcomes.get(entry.id) or Outcome(entry.id, RETRY, "not sent")
        if stopped:
            continue  # behind the change that must wait: due() holds it back with that one
        if outcome.result == RETRY:
            stopped = True
            outbox.retry([entry.id], outcome.error or "not sent", now, outcome.retry_after)
            if outcome.error and outcome.error not in report.errors:
                report.errors.append(outcome.error)
        elif outcome.result == FAILED:
            outbox.give_up([entry.id], outcome.error or "refused")
            report.failed += 1
            if outcome.error and outcome.error not in report.errors:
                report.errors.append(outcome.error)
        else:
            sent.append(entry.id)
    outbox.sent(sent)
    report.sent += len(sent)
    return not stopped
