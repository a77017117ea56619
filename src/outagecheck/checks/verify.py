"""Prove an applied fallback works: run the apiKeyHelper as Claude Code would, make one keyed request."""

from __future__ import annotations

import subprocess

import httpx

from outagecheck.checks.classify import classify_exception
from outagecheck.checks.http import ANTHROPIC_VERSION, USER_AGENT
from outagecheck.errors import shell_command

HELPER_TIMEOUT_S = 10.0


def verify_helper(helper: str, api_base: str, timeout: float) -> tuple[bool, str]:
    """Run the helper and make one keyed GET /v1/models; return (works, what happened), never the key."""
    try:
        done = subprocess.run(
            shell_command(helper), capture_output=True, text=True, timeout=HELPER_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        return False, f"the key command gave no key within {HELPER_TIMEOUT_S:g} s"
    except OSError as e:  # no /bin/sh, no cmd.exe: Claude Code could not run it either
        return False, f"the key command could not be started: {e.strerror or e}"
    key = done.stdout.strip()
    if done.returncode != 0 or not key:
        return False, f"the key command exited {done.returncode} without printing a key"
    url = api_base + "/v1/models?limit=1"
    headers = {"x-api-key": key, "anthropic-version": ANTHROPIC_VERSION, "user-agent": USER_AGENT}
    try:
        response = httpx.get(url, headers=headers, timeout=timeout, follow_redirects=False)
    except httpx.HTTPError as exc:
        return False, f"GET {url}: {classify_exception(exc, timeout_s=timeout).detail}"
    if response.status_code == 200:
        return True, f"the key from the helper works (GET {url}: HTTP 200)"
    if response.status_code == 401:
        return False, f"the API rejected the key from the helper (GET {url}: HTTP 401)"
    return False, f"GET {url}: HTTP {response.status_code}"
