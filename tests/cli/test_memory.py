"""Flat memory in long runs: `wait` and `watch` keep the garbage collector on, so hundreds of checks don't grow RSS."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import cli_env, loopback_config
from tests.loopback import LoopbackServer

WARM_UP = 50  # checks before the first measurement: caches, pools and the allocator settle
CHECKS = 500
MAX_GROWTH = 2 << 20

# The real CLI in a subprocess, its sleep between checks replaced by a counter that reads RSS
# (/proc/self/statm) after WARM_UP checks and again CHECKS later, then ends the process.
SCRIPT = """
import json, os, sys, time
calls = 0
seen = {}
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
def counting_sleep(seconds):
    global calls
    calls += 1
    if calls == WARM_UP:
        seen["start"] = rss()
    elif calls == WARM_UP + CHECKS:
        seen["end"] = rss()
        sys.__stderr__.write("RSS " + json.dumps(seen) + "\\n")
        sys.__stderr__.flush()
        os._exit(0)
time.sleep = counting_sleep  # the one polling loop (outagecheck.poll) sleeps with time.sleep
sys.argv = ["outagecheck", *sys.argv[1:]]
from outagecheck.__main__ import main
main()
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    "command",
    [
        ["wait", "--require", "api", "--interval", "1", "--max-wait", "168h"],
        ["watch", "--interval", "5", "--count", "1000000"],
    ],
    ids=["wait", "watch"],
)
def test_long_runs_keep_rss_flat_over_hundreds_of_checks(
    tmp_path: Path,
    isolated_home: Path,
    loopback: LoopbackServer,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
) -> None:
    # Degraded and not retried (no retry-after), so wait goes on: the API's own 529 envelope.
    overloaded = b'{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}'
    loopback.route("/api/api/hello", status=529, body=overloaded, headers={"content-type": "application/json"})
    cfg = loopback_config(tmp_path, loopback, timeout=2.0)
    script = SCRIPT.replace("WARM_UP", str(WARM_UP)).replace("CHECKS", str(CHECKS))
    args = [*command, "--config", str(cfg)]
    run = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, env=cli_env(isolated_home), timeout=600
    )
    line = next((ln for ln in run.stderr.splitlines() if ln.startswith("RSS ")), None)
    assert line is not None, run.stderr[-2000:]
    seen = json.loads(line.removeprefix("RSS "))
    growth = seen["end"] - seen["start"]
    with capsys.disabled():
        print(f"\n{command[0]}, {CHECKS} checks after {WARM_UP}: RSS {seen['start'] >> 10} -> {seen['end'] >> 10} KiB")
    assert growth < MAX_GROWTH
    assert loopback.paths().count("/api/api/hello") >= CHECKS  # every check really ran
