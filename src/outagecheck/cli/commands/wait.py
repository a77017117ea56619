"""`outagecheck wait`: check until the required surfaces are operational, or give up after --max-wait."""

from __future__ import annotations

from outagecheck.checks.run import wait_until_operational
from outagecheck.cli import checking
from outagecheck.cli.parse import Options
from outagecheck.model import ExitCode


def run(opts: Options) -> int:
    """Check until the required surfaces are operational (0) or --max-wait passes (2, or the last report's
    verdict under --fail-on); print the last report."""
    chosen = checking.output_format(opts.fmt, opts.json_out)
    to_file = checking.output_file(opts.output, chosen)
    policy = checking.fail_on_policy(opts.fail_on)
    next_report = checking.reports(opts, polling=True)
    from outagecheck.output.emit import emit  # noqa: PLC0415  # after the options are known to be valid

    extra = None
    hooked = opts.on_change is not None or opts.webhook or opts.notify or opts.then_revert
    if hooked or opts.fail_after != 1 or opts.recover_after is not None:
        from outagecheck.cli import hooks  # noqa: PLC0415  # notifiers and the revert load only when asked for

        extra = hooks.build(
            on_change=opts.on_change, webhooks=list(opts.webhook), desktop=opts.notify, fail_after=opts.fail_after,
            recover_after=opts.recover_after, revert=opts.then_revert,
        )  # fmt: skip
    limit, interval = opts.max_wait, opts.interval
    if extra is not None and opts.then_revert:
        result, ok = hooks.wait_for_revert(
            next_report, extra, max_wait=limit, interval=interval, progress=checking.progress
        )
    else:
        result, ok = wait_until_operational(
            next_report, max_wait=limit, interval=interval, progress=checking.progress, on_report=extra
        )
    emit(result, chosen, output=to_file)
    if ok:
        return int(ExitCode.OK)
    # Gave up: exit 2 by default; under --fail-on, what the last report's verdict means for the policy.
    return int(ExitCode.DOWN if policy is None else result.exit_code_for(policy))
