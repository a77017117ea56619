"""Real processes: a writer rewriting ~/.claude.json every few ms while apply and revert run in a loop, and
SIGKILL at random points of apply and revert."""

from __future__ import annotations

import json
import os
import random
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from outagecheck.fallback import journal
from outagecheck.safefile import TEMP_TAG
from tests.helpers import ROOT, SETTINGS, SETTINGS_TEXT, STATE_TEXT, TEST_KEY, own_config_dir, sweep_files

pytestmark = pytest.mark.slow
ROUNDS = 12


def _env(home: Path, key_command: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "OUTAGECHECK_", "XDG_"))}
    env.update(HOME=str(home), ANTHROPIC_API_KEY=TEST_KEY, PYTHONPATH=str(ROOT))
    # The proof after apply goes to a port nothing listens on: exit 69, which these tests accept.
    (home / "oc.toml").write_text('timeout = 1\n[endpoints]\napi = "http://127.0.0.1:9"\n')
    env["OUTAGECHECK_CONFIG"] = str(home / "oc.toml")
    return env


def _cli(env: dict[str, str], *args: str) -> list[str]:
    return [sys.executable, "-m", "outagecheck", "fallback", *args]


def _home(tmp_path: Path) -> tuple[Path, Path, Path]:
    home = tmp_path / "home"
    (home / ".claude").mkdir(parents=True)
    settings = home / ".claude" / "settings.json"
    settings.write_text(SETTINGS_TEXT)
    state = home / ".claude.json"
    state.write_text(STATE_TEXT)
    return home, settings, state


def _read_json(path: Path) -> Any:
    """Read a JSON file an in-place writer may be halfway through rewriting."""
    for _ in range(200):
        try:
            return json.loads(path.read_text())
        except ValueError:
            time.sleep(0.005)
    raise AssertionError(f"{path} never held a whole JSON document")


def _entries(home: Path) -> list[journal.Entry]:
    return journal.load(home / ".local" / "state" / "outagecheck" / "journal.toml")


@pytest.mark.parametrize("mode", ["lock", "inplace"])
def test_a_concurrent_writer_loses_nothing_while_apply_and_revert_loop(tmp_path: Path, mode: str) -> None:
    home, settings, state = _home(tmp_path)
    env = _env(home, "")
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.writers", mode, str(state)], stdout=subprocess.PIPE, text=True, env=env
    )
    codes: dict[str, list[int]] = {"apply": [], "revert": [], "undone by writer": []}
    try:
        time.sleep(0.2)
        for _ in range(ROUNDS):
            for command in (["apply", "claude-code", "--yes"], ["revert", "--yes"]):
                done = subprocess.run(_cli(env, *command), capture_output=True, text=True, env=env, timeout=120)
                codes[command[0]].append(done.returncode)
                assert done.returncode in (0, 69), done.stderr
                entries = _entries(home)
                doc = _read_json(state)
                assert doc.get("oauthAccount") == {"emailAddress": "me@example.com"}  # never {}
                applied = command[0] == "apply"
                # All three files journaled, or none (two when the writer had put the onboarding flag back).
                assert len(entries) in ((3,) if mode == "lock" else (2, 3)) if applied else len(entries) == 0
                helper = json.loads(settings.read_text()).get("apiKeyHelper")
                assert (helper is not None) == applied
                # A writer that ignores the lock and writes in place can put back what it read before our
                # rename: counted, not prevented. One that honours the lock never does.
                undone = ("hasCompletedOnboarding" in doc) != applied
                assert not (undone and mode == "lock")
                codes["undone by writer"].append(int(undone))
    finally:
        writer.send_signal(signal.SIGTERM)
        out, _ = writer.communicate(timeout=30)
    stats = json.loads(out)
    final = _read_json(state)
    lost = stats["updates"] - final.get("writerCount", 0)
    print(f"\n[{mode}] writer updates {stats['updates']}, lost {lost}, applies/reverts {codes}, stats {stats}")
    assert stats["lost_documents"] == 0
    assert stats["updates"] > ROUNDS
    if mode == "lock":  # honoured lock: not one of the writer's updates overwritten
        assert lost == 0
    assert not [p for p in home.rglob("*") if TEMP_TAG in p.name or p.name.endswith(".lock")]


@pytest.mark.parametrize("command", ["apply", "revert"])
def test_sigkill_at_random_points_leaves_old_or_new_and_the_next_run_cleans_up(tmp_path: Path, command: str) -> None:
    home, settings, state = _home(tmp_path)
    env = _env(home, "")
    key_file = own_config_dir(home) / "anthropic-api-key"
    rng = random.Random(12)
    for _ in range(ROUNDS):
        if command == "revert":
            subprocess.run(_cli(env, "apply", "claude-code", "--yes"), env=env, capture_output=True, timeout=120)
            assert len(_entries(home)) == 3
        proc = subprocess.Popen(
            _cli(env, command, *(["claude-code"] if command == "apply" else []), "--yes"),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.1, 0.9))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        # Each file is the old or the new version, never a mixture; the journal reads; the key is nowhere else.
        helper = f"cat {shlex.quote(str(key_file))}"
        assert json.loads(settings.read_text()) in (SETTINGS, {**SETTINGS, "apiKeyHelper": helper})
        assert json.loads(state.read_text()) in (
            json.loads(STATE_TEXT),
            {**json.loads(STATE_TEXT), "hasCompletedOnboarding": True},
        )
        _entries(home)
        sweep_files(home, {key_file})
        # A minute later, the next run rolls back and tidies up what the killed one left.
        for leftover in home.rglob(f"*{TEMP_TAG}*"):
            os.utime(leftover, (time.time() - 120, time.time() - 120))
        done = subprocess.run(_cli(env, "revert", "--yes"), env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert _entries(home) == []
        assert json.loads(settings.read_text()) == SETTINGS
        assert json.loads(state.read_text()) == json.loads(STATE_TEXT)
        assert not key_file.exists()
        assert not [p for p in home.rglob("*") if TEMP_TAG in p.name]


def test_ctrl_c_at_every_moment_of_apply_leaves_all_or_nothing(tmp_path: Path) -> None:
    """SIGINT every 8 ms across an apply (30 runs): each file is old or new and all agree, the journal and
    the key file say the same, Claude Code's lock is never left behind, and the exit is 0, 69 (the proof
    fails on a dead port) or 130 with one line; the next revert restores everything. The two bugs a wider
    random sweep found (a rollback failing on a pending entry without a backup; a lock leaked between its
    mkdir and its bookkeeping) are pinned deterministically in test_transaction.py and test_lock.py: their
    windows are a few ms wide, and this sweep guards the invariants rather than hitting them every run."""
    wrong = []
    reached = step = 0
    # A SIGINT that lands in Python's own start-up (site, the editable install's import finder: ~25 ms quiet,
    # longer on a loaded runner) comes before any code of outagecheck's: Python dies of it (-2, or 1 with a
    # traceback in importlib's frames alone). Such a step tests nothing of ours: it must have changed nothing,
    # and the sweep goes on until 30 interrupts have reached outagecheck (at most 60 steps).
    while reached < 30 and step < 60:
        step += 1
        home, settings, state = _home(tmp_path / str(step))
        env = _env(home, "")
        key_file = own_config_dir(home) / "anthropic-api-key"
        proc = subprocess.Popen(
            _cli(env, "apply", "claude-code", "--yes"), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        time.sleep(0.05 + step * 0.008)
        proc.send_signal(signal.SIGINT)
        _, raw = proc.communicate(timeout=30)
        err = raw.decode()
        applied = "apiKeyHelper" in json.loads(settings.read_text())
        seen = {
            "onboarding": "hasCompletedOnboarding" in json.loads(state.read_text()),
            "key file": key_file.exists(),
            "journal": len(_entries(home)) == 3,
        }
        last = err.strip().splitlines()[-1:]
        locks = [p for p in home.rglob("*.lock")]
        if proc.returncode in (-signal.SIGINT, 1) and "/outagecheck/" not in err and "outagecheck:" not in err:
            if applied or any(seen.values()) or locks:
                wrong.append(f"step {step}: died in Python's start-up, yet changed files: {seen}, locks {locks}")
            continue
        reached += 1
        ok_exit = proc.returncode in (0, 69) or (
            proc.returncode == 130
            and last in (["outagecheck: interrupted"], ["outagecheck: error: interrupted; nothing changed"])
        )
        if not ok_exit or "Traceback" in err or locks or any(v != applied for v in seen.values()):
            wrong.append(f"step {step}: exit {proc.returncode}, applied {applied}, {seen}, locks {locks}, {last}")
        done = subprocess.run(_cli(env, "revert", "--yes"), env=env, capture_output=True, text=True, timeout=120)
        if done.returncode != 0 or key_file.exists() or json.loads(settings.read_text()) != SETTINGS:
            wrong.append(f"step {step}: the revert after it: exit {done.returncode}, {done.stderr.strip()}")
    assert wrong == []
    assert reached == 30, f"only {reached} of {step} interrupts reached outagecheck: Python's start-up took them all"


# Runs outagecheck with os.fsync wrapped: SIGKILL itself just before the Nth call (N = 0: never, and write
# the count to $FSYNC_COUNT_FILE as it goes: the CLI ends with os._exit), so every fsync of an apply or
# revert is a crash point in turn.
_KILL_AT_FSYNC = """
import os, runpy, signal, sys
target, seen, real = int(os.environ["KILL_AT_FSYNC"]), [0], os.fsync
def fsync(fd):
    seen[0] += 1
    if seen[0] == target:
        os.kill(os.getpid(), signal.SIGKILL)
    if not target and "FSYNC_COUNT_FILE" in os.environ:
        with open(os.environ["FSYNC_COUNT_FILE"], "w") as f:
            f.write(str(seen[0]))
    return real(fd)
os.fsync = fsync
sys.argv = ["outagecheck", *sys.argv[1:]]
runpy.run_module("outagecheck", run_name="__main__", alter_sys=True)
"""


def _fsync_run(env: dict[str, str], at: int, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-c", _KILL_AT_FSYNC, "fallback", *args, "--yes"]
    return subprocess.run(cmd, env={**env, "KILL_AT_FSYNC": str(at)}, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("command", ["apply", "revert"])
def test_sigkill_at_every_fsync_leaves_no_temp_file_after_the_next_run(tmp_path: Path, command: str) -> None:
    """Each fsync of an apply (or a revert) is a SIGKILL in turn; the next revert, straight after (no
    minute's wait), restores every file and leaves no temp file of outagecheck's anywhere under HOME."""
    args = ("apply", "claude-code") if command == "apply" else ("revert",)
    home, settings, state = _home(tmp_path / "count")
    env = _env(home, "")
    if command == "revert":
        _fsync_run(env, 0, "apply", "claude-code")
    env["FSYNC_COUNT_FILE"] = str(tmp_path / "count.txt")
    assert _fsync_run(env, 0, *args).returncode in (0, 69)
    total = int((tmp_path / "count.txt").read_text())
    del env["FSYNC_COUNT_FILE"]
    _fsync_run(env, 0, "revert")  # the key file goes: the key sweep holds for this home too
    assert total >= 8, total  # the journal, the backups, the key file, each rename's directory
    wrong = []
    for at in range(1, total + 1):
        home, settings, state = _home(tmp_path / str(at))
        env = _env(home, "")
        if command == "revert":
            assert _fsync_run(env, 0, "apply", "claude-code").returncode in (0, 69)
        killed = _fsync_run(env, at, *args)
        after = _fsync_run(env, 0, "revert")
        left = sorted(str(p.relative_to(home)) for p in home.rglob("*") if TEMP_TAG in p.name)
        restored = json.loads(settings.read_text()) == SETTINGS and json.loads(state.read_text()) == json.loads(
            STATE_TEXT
        )
        if killed.returncode != -signal.SIGKILL or after.returncode != 0 or left or not restored:
            wrong.append(f"fsync {at}: exit {killed.returncode}, then {after.returncode} {after.stderr!r}, {left}")
    assert wrong == []
