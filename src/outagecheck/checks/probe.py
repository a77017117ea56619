"""Probe every endpoint and read the status pages at once, under one deadline; failures are results."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import field, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from outagecheck import interrupted
from outagecheck.checks.classify import SNIFF_BYTES, classify_response, needs_body
from outagecheck.checks.deep import classify_deep
from outagecheck.checks.http import (
    ANTHROPIC_VERSION,
    Answer,
    Tracer,
    exchange,
    failure_evidence,
    make_client,
    may_send_key,
    proxy_for,
)
from outagecheck.checks.intermediaries import PEEK_BYTES, signature
from outagecheck.checks.peercert import FilterRedirect, stop_at_filter, with_issuer
from outagecheck.checks.plan import CheckPlan, Target, summary_url
from outagecheck.checks.starvation import Heartbeat, overloaded
from outagecheck.checks.statuspage import read_status_page
from outagecheck.checks.tls import ContextLoader
from outagecheck.classes import dataclass
from outagecheck.model import Evidence, Status, StatusPage

CLOSE_GRACE_S = 0.2
# Checks stop this long before the overall deadline, so they report their own timeout.
SELF_STOP_S = 0.05
# One quick retry for these, after a random pause in this range (jitter: retries don't arrive in step).
RETRY_ON = frozenset({"connect_refused", "connect_error", "reset", "http_5xx"})
RETRY_JITTER_S = (0.05, 0.25)
# A retry is only worth starting with at least this much time left after its pause.
MIN_RETRY_WINDOW_S = 0.3


@dataclass(frozen=True)
class Gathered:
    """What one run of the checks saw: evidence by endpoint key, Claude's status page, and the
    custom surfaces' status pages by base URL."""

    evidence: dict[str, Evidence]
    page: StatusPage
    other_pages: dict[str, StatusPage] = field(default_factory=dict)
    extra: Any = None  # what `extra` returned (the routes' results), None when it ran out of time or wasn't asked


# A check from another room run in the same loop, on the same client, by the same deadline (loop time):
# `status` passes the routes' check this way (checks/ does not import routes/).
Extra = Callable[[httpx.AsyncClient, float], Coroutine[Any, Any, Any]]


def body_limit(target: Target) -> Callable[[int, dict[str, str]], int]:
    """How much body a probe reads: the head of an error body, or of a 2xx to check it against its
    contract and recognise a portal; never a whole page."""

    def limit(status_code: int, headers: dict[str, str]) -> int:
        if needs_body(status_code):
            return SNIFF_BYTES
        if target.method == "HEAD":
            return 0
        # The hellos answer ~20 bytes; a one-model list a few hundred.
        return SNIFF_BYTES if target.expect_body == "models" else PEEK_BYTES

    return limit


def _parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds()) if when.tzinfo else None


def _evidence(target: Target, answer: Answer, plan: CheckPlan) -> Evidence:
    # One rule set for every row: the Claude endpoints, custom surfaces and the gateway alike.
    verdict = classify_response(
        answer.status_code,
        answer.headers,
        answer.body,
        latency_s=answer.latency_s,
        slow_s=plan.slow_s,
        contract=target.expect_body,
        expect=target.expect,
        edge=target.edge,
        host=urlsplit(target.url).hostname or "",
    )
    if target.body is not None:
        verdict = classify_deep(answer.status_code, answer.body, verdict)
    return Evidence(
        target.key,
        target.url,
        verdict.status,
        verdict.reason,
        verdict.detail,
        http_status=answer.status_code,
        latency_s=answer.latency_s,
        local=verdict.local,
        signature=signature(answer.body),
        answered_by=verdict.answered_by,
        product=verdict.product,
    )


async def _attempt(
    client: httpx.AsyncClient,
    target: Target,
    plan: CheckPlan,
    deadline: float,
    heart: Heartbeat | None = None,
    *,
    first: bool = True,
) -> tuple[Evidence, float | None]:
    """One try: (evidence, the server's retry-after in seconds, if it gave one)."""
    loop = asyncio.get_running_loop()
    budget = deadline - loop.time()  # what this attempt really has, from the moment it can start
    if target.blocked:
        return Evidence(target.key, target.url, Status.UNKNOWN, target.blocked_reason, target.blocked), None
    # Read before sending only where the key decision needs it, else on failure: nine environment variables
    key = plan.api_key if target.keyed else None
    proxy = proxy_for(target.url) if key else None
    headers = dict(target.headers)
    if key:
        if not may_send_key(target.url, proxy):
            why = f"through proxy {proxy}" if proxy else "to a host other than this machine"
            detail = f"API key not sent: {target.url} is plain http:// and would carry it in clear {why}"
            return Evidence(target.key, target.url, Status.UNKNOWN, "key_withheld", detail), None
        headers = {"x-api-key": key, "anthropic-version": ANTHROPIC_VERSION}
        if target.body is not None:
            headers["content-type"] = "application/json"
    tracer = Tracer()
    start = loop.time()
    try:
        # The key never follows a redirect: httpx strips Authorization across hosts, not x-api-key. Nor do
        # configured headers (${VAR} secrets): a 3xx is the answer, evidence of its own.
        answer = await exchange(
            client,
            target.url,
            method=target.method,
            headers=headers,
            follow=not target.keyed and not target.headers,
            content=target.body,
            body=body_limit(target),
            deadline=deadline,
            tracer=tracer,
        )
    except FilterRedirect as stop:  # a redirect to a web filter's block page: it is the answer
        answer = Answer(stop.status_code, stop.headers, round(loop.time() - start, 3))
    except (httpx.HTTPError, OSError) as exc:
        proxy = proxy if key else proxy_for(target.url)
        failed = failure_evidence(
            target.key, target.url, exc, plan.timeout_s, tracer, proxy, round(loop.time() - start, 3)
        )
        if failed.reason == "tls" and proxy is None:
            failed = await with_issuer(failed, deadline)
        busy = heart.starved(budget, plan.timeout_s, first=first) if heart and failed.reason == "timeout" else None
        return (overloaded(failed, busy) if busy else failed), None
    return _evidence(target, answer, plan), _parse_retry_after(answer.headers.get("retry-after"))


def _retry_delay(evidence: Evidence, retry_after: float | None, rng: Callable[[], float]) -> float | None:
    """How long to wait before the one retry, or None for no retry."""
    if evidence.reason in RETRY_ON:
        return RETRY_JITTER_S[0] + rng() * (RETRY_JITTER_S[1] - RETRY_JITTER_S[0])
    if evidence.reason in ("rate_limited", "overloaded") and retry_after is not None:
        return retry_after
    return None


async def probe(
    client: httpx.AsyncClient,
    target: Target,
    plan: CheckPlan,
    deadline: float,
    *,
    rng: Callable[[], float] = random.random,
    heart: Heartbeat | None = None,
) -> Evidence:
    """Probe one URL, with one retry inside the deadline; network trouble is a result, never an exception."""
    loop = asyncio.get_running_loop()
    first, retry_after = await _attempt(client, target, plan, deadline, heart)
    first = replace(first, attempts=(first.as_attempt(),))
    # A POST (status --deep) is billed: it is sent once, whatever it answers.
    delay = None if target.method == "POST" else _retry_delay(first, retry_after, rng)
    if delay is None or loop.time() + delay + MIN_RETRY_WINDOW_S > deadline:
        return first
    await asyncio.sleep(delay)
    second, _ = await _attempt(client, target, plan, deadline, heart, first=False)
    attempts = (*first.attempts, second.as_attempt())
    if second.status is Status.OPERATIONAL or second.reason == "slow":
        detail = f"passed after retry; first try: {first.reason}: {first.detail}"
        return replace(second, status=Status.DEGRADED, reason="passed_after_retry", detail=detail, attempts=attempts)
    return replace(second, attempts=attempts)


async def gather(
    plan: CheckPlan,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    rng: Callable[[], float] = random.random,
    tls: ContextLoader | None = None,
    extra: Extra | None = None,
) -> Gathered:
    """Run every probe and the status page reads (and `extra`) concurrently; nothing outlives plan.timeout_s."""
    loop = asyncio.get_running_loop()
    client = make_client(plan.timeout_s, transport, tls=tls)
    client.event_hooks["response"].append(stop_at_filter)
    # The budget starts once the checks can run: waiting for the CA bundle on a busy machine is not
    # the remote service's time.
    deadline = loop.time() + plan.timeout_s
    # Each check stops itself a moment early, so it reports its own failure instead of being cut off.
    own_deadline = deadline - SELF_STOP_S
    heart = Heartbeat(plan.timeout_s)
    pulse = asyncio.ensure_future(heart.beat())
    try:
        jobs: dict[str, Coroutine[Any, Any, Any]] = {
            t.key: probe(client, t, plan, own_deadline, rng=rng, heart=heart) for t in plan.targets
        }
        if plan.status_pages:
            jobs["status_page"] = read_status_page(client, plan, own_deadline)
        for base in plan.other_pages:
            jobs[f"page:{base}"] = read_status_page(client, plan, own_deadline, (base,))
        if extra is not None:
            jobs["extra"] = extra(client, own_deadline)
        tasks = {key: asyncio.ensure_future(job) for key, job in jobs.items()}
        for task in tasks.values():
            task.add_done_callback(_stop_on_ctrl_c)
        await asyncio.wait(tasks.values(), timeout=max(0.0, deadline - loop.time()))
        for task in tasks.values():
            task.cancel()
        # Let cancelled tasks unwind (they only hold sockets); bounded so the deadline holds.
        await asyncio.wait(tasks.values(), timeout=CLOSE_GRACE_S)
        return _collect(tasks, plan, heart)
    finally:
        pulse.cancel()
        # Closing must not stretch the deadline either: connections of cancelled requests are dropped.
        with contextlib.suppress(Exception):
            await asyncio.wait_for(client.aclose(), CLOSE_GRACE_S)


def _collect(tasks: Mapping[str, asyncio.Future[Any]], plan: CheckPlan, heart: Heartbeat) -> Gathered:
    """What the finished tasks found; a task the deadline cut off is a timeout (or the machine's overload)."""
    evidence: dict[str, Evidence] = {}
    page = StatusPage(False, None, "not_configured", "no status page configured")
    others: dict[str, StatusPage] = {}
    for key, task in tasks.items():
        if key == "extra":
            continue
        result = task.result() if task.done() and not task.cancelled() else None
        if key == "status_page" or key.startswith("page:"):
            base = key.removeprefix("page:") if key != "status_page" else plan.status_pages[0]
            read = result or StatusPage(False, summary_url(base), "timeout", f"no answer within {plan.timeout_s:g} s")
            if key == "status_page":
                page = read
            else:
                others[base] = read
        else:
            target = next(t for t in plan.targets if t.key == key)
            cut_off = Evidence(key, target.url, Status.DOWN, "timeout", f"no answer within {plan.timeout_s:g} s")
            why = None if result else heart.starved(plan.timeout_s, plan.timeout_s, first=True)
            evidence[key] = result or (overloaded(cut_off, why) if why else cut_off)
    done = tasks.get("extra")
    finished = done is not None and done.done() and not done.cancelled() and done.exception() is None
    return Gathered(evidence, page, others, done.result() if done is not None and finished else None)


def _stop_on_ctrl_c(task: asyncio.Future[Any]) -> None:
    """A Ctrl-C that a library caught and wrapped (anyio's connect task group hands it back in a
    BaseExceptionGroup; a cleanup can fail on a module it left half imported) would be kept as the task's
    result while the loop runs on to the deadline: raised from this callback, it stops the loop at once."""
    if not task.cancelled() and (error := task.exception()) is not None and interrupted(error):
        raise KeyboardInterrupt from None


def gather_now(plan: CheckPlan, *, tls: ContextLoader | None = None, extra: Extra | None = None) -> Gathered:
    """Run gather() on a fresh event loop: one check, from synchronous code."""
    return asyncio.run(gather(plan, tls=tls, extra=extra))
