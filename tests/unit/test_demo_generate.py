"""The demo ships exactly what the generator (tools/demo, ``python -m tools.demo``) writes:
regenerated into a temporary folder, every file (portfolio.toml, feeds/*, apis/*) is
byte-identical to the shipped one. A change to the generator without regenerating (or a hand
edit of a generated file) fails."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tui.core.demo.offline import demo_dir

GENERATED = ("portfolio.toml", "feeds", "apis")
# The generator is run from the repository root, as a developer runs it: it is not installed.
REPOSITORY = Path(__file__).resolve().parents[2]


def files(folder: Path) -> dict[str, bytes]:
    found = {}
    for name in GENERATED:
        path = folder / name
        paths = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for file in paths:
            found[str(file.relative_to(folder))] = file.read_bytes()
    return found


def test_regenerating_the_demo_changes_nothing(tmp_path: Path) -> None:
    shipped = demo_dir()
    done = subprocess.run(
        [sys.executable, "-m", "tools.demo", "--out", str(tmp_path)],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    fresh, kept = files(tmp_path), files(shipped)
    assert sorted(fresh) == sorted(kept)
    changed = [name for name in fresh if fresh[name] != kept[name]]
    assert changed == [], f"run python -m tools.demo: {changed[:5]}"
