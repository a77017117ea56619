"""`outagecheck status`: check every surface once, print the report, exit with its verdict."""

from __future__ import annotations

from outagecheck.cli import checking
from outagecheck.cli.parse import Options


def run(opts: Options) -> int:
    """Check every surface once, print the report, return its exit code under --fail-on."""
    chosen = checking.output_format(opts.fmt, opts.json_out)
    to_file = checking.output_file(opts.output, chosen)
    policy = checking.fail_on_policy(opts.fail_on)
    next_report = checking.reports(opts)
    # The table's renderer (rich) loads while the requests are in flight instead of after them.
    renderer = checking.import_in_background("outagecheck.output.table") if chosen == "table" else None
    result = next_report()
    if renderer is not None:
        renderer.join()
    from outagecheck.output.emit import emit  # noqa: PLC0415  # after the checks: nothing delays the requests

    emit(result, chosen, verbose=opts.verbose, output=to_file)
    return int(result.exit_code_for(policy))
