"""The exit-code policy: the verdict (Report.exit_code) and what --fail-on makes of it, in one table."""

from __future__ import annotations

import pytest

from outagecheck.model import ExitCode, FailOn, under_policy

OK, DEGRADED, DOWN, UNKNOWN = ExitCode.OK, ExitCode.DEGRADED, ExitCode.DOWN, ExitCode.UNKNOWN


@pytest.mark.parametrize(
    ("fail_on", "expected"),
    [
        pytest.param(None, {OK: OK, DEGRADED: DEGRADED, DOWN: DOWN, UNKNOWN: UNKNOWN}, id="default-is-the-verdict"),
        pytest.param(FailOn.UNKNOWN, {OK: OK, DEGRADED: DEGRADED, DOWN: DOWN, UNKNOWN: UNKNOWN}, id="unknown"),
        pytest.param(FailOn.DEGRADED, {OK: OK, DEGRADED: DEGRADED, DOWN: DOWN, UNKNOWN: OK}, id="degraded"),
        pytest.param(FailOn.DOWN, {OK: OK, DEGRADED: OK, DOWN: DOWN, UNKNOWN: OK}, id="down-only"),
        pytest.param(FailOn.NEVER, {OK: OK, DEGRADED: OK, DOWN: OK, UNKNOWN: OK}, id="never"),
    ],
)
def test_fail_on_policy(fail_on: FailOn | None, expected: dict[ExitCode, ExitCode]) -> None:
    assert {verdict: under_policy(verdict, fail_on) for verdict in expected} == expected
