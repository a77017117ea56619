"""Apply and revert a fallback: planned as diffs first, then written safely, journaled, reversible."""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from outagecheck.errors import ConfigError, UsageError, credential
from outagecheck.fallback import bigjson, detect, documents, guide, journal
from outagecheck.fallback.targets import CLAUDE_CODE, FileEdit, claude_code_edits, generic_edits
from outagecheck.safefile import read_bytes

if TYPE_CHECKING:
    from outagecheck.config import Config

SECRET_NOTE: Final = "holds your API key; contents not shown"


@dataclass(frozen=True)
class FileChange:
    """One file's change, computed and ready to show and write."""

    edit: FileEdit
    before: bytes | None
    after: bytes
    keys: tuple[journal.KeyChange, ...]
    drops_comments: bool

    def diff(self) -> str:
        """A unified diff of the change; a secret file is described, never shown; long lines are summarised."""
        name = str(self.edit.path)
        if self.edit.fmt == "secret":
            verb = "new file" if self.before is None else "rewrite"
            return f"--- {name}\n+++ {name}\n({verb}, mode 0600, {SECRET_NOTE})\n"
        before, after, skipped = _around_change(self.before or b"", self.after)
        old, new = _lines(before), _lines(after)
        text = "".join(
            difflib.unified_diff(old, new, fromfile=name if self.before else "/dev/null", tofile=name, n=CONTEXT)
        )
        if skipped:
            text = _HUNK.sub(lambda m: _shift(m, skipped), text)
        if self.drops_comments:
            text += "(note: TOML is rewritten without its comments; the backup keeps them)\n"
        return text


CONTEXT: Final = 3
LONG_LINE: Final = 4096  # longer lines are summarised in a diff (a one-line 50 MB file is one line)
_HUNK: Final = re.compile(r"^@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@", re.MULTILINE)


def _shift(match: re.Match[str], lines: int) -> str:
    old, old_len, new, new_len = match.groups()
    return f"@@ -{int(old) + lines}{old_len or ''} +{int(new) + lines}{new_len or ''} @@"


def _around_change(before: bytes, after: bytes) -> tuple[bytes, bytes, int]:
    """Cut a big file down to the changed region and its context lines; return it and the lines cut before."""
    if len(before) + len(after) < 2 * LONG_LINE * 16:
        return before, after, 0
    view_b, view_a = memoryview(before), memoryview(after)
    head = 0
    step = 1 << 16
    while head < min(len(before), len(after)) and view_b[head : head + step] == view_a[head : head + step]:
        head += step
    while head < min(len(before), len(after)) and before[head] == after[head]:
        head += 1
    tail = 0
    limit = min(len(before), len(after)) - head
    while (
        tail + step <= limit
        and view_b[len(before) - tail - step : len(before) - tail]
        == view_a[len(after) - tail - step : len(after) - tail]
    ):
        tail += step
    while tail < limit and before[len(before) - tail - 1] == after[len(after) - tail - 1]:
        tail += 1
    start = head
    for _ in range(CONTEXT + 1):
        start = before.rfind(b"\n", 0, max(start - 1, 0)) + 1 if start > 0 else 0
    end_b, end_a = len(before) - tail, len(after) - tail
    for _ in range(CONTEXT + 1):
        found = before.find(b"\n", end_b)
        end_b = len(before) if found < 0 else found + 1
        found = after.find(b"\n", end_a)
        end_a = len(after) if found < 0 else found + 1
    # A whole-range slice of bytes is the object itself: a one-line file is not copied.
    return before[start:end_b], after[start:end_a], before.count(b"\n", 0, start)


def _lines(data: bytes) -> list[str]:
    """Lines for difflib, each long one replaced by its length and hash (equal lines still compare equal);
    long lines are hashed in place, never copied."""
    out = []
    view = memoryview(data)
    pos = 0
    while pos < len(data):
        end = data.find(b"\n", pos)
        end = len(data) if end < 0 else end + 1
        if end - pos > LONG_LINE:
            out.append(
                f"(a line of {end - pos:,} bytes, sha256 {hashlib.sha256(view[pos:end]).hexdigest()[:12]}; not shown)\n"
            )
        else:
            line = data[pos:end].decode("utf-8", errors="replace")
            out.append(line if line.endswith("\n") else line + "\n")
        pos = end
    return out


def _j(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _decode(path: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text; left untouched") from None


def _big_json_change(fe: FileEdit, before: bytes) -> FileChange | None:
    """Top-level keys set in a big JSON file from its bytes: no parse of the whole document (bigjson.py)."""
    if not bigjson.is_utf8(before):
        raise ConfigError(f"{fe.path}: not UTF-8 text; left untouched")
    try:
        found = bigjson.members(before)
        spans = {key: (start, end) for key, start, end in found[0]}
        changes, sets = [], {}
        for key, new in fe.set.items():
            old = bigjson.value(before, spans[key]) if key in spans else documents.MISSING
            if old is documents.MISSING or old != new:
                sets[key] = new
                changes.append(journal.KeyChange(key, _j(new), None if old is documents.MISSING else _j(old)))
    except ValueError as e:
        raise ConfigError(f"{fe.path}: invalid JSON: {e}; left untouched") from None
    return FileChange(fe, before, bigjson.patch(before, found, sets), tuple(changes), False) if changes else None


def compute_change(fe: FileEdit, before: bytes | None) -> FileChange | None:
    """Work out one file's new bytes from its current ones; None when it already says what we'd write."""
    if fe.fmt == "secret":
        assert fe.secret_bytes is not None
        return None if before == fe.secret_bytes else FileChange(fe, before, fe.secret_bytes, (), False)
    top_level_only = not fe.unset and all("." not in key for key in fe.set)
    if fe.fmt == "json" and before is not None and len(before) >= bigjson.LARGE and top_level_only:
        return _big_json_change(fe, before)
    text = _decode(fe.path, before) if before is not None else ""
    try:
        doc = documents.parse(text, fe.fmt)
        changes = []
        for key, value in fe.set.items():
            old = doc.get(key)
            if old is documents.MISSING or old != doc.coerce(value):
                doc.set(key, value)
                changes.append(journal.KeyChange(key, _j(doc.get(key)), None if old is documents.MISSING else _j(old)))
        for key in fe.unset:
            old = doc.get(key)
            if old is not documents.MISSING:
                doc.unset(key)
                changes.append(journal.KeyChange(key, None, _j(old)))
        if not changes:
            return None
        after = doc.render().encode()
    except documents.ParseError as e:
        raise ConfigError(f"{fe.path}: {e}; left untouched") from None
    except RecursionError:  # written back nested deeper than Python's encoder goes
        raise ConfigError(f"{fe.path}: nested too deeply; left untouched") from None
    return FileChange(fe, before, after, tuple(changes), documents.has_comments(text, fe.fmt))


def change_for(fe: FileEdit) -> FileChange | None:
    """Compute one file's new bytes; None when it already says what we'd write (idempotent)."""
    return compute_change(fe, read_bytes(fe.path))


def changes_for(edits: list[FileEdit]) -> list[FileChange]:
    """Plan every file; nothing is written."""
    return [p for p in (change_for(e) for e in edits) if p is not None]


@dataclass(frozen=True)
class Proposal:
    """An apply worked out and not yet written: the diffs to show, and what to warn about first."""

    target: str
    planned: tuple[FileChange, ...]  # empty: the target already uses the API route
    warnings: tuple[str, ...] = ()
    helper: str | None = None  # the apiKeyHelper to verify once written (claude-code only)


def propose(
    target: str, cfg: Config, environ: Mapping[str, str], cwd: Path, *, scope: str, key_command: str | None
) -> Proposal:
    """Work out what `fallback apply TARGET` would write; nothing is written."""
    api_key, key_problem = credential("ANTHROPIC_API_KEY", environ)
    if key_problem and target == CLAUDE_CODE and not key_command:
        # Never copy a broken key into the key file: Claude Code would send it and fail.
        raise UsageError(f"{key_problem}: set it again without it, or pass --key-command CMD that prints the key")
    if key_command is not None and not key_command.strip():
        raise UsageError("--key-command is empty")
    if target != CLAUDE_CODE:
        if key_command:
            raise UsageError("--key-command only applies to the claude-code target")
        edits = generic_edits(target, cfg.fallback, str(cfg.source or "config"))
        return Proposal(target, tuple(changes_for(edits)))
    edits = claude_code_edits(scope=scope, key_command=key_command, api_key=api_key, cwd=cwd)
    found = guide.guide(detect.detect(cwd, environ, ask_claude=False), scope=scope)
    warnings = list(found.blockers)
    if key_command and api_key:
        warnings.append("ANTHROPIC_API_KEY in the environment takes precedence over the --key-command helper.")
    # From the edits, not the planned changes: the settings may already hold this helper.
    helper = next(str(e.set["apiKeyHelper"]) for e in edits if "apiKeyHelper" in e.set)
    return Proposal(target, tuple(changes_for(edits)), tuple(warnings), helper)
