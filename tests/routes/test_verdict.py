"""What one provider answer says about a route: health, and the blocker (claude-routes §8.5's table)."""

from __future__ import annotations

import json

import pytest

from outagecheck.checks.http import Answer
from outagecheck.model import Status
from outagecheck.routes.model import Blocker, Kind, Route
from outagecheck.routes.probes import Call
from outagecheck.routes.verdict import billed_to, judge, shares_fate

PER_MODEL = Call(
    "count_tokens:haiku", "POST", "https://bedrock-runtime.us-east-1.amazonaws.com/model/x/count-tokens", role="haiku"
)
LISTING = Call("models", "GET", "https://gw.example/v1/models")
KEY = Call("key", "GET", "https://openrouter.ai/api/v1/key")


def answer(code: int, doc: object = None, **headers: str) -> Answer:
    body = json.dumps(doc).encode() if doc is not None else b""
    return Answer(code, {"content-type": "application/json", **headers}, 0.1, [body])


def anthropic_error(kind: str, message: str) -> dict[str, object]:
    return {"type": "error", "error": {"type": kind, "message": message}}


def google_error(code: int, status: str, message: str) -> dict[str, object]:
    return {"error": {"code": code, "status": status, "message": message}}


EXPIRED = {"message": "The security token included in the request is expired"}
IAM = {"message": "User is not authorized to perform: bedrock:CountTokens"}
SHARING = google_error(403, "PERMISSION_DENIED", "Access to this model requires data sharing to be enabled")
NOT_ALLOWED = google_error(400, "FAILED_PRECONDITION", "Project 1 is not allowed to use Publisher Model")
BARE_ID = {"message": "Invocation of model ID anthropic.claude-x with on-demand throughput isn't supported."}
QUOTA = google_error(429, "RESOURCE_EXHAUSTED", "Quota exceeded")
THROTTLED = {"x-amzn-errortype": "ThrottlingException"}
BAD_KEY = anthropic_error("authentication_error", "invalid x-api-key")
NO_CREDIT = anthropic_error("invalid_request_error", "Your credit balance is too low to access the Anthropic API.")
OVERLOADED = anthropic_error("overloaded_error", "Overloaded")
OK, DEGRADED, DOWN, UNKNOWN = Status.OPERATIONAL, Status.DEGRADED, Status.DOWN, Status.UNKNOWN


@pytest.mark.parametrize(
    ("call", "got", "status", "reason", "blocker"),
    [
        pytest.param(PER_MODEL, answer(200, {"inputTokens": 8}), OK, "ok", None, id="ok"),
        pytest.param(PER_MODEL, answer(403, EXPIRED), UNKNOWN, "credentials_rejected", Blocker.CREDENTIALS_EXPIRED,
                     id="aws-expired-token"),
        pytest.param(PER_MODEL, answer(403, IAM), UNKNOWN, "access_denied", Blocker.ACCESS_DENIED, id="iam-denied"),
        pytest.param(PER_MODEL, answer(403, SHARING), UNKNOWN, "model_not_enabled", Blocker.MODEL_NOT_ENABLED,
                     id="vertex-data-sharing"),
        pytest.param(PER_MODEL, answer(400, NOT_ALLOWED), UNKNOWN, "model_not_enabled", Blocker.MODEL_NOT_ENABLED,
                     id="vertex-not-allowed"),
        pytest.param(PER_MODEL, answer(400, BARE_ID), OK, "model_not_found", Blocker.MODEL_NOT_FOUND,
                     id="bedrock-needs-inference-profile"),
        pytest.param(PER_MODEL, answer(404, {"message": "Publisher model not found in us-east5"}), OK,
                     "model_not_found", Blocker.MODEL_NOT_FOUND, id="model-not-in-region"),
        pytest.param(PER_MODEL, answer(429, QUOTA), DEGRADED, "rate_limited", Blocker.QUOTA, id="vertex-quota"),
        pytest.param(PER_MODEL, answer(429, {"message": "Too many requests"}, **THROTTLED), DEGRADED, "rate_limited",
                     None, id="throttled-is-degraded-not-blocked"),
        pytest.param(LISTING, answer(401, BAD_KEY), UNKNOWN, "credentials_rejected", Blocker.ACCESS_DENIED,
                     id="401-is-unknown-not-operational"),
        pytest.param(LISTING, answer(400, NO_CREDIT), OK, "no_credit", Blocker.NO_CREDIT, id="anthropic-no-credit"),
        pytest.param(KEY, answer(402, {"error": {"code": 402, "message": "Insufficient credits"}}), OK, "no_credit",
                     Blocker.NO_CREDIT, id="openrouter-402"),
        pytest.param(KEY, answer(200, {"data": {"limit": None, "limit_remaining": None}}), OK, "ok", None,
                     id="openrouter-no-limit"),
        pytest.param(LISTING, answer(404, {"detail": "Not Found"}), UNKNOWN, "not_found", None,
                     id="listing-404-is-the-url"),
        pytest.param(LISTING, answer(503), DOWN, "http_5xx", None, id="5xx-down"),
        pytest.param(LISTING, answer(529, OVERLOADED), DEGRADED, "overloaded", None, id="529-degraded"),
    ],
)  # fmt: skip
def test_judge(call: Call, got: Answer, status: Status, reason: str, blocker: Blocker | None) -> None:
    evidence, found = judge(call, got, slow_s=3.0)
    assert (evidence.status, evidence.reason, found) == (status, reason, blocker)


def test_shared_fate_and_who_pays() -> None:
    assert shares_fate(Route("a", Kind.ANTHROPIC)) == ("api",)
    assert shares_fate(Route("p", Kind.ANTHROPIC_AWS, workspace="wrkspc_1")) == ("api",)
    assert shares_fate(
        Route("cf", Kind.GATEWAY, base_url="https://gateway.ai.cloudflare.com/v1/acct/gw/anthropic")
    ) == ("api",)
    assert shares_fate(Route("corp", Kind.GATEWAY, base_url="https://llm-gw.example.com")) == ()
    assert shares_fate(Route("or", Kind.OPENROUTER)) == ()
    assert shares_fate(Route("b", Kind.BEDROCK)) == ()
    assert billed_to(Route("v", Kind.VERTEX, project="acme-ai")) == "GCP project acme-ai"
    assert billed_to(Route("b", Kind.BEDROCK, profile="prod")) == "the AWS account of profile prod"
