"""The release: the sdist and wheel `python -m build` makes, what the wheel carries, and the wheel installed
with pipx in a fresh HOME, run as a user would (slow: it builds, and pipx resolves the dependencies from
the package index, as a release install does)."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from outagecheck import __version__
from outagecheck.output.json import schema_text
from tests.helpers import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)], check=True, timeout=600)
    return out


def test_the_wheel_carries_license_completions_schema_and_scenarios(dist: Path) -> None:
    [wheel] = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        for shell in ("bash", "zsh", "fish"):
            shipped = zf.read(f"outagecheck/completions/outagecheck.{shell}").decode()
            assert shipped == (ROOT / "completions" / f"outagecheck.{shell}").read_text()
        assert zf.read("outagecheck/output/report-v1.schema.json").decode() == schema_text()
        meta = Parser().parsestr(zf.read(f"outagecheck-{__version__}.dist-info/METADATA").decode())
    assert f"outagecheck-{__version__}.dist-info/licenses/LICENSE" in names
    assert "outagecheck/checks/scenarios/march-2026.json" in names
    assert not [n for n in names if "__pycache__" in n or n.startswith("tests/")]
    classifiers = meta.get_all("Classifier") or []
    for minor in (11, 12, 13, 14):
        assert f"Programming Language :: Python :: 3.{minor}" in classifiers
    assert meta["Requires-Python"] == ">=3.11"
    assert meta["License-Expression"] == "MIT"
    assert {u.split(",")[0] for u in meta.get_all("Project-URL") or []} >= {"Homepage", "Source", "Issues", "Changelog"}
    assert "claude" in (meta["Keywords"] or "")


def test_twine_and_check_wheel_contents_pass(dist: Path) -> None:
    files = [str(p) for p in sorted(dist.iterdir())]
    subprocess.run([sys.executable, "-m", "twine", "check", "--strict", *files], check=True, timeout=120)
    wheels = [f for f in files if f.endswith(".whl")]
    subprocess.run([sys.executable, "-m", "check_wheel_contents", *wheels], check=True, timeout=120)


def test_pipx_install_in_a_fresh_home_then_prometheus(dist: Path, tmp_path: Path) -> None:
    [wheel] = dist.glob("*.whl")
    home = tmp_path / "fresh-home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIPX_", "VIRTUAL_ENV", "OUTAGECHECK_", "XDG_"))}
    env.update(HOME=str(home), PIPX_HOME=str(home / "pipx"), PIPX_BIN_DIR=str(home / ".local" / "bin"))
    env["PIPX_MAN_DIR"] = str(home / ".local" / "share" / "man")
    install = [sys.executable, "-m", "pipx", "install", "--python", sys.executable, str(wheel)]
    done = subprocess.run(install, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    binary = home / ".local" / "bin" / "outagecheck"  # where the README's cron, systemd and Icinga lines look

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(binary), *args], env=env, capture_output=True, text=True, timeout=120)

    metrics = run("status", "--replay", "march-2026", "--format", "prometheus")
    assert metrics.returncode == 2, metrics.stderr
    names = {f.name for f in text_string_to_metric_families(metrics.stdout)}
    assert {"outagecheck_surface_up", "outagecheck_surface_status", "outagecheck_fallback_outstanding"} <= names
    zsh = run("completion", "zsh")  # from the wheel's package data, not a checkout
    assert zsh.stdout == (ROOT / "completions" / "outagecheck.zsh").read_text()
    assert run("schema").stdout == schema_text()
    assert run("--version").stdout == f"outagecheck {__version__}\n"
