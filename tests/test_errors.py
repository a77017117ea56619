"""Secrets at the edge: a value that can't be a credential is refused by name, and redact() hides every
secret variable, whole or in pieces, in whatever text it reaches."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from outagecheck.errors import REDACTED, SECRET_VARIABLES, credential, printable, redact, scrub
from outagecheck.model import Evidence, Status
from tests.helpers import TEST_KEY, invoke, loopback_config, real_sockets
from tests.loopback import LoopbackServer

# Keys of every shape, each built from TEST_KEY so the suite-wide sweep sees any whole-key leak.
HALF = len(TEST_KEY) // 2
SHAPES = {
    "newline": f"{TEST_KEY[:HALF]}\n{TEST_KEY[HALF:]}",
    "cr": f"{TEST_KEY[:HALF]}\r{TEST_KEY[HALF:]}",
    "crlf-trailing": f"{TEST_KEY}\r\n",
    "tab": f"{TEST_KEY[:HALF]}\t{TEST_KEY[HALF:]}",
    "nul": f"{TEST_KEY[:HALF]}\0{TEST_KEY[HALF:]}",
    "space-inside": f"{TEST_KEY[:HALF]} {TEST_KEY[HALF:]}",
    "non-ascii": f"{TEST_KEY[:HALF]}é{TEST_KEY[HALF:]}",
    "very-long": TEST_KEY * 100,
    "very-short": TEST_KEY[:12],
}
PROBLEMS = {
    "newline": "contains a line break",
    "cr": "contains a line break",
    "tab": "contains a control character",
    "nul": "contains a control character",
    "space-inside": "contains a space",
    "non-ascii": "contains a non-ASCII character",
    "very-long": f"has an impossible length ({len(TEST_KEY) * 100} characters)",
    "very-short": "has an impossible length (12 characters)",
}


def fragments(key: str) -> list[str]:
    """The pieces of a key that must never appear: each printable run of 8 or more characters."""
    return [f for f in re.split(r"[^\x21-\x7e]+", key) if len(f) >= 8]


@pytest.mark.parametrize("name", SECRET_VARIABLES)
@pytest.mark.parametrize("shape", PROBLEMS)
def test_a_value_that_cannot_be_a_credential_is_named_never_shown(name: str, shape: str) -> None:
    value, problem = credential(name, {name: SHAPES[shape]})
    assert value is None
    assert problem == f"{name} {PROBLEMS[shape]}"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [(TEST_KEY + "  ", TEST_KEY), (TEST_KEY + "\n", TEST_KEY), ("\t" + TEST_KEY + "\r\n", TEST_KEY), ("", None)],
    ids=["trailing-spaces", "trailing-newline", "surrounding-whitespace", "empty"],
)
def test_surrounding_whitespace_is_stripped(raw: str, clean: str | None) -> None:
    assert credential("ANTHROPIC_API_KEY", {"ANTHROPIC_API_KEY": raw}) == (clean, None)


@pytest.mark.parametrize("name", SECRET_VARIABLES)
@pytest.mark.parametrize("shape", [*SHAPES, "plain"])
def test_redact_hides_every_piece_of_every_shape(monkeypatch: pytest.MonkeyPatch, name: str, shape: str) -> None:
    key = SHAPES.get(shape, TEST_KEY)
    monkeypatch.setenv(name, key.replace("\0", ""))  # the environment can't hold a NUL
    key = key.replace("\0", "")
    texts = [
        key,
        f"Illegal header value {key.encode()!r}",  # what httpx says about a header it refuses
        printable(key),
        json.dumps({"detail": key}),
        f"line one {key} line two",
    ]
    for text in texts:
        hidden = redact(text)
        for piece in fragments(key):
            assert piece not in hidden, (shape, text)
        assert REDACTED in hidden


def test_redact_leaves_ordinary_text_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "short")
    assert redact("a short word, HTTP 500") == "a short word, HTTP 500"


def test_scrub_keeps_types_and_redacts_every_string(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAUDE_CODE_OAUTH_TOKEN", TEST_KEY)
    e = Evidence("api", f"https://x/{TEST_KEY}", Status.DOWN, "tls", f"detail {TEST_KEY}")
    clean = scrub((e, [TEST_KEY], {"k": TEST_KEY}))
    assert clean[0].status is Status.DOWN
    assert clean[0].url == f"https://x/{REDACTED}"
    assert clean[0].detail == f"detail {REDACTED}"
    assert clean[1:] == ([REDACTED], {"k": REDACTED})


@real_sockets
@pytest.mark.parametrize("shape", [s for s in PROBLEMS if s != "nul"])  # the environment can't hold a NUL
def test_a_bad_key_is_not_sent_and_the_api_is_not_called_down(
    runner: CliRunner, loopback: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shape: str
) -> None:
    key = SHAPES[shape]
    monkeypatch.setenv("ANTHROPIC_API_KEY", key)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs.txt"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    loopback.route("/api/v1/models?limit=1", json={"data": []})
    result = invoke(runner, "status", "--config", str(loopback_config(tmp_path, loopback)), "--json")
    assert result.exit_code == 0, result.stdout
    doc = json.loads(result.stdout)
    api = next(s for s in doc["surfaces"] if s["id"] == "api")
    models = next(e for e in api["evidence"] if e["endpoint"] == "api_models")
    assert api["status"] == "operational"
    assert (models["status"], models["reason"]) == ("unknown", "bad_credential")
    assert models["detail"] == f"ANTHROPIC_API_KEY {PROBLEMS[shape]}"
    assert any(w.startswith(f"ANTHROPIC_API_KEY {PROBLEMS[shape]}") for w in doc["warnings"])
    assert "/api/v1/models?limit=1" not in loopback.paths()
    for piece in fragments(key):
        for where in (result.stdout, result.stderr, summary.read_text(), outputs.read_text()):
            assert piece not in where


@real_sockets
def test_a_key_with_trailing_whitespace_is_sent_stripped(
    runner: CliRunner, loopback: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", TEST_KEY + " \n")
    loopback.route("/api/v1/models?limit=1", json={"data": []})
    result = invoke(runner, "status", "--config", str(loopback_config(tmp_path, loopback)), "--json")
    assert result.exit_code == 0
    sent = [h for _, p, h in loopback.requests if p == "/api/v1/models?limit=1"]
    assert [h.get("x-api-key") for h in sent] == [TEST_KEY]


@real_sockets
@pytest.mark.parametrize("fmt", ["table", "json", "markdown", "nagios"])
def test_a_secret_in_a_url_is_redacted_in_every_format_and_file(
    runner: CliRunner, loopback: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    # A gateway URL that holds the token (people do paste them into URLs): its row shows the URL.
    monkeypatch.setenv("ANTHROPIC_AUTH_TOKEN", TEST_KEY)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", f"{loopback.url}/gw/{TEST_KEY}")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    loopback.route(f"/gw/{TEST_KEY}", status=500, body=f"bad token {TEST_KEY}".encode())
    cfg = loopback_config(tmp_path, loopback)
    verbose = ["--verbose"] if fmt == "table" else []
    result = invoke(runner, "status", "--config", str(cfg), "--format", fmt, *verbose)
    assert result.exit_code == 2  # the gateway row is down; the sweep (conftest.py) checks output and files
    if fmt == "json":
        gateway = next(s for s in json.loads(result.stdout)["surfaces"] if s["id"] == "gateway")
        assert gateway["evidence"][0]["url"] == f"{loopback.url}/gw/{REDACTED}"
    assert (tmp_path / "summary.md").read_text().count("Gateway") >= 1
