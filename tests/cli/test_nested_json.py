"""JSON nested ~1000 deep (RecursionError in json.loads) from a status page or in an error body is an answer
outagecheck classifies, never exit 70: in status, watch and wait (the --until-recovered watcher runs wait)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from outagecheck.checks.classify import parse_api_error
from outagecheck.checks.intermediaries import contract_met
from outagecheck.checks.statuspage import UnusableSummary, parse_maintenances, parse_summary
from tests.helpers import API_PATH, CF_EDGE, OAUTH_PATH, PAGE_PATH, WEB_PATH, invoke, loopback_config, real_sockets
from tests.loopback import LoopbackServer

DEPTH = 100_000  # far past the interpreter's recursion limit, and still only 200 KB
NESTED = b"[" * DEPTH + b"]" * DEPTH
NESTED_OBJECT = b'{"components": [], "incidents": ' + b'{"a":' * DEPTH + b"1" + b"}" * DEPTH + b"}"


@pytest.mark.parametrize(
    "body", [b"[" * 1000 + b"]" * 1000, NESTED, NESTED_OBJECT], ids=["array-1000-deep", "array", "object"]
)
def test_a_nested_summary_is_unusable_not_a_crash(body: bytes) -> None:
    with pytest.raises(UnusableSummary, match="nested too deeply"):
        parse_summary(body, page_url="https://status.example")
    assert parse_maintenances(body, page_url="https://status.example") == ()


def test_a_nested_body_meets_no_contract_and_is_no_api_error() -> None:
    assert parse_api_error(NESTED) is None
    assert contract_met("hello", NESTED) is False


def serve_nested(server: LoopbackServer) -> None:
    server.route(WEB_PATH, body=b"<html>Claude</html>")
    server.route(OAUTH_PATH, body=NESTED[:4000], headers={"content-type": "application/json"})
    server.route(API_PATH, status=500, body=NESTED[:16000], headers={"content-type": "application/json", **CF_EDGE})
    server.route(PAGE_PATH, body=NESTED, headers={"content-type": "application/json"})


@real_sockets
@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (["status", "--json"], 2),
        (["watch", "--count", "1"], 2),
        (["wait", "--max-wait", "1s", "--interval", "1", "--json"], 2),
    ],
    ids=["status", "watch", "wait"],
)
def test_nested_json_from_every_server_ends_with_a_verdict(
    command: list[str], expected: int, runner: CliRunner, loopback: LoopbackServer, tmp_path: Path
) -> None:
    serve_nested(loopback)
    result = invoke(runner, *command, "--config", str(loopback_config(tmp_path, loopback, timeout=2.0)))
    assert result.exit_code == expected, result.output
    assert "internal error" not in result.output
    if command[0] != "watch":
        doc = json.loads(result.stdout)
        assert (doc["status_page"]["reason"], doc["status_page"]["detail"]) == (
            "bad_summary",
            "unreadable summary: JSON nested too deeply",
        )
        oauth = next(e for s in doc["surfaces"] for e in s["evidence"] if e["endpoint"] == "oauth_hello")
        assert oauth["reason"] == "unexpected_body"
