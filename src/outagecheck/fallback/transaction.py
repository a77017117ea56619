"""All-or-nothing apply: every file of one apply is written, or none is.

Each file is journaled as `pending` (with its backup) before it is written; once all are written the
entries are marked done in one journal write. On any failure, what was written is rolled back with the
revert logic and the pending entries dropped; a crash leaves pending entries that the next run rolls back.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from outagecheck import paths, private
from outagecheck.errors import ConfigError, Interrupted, OutagecheckError, WriteError
from outagecheck.fallback import journal
from outagecheck.fallback.apply import FileChange, compute_change
from outagecheck.fallback.checked import read_only_reason, write_secret
from outagecheck.fallback.revert import clean_leftovers, undo
from outagecheck.fallback.targets import FileEdit
from outagecheck.fallback.writer import Redo, Remove, Unsettled, read_modify_write
from outagecheck.safefile import atomic_write, locked, read_bytes, remove, sha256


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


class _Run:
    """The journal of one apply, as it is written."""

    def __init__(self, target: str, entries: list[journal.Entry]) -> None:
        self.target = target
        self.entries = entries
        self.mine: list[journal.Entry] = []

    def add(self, entry: journal.Entry) -> None:
        self.entries.append(entry)
        self.mine.append(entry)
        journal.save(paths.journal_file(), self.entries)

    def drop(self, entry: journal.Entry) -> None:
        self.entries.remove(entry)
        self.mine.remove(entry)
        if entry.backup:
            remove(Path(entry.backup))
        journal.save(paths.journal_file(), self.entries)

    def entry(self, edit: FileEdit, before: bytes | None, change: FileChange, backup: str) -> journal.Entry:
        secret = edit.fmt == "secret"
        return journal.Entry(
            target=self.target,
            path=str(edit.path),
            format=edit.fmt,
            created=before is None,
            backup=backup,
            written_sha256="" if secret else sha256(change.after),
            applied_at=datetime.now(UTC).isoformat(timespec="seconds"),
            secret=secret,
            keys=change.keys,
            pending=True,
        )

    def write_secret(self, edit: FileEdit) -> None:
        before = read_bytes(edit.path)
        change = compute_change(edit, before)
        if change is not None:
            self.add(self.entry(edit, before, change, ""))
            write_secret(edit.path, change.after)

    def write(self, edit: FileEdit) -> None:
        state: dict[str, Any] = {}

        def compute(raw: bytes | None, last_try: bool) -> bytes | None:
            state.pop("change", None)  # the last try's bytes go before this one's are made
            try:
                if raw is not None and not raw.strip() and not last_try:
                    raise Unsettled  # an existing empty file may be another writer's truncate-then-write
                change = compute_change(edit, raw)
            except ConfigError:
                if not last_try:
                    raise Unsettled from None
                raise
            planned = state.pop("armed", None)  # set by intent(): this is the call under the lock
            if planned is not None and (
                change is None or (change.keys, raw is None) != (planned.keys, planned.created)
            ):
                raise Redo  # the file moved on since the intent was journaled
            state["change"] = change
            return None if change is None else change.after

        def intent(before: bytes | None, after: bytes | Remove) -> None:
            # Journaled before the write, outside Claude Code's lock: the slow fsyncs stay out of the window.
            if "entry" in state:
                self.drop(state.pop("entry"))
            state["entry"] = state["armed"] = self.entry(edit, before, state.pop("change"), "")
            self.add(state["entry"])

        def finish(before: bytes | None, after: bytes | Remove) -> None:
            # The backup is exactly the version the rename replaced; a crash before this line leaves a
            # pending entry without one, which recovery undoes by its keys.
            backup = ""
            if before is not None:
                if problem := private.make_dir(paths.state_dir() / "backups"):
                    raise ConfigError(f"{problem} (outagecheck's backups)")
                backup_path = paths.state_dir() / "backups" / f"{_stamp()}-{edit.path.name}"
                atomic_write(backup_path, before, mode=0o600)
                backup = str(backup_path)
            done = replace(self.entry(edit, before, state["change"], backup), applied_at=state["entry"].applied_at)
            if before is not None:  # revert checks the backup against these before restoring a byte of it
                done = replace(done, backup_sha256=sha256(before), backup_size=len(before))
            self.entries[self.entries.index(state["entry"])] = done
            self.mine[self.mine.index(state["entry"])] = done
            journal.save(paths.journal_file(), self.entries)

        if read_modify_write(edit.path, compute, intent=intent, finish=finish) is None and "entry" in state:
            self.drop(state["entry"])


def _recover(entries: list[journal.Entry]) -> None:
    """Roll back what an apply that crashed left half done."""
    pending = [e for e in entries if e.pending]
    if pending:
        _, problems = undo(entries, pending)
        if problems:
            raise WriteError(
                "an interrupted apply left changes that could not be rolled back: "
                + "; ".join(problems)
                + "; nothing changed (run `outagecheck fallback revert`)"
            )


def _refuse_read_only(edits: list[FileEdit]) -> None:
    for edit in edits:
        where = edit.path.parent if edit.fmt == "secret" else edit.path
        if (reason := read_only_reason(where)) is not None:
            raise WriteError(f"{reason}: refusing to write {edit.path}; nothing changed (--force writes it anyway)")


def write_planned(
    target: str, edits: list[FileEdit], *, force: bool = False, route: tuple[str, ...] = ()
) -> list[journal.Entry]:
    """Write every edit's file, or none: on failure roll back what was written, and say so. `route` (name, kind,
    who pays[, what Claude Code used before, and that route's name]) is journaled with each change when a
    `--to ROUTE` apply makes them, for status's reminder and for when to go back."""
    journal_path = paths.journal_file()
    if not force:
        _refuse_read_only(edits)
    with locked(paths.lock_file()):
        entries = journal.load(journal_path)
        clean_leftovers(entries)
        _recover(entries)
        run = _Run(target, entries)
        try:
            for edit in edits:
                (run.write_secret if edit.fmt == "secret" else run.write)(edit)
            name, kind, payer, before, before_route = (*route, "", "", "", "", "")[:5]
            done = [
                replace(e, pending=False, route=name, route_kind=kind, billed_to=payer, before=before,
                        before_route=before_route)
                for e in run.mine
            ]  # fmt: skip
            finished = [done[run.mine.index(e)] if e in run.mine else e for e in entries]
            journal.save(journal_path, finished)
            return done
        except BaseException as exc:
            try:
                _, problems = undo(entries, list(run.mine))
            except OutagecheckError as again:  # the journal itself can't be written (a full disk)
                problems = [str(again)]
            if problems:
                tail = "; rolling back failed: " + "; ".join(problems) + " (run `outagecheck fallback revert`)"
            else:
                tail = "; nothing changed"
            if isinstance(exc, OutagecheckError):
                raise type(exc)(f"{exc}{tail}") from None
            if isinstance(exc, OSError):
                raise WriteError(f"{exc.filename or 'a file'}: {exc.strerror or exc}{tail}") from None
            if isinstance(exc, KeyboardInterrupt):  # Ctrl-C: say whether the rollback left the files as they were
                raise Interrupted(f"interrupted{tail}") from None
            raise
