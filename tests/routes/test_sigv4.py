"""The standard-library SigV4 signer gives botocore's Authorization header byte for byte."""

from __future__ import annotations

from datetime import UTC, datetime
from unittest import mock

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from outagecheck.routes.sigv4 import AwsKeys, sign

NOW = datetime(2026, 3, 2, 12, 0, 0, tzinfo=UTC)
COUNT_TOKENS = "https://bedrock-runtime.us-east-1.amazonaws.com/model/us.anthropic.claude-haiku-4-5-20251001-v1%3A0"
JSON = {"content-type": "application/json"}
PLATFORM = {"anthropic-version": "2023-06-01", "anthropic-workspace-id": "wrkspc_01"}
VECTORS = [
    pytest.param(
        "GET", "https://bedrock.us-east-1.amazonaws.com/inference-profiles?typeEquals=SYSTEM_DEFINED&maxResults=1",
        {}, b"", "bedrock", None, id="list-inference-profiles-query-sorted",
    ),
    pytest.param(
        "POST", f"{COUNT_TOKENS}/count-tokens", JSON, b'{"input":{}}', "bedrock", "session-token",
        id="count-tokens-colon-encoded-twice",
    ),
    pytest.param(
        "POST", "https://bedrock-mantle.eu-west-1.api.aws/anthropic/v1/messages/count_tokens",
        {**JSON, "anthropic-version": "2023-06-01"}, b"{}", "bedrock-mantle", None, id="mantle",
    ),
    pytest.param(
        "GET", "https://aws-external-anthropic.us-west-2.api.aws/v1/models?limit=1",
        PLATFORM, b"", "aws-external-anthropic", "tok", id="claude-platform-on-aws-with-token",
    ),
    pytest.param(
        "GET", "http://127.0.0.1:8123/inference-profiles?a=b%20c&a=a", {"x-extra": "  two   spaces "}, b"",
        "bedrock", None, id="loopback-port-repeated-query-and-header-whitespace",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("method", "url", "headers", "body", "service", "token"), VECTORS)
def test_signature_matches_botocore(
    method: str, url: str, headers: dict[str, str], body: bytes, service: str, token: str | None
) -> None:
    region = url.split(".")[1] if "amazonaws" in url or "api.aws" in url else "us-east-1"
    request = AWSRequest(method=method, url=url, headers=dict(headers), data=body)
    with mock.patch("botocore.auth.get_current_datetime", return_value=NOW.replace(tzinfo=None)):
        SigV4Auth(Credentials("AKIDEXAMPLE", "secret/key+example", token), service, region).add_auth(request)
    ours = sign(
        method,
        url,
        headers,
        body,
        keys=AwsKeys("AKIDEXAMPLE", "secret/key+example", token),
        region=region,
        service=service,
        now=NOW,
    )
    assert ours["authorization"] == request.headers["Authorization"]
    assert ours["x-amz-date"] == request.headers["X-Amz-Date"]
    assert ours.get("x-amz-security-token") == token


def test_keys_never_show_in_a_repr() -> None:
    assert "secret" not in repr(AwsKeys("AKID", "secret-value", "token-value"))
