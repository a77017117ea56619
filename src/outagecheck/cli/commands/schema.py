"""`outagecheck schema`: the JSON Schema of the --json report."""

from __future__ import annotations

import sys

from outagecheck.cli.parse import Options


def run(opts: Options) -> int:
    """Print the JSON Schema (draft 2020-12) of the --json report, schema_version 1."""
    from outagecheck.output.json import schema_text  # noqa: PLC0415  # this command only

    sys.stdout.write(schema_text())
    return 0
