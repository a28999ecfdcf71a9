"""One demo source: its URL, how the portfolio lists it, the file that answers it and
the builder that writes that file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .randomness import R


@dataclass
class Spec:
    """A feed of the demo portfolio; ``build`` writes its file, drawing ``count`` items about
    ``topics``. ``opts`` holds what only its builder reads (description, style, authors...)."""

    url: str
    name: str
    kind: str
    tags: list[str]
    file: str
    build: Callable[[Spec], str]
    fmt: str
    topics: tuple[str, ...] = ("hr",)
    n: int = 0
    mine: bool = False
    interval: str | None = None
    author: str = ""
    home: str = ""
    content_type: str | None = None
    opts: dict[str, Any] = field(default_factory=dict)

    def topic(self) -> str:
        return R.choice(self.topics)

    def count(self) -> int:
        return self.n or R.randint(10, 22)


def host_of(url: str) -> str:
    return url.split("/")[2]
