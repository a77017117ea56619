"""Open the planned HTTPS connections while the libraries load: DNS, TCP and TLS on threads, no request.

`status`, `wait` and `watch` start this first thing (__main__), before httpx is imported. It reads the
same plan the checks will use (checks/plan.py, the config through tomllib), starts the CA bundle loading
(checks/tls.py) and, on a few threads, resolves each https origin, connects and completes the TLS
handshake with that same context and host name. No HTTP request and no credential leaves here: the client
takes the ready connections through checks/handoff.py and makes every request itself; anything not
ready, failed or not matching goes its normal way, so an error reads exactly as without this module.
Standard library only (tests/checks/test_early.py holds it to that).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from outagecheck.checks.tls import ContextLoader

if TYPE_CHECKING:
    import ssl

    import httpx

# OUTAGECHECK_EARLY=0 turns it off (the benchmark compares both ways in one run).
SWITCH = "OUTAGECHECK_EARLY"
# Any of these, set, sends the checks through a proxy: nothing is opened directly then. The names
# httpx reads (checks/http.py PROXY_VARIABLES; not imported from there: it loads httpx).
PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")
# A few threads: the usual run has 4 hosts (the api host twice with a key); custom surfaces beyond
# this go their normal way.
MAX_CONNECTIONS = 8
PER_ORIGIN = 2
ALPN = ["http/1.1"]  # what httpcore sets before its handshake (http2 off): the server must choose alike


class Slot:
    """One connection being opened to host:port: the TLS socket once ready, or the failure."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.taken = False
        self.sock: ssl.SSLSocket | None = None
        self.error: BaseException | None = None
        self._settled = threading.Event()
        self._lock = threading.Lock()
        self._waiters: list[Callable[[], None]] = []
        self._abandoned = False

    def settle(self, sock: ssl.SSLSocket | None, error: BaseException | None) -> None:
        """Called once by the opening thread; wakes whoever waits."""
        with self._lock:
            self.sock, self.error = sock, error
            if self._abandoned and sock is not None:
                sock.close()  # the request stopped waiting for it
                self.sock = None
            self._settled.set()
            waiters, self._waiters = self._waiters, []
        for wake in waiters:
            wake()

    def when_settled(self, wake: Callable[[], None]) -> bool:
        """Call `wake` (from the opening thread) once settled; False when it is settled already."""
        with self._lock:
            if self._settled.is_set():
                return False
            self._waiters.append(wake)
            return True

    def abandon(self) -> None:
        """The request stopped waiting: the socket, when it comes, is closed."""
        with self._lock:
            self._abandoned = True
            if self.sock is not None:
                self.sock.close()
                self.sock = None

    def wait(self, timeout: float | None = None) -> ssl.SSLSocket | None:
        """Block until settled (tests); the socket or None."""
        self._settled.wait(timeout)
        return self.sock


class Early:
    """The connections started for one run; the client takes each at most once (take)."""

    def __init__(self, origins: Sequence[tuple[str, int]], tls: ContextLoader, timeout_s: float) -> None:
        self.tls = tls
        self.timeout_s = timeout_s
        self.slots = [Slot(host, port) for host, port in origins]
        self._lock = threading.Lock()

    def start(self) -> None:
        for slot in self.slots:
            threading.Thread(target=self._open, args=(slot,), name="outagecheck-early", daemon=True).start()

    def _open(self, slot: Slot) -> None:
        sock: socket.socket | None = None
        try:
            family, kind, proto, _, address = socket.getaddrinfo(slot.host, slot.port, type=socket.SOCK_STREAM)[0]
            sock = socket.socket(family, kind, proto)
            sock.settimeout(self.timeout_s)
            # httpcore's connections have it (asyncio sets it); without it the request waits a round trip.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.connect(address)
            context = self.tls.result()
            context.set_alpn_protocols(ALPN)
            wrapped = context.wrap_socket(sock, server_hostname=slot.host)
        except BaseException as e:  # any failure: the client connects the normal way and meets it itself
            if sock is not None:
                sock.close()
            slot.settle(None, e)
        else:
            slot.settle(wrapped, None)

    def take(self, host: str, port: int) -> Slot | None:
        """The next connection started to host:port that no request has taken yet, ready or not."""
        with self._lock:
            for slot in self.slots:
                if not slot.taken and slot.host == host and slot.port == port:
                    slot.taken = True
                    return slot
        return None

    def waiting(self) -> bool:
        """Whether any connection is still there to be taken."""
        return any(not slot.taken for slot in self.slots)

    def serves(self, tls: object) -> bool:
        """Whether a client whose context comes from `tls` can take these connections: the handshakes
        used that same context, and some are left."""
        return tls is self.tls and self.waiting()


_current: Early | None = None
_loader: ContextLoader | None = None


def current() -> Early | None:
    """The connections this process started, if any."""
    return _current


def transport(tls: object, verify: ssl.SSLContext, limits: httpx.Limits) -> httpx.AsyncBaseTransport | None:
    """The client's transport when it can take the connections started here (same CA loader); else None."""
    if _current is None or not _current.serves(tls):
        return None
    from outagecheck.checks.handoff import EarlyTransport  # noqa: PLC0415  # httpx: loaded by the client's caller

    return EarlyTransport(_current, verify=verify, limits=limits)


def loader() -> ContextLoader | None:
    """The CA bundle load started with them (live runs only), for the client to use the same context."""
    return _loader


def start(opts: Mapping[str, Any] | None, environ: Mapping[str, str]) -> Early | None:
    """For `status`, `wait` and `watch`, given their options as the CLI parsed them (None: not one of them,
    or a command line it could not parse): start the CA loading and the connections; never raises (a
    command line or config it can't read is left to the command, which says what is wrong)."""
    global _current, _loader  # one run, one start
    try:
        if opts is None or opts.get("replay") or environ.get("OUTAGECHECK_REPLAY"):
            return None  # a replay sends nothing and loads no TLS
        _loader = ContextLoader(deferred=True)
        origins, timeout = _origins(opts, environ)
        if origins:
            _current = Early(origins, _loader, timeout)
            _current.start()
    except Exception:  # early connections are an optimisation: any doubt, none
        _current = None
    finally:
        # After the connections: its `import ssl` would hold the GIL while they start; they need it
        # only for the handshake, a round trip later.
        if _loader is not None:
            _loader.start()
    return _current


def _origins(opts: Mapping[str, Any], environ: Mapping[str, str]) -> tuple[list[tuple[str, int]], float]:
    """The https host:port pairs the checks will fetch (each once per request, a few per host), and the
    check's timeout; none when the requests would go through a proxy or a gateway, or are switched off."""
    from outagecheck import config  # noqa: PLC0415  # stdlib and tomllib only, as plan.py is
    from outagecheck.checks import plan  # noqa: PLC0415
    from outagecheck.errors import credential  # noqa: PLC0415
    from outagecheck.surfaces import is_gateway  # noqa: PLC0415

    if environ.get(SWITCH, "").strip() == "0" or any(environ.get(name, "").strip() for name in PROXY_VARIABLES):
        return [], 0.0
    if (base := config.env_url("ANTHROPIC_BASE_URL", environ)) and is_gateway(base):
        return [], 0.0
    cfg = config.load(Path(opts["config"]) if opts.get("config") else None)
    api_key, key_problem = credential("ANTHROPIC_API_KEY", environ)
    checks = plan.build_plan(cfg, environ, api_key=api_key, key_problem=key_problem)
    urls = [t.url for t in checks.targets if not t.blocked]
    urls += [plan.summary_url(base) for base in (*checks.status_pages[:1], *checks.other_pages)]
    origins: list[tuple[str, int]] = []
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname or not parts.hostname.isascii():
            continue
        origin = (parts.hostname, parts.port or 443)
        if origins.count(origin) < PER_ORIGIN and len(origins) < MAX_CONNECTIONS:
            origins.append(origin)
    return origins, float(opts.get("timeout") or cfg.timeout)
