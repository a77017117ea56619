"""Fetch every endpoint and the status page at once, under one deadline; failures are results."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import httpx

from outagecheck import __version__
from outagecheck.classify import SNIFF_BYTES, classify_exception, classify_response, needs_body
from outagecheck.model import Evidence, Status, StatusPage
from outagecheck.statuspage import MAX_SUMMARY_BYTES, UnusableSummary, parse_summary, summary_url

USER_AGENT = f"outagecheck/{__version__} (+https://github.com/outagecheck/outagecheck)"
ANTHROPIC_VERSION = "2023-06-01"
# A status page base that is not the last one gets this share of the time left, so a hanging first
# base still leaves the fallback base time to answer.
FIRST_BASE_SHARE = 0.6
CLOSE_GRACE_S = 0.25


@dataclass(frozen=True)
class Target:
    """A concrete URL to probe."""

    key: str
    url: str
    keyed: bool = False


@dataclass(frozen=True)
class CheckPlan:
    """Everything one run of the checks needs; built from the config, holds no I/O."""

    targets: tuple[Target, ...]
    status_pages: tuple[str, ...]  # base URLs, tried in order
    timeout_s: float
    slow_s: float
    api_key: str | None = None


class _TooLarge(Exception):
    pass


async def _read_capped(response: httpx.Response, limit: int) -> bytes:
    """Read at most `limit` bytes of a streamed body; raise _TooLarge past it."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise _TooLarge
    return b"".join(chunks)


async def _sniff(response: httpx.Response) -> bytes:
    """Read only the head of a body: what classification looks at."""
    with contextlib.suppress(_TooLarge):
        return await _read_capped(response, SNIFF_BYTES)
    return b""


async def probe(
    client: httpx.AsyncClient,
    target: Target,
    plan: CheckPlan,
    *,
    clock: Callable[[], float] = time.perf_counter,
) -> Evidence:
    """Probe one URL; network trouble is a result, never an exception."""
    headers = {}
    if target.keyed and plan.api_key:
        headers = {"x-api-key": plan.api_key, "anthropic-version": ANTHROPIC_VERSION}
    start = clock()
    try:
        # The key never follows a redirect: httpx strips Authorization across hosts, not x-api-key.
        async with client.stream("GET", target.url, headers=headers, follow_redirects=not target.keyed) as resp:
            latency = clock() - start
            body = await _sniff(resp) if needs_body(resp.status_code) else b""
            lowered = {k.lower(): v for k, v in resp.headers.items()}
            verdict = classify_response(resp.status_code, lowered, body, latency_s=latency, slow_s=plan.slow_s)
            return Evidence(
                target.key,
                target.url,
                verdict.status,
                verdict.reason,
                verdict.detail,
                http_status=resp.status_code,
                latency_s=round(latency, 3),
            )
    except (httpx.HTTPError, OSError) as exc:
        failure = classify_exception(exc, timeout_s=plan.timeout_s)
        return Evidence(
            target.key,
            target.url,
            failure.status,
            failure.reason,
            failure.detail,
            latency_s=round(clock() - start, 3),
            local=failure.local,
        )


async def _fetch_summary(client: httpx.AsyncClient, base: str, plan: CheckPlan) -> tuple[Evidence, bytes]:
    url = summary_url(base)
    start = time.perf_counter()
    try:
        async with client.stream("GET", url) as resp:
            latency = round(time.perf_counter() - start, 3)
            lowered = {k.lower(): v for k, v in resp.headers.items()}
            if not 200 <= resp.status_code < 300 or "x-amzn-waf-action" in lowered:
                body = await _sniff(resp)
                v = classify_response(resp.status_code, lowered, body, latency_s=latency, slow_s=plan.slow_s)
                return Evidence(
                    "status_page",
                    url,
                    Status.UNKNOWN,
                    v.reason,
                    v.detail,
                    http_status=resp.status_code,
                    latency_s=latency,
                ), b""
            try:
                body = await _read_capped(resp, MAX_SUMMARY_BYTES)
            except _TooLarge:
                return Evidence(
                    "status_page",
                    url,
                    Status.UNKNOWN,
                    "body_too_large",
                    f"body over {MAX_SUMMARY_BYTES // 1024} KiB",
                    resp.status_code,
                    latency,
                ), b""
            return Evidence(
                "status_page",
                url,
                Status.OPERATIONAL,
                "ok",
                f"HTTP {resp.status_code}",
                resp.status_code,
                latency,
            ), body
    except (httpx.HTTPError, OSError) as exc:
        f = classify_exception(exc, timeout_s=plan.timeout_s)
        return Evidence("status_page", url, Status.UNKNOWN, f.reason, f.detail, local=f.local), b""


async def read_status_page(client: httpx.AsyncClient, plan: CheckPlan, deadline: float) -> StatusPage:
    """Try each status page base in order until one gives a readable summary."""
    attempts: list[Evidence] = []
    for i, base in enumerate(plan.status_pages):
        left = deadline - time.perf_counter()
        if left <= 0:
            break
        is_last = i == len(plan.status_pages) - 1
        budget = left if is_last else left * FIRST_BASE_SHARE
        try:
            evidence, body = await asyncio.wait_for(_fetch_summary(client, base, plan), budget)
        except TimeoutError:
            evidence, body = (
                Evidence(
                    "status_page",
                    summary_url(base),
                    Status.UNKNOWN,
                    "timeout",
                    f"no answer within {budget:.1f} s",
                ),
                b"",
            )
        if body:
            try:
                comps, incidents, indicator = parse_summary(body, page_url=base)
            except UnusableSummary as e:
                evidence = Evidence(
                    "status_page",
                    evidence.url,
                    Status.UNKNOWN,
                    "bad_summary",
                    f"unreadable summary: {e}",
                    evidence.http_status,
                    evidence.latency_s,
                )
            else:
                attempts.append(evidence)
                return StatusPage(
                    True,
                    evidence.url,
                    "ok",
                    f"read {evidence.url}",
                    comps,
                    incidents,
                    indicator,
                    tuple(attempts),
                )
        attempts.append(evidence)
    last = attempts[-1] if attempts else None
    return StatusPage(
        usable=False,
        url=last.url if last else None,
        reason=last.reason if last else "timeout",
        detail=last.detail if last else "no time left to read the status page",
        attempts=tuple(attempts),
    )


def make_client(plan: CheckPlan, transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
    """Build the one client every check shares."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(plan.timeout_s),
        headers={"user-agent": USER_AGENT},
        max_redirects=5,
        transport=transport,
    )


async def gather(
    plan: CheckPlan, *, transport: httpx.AsyncBaseTransport | None = None
) -> tuple[dict[str, Evidence], StatusPage]:
    """Run every probe and the status page read concurrently; nothing outlives plan.timeout_s."""
    deadline = time.perf_counter() + plan.timeout_s
    client = make_client(plan, transport)
    try:
        jobs: dict[str, Coroutine[Any, Any, Any]] = {t.key: probe(client, t, plan) for t in plan.targets}
        if plan.status_pages:
            jobs["status_page"] = read_status_page(client, plan, deadline)
        tasks = {key: asyncio.ensure_future(job) for key, job in jobs.items()}
        await asyncio.wait(tasks.values(), timeout=plan.timeout_s)
        for task in tasks.values():
            task.cancel()
        # Let cancelled tasks unwind (they only hold sockets); bounded so the deadline holds.
        await asyncio.wait(tasks.values(), timeout=CLOSE_GRACE_S)
        evidence: dict[str, Evidence] = {}
        page = StatusPage(False, None, "not_configured", "no status page configured")
        for key, task in tasks.items():
            result = task.result() if task.done() and not task.cancelled() else None
            if key == "status_page":
                page = result or StatusPage(
                    False,
                    summary_url(plan.status_pages[0]),
                    "timeout",
                    f"no answer within {plan.timeout_s:g} s",
                )
            else:
                target = next(t for t in plan.targets if t.key == key)
                evidence[key] = result or Evidence(
                    key, target.url, Status.DOWN, "timeout", f"no answer within {plan.timeout_s:g} s"
                )
        return evidence, page
    finally:
        # Closing must not stretch the deadline either: connections of cancelled requests are dropped.
        with contextlib.suppress(Exception):
            await asyncio.wait_for(client.aclose(), CLOSE_GRACE_S)
