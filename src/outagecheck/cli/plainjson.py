"""JSON read without importing `json`: the status line's cache file, on every prompt update.

`import json` costs the status line ~1.8 ms when `re` is already loaded (pip's console-script wrapper imports
it) and 6 ms or more when not (`python -m outagecheck`: json loads `re`, `enum` and `collections`); the line's
budget is 1.6 x `python -c pass`, ~29 ms here. The cache is written by `json.dump` in `cache.refresh`, ASCII only, a few
hundred bytes. `loads` reads JSON as `json.loads` does — objects, arrays, strings with every escape, numbers
in JSON's grammar, true, false, null — and raises ValueError on anything else (NaN, a byte-order mark,
trailing text, a control character in a string), where `cache.read` hands the bytes to `json.loads` itself:
whatever this accepts, `json.loads` gives the same value for (a test holds it on generated documents).
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing; mypy reads the name
if TYPE_CHECKING:
    from typing import Any

_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_WORDS = (("true", True), ("false", False), ("null", None))
_HEX = frozenset("0123456789abcdefABCDEF")


def loads(raw: bytes) -> Any:
    """The value of a UTF-8 JSON document; ValueError (UnicodeDecodeError included) for anything else."""
    text = raw.decode("utf-8", "surrogatepass")  # as json.loads decodes UTF-8 bytes
    value, end = _value(text, _skip(text, 0))
    if _skip(text, end) != len(text):
        raise ValueError(f"extra data at {end}")
    return value


def _skip(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\n\r":
        i += 1
    return i


def _value(text: str, i: int) -> tuple[Any, int]:
    first = text[i : i + 1]
    if first == "{":
        return _object(text, _skip(text, i + 1))
    if first == "[":
        return _array(text, _skip(text, i + 1))
    if first == '"':
        return _string(text, i + 1)
    for word, value in _WORDS:
        if text.startswith(word, i):
            return value, i + len(word)
    return _number(text, i)


def _object(text: str, i: int) -> tuple[dict[str, Any], int]:
    doc: dict[str, Any] = {}
    if text[i : i + 1] == "}":
        return doc, i + 1
    while True:
        if text[i : i + 1] != '"':
            raise ValueError(f"expected a name at {i}")
        key, i = _string(text, i + 1)
        i = _skip(text, i)
        if text[i : i + 1] != ":":
            raise ValueError(f"expected ':' at {i}")
        doc[key], i = _value(text, _skip(text, i + 1))
        i = _skip(text, i)
        if text[i : i + 1] == "}":
            return doc, i + 1
        if text[i : i + 1] != ",":
            raise ValueError(f"expected ',' or '}}' at {i}")
        i = _skip(text, i + 1)


def _array(text: str, i: int) -> tuple[list[Any], int]:
    items: list[Any] = []
    if text[i : i + 1] == "]":
        return items, i + 1
    while True:
        item, i = _value(text, i)
        items.append(item)
        i = _skip(text, i)
        if text[i : i + 1] == "]":
            return items, i + 1
        if text[i : i + 1] != ",":
            raise ValueError(f"expected ',' or ']' at {i}")
        i = _skip(text, i + 1)


def _string(text: str, i: int) -> tuple[str, int]:
    """The string whose opening quote is just before `i`, and the index after its closing quote."""
    parts, start = [], i
    while i < len(text):
        char = text[i]
        if char == '"':
            parts.append(text[start:i])
            return "".join(parts), i + 1
        if char < " ":
            raise ValueError(f"control character in a string at {i}")
        if char != "\\":
            i += 1
            continue
        parts.append(text[start:i])
        escape = text[i + 1 : i + 2]
        if escape == "u":
            code, i = _unicode(text, i + 2)
            parts.append(chr(code))
        elif escape in _ESCAPES:
            parts.append(_ESCAPES[escape])
            i += 2
        else:
            raise ValueError(f"invalid escape at {i}")
        start = i
    raise ValueError("unterminated string")


def _unicode(text: str, i: int) -> tuple[int, int]:
    """A `\\uXXXX` escape's code point (a surrogate pair joined, as json.loads joins it) and where it ends."""
    code = _hex4(text, i)
    i += 4
    if 0xD800 <= code <= 0xDBFF and text[i : i + 2] == "\\u":
        low = _hex4(text, i + 2)
        if 0xDC00 <= low <= 0xDFFF:
            return 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00), i + 6
    return code, i


def _hex4(text: str, i: int) -> int:
    digits = text[i : i + 4]
    if len(digits) != 4 or not _HEX.issuperset(digits):
        raise ValueError(f"invalid \\u escape at {i}")
    return int(digits, 16)


def _number(text: str, i: int) -> tuple[int | float, int]:
    """A number in JSON's grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?"""
    j = i + (text[i : i + 1] == "-")
    k = _digits(text, j)
    if k == j or (text[j] == "0" and k > j + 1):
        raise ValueError(f"invalid number at {i}")
    fraction = text[k : k + 1] == "."
    if fraction:
        k, start = _digits(text, k + 1), k + 1
        if k == start:
            raise ValueError(f"invalid number at {i}")
    exponent = text[k : k + 1] in ("e", "E")
    if exponent:
        start = k + 1 + (text[k + 1 : k + 2] in ("+", "-"))
        k = _digits(text, start)
        if k == start:
            raise ValueError(f"invalid number at {i}")
    literal = text[i:k]
    return (float(literal) if fraction or exponent else int(literal)), k


def _digits(text: str, i: int) -> int:
    while i < len(text) and "0" <= text[i] <= "9":
        i += 1
    return i
