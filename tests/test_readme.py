"""The README stays true: its exit-code table and quick start match the code and CI."""

from __future__ import annotations

import re
from pathlib import Path

from outagecheck.cli.options import EXIT_CODES_HELP
from outagecheck.model import ExitCode

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text()


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
