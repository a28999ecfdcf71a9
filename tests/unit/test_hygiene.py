"""The engine never imports Textual, so it can run headless and be tested alone."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "tui" / "core"


def test_core_modules_do_not_import_textual() -> None:
    offenders = []
    for module in CORE.rglob("*.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{module.name}: {n}" for n in names if n.split(".")[0] == "textual"]
    assert offenders == []


def test_importing_the_core_loads_no_textual() -> None:
    code = (
        "import sys, pkgutil, importlib, tui.core\n"
        "for m in pkgutil.walk_packages(tui.core.__path__, 'tui.core.'):\n"
        "    importlib.import_module(m.name)\n"
        "print(any(name.split('.')[0] == 'textual' for name in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_rebindable_key_names_match_the_bindings() -> None:
    from tui.core.config import KEY_ACTIONS
    from tui.keys import binding_ids

    assert binding_ids() == set(KEY_ACTIONS)


def test_screens_and_widgets_do_not_import_the_app() -> None:
    """The app imports its screens; a screen importing the app back makes a circle (they ask
    it for things with messages instead, such as messages.OpenLink)."""
    ui = CORE.parent
    offenders = []
    for module in [*(ui / "screens").rglob("*.py"), *(ui / "widgets").rglob("*.py")]:
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                target = "." * node.level + (node.module or "")
                if target in ("..app", "tui.app"):
                    offenders.append(f"{module.name}: {target}")
    assert offenders == []
