"""What the benchmarks share: the machine line, and the table printed and written as Markdown."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path

Columns = list[tuple[str, str]]
"""(row key, heading) pairs, in column order."""


def machine(*tools: list[str]) -> str:
    """CPUs, kernel and Python, then the first line of each ``tool --version`` command."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = []
    for argv in tools:
        out = subprocess.run(argv, capture_output=True, text=True).stdout
        versions.append(out.splitlines()[0].split(" - ")[0].strip() if out else f"{argv[0]} ?")
    return ", ".join(
        [
            f"{os.cpu_count()} CPUs ({cpu or platform.machine()})",
            f"Linux {platform.release()}",
            f"Python {platform.python_version()}",
            *versions,
        ]
    )


def text_table(columns: Columns, rows: list[dict[str, str]]) -> str:
    widths = [max(len(h), *(len(r.get(k, "")) for r in rows)) for k, h in columns]
    lines = ["  ".join(h.ljust(w) for (_, h), w in zip(columns, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for r in rows:
        cells = (r.get(k, "").ljust(w) for (k, _), w in zip(columns, widths, strict=True))
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def md_table(columns: Columns, rows: list[dict[str, str]]) -> str:
    lines = ["| " + " | ".join(h for _, h in columns) + " |"]
    lines.append("|" + "|".join("---" for _ in columns) + "|")
    for r in rows:
        lines.append("| " + " | ".join(r.get(k, "") for k, _ in columns) + " |")
    return "\n".join(lines)


def publish(
    out: Path,
    title: str,
    columns: Columns,
    rows: list[dict[str, str]],
    notes: list[str],
    log: list[str],
) -> None:
    """Print the table and notes, and write them with every run's log to ``out``."""
    print()
    print(text_table(columns, rows))
    print()
    for note in notes:
        print("- " + note)
    out.parent.mkdir(parents=True, exist_ok=True)
    md = [f"# {title}", "", md_table(columns, rows), ""]
    md += ["- " + n for n in notes]
    md += [
        "",
        "<details><summary>Every run</summary>",
        "",
        "```",
        *log,
        "```",
        "",
        "</details>",
        "",
    ]
    out.write_text("\n".join(md), encoding="utf-8")
    print(f"\nWrote {out}")
