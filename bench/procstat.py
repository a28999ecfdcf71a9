"""What the machine and a process are doing, read from /proc: for the benchmarks."""

from __future__ import annotations

import os
import time

_TICK = os.sysconf("SC_CLK_TCK")


def busy_seconds() -> tuple[float, float]:
    """CPU seconds the whole machine has been busy, and in total, from /proc/stat."""
    with open("/proc/stat", encoding="ascii") as fh:
        fields = [int(v) for v in fh.readline().split()[1:9]]
    idle = fields[3] + fields[4]
    return (sum(fields) - idle) / _TICK, sum(fields) / _TICK


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one process (its threads included)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICK
    except (OSError, IndexError, ValueError):
        return 0.0


def wait_idle(patience: float, max_busy: float = 0.25) -> bool:
    """Wait up to ``patience`` s for the machine to be idle; False if it never was."""
    deadline = time.monotonic() + patience
    while True:
        b0, t0 = busy_seconds()
        time.sleep(0.5)
        b1, t1 = busy_seconds()
        if t1 > t0 and (b1 - b0) / (t1 - t0) <= max_busy:
            return True
        if time.monotonic() > deadline:
            return False


def memory_kb(pid: int) -> dict[str, int]:
    """VmHWM and VmRSS of ``pid``, and the summed VmHWM of its descendants."""
    out = {"hwm": 0, "rss": 0, "children_hwm": 0}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    out["hwm"] = int(line.split()[1])
                elif line.startswith("VmRSS:"):
                    out["rss"] = int(line.split()[1])
    except OSError:
        return out
    stack = children(pid)
    while stack:
        child = stack.pop()
        try:
            with open(f"/proc/{child}/status", encoding="ascii") as fh:
                for line in fh:
                    if line.startswith("VmHWM:"):
                        out["children_hwm"] += int(line.split()[1])
        except OSError:
            continue
        stack += children(child)
    return out


def children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as fh:
                kids += [int(c) for c in fh.read().split()]
    except OSError:
        pass
    return kids


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def tree_pss_kb(pid: int) -> int:
    """Summed proportional set size (PSS) of all descendants of ``pid``, not counting ``pid``.

    PSS splits shared pages between the processes that share them, so forked worker
    processes are not counted twice for the pages they share with their parent.
    """
    total = 0
    stack = children(pid)
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/smaps_rollup", encoding="ascii", errors="replace") as fh:
                for line in fh:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        except (OSError, ValueError):
            pass
        stack += children(p)
    return total
