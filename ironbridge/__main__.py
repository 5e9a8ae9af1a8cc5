"""``python -m ironbridge`` is the ``ironbridge`` command."""

from __future__ import annotations

from ironbridge.cli import main

main()
