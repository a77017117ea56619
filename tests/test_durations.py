"""The kernel's one codec of durations and timestamps."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from outagecheck.durations import epoch

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
