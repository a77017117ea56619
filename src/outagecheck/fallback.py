"""Apply and revert a fallback: planned as diffs first, then written safely, journaled, reversible."""

from __future__ import annotations

import difflib
import json
import os
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from outagecheck import edit, journal, paths
from outagecheck.errors import ConfigError, UsageError, WriteError
from outagecheck.safefile import atomic_write, locked, read_bytes, real_path, remove, sha256

CLAUDE_CODE: Final = "claude-code"
SECRET_NOTE: Final = "holds your API key; contents not shown"


@dataclass(frozen=True)
class FileEdit:
    """What to do to one file, before it is read."""

    path: Path
    fmt: str  # json, toml, env, or "secret" (a whole-file secret written verbatim)
    set: Mapping[str, Any]
    unset: tuple[str, ...] = ()
    secret_bytes: bytes | None = None  # for fmt == "secret"


@dataclass(frozen=True)
class Planned:
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


def plan_edit(fe: FileEdit) -> Planned | None:
    """Compute one file's new bytes; None when it already says what we'd write (idempotent)."""
    before = read_bytes(fe.path)
    if fe.fmt == "secret":
        assert fe.secret_bytes is not None
        return None if before == fe.secret_bytes else Planned(fe, before, fe.secret_bytes, (), False)
    text = _decode(fe.path, before) if before is not None else ""
    try:
        doc = edit.parse(text, fe.fmt)
        changes = []
        for key, value in fe.set.items():
            old = doc.get(key)
            if old is edit.MISSING or old != doc.coerce(value):
                doc.set(key, value)
                changes.append(journal.KeyChange(key, _j(doc.get(key)), None if old is edit.MISSING else _j(old)))
        for key in fe.unset:
            old = doc.get(key)
            if old is not edit.MISSING:
                doc.unset(key)
                changes.append(journal.KeyChange(key, None, _j(old)))
    except edit.ParseError as e:
        raise ConfigError(f"{fe.path}: {e}; left untouched") from None
    if not changes:
        return None
    return Planned(fe, before, doc.render().encode(), tuple(changes), edit.has_comments(text, fe.fmt))


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def write_planned(target: str, planned: list[Planned]) -> list[journal.Entry]:
    """Back up, journal, then write each file atomically, all under the lock."""
    journal_path = paths.journal_file()
    written = []
    with locked(paths.lock_file()):
        entries = journal.load(journal_path)
        for p in planned:
            # Re-plan under the lock: another run may have written this file since the diff was shown.
            fresh = plan_edit(p.edit)
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
    how: str  # "restored", "keys", "removed", "missing", "skipped"
    detail: str


def _revert_entry(entry: journal.Entry) -> Reverted:
    path = Path(entry.path)
    current = read_bytes(path)
    if entry.secret:
        remove(path)
        return Reverted(entry.path, "removed", "removed the key file outagecheck created")
    if current is None:
        return Reverted(entry.path, "missing", "file is gone; nothing to restore")
    if sha256(current) == entry.written_sha256:
        if entry.created:
            remove(path)
            return Reverted(entry.path, "removed", "unchanged since outagecheck created it: removed")
        original = read_bytes(Path(entry.backup))
        if original is None:
            raise WriteError(f"{entry.backup}: backup of {path} is missing; not reverting it")
        atomic_write(path, original)
        return Reverted(entry.path, "restored", "unchanged since outagecheck wrote it: restored from backup")
    # The user edited the file since: undo only our keys, and only where they still hold our value.
    try:
        doc = edit.parse(_decode(path, current), entry.format)
    except edit.ParseError as e:
        raise ConfigError(f"{path}: {e}; not reverting it (journal kept)") from None
    kept = []
    for change in entry.keys:
        now = doc.get(change.key)
        ours = edit.MISSING if change.value is None else json.loads(change.value)
        if now != ours and not (now is edit.MISSING and ours is edit.MISSING):
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
    return Reverted(entry.path, "keys", detail)


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


# --- targets -------------------------------------------------------------------------------------


def claude_code_edits(*, scope: str, key_command: str | None, api_key: str | None, cwd: Path) -> list[FileEdit]:
    """The files `apply claude-code` changes: the key file (if needed), settings, ~/.claude.json."""
    edits = []
    if key_command:
        helper = key_command
    elif api_key:
        key_path = paths.key_file()
        edits.append(FileEdit(key_path, "secret", {}, secret_bytes=(api_key + "\n").encode()))
        helper = f"cat {shlex.quote(str(real_path(key_path)))}"
    else:
        raise UsageError("no key to use: set ANTHROPIC_API_KEY, or pass --key-command CMD that prints it")
    settings = paths.project_settings(cwd, local=True) if scope == "local" else paths.user_settings()
    edits.append(FileEdit(settings, "json", {"apiKeyHelper": helper}))
    # Claude Code's start-up gate: without it a fresh API-key setup hits the (down) login screen.
    edits.append(FileEdit(paths.claude_state_file(), "json", {"hasCompletedOnboarding": True}))
    return edits


def generic_edits(name: str, fallback_config: Mapping[str, Any], source: str) -> list[FileEdit]:
    """The file a `[[fallback.targets]]` entry names, validated."""
    targets = fallback_config.get("targets", [])
    if not isinstance(targets, list) or not all(isinstance(t, dict) for t in targets):
        raise ConfigError(f"{source}: 'fallback.targets' must be an array of tables, like [[fallback.targets]]")
    match = [t for t in targets if t.get("name") == name]
    if not match:
        known = ", ".join([CLAUDE_CODE, *(str(t.get("name")) for t in targets)])
        raise UsageError(f"unknown fallback target '{name}' (known: {known})")
    t = match[0]
    where = f"{source}: fallback target '{name}'"
    unknown = set(t) - {"name", "path", "format", "set", "unset"}
    if unknown:
        raise ConfigError(f"{where}: unknown key '{sorted(unknown)[0]}'")
    if not isinstance(t.get("path"), str) or not t["path"]:
        raise ConfigError(f"{where}: 'path' must be a file path")
    path = Path(os.path.expandvars(t["path"])).expanduser()
    fmt = t.get("format") or edit.infer_format(str(path))
    if fmt not in edit.FORMATS:
        raise ConfigError(f"{where}: 'format' must be one of {', '.join(edit.FORMATS)} (cannot infer it)")
    sets = t.get("set", {})
    unset = t.get("unset", [])
    if not isinstance(sets, dict) or (not sets and not unset):
        raise ConfigError(f"{where}: 'set' must be a table of keys to values, like set = {{\"a.b\" = 1}}")
    if not isinstance(unset, list) or not all(isinstance(k, str) for k in unset):
        raise ConfigError(f"{where}: 'unset' must be a list of key names")
    return [FileEdit(path, fmt, sets, tuple(unset))]


def plan_all(edits: list[FileEdit]) -> list[Planned]:
    """Plan every file; nothing is written."""
    return [p for p in (plan_edit(e) for e in edits) if p is not None]
