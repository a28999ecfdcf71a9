"""Write the demo: the feed files, ``feeds/index.toml``, ``portfolio.toml`` and the API
accounts' ``apis/*.json``, into config/demo (what ships) or ``--out DIR``.
"""

from __future__ import annotations

from pathlib import Path

from . import api_accounts
from .documents import toml_str
from .portfolio import portfolio_toml
from .sources import SPECS

# What ships: the repository's config/demo, which the wheel includes (this folder it does not).
DEMO = Path(__file__).resolve().parents[2] / "config" / "demo"


def index_toml() -> str:
    out = [
        "# Which file answers which demo URL, and how its date placeholders render.",
        "# format: rss (RFC 822 dates), atom, json or rdf (RFC 3339 dates).",
        "# content_type is optional; the default follows the format.",
        "",
    ]
    for s in SPECS:
        out += [
            "[[feed]]",
            f"url = {toml_str(s.url)}",
            f"file = {toml_str(s.file)}",
            f"format = {toml_str(s.fmt)}",
        ]
        if s.content_type:
            out.append(f"content_type = {toml_str(s.content_type)}")
        out.append("")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Write the offline demo portfolio.")
    parser.add_argument(
        "--out", type=Path, default=DEMO, help="folder to write (default: config/demo)"
    )
    out = parser.parse_args(argv).out
    feeds = out / "feeds"
    feeds.mkdir(parents=True, exist_ok=True)
    for old in feeds.iterdir():
        if old.suffix in (".xml", ".rdf", ".json"):
            old.unlink()
    for s in SPECS:
        (feeds / s.file).write_text(s.build(s), encoding="utf-8")
    (feeds / "index.toml").write_text(index_toml(), encoding="utf-8")
    (out / "portfolio.toml").write_text(portfolio_toml(), encoding="utf-8")
    accounts = api_accounts.write(out / "apis")
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file() and p.suffix != ".py")
    print(f"wrote {len(SPECS)} feeds and {accounts} API accounts, {size / 1e6:.2f} MB in {out}")
