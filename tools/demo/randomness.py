"""The demo's one source of randomness, seeded, so every run writes the same bytes.

Every module draws from :data:`R` in the order the writer calls the builders; a change
that draws once more (or once less) early on changes every file written after it, so
the regeneration test (tests/unit/test_demo_generate.py) catches it.
"""

from __future__ import annotations

import random
import uuid

# One seeded generator for everything, consumed in a fixed order, keeps the output reproducible.
R = random.Random(20261125)


def uuid4() -> uuid.UUID:
    return uuid.UUID(int=R.getrandbits(128), version=4)
