"""A scriptable HTTP server on 127.0.0.1 for tests that need real sockets (latency, hangs, resets)."""

from __future__ import annotations

import json
import socket
import socketserver
import threading
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Route:
    """What the server does for one path."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the answer
    hang: bool = False  # accept, read the request, never answer
    raw: bytes | None = None  # send these bytes instead of an HTTP answer, then close


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.settimeout(10)
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
        headers = {}
        for line in rest.split(b"\r\n"):
            name, sep, value = line.decode("latin-1").partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        owner = self.server.owner
        owner.record(path, headers)
        route = owner.route_for(path)
        if route.hang:
            owner.stopping.wait(60)
            return
        if route.delay:
            time.sleep(route.delay)
        if route.raw is not None:
            sock.sendall(route.raw)
            return
        head = [f"HTTP/1.1 {route.status} X", f"content-length: {len(route.body)}", "connection: close"]
        head += [f"{k}: {v}" for k, v in route.headers.items()]
        try:
            sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + route.body)
        except OSError:
            return


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: LoopbackServer


class LoopbackServer:
    """Start with start(), script with route(), read traffic from requests."""

    def __init__(self) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self._routes: dict[str, Route] = {}
        self._lock = threading.Lock()
        self.requests: list[tuple[float, str, dict[str, str]]] = []
        self.stopping = threading.Event()
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def route(self, path: str, **kwargs: Any) -> None:
        if "json" in kwargs:
            kwargs["body"] = json.dumps(kwargs.pop("json")).encode()
            kwargs.setdefault("headers", {})["content-type"] = "application/json"
        with self._lock:
            self._routes[path] = Route(**kwargs)

    def route_for(self, path: str) -> Route:
        with self._lock:
            return self._routes.get(path, Route(status=404, body=b"no route"))

    def record(self, path: str, headers: dict[str, str]) -> None:
        with self._lock:
            self.requests.append((time.perf_counter(), path, headers))

    def paths(self) -> list[str]:
        with self._lock:
            return [p for _, p, _ in self.requests]
