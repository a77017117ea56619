"""Fetch every endpoint and the status page at once, under one deadline; failures are results."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import ssl
import zlib
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit
from urllib.request import getproxies_environment

import httpx

from outagecheck import __version__
from outagecheck.classify import SNIFF_BYTES, Verdict, classify_exception, classify_response, needs_body
from outagecheck.errors import ConfigError
from outagecheck.model import Evidence, Status, StatusPage
from outagecheck.statuspage import MAX_SUMMARY_BYTES, UnusableSummary, parse_summary, summary_url
from outagecheck.tls import ContextLoader

USER_AGENT = f"outagecheck/{__version__} (+https://github.com/outagecheck/outagecheck)"
ANTHROPIC_VERSION = "2023-06-01"
# A status page base that is not the last one gets this share of the time left, so a hanging first
# base still leaves the fallback base time to answer.
FIRST_BASE_SHARE = 0.6
CLOSE_GRACE_S = 0.2
# Checks stop this long before the overall deadline, so they report their own timeout.
SELF_STOP_S = 0.05
# One quick retry for these, after a random pause in this range (jitter: retries don't arrive in step).
RETRY_ON = frozenset({"connect_refused", "connect_error", "reset", "http_5xx"})
RETRY_JITTER_S = (0.05, 0.25)
# A retry is only worth starting with at least this much time left after its pause.
MIN_RETRY_WINDOW_S = 0.3
MAX_CONNECTIONS = 64  # per client: bounded concurrency, whatever the number of surfaces
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class Target:
    """A concrete URL to probe."""

    key: str
    url: str
    keyed: bool = False
    method: str = "GET"  # GET or HEAD: a check never changes anything, so a retry is always safe
    headers: tuple[tuple[str, str], ...] = ()  # already expanded; never printed
    expect: tuple[int, ...] = ()  # these codes are operational; empty: the usual rules
    blocked: str | None = None  # why it can't be sent (a header's variable is unset); no request is made


@dataclass(frozen=True)
class CheckPlan:
    """Everything one run of the checks needs; built from the config, holds no I/O."""

    targets: tuple[Target, ...]
    status_pages: tuple[str, ...]  # base URLs, tried in order
    timeout_s: float
    slow_s: float
    api_key: str | None = None
    other_pages: tuple[str, ...] = ()  # Statuspage bases of custom surfaces, each read once


class _Decoder:
    """Undo Content-Encoding with a bound on the output: a gzip bomb can't inflate past the cap."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding.strip().lower()
        self._z: Any = None
        if self.encoding in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.encoding == "deflate":
            self._z = zlib.decompressobj()
        self.passthrough = self.encoding in ("", "identity") or self._z is None
        self._raw = False

    def feed(self, data: bytes, room: int) -> bytes:
        """Decode one raw chunk into at most room + 1 bytes (one more than fits says 'too large')."""
        if self.passthrough:
            return data[: room + 1]
        try:
            return bytes(self._z.decompress(data, room + 1))
        except zlib.error:
            if self.encoding == "deflate" and not self._raw:
                self._raw = True  # some servers send raw deflate without the zlib header
                self._z = zlib.decompressobj(-zlib.MAX_WBITS)
                return bytes(self._z.decompress(data, room + 1))
            raise


@dataclass
class _Answer:
    """An HTTP answer as far as it got: status and headers, and the body read so far."""

    status_code: int
    headers: dict[str, str]  # lower-case names
    latency_s: float
    chunks: list[bytes] = field(default_factory=list)
    too_large: bool = False
    cut_short: bool = False  # the deadline struck while the body was still arriving
    broken: BaseException | None = None  # the connection failed while the body was arriving

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)


async def _read_body(response: httpx.Response, answer: _Answer, limit: int) -> None:
    """Read and decode at most `limit` bytes into answer.body; flag too_large past it."""
    decoder = _Decoder(response.headers.get("content-encoding", ""))
    size = 0
    async for raw in response.aiter_raw():
        piece = decoder.feed(raw, limit - size)
        answer.chunks.append(piece)  # kept current: a deadline mid-body leaves what arrived
        size += len(piece)
        if size > limit:
            answer.chunks[-1] = piece[: len(piece) - (size - limit)]
            answer.too_large = True
            return


BodyPolicy = Callable[[int, dict[str, str]], int]


def _sniff_errors(status_code: int, headers: dict[str, str]) -> int:
    """How much body a probe reads: only an error body, and only its head."""
    return SNIFF_BYTES if needs_body(status_code) else 0


class _Tracer:
    """Record, through httpx's trace extension, whether a connection to the server was made."""

    def __init__(self) -> None:
        self.connected = False

    async def __call__(self, event: str, info: dict[str, Any]) -> None:
        if event.endswith(("connect_tcp.complete", "send_request_headers.started")):
            self.connected = True


async def _exchange(
    client: httpx.AsyncClient,
    url: str,
    *,
    method: str = "GET",
    headers: dict[str, str],
    follow: bool,
    body: BodyPolicy,
    deadline: float,
    tracer: _Tracer,
) -> _Answer:
    """One GET that cannot outlive `deadline` (loop time); raise what httpx raises, or TimeoutError."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    answer: _Answer | None = None
    try:
        async with asyncio.timeout_at(deadline):
            request = client.stream(method, url, headers=headers, follow_redirects=follow, extensions={"trace": tracer})
            async with request as resp:
                lowered = {k.lower(): v for k, v in resp.headers.items()}
                answer = _Answer(resp.status_code, lowered, round(loop.time() - start, 3))
                if limit := body(resp.status_code, lowered):
                    try:
                        await _read_body(resp, answer, limit)
                    except (httpx.HTTPError, OSError, zlib.error) as exc:
                        if isinstance(exc, TimeoutError):
                            raise
                        answer.broken = exc  # the status line and headers still count
    except TimeoutError:
        if answer is None:
            raise
        answer.cut_short = True
    return answer


PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")


def _short_error(e: BaseException) -> str:
    text = str(e).splitlines()[0] if str(e) else type(e).__name__
    return text.split(" Make sure")[0]


def proxy_for(url: str) -> str | None:
    """The proxy the environment sends `url` through (HTTPS_PROXY, ALL_PROXY, NO_PROXY), credentials hidden."""
    parts = urlsplit(url)
    proxies = getproxies_environment()
    if not proxies or _bypassed(parts.hostname or "", proxies.get("no", "")):
        return None
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    if not proxy:
        return None
    try:
        p = urlsplit(proxy if "://" in proxy else "http://" + proxy)
        return f"{p.scheme}://{p.hostname}" + (f":{p.port}" if p.port else "")
    except ValueError:
        return "(unparsable proxy URL)"  # make_client has refused it already; never echo credentials


def _bypassed(host: str, no_proxy: str) -> bool:
    """NO_PROXY as curl and httpx read it: '*', a host, or a domain suffix (leading dot optional)."""
    host = host.lower().strip("[]")
    for entry in (e.strip().lower().strip("[]") for e in no_proxy.split(",")):
        if entry == "*" or (entry and (host == entry.lstrip(".") or host.endswith("." + entry.lstrip(".")))):
            return True
    return False


def may_send_key(url: str, proxy: str | None) -> bool:
    """The key travels only encrypted, or straight to this machine: never in clear through a proxy."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return True
    return proxy is None and parts.hostname in LOOPBACK_HOSTS


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


def _evidence(target: Target, answer: _Answer, plan: CheckPlan) -> Evidence:
    code, latency = answer.status_code, answer.latency_s
    if target.expect and code in target.expect:
        # The user said what a healthy answer is; only slowness can still make it less than that.
        verdict = classify_response(200, {}, b"", latency_s=latency, slow_s=plan.slow_s)
        verdict = verdict._replace(detail=f"HTTP {code} (expected)") if verdict.reason == "ok" else verdict
    elif target.expect and 200 <= code < 300:
        verdict = Verdict(Status.DEGRADED, "unexpected_status", f"HTTP {code}, expected {_codes(target.expect)}")
    else:
        verdict = classify_response(code, answer.headers, answer.body, latency_s=latency, slow_s=plan.slow_s)
    return Evidence(
        target.key,
        target.url,
        verdict.status,
        verdict.reason,
        verdict.detail,
        http_status=answer.status_code,
        latency_s=answer.latency_s,
    )


async def _attempt(
    client: httpx.AsyncClient, target: Target, plan: CheckPlan, deadline: float
) -> tuple[Evidence, float | None]:
    """One try: (evidence, the server's retry-after in seconds, if it gave one)."""
    loop = asyncio.get_running_loop()
    if target.blocked:
        return Evidence(target.key, target.url, Status.UNKNOWN, "missing_env", target.blocked), None
    proxy = proxy_for(target.url)
    headers = dict(target.headers)
    if target.keyed and plan.api_key:
        if not may_send_key(target.url, proxy):
            why = f"through proxy {proxy}" if proxy else "to a host other than this machine"
            detail = f"API key not sent: {target.url} is plain http:// and would carry it in clear {why}"
            return Evidence(target.key, target.url, Status.UNKNOWN, "key_withheld", detail), None
        headers = {"x-api-key": plan.api_key, "anthropic-version": ANTHROPIC_VERSION}
    tracer = _Tracer()
    start = loop.time()
    try:
        # The key never follows a redirect: httpx strips Authorization across hosts, not x-api-key.
        answer = await _exchange(
            client,
            target.url,
            method=target.method,
            headers=headers,
            follow=not target.keyed,
            body=_sniff_errors,
            deadline=deadline,
            tracer=tracer,
        )
    except (httpx.HTTPError, OSError) as exc:
        return _failed(target.key, target.url, exc, plan, tracer, proxy, round(loop.time() - start, 3)), None
    return _evidence(target, answer, plan), _parse_retry_after(answer.headers.get("retry-after"))


def _codes(codes: tuple[int, ...]) -> str:
    return ", ".join(map(str, codes)) if len(codes) <= 4 else f"{codes[0]}-{codes[-1]}"


def _failed(
    key: str, url: str, exc: BaseException, plan: CheckPlan, tracer: _Tracer, proxy: str | None, latency: float | None
) -> Evidence:
    """Evidence for a request that got no answer; before any connection was made, it is 'local'."""
    failure = classify_exception(
        exc,
        timeout_s=plan.timeout_s,
        host=urlsplit(url).hostname or "",
        proxy=None if tracer.connected else proxy,
    )
    status, reason, detail, local = failure
    if reason == "timeout" and not tracer.connected:
        # Nothing answered the connection: a black-holed network looks exactly like this.
        detail, local = f"no connection within {plan.timeout_s:g} s", True
    return Evidence(key, url, status, reason, detail, latency_s=latency, local=local)


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
) -> Evidence:
    """Probe one URL, with one retry inside the deadline; network trouble is a result, never an exception."""
    loop = asyncio.get_running_loop()
    first, retry_after = await _attempt(client, target, plan, deadline)
    first = replace(first, attempts=(first.as_attempt(),))
    delay = _retry_delay(first, retry_after, rng)
    if delay is None or loop.time() + delay + MIN_RETRY_WINDOW_S > deadline:
        return first
    await asyncio.sleep(delay)
    second, _ = await _attempt(client, target, plan, deadline)
    attempts = (*first.attempts, second.as_attempt())
    if second.status is Status.OPERATIONAL or second.reason == "slow":
        detail = f"passed after retry; first try: {first.reason}: {first.detail}"
        return replace(second, status=Status.DEGRADED, reason="passed_after_retry", detail=detail, attempts=attempts)
    return replace(second, attempts=attempts)


def _summary_body(status_code: int, headers: dict[str, str]) -> int:
    """A readable summary is read whole, up to the cap; an error page only its head."""
    if not 200 <= status_code < 300 or "x-amzn-waf-action" in headers:
        return SNIFF_BYTES
    return MAX_SUMMARY_BYTES


async def _fetch_summary(
    client: httpx.AsyncClient, base: str, plan: CheckPlan, deadline: float
) -> tuple[Evidence, bytes]:
    url = summary_url(base)
    proxy = proxy_for(url)
    tracer = _Tracer()
    try:
        answer = await _exchange(
            client, url, headers={}, follow=True, body=_summary_body, deadline=deadline, tracer=tracer
        )
    except (httpx.HTTPError, OSError) as exc:
        failed = _failed("status_page", url, exc, plan, tracer, proxy, None)
        return replace(failed, status=Status.UNKNOWN), b""
    code, latency = answer.status_code, answer.latency_s
    if _summary_body(code, answer.headers) == SNIFF_BYTES:
        v = classify_response(code, answer.headers, answer.body, latency_s=latency, slow_s=plan.slow_s)
        return Evidence("status_page", url, Status.UNKNOWN, v.reason, v.detail, code, latency), b""
    if answer.too_large:
        detail = f"body over {MAX_SUMMARY_BYTES // 1024} KiB"
        return Evidence("status_page", url, Status.UNKNOWN, "body_too_large", detail, code, latency), b""
    if answer.cut_short:
        detail = f"body still arriving after {plan.timeout_s:g} s"
        return Evidence("status_page", url, Status.UNKNOWN, "timeout", detail, code, latency), b""
    if answer.broken is not None:
        if isinstance(answer.broken, zlib.error):
            detail = f"body does not decode as {answer.headers.get('content-encoding')}"
            return Evidence("status_page", url, Status.UNKNOWN, "bad_summary", detail, code, latency), b""
        failed = _failed("status_page", url, answer.broken, plan, tracer, None, latency)
        return replace(failed, status=Status.UNKNOWN, http_status=code, local=False), b""
    return Evidence("status_page", url, Status.OPERATIONAL, "ok", f"HTTP {code}", code, latency), answer.body


async def read_status_page(
    client: httpx.AsyncClient, plan: CheckPlan, deadline: float, bases: tuple[str, ...] | None = None
) -> StatusPage:
    """Try each status page base in order until one gives a readable summary; `deadline` is loop time."""
    loop = asyncio.get_running_loop()
    attempts: list[Evidence] = []
    bases = plan.status_pages if bases is None else bases
    for i, base in enumerate(bases):
        left = deadline - loop.time()
        if left <= 0:
            break
        is_last = i == len(bases) - 1
        evidence, body = await _fetch_summary(
            client, base, plan, deadline if is_last else loop.time() + left * FIRST_BASE_SHARE
        )
        if body:
            try:
                comps, incidents, indicator = parse_summary(body, page_url=base)
            except UnusableSummary as e:
                evidence = replace(
                    evidence, status=Status.UNKNOWN, reason="bad_summary", detail=f"unreadable summary: {e}"
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


def make_client(
    plan: CheckPlan,
    transport: httpx.AsyncBaseTransport | None = None,
    *,
    tls: ContextLoader | None = None,
) -> httpx.AsyncClient:
    """Build the one client every check shares; a broken SSL_CERT_FILE or proxy variable is a ConfigError.

    `tls` is a CA bundle already loading (see outagecheck.tls); a test transport needs none.
    """
    verify: ssl.SSLContext | bool = True
    if transport is None:
        verify = (tls or ContextLoader()).result()
    try:
        return httpx.AsyncClient(
            timeout=httpx.Timeout(plan.timeout_s),
            # Only encodings _Decoder can undo under a cap: never brotli or zstd, even when installed.
            headers={"user-agent": USER_AGENT, "accept-encoding": "gzip, deflate"},
            max_redirects=5,
            transport=transport,
            verify=verify,
            limits=httpx.Limits(max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_CONNECTIONS),
        )
    except (ValueError, httpx.InvalidURL, ImportError) as e:
        # e.g. a port out of range, or socks5:// without httpx[socks]; the message never holds credentials
        names = [n for n in PROXY_VARIABLES if os.environ.get(n)]
        raise ConfigError(f"{' or '.join(names) or 'proxy variable'} is unusable: {_short_error(e)}") from None


async def gather(
    plan: CheckPlan,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    rng: Callable[[], float] = random.random,
    tls: ContextLoader | None = None,
) -> tuple[dict[str, Evidence], StatusPage, dict[str, StatusPage]]:
    """Run every probe and the status page reads concurrently; nothing outlives plan.timeout_s.

    Returns the probes' evidence by endpoint key, Claude's status page, and the custom surfaces'
    status pages by base URL.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + plan.timeout_s
    # Each check stops itself a moment early, so it reports its own failure instead of being cut off.
    own_deadline = deadline - SELF_STOP_S
    client = make_client(plan, transport, tls=tls)
    try:
        jobs: dict[str, Coroutine[Any, Any, Any]] = {
            t.key: probe(client, t, plan, own_deadline, rng=rng) for t in plan.targets
        }
        if plan.status_pages:
            jobs["status_page"] = read_status_page(client, plan, own_deadline)
        for base in plan.other_pages:
            jobs[f"page:{base}"] = read_status_page(client, plan, own_deadline, (base,))
        tasks = {key: asyncio.ensure_future(job) for key, job in jobs.items()}
        await asyncio.wait(tasks.values(), timeout=max(0.0, deadline - loop.time()))
        for task in tasks.values():
            task.cancel()
        # Let cancelled tasks unwind (they only hold sockets); bounded so the deadline holds.
        await asyncio.wait(tasks.values(), timeout=CLOSE_GRACE_S)
        evidence: dict[str, Evidence] = {}
        page = StatusPage(False, None, "not_configured", "no status page configured")
        others: dict[str, StatusPage] = {}
        for key, task in tasks.items():
            result = task.result() if task.done() and not task.cancelled() else None
            if key == "status_page" or key.startswith("page:"):
                base = key.removeprefix("page:") if key != "status_page" else plan.status_pages[0]
                read = result or StatusPage(
                    False, summary_url(base), "timeout", f"no answer within {plan.timeout_s:g} s"
                )
                if key == "status_page":
                    page = read
                else:
                    others[base] = read
            else:
                target = next(t for t in plan.targets if t.key == key)
                evidence[key] = result or Evidence(
                    key, target.url, Status.DOWN, "timeout", f"no answer within {plan.timeout_s:g} s"
                )
        return evidence, page, others
    finally:
        # Closing must not stretch the deadline either: connections of cancelled requests are dropped.
        with contextlib.suppress(Exception):
            await asyncio.wait_for(client.aclose(), CLOSE_GRACE_S)
