"""`routes check`: every route's free probes and its provider's status feed, all in parallel under one deadline.

routes → creds/clouds (worker threads) → probes (the requests) → verdict (each answer) → one RouteResult each.
The HTTP client, capped bodies and proxy rules are the surfaces' (checks/http.py). No token is spent unless
`deep`; a failure of the network is a result, never an exception.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Final

import httpx

from outagecheck.checks.http import Answer, Tracer, exchange, failure_evidence, make_client, may_send_key, proxy_for
from outagecheck.checks.peercert import FilterRedirect
from outagecheck.model import Evidence, Status
from outagecheck.routes import feeds, probes, verdict
from outagecheck.routes.creds import Creds, off_loop, resolve, with_region
from outagecheck.routes.model import Blocker, Kind, Route, RouteResult
from outagecheck.routes.sigv4 import sign

if TYPE_CHECKING:
    from outagecheck.routes.current import Current
    from outagecheck.routes.settings import SettingsLayer

BODY_LIMIT: Final = 64 * 1024
DEFAULT_SLOW_S: Final = 3.0


@dataclass(frozen=True)
class Settings:
    """What a run needs besides the routes."""

    timeout_s: float
    environ: Mapping[str, str]
    slow_s: float = DEFAULT_SLOW_S
    deep: bool = False
    failing: frozenset[str] = frozenset()  # surfaces failing now: a route sharing their fate is not a way out
    current: str | None = None  # the name of the route Claude Code uses now
    feeds: bool = True  # read the provider's status feed (the proof after a switch already read it before)


def _headers(call: probes.Call, route: Route, creds: Creds) -> dict[str, str]:
    headers = dict(call.headers)
    if call.keyless:
        return headers
    if creds.aws is not None:
        service = probes.SIGNED.get(route.kind, "bedrock")
        return sign(
            call.method,
            call.url,
            headers,
            call.body or b"",
            keys=creds.aws,
            region=probes.region(route),
            service=service,
        )
    headers.update(creds.headers)
    return headers


async def _send(
    client: httpx.AsyncClient, call: probes.Call, route: Route, creds: Creds, deadline: float, s: Settings
) -> tuple[Evidence, Blocker | None]:
    loop = asyncio.get_running_loop()
    proxy = proxy_for(call.url)
    if not call.keyless and not may_send_key(call.url, proxy):
        detail = f"credentials not sent: {call.url} is plain http:// to a host other than this machine"
        return Evidence(call.key, call.url, Status.UNKNOWN, "key_withheld", detail), None
    tracer, start = Tracer(), loop.time()
    try:
        answer = await exchange(
            client, call.url, method=call.method, headers=_headers(call, route, creds), follow=False,
            body=lambda code, h: BODY_LIMIT, deadline=deadline, tracer=tracer, content=call.body,
        )  # fmt: skip
    except FilterRedirect as stop:  # a redirect to a web filter's block page is the answer, as for surfaces
        answer = Answer(stop.status_code, stop.headers, round(loop.time() - start, 3))
    except (httpx.HTTPError, OSError, TimeoutError) as exc:
        latency = round(loop.time() - start, 3)
        return failure_evidence(call.key, call.url, exc, s.timeout_s, tracer, proxy, latency), None
    return verdict.judge(call, answer, slow_s=s.slow_s)


async def _probe(
    client: httpx.AsyncClient, route: Route, creds: Creds, deadline: float, s: Settings
) -> list[tuple[Evidence, Blocker | None]]:
    """The route's calls; a gateway also gets count_tokens when it has no /v1/models, and LiteLLM's health."""
    calls = probes.plan(route) + (probes.deep(route) if s.deep else [])
    sent = [_send(client, c, route, creds, deadline, s) for c in calls]
    if route.kind is not Kind.GATEWAY:
        return list(await asyncio.gather(*sent))
    lite, found = await asyncio.gather(_litellm(client, route, deadline, s), asyncio.gather(*sent))
    found = list(found)
    more = []
    if any(e.endpoint == "models" and e.http_status in (404, 405) for e, _ in found):
        found = [(e, b) for e, b in found if e.endpoint != "models"]
        more = probes.count_tokens(route)
    if lite is not None:
        found.append((lite, None))
        more.append(probes.litellm(route)[1])  # readiness: keyless, reports the proxy's database
    return found + list(await asyncio.gather(*(_send(client, c, route, creds, deadline, s) for c in more)))


async def _litellm(client: httpx.AsyncClient, route: Route, deadline: float, s: Settings) -> Evidence | None:
    """LiteLLM's keyless `/health/liveliness` ("I'm alive!"): its evidence when the gateway is LiteLLM, else None."""
    call = probes.litellm(route)[0]
    try:
        answer = await exchange(
            client, call.url, headers={}, follow=False, body=lambda code, h: 256, deadline=deadline, tracer=Tracer()
        )
    except (httpx.HTTPError, OSError, TimeoutError):
        return None
    if answer.status_code != 200 or b"alive" not in answer.body.lower():
        return None
    return verdict.judge(call, answer, slow_s=s.slow_s)[0]


def combine(route: Route, found: list[tuple[Evidence, Blocker | None]], creds: Creds, s: Settings) -> RouteResult:
    """One route's status and usability from its evidence."""
    evidence = tuple(e for e, _ in found)
    voting = [e for e in evidence if e.status is not Status.UNKNOWN]
    statuses = {e.status for e in voting}
    if not voting:
        status = Status.UNKNOWN
    elif statuses == {Status.DOWN}:
        status = Status.DOWN
    elif statuses & {Status.DOWN, Status.DEGRADED}:
        status = Status.DEGRADED
    else:
        status = Status.OPERATIONAL
    lead = next((e for e in evidence if e.status is status), evidence[0] if evidence else None)
    blocker = verdict.first_blocker([creds.blocker, *(b for _, b in found)])
    fate = verdict.shares_fate(route)
    if blocker is None and set(fate) & s.failing:
        blocker = Blocker.SHARES_FATE
    detail = "; ".join(f"{e.endpoint} {e.detail}" for e in evidence)
    reason = lead.reason if lead else "nothing_checked"
    if creds.blocker is not None:
        detail, reason = creds.detail + (f" ({creds.hint})" if creds.hint else ""), creds.blocker.value
    elif not evidence:
        detail = 'nothing to check: pin a model for this route (models = { sonnet = "…" })'
    return RouteResult(
        route, status, reason, detail, blocker,
        evidence, verdict.billed_to(route), fate, current=route.name == s.current,
        latency_ms=max((e.latency_s or 0 for e in voting), default=0) * 1000 if voting else None,
    )  # fmt: skip


async def _feed(client: httpx.AsyncClient, route: Route, url: str, deadline: float) -> feeds.Reading:
    try:
        answer = await exchange(
            client,
            url,
            headers={},
            follow=True,
            body=lambda code, h: feeds.FEED_LIMIT,
            deadline=deadline,
            tracer=Tracer(),
        )
    except (httpx.HTTPError, OSError, TimeoutError) as exc:
        return feeds.Reading(url, usable=False, detail=f"no answer ({type(exc).__name__})")
    if answer.status_code != 200 or answer.too_large or answer.cut_short:
        return feeds.Reading(url, usable=False, detail=f"HTTP {answer.status_code}")
    return feeds.read(route, url, answer.body)


def with_feed(result: RouteResult, reading: feeds.Reading | None) -> RouteResult:
    """An open provider incident for the route's service and region: at least degraded, shown with it."""
    if reading is None:
        return result
    status, reason, detail = result.status, result.reason, result.detail
    if reading.incidents and status is Status.OPERATIONAL:
        status, reason = Status.DEGRADED, "provider_incident"
    if not reading.usable:  # no signal, and said so: never read as "no incident"
        detail += f"; status feed: {reading.detail}"
    found = reading.incidents
    return replace(result, status=status, reason=reason, detail=detail, status_feed=reading.url, feed_incidents=found)


async def check_one(client: httpx.AsyncClient, route: Route, deadline: float, s: Settings) -> RouteResult:
    loop = asyncio.get_running_loop()
    route = with_region(route, s.environ)
    feed = feeds.feed_url(route) if s.feeds else None
    reading = asyncio.ensure_future(_feed(client, route, feed, deadline)) if feed else None
    try:
        async with asyncio.timeout_at(deadline):
            creds = await off_loop(resolve, route, s.environ, deadline - loop.time())
    except TimeoutError:
        creds = Creds(blocker=Blocker.NO_CREDENTIALS, detail=f"credentials not resolved within {s.timeout_s:g} s")
    found = [] if creds.blocker else await _probe(client, route, creds, deadline, s)
    result = combine(route, found, creds, s)
    return with_feed(result, await reading if reading else None)


async def check_routes(
    routes: Sequence[Route], s: Settings, *, client: httpx.AsyncClient | None = None, deadline: float | None = None
) -> tuple[RouteResult, ...]:
    """Check every route at once; all done (or given up) by `deadline` (loop time), or `s.timeout_s` from now."""
    deadline = deadline or asyncio.get_running_loop().time() + s.timeout_s
    own = client is None
    client = client or make_client(s.timeout_s)
    try:
        return tuple(await asyncio.gather(*(check_one(client, r, deadline, s) for r in routes)))
    finally:
        if own:
            await client.aclose()


def current_name(
    routes: Sequence[Route], environ: Mapping[str, str], layers: tuple[SettingsLayer, ...] | None = None
) -> str | None:
    """The configured route Claude Code uses now (its settings layers, read here unless given, and the
    environment), if one is; none when a Claude apps gateway forced by managed settings outranks them all."""
    found = _now(environ, layers)
    if found.apps_gateway is not None:
        return None
    from outagecheck.routes import current  # noqa: PLC0415  # only with routes

    return next((r.name for r in routes if current.matches(r, found.route())), None)


AUTH_WORDS: Final = {
    "cloud": "its cloud credentials",
    "token": "ANTHROPIC_AUTH_TOKEN",
    "key": "ANTHROPIC_API_KEY",
    "helper": "apiKeyHelper",
    "oauth_token": "CLAUDE_CODE_OAUTH_TOKEN",
    "subscription": "the subscription login",
}


def now_note(environ: Mapping[str, str]) -> str:
    """The route Claude Code uses now, when it is none of the configured ones (a note under the Routes table)."""
    now = _now(environ)
    if (gateway := now.apps_gateway) is not None:
        return f"Claude Code uses none of these routes now: {gateway.where} forces the Claude apps gateway."
    return f"Claude Code uses none of these routes now: {now.kind.value}, with {AUTH_WORDS.get(now.auth, now.auth)}."


def _now(environ: Mapping[str, str], layers: tuple[SettingsLayer, ...] | None = None) -> Current:
    from outagecheck.routes import current, settings  # noqa: PLC0415  # only with routes

    # A deleted current directory has no project layers (for Claude Code neither), never an internal error.
    layers = settings.settings_layers(settings.working_dir()) if layers is None else layers
    return current.resolve(settings.environment(environ), layers)


Beside = tuple[tuple[RouteResult, ...], tuple[str, ...]]  # the results, and the notes for the report


def beside(
    routes: Sequence[Route], environ: Mapping[str, str], timeout_s: float, slow_s: float
) -> Callable[[httpx.AsyncClient, float], Coroutine[Any, Any, Beside]]:
    """The routes' check as `status` runs it: on the surfaces' client and loop, by their deadline. Its notes
    name the route Claude Code uses when it is none of the configured ones."""
    s = Settings(timeout_s, environ, slow_s, current=current_name(routes, environ))
    said = () if s.current else (now_note(environ),)

    async def run_beside(client: httpx.AsyncClient, deadline: float) -> Beside:
        return await check_routes(routes, s, client=client, deadline=deadline), said

    return run_beside


def run(
    routes: Sequence[Route], s: Settings, *, transport: httpx.AsyncBaseTransport | None = None
) -> tuple[RouteResult, ...]:
    """check_routes() on a fresh event loop, from synchronous code (the CLI)."""
    make: Callable[[], httpx.AsyncClient] = lambda: make_client(s.timeout_s, transport)  # noqa: E731

    async def main() -> tuple[RouteResult, ...]:
        async with make() as client:
            return await check_routes(routes, s, client=client)

    return asyncio.run(main())
