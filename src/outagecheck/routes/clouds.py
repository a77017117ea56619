"""AWS, Google and Azure credentials: the cloud's own library when its extra is installed, else its CLI.

An expired login names the exact command that renews it. The libraries load here, lazily, on the worker
thread check.py runs this on: `status` without routes never imports them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, Final

from outagecheck.errors import keep_secret
from outagecheck.routes.creds import (
    AZURE_RESOURCE,
    GCP_SCOPE,
    Creds,
    child_env,
    faster,
    from_environment,
    has_library,
    metadata_host,
    on_cloud,
    parse_json,
    refused,
    run_cli,
    secret_headers,
)
from outagecheck.routes.model import Blocker, Route
from outagecheck.routes.sigv4 import AwsKeys

EXPIRED_WORDS = ("expired", "token has expired", "sso session", "refresh failed", "invalid_grant", "reauth")


def _aws_renew(route: Route) -> str:
    profile = f" --profile {route.profile}" if route.profile else ""
    return route.auth_refresh or f"aws sso login{profile}"


def _aws_keys(keys: AwsKeys, source: str) -> Creds:
    keep_secret(values=tuple(v for v in (keys.secret_key, keys.token) if v))
    return Creds(aws=keys, source=source)


def aws(route: Route, environ: Mapping[str, str], budget: float, *, bearer: str | None = None) -> Creds:
    """AWS credentials for SigV4, or `bearer` (AWS_BEARER_TOKEN_BEDROCK, ANTHROPIC_AWS_API_KEY) when set."""
    if bearer is not None:
        found = from_environment(((bearer, "bearer" if bearer.endswith("BEDROCK") else "x-api-key"),), environ)
        if found is not None:
            return found
    if has_library("aws"):
        return _aws_botocore(route, environ)
    return _aws_cli(route, environ, budget)


# Where botocore finds its files, by the variables that name them: taken from `environ`, which after a switch is
# Claude Code's environment (a settings `env` block may set them), not this process's.
AWS_FILES: Final = (("AWS_CONFIG_FILE", "config_file"), ("AWS_SHARED_CREDENTIALS_FILE", "credentials_file"))


def _aws_botocore(route: Route, environ: Mapping[str, str]) -> Creds:
    import botocore.credentials  # noqa: PLC0415  # the aws extra, on a worker thread, only for AWS routes
    import botocore.exceptions  # noqa: PLC0415
    import botocore.session  # noqa: PLC0415

    source = f"botocore (profile {route.profile})" if route.profile else "botocore"
    try:
        session = botocore.session.Session(profile=route.profile)
        for variable, name in AWS_FILES:
            if located := environ.get(variable):
                session.set_config_variable(name, located)
        resolver = botocore.credentials.create_credential_resolver(session)
        if not on_cloud("aws"):
            resolver.remove("iam-role")  # the EC2 metadata server: a 1 s stall per lookup off EC2
        found = resolver.load_credentials()
        frozen = found.get_frozen_credentials() if found is not None else None
    except botocore.exceptions.BotoCoreError as e:
        text = str(e)
        if any(w in text.lower() for w in EXPIRED_WORDS) or "sso" in type(e).__name__.lower():
            return refused(Blocker.CREDENTIALS_EXPIRED, f"AWS login expired: run {_aws_renew(route)}", source)
        return refused(Blocker.NO_CREDENTIALS, f"AWS credentials: {text[:160]}", source)
    if frozen is None or not frozen.access_key:
        return refused(Blocker.NO_CREDENTIALS, "no AWS credentials: run aws configure or aws sso login", source)
    return _aws_keys(AwsKeys(frozen.access_key, frozen.secret_key, frozen.token), source)


def _aws_cli(route: Route, environ: Mapping[str, str], budget: float) -> Creds:
    args = ["aws", "configure", "export-credentials", "--format", "process"]
    code, out, err = run_cli(args, child_env(environ, route), budget)
    source = "aws configure export-credentials"
    if code == 127:
        detail = "no AWS credentials: neither botocore nor the aws CLI is installed"
        return refused(Blocker.NO_CREDENTIALS, detail, source, faster("aws"))
    doc = parse_json(out) if code == 0 else None
    if doc is None or not isinstance(doc.get("AccessKeyId"), str) or not isinstance(doc.get("SecretAccessKey"), str):
        said = (err.strip().splitlines() or ["no credentials"])[-1][:160]
        expired = any(w in err.lower() for w in EXPIRED_WORDS)
        blocker = Blocker.CREDENTIALS_EXPIRED if expired else Blocker.NO_CREDENTIALS
        detail = f"AWS login expired: run {_aws_renew(route)}" if expired else f"AWS credentials: {said}"
        return Creds(source=source, blocker=blocker, detail=detail, hint=faster("aws"))
    token = doc.get("SessionToken")
    keys = AwsKeys(str(doc["AccessKeyId"]), str(doc["SecretAccessKey"]), token if isinstance(token, str) else None)
    return replace(_aws_keys(keys, source), hint=faster("aws"))


def _adc_file(environ: Mapping[str, str]) -> Path | None:
    """The local ADC file, as `environ` names it (the variable's file, or gcloud's well-known file); None when
    there is none. Read from `environ`, not the process's: after a switch it is Claude Code's environment."""
    if named := environ.get("GOOGLE_APPLICATION_CREDENTIALS"):
        return Path(named)
    if os.name == "nt":
        root = Path(environ.get("APPDATA", "")) / "gcloud"
    else:
        root = Path(environ.get("CLOUDSDK_CONFIG") or Path(environ.get("HOME", "~")).expanduser() / ".config/gcloud")
    found = root / "application_default_credentials.json"
    return found if found.is_file() else None


GCP_RENEW = "gcloud auth application-default login"


def gcp(route: Route, environ: Mapping[str, str], budget: float) -> Creds:
    """An OAuth access token from Application Default Credentials."""
    renew = route.auth_refresh or GCP_RENEW
    adc_file = _adc_file(environ)
    if not adc_file and not on_cloud("gcp") and not metadata_host(environ):
        # Off GCE, with no ADC file, google-auth would only ping the metadata server (3 s x 3) to fail.
        return refused(Blocker.NO_CREDENTIALS, f"no Google ADC credentials: run {renew}", "ADC")
    if not adc_file and (host := metadata_host(environ)):
        return _gce_token(host, budget)
    if has_library("gcp"):
        return _gcp_library(renew, adc_file)
    code, out, err = run_cli(
        ["gcloud", "auth", "application-default", "print-access-token"], child_env(environ, route), budget
    )
    source = "gcloud auth application-default print-access-token"
    token = out.strip()
    if code == 127:
        detail = "no Google credentials tool: neither google-auth nor gcloud is installed"
        return refused(Blocker.NO_CREDENTIALS, detail, source, faster("gcp"))
    if code != 0 or not token or "\n" in token:
        expired = any(w in err.lower() for w in EXPIRED_WORDS)
        blocker = Blocker.CREDENTIALS_EXPIRED if expired else Blocker.NO_CREDENTIALS
        said = (err.strip().splitlines() or ["no token"])[-1][:160]
        detail = f"Google ADC login expired: run {renew}" if expired else f"Google ADC: {said}"
        return Creds(source=source, blocker=blocker, detail=detail, hint=faster("gcp"))
    return secret_headers((("authorization", f"Bearer {token}"),), source)


def _gce_token(host: str, budget: float) -> Creds:
    """The token Claude Code's gcp-metadata gets from the metadata server the environment names: its default
    service account's, asked directly (google-auth would ask GCE_METADATA_HOST's server, or the default one,
    whatever GCE_METADATA_IP says). Never through a proxy: a metadata server is the machine's own."""
    import urllib.parse  # noqa: PLC0415  # Vertex routes with a named metadata server only
    import urllib.request  # noqa: PLC0415

    base = host if host.startswith(("http://", "https://")) else f"http://{host}"
    query = urllib.parse.urlencode({"scopes": GCP_SCOPE})
    url = f"{base.rstrip('/')}/computeMetadata/v1/instance/service-accounts/default/token?{query}"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    where = f"the GCE metadata server at {host}"
    try:
        with opener.open(urllib.request.Request(url, headers={"Metadata-Flavor": "Google"}), timeout=budget) as got:
            flavour, raw = got.headers.get("Metadata-Flavor"), got.read(64 * 1024)
    except (OSError, ValueError) as e:  # URLError, HTTPError, a timeout, a malformed host
        return refused(Blocker.NO_CREDENTIALS, f"{where} gave no token: {str(e)[:120]}", "GCE metadata")
    doc = parse_json(raw.decode("utf-8", "replace")) if flavour == "Google" else None
    token = doc.get("access_token") if doc else None
    if not isinstance(token, str) or not token:
        return refused(Blocker.NO_CREDENTIALS, f"{where} answered without a token", "GCE metadata")
    return secret_headers((("authorization", f"Bearer {token}"),), "GCE metadata")


def _gcp_library(renew: str, adc_file: Path | None = None) -> Creds:
    import google.auth  # noqa: PLC0415  # the gcp extra, on a worker thread, only for Vertex routes
    import google.auth.exceptions  # noqa: PLC0415
    import google.auth.transport.requests  # noqa: PLC0415

    try:
        if adc_file is not None:  # google.auth.default() would look in the process's environment, not `environ`
            found = _adc_from(adc_file)
        else:
            found, _ = google.auth.default(scopes=[GCP_SCOPE])
        found.refresh(google.auth.transport.requests.Request())
    except google.auth.exceptions.DefaultCredentialsError:
        return refused(Blocker.NO_CREDENTIALS, f"no Google ADC credentials: run {renew}", "google-auth")
    except google.auth.exceptions.GoogleAuthError as e:
        expired = any(w in str(e).lower() for w in EXPIRED_WORDS)
        blocker = Blocker.CREDENTIALS_EXPIRED if expired else Blocker.NO_CREDENTIALS
        return Creds(source="google-auth", blocker=blocker, detail=f"Google ADC: {str(e)[:120]}; run {renew}")
    return secret_headers((("authorization", f"Bearer {found.token}"),), "google-auth")


def _adc_from(path: Path) -> Any:
    """The ADC file's credentials, loaded as google.auth.default() loads the file GOOGLE_APPLICATION_CREDENTIALS
    names (the same call, its deprecation warning silenced as default() silences it)."""
    import warnings  # noqa: PLC0415  # Vertex routes with a named ADC file only

    import google.auth  # noqa: PLC0415  # the gcp extra, loaded by the caller
    import google.auth.credentials  # noqa: PLC0415

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        # Without scopes, then scoped, as default() does: loaded with scopes, a workload identity file's project
        # would first be looked up at Cloud Resource Manager (default() does not ask it there).
        found, _ = google.auth.load_credentials_from_file(str(path))  # type: ignore[no-untyped-call]  # google-auth: untyped
    return google.auth.credentials.with_scopes_if_required(found, [GCP_SCOPE])  # type: ignore[no-untyped-call]  # google-auth: untyped


AZ_RENEW = "az login"


def azure(route: Route, environ: Mapping[str, str], budget: float) -> Creds:
    """Foundry: ANTHROPIC_FOUNDRY_AUTH_TOKEN, ANTHROPIC_FOUNDRY_API_KEY, then Entra (azure-identity or az)."""
    order = (("ANTHROPIC_FOUNDRY_AUTH_TOKEN", "bearer"), ("ANTHROPIC_FOUNDRY_API_KEY", "api-key"))
    found = from_environment(order, environ)
    if found is not None:
        return found
    if has_library("azure"):
        return _azure_library()
    args = ["az", "account", "get-access-token", "--resource", AZURE_RESOURCE, "--output", "json"]
    code, out, err = run_cli(args, child_env(environ, route), budget)
    source = "az account get-access-token"
    doc = parse_json(out) if code == 0 else None
    token = doc.get("accessToken") if doc else None
    if code == 127:
        detail = "no Azure credentials: no Foundry key or token set, and neither azure-identity nor az is installed"
        return refused(Blocker.NO_CREDENTIALS, detail, source, faster("azure"))
    if not isinstance(token, str) or not token:
        expired = any(w in err.lower() for w in (*EXPIRED_WORDS, "az login"))
        blocker = Blocker.CREDENTIALS_EXPIRED if expired else Blocker.NO_CREDENTIALS
        return Creds(source=source, blocker=blocker, detail=f"Azure login needed: run {route.auth_refresh or AZ_RENEW}")
    return secret_headers((("authorization", f"Bearer {token}"),), source)


def _azure_library() -> Creds:
    import azure.core.exceptions  # noqa: PLC0415  # the azure extra, on a worker thread, only for Foundry routes
    import azure.identity  # noqa: PLC0415

    try:
        chain = azure.identity.DefaultAzureCredential(exclude_managed_identity_credential=not on_cloud("azure"))
        token = chain.get_token(f"{AZURE_RESOURCE}/.default").token
    except azure.core.exceptions.ClientAuthenticationError:
        return refused(Blocker.NO_CREDENTIALS, f"no Azure login: run {AZ_RENEW}", "azure-identity")
    return secret_headers((("authorization", f"Bearer {token}"),), "azure-identity")
