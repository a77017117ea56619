"""`outagecheck scenarios`: the bundled outage scenarios for --replay."""

from __future__ import annotations

import sys

from outagecheck.cli.parse import Options


def run(opts: Options) -> int:
    """List the bundled outage scenarios for --replay (outage drills without the network)."""
    from outagecheck.checks import replay  # noqa: PLC0415  # this command only

    for name, description in replay.scenarios().items():
        sys.stdout.write(f"{name}\t{description}\n")
    return 0
