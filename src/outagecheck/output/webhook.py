"""One webhook POST (Slack and Discord): a payload that pings no one and links nothing, sent under one
deadline for the whole exchange, never along a redirect.

A webhook server is remote too: one that drips its headers a byte at a time or answers `100 Continue`
forever would hold `watch` and `wait` (urllib's timeout is per socket operation), so the exchange runs in
a worker thread, its sockets are shut at the deadline, and the caller stops waiting then whatever happens.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import ssl
import threading
import urllib.error
import urllib.request
from typing import Any, Final

DEADLINE_S: Final = 10.0
ANSWER_BYTES: Final = 64 * 1024
# Discord's markdown: a masked link [text](url), emphasis, spoilers, code; a backslash shows the character.
_DISCORD_MARKUP = str.maketrans({c: "\\" + c for c in "\\[]<>*_~`|"})


class Failed(Exception):
    """A notifier ran and did not succeed."""


def payload(text: str) -> bytes:
    """{"text"} for Slack, {"content"} for Discord. Slack's control sequences (<!channel>, <!here>, <@U1>,
    <url|text>) need `<`, escaped with `&`, `<`, `>` as Slack says; Discord parses no mention at all
    (`allowed_mentions: {"parse": []}`: no @everyone, @here, user or role ping) and its markdown is escaped."""
    slack = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    discord = text.translate(_DISCORD_MARKUP)
    return json.dumps({"text": slack, "content": discord, "allowed_mentions": {"parse": []}}).encode()


class _Watched:
    """The connections of one exchange, so the deadline can shut them and wake a reader blocked in them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._connections: list[http.client.HTTPConnection] = []

    def plain(self, host: str, **kwargs: Any) -> http.client.HTTPConnection:
        return self._add(http.client.HTTPConnection(host, **kwargs))

    def tls(self, host: str, **kwargs: Any) -> http.client.HTTPConnection:
        return self._add(http.client.HTTPSConnection(host, **kwargs))

    def _add(self, connection: http.client.HTTPConnection) -> http.client.HTTPConnection:
        with self._lock:
            self._connections.append(connection)
        return connection

    def shut(self) -> None:
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError, AttributeError):
                connection.sock.shutdown(socket.SHUT_RDWR)  # None once closed: AttributeError, suppressed


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a 3xx is the answer: urllib raises it as an HTTPError


class _HTTP(urllib.request.HTTPHandler):
    def __init__(self, watched: _Watched) -> None:
        super().__init__()
        self.watched = watched

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self.watched.plain, req)  # a factory: do_open calls it with host and timeout


class _HTTPS(urllib.request.HTTPSHandler):
    def __init__(self, watched: _Watched) -> None:
        self.context = ssl.create_default_context()  # the system's CAs, $SSL_CERT_FILE honoured
        super().__init__(context=self.context)
        self.watched = watched

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self.watched.tls, req, context=self.context)


def post(url: str, text: str, *, deadline_s: float = DEADLINE_S) -> None:
    """POST the message; raise Failed (never naming the URL) for anything but a 2xx within the deadline."""
    watched = _Watched()
    # Proxies from the environment as before (urllib's ProxyHandler); redirects never followed.
    opener = urllib.request.build_opener(_NoRedirect(), _HTTP(watched), _HTTPS(watched))
    request = urllib.request.Request(url, payload(text), {"Content-Type": "application/json"}, method="POST")
    outcome: list[BaseException | None] = []

    def exchange() -> None:
        try:
            with opener.open(request, timeout=deadline_s) as answer:
                answer.read(ANSWER_BYTES)
            outcome.append(None)
        except BaseException as e:  # handed to the caller's thread, which decides
            outcome.append(e)

    worker = threading.Thread(target=exchange, name="outagecheck-webhook", daemon=True)
    worker.start()
    worker.join(deadline_s)
    if worker.is_alive() or not outcome:
        watched.shut()  # the worker wakes and ends; nobody waits for it
        raise Failed(f"got no complete answer within {deadline_s:g} s")
    error = outcome[0]
    if error is None:
        return
    if isinstance(error, urllib.error.HTTPError):
        error.close()
        if 300 <= error.code < 400:
            raise Failed(f"answered a redirect (HTTP {error.code}), which is never followed: not delivered")
        raise Failed(f"answered HTTP {error.code}")
    if isinstance(error, urllib.error.URLError):
        raise Failed(f"failed: {str(error.reason).replace(url, 'the URL')}")
    if isinstance(error, OSError | http.client.HTTPException | ValueError):
        raise Failed(f"failed: {str(error).replace(url, 'the URL') or type(error).__name__}")
    raise error
