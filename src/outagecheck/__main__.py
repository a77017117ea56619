from __future__ import annotations

from outagecheck.cli import main

main()
