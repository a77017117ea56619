"""Fixtures of the routes tests: no cloud credential of the machine running them leaks in."""

from __future__ import annotations

import pytest

CLOUD_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_BEARER_TOKEN_BEDROCK",
    "ANTHROPIC_AWS_API_KEY",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "CLOUDSDK_CONFIG",
    "ANTHROPIC_FOUNDRY_API_KEY",
    "ANTHROPIC_FOUNDRY_AUTH_TOKEN",
    "AZURE_CLIENT_ID",
    "AZURE_TENANT_ID",
    "AZURE_CLIENT_SECRET",
)


@pytest.fixture(autouse=True)
def no_cloud_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only what a test sets: the machine's own AWS, Google and Azure credentials stay out."""
    for name in CLOUD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("NO_GCE_CHECK", "true")


@pytest.fixture
def aws_keys(monkeypatch: pytest.MonkeyPatch) -> tuple[str, str, str]:
    """AWS credentials in the environment, as botocore's first provider and the aws CLI read them."""
    keys = ("AKIDEXAMPLE1234567890", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session-token-example-0123456789")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", keys[0])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", keys[1])
    monkeypatch.setenv("AWS_SESSION_TOKEN", keys[2])
    return keys


@pytest.fixture(autouse=True)
def feeds_on_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """The providers' status feeds point at a closed port on 127.0.0.1: a route a test leaves without
    `status_feed` never reaches AWS, Google or Azure (nothing beyond this machine, ever)."""
    from outagecheck.routes import feeds  # noqa: PLC0415  # only the routes tests load routes/

    for name in ("AWS_FEED", "GCP_FEED", "AZURE_FEED"):
        monkeypatch.setattr(feeds, name, "http://127.0.0.1:9/feed")
