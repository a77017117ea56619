from __future__ import annotations

from outagecheck.cli import app

# prog_name keeps `python -m outagecheck` on the same completion variable as the console script.
app(prog_name="outagecheck")
