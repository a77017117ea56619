"""The HTTP layer every check shares: the client, bodies read under a cap, proxy and key rules."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ipaddress
import os
import ssl
import zlib
from collections.abc import Callable, MutableMapping
from dataclasses import field
from typing import Any
from urllib.parse import urlsplit

import httpx
from httpx._utils import URLPattern, get_environment_proxies  # httpx's own proxy rules (pinned < 0.29)

from outagecheck import __version__, interrupted
from outagecheck.checks.classify import classify_exception
from outagecheck.checks.pools import pooled
from outagecheck.checks.tls import ContextLoader
from outagecheck.classes import dataclass
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
    content: bytes | None = None,
) -> Answer:
    """One request that cannot outlive `deadline` (loop time); raise what httpx raises, or TimeoutError."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    answer: Answer | None = None
    try:
        async with asyncio.timeout_at(deadline):
            extensions = {"trace": tracer}
            request = client.stream(
                method, url, headers=headers, content=content, follow_redirects=follow, extensions=extensions
            )
            async with request as resp:
                lowered = {k.lower(): v for k, v in resp.headers.items()}
                answer = Answer(resp.status_code, lowered, round(loop.time() - start, 3))
                if limit := body(resp.status_code, lowered):
                    try:
                        await read_body(resp, answer, limit)
                    except (httpx.HTTPError, OSError, zlib.error) as exc:
                        if isinstance(exc, TimeoutError) or interrupted(exc):
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
    """Evidence for a request that got no answer; before any connection was made, it is 'local'. An error
    a Ctrl-C caused (a library's cleanup failing after it) is no evidence: the KeyboardInterrupt goes on."""
    if interrupted(exc):
        raise KeyboardInterrupt from None
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


# The variables httpx's get_environment_proxies reads (through urllib); REQUEST_METHOD because urllib
# ignores HTTP_PROXY under CGI.
_PROXY_ENV = (*PROXY_VARIABLES, "NO_PROXY", "no_proxy", "REQUEST_METHOD")


def _mounts() -> tuple[tuple[URLPattern, str | None], ...]:
    """The proxy mounts httpx builds from the environment (HTTP(S)_PROXY, ALL_PROXY, NO_PROXY) in its order,
    by its own functions; once per distinct setting: urllib scans the whole environment (benchmarks/)."""
    return _mounts_for(tuple(os.environ.get(name) for name in _PROXY_ENV))


@functools.lru_cache(maxsize=8)
def _mounts_for(values: tuple[str | None, ...]) -> tuple[tuple[URLPattern, str | None], ...]:
    del values  # the cache key: get_environment_proxies reads the same variables itself
    mounts = tuple(sorted(((URLPattern(k), p) for k, p in get_environment_proxies().items()), key=lambda m: m[0]))
    return mounts if any(p for _, p in mounts) else ()  # only NO_PROXY entries: every URL goes direct


def proxy_for(url: str) -> str | None:
    """The proxy httpx sends `url` through, credentials hidden; None for a direct connection.

    Decided as httpx's client decides (`_transport_for_url`): the first matching mount wins, and a
    NO_PROXY entry is a mount with no proxy (a leading dot, ports, IPv6 literals as httpx reads them).
    """
    if not (mounts := _mounts()):
        return None  # no proxy set: no URL to parse (a tenth of each probe's CPU before connecting)
    try:
        target = httpx.URL(url)
        proxy = next((p for pattern, p in mounts if pattern.matches(target)), None)
    except (ValueError, httpx.InvalidURL):
        return None  # check_proxy_variables has refused what httpx can't read
    if not proxy:
        return None
    try:
        p = urlsplit(proxy)
        return f"{p.scheme}://{p.hostname}" + (f":{p.port}" if p.port else "")
    except ValueError:
        return "(unparsable proxy URL)"  # make_client has refused it already; never echo credentials


def may_send_key(url: str, proxy: str | None) -> bool:
    """The key travels only encrypted, or straight to this machine: never in clear through a proxy."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return True
    return proxy is None and parts.hostname in LOOPBACK_HOSTS


def _bare_ipv6(entry: str) -> str:
    """'[::1]' -> '::1': httpx reads a bare IPv6 literal in NO_PROXY, and crashes on a bracketed one
    ("Invalid port: ':1]'", httpx 0.28 _utils.get_environment_proxies); curl accepts both."""
    entry = entry.strip()
    if entry.startswith("[") and entry.endswith("]"):
        with contextlib.suppress(ValueError):
            return str(ipaddress.IPv6Address(entry[1:-1]))
    return entry


def check_proxy_variables(environ: MutableMapping[str, str]) -> None:
    """Refuse a proxy variable httpx would crash on mid-request (a port of 99999: OverflowError in connect,
    a line break): ConfigError naming the variable, never echoing it (it may hold credentials).

    A bracketed IPv6 literal in NO_PROXY is rewritten bare in `environ` first, so httpx's client and
    proxy_for() read the same, usable list.
    """
    for name in ("NO_PROXY", "no_proxy"):
        if "[" in environ.get(name, ""):
            environ[name] = ",".join(_bare_ipv6(e) for e in environ[name].split(","))
    for name in PROXY_VARIABLES:
        value = environ.get(name, "").strip()
        if not value:
            continue
        if not value.isprintable() or not value.isascii():
            raise ConfigError(f"{name} is unusable: it holds a control or non-ASCII character")
        try:
            parts = urlsplit(value if "://" in value else "http://" + value)
            _ = parts.port  # ValueError past 65535 or not a number
        except ValueError as e:
            raise ConfigError(f"{name} is unusable: Invalid port ({_short_error(e)})") from None
        if not parts.hostname:
            raise ConfigError(f"{name} is unusable: no host in it")
    no_proxy = next((n for n in ("NO_PROXY", "no_proxy") if environ.get(n)), None)
    if no_proxy is not None:
        value = environ[no_proxy]
        if not value.isprintable() or not value.isascii():
            raise ConfigError(f"{no_proxy} is unusable: it holds a control or non-ASCII character")
        for key, proxy in get_environment_proxies().items():
            try:
                URLPattern(key)
            except (ValueError, httpx.InvalidURL) as e:
                culprit = no_proxy if proxy is None else "a proxy variable"
                entry = key.removeprefix("all://").removeprefix("*")
                raise ConfigError(f"{culprit} is unusable: {entry!r}: {_short_error(e)}") from None


def make_client(
    timeout_s: float, transport: httpx.AsyncBaseTransport | None = None, *, tls: ContextLoader | None = None
) -> httpx.AsyncClient:
    """Build the one client every check shares; a broken SSL_CERT_FILE or proxy variable is a ConfigError.

    `tls` is a CA bundle already loading (ContextLoader); a test transport needs none.
    """
    check_proxy_variables(os.environ)
    verify: ssl.SSLContext | bool = True
    limits = httpx.Limits(max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_CONNECTIONS)
    if transport is None:
        verify = (tls or ContextLoader()).result()
        # Small pools given early.py's connections; through a proxy httpx's (read only when given no transport)
        transport = None if _mounts() else pooled(tls, verify, MAX_CONNECTIONS)
    try:
        return httpx.AsyncClient(
            timeout=httpx.Timeout(timeout_s),
            # Only encodings Decoder can undo under a cap: never brotli or zstd, even when installed.
            headers={"user-agent": USER_AGENT, "accept-encoding": "gzip, deflate"},
            max_redirects=5,
            transport=transport,
            verify=verify,
            limits=limits,
        )
    except (ValueError, httpx.InvalidURL, ImportError) as e:
        # e.g. a port out of range, or socks5:// without httpx[socks]; the message never holds credentials
        names = [n for n in PROXY_VARIABLES if os.environ.get(n)]
        raise ConfigError(f"{' or '.join(names) or 'proxy variable'} is unusable: {_short_error(e)}") from None
