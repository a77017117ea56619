"""Bad input never produces a traceback: generated config files load or exit 78 naming the file
(Ctrl-C: test_interrupt.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from outagecheck import config
from outagecheck.errors import ConfigError
from tests.helpers import invoke

KNOWN = ["timeout", "slow", "endpoints", "fallback", "claude_ai", "platform", "api", "status_page"]
keys = st.sampled_from(KNOWN) | st.text(min_size=1, max_size=12)
scalars = (
    st.booleans()
    | st.integers()  # unbounded: 2**200 is valid TOML for tomllib
    | st.floats()  # nan and inf included
    | st.text(max_size=40)
    | st.sampled_from(["https://claude.ai", "http://x:99999", "ftp://a", "https://a?b", "", "\0"])
    | st.datetimes()
)
values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3), max_leaves=10
)
documents = st.dictionaries(keys, values, max_size=5)
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def load_or_config_error(path: Path) -> None:
    try:
        config.load(path)
    except ConfigError as e:
        message = str(e)
        assert message.startswith(f"{path}: ")
        assert "\n" not in message


@FUZZ
@given(doc=documents)
def test_generated_toml_loads_or_is_a_config_error(tmp_path: Path, doc: dict[str, Any]) -> None:
    path = tmp_path / "fuzz.toml"
    path.write_text(tomli_w.dumps(doc))
    load_or_config_error(path)


@FUZZ
@given(raw=st.binary(max_size=200) | st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_arbitrary_bytes_load_or_are_a_config_error(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "fuzz.toml"
    path.write_bytes(raw)
    load_or_config_error(path)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=documents)
def test_generated_config_through_config_show(runner: CliRunner, tmp_path: Path, doc: dict[str, Any]) -> None:
    path = tmp_path / "fuzz.toml"
    path.write_text(tomli_w.dumps(doc))
    result = invoke(runner, "config", "show", "--config", str(path))
    assert result.exit_code in (0, 78)
    if result.exit_code == 78:
        assert result.stderr.startswith(f"outagecheck: error: {path}: ")
        assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"timeout = 1e400\n", id="huge-float"),
        pytest.param(b"timeout = " + b"9" * 5000 + b"\n", id="huge-int"),
        pytest.param(b"\xff\xfe t\x00i\x00", id="not-utf8"),
        pytest.param(b"[endpoints]\napi = 'https://[::1'\n", id="bad-ipv6"),
        pytest.param(b"[endpoints]\napi = 'https://h:0x50'\n", id="bad-port"),
        pytest.param(b"[[endpoints]]\napi = 1\n", id="array-of-tables"),
        pytest.param(b"timeout = " + b"[" * 100_000 + b"\n", id="nested-deep"),
    ],
)
def test_bad_config_through_the_cli_is_one_line_and_78(runner: CliRunner, tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "bad.toml"
    path.write_bytes(raw)
    result = invoke(runner, "status", "--config", str(path))
    assert result.exit_code == 78
    assert result.stderr.startswith(f"outagecheck: error: {path}: ")
    assert result.stderr.count("\n") == 1
