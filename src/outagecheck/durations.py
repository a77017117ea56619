"""Durations as people write and read them: the one codec, for every room, and the one wording of a bound.

Imported by the status line's fast path, so it loads nothing itself: `re`, `datetime` and the error class load
when a duration or a timestamp is parsed.
"""

from __future__ import annotations

# The longest one check may take, and the slowest answer still worth waiting for: --timeout and --slow
# (cli/spec.py), CheckOptions (checks/run.py) and the config's `timeout` and `slow` (config.py).
MAX_CHECK_S = 300.0


def out_of_range(name: str, bounds: tuple[float, float], got: str, unit: str = "") -> str:
    """'--timeout must be between 0 and 300 seconds, got 301': every refused bound says it in these words;
    `got` is the value as the caller shows it (as written, or formatted)."""
    low, high = (f"{b:g}" if isinstance(b, float) else str(b) for b in bounds)
    return f"{name} must be between {low} and {high}{unit}, got {got}"


def clock_text(seconds: float) -> str:
    """90 -> '1m30s', 5400 -> '1h30m'."""
    s = round(seconds)
    return f"{s // 3600}h{s % 3600 // 60:02d}m" if s >= 3600 else f"{s // 60}m{s % 60:02d}s" if s >= 60 else f"{s}s"


def age_text(seconds: float) -> str:
    """45 -> '45s', 300 -> '5m', 7200 -> '2h', 259200 -> '3d': short, for one line."""
    s = max(int(seconds), 0)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m"
    if s < 86400:
        return f"{s // 3600}h"
    return f"{s // 86400}d"


def epoch(stamp: str) -> float | None:
    """An ISO 8601 timestamp ('2026-03-02T12:00:00+00:00', '…Z') as Unix time; None when it can't be read."""
    from datetime import datetime  # noqa: PLC0415  # see the module's docstring

    try:
        return datetime.fromisoformat(stamp).timestamp()
    except ValueError:
        return None


def parse_duration(text: str) -> float:
    """'90', '90s', '10m', '1h30m' -> seconds; at most 7 days."""
    import re  # noqa: PLC0415  # see the module's docstring

    from outagecheck.errors import UsageError  # noqa: PLC0415  # see the module's docstring

    match = re.fullmatch(r"\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+(?:\.\d+)?)s?)?\s*", text)
    if not text.strip() or match is None or not any(match.groups()):
        raise UsageError(f"--max-wait: '{text}' is not a duration (like 90s, 10m or 1h30m)")
    hours, minutes, seconds = match.groups()
    total = int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds or 0)
    if not 0 < total <= 7 * 86400:
        raise UsageError(f"--max-wait must be more than 0 and at most 7 days, got '{text}'")
    return total
