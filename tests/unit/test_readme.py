"""The README's commands work as written: every ``folio`` command in its shell blocks
parses, and the getting-started ones run the venv's folio, which a newcomer has after
the set-up (``folio`` itself is on no PATH yet)."""

from __future__ import annotations

import re
import shlex

from tests.conftest import REPO
from tui.__main__ import build_parser

README = (REPO / "README.md").read_text(encoding="utf-8")


def shell_lines() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", README, flags=re.DOTALL)
    lines = []
    for block in blocks:
        for line in block.splitlines():
            command = line.strip()
            if command:
                lines.append(command)
    return lines


def test_getting_started_runs_the_venv_folio() -> None:
    section = README.split("## Getting started", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)[0].splitlines()
    assert commands and all(line.startswith(".venv/bin/folio") for line in commands)
    assert 'export PATH="$PWD/.venv/bin:$PATH"' in section


def test_every_folio_command_in_the_readme_parses() -> None:
    found = 0
    for line in shell_lines():
        for command in line.split("&&"):
            argv = shlex.split(command.strip(), comments=True)
            if not argv or not argv[0].endswith("folio"):
                continue
            found += 1
            args = argv[1:]
            command_name = next((a for a in args if not a.startswith("-")), None)
            build_parser(command_name).parse_args(args)  # SystemExit on a bad option
    assert found >= 5
