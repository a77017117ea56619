"""The real entry point, in a subprocess: the --version fast path, exit codes through os._exit, and the
benchmark script's smoke run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from outagecheck import __version__
from tests.helpers import CF_EDGE, ROOT, loopback_config, march_summary
from tests.loopback import LoopbackServer


def outagecheck(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    return subprocess.run(
        [sys.executable, "-m", "outagecheck", *args], capture_output=True, text=True, env=env or clean, timeout=60
    )


def test_version_needs_neither_typer_nor_httpx() -> None:
    """--version imports os and sys only: no typer, httpx or rich, and not even signal (its enums),
    threading or contextlib."""
    code = (
        "import sys; sys.argv = ['outagecheck', '--version']; before = set(sys.modules)\n"
        "from outagecheck.__main__ import main; main()\n"
        "print(sorted(m for m in set(sys.modules) - before if not m.startswith('outagecheck')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == [f"outagecheck {__version__}", "['__future__', 'gc']"]


def test_a_ctrl_c_python_cannot_raise_is_delivered_again() -> None:
    """SIGINT landing in a weakref callback (an import's module lock runs one) would be printed as
    "Exception ignored" and lost; the entry point raises it again at the next ordinary line."""
    code = (
        "import time, weakref, outagecheck.__main__ as entry\n"
        "entry._last_resorts(); entry._handle_sigint()\n"
        "class Lock: pass\n"
        "def callback(ref):\n"
        "    raise KeyboardInterrupt\n"
        "lock = Lock(); ref = weakref.ref(lock, callback)\n"
        "try:\n"
        "    del lock\n"
        "    time.sleep(2)\n"  # the watchdog (3 s) never gets to end it
        "    print('lost')\n"
        "except KeyboardInterrupt:\n"
        "    print('raised')\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (run.stdout, run.stderr) == ("raised\n", "")


SET_NAME = (
    "class Field:\n"
    "    def __set_name__(self, owner, name):\n"
    "        raise KeyboardInterrupt\n"
    "class Answer:\n"  # Python 3.11 wraps what __set_name__ raises: a RuntimeError caused by the Ctrl-C
    "    chunks = Field()\n"
)


@pytest.mark.parametrize(
    "raises",
    [
        pytest.param("raise BaseExceptionGroup('unhandled errors in a TaskGroup', [KeyboardInterrupt()])", id="group"),
        pytest.param(f"exec({SET_NAME!r}, {{}})", id="set-name"),
        pytest.param("try:\n        raise KeyboardInterrupt\n    finally:\n        1 / 0", id="during-cleanup"),
    ],
)
def test_a_ctrl_c_however_wrapped_is_130_and_one_line(raises: str) -> None:
    """A Ctrl-C can come back wrapped: in a task group's BaseExceptionGroup (anyio, asyncio), as the cause of
    a RuntimeError (a class body's __set_name__ during an import), as the context of a cleanup's error.
    Still an interruption, not an internal error."""
    code = (
        "import sys, outagecheck.cli.dispatch as dispatch, outagecheck.__main__ as entry\n"
        "def run(argv):\n"
        f"    {raises}\n"
        "dispatch.fast = run\n"
        "sys.argv = ['outagecheck', 'status']\n"
        "entry.main()\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (run.returncode, run.stderr) == (130, "outagecheck: interrupted\n")


def test_exit_codes_survive_the_fast_exit(tmp_path: Path, loopback: LoopbackServer) -> None:
    assert outagecheck().returncode == 64  # bare: help, usage error
    bad = outagecheck("status", "--bogus")
    assert (bad.returncode, bad.stderr.count("\n")) == (64, 1)
    loopback.route("/web/", status=500, body=b"down", headers=dict(CF_EDGE))
    loopback.route("/platform/v1/oauth/hello", status=500, body=b"down", headers=dict(CF_EDGE))
    loopback.route("/api/api/hello", json={"message": "hello"})
    loopback.route("/status/api/v2/summary.json", json=march_summary())
    run = outagecheck("status", "--config", str(loopback_config(tmp_path, loopback, timeout=5.0)), "--json")
    assert run.returncode == 2
    assert json.loads(run.stdout)["exit_code"] == 2  # all of stdout was flushed before the exit


def test_benchmark_script_smoke() -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick"], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    row = next(line for line in run.stdout.splitlines() if line.startswith("status, L=0 (quick)"))
    assert "exit [0]" in row
    assert " ms " in row
    assert " MB " in row


def test_a_reader_leaving_early_keeps_the_exit_code() -> None:
    # `outagecheck status | head -1`: the pipe closes before outagecheck writes; the exit code is the triage's.
    proc = subprocess.Popen(
        [sys.executable, "-m", "outagecheck", "status", "--replay", "march-2026"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    proc.stdout.close()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert b"Traceback" not in err


def test_replay_makes_no_network_client() -> None:
    code = (
        "import sys; sys.argv = ['outagecheck', 'status', '--replay', 'march-2026', '--format', 'nagios']\n"
        "from outagecheck.cli.app import app\n"
        "code = app(prog_name='outagecheck', standalone_mode=False)\n"
        "print(code, 'httpx' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[-1] == "2 False"
