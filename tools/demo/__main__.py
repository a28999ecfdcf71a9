"""``python -m tools.demo``: write the demo into config/demo (or ``--out DIR``)."""

from .write import main

main()
