"""The HTTP layer every check shares: the client, bodies read under a cap, proxy and key rules."""

from __future__ import annotations

import asyncio
import functools
import os
import ssl
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit
from urllib.request import getproxies_environment

import httpx

from outagecheck import __version__
from outagecheck.checks.classify import classify_exception
from outagecheck.checks.tls import ContextLoader
from outagecheck.errors import ConfigError
from outagecheck.model import Evidence

USER_AGENT = f"outagecheck/{__version__} (+https://github.com/outagecheck/outagecheck)"
ANTHROPIC_VERSION = "2023-06-01"
# Per client: bounded, whatever the number of surfaces, and high enough that 200 custom surfaces go
# out at once (at 64, 200 checks of 0.2 s queued into 4 rounds: 1.5 s instead of 0.5 s; benchmarks/).
# Well under the usual 1024 open files.
MAX_CONNECTIONS = 256
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class Decoder:
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
class Answer:
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


async def read_body(response: httpx.Response, answer: Answer, limit: int) -> None:
    """Read and decode at most `limit` bytes into answer.body; flag too_large past it."""
    decoder = Decoder(response.headers.get("content-encoding", ""))
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


class Tracer:
    """Record, through httpx's trace extension, whether a connection to the server was made."""

    def __init__(self) -> None:
        self.connected = False

    async def __call__(self, event: str, info: dict[str, Any]) -> None:
        if event.endswith(("connect_tcp.complete", "send_request_headers.started")):
            self.connected = True


async def exchange(
    client: httpx.AsyncClient,
    url: str,
    *,
    method: str = "GET",
    headers: dict[str, str],
    follow: bool,
    body: BodyPolicy,
    deadline: float,
    tracer: Tracer,
) -> Answer:
    """One GET that cannot outlive `deadline` (loop time); raise what httpx raises, or TimeoutError."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    answer: Answer | None = None
    try:
        async with asyncio.timeout_at(deadline):
            request = client.stream(method, url, headers=headers, follow_redirects=follow, extensions={"trace": tracer})
            async with request as resp:
                lowered = {k.lower(): v for k, v in resp.headers.items()}
                answer = Answer(resp.status_code, lowered, round(loop.time() - start, 3))
                if limit := body(resp.status_code, lowered):
                    try:
                        await read_body(resp, answer, limit)
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


def failure_evidence(
    key: str, url: str, exc: BaseException, timeout_s: float, tracer: Tracer, proxy: str | None, latency: float | None
) -> Evidence:
    """Evidence for a request that got no answer; before any connection was made, it is 'local'."""
    failure = classify_exception(
        exc,
        timeout_s=timeout_s,
        host=urlsplit(url).hostname or "",
        proxy=None if tracer.connected else proxy,
    )
    status, reason, detail, local = failure
    if reason == "timeout" and not tracer.connected:
        # Nothing answered the connection: a black-holed network looks exactly like this.
        detail, local = f"no connection within {timeout_s:g} s", True
    return Evidence(key, url, status, reason, detail, latency_s=latency, local=local)


# The variables proxy_for reads; REQUEST_METHOD because urllib ignores HTTP_PROXY under CGI.
_PROXY_ENV = (*PROXY_VARIABLES, "NO_PROXY", "no_proxy", "REQUEST_METHOD")


def _environment_proxies() -> dict[str, str]:
    """urllib's reading of the proxy variables, once per distinct setting: it scans the whole
    environment, which was a fifth of each probe's CPU before its socket opened (benchmarks/)."""
    return _proxies_for(tuple(os.environ.get(name) for name in _PROXY_ENV))


@functools.lru_cache(maxsize=8)
def _proxies_for(values: tuple[str | None, ...]) -> dict[str, str]:
    del values  # the cache key: getproxies_environment reads the same variables itself
    return getproxies_environment()


def proxy_for(url: str) -> str | None:
    """The proxy the environment sends `url` through (HTTPS_PROXY, ALL_PROXY, NO_PROXY), credentials hidden."""
    parts = urlsplit(url)
    proxies = _environment_proxies()
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


def make_client(
    timeout_s: float,
    transport: httpx.AsyncBaseTransport | None = None,
    *,
    tls: ContextLoader | None = None,
) -> httpx.AsyncClient:
    """Build the one client every check shares; a broken SSL_CERT_FILE or proxy variable is a ConfigError.

    `tls` is a CA bundle already loading (ContextLoader); a test transport needs none.
    """
    verify: ssl.SSLContext | bool = True
    if transport is None:
        verify = (tls or ContextLoader()).result()
    try:
        return httpx.AsyncClient(
            timeout=httpx.Timeout(timeout_s),
            # Only encodings Decoder can undo under a cap: never brotli or zstd, even when installed.
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
