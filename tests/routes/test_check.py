"""`routes check` end to end against loopback fakes of each provider: the requests' auth shape, the verdicts,
usability, who pays and shared fate, under one deadline."""

from __future__ import annotations

import base64
import json
import os
import time
from pathlib import Path

import pytest

from outagecheck.model import Status
from outagecheck.routes import check
from outagecheck.routes.creds import Creds
from outagecheck.routes.model import Blocker, Kind, Route, RouteResult
from tests.cloudfakes import Fake, Request, anthropic, bearer, bedrock, reply, signed

HAIKU = "us.anthropic.claude-haiku-4-5-20251001-v1:0"
SONNET = "us.anthropic.claude-sonnet-4-6"


def run(
    *routes: Route, timeout: float = 5.0, failing: frozenset[str] = frozenset(), current: str | None = None
) -> tuple[RouteResult, ...]:
    return check.run(routes, check.Settings(timeout, dict(os.environ), failing=failing, current=current))


def test_bedrock_signs_with_sigv4_and_checks_each_pinned_model(aws_keys: tuple[str, str, str]) -> None:
    with Fake(bedrock(aws_keys)) as fake:
        route = Route(
            "bedrock-us",
            Kind.BEDROCK,
            region="us-east-1",
            base_url=fake.url,
            models=(("sonnet", SONNET), ("haiku", HAIKU)),
        )
        (result,) = run(route)
    assert result.status is Status.OPERATIONAL
    assert result.blocker is None
    assert result.usable == "ok"
    assert sorted(fake.paths()) == sorted(
        [
            "/inference-profiles?maxResults=1&typeEquals=SYSTEM_DEFINED",
            "/model/us.anthropic.claude-sonnet-4-6/count-tokens",
            "/model/us.anthropic.claude-haiku-4-5-20251001-v1%3A0/count-tokens",
        ]
    )
    count = next(r for r in fake.requests if "haiku" in r.path)
    invoke = json.loads(base64.b64decode(json.loads(count.body)["input"]["invokeModel"]["body"]))
    assert invoke["max_tokens"] == 1
    assert invoke["anthropic_version"] == "bedrock-2023-05-31"
    assert result.billed_to == "the AWS account of the default AWS credentials"
    assert result.shares_fate_with == ()


def test_bedrock_with_wrong_keys_is_unknown_and_access_denied(
    monkeypatch: pytest.MonkeyPatch, aws_keys: tuple[str, str, str]
) -> None:
    with Fake(bedrock(("AKIDOTHER00000000000", "other-secret", None))) as fake:
        monkeypatch.setenv("AWS_SESSION_TOKEN", aws_keys[2])
        (result,) = run(Route("b", Kind.BEDROCK, base_url=fake.url))
    assert result.status is Status.UNKNOWN  # a 403 for our credentials says nothing about Bedrock's health
    assert result.blocker is Blocker.ACCESS_DENIED
    assert "signature" in result.detail


def test_a_model_not_enabled_and_one_not_found_name_the_first_blocker(aws_keys: tuple[str, str, str]) -> None:
    answers = {
        SONNET: reply(403, {"message": "You don't have access to the model with the specified model ID."}),
        HAIKU: reply(404, {"message": "The provided model identifier is invalid."}),
    }
    with Fake(bedrock(aws_keys, answers)) as fake:
        route = Route("b", Kind.BEDROCK, base_url=fake.url, models=(("sonnet", SONNET), ("haiku", HAIKU)))
        (result,) = run(route)
    assert result.blocker is Blocker.MODEL_NOT_ENABLED
    reasons = {e.endpoint: e.reason for e in result.evidence}
    assert reasons == {
        "list_profiles": "ok",
        "count_tokens:sonnet": "model_not_enabled",
        "count_tokens:haiku": "model_not_found",
    }


@pytest.mark.parametrize(
    ("kind", "service"), [(Kind.MANTLE, "bedrock-mantle"), (Kind.ANTHROPIC_AWS, "aws-external-anthropic")]
)
def test_mantle_and_claude_platform_on_aws_sign_for_their_own_service(
    aws_keys: tuple[str, str, str], kind: Kind, service: str
) -> None:
    with Fake(signed(service, aws_keys, "us-west-2", reply(200, {"data": [], "input_tokens": 8}))) as fake:
        (result,) = run(
            Route(
                "r",
                kind,
                region="us-west-2",
                base_url=fake.url,
                workspace="wrkspc_01abc" if kind is Kind.ANTHROPIC_AWS else None,
            )
        )
    assert result.status is Status.OPERATIONAL, result.detail
    (req,) = fake.requests
    if kind is Kind.ANTHROPIC_AWS:
        assert req.path == "/v1/models?limit=1"
        assert req.headers["anthropic-workspace-id"] == "wrkspc_01abc"
        assert result.shares_fate_with == ("api",)
    else:
        assert req.path == "/v1/messages/count_tokens"
        assert json.loads(req.body)["model"] == "anthropic.claude-haiku-4-5"


def test_bedrock_api_key_goes_as_bearer_instead_of_sigv4(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", "bedrock-api-key-0123456789abcdef")
    with Fake(bearer("bedrock-api-key-0123456789abcdef", reply(200, {"inputTokens": 8}))) as fake:
        (result,) = run(Route("b", Kind.BEDROCK, base_url=fake.url))
    assert result.status is Status.OPERATIONAL
    assert all("AWS4-HMAC" not in r.headers.get("authorization", "") for r in fake.requests)


def test_vertex_sends_the_adc_token_as_bearer_to_count_tokens(
    monkeypatch: pytest.MonkeyPatch, tmp_path: os.PathLike[str]
) -> None:
    monkeypatch.setattr(
        "outagecheck.routes.clouds.gcp",
        lambda route, environ, budget: Creds(
            headers=(("authorization", "Bearer ya29.vertex-token-0123456789"),), source="test"
        ),
    )
    with Fake(bearer("ya29.vertex-token-0123456789", reply(200, {"input_tokens": 8}))) as fake:
        route = Route(
            "v",
            Kind.VERTEX,
            project="acme-ai",
            region="global",
            base_url=f"{fake.url}/v1",
            models=(("haiku", "claude-haiku-4-5@20251001"),),
        )
        (result,) = run(route)
    assert result.status is Status.OPERATIONAL
    assert fake.paths() == ["/v1/projects/acme-ai/locations/global/publishers/anthropic/models/count-tokens:rawPredict"]
    assert json.loads(fake.requests[0].body)["model"] == "claude-haiku-4-5@20251001"
    assert result.billed_to == "GCP project acme-ai"


def test_foundry_key_goes_as_api_key_and_a_route_without_a_pin_checks_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_FOUNDRY_API_KEY", "foundry-key-0123456789abcdef")
    with Fake(bearer("foundry-key-0123456789abcdef", reply(200, {"input_tokens": 8}), header="api-key")) as fake:
        pinned = Route(
            "f",
            Kind.FOUNDRY,
            base_url=f"{fake.url}/anthropic",
            models=(("sonnet", "my-sonnet"),),
            status_feed=f"{fake.url}/feed",
        )
        bare = Route("g", Kind.FOUNDRY, base_url=f"{fake.url}/anthropic", status_feed=f"{fake.url}/feed")
        ok, unpinned = run(pinned, bare)
    assert ok.status is Status.OPERATIONAL
    assert "/anthropic/v1/messages/count_tokens" in fake.paths()
    assert ok.detail.endswith("; status feed: HTTP 401")  # a feed that gave no signal says so
    assert unpinned.status is Status.UNKNOWN
    assert unpinned.evidence == ()


def test_gateway_without_v1_models_falls_back_to_count_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_AUTH_TOKEN", "gw-token-0123456789abcdef")
    answers = {"/v1/models": reply(404, {"type": "error", "error": {"type": "not_found_error", "message": "no"}})}
    with Fake(anthropic("gw-token-0123456789abcdef", answers)) as fake:
        (result,) = run(Route("gw", Kind.GATEWAY, base_url=fake.url))
    assert result.status is Status.OPERATIONAL
    assert [e.endpoint for e in result.evidence] == ["count_tokens:default"]
    assert fake.requests[-1].headers["authorization"] == "Bearer gw-token-0123456789abcdef"


def test_a_litellm_gateway_is_also_checked_on_liveliness_and_readiness_never_health() -> None:
    route = Route("lite", Kind.GATEWAY, key_command="printf lite-key-0123456789abcdef", base_url="")
    with Fake(anthropic("lite-key-0123456789abcdef", litellm=True)) as fake:
        (result,) = run(Route(route.name, route.kind, key_command=route.key_command, base_url=fake.url))
    assert result.status is Status.OPERATIONAL
    assert sorted(e.endpoint for e in result.evidence) == ["liveliness", "models", "readiness"]
    assert "/health" not in fake.paths()
    models = next(r for r in fake.requests if r.path.startswith("/v1/models"))
    assert models.headers["x-api-key"] == "lite-key-0123456789abcdef"  # apiKeyHelper: both headers
    assert models.headers["authorization"] == "Bearer lite-key-0123456789abcdef"


def test_openrouter_key_without_credit_is_up_but_not_usable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_AUTH_TOKEN", "sk-or-v1-0123456789abcdef")
    # The shape of GET /api/v1/key (openrouter.ai API reference, "Get current API key").
    doc = {
        "data": {"label": "sk-or-v1-012...def", "limit": 10, "usage": 10.0, "limit_remaining": 0, "is_free_tier": False}
    }
    with Fake(bearer("sk-or-v1-0123456789abcdef", reply(200, doc))) as fake:
        (result,) = run(Route("or", Kind.OPENROUTER, base_url=f"{fake.url}/api"))
    assert fake.paths() == ["/api/v1/key"]
    assert result.status is Status.OPERATIONAL
    assert result.blocker is Blocker.NO_CREDIT
    assert result.shares_fate_with == ()


def test_no_credentials_is_a_blocker_and_sends_nothing() -> None:
    with Fake(anthropic("unused-key-0123456789abcdef")) as fake:
        (result,) = run(Route("api", Kind.ANTHROPIC, base_url=fake.url))
    assert fake.requests == []
    assert (result.status, result.blocker) == (Status.UNKNOWN, Blocker.NO_CREDENTIALS)
    assert "key_command" in result.detail


def test_a_proxy_block_page_is_unknown_answered_by_the_network_never_down(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-0123456789abcdef")
    page = b"<html><title>Access Denied</title>Zscaler has blocked this site per your organization's policy</html>"
    with Fake(lambda req: (403, {"content-type": "text/html", "server": "Zscaler/6.2"}, page)) as fake:
        (result,) = run(Route("api", Kind.ANTHROPIC, base_url=fake.url))
    assert result.status is Status.UNKNOWN
    (e,) = result.evidence
    assert e.answered_by in ("web_filter", "local_proxy")
    assert result.blocker is None


def test_api_route_shares_the_apis_fate_when_the_api_is_failing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-0123456789abcdef")
    with Fake(anthropic("sk-ant-test-0123456789abcdef")) as fake:
        (result,) = run(Route("api", Kind.ANTHROPIC, base_url=fake.url), failing=frozenset({"api"}), current="api")
    assert result.status is Status.OPERATIONAL
    assert result.blocker is Blocker.SHARES_FATE
    assert result.current is True


def test_server_errors_are_down_and_every_route_finishes_within_one_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-0123456789abcdef")

    def slow(req: object) -> tuple[int, dict[str, str], bytes]:
        time.sleep(3)
        return reply(200, {})

    with Fake(lambda req: reply(503, b"")) as broken, Fake(slow) as hung:
        start = time.monotonic()
        down, late = run(
            Route("a", Kind.ANTHROPIC, base_url=broken.url), Route("b", Kind.ANTHROPIC, base_url=hung.url), timeout=1.0
        )
        took = time.monotonic() - start
    assert down.status is Status.DOWN
    assert late.status is Status.DOWN
    assert late.evidence[0].reason == "timeout"
    assert took < 2.5  # one deadline for all, not one per route


def test_a_credential_lookup_stuck_on_the_network_is_left_behind_at_the_deadline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(check, "resolve", lambda route, environ, budget: time.sleep(10))  # an SSO refresh that hangs
    start = time.monotonic()
    (result,) = run(Route("b", Kind.BEDROCK, base_url="http://127.0.0.1:9"), timeout=0.5)
    assert time.monotonic() - start < 2
    assert (result.status, result.blocker) == (Status.UNKNOWN, Blocker.NO_CREDENTIALS)
    assert result.detail.startswith("credentials not resolved within 0.5 s")


def test_a_cloud_librarys_own_error_is_a_result_never_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(route: Route, environ: object, budget: float) -> Creds:
        raise ValueError("Invalid endpoint: https://sts..amazonaws.com")

    monkeypatch.setattr(check, "resolve", broken)
    (result,) = run(Route("b", Kind.BEDROCK, base_url="http://127.0.0.1:9"))
    assert result.blocker is Blocker.NO_CREDENTIALS
    assert result.detail.startswith(
        "credential lookup failed: ValueError: Invalid endpoint: https://sts..amazonaws.com"
    )


def test_an_open_provider_incident_in_the_routes_region_makes_it_degraded(aws_keys: tuple[str, str, str]) -> None:
    capture = Path(__file__).parent.parent / "fixtures" / "feeds" / "aws-currentevents.json"
    (event,) = json.loads(capture.read_bytes().decode("utf-16"))
    event["arn"] = event["arn"].replace("me-central-1", "us-east-1")
    event["service"] = "bedrock-us-east-1"
    feed = json.dumps([event]).encode("utf-16")  # served as AWS serves it: UTF-16 with a BOM
    signed_api = bedrock(aws_keys)

    def handle(req: Request) -> tuple[int, dict[str, str], bytes]:
        if req.path == "/public/currentevents":
            return 200, {"content-type": "application/json;charset=utf-16"}, feed
        return signed_api(req)

    with Fake(handle) as fake:
        route = Route(
            "b", Kind.BEDROCK, region="us-east-1", base_url=fake.url, status_feed=f"{fake.url}/public/currentevents"
        )
        (result,) = run(route)
    assert (result.status, result.reason) == (Status.DEGRADED, "provider_incident")
    assert result.feed_incidents == ("AWS Health: Multiple services (us-east-1): Increased Error Rates",)
    assert result.status_feed == f"{fake.url}/public/currentevents"
    assert result.blocker is None  # still usable: the incident is the provider's, the route answers


def test_a_route_without_region_takes_claude_codes_from_the_environment(
    aws_keys: tuple[str, str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_REGION", "not a region")  # unset for Claude Code: the next one counts
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    with Fake(bedrock(aws_keys, region="eu-west-1")) as fake:  # the fake checks the signature's region
        (result,) = run(Route("b", Kind.BEDROCK, base_url=fake.url))
    assert result.status is Status.OPERATIONAL
    assert result.route.region == "eu-west-1"
    assert "eu.anthropic.claude-haiku-4-5" in " ".join(fake.paths())  # the default pin in the region's form


def test_deep_sends_one_signed_paid_invoke_per_pin(aws_keys: tuple[str, str, str]) -> None:
    invoke = signed("bedrock", aws_keys, "us-east-1", reply(200, {"usage": {"output_tokens": 1}}))
    free = bedrock(aws_keys)

    def handle(req: Request) -> tuple[int, dict[str, str], bytes]:
        return invoke(req) if req.path.endswith("/invoke") else free(req)

    with Fake(handle) as fake:
        route = Route("b", Kind.BEDROCK, base_url=fake.url, models=(("haiku", HAIKU),))
        (result,) = check.run((route,), check.Settings(5.0, dict(os.environ), deep=True))
    (paid,) = [r for r in fake.requests if r.path.endswith("/invoke")]
    assert paid.path == "/model/us.anthropic.claude-haiku-4-5-20251001-v1%3A0/invoke"
    assert json.loads(paid.body)["max_tokens"] == 1
    assert paid.headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE1234567890/")
    assert [e.endpoint for e in result.evidence] == ["list_profiles", "count_tokens:haiku", "deep:haiku"]
