"""Remote text made safe to show: the one sanitiser every human format relies on, and URLs with their
secrets masked. Pure, standard library only.

A status page, an API, a gateway or a proxy controls the words outagecheck prints. Those words are data,
never markup: no terminal control (ESC, CSI, OSC 52 clipboard writes, OSC 8 links, 8-bit C1), no bidi
override that reorders what a reader sees (Trojan Source, CVE-2021-42574), no line break that starts a
line of its own (a GitHub workflow command is a line that begins with `::`), and no `##[`, the runner's
older command form that it finds anywhere in a line (actions/runner src/Runner.Common/ActionCommand.cs).
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import re
from collections.abc import Callable, Sequence
from typing import AnyStr, Final, TypeVar
from urllib.parse import parse_qsl, urlsplit

T = TypeVar("T")

# Bidi embeddings, overrides and isolates, and the invisible marks (LRM, RLM, ALM).
_BIDI: Final = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def compiled(pattern: AnyStr, flags: int = 0) -> Callable[[], re.Pattern[AnyStr]]:
    """A pattern (str or bytes) compiled on its first use (call the result): the ones a healthy run never needs
    cost it nothing (each ~0.1-0.3 ms to compile; nine at import were ~1.3 ms of every status run)."""
    return functools.cache(lambda: re.compile(pattern, flags))


@functools.cache
def patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(line breaks of any kind, what is dropped), compiled when first needed: a healthy run's text is all
    printable, and the two compile in ~0.7 ms (benchmarks/README.md)."""
    # Line breaks of any kind: a single-line field gets one space for each run of them.
    breaks = re.compile("[\r\n\v\f\x85\u2028\u2029]+")
    # C0 but tab (line breaks are folded first), DEL, C1, bidi controls.
    return breaks, re.compile(f"[\x00-\x08\x0e-\x1f\x7f-\x9f{_BIDI}]")


# The runner's v1 command marker, found anywhere in a line: a space keeps it visible and inert.
_V1_COMMAND: Final = "##["
MASK: Final = "***"


def clean(text: str) -> str:
    """One line of remote text safe for a terminal, a log or a CI runner: controls and bidi dropped,
    line breaks folded into one space, `##[` defused."""
    if text.isprintable() and _V1_COMMAND not in text:
        return text  # nothing to do: every character the two patterns match is unprintable (tests/test_text.py)
    breaks, drop = patterns()
    text = drop.sub("", breaks.sub(" ", text))
    return text.replace(_V1_COMMAND, "## [")


def clean_all(value: T) -> T:
    """clean() every string inside a value: str, tuple, list, dict, frozen dataclass (a whole Report).

    Applied once, where a Report is built from what servers said (or a saved report is read back), so
    the table, `watch`, Markdown, Nagios, the status line, annotations and webhooks all get clean text.
    """
    return map_strings(value, clean)


def map_strings(value: T, change: Callable[[str], str]) -> T:
    """`change` applied to every string inside a value: str, tuple, list, dict, frozen dataclass.

    What `change` leaves as it was is returned as it was, the very object: a report with nothing to clean
    or redact is not rebuilt (a third of the work after the last answer for 50 surfaces, benchmarks/).
    """
    kind: type = type(value)
    if kind is str:  # the common cases first, by exact type (a Status is a str subclass: below)
        return change(value)  # type: ignore[arg-type, return-value]  # str in, str out
    if (names := _init_fields(kind)) is not None:  # a dataclass instance
        changes = {}
        for name in names:
            old = getattr(value, name)
            if (new := map_strings(old, change)) is not old:
                changes[name] = new
        return dataclasses.replace(value, **changes) if changes else value  # type: ignore[type-var]  # a dataclass
    if isinstance(value, enum.Enum):  # a Status is a str too, and must stay a Status
        return value
    if isinstance(value, str):
        return change(value)  # type: ignore[return-value]  # str in, str out
    if isinstance(value, tuple):
        items = tuple(map_strings(v, change) for v in value)
        return value if _same(items, value) else items  # type: ignore[return-value]  # same shape back
    if isinstance(value, list):
        listed = [map_strings(v, change) for v in value]
        return value if _same(listed, value) else listed  # type: ignore[return-value]  # same shape back
    if isinstance(value, dict):
        pairs = [(map_strings(k, change), map_strings(v, change)) for k, v in value.items()]
        same = _same([k for k, _ in pairs], list(value)) and _same([v for _, v in pairs], list(value.values()))
        return value if same else dict(pairs)  # type: ignore[return-value]  # same shape back
    return value


def _same(new: Sequence[object], old: Sequence[object]) -> bool:
    return all(a is b for a, b in zip(new, old, strict=True))


@functools.cache
def _init_fields(cls: type) -> tuple[str, ...] | None:
    """The fields dataclasses.replace() takes, once per class; None for a class that is no dataclass."""
    if not dataclasses.is_dataclass(cls):
        return None
    return tuple(f.name for f in dataclasses.fields(cls) if f.init)


def mask_url(url: str) -> str:
    """The URL with its userinfo and the values of its query masked: `https://***@gw.example/v1?token=***`.

    ANTHROPIC_BASE_URL and configured URLs may carry credentials (`user:pass@`, `?key=`); wherever a URL
    is shown, these parts are not.
    """
    try:
        parts = urlsplit(url)
        host = parts.netloc.rpartition("@")[2]
    except ValueError:
        return url
    netloc = f"{MASK}@{host}" if "@" in parts.netloc else parts.netloc
    query = parts.query
    if query:
        query = "&".join(f"{name}={MASK}" for name, _ in parse_qsl(query, keep_blank_values=True)) or MASK
    if netloc == parts.netloc and query == parts.query:
        return url
    return parts._replace(netloc=netloc, query=query).geturl()


def url_secrets(url: str) -> list[str]:
    """The parts of a URL mask_url hides (the userinfo, each query value), for the redaction set."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return []
    found = [parts.netloc.rpartition("@")[0]] if "@" in parts.netloc else []
    found += [value for _, value in parse_qsl(parts.query, keep_blank_values=True)]
    return [f for f in found if f]
