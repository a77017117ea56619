"""Pure edits of config documents (JSON, TOML, .env): read, set and unset dotted keys, write back."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any, Final

import tomli_w

from outagecheck.fallback import bigjson

FORMATS: Final = ("json", "toml", "env")
MISSING: Final = object()  # a key that is absent (distinct from JSON null)


class ParseError(ValueError):
    """The file's text is not valid in its format; it is left untouched."""


def infer_format(path: str) -> str | None:
    """Guess the format from the file name: .json, .toml, .env / *.env."""
    name = path.rsplit("/", 1)[-1].lower()
    if name.endswith(".json"):
        return "json"
    if name.endswith(".toml"):
        return "toml"
    if name == ".env" or name.endswith(".env") or name.startswith(".env."):
        return "env"
    return None


@dataclass
class Document:
    """A parsed file: its data plus what is needed to write it back in the same style."""

    fmt: str
    data: dict[str, Any]
    text: str  # the original text ('' for a new file)
    # Top-level JSON keys set since parsing; when that is all that changed, only their text changes.
    _top_sets: dict[str, Any] = field(default_factory=dict)
    _structural: bool = False

    def get(self, key: str) -> Any:
        """Return the value at a dotted key (env: the variable), or MISSING."""
        node: Any = self.data
        for part in self._parts(key):
            if not isinstance(node, dict) or part not in node:
                return MISSING
            node = node[part]
        return node

    def coerce(self, value: Any) -> Any:
        """Return the value as this format stores it (.env holds only strings; a line is there or not)."""
        if self.fmt == "lines":
            return True
        if self.fmt != "env" or isinstance(value, str):
            return value
        return str(value).lower() if isinstance(value, bool) else json.dumps(value)

    def set(self, key: str, value: Any) -> None:
        """Set a dotted key, creating tables on the way; refuse to replace a scalar with a table."""
        parts = self._parts(key)
        if len(parts) == 1:
            self._top_sets[key] = value
        else:
            self._structural = True
        node = self.data
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise ParseError(f"'{key}': '{part}' is not a table")
            node = child
        node[parts[-1]] = self.coerce(value)

    def unset(self, key: str) -> None:
        """Remove a dotted key if present."""
        self._structural = True
        parts = self._parts(key)
        node: Any = self.data
        for part in parts[:-1]:
            if not isinstance(node, dict) or part not in node:
                return
            node = node[part]
        if isinstance(node, dict):
            node.pop(parts[-1], None)

    def render(self) -> str:
        """Serialise back, keeping the original's indentation and line endings where the format allows."""
        if self.fmt == "json":
            if self.text.strip() and not self._structural:
                minimal = _patch_json(self.text, self._top_sets)
                if minimal is not None and json.loads(minimal) == self.data:
                    return minimal
            return _render_json(self.data, self.text)
        if self.fmt == "toml":
            return tomli_w.dumps(self.data)
        if self.fmt == "lines":
            return _render_lines(self.data, self.text)
        return _render_env(self.data, self.text)

    def top(self, key: str) -> str:
        """The top-level name a key lives under (a line, or a variable, is its own)."""
        return self._parts(key)[0]

    def _parts(self, key: str) -> list[str]:
        # .env and lines have no nesting: the whole key is the variable name, or the line.
        return [key] if self.fmt in ("env", "lines") else key.split(".")


def parse(text: str, fmt: str) -> Document:
    """Parse text in a format; an empty text is an empty document."""
    if fmt == "json":
        if not text.strip():
            return Document(fmt, {}, text)
        try:
            data = bigjson.loads(text)  # no NaN, no RecursionError
        except ValueError as e:
            raise ParseError(f"invalid JSON: {e}") from None
        if not isinstance(data, dict):
            raise ParseError("the JSON document is not an object")
        return Document(fmt, data, text)
    if fmt == "toml":
        try:
            return Document(fmt, tomllib.loads(text), text)
        except tomllib.TOMLDecodeError as e:
            raise ParseError(f"invalid TOML: {e}") from None
        except RecursionError:
            raise ParseError("invalid TOML: nested too deeply") from None
    if fmt == "lines":  # .gitignore, .git/info/exclude: each line a pattern; comments and blanks are kept
        return Document(fmt, dict.fromkeys(_pattern_lines(text), True), text)
    return Document(fmt, _parse_env(text), text)


def _pattern_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def _render_lines(data: dict[str, Any], original: str) -> str:
    """Keep every line that stays (comments and blank lines included), drop unset ones, append new ones."""
    kept = [
        line
        for line in original.splitlines()
        if not line.strip() or line.lstrip().startswith("#") or line.strip() in data
    ]
    present = set(_pattern_lines(original))
    out = kept + [line for line in data if line not in present]
    return "\n".join(out) + "\n" if out else ""


def has_comments(text: str, fmt: str) -> bool:
    """Say whether rewriting would drop comments (only TOML loses them)."""
    return fmt == "toml" and any(line.lstrip().startswith("#") or " #" in line for line in text.splitlines())


def _render_json(data: dict[str, Any], original: str) -> str:
    indent: int | str = 2
    match = re.search(r"\n([ \t]+)\S", original)
    if match:
        ws = match.group(1)
        indent = "\t" if ws.startswith("\t") else len(ws)
    out = json.dumps(data, indent=indent, ensure_ascii=False)
    newline = "\r\n" if "\r\n" in original else "\n"
    if newline != "\n":
        out = out.replace("\n", newline)
    return out + newline if original.endswith(("\n", "\r\n")) or not original else out


_WS = re.compile(r"[ \t\r\n]*")  # JSON whitespace


def _skip_ws(text: str, pos: int) -> int:
    match = _WS.match(text, pos)
    return match.end() if match else pos


def _top_members(text: str) -> tuple[list[tuple[str, int, int]], int] | None:
    """Locate each top-level member's value span and the closing brace; None if the text is unusual."""
    decoder = json.JSONDecoder()
    pos = _skip_ws(text, 0)
    if text[pos : pos + 1] != "{":
        return None
    members: list[tuple[str, int, int]] = []
    pos = _skip_ws(text, pos + 1)
    if text[pos : pos + 1] == "}":
        return members, pos
    while True:
        if text[pos : pos + 1] != '"':
            return None
        key, pos = decoder.raw_decode(text, pos)
        pos = _skip_ws(text, pos)
        if text[pos : pos + 1] != ":":
            return None
        start = _skip_ws(text, pos + 1)
        _, end = decoder.raw_decode(text, start)
        members.append((key, start, end))
        pos = _skip_ws(text, end)
        if text[pos : pos + 1] == "}":
            return members, pos
        if text[pos : pos + 1] != ",":
            return None
        pos = _skip_ws(text, pos + 1)


def _patch_json(text: str, sets: dict[str, Any]) -> str | None:
    """Change only the text of top-level keys set: the rest of the file, its layout included, stays."""
    try:
        found = _top_members(text)
    except ValueError:
        return None
    if found is None:
        return None
    members, close = found
    spans = {key: (start, end) for key, start, end in members}
    new = [
        f"{json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False)}"
        for k, v in sets.items()
        if k not in spans
    ]
    if new and members:
        first = members[0][1]
        line_start = text.rfind("\n", 0, first) + 1
        multiline = "\n" in text[:first]
        head = text[line_start:first]
        indent = head[: len(head) - len(head.lstrip(" \t"))] if multiline else ""
        newline = "\r\n" if "\r\n" in text else "\n"
        sep = f",{newline}{indent}" if multiline else ", "
        last_end = members[-1][2]
        text = text[:last_end] + "".join(sep + m for m in new) + text[last_end:]
    elif new:
        text = text[:close] + ", ".join(new) + text[close:]
    # Replace existing values from the end backwards so earlier offsets stay valid.
    for start, end, key in sorted(((*spans[k], k) for k in sets if k in spans), reverse=True):
        text = text[:start] + json.dumps(sets[key], ensure_ascii=False) + text[end:]
    return text


_ENV_LINE = re.compile(r"^\s*(export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=(.*)$")


def _unquote(raw: str) -> str:
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        inner = raw[1:-1]
        return inner.replace('\\"', '"').replace("\\\\", "\\") if raw[0] == '"' else inner
    return raw.split(" #", 1)[0].rstrip()


def _quote(value: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9_./:@%+,=-]*", value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _parse_env(text: str) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for line in text.splitlines():
        m = _ENV_LINE.match(line)
        if m:
            data[m.group(2)] = _unquote(m.group(3))
    return data


def _render_env(data: dict[str, Any], original: str) -> str:
    """Rewrite only the lines whose variables changed; comments, order and blank lines stay."""
    lines = original.splitlines()
    out: list[str] = []
    written: set[str] = set()
    for line in lines:
        m = _ENV_LINE.match(line)
        if not m:
            out.append(line)
            continue
        name = m.group(2)
        if name not in data:
            continue  # unset: every line that sets it goes
        written.add(name)
        if _unquote(m.group(3)) == data[name]:
            out.append(line)
        else:
            out.append(f"{m.group(1) or ''}{name}={_quote(str(data[name]))}")
    out += [f"{name}={_quote(str(value))}" for name, value in data.items() if name not in written]
    return "\n".join(out) + "\n" if out else ""
