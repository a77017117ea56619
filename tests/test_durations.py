"""The kernel's one codec of durations and timestamps, and the one wording of a refused bound."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from outagecheck.durations import epoch, out_of_range

NOON = datetime(2026, 3, 2, 12, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        pytest.param("2026-03-02T12:00:00+00:00", NOON, id="offset"),
        pytest.param("2026-03-02T12:00:00Z", NOON, id="zulu"),  # status pages write Z
        pytest.param("2026-03-02T13:30:00+01:30", NOON, id="another-offset"),
        pytest.param("2026-03-02T12:00:00.250Z", NOON + 0.25, id="fraction"),
        pytest.param("yesterday", None, id="words"),
        pytest.param("", None, id="empty"),
        pytest.param("2026-13-02T12:00:00Z", None, id="no-such-month"),
    ],
)
def test_epoch_reads_an_iso_timestamp_or_says_none(stamp: str, expected: float | None) -> None:
    assert epoch(stamp) == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ("--timeout", (0, 300.0), "301", " seconds"), "--timeout must be between 0 and 300 seconds, got 301"
        ),
        pytest.param(("--count", (1, 1_000_000), "0"), "--count must be between 1 and 1000000, got 0", id="big-int"),
        pytest.param(
            ("--ttl", (5, 86400.0), "3.50", " seconds"), "--ttl must be between 5 and 86400 seconds, got 3.50"
        ),
    ],
)
def test_out_of_range_is_one_wording(args: tuple[str, tuple[float, float], str], message: str) -> None:
    assert out_of_range(*args) == message
