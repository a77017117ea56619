"""Credentials each route's probes send, resolved the way its cloud resolves them, never by a hand-written chain.

AWS: botocore's credential chain (`outagecheck[aws]`), else `aws configure export-credentials`. Google:
google-auth's ADC (`outagecheck[gcp]`), else `gcloud auth application-default print-access-token`. Azure:
the key or token in the environment, azure-identity (`outagecheck[azure]`), else `az account get-access-token`.
Gateways: the route's key_command (Claude Code's apiKeyHelper), else the token or key in the environment.
The lookups are synchronous, bounded by `budget` seconds; `off_loop` runs them on a daemon thread for check.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

from outagecheck.errors import child_environ, credential, keep_secret, shell_command, unsendable
from outagecheck.routes.model import Blocker, Kind, Route
from outagecheck.routes.sigv4 import AwsKeys

AZURE_RESOURCE = "https://ai.azure.com"
GCP_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
# The chassis asset tag every Azure VM carries (learn.microsoft.com, "Detect if running in Azure").
AZURE_ASSET_TAG = "7783-7084-3265-9085-8269-3286-77"
EXTRA = {"aws": "botocore", "gcp": "google.auth", "azure": "azure.identity"}


@dataclass(frozen=True)
class Creds:
    """What a route's probes authenticate with, or why they can't (blocker + one line naming the fix)."""

    headers: tuple[tuple[str, str], ...] = ()
    aws: AwsKeys | None = None  # sign with SigV4
    source: str = ""  # where they came from, for people: "botocore (profile dev)", "ANTHROPIC_API_KEY"
    blocker: Blocker | None = None
    detail: str = ""
    hint: str = ""  # "pip install 'outagecheck[aws]' resolves this without the aws CLI, faster"

    def __repr__(self) -> str:
        return f"Creds(source={self.source!r}, blocker={self.blocker!r})"


def refused(blocker: Blocker, detail: str, source: str = "", hint: str = "") -> Creds:
    """No usable credentials: the blocker and one line naming the fix."""
    return Creds(source=source, blocker=blocker, detail=detail, hint=hint)


def has_library(extra: str) -> bool:
    """The extra's library is installed (found, not imported: importing it is the worker thread's job)."""
    try:
        return importlib.util.find_spec(EXTRA[extra]) is not None
    except (ImportError, ValueError):
        return False


def _dmi(name: str) -> str:
    try:
        return Path("/sys/class/dmi/id", name).read_text(errors="replace").strip()
    except OSError:
        return ""


def on_cloud(cloud: str) -> bool:
    """This machine is an EC2 or GCE instance (Linux DMI data); elsewhere the metadata servers are skipped."""
    if not sys.platform.startswith("linux"):
        return False
    if cloud == "aws":
        return "amazon" in _dmi("sys_vendor").lower() or _dmi("board_asset_tag").startswith("i-")
    if cloud == "azure":
        return _dmi("chassis_asset_tag") == AZURE_ASSET_TAG
    return _dmi("product_name") == "Google Compute Engine"


def metadata_host(environ: Mapping[str, str]) -> str:
    """The metadata server Claude Code's gcp-metadata asks, off GCE too ("" if none named): GCE_METADATA_IP, else
    GCE_METADATA_HOST (its bundle in Claude Code 2.1.197: `GCE_METADATA_IP || GCE_METADATA_HOST || HOST_ADDRESS`)."""
    return environ.get("GCE_METADATA_IP", "").strip() or environ.get("GCE_METADATA_HOST", "").strip()


def child_env(environ: Mapping[str, str], route: Route) -> dict[str, str]:
    """A CLI's environment: ours without our secrets, the route's profile and region, no metadata stalls."""
    env = child_environ(environ)
    if route.profile:
        env["AWS_PROFILE"] = route.profile
    if route.region and route.kind in (Kind.BEDROCK, Kind.MANTLE, Kind.ANTHROPIC_AWS):
        env["AWS_REGION"] = route.region
    if not on_cloud("aws"):
        env.setdefault("AWS_EC2_METADATA_DISABLED", "true")  # 1 s per lookup off EC2 (botocore's IMDS timeout)
    if not on_cloud("gcp") and not metadata_host(environ):
        env.setdefault("NO_GCE_CHECK", "true")  # google-auth: 3 s x 3 pings of the GCE metadata server
    return env


def run_cli(args: str | list[str], env: dict[str, str], budget: float) -> tuple[int, str, str]:
    """Run a helper CLI under the deadline: (exit code, stdout, stderr); 127 when it isn't installed.

    `args` is an argv, or a Windows command line passed verbatim (errors.shell_command)."""
    name = args[0] if isinstance(args, list) else args.split(" ", 1)[0]
    try:
        done = subprocess.run(  # a fixed argv, or the user's own key_command
            args, env=env, capture_output=True, text=True, timeout=max(budget, 0.05), stdin=subprocess.DEVNULL
        )
    except FileNotFoundError:
        return 127, "", f"{name}: not installed"
    except subprocess.TimeoutExpired:
        return 124, "", f"{name} did not finish within {budget:.1f} s"
    except OSError as e:
        return 126, "", f"{name}: {e.strerror or e}"
    return done.returncode, done.stdout, done.stderr


def secret_headers(pairs: tuple[tuple[str, str], ...], source: str) -> Creds:
    """Headers holding a secret: the secret joins what redact() hides, and a malformed one is refused."""
    for _, value in pairs:
        if problem := unsendable(value):
            return refused(Blocker.NO_CREDENTIALS, f"the credential from {source} {problem}", source)
        keep_secret(values=(value.removeprefix("Bearer "),))
    return Creds(headers=pairs, source=source)


def from_environment(names: tuple[tuple[str, str], ...], environ: Mapping[str, str]) -> Creds | None:
    """The first of (variable, header form) set in the environment: 'bearer', 'x-api-key' or 'api-key'."""
    for name, form in names:
        value, problem = credential(name, environ)
        if problem:
            return refused(Blocker.NO_CREDENTIALS, problem, name)
        if value:
            header = ("authorization", f"Bearer {value}") if form == "bearer" else (form, value)
            return secret_headers((header,), name)
    return None


def key_command(route: Route, environ: Mapping[str, str], budget: float) -> Creds:
    """Run the route's key_command as Claude Code runs apiKeyHelper (sh, or cmd on Windows): one line, sent
    as both Authorization: Bearer and x-api-key."""
    assert route.key_command is not None

    # Exactly the process Claude Code starts for apiKeyHelper: /bin/sh -c, or %ComSpec% /d /s /c "…" verbatim.
    code, out, err = run_cli(shell_command(route.key_command, environ=environ), child_environ(environ), budget)
    key = out.strip()
    if code != 0 or not key:
        why = (err.strip().splitlines() or [f"exit {code}"])[-1][:120] if code else "it printed nothing"
        return refused(Blocker.NO_CREDENTIALS, f"key_command failed: {why}", "key_command")
    if "\n" in key:
        return refused(Blocker.NO_CREDENTIALS, "key_command printed more than one line", "key_command")
    return secret_headers((("authorization", f"Bearer {key}"), ("x-api-key", key)), "key_command")


def anthropic_shaped(route: Route, environ: Mapping[str, str], budget: float) -> Creds:
    """The API, gateways and OpenRouter: key_command first (it replaces the others, as apiKeyHelper does
    for a gateway), then ANTHROPIC_AUTH_TOKEN (Bearer), then ANTHROPIC_API_KEY (x-api-key)."""
    if route.key_command:
        return key_command(route, environ, budget)
    order = (("ANTHROPIC_AUTH_TOKEN", "bearer"), ("ANTHROPIC_API_KEY", "x-api-key"))
    if route.kind is Kind.ANTHROPIC:
        order = (("ANTHROPIC_API_KEY", "x-api-key"), ("ANTHROPIC_AUTH_TOKEN", "bearer"))
    found = from_environment(order, environ)
    if found is not None:
        return found
    return Creds(
        blocker=Blocker.NO_CREDENTIALS,
        detail="no key: set key_command for this route, or ANTHROPIC_AUTH_TOKEN / ANTHROPIC_API_KEY",
    )


def faster(extra: str) -> str:
    return f"pip install 'outagecheck[{extra}]' resolves this without the CLI, faster"


def parse_json(text: str) -> dict[str, object] | None:
    try:
        doc = json.loads(text)
    except ValueError:
        return None
    return doc if isinstance(doc, dict) else None


def resolve(route: Route, environ: Mapping[str, str], budget: float) -> Creds:
    """The credentials the route's probes send, the way its provider resolves them (on a worker thread)."""
    from outagecheck.routes import clouds  # noqa: PLC0415  # cloud routes only

    if route.kind is Kind.VERTEX:
        return clouds.gcp(route, environ, budget)
    if route.kind is Kind.FOUNDRY:
        return clouds.azure(route, environ, budget)
    if route.kind is Kind.BEDROCK:
        return clouds.aws(route, environ, budget, bearer="AWS_BEARER_TOKEN_BEDROCK")
    if route.kind is Kind.ANTHROPIC_AWS:
        return clouds.aws(route, environ, budget, bearer="ANTHROPIC_AWS_API_KEY")
    if route.kind is Kind.MANTLE:
        return clouds.aws(route, environ, budget)
    return anthropic_shaped(route, environ, budget)


async def off_loop(fn: Callable[..., Creds], *args: Any) -> Creds:
    """Run a credential lookup on a daemon thread: a library stuck on the network (an SSO refresh, botocore's
    60 s connect timeout) is left behind at the deadline and never holds the process's exit, as the default
    executor's threads would (asyncio.run joins them). A library's own error is a result, never a crash."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[Creds] = loop.create_future()

    def settle(result: Creds) -> None:
        if not done.done():
            done.set_result(result)

    def work() -> None:
        try:
            result = fn(*args)
        except Exception as e:  # a cloud library's own failure: said on the route's row
            result = Creds(
                blocker=Blocker.NO_CREDENTIALS, detail=f"credential lookup failed: {type(e).__name__}: {e}"[:200]
            )
        with contextlib.suppress(RuntimeError):  # the loop closed: nobody is waiting any more
            loop.call_soon_threadsafe(settle, result)

    threading.Thread(target=work, name="outagecheck-credentials", daemon=True).start()
    return await done


def with_region(route: Route, environ: Mapping[str, str]) -> Route:
    """A route without `region` takes the one Claude Code would (2.1.172): AWS_REGION, AWS_DEFAULT_REGION, the
    profile's `region` in the credentials file, then the config file (a value not shaped like a region is
    unset); CLOUD_ML_REGION for Vertex. Left empty, the kind's default applies (probes.region)."""
    from outagecheck.routes.config import AWS_REGION, VERTEX_REGION  # noqa: PLC0415  # cloud routes only

    if route.region or not route.kind.cloud or route.kind is Kind.FOUNDRY:
        return route
    if route.kind is Kind.VERTEX:
        found = [environ.get("CLOUD_ML_REGION", "").strip()]
        shape = VERTEX_REGION
    else:
        found = [environ.get(n, "").strip() for n in AWS_VARS] + _profile_regions(route, environ)
        shape = AWS_REGION
    region = next((v for v in found if shape.fullmatch(v)), None)
    return replace(route, region=region) if region else route


AWS_VARS: Final = ("AWS_REGION", "AWS_DEFAULT_REGION")


def _profile_regions(route: Route, environ: Mapping[str, str]) -> list[str]:
    """The profile's `region` in ~/.aws/credentials, then ~/.aws/config (or the files the variables name)."""
    import configparser  # noqa: PLC0415  # AWS routes without a region only

    profile = route.profile or environ.get("AWS_PROFILE") or environ.get("AWS_DEFAULT_PROFILE") or "default"
    home = Path(environ.get("HOME") or Path.home())
    files = (
        (environ.get("AWS_SHARED_CREDENTIALS_FILE") or home / ".aws" / "credentials", profile),
        (
            environ.get("AWS_CONFIG_FILE") or home / ".aws" / "config",
            profile if profile == "default" else f"profile {profile}",
        ),
    )
    found = []
    for path, section in files:
        parser = configparser.RawConfigParser()
        try:
            parser.read(path, encoding="utf-8")
            found.append(parser.get(section, "region", fallback="").strip())
        except (configparser.Error, OSError, UnicodeDecodeError):
            continue  # an unreadable file is no region, as for the AWS SDK
    return found
