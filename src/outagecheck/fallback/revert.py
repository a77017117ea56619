"""Undo what apply wrote, and nothing else; never lose a byte someone else wrote since."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from outagecheck import paths, private
from outagecheck.errors import ConfigError, Interrupted, OutagecheckError, WriteError
from outagecheck.fallback import documents, journal
from outagecheck.fallback.checked import clean_stale_temps
from outagecheck.fallback.writer import REMOVE, Remove, Unsettled, read_modify_write
from outagecheck.safefile import locked, read_bytes, real_path, remove, sha256


@dataclass(frozen=True)
class Reverted:
    """What revert did to one file; `problem` is set when it could not do all it should (exit 73)."""

    path: str
    detail: str
    problem: str | None = None


def _doc(entry: journal.Entry, raw: bytes, last_try: bool) -> documents.Document:
    """Parse the current file; an empty or half-written read is re-read (Unsettled), then refused."""
    path = entry.path
    try:
        text = raw.decode("utf-8")
        if not text.strip():
            raise documents.ParseError("it is empty")
        doc = documents.parse(text, entry.format)
    except (UnicodeDecodeError, documents.ParseError) as e:
        if not last_try:
            raise Unsettled from None
        raise WriteError(f"{path}: cannot read it as {entry.format} ({e}); not reverting it (journal kept)") from None
    original = _backup_keys(entry)
    ours = {doc.top(c.key) for c in entry.keys}
    if original - ours and not (set(doc.data) - ours):
        # Every key the user had is gone: a writer is mid-rewrite, or the file was damaged; writing it back
        # would make the loss permanent.
        if not last_try:
            raise Unsettled
        raise WriteError(f"{path}: holds none of its earlier keys; not reverting it (journal kept)")
    return doc


def _backup_keys(entry: journal.Entry) -> set[str]:
    if not entry.backup or entry.format == "env":
        return set()
    try:
        raw = read_bytes(Path(entry.backup))
        return set(documents.parse(raw.decode("utf-8"), entry.format).data) if raw else set()
    except (OutagecheckError, UnicodeDecodeError, documents.ParseError):
        return set()


def _undo_keys(entry: journal.Entry, doc: documents.Document) -> list[str]:
    """Undo outagecheck's keys where they still hold its value; return the keys the user changed since."""
    kept = []
    before = set(doc.data)
    for change in entry.keys:
        now = doc.get(change.key)
        ours = documents.MISSING if change.value is None else json.loads(change.value)
        if now != ours and not (now is documents.MISSING and ours is documents.MISSING):
            kept.append(change.key)
        elif change.previous is None:
            doc.unset(change.key)
        else:
            doc.set(change.key, json.loads(change.previous))
    lost = before - set(doc.data) - {doc.top(c.key) for c in entry.keys}
    if lost:  # never write a document that lost keys outagecheck does not own
        raise WriteError(
            f"{entry.path}: reverting would drop {', '.join(sorted(lost))}; not reverting it (journal kept)"
        )
    return kept


def _undone(entry: journal.Entry, raw: bytes | None) -> bool:
    """Whether the file no longer holds any of outagecheck's values (verified after writing)."""
    if raw is None:
        return True
    try:
        doc = documents.parse(raw.decode("utf-8"), entry.format)
    except (UnicodeDecodeError, documents.ParseError):
        return False
    for change in entry.keys:
        ours: Any = documents.MISSING if change.value is None else json.loads(change.value)
        previous: Any = documents.MISSING if change.previous is None else json.loads(change.previous)
        if ours != previous and doc.get(change.key) == ours:
            return False
    return True


def revert_entry(entry: journal.Entry) -> Reverted:
    """Undo one journaled file: restore the backup when nobody touched the file, else undo only our keys."""
    path = Path(entry.path)
    if entry.secret:
        remove(path)
        return Reverted(entry.path, "removed the key file outagecheck created")
    outcome: dict[str, Any] = {}

    def compute(raw: bytes | None, last_try: bool) -> bytes | Remove | None:
        outcome.clear()
        if raw is None:
            outcome["gone"] = True
            return None
        if sha256(raw) == entry.written_sha256:
            if entry.created:
                outcome["how"] = "unchanged since outagecheck created it: removed"
                return REMOVE
            # No backup yet: the apply stopped between its rename and the backup (a crash, Ctrl-C): by keys.
            original = read_bytes(Path(entry.backup)) if entry.backup else None
            if original is not None:
                _check_backup(entry, original)
                outcome["how"] = "unchanged since outagecheck wrote it: restored from backup"
                if not entry.backup_sha256:
                    outcome["how"] += " (unchecked: an older outagecheck recorded no SHA-256 for it)"
                outcome["expect"] = original
                return original
            outcome["missing_backup"] = bool(entry.backup)
        doc = _doc(entry, raw, last_try)
        outcome["kept"] = _undo_keys(entry, doc)
        outcome.setdefault(
            "how", "edited since outagecheck wrote it: reverted only outagecheck's keys, kept your edits"
        )
        new = doc.render().encode()
        return None if new == raw else new

    read_modify_write(path, compute)
    if outcome.get("gone"):
        if entry.backup and Path(entry.backup).exists():
            return Reverted(entry.path, f"file is gone; its backup is kept at {entry.backup}")
        return Reverted(entry.path, "file is gone; nothing to restore")
    now = read_bytes(path)
    verified = now == outcome["expect"] if "expect" in outcome else _undone(entry, now)
    detail = str(outcome["how"])
    if outcome.get("kept"):
        detail += f" (left {', '.join(outcome['kept'])}: you changed it since)"
    problem = None
    if outcome.get("missing_backup"):
        detail = "its backup is missing: removed outagecheck's keys instead"
        problem = f"could not restore {entry.path}: its backup {entry.backup} is missing (outagecheck's keys removed)"
    if entry.backup and verified and not problem:
        remove(Path(entry.backup))
    elif entry.backup and not problem:
        detail += f"; not verified, backup kept at {entry.backup}"
    return Reverted(entry.path, detail, problem)


def _check_backup(entry: journal.Entry, data: bytes) -> None:
    """Refuse a backup that is not what apply saved (its SHA-256 and size are in the journal)."""
    if entry.backup_sha256 and (len(data) != entry.backup_size or sha256(data) != entry.backup_sha256):
        raise ConfigError(
            f"{entry.backup}: not the backup outagecheck saved of {entry.path} (its SHA-256 or size differs: "
            f"changed since); nothing reverted. Look at it, and if it is right restore it by hand "
            f"(cp {entry.backup} {entry.path}); or delete it, and `outagecheck fallback revert` removes only "
            f"outagecheck's keys"
        )


def check_backups(chosen: list[journal.Entry]) -> None:
    """Before any write: every backup revert may restore is in a private dir and matches the journal."""
    for entry in chosen:
        if not entry.backup:
            continue
        backup = Path(entry.backup)
        if problem := private.dir_problem(backup.parent) or private.file_problem(backup):
            raise ConfigError(f"{problem} (a backup of {entry.path}); nothing reverted")
        data = read_bytes(backup)
        if data is not None:  # a missing backup: its keys are removed instead, as always
            _check_backup(entry, data)


def undo(entries: list[journal.Entry], chosen: list[journal.Entry]) -> tuple[list[Reverted], list[str]]:
    """Revert `chosen` newest first, dropping each from `entries` (and the journal) once done."""
    check_backups(chosen)
    journal_path = paths.journal_file()
    done: list[Reverted] = []
    problems: list[str] = []
    for entry in reversed(chosen):
        try:
            result = revert_entry(entry)
        except OutagecheckError as e:
            problems.append(str(e))
            continue
        done.append(result)
        if result.problem:
            problems.append(result.problem)
        entries.remove(entry)
        journal.save(journal_path, entries)
    return done, problems


def clean_leftovers(entries: list[journal.Entry]) -> None:
    """Remove stale temp files of outagecheck's own beside every file it writes."""
    folders = {paths.state_dir(), paths.state_dir() / "backups", paths.user_config_dir(), paths.claude_dir()}
    folders |= {real_path(Path(e.path)).parent for e in entries}
    folders.add(real_path(paths.claude_state_file()).parent)
    for folder in folders:
        clean_stale_temps(folder)


def tidy() -> None:
    """With nothing to revert, still remove what a killed run left, unless another run holds the lock now."""
    if not paths.state_dir().is_dir():
        return  # never applied here: nothing of ours to tidy, and no state dir to create for a lock
    with contextlib.suppress(WriteError), locked(paths.lock_file(), wait_s=0):
        clean_leftovers(journal.load(paths.journal_file()))


def revert(name: str | None) -> tuple[list[Reverted], list[str]]:
    """Undo the journaled changes of one target (all targets without a name), newest first."""
    with locked(paths.lock_file()):
        entries = journal.load(paths.journal_file())
        clean_leftovers(entries)
        chosen = [e for e in entries if name is None or e.target == name]
        try:
            return undo(entries, chosen)
        except KeyboardInterrupt:  # each file is whole and the journal lists what is left: say how much
            left = sum(e in entries for e in chosen)
            raise Interrupted(
                f"interrupted with {left} of {len(chosen)} changes not reverted yet; "
                "run `outagecheck fallback revert` again to finish"
            ) from None


def revert_these(written: list[journal.Entry]) -> tuple[list[Reverted], list[str]]:
    """Undo just these entries of the journal (a switch the proof after the write refused), newest first."""
    with locked(paths.lock_file()):
        entries = journal.load(paths.journal_file())
        clean_leftovers(entries)
        return undo(entries, [e for e in entries if e in written])
