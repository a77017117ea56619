"""`outagecheck watch`: re-check on a timer, a live table on a terminal or one line per change."""

from __future__ import annotations

from outagecheck.cli import checking, hooks
from outagecheck.cli.parse import Options


def run(opts: Options) -> int:
    """Re-check until Ctrl-C or --count checks; the hooks see every report."""
    extra = hooks.build(
        on_change=opts.on_change, webhooks=list(opts.webhook), desktop=opts.notify, fail_after=opts.fail_after,
        recover_after=opts.recover_after, revert=opts.revert_when_back,
    )  # fmt: skip
    from outagecheck.output import live  # noqa: PLC0415  # rich loads only after the options are valid

    source = checking.reports(opts, polling=True)
    return live.watch(source, opts.interval, opts.count, extra)
