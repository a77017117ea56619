"""Top-level edits of a big JSON file without building it in memory: its bytes are scanned, not parsed.

A 50 MB settings.json parsed by json.loads takes several times its size in objects; setting one top-level
key needs only where each top-level member starts and ends. The scan checks the structure (strings,
brackets, separators) and decodes only the members read or replaced.
"""

from __future__ import annotations

import codecs
import json
import re
from typing import Any, Final

LARGE: Final = 4 << 20  # files from this size on are edited here (bytes)
_WS: Final = re.compile(rb"[ \t\r\n]*")
# A string (unrolled: no backtracking) or a bracket; what lies between them is skipped by the regex engine.
_TOKEN: Final = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')
_DECODER: Final = json.JSONDecoder()


# Python's json reads NaN, Infinity and -Infinity; JavaScript's JSON.parse, which Claude Code reads settings
# with, throws on them (RFC 8259 section 6 has no such numbers), so a file holding one is not valid JSON here.
_CONSTANT: Final = re.compile(rb"NaN|Infinity")
_STRING: Final = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON (Claude Code's JSON.parse rejects it)")


def loads(data: str | bytes) -> Any:
    """json.loads as strict as JSON.parse: NaN and Infinity are refused, and nesting too deep for Python's
    parser (about 1000 levels) is a ValueError, never a RecursionError."""
    try:
        return json.loads(data, parse_constant=_refuse_constant)
    except RecursionError:
        raise ValueError("nested too deeply") from None


def refuse_constants(data: bytes) -> None:
    """Refuse NaN or Infinity anywhere outside a string, without parsing (the scanner never decodes numbers
    inside containers). The second, copying search runs only when the bytes hold one of the words."""
    if _CONSTANT.search(data) and (found := _CONSTANT.search(_STRING.sub(b'""', data))):
        raise ValueError(f"{found.group().decode()} is not JSON (Claude Code's JSON.parse rejects it)")


class NotSimple(ValueError):
    """The file is not a plain JSON object this scanner can edit safely: use the full parser."""


def _ws(data: bytes, pos: int) -> int:
    match = _WS.match(data, pos)
    return match.end() if match else pos


def _skip_value(data: bytes, pos: int) -> int:
    """Return the end of the JSON value at `pos`; containers are matched bracket by bracket."""
    first = data[pos : pos + 1]
    if first == b'"':
        match = _TOKEN.match(data, pos)
        if match is None:
            raise NotSimple("unterminated string")
        return match.end()
    if first not in (b"{", b"["):
        end = pos
        while end < len(data) and data[end : end + 1] not in b",}] \t\r\n":
            end += 1
        if end == pos:
            raise NotSimple(f"no value at byte {pos}")
        loads(data[pos:end])  # a number, true, false or null: small
        return end
    depth = 0
    for match in _TOKEN.finditer(data, pos):
        token = match.group()
        if token in (b"{", b"["):
            depth += 1
        elif token in (b"}", b"]"):
            depth -= 1
            if depth == 0:
                return match.end()
    raise NotSimple("unbalanced brackets")


def members(data: bytes) -> tuple[list[tuple[str, int, int]], int]:
    """Each top-level member's key and value span, and the offset of the closing brace."""
    refuse_constants(data)
    pos = _ws(data, 0)
    if data[pos : pos + 1] != b"{":
        raise NotSimple("not a JSON object")
    found: list[tuple[str, int, int]] = []
    pos = _ws(data, pos + 1)
    if data[pos : pos + 1] == b"}":
        return found, pos
    while True:
        match = _TOKEN.match(data, pos)
        if match is None or data[pos : pos + 1] != b'"':
            raise NotSimple(f"expected a key at byte {pos}")
        key = json.loads(match.group())
        pos = _ws(data, match.end())
        if data[pos : pos + 1] != b":":
            raise NotSimple(f"expected ':' at byte {pos}")
        start = _ws(data, pos + 1)
        end = _skip_value(data, start)
        found.append((key, start, end))
        pos = _ws(data, end)
        if data[pos : pos + 1] == b"}":
            if _ws(data, pos + 1) != len(data):
                raise NotSimple("text after the object")
            return found, pos
        if data[pos : pos + 1] != b",":
            raise NotSimple(f"expected ',' or '}}' at byte {pos}")
        pos = _ws(data, pos + 1)


def value(data: bytes, span: tuple[int, int]) -> Any:
    """Decode one member's value."""
    return loads(data[span[0] : span[1]])


def is_utf8(data: bytes) -> bool:
    """Check the encoding a megabyte at a time, never holding the whole text."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for i in range(0, len(data), 1 << 20):
            decoder.decode(view[i : i + (1 << 20)])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def patch(data: bytes, found: tuple[list[tuple[str, int, int]], int], sets: dict[str, Any]) -> bytes:
    """Replace or add top-level members; every other byte of the file stays as it was."""
    spans, close = found
    by_key = {key: (start, end) for key, start, end in spans}
    parts: list[bytes | memoryview] = []
    view = memoryview(data)
    cursor = 0
    for start, end, key in sorted((*by_key[k], k) for k in sets if k in by_key):
        parts += [view[cursor:start], json.dumps(sets[key], ensure_ascii=False).encode()]
        cursor = end
    new = [f"{json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False)}" for k, v in sets.items()]
    new = [m for m, k in zip(new, sets, strict=True) if k not in by_key]
    insert_at = spans[-1][2] if spans else close
    if new and cursor <= insert_at:
        sep = ", " if spans else ""
        parts += [view[cursor:insert_at], (sep + ", ".join(new)).encode()]
        cursor = insert_at
    parts.append(view[cursor:])
    return b"".join(parts)


def pick(data: bytes, wanted: set[str]) -> dict[str, Any]:
    """The top-level members named, decoded; the rest of the file is only scanned."""
    if not is_utf8(data):
        raise UnicodeDecodeError("utf-8", b"", 0, 1, "not UTF-8 text")
    return {key: value(data, (start, end)) for key, start, end in members(data)[0] if key in wanted}
