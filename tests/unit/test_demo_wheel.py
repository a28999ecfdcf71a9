"""The wheel ships the demo's data but none of the code that generates it.

pyproject.toml force-includes the repository's config/ folder as ``tui/_config``, and
hatchling's force-include ignores exclude patterns: anything put under config/ ships. The
generator therefore lives in tools/demo/. This test asks hatchling for the wheel's file list
(the same list ``pip wheel`` packs, in a fraction of a second, without building) and checks
that no generator module is in it while every demo file is.
"""

from __future__ import annotations

from pathlib import Path

from hatchling.builders.wheel import WheelBuilder

REPOSITORY = Path(__file__).resolve().parents[2]
GENERATOR = REPOSITORY / "tools" / "demo"
DEMO = REPOSITORY / "config" / "demo"


def wheel_files() -> list[str]:
    builder = WheelBuilder(str(REPOSITORY))
    return [file.distribution_path for file in builder.recurse_included_files()]


def test_no_generator_module_ships() -> None:
    shipped = wheel_files()
    modules = sorted(path.name for path in GENERATOR.glob("*.py"))
    assert "write.py" in modules  # the generator is where this test looks for it
    generator_files = [
        path
        for path in shipped
        if path.startswith("tools/")
        or (path.startswith("tui/_config/") and path.endswith(".py"))
        or path.rsplit("/", 1)[-1] in ("generate.py", "generate_apis.py")
    ]
    assert generator_files == []


def test_the_demo_data_ships_where_the_app_looks_for_it() -> None:
    shipped = set(wheel_files())
    # tui.core.demo.offline.demo_dir looks for tui/_config/demo in an installed package.
    expected = {
        "tui/_config/demo/" + path.relative_to(DEMO).as_posix()
        for path in DEMO.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert {
        "tui/_config/demo/portfolio.toml",
        "tui/_config/demo/feeds/index.toml",
        "tui/_config/demo/apis/mastodon-alexmoreau.json",
    } <= expected
    assert sorted(expected - shipped) == []
    assert "tui/_config/settings.toml" in shipped
