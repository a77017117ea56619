"""Ctrl-C, through the real entry point in a subprocess: wherever it lands (an import, the config, a
connection being opened, a check in flight), the run ends with `outagecheck: interrupted` and 130, never a
traceback; at once, not by the watchdog (GRACE_S, 3 s), which only ends a run that swallowed the Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from outagecheck.__main__ import GRACE_S
from outagecheck.model import ExitCode
from tests.helpers import PAGE_PATH, cli_env, loopback_config
from tests.loopback import LoopbackServer

HANGING = ("/web/", "/platform/v1/oauth/hello", "/api/api/hello", PAGE_PATH)
# Under the watchdog's 3 s: the run ended by the Ctrl-C itself, however loaded the machine.
PROMPT_S = 2.0
# The watchdog's bound: a Ctrl-C never leaves the run going to its deadline. Once, under heavy load beside
# other sweeps, a Ctrl-C 0.2 s after start was ended by the watchdog (3.0 s); the place that swallowed it
# was not found in ~3,000 instrumented runs since, so the everyday tests hold the run to this bound.
BOUNDED_S = GRACE_S + 1.0


def interrupt_after(delay: float, cfg: Path, env: dict[str, str]) -> tuple[int, list[str], float]:
    """Start `status` (every endpoint hangs, so it is still going), send SIGINT `delay` seconds after
    `-X importtime` says main() is running (its first import for `status`, cli.parse: main's first line has
    installed the handlers by then); (exit code, stderr lines, seconds from the signal). Before that moment the
    signal lands in Python's own code (start-up, the `-c` line calling main), which prints Python's traceback: a loaded
    runner once stopped the child right after `outagecheck.__main__`'s import line and the signal beat main()."""
    entry = "from outagecheck.__main__ import main; main()"
    proc = subprocess.Popen(
        [sys.executable, "-X", "importtime", "-c", entry, "status", "--config", str(cfg), "--timeout", "30"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stderr is not None
    try:
        seen = b""
        while b"outagecheck.cli.parse" not in seen:
            seen = proc.stderr.readline()
            assert seen, "the process ended before loading outagecheck"
        time.sleep(delay)
        start = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
        took = time.monotonic() - start
    finally:
        proc.kill()
    assert b"Traceback" not in out
    lines = [ln for ln in err.decode().splitlines() if not ln.startswith("import time:")]
    return proc.returncode, lines, took


def test_ctrl_c_exits_130_without_a_traceback(tmp_path: Path, loopback: LoopbackServer) -> None:
    """The plain case: Ctrl-C while every check waits for its answer."""
    for path in HANGING:
        loopback.route(path, hang=True)
    cfg = loopback_config(tmp_path, loopback, timeout=5.0)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "outagecheck", "status", "--config", str(cfg), "--timeout", "30"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        give_up = time.monotonic() + 10
        while len(loopback.requests) < len(HANGING) and time.monotonic() < give_up:  # the checks are in flight
            time.sleep(0.02)
        start = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    finally:
        proc.kill()
    assert proc.returncode == 130
    assert time.monotonic() - start < PROMPT_S
    assert b"Traceback" not in err + out
    assert err.decode().strip() == "outagecheck: interrupted"


@pytest.mark.parametrize("delay", [0.0, 0.01, 0.03, 0.06, 0.1, 0.2, 0.4])
def test_ctrl_c_at_any_moment_is_130_and_one_line(
    delay: float, tmp_path: Path, isolated_home: Path, loopback: LoopbackServer
) -> None:
    """The signal lands `delay` after our entry point loads: during typer's, httpx's or rich's imports,
    the config, the checks."""
    for path in HANGING:
        loopback.route(path, hang=True)
    cfg = loopback_config(tmp_path, loopback, timeout=30.0)
    code, lines, took = interrupt_after(delay, cfg, cli_env(isolated_home))
    assert (code, lines) == (ExitCode.INTERRUPTED, ["outagecheck: interrupted"])
    assert took < BOUNDED_S


@pytest.mark.slow
def test_ctrl_c_swept_across_a_whole_run(tmp_path: Path, isolated_home: Path, loopback: LoopbackServer) -> None:
    """Every 4 ms from the entry point's load to well into the checks (~120 runs): the rare places where a
    Ctrl-C was caught and kept (anyio's connect task group, a class body's __set_name__, a module half
    imported by the signal) are each a few ms wide; the everyday test above samples only 7 moments."""
    for path in HANGING:
        loopback.route(path, hang=True)
    cfg = loopback_config(tmp_path, loopback, timeout=30.0)
    env = cli_env(isolated_home)
    wrong, watchdog = [], []
    for step in range(120):
        delay = step * 0.004
        code, lines, took = interrupt_after(delay, cfg, env)
        if (code, lines) != (ExitCode.INTERRUPTED, ["outagecheck: interrupted"]) or took >= BOUNDED_S:
            wrong.append(f"at {delay:.3f} s: exit {code} after {took:.2f} s, stderr {lines[-3:]}")
        elif took >= PROMPT_S:
            watchdog.append(f"at {delay:.3f} s: ended by the watchdog after {took:.2f} s")
    assert wrong == []
    # The rare swallowed Ctrl-C (BOUNDED_S) may cost one run its 3 s; more than one is a regression.
    assert len(watchdog) <= 1, watchdog


def test_what_the_teardown_leaves_prints_no_warning_above_the_one_line() -> None:
    """A Ctrl-C between the creation of a coroutine and its await (httpcore's `async with
    self._request_lock:`, seen once at 0.35 s in the sweep above) left Python's "coroutine … was never
    awaited" RuntimeWarning, with httpcore's source line, on stderr above "outagecheck: interrupted"."""
    script = (
        "import os, signal, sys, time\n"
        "import outagecheck.__main__ as entry\n"
        "entry._handle_sigint()\n"
        "async def lock(): pass\n"
        "try:\n"
        "    pending = lock()\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "    time.sleep(5)\n"
        "except KeyboardInterrupt:\n"
        "    del pending\n"
        "    sys.stderr.write('interrupted\\n')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=30, check=False)
    assert (done.returncode, done.stderr) == (0, "interrupted\n")


def test_a_ctrl_c_lost_in_an_import_before_the_handler_is_delivered_again(tmp_path: Path) -> None:
    """Seen in CI (delay 0.01): the Ctrl-C landed while main() imported `threading` to install its handler;
    Python's own handler raised it inside the import's module-lock callback, where it is printed as
    "Exception ignored" and lost, and the run went on to its 30 s deadline. Here such a callback raises the
    KeyboardInterrupt just before the handler is installed: it must still end the run with 130 and one line."""
    script = (
        "import sys, weakref\n"
        "import outagecheck.__main__ as entry\n"
        "install = entry._handle_sigint\n"
        "class Lock: pass\n"
        "def lost(_):\n"
        "    raise KeyboardInterrupt\n"
        "def handle():\n"
        "    lock = Lock()\n"
        "    ref = weakref.ref(lock, lost)\n"
        "    del lock\n"
        "    install()\n"
        "entry._handle_sigint = handle\n"
        "sys.argv = ['outagecheck', 'status', '--replay', 'march-2026']\n"
        "entry.main()\n"
    )
    env = cli_env(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env=env, check=False
    )
    assert (done.returncode, done.stderr) == (ExitCode.INTERRUPTED, "outagecheck: interrupted\n")


def test_a_ctrl_c_while_warnings_is_half_imported_is_still_one_line() -> None:
    """Seen in the slow sweep at 0.016 s: the Ctrl-C handler imported `warnings` while another import of it
    was under way, got the half-made module (no `simplefilter` yet) and the run ended "internal error:
    AttributeError", exit 70. The handler uses the module it was given when installed."""
    script = (
        "import os, signal, sys, time, types\n"
        "import outagecheck.__main__ as entry\n"
        "entry._handle_sigint()\n"
        "sys.modules['warnings'] = types.ModuleType('warnings')  # as a module half through its import is\n"
        "try:\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "    time.sleep(5)\n"
        "except KeyboardInterrupt:\n"
        "    sys.stderr.write('interrupted\\n')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=30, check=False)
    assert (done.returncode, done.stderr) == (0, "interrupted\n")
