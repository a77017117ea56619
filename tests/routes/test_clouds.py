"""Cloud credentials: the library when its extra is installed, else the cloud's CLI (real processes on PATH),
under the deadline, without our secrets in the child's environment; an expired login names its renewal."""

from __future__ import annotations

import json
import os
import secrets
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from outagecheck.errors import redact
from outagecheck.routes import clouds, creds
from outagecheck.routes.model import Blocker, Kind, Route
from tests.cloudfakes import Fake, gce_metadata, google_sts, reply
from tests.helpers import real_sockets

BEDROCK = Route("b", Kind.BEDROCK, region="eu-west-1", profile="claude-bedrock")
VERTEX = Route("v", Kind.VERTEX, project="acme-ai", region="global")
FOUNDRY = Route("f", Kind.FOUNDRY, resource="acme")


@pytest.fixture
def bin_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A PATH holding only the fake CLIs a test writes (plus sh's own directory)."""
    path = tmp_path / "bin"
    path.mkdir()
    monkeypatch.setenv("PATH", f"{path}:/usr/bin:/bin")
    monkeypatch.setattr(clouds, "has_library", lambda extra: False)  # as without outagecheck[aws|gcp|azure]
    return path


def fake_cli(bin_dir: Path, name: str, script: str) -> Path:
    target = bin_dir / name
    target.write_text("#!/bin/sh\n" + script)
    target.chmod(target.stat().st_mode | stat.S_IXUSR)
    return target


def test_aws_cli_export_credentials_gives_sigv4_keys_and_the_child_gets_the_routes_profile(
    bin_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-must-not-reach-children-0123")
    seen = tmp_path / "env.txt"
    doc = {
        "Version": 1,
        "AccessKeyId": "ASIAEXAMPLE",
        "SecretAccessKey": "cli-secret-0123456789",
        "SessionToken": "cli-token-0123456789",
    }
    fake_cli(bin_dir, "aws", f"env > {seen}\necho '{json.dumps(doc)}'\n")
    found = clouds.aws(BEDROCK, dict(os.environ), 5.0)
    assert found.blocker is None
    assert found.aws is not None
    assert found.aws.access_key == "ASIAEXAMPLE"
    assert found.hint == "pip install 'outagecheck[aws]' resolves this without the CLI, faster"
    env = seen.read_text()
    assert "AWS_PROFILE=claude-bedrock" in env
    assert "AWS_REGION=eu-west-1" in env
    assert "AWS_EC2_METADATA_DISABLED=true" in env
    assert "sk-ant-must-not-reach-children" not in env
    assert redact("echo cli-secret-0123456789") == "echo [redacted]"  # a resolved secret is redacted like the key


def test_an_expired_sso_login_names_the_exact_command(bin_dir: Path) -> None:
    fake_cli(
        bin_dir,
        "aws",
        "echo 'Error when retrieving token from sso: Token has expired and refresh failed' >&2\nexit 255\n",
    )
    found = clouds.aws(BEDROCK, dict(os.environ), 5.0)
    assert found.blocker is Blocker.CREDENTIALS_EXPIRED
    assert found.detail == "AWS login expired: run aws sso login --profile claude-bedrock"


def test_no_aws_cli_and_no_botocore_says_which_extra_helps(bin_dir: Path) -> None:
    found = clouds.aws(BEDROCK, dict(os.environ), 5.0)
    assert found.blocker is Blocker.NO_CREDENTIALS
    assert "pip install 'outagecheck[aws]'" in found.hint


def test_a_hanging_cli_is_cut_at_the_deadline(bin_dir: Path) -> None:
    fake_cli(bin_dir, "aws", "sleep 30\n")
    start = time.monotonic()
    found = clouds.aws(BEDROCK, dict(os.environ), 0.5)
    assert time.monotonic() - start < 5
    assert found.blocker is Blocker.NO_CREDENTIALS
    assert "did not finish within 0.5 s" in found.detail


def test_gcloud_prints_the_adc_token(bin_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    adc = tmp_path / "adc.json"
    adc.write_text("{}")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(adc))
    fake_cli(bin_dir, "gcloud", "echo ya29.token-from-gcloud-0123456789\n")
    found = clouds.gcp(VERTEX, dict(os.environ), 5.0)
    assert found.headers == (("authorization", "Bearer ya29.token-from-gcloud-0123456789"),)


def test_no_adc_off_gce_is_no_credentials_in_milliseconds_without_asking_anyone(bin_dir: Path) -> None:
    fake_cli(bin_dir, "gcloud", "echo should-not-run; exit 1\n")
    start = time.monotonic()
    found = clouds.gcp(VERTEX, dict(os.environ), 5.0)
    assert time.monotonic() - start < 0.5
    assert found.blocker is Blocker.NO_CREDENTIALS
    assert found.detail == "no Google ADC credentials: run gcloud auth application-default login"


@real_sockets
def test_the_metadata_server_gce_metadata_host_names_gives_its_token_off_gce(monkeypatch: pytest.MonkeyPatch) -> None:
    # Claude Code's gcp-metadata asks the host GCE_METADATA_HOST names, off GCE too: so does the proof, directly
    # (never through a proxy: the metadata server is the machine's own).
    token = f"ya29.metadata-{secrets.token_hex(8)}"
    monkeypatch.delenv("GCE_METADATA_IP", raising=False)
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # a proxy that answers nothing
    with Fake(gce_metadata(token, "acme-ai", lambda req: reply(404))) as fake:
        monkeypatch.setenv("GCE_METADATA_HOST", fake.url.removeprefix("http://"))
        found = clouds.gcp(VERTEX, dict(os.environ), 5.0)
    assert (found.blocker, found.source, found.headers) == (
        None,
        "GCE metadata",
        (("authorization", f"Bearer {token}"),),
    )
    assert fake.paths()[-1].startswith("/computeMetadata/v1/instance/service-accounts/default/token?scopes=")
    assert all(r.headers["metadata-flavor"] == "Google" for r in fake.requests)
    assert token not in redact(f"the token is {token}")  # it joined the secrets every output hides


@real_sockets
def test_gce_metadata_ip_wins_over_gce_metadata_host_as_in_claude_code(monkeypatch: pytest.MonkeyPatch) -> None:
    # Claude Code 2.1.197's gcp-metadata: GCE_METADATA_IP || GCE_METADATA_HOST. Alone or beside the other, the
    # IP's server is the one asked; the host's is never asked then.
    token = f"ya29.ip-{secrets.token_hex(8)}"
    with (
        Fake(gce_metadata(token, "acme-ai", lambda req: reply(404))) as by_ip,
        Fake(gce_metadata("ya29.wrong", "acme-ai", lambda req: reply(404))) as by_host,
    ):
        for host in ("", by_host.url):
            env = {**os.environ, "GCE_METADATA_IP": by_ip.url.removeprefix("http://")}
            env.pop("GCE_METADATA_HOST", None)
            if host:
                env["GCE_METADATA_HOST"] = host.removeprefix("http://")
            found = clouds.gcp(VERTEX, env, 5.0)
            assert (found.blocker, found.headers) == (None, (("authorization", f"Bearer {token}"),))
    assert by_host.requests == []


@real_sockets
def test_a_metadata_answer_without_its_flavour_header_gives_no_token(monkeypatch: pytest.MonkeyPatch) -> None:
    # gcp-metadata refuses an answer without `Metadata-Flavor: Google` (a portal or proxy page, say): so do we.
    with Fake(lambda req: reply(200, {"access_token": "ya29.from-someone-else", "expires_in": 3599})) as fake:
        env = {**os.environ, "GCE_METADATA_IP": fake.url.removeprefix("http://")}
        found = clouds.gcp(VERTEX, env, 5.0)
    assert found.blocker is Blocker.NO_CREDENTIALS
    assert found.detail == f"the GCE metadata server at {fake.url.removeprefix('http://')} answered without a token"
    assert found.headers == ()


@real_sockets
def test_an_adc_file_named_only_in_the_given_environment_is_the_one_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # After a switch the environment is Claude Code's: a settings `env` block may name the ADC file that this
    # process's environment does not (google.auth.default() would look only in the process's).
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "no-gcloud"))
    token, subject = f"ya29.{secrets.token_urlsafe(24)}", f"oidc.{secrets.token_urlsafe(24)}"
    (tmp_path / "subject-token").write_text(subject)
    with Fake(google_sts(token, subject, lambda req: reply(404))) as fake:
        adc = tmp_path / "wif.json"
        pool = "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/ci/providers/github"
        doc = {"type": "external_account", "audience": pool, "token_url": f"{fake.url}/sts/v1/token"}
        doc |= {"subject_token_type": "urn:ietf:params:oauth:token-type:jwt"}
        adc.write_text(json.dumps(doc | {"credential_source": {"file": str(tmp_path / "subject-token")}}))
        found = clouds.gcp(VERTEX, {**os.environ, "GOOGLE_APPLICATION_CREDENTIALS": str(adc)}, 5.0)
    assert (found.blocker, found.headers) == (None, (("authorization", f"Bearer {token}"),)), found.detail
    assert fake.paths() == ["/sts/v1/token"]


def test_botocore_reads_the_credentials_file_the_given_environment_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_CONFIG_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "not-this-one"))
    named = tmp_path / "credentials"
    named.write_text("[claude-bedrock]\naws_access_key_id = AKIDNAMEDFILE0000000\naws_secret_access_key = s3cr3t-x\n")
    found = clouds.aws(BEDROCK, {**os.environ, "AWS_SHARED_CREDENTIALS_FILE": str(named)}, 5.0)
    assert found.blocker is None, found.detail
    assert found.aws is not None
    assert found.aws.access_key == "AKIDNAMEDFILE0000000"


def test_a_named_metadata_server_is_not_switched_off_for_the_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    environ = {k: v for k, v in os.environ.items() if k != "NO_GCE_CHECK"}
    assert creds.child_env(environ, VERTEX)["NO_GCE_CHECK"] == "true"  # off GCE: no 3 s x 3 pings
    named = creds.child_env({**environ, "GCE_METADATA_HOST": "127.0.0.1:8080"}, VERTEX)
    assert "NO_GCE_CHECK" not in named
    assert named["GCE_METADATA_HOST"] == "127.0.0.1:8080"


def test_an_expired_adc_login_names_the_renewal(bin_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "gcloud-config").mkdir()
    (tmp_path / "gcloud-config" / "application_default_credentials.json").write_text("{}")
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud-config"))
    fake_cli(
        bin_dir,
        "gcloud",
        "echo 'ERROR: (gcloud.auth.application-default.print-access-token) Reauthentication failed.' >&2\n"
        "echo 'invalid_grant' >&2; exit 1\n",
    )
    found = clouds.gcp(VERTEX, dict(os.environ), 5.0)
    assert found.blocker is Blocker.CREDENTIALS_EXPIRED
    assert found.detail == "Google ADC login expired: run gcloud auth application-default login"


def test_foundry_prefers_the_environment_then_az(bin_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_cli(
        bin_dir,
        "az",
        """echo '{"accessToken": "eyJ0eXAi-az-token-0123456789", "expiresOn": "2026-12-03 13:00:00"}'\n""",
    )
    assert clouds.azure(FOUNDRY, dict(os.environ), 5.0).headers == (
        ("authorization", "Bearer eyJ0eXAi-az-token-0123456789"),
    )
    monkeypatch.setenv("ANTHROPIC_FOUNDRY_API_KEY", "foundry-key-0123456789abcdef")
    assert clouds.azure(FOUNDRY, dict(os.environ), 5.0).headers == (("api-key", "foundry-key-0123456789abcdef"),)


def test_az_not_logged_in_says_az_login(bin_dir: Path) -> None:
    fake_cli(bin_dir, "az", "echo \"ERROR: Please run 'az login' to setup account.\" >&2; exit 1\n")
    found = clouds.azure(FOUNDRY, dict(os.environ), 5.0)
    assert found.blocker is Blocker.CREDENTIALS_EXPIRED
    assert found.detail == "Azure login needed: run az login"


def test_botocore_reads_the_environment_chain(aws_keys: tuple[str, str, str]) -> None:
    found = clouds.aws(Route("b", Kind.BEDROCK), dict(os.environ), 5.0)
    assert found.source == "botocore"
    assert found.aws is not None
    assert (found.aws.access_key, found.aws.token) == (aws_keys[0], aws_keys[2])


def test_botocore_with_a_missing_profile_is_no_credentials() -> None:
    found = clouds.aws(Route("b", Kind.BEDROCK, profile="nowhere"), dict(os.environ), 5.0)
    assert found.blocker is Blocker.NO_CREDENTIALS
    assert "nowhere" in found.detail


def test_key_command_runs_in_sh_and_must_print_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    ok = creds.key_command(Route("g", Kind.GATEWAY, key_command="printf 'gw-key-0123456789abcdef\\n'"), {}, 5.0)
    assert dict(ok.headers) == {
        "authorization": "Bearer gw-key-0123456789abcdef",
        "x-api-key": "gw-key-0123456789abcdef",
    }
    two = creds.key_command(Route("g", Kind.GATEWAY, key_command="printf 'a\\nb\\n'"), {}, 5.0)
    assert (two.blocker, two.detail) == (Blocker.NO_CREDENTIALS, "key_command printed more than one line")
    failed = creds.key_command(Route("g", Kind.GATEWAY, key_command="echo vault locked >&2; exit 3"), {}, 5.0)
    assert failed.detail == "key_command failed: vault locked"


def test_key_command_on_windows_is_the_command_line_claude_code_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    # On Windows Claude Code runs apiKeyHelper as Node's shell: `%ComSpec% /d /s /c "<helper>"`, passed verbatim;
    # the route check must run the key_command the same way (not a re-quoted ["cmd", "/c", ...] list).
    started: list[object] = []

    def fake_run(args: object, **_: object) -> object:
        started.append(args)
        raise FileNotFoundError

    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(subprocess, "run", fake_run)
    found = creds.key_command(
        Route("g", Kind.GATEWAY, key_command='type "C:\\keys\\gw.txt"'), {"ComSpec": "C:\\Windows\\cmd.exe"}, 5.0
    )
    assert started == ['C:\\Windows\\cmd.exe /d /s /c "type "C:\\keys\\gw.txt""']
    assert found.blocker is Blocker.NO_CREDENTIALS
    assert found.detail == "key_command failed: C:\\Windows\\cmd.exe: not installed"


def test_region_as_claude_code_resolves_it(isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    aws = isolated_home / ".aws"
    aws.mkdir()
    (aws / "config").write_text("[default]\nregion = us-west-2\n[profile claude]\nregion = ap-southeast-2\n")
    (aws / "credentials").write_text("[claude]\naws_access_key_id = AKID\nregion = not-a-region\n")
    routed = creds.with_region(Route("b", Kind.BEDROCK, profile="claude"), dict(os.environ))
    assert routed.region == "ap-southeast-2"  # the credentials file's value is not shaped like a region: unset
    assert creds.with_region(Route("b", Kind.BEDROCK), dict(os.environ)).region == "us-west-2"
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    assert creds.with_region(Route("b", Kind.BEDROCK, profile="claude"), dict(os.environ)).region == "eu-central-1"
    assert creds.with_region(Route("b", Kind.BEDROCK, region="us-east-2"), dict(os.environ)).region == "us-east-2"
    monkeypatch.setenv("CLOUD_ML_REGION", "europe-west1")
    assert creds.with_region(Route("v", Kind.VERTEX, project="acme-ai"), dict(os.environ)).region == "europe-west1"
