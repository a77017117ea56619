"""What `watch` and `wait` do with each report besides showing it: notify, and end a fallback once Claude is back."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from outagecheck.checks.run import ReportSource, wait_until_operational
from outagecheck.cli import spec
from outagecheck.durations import clock_text, out_of_range
from outagecheck.errors import ConfigError, OutagecheckError, UsageError, WriteError, printable
from outagecheck.files import read_capped
from outagecheck.model import Report
from outagecheck.output.debounce import Debouncer, Streak
from outagecheck.output.json import to_json
from outagecheck.output.notify import Notifier
from outagecheck.surfaces import LOGIN_SURFACES, back_words

WEBHOOK_FILE_CAP = 64 * 1024
DEFAULT_REVERT_AFTER = 3


@dataclass
class Hooks:
    """Called with every report: announces changes that held, and reverts the fallback when asked."""

    notifier: Notifier
    debouncer: Debouncer
    revert_streak: Streak | None = None
    clock: Callable[[], float] | None = None  # None: _now, looked up at each call (tests replace it)
    say: Callable[[str], None] = field(default=lambda line: _stderr(line))
    reverted: bool = False

    def __call__(self, report: Report) -> None:
        changes = self.debouncer.update(report, (self.clock or _now)())
        if changes and self.notifier.active:
            self.notifier.send(changes, to_json(report))
        if self.revert_streak is not None and not self.reverted and self.revert_streak.update(report):
            self._revert()

    def _revert(self) -> None:
        from outagecheck.fallback.revert import revert  # noqa: PLC0415  # only when a fallback is to be ended

        self.reverted = True
        streak = self.revert_streak.needed if self.revert_streak else 0
        try:
            done, problems = revert(None)
            if problems:
                raise WriteError("could not revert everything: " + "; ".join(problems))
        except OutagecheckError as e:
            self.say(f"could not revert the fallback: {e}; run 'outagecheck fallback revert'")
            self.notifier.say(f"Claude is back, but outagecheck could not revert the fallback: {e}")
            return
        back = self.revert_streak.surfaces if self.revert_streak else LOGIN_SURFACES
        if not done:
            self.say(f"{', '.join(back)} operational for {streak} checks; no fallback to revert")
            return
        self.say(f"{', '.join(back)} operational for {streak} checks: reverted the fallback")
        for r in done:
            self.say(f"  {r.path}: {r.detail}")
        # The API fallback bills the API, a route switch its provider: "no more billing" is true of both.
        what = "Claude is" if back == LOGIN_SURFACES else f"{back_words(back)} {'are' if len(back) > 1 else 'is'}"
        self.notifier.say(f"{what} back: outagecheck reverted the fallback (no more billing from it).")


def _now() -> float:
    return time.monotonic()


def _stderr(line: str) -> None:
    sys.stderr.write(f"outagecheck: {line}\n")
    sys.stderr.flush()


def build(
    *,
    on_change: str | None,
    webhooks: list[str] | None,
    desktop: bool,
    fail_after: int,
    recover_after: int | None,
    revert: bool,
) -> Hooks | None:
    """The hooks the options ask for; None when they ask for nothing (watch and wait run as before)."""
    for opt, value in ((spec.FAIL_AFTER, fail_after), (spec.RECOVER_AFTER, recover_after)):
        if value is not None and opt.bounds and not opt.bounds[0] <= value <= opt.bounds[1]:  # as the spec
            raise UsageError(out_of_range(opt.names[0], opt.bounds, str(value)))
    if on_change is not None and not on_change.strip():
        raise UsageError("--on-change is empty")
    urls = tuple(webhook_url(value, n, os.environ) for n, value in enumerate(webhooks or (), 1))
    notifier = Notifier(on_change, urls, desktop)
    if not notifier.active and not revert:
        return None
    streak = Streak(back_condition(), recover_after or DEFAULT_REVERT_AFTER) if revert else None
    return Hooks(notifier, Debouncer(fail_after, recover_after or 1), streak)


def back_condition() -> tuple[str, ...]:
    """What the revert waits for: what the fallbacks left on replaced (fallback/watcher.condition: the login
    surfaces, `api`, or `route:NAME`); ConfigError when it can't be watched."""
    from outagecheck.fallback.watcher import condition  # noqa: PLC0415  # --then-revert / --revert-when-back only

    back = condition()
    if isinstance(back, str):
        raise ConfigError(f"{back}; revert by hand once it is: outagecheck fallback revert")
    return back


def webhook_url(value: str, n: int, environ: Mapping[str, str]) -> str:
    """--webhook's value: the URL itself, `env:VAR` (read from that variable) or `file:PATH` (its first line),
    so the secret in the URL need not be on the command line, where `ps` shows it to every local user."""
    kind, _, where = value.partition(":")
    if kind == "env":
        url = environ.get(where, "").strip()
        if not url:
            raise UsageError(f"--webhook {n}: ${printable(where)} is not set")
        return url
    if kind == "file":
        path = Path(where).expanduser()
        raw = read_capped(path, WEBHOOK_FILE_CAP)
        if raw is None:
            raise UsageError(f"--webhook {n}: {printable(str(path))}: no such file")
        url = next((line.strip() for line in raw.decode("utf-8", "replace").splitlines() if line.strip()), "")
        if not url:
            raise UsageError(f"--webhook {n}: {printable(str(path))} is empty")
        return url
    return value


def after_revert(report: Report, back: tuple[str, ...] = LOGIN_SURFACES) -> Report:
    """The last report as things stand after the automatic revert: the journal is read again and the advice
    worked out again, so it no longer says a fallback is applied or asks for the revert just done."""
    from outagecheck.checks.advice import advise, key_flags  # noqa: PLC0415  # only after a revert
    from outagecheck.checks.notes import forget  # noqa: PLC0415  # only after a revert
    from outagecheck.fallback.journal import outstanding  # noqa: PLC0415  # only after a revert

    left = tuple(item[0] for item in outstanding())
    gone = [name for name in report.fallback_outstanding if name not in left]
    report = forget(report, gone)  # its "Fallback claude-code is on" note, and the billing warning, are past
    by_id = {s.id: s for s in report.surfaces}
    evidence = {e.endpoint: e for s in report.surfaces for e in s.evidence}
    advice = advise(by_id, key_flags(evidence), incidents=report.status_page.incidents, outstanding=left)
    notes = report.notes
    if gone:
        said = f"once {back_words(back)} {_were(back)} back"
        notes = (*notes, f"outagecheck reverted the fallback ({', '.join(gone)}) {said}.")
    return replace(report, fallback_outstanding=left, advice=advice, notes=notes)


def wait_for_revert(
    next_report: ReportSource,
    hooks: Hooks,
    *,
    max_wait: float,
    interval: float,
    progress: Callable[[str], None],
    sleep: Callable[[float], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> tuple[Report, bool]:
    """`wait --then-revert`: wait as usual, then keep checking until the fallback has been reverted."""

    def then(result: Report, left: float) -> float | None:
        """Operational: stop once reverted; else one more check, when it fits in --max-wait."""
        if hooks.reverted:
            return None
        streak = hooks.revert_streak
        count = f"{streak.count}/{streak.needed}" if streak else ""
        progress(f"operational ({count} checks); reverting the fallback after {streak.needed if streak else 0}, "
                 f"next check in {interval:.0f} s, {clock_text(left)} left")  # fmt: skip
        return None if left <= interval else interval

    result, ok = wait_until_operational(
        next_report, max_wait=max_wait, interval=interval, progress=progress, sleep=sleep, clock=clock,
        on_report=hooks, then=then,
    )  # fmt: skip
    back = hooks.revert_streak.surfaces if hooks.revert_streak else LOGIN_SURFACES
    return (after_revert(result, back), ok) if hooks.reverted else (result, False)


def _were(back: tuple[str, ...]) -> str:
    return "were" if back == LOGIN_SURFACES or len(back) > 1 else "was"
