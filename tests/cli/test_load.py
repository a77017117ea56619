"""Honest verdicts under load: many runs at once on a small machine never call a healthy service down."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.helpers import cli_env, loopback_config
from tests.loopback import LoopbackServer


@pytest.mark.slow
@pytest.mark.parametrize(
    ("runs", "timeout_s"),
    # 30 x 1 s called a healthy loopback server down 54 times in 90 verdicts before local_overload existed.
    [pytest.param(24, 2.0, id="24-runs-timeout-2"), pytest.param(30, 1.0, id="30-runs-timeout-1")],
)
def test_concurrent_runs_report_no_healthy_surface_down(
    tmp_path: Path,
    isolated_home: Path,
    loopback: LoopbackServer,
    capsys: pytest.CaptureFixture[str],
    runs: int,
    timeout_s: float,
) -> None:
    cfg = loopback_config(tmp_path, loopback, timeout=timeout_s)
    env = cli_env(isolated_home)
    command = [sys.executable, "-m", "outagecheck", "status", "--timeout", str(timeout_s), "--json"]
    command += ["--config", str(cfg)]
    procs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) for _ in range(runs)]
    verdicts: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    codes: Counter[int] = Counter()
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert b"Traceback" not in err
        codes[proc.returncode] += 1
        doc = json.loads(out)
        for surface in doc["surfaces"]:
            verdicts[surface["status"]] += 1
            reasons.update(e["reason"] for e in surface["evidence"])
    with capsys.disabled():
        seen = f"verdicts {dict(verdicts)}, reasons {dict(reasons)}, exits {dict(codes)}"
        print(f"\n{runs} concurrent runs, --timeout {timeout_s:g}: {seen}")
    assert sum(verdicts.values()) == runs * 3
    assert verdicts["down"] == 0, (verdicts, reasons)
    assert codes[2] == 0
