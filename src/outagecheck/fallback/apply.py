"""Apply and revert a fallback: planned as diffs first, then written safely, journaled, reversible."""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from outagecheck import paths
from outagecheck.errors import ConfigError, UsageError
from outagecheck.fallback import detect, documents, journal
from outagecheck.fallback.safefile import read_bytes
from outagecheck.fallback.targets import CLAUDE_CODE, FileEdit, claude_code_edits, generic_edits

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
        """A unified diff of the change; a secret file is described, never shown."""
        name = str(self.edit.path)
        if self.edit.fmt == "secret":
            verb = "new file" if self.before is None else "rewrite"
            return f"--- {name}\n+++ {name}\n({verb}, mode 0600, {SECRET_NOTE})\n"
        old = (self.before or b"").decode("utf-8").splitlines(keepends=True)
        new = self.after.decode("utf-8").splitlines(keepends=True)
        text = "".join(difflib.unified_diff(old, new, fromfile=name if self.before else "/dev/null", tofile=name))
        if self.drops_comments:
            text += "(note: TOML is rewritten without its comments; the backup keeps them)\n"
        return text


def _j(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _decode(path: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text; left untouched") from None


def compute_change(fe: FileEdit, before: bytes | None) -> FileChange | None:
    """Work out one file's new bytes from its current ones; None when it already says what we'd write."""
    if fe.fmt == "secret":
        assert fe.secret_bytes is not None
        return None if before == fe.secret_bytes else FileChange(fe, before, fe.secret_bytes, (), False)
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
    except documents.ParseError as e:
        raise ConfigError(f"{fe.path}: {e}; left untouched") from None
    if not changes:
        return None
    return FileChange(fe, before, doc.render().encode(), tuple(changes), documents.has_comments(text, fe.fmt))


def change_for(fe: FileEdit) -> FileChange | None:
    """Compute one file's new bytes; None when it already says what we'd write (idempotent)."""
    return compute_change(fe, read_bytes(fe.path))


def outstanding() -> list[journal.Entry]:
    """Changes applied and not yet reverted."""
    return journal.load(paths.journal_file())


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
    api_key = environ.get("ANTHROPIC_API_KEY", "").strip() or None
    if key_command is not None and not key_command.strip():
        raise UsageError("--key-command is empty")
    if target != CLAUDE_CODE:
        if key_command:
            raise UsageError("--key-command only applies to the claude-code target")
        edits = generic_edits(target, cfg.fallback, str(cfg.source or "config"))
        return Proposal(target, tuple(changes_for(edits)))
    edits = claude_code_edits(scope=scope, key_command=key_command, api_key=api_key, cwd=cwd)
    found = detect.guide(detect.detect(cwd, environ, ask_claude=False), scope=scope)
    warnings = list(found.blockers)
    if key_command and api_key:
        warnings.append("ANTHROPIC_API_KEY in the environment takes precedence over the --key-command helper.")
    # From the edits, not the planned changes: the settings may already hold this helper.
    helper = next(str(e.set["apiKeyHelper"]) for e in edits if "apiKeyHelper" in e.set)
    return Proposal(target, tuple(changes_for(edits)), tuple(warnings), helper)
