"""Apply and revert a fallback: planned as diffs first, then written safely, journaled, reversible."""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from outagecheck import paths
from outagecheck.errors import ConfigError, UsageError, WriteError, credential
from outagecheck.fallback import detect, documents, journal
from outagecheck.fallback.safefile import atomic_write, locked, read_bytes, remove, sha256
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


def change_for(fe: FileEdit) -> FileChange | None:
    """Compute one file's new bytes; None when it already says what we'd write (idempotent)."""
    before = read_bytes(fe.path)
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


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def write_planned(target: str, planned: list[FileChange]) -> list[journal.Entry]:
    """Back up, journal, then write each file atomically, all under the lock."""
    journal_path = paths.journal_file()
    written = []
    with locked(paths.lock_file()):
        entries = journal.load(journal_path)
        for p in planned:
            # Re-plan under the lock: another run may have written this file since the diff was shown.
            fresh = change_for(p.edit)
            if fresh is None:
                continue
            if fresh.before != p.before:
                raise WriteError(f"{p.edit.path}: changed while outagecheck was working; run it again")
            backup = ""
            if fresh.before is not None and p.edit.fmt != "secret":
                backup_path = paths.state_dir() / "backups" / f"{_stamp()}-{p.edit.path.name}"
                atomic_write(backup_path, fresh.before, mode=0o600)
                backup = str(backup_path)
            secret = p.edit.fmt == "secret"
            entry = journal.Entry(
                target=target,
                path=str(p.edit.path),
                format=p.edit.fmt,
                created=fresh.before is None,
                backup=backup,
                written_sha256="" if secret else sha256(fresh.after),
                applied_at=datetime.now(UTC).isoformat(timespec="seconds"),
                secret=secret,
                keys=fresh.keys,
            )
            # Journal first: if we die before the file is written, revert finds nothing of ours there.
            entries.append(entry)
            journal.save(journal_path, entries)
            atomic_write(p.edit.path, fresh.after, mode=0o600 if secret else None)
            written.append(entry)
    return written


@dataclass(frozen=True)
class Reverted:
    """What revert did to one file."""

    path: str
    detail: str


def _revert_entry(entry: journal.Entry) -> Reverted:
    path = Path(entry.path)
    current = read_bytes(path)
    if entry.secret:
        remove(path)
        return Reverted(entry.path, "removed the key file outagecheck created")
    if current is None:
        return Reverted(entry.path, "file is gone; nothing to restore")
    if sha256(current) == entry.written_sha256:
        if entry.created:
            remove(path)
            return Reverted(entry.path, "unchanged since outagecheck created it: removed")
        original = read_bytes(Path(entry.backup))
        if original is None:
            raise WriteError(f"{entry.backup}: backup of {path} is missing; not reverting it")
        atomic_write(path, original)
        return Reverted(entry.path, "unchanged since outagecheck wrote it: restored from backup")
    # The user edited the file since: undo only our keys, and only where they still hold our value.
    try:
        doc = documents.parse(_decode(path, current), entry.format)
    except documents.ParseError as e:
        raise ConfigError(f"{path}: {e}; not reverting it (journal kept)") from None
    kept = []
    for change in entry.keys:
        now = doc.get(change.key)
        ours = documents.MISSING if change.value is None else json.loads(change.value)
        if now != ours and not (now is documents.MISSING and ours is documents.MISSING):
            kept.append(change.key)
            continue
        if change.previous is None:
            doc.unset(change.key)
        else:
            doc.set(change.key, json.loads(change.previous))
    new = doc.render().encode()
    if new != current:
        atomic_write(path, new)
    detail = "edited since outagecheck wrote it: reverted only outagecheck's keys, kept your edits"
    if kept:
        detail += f" (left {', '.join(kept)}: you changed it since)"
    return Reverted(entry.path, detail)


def revert(name: str | None) -> list[Reverted]:
    """Undo the journaled changes of one target (all targets without a name), newest first."""
    journal_path = paths.journal_file()
    done: list[Reverted] = []
    with locked(paths.lock_file()):
        entries = journal.load(journal_path)
        chosen = [e for e in entries if name is None or e.target == name]
        for entry in reversed(chosen):
            done.append(_revert_entry(entry))
            entries.remove(entry)
            journal.save(journal_path, entries)
            if entry.backup:
                remove(Path(entry.backup))
    return done


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
    found = detect.guide(detect.detect(cwd, environ, ask_claude=False), scope=scope)
    warnings = list(found.blockers)
    if key_command and api_key:
        warnings.append("ANTHROPIC_API_KEY in the environment takes precedence over the --key-command helper.")
    # From the edits, not the planned changes: the settings may already hold this helper.
    helper = next(str(e.set["apiKeyHelper"]) for e in edits if "apiKeyHelper" in e.set)
    return Proposal(target, tuple(changes_for(edits)), tuple(warnings), helper)
