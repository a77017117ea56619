"""outagecheck: triage a Claude outage and fall back to the raw API."""

from __future__ import annotations

__version__ = "0.1.0"


def interrupted(error: BaseException) -> bool:
    """Whether `error` is a Ctrl-C, however it came back: bare; inside a task group's BaseExceptionGroup
    (anyio's connect, asyncio's); or as the cause or context of another error (Python 3.11 wraps what a
    class body's __set_name__ raises in a RuntimeError; a library's cleanup can fail on a module the
    Ctrl-C left half imported). Here, not in errors.py: the entry point's last resort needs it without
    importing anything."""
    seen: BaseException | None = error
    for _ in range(20):  # chains are short; a cycle must not hang the last resort
        if seen is None:
            return False
        if isinstance(seen, KeyboardInterrupt) or (
            isinstance(seen, BaseExceptionGroup) and seen.subgroup(KeyboardInterrupt) is not None
        ):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
