"""`status --deep` and `--model`: one paid POST per model, only when asked, classified, and incidents by model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pytest_httpx import HTTPXMock
from typer.testing import CliRunner

from tests.helpers import (
    API_HELLO,
    API_MODELS,
    FIXTURES,
    OAUTH_HELLO,
    PAGE_PATH,
    STATUS,
    TEST_KEY,
    WEB,
    invoke,
    loopback_config,
    real_sockets,
    summary,
)
from tests.loopback import LoopbackServer

MESSAGES_PATH = "/api/v1/messages"
MODELS_PATH = "/api/v1/models?limit=1"
MESSAGES = "https://api.anthropic.com/v1/messages"
MODELS_OK: dict[str, Any] = {"data": [{"id": "claude-haiku-4-5", "type": "model"}], "has_more": False}
REPLY = {"type": "message", "role": "assistant", "content": [{"type": "text", "text": "Hi"}], "stop_reason": "end_turn"}


def _error(kind: str, message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": kind, "message": message}}


def _credit_balance() -> bytes:
    """The real 400 from anthropics/claude-code#66314 (tests/fixtures/real)."""
    doc = json.loads((FIXTURES / "real" / "anthropic-credit-balance-400.json").read_text())
    return str(doc["body"]).encode()


def _status(runner: CliRunner, cfg: Path | None, *args: str) -> dict[str, Any]:
    config = ("--config", str(cfg)) if cfg else ()
    result = invoke(runner, "status", "--json", *config, *args)
    assert result.exit_code in (0, 1, 2, 3), result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def _api(doc: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = next(s for s in doc["surfaces"] if s["id"] == "api")
    return row


def _deep(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["endpoint"]: e for e in _api(doc)["evidence"] if e["endpoint"].startswith("api_deep:")}


def _posts(server: LoopbackServer) -> list[dict[str, str]]:
    return [h for _, p, h in server.requests if h[":method"] == "POST"]


@pytest.fixture
def keyed(monkeypatch: pytest.MonkeyPatch, loopback: LoopbackServer) -> LoopbackServer:
    monkeypatch.setenv("ANTHROPIC_API_KEY", TEST_KEY)
    loopback.route(MODELS_PATH, json=MODELS_OK)
    return loopback


def test_deep_credit_balance_is_billing_limit_and_no_fallback(
    runner: CliRunner, tmp_path: Path, keyed: LoopbackServer
) -> None:
    keyed.route(MESSAGES_PATH, status=400, body=_credit_balance(), headers={"content-type": "application/json"})
    doc = _status(runner, loopback_config(tmp_path, keyed), "--deep")
    deep = _deep(doc)["api_deep:claude-haiku-4-5"]
    assert deep["reason"] == "billing_limit"
    assert "credit balance is too low" in deep["detail"]
    assert doc["fallback"]["available"] is False
    assert any("add credit" in w for w in doc["warnings"])
    # The API answered: it is up, only this key's organisation can't pay.
    assert _api(doc)["status"] == "operational"
    (post,) = _posts(keyed)
    assert post["x-api-key"] == TEST_KEY
    assert post["content-type"] == "application/json"
    (sent,) = [json.loads(b) for p, b in keyed.bodies if p == MESSAGES_PATH]
    assert sent == {"model": "claude-haiku-4-5", "max_tokens": 1, "messages": [{"role": "user", "content": "ping"}]}


def test_deep_ok_keeps_the_fallback(runner: CliRunner, tmp_path: Path, keyed: LoopbackServer) -> None:
    keyed.route(MESSAGES_PATH, json=REPLY)
    doc = _status(runner, loopback_config(tmp_path, keyed), "--deep")
    assert _deep(doc)["api_deep:claude-haiku-4-5"]["reason"] == "ok"
    assert _api(doc)["status"] == "operational"
    assert doc["fallback"]["available"] is True
    assert "--deep claude-haiku-4-5: ok: HTTP 200" in doc["notes"]


def test_deep_model_not_found(runner: CliRunner, tmp_path: Path, keyed: LoopbackServer) -> None:
    keyed.route(MESSAGES_PATH, status=404, json=_error("not_found_error", "model: claude-nope-9"))
    doc = _status(runner, loopback_config(tmp_path, keyed), "--deep", "--model", "claude-nope-9")
    assert _deep(doc)["api_deep:claude-nope-9"]["reason"] == "model_not_found"
    assert any(n.startswith("--deep claude-nope-9: model_not_found: HTTP 404 not_found_error") for n in doc["notes"])
    sent = json.loads(next(b for p, b in keyed.bodies if p == MESSAGES_PATH))
    assert sent["model"] == "claude-nope-9"


def test_an_overloaded_deep_check_is_sent_once(runner: CliRunner, tmp_path: Path, keyed: LoopbackServer) -> None:
    # A 529 with a short retry-after would be retried for a GET; a billed POST never is.
    overloaded = _error("overloaded_error", "Overloaded")
    keyed.route(MESSAGES_PATH, status=529, json=overloaded, headers={"retry-after": "0"})
    doc = _status(runner, loopback_config(tmp_path, keyed), "--deep", "--model", "claude-sonnet-4-5")
    assert _deep(doc)["api_deep:claude-sonnet-4-5"]["reason"] == "overloaded"
    assert _api(doc)["status"] == "degraded"
    assert doc["exit_code"] == 1
    assert len(_posts(keyed)) == 1


def test_deep_permission_and_auth(runner: CliRunner, tmp_path: Path, keyed: LoopbackServer) -> None:
    keyed.route(MESSAGES_PATH, status=403, json=_error("permission_error", "Request not allowed"))
    doc = _status(runner, loopback_config(tmp_path, keyed), "--deep")
    assert _deep(doc)["api_deep:claude-haiku-4-5"]["reason"] == "permission"
    assert _api(doc)["status"] == "unknown"
    assert doc["fallback"]["available"] is False
    keyed.route(MESSAGES_PATH, status=401, json=_error("authentication_error", "invalid x-api-key"))
    doc = _status(runner, loopback_config(tmp_path, keyed), "--deep")
    assert _deep(doc)["api_deep:claude-haiku-4-5"]["reason"] == "auth"
    assert any("rejected your ANTHROPIC_API_KEY" in w for w in doc["warnings"])


def test_one_model_overloaded_while_another_answers(runner: CliRunner, httpx_mock: HTTPXMock) -> None:
    # pytest-httpx tells the two POSTs apart by their body; the loopback server answers by path only.
    httpx_mock.add_response(url=WEB, text="<html>Claude</html>")
    httpx_mock.add_response(url=OAUTH_HELLO, json={"message": "hello"})
    httpx_mock.add_response(url=API_HELLO, json={"message": "hello"})
    httpx_mock.add_response(url=API_MODELS, json=MODELS_OK)
    httpx_mock.add_response(url=STATUS, json=summary())
    overloaded = _error("overloaded_error", "Overloaded")
    for model, status, body in (("claude-opus-4-1", 529, overloaded), ("claude-haiku-4-5", 200, REPLY)):
        httpx_mock.add_response(
            url=MESSAGES, method="POST", match_json={"model": model, "max_tokens": 1, "messages": [
                {"role": "user", "content": "ping"}]}, status_code=status, json=body,
        )  # fmt: skip
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ANTHROPIC_API_KEY", TEST_KEY)
        doc = _status(runner, None, "--deep", "--model", "claude-opus-4-1", "--model", "claude-haiku-4-5")
    deep = _deep(doc)
    assert deep["api_deep:claude-opus-4-1"]["reason"] == "overloaded"
    assert deep["api_deep:claude-haiku-4-5"]["reason"] == "ok"
    assert _api(doc)["status"] == "degraded"


def test_deep_without_a_key_says_so_and_sends_nothing(
    runner: CliRunner, tmp_path: Path, loopback: LoopbackServer
) -> None:
    loopback.route(MESSAGES_PATH, json=REPLY)
    doc = _status(runner, loopback_config(tmp_path, loopback), "--deep")
    deep = _deep(doc)["api_deep:claude-haiku-4-5"]
    assert deep["reason"] == "missing_env"
    assert deep["detail"] == "--deep needs ANTHROPIC_API_KEY; nothing was sent"
    assert _posts(loopback) == []
    assert MESSAGES_PATH not in loopback.paths()


def test_no_post_without_deep(runner: CliRunner, tmp_path: Path, keyed: LoopbackServer) -> None:
    keyed.route(MESSAGES_PATH, json=REPLY)
    doc = _status(runner, loopback_config(tmp_path, keyed), "--model", "claude-haiku-4-5")
    assert _deep(doc) == {}
    assert MODELS_PATH in keyed.paths()  # the key was there, and only the free check used it
    assert _posts(keyed) == []


def test_deep_is_never_sent_in_clear_to_another_host(
    runner: CliRunner, tmp_path: Path, keyed: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The api base is plain http to another name for this machine: the key rules withhold it, as for /v1/models.
    keyed.route(MESSAGES_PATH, json=REPLY)
    cfg = loopback_config(tmp_path, keyed, api=keyed.url.replace("127.0.0.1", "127.0.0.2") + "/api")
    doc = _status(runner, cfg, "--deep")
    assert _deep(doc)["api_deep:claude-haiku-4-5"]["reason"] == "key_withheld"
    assert _posts(keyed) == []


def _incident(name: str, *components: str) -> dict[str, Any]:
    return {
        "id": name.replace(" ", "-").lower(),
        "name": name,
        "status": "investigating",
        "impact": "minor",
        "components": [{"name": c} for c in components],
        "incident_updates": [],
    }


def test_model_filters_incidents(runner: CliRunner, tmp_path: Path, loopback: LoopbackServer) -> None:
    page = summary()
    page["incidents"] = [
        _incident("Elevated errors on Claude Sonnet 4.5"),
        _incident("Elevated errors on Claude Haiku 4.5"),
        _incident("Increased latency", "Claude Opus 4.1"),
        _incident("Elevated errors on claude.ai", "claude.ai"),
    ]
    loopback.route(PAGE_PATH, json=page)
    cfg = loopback_config(tmp_path, loopback)
    names = [i["name"] for i in _status(runner, cfg, "--model", "claude-sonnet-4-5")["incidents"]]
    assert names == ["Elevated errors on Claude Sonnet 4.5", "Elevated errors on claude.ai"]
    both = _status(runner, cfg, "--model", "claude-haiku-4-5", "--model", "claude-opus-4-1")["incidents"]
    assert [i["name"] for i in both] == [
        "Elevated errors on Claude Haiku 4.5",
        "Increased latency",
        "Elevated errors on claude.ai",
    ]
    assert len(_status(runner, cfg)["incidents"]) == 4


def test_a_model_id_that_is_not_one_is_a_usage_error(runner: CliRunner) -> None:
    result = invoke(runner, "status", "--deep", "--model", "claude haiku\n")
    assert result.exit_code == 64
    assert result.stderr.startswith("outagecheck: error: --model")
    assert result.stderr.count("\n") == 1


def test_model_narrows_a_replayed_reports_incidents_as_a_live_one(
    runner: CliRunner, tmp_path: Path, loopback: LoopbackServer
) -> None:
    page = summary()
    page["incidents"] = [_incident("Elevated errors on Claude Sonnet 4.5"), _incident("Elevated errors on Haiku 4.5")]
    loopback.route(PAGE_PATH, json=page)
    saved = tmp_path / "saved.json"
    saved.write_text(json.dumps(_status(runner, loopback_config(tmp_path, loopback))))
    assert len(_status(runner, None, "--replay", str(saved))["incidents"]) == 2
    narrowed = _status(runner, None, "--replay", str(saved), "--model", "claude-haiku-4-5")
    assert [i["name"] for i in narrowed["incidents"]] == ["Elevated errors on Haiku 4.5"]


def test_deep_and_replay_on_one_command_line_is_a_usage_error(runner: CliRunner) -> None:
    result = invoke(runner, "status", "--deep", "--replay", "march-2026")
    assert result.exit_code == 64
    assert result.stderr == "outagecheck: error: --deep sends a request and --replay sends none: use one\n"


def test_a_drill_of_a_deep_pipeline_replays_and_says_nothing_was_sent(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    # $OUTAGECHECK_REPLAY drills a pipeline without editing it, and that pipeline may run --deep.
    monkeypatch.setenv("OUTAGECHECK_REPLAY", "march-2026")
    monkeypatch.setenv("ANTHROPIC_API_KEY", TEST_KEY)
    doc = _status(runner, None, "--deep")
    assert doc["exit_code"] == 2
    assert "--deep sent nothing: $OUTAGECHECK_REPLAY replays scenario march-2026" in doc["warnings"]


@real_sockets
def test_wait_deep_waits_until_the_model_answers(runner: CliRunner, tmp_path: Path, keyed: LoopbackServer) -> None:
    """`wait --deep --model M`: block a job until that model stops answering 529, one POST per check."""
    keyed.route(MESSAGES_PATH, status=529, json=_error("overloaded_error", "Overloaded"), times=2)
    keyed.then(MESSAGES_PATH, json=REPLY)
    cfg = loopback_config(tmp_path, keyed, timeout=1.0)
    args = ("--require", "api", "--interval", "1", "--max-wait", "30s", "--config", str(cfg), "--json")
    result = invoke(runner, "wait", "--deep", "--model", "claude-opus-4-1", *args)
    assert result.exit_code == 0, result.output
    assert result.stderr.count("outagecheck: waiting: api degraded") == 2
    assert _deep(json.loads(result.stdout))["api_deep:claude-opus-4-1"]["reason"] == "ok"
    assert [json.loads(b)["model"] for p, b in keyed.bodies if p == MESSAGES_PATH] == ["claude-opus-4-1"] * 3


@real_sockets
def test_watch_deep_checks_the_model_on_every_check(
    runner: CliRunner, tmp_path: Path, keyed: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    keyed.route(MESSAGES_PATH, json=REPLY, times=1)
    keyed.then(MESSAGES_PATH, status=529, json=_error("overloaded_error", "Overloaded"))
    monkeypatch.setattr("outagecheck.output.live.time.sleep", lambda _: None)
    cfg = loopback_config(tmp_path, keyed, timeout=1.0)
    result = invoke(runner, "watch", "--deep", "--interval", "5", "--count", "2", "--config", str(cfg))
    assert len(_posts(keyed)) == 2
    changed = [line.split(" ", 1)[1] for line in result.stdout.splitlines()[3:]]
    assert len(changed) == 1
    assert changed[0].startswith("api: operational -> degraded"), changed
    assert "overloaded" in changed[0]
