"""A scriptable fault server on 127.0.0.1: real sockets for latency, hangs, resets, drips, huge bodies, TLS."""

from __future__ import annotations

import json
import socket
import socketserver
import ssl
import struct
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

CHUNK = 64 * 1024


@dataclass
class Route:
    """What the server does for one path. The fault fields are checked in the order listed."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the answer
    hang: bool = False  # accept, read the request, never answer
    close: bool = False  # read the request, close without a byte
    raw: bytes | None = None  # send these bytes instead of an HTTP answer, then close
    reset_in_headers: bool = False  # send half the status line and headers, then a TCP RST
    reset_in_body: bool = False  # send the headers and half the body, then a TCP RST
    drip: float = 0.0  # send the body one byte every `drip` seconds
    body_size: int = 0  # send this many bytes of generated body (streamed, never held in memory)
    times: int = 0  # serve this route this many times, then move on to the next one queued for the path


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.settimeout(10)
        owner = self.server.owner
        if owner.tls is not None:
            try:
                sock = owner.tls.wrap_socket(sock, server_side=True)
            except (OSError, ssl.SSLError):
                return  # the client refused our certificate: that's the test
        data = b""
        try:
            while b"\r\n\r\n" not in data:
                chunk = sock.recv(4096)
                if not chunk:
                    return
                data += chunk
        except OSError:
            return
        request_line, _, rest = data.partition(b"\r\n")
        parts = request_line.decode("latin-1").split(" ")
        path = parts[1] if len(parts) > 1 else "/"
        headers = {":method": parts[0]}  # recorded like an HTTP/2 pseudo-header
        for line in rest.split(b"\r\n"):
            name, sep, value = line.decode("latin-1").partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        owner.record(path, headers)
        if (length := int(headers.get("content-length", "").strip() or "0")) > 0:  # a POST (webhooks): keep its body
            body = data.partition(b"\r\n\r\n")[2]
            try:
                while len(body) < length and (chunk := sock.recv(65536)):
                    body += chunk
            except OSError:
                return
            owner.record_body(path, body[:length])
        route = owner.route_for(path)
        try:
            self._answer(sock, route, owner)
        except OSError:
            return  # the client went away: it stopped reading, as it should for a huge body

    def _answer(self, sock: socket.socket, route: Route, owner: LoopbackServer) -> None:
        if route.hang:
            owner.stopping.wait(60)
            return
        if route.delay:
            time.sleep(route.delay)
        if route.close:
            return
        if route.raw is not None:
            sock.sendall(route.raw)
            return
        length = route.body_size or len(route.body)
        head = [f"HTTP/1.1 {route.status} X", f"content-length: {length}", "connection: close"]
        head += [f"{k}: {v}" for k, v in route.headers.items()]
        head_bytes = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1")
        if route.reset_in_headers:
            sock.sendall(head_bytes[: len(head_bytes) // 2])
            _reset(sock)
            return
        sock.sendall(head_bytes)
        if route.reset_in_body:
            sock.sendall(route.body[: len(route.body) // 2])
            _reset(sock)
            return
        if route.drip:
            for i in range(len(route.body)):
                sock.sendall(route.body[i : i + 1])
                if owner.stopping.wait(route.drip):
                    return
            return
        if route.body_size:
            for chunk in _generated(route.body_size):
                sock.sendall(chunk)
                owner.count_sent(len(chunk))
            return
        sock.sendall(route.body)


def _generated(size: int) -> Iterator[bytes]:
    block = b"x" * CHUNK
    sent = 0
    while sent < size:
        piece = block[: min(CHUNK, size - sent)]
        sent += len(piece)
        yield piece


def _reset(sock: socket.socket) -> None:
    """Close with a TCP RST instead of a FIN: SO_LINGER on, timeout 0."""
    raw = sock.unwrap() if isinstance(sock, ssl.SSLSocket) else sock
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    raw.close()


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256  # the default 5 drops bursts of connections (50 surfaces at once)
    owner: LoopbackServer


class LoopbackServer:
    """Start with start(), script with route(), read traffic from requests."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.tls = tls
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self._routes: dict[str, list[Route]] = {}
        self._lock = threading.Lock()
        self.requests: list[tuple[float, str, dict[str, str]]] = []
        self.bodies: list[tuple[str, bytes]] = []  # (path, body) of each request that had one
        self.sent = 0  # bytes of generated (body_size) bodies the clients took
        self.stopping = threading.Event()
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        assert isinstance(host, str)  # typeshed allows bytes for an AF_INET address; __init__ binds "127.0.0.1"
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{host}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> LoopbackServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def route(self, path: str, **kwargs: Any) -> None:
        """Answer `path` this way from now on (replaces anything queued)."""
        with self._lock:
            self._routes[path] = [_route(**kwargs)]

    def then(self, path: str, **kwargs: Any) -> None:
        """Queue another answer for `path`, used once the ones before it have run out of `times`."""
        with self._lock:
            self._routes.setdefault(path, []).append(_route(**kwargs))

    def route_for(self, path: str) -> Route:
        with self._lock:
            queue = self._routes.get(path)
            if not queue:
                return Route(status=404, body=b"no route")
            route = queue[0]
            if route.times and len(queue) > 1:
                route.times -= 1
                if route.times == 0:
                    queue.pop(0)
            return route

    def record(self, path: str, headers: dict[str, str]) -> None:
        with self._lock:
            self.requests.append((time.perf_counter(), path, headers))

    def record_body(self, path: str, body: bytes) -> None:
        with self._lock:
            self.bodies.append((path, body))

    def count_sent(self, n: int) -> None:
        with self._lock:
            self.sent += n

    def paths(self) -> list[str]:
        with self._lock:
            return [p for _, p, _ in self.requests]


def _route(**kwargs: Any) -> Route:
    if "json" in kwargs:
        kwargs["body"] = json.dumps(kwargs.pop("json")).encode()
        kwargs.setdefault("headers", {})["content-type"] = "application/json"
    return Route(**kwargs)
