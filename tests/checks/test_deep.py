"""checks/deep.py: what a deep answer means, model families, incidents by model (pure)."""

from __future__ import annotations

import json

import pytest

from outagecheck.checks.classify import Verdict
from outagecheck.checks.deep import classify_deep, family, filter_incidents, request_body
from outagecheck.checks.plan import build_plan
from outagecheck.config import Config
from outagecheck.model import Incident, Status

USUAL = Verdict(Status.DEGRADED, "unexpected_status", "HTTP 401")


def _body(kind: str, message: str = "m") -> bytes:
    return json.dumps({"type": "error", "error": {"type": kind, "message": message}}).encode()


@pytest.mark.parametrize(
    ("code", "body", "reason"),
    [
        (400, _body("invalid_request_error", "Your credit balance is too low to access the API."), "billing_limit"),
        (400, _body("invalid_request_error", "max_tokens: field required"), "unexpected_status"),
        (404, _body("not_found_error", "model: claude-x"), "model_not_found"),
        (529, _body("overloaded_error", "Overloaded"), "overloaded"),
        (529, b"", "overloaded"),
        (403, _body("permission_error"), "permission"),
        (401, _body("authentication_error", "invalid x-api-key"), "auth"),
        # A 401 without the API's error body is not the API's word on the key (a proxy's login page).
        (401, b"<html>Proxy login</html>", "unexpected_status"),
    ],
)
def test_classify_deep(code: int, body: bytes, reason: str) -> None:
    assert classify_deep(code, body, USUAL).reason == reason


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("claude-haiku-4-5", ("haiku", "4.5")),
        ("claude-sonnet-4-5-20250929", ("sonnet", "4.5")),
        ("claude-3-5-haiku-20241022", ("haiku", "3.5")),
        ("claude-opus-4-1", ("opus", "4.1")),
        ("anthropic.claude-sonnet-4-20250514-v1:0", ("sonnet", "4")),
        ("my-fine-tune", None),
    ],
)
def test_family(model: str, expected: tuple[str, str | None] | None) -> None:
    assert family(model) == expected


def _incident(name: str) -> Incident:
    return Incident(name, "investigating", "minor", "", "", "https://status.example/i")


def test_a_model_of_no_known_family_keeps_every_incident() -> None:
    incidents = (_incident("Errors on Claude Sonnet 4.5"), _incident("Errors on claude.ai"))
    assert filter_incidents(incidents, ["my-fine-tune"]) == incidents
    assert filter_incidents(incidents, ["claude-haiku-4-5"]) == incidents[1:]


def test_a_version_must_agree_when_the_incident_names_one() -> None:
    incidents = (_incident("Errors on Claude Sonnet 4"), _incident("Errors on Sonnet models"))
    assert filter_incidents(incidents, ["claude-sonnet-4-5"]) == incidents[1:]
    assert filter_incidents(incidents, ["claude-sonnet-4-20250514"]) == incidents


def test_deep_targets_are_keyed_posts_and_blocked_without_a_key() -> None:
    keyed = build_plan(Config(), {}, api_key="k", deep=("claude-haiku-4-5",))
    (post,) = [t for t in keyed.targets if t.method == "POST"]
    assert (post.key, post.keyed, post.blocked) == ("api_deep:claude-haiku-4-5", True, None)
    assert post.url == "https://api.anthropic.com/v1/messages"
    assert post.body == request_body("claude-haiku-4-5")
    bare = build_plan(Config(), {}, api_key=None, deep=("claude-haiku-4-5",))
    (blocked,) = [t for t in bare.targets if t.method == "POST"]
    assert blocked.blocked_reason == "missing_env"
    assert not [t for t in build_plan(Config(), {}, api_key="k").targets if t.method == "POST"]
