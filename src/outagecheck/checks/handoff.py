"""The client's side of checks/early.py: an httpcore network backend that hands over a ready connection.

httpcore's public `AsyncConnectionPool(network_backend=…)` asks the backend for a TCP stream and then asks
that stream to start TLS. Here, for an https request to a host:port that early.py started a connection
to, the backend waits for that connection; its start_tls is a no-op only when the context and server name
are the ones the early handshake used. Anything else (not https, none started, a failed one, another
context) takes httpcore's own AnyIO backend, the normal path, so its errors read exactly as they always
do. The stream mirrors httpcore's AnyIOStream: the same exceptions for the same failures.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import select
import ssl
from collections.abc import Iterable
from typing import Any

import anyio
import httpcore
import httpx

from outagecheck.checks.early import Early, Slot

# Set per request by the transport: only an https request may take an early (already TLS) connection.
_HTTPS: contextvars.ContextVar[bool] = contextvars.ContextVar("outagecheck_https", default=False)
SocketOption = tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]


class EarlyStream(httpcore.AsyncNetworkStream):
    """A TLS socket connected on an early thread, read and written on the event loop (non-blocking)."""

    def __init__(self, sock: ssl.SSLSocket, host: str, port: int, context: ssl.SSLContext) -> None:
        sock.setblocking(False)
        self._sock, self._host, self._port, self._context = sock, host, port, context

    async def _ready(self, write: bool) -> None:
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        fd = self._sock.fileno()
        (loop.add_writer if write else loop.add_reader)(fd, _wake, done)
        try:
            await done
        finally:
            (loop.remove_writer if write else loop.remove_reader)(fd)

    async def _io(self, call: Any, *args: Any) -> Any:
        while True:
            try:
                return call(*args)
            except ssl.SSLWantReadError:
                await self._ready(write=False)
            except ssl.SSLWantWriteError:
                await self._ready(write=True)
            except BlockingIOError:
                await self._ready(write=call == self._sock.send)

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:  # noqa: ASYNC109  # httpcore's API
        try:
            async with asyncio.timeout(timeout):
                return bytes(await self._io(self._sock.recv, max_bytes))
        except TimeoutError as e:
            raise httpcore.ReadTimeout(e) from e
        except (ssl.SSLEOFError, ssl.SSLZeroReturnError):
            return b""  # httpcore reads anyio's EndOfStream (standard_compatible=False) as the end
        except ssl.SSLError:
            raise  # anyio's TLSStream lets these through as they are
        except OSError as e:
            raise httpcore.ReadError(anyio.BrokenResourceError()) from e

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:  # noqa: ASYNC109  # httpcore's API
        view = memoryview(buffer)
        try:
            async with asyncio.timeout(timeout):
                while view:
                    view = view[await self._io(self._sock.send, view) :]
        except TimeoutError as e:
            raise httpcore.WriteTimeout(e) from e
        except ssl.SSLError:
            raise
        except OSError as e:
            raise httpcore.WriteError(anyio.BrokenResourceError()) from e

    async def aclose(self) -> None:
        self._sock.close()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109  # httpcore's API
    ) -> httpcore.AsyncNetworkStream:
        if ssl_context is self._context and server_hostname == self._host:
            return self  # the handshake this request wants is the one done early
        self._sock.close()  # another context or name: a fresh connection, the normal way
        stream = await httpcore.AnyIOBackend().connect_tcp(self._host, self._port, timeout)
        return await stream.start_tls(ssl_context, server_hostname, timeout)

    def get_extra_info(self, info: str) -> Any:
        if info in ("ssl_object", "socket"):
            return self._sock
        if info == "client_addr":
            return self._sock.getsockname()
        if info == "server_addr":
            return self._sock.getpeername()
        if info == "is_readable":  # as httpcore's is_socket_readable: data or EOF waiting on an idle socket
            return self._sock.pending() > 0 or bool(select.select([self._sock], [], [], 0)[0])
        return None


def _wake(done: asyncio.Future[None]) -> None:
    if not done.done():
        done.set_result(None)


async def _settled(slot: Slot) -> ssl.SSLSocket | None:
    """The early connection once it is ready; None when it failed (whatever the error)."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()

    def wake() -> None:  # on the opening thread
        with contextlib.suppress(RuntimeError):  # the loop has closed: nobody waits any more
            loop.call_soon_threadsafe(_wake, done)

    if slot.when_settled(wake):
        try:
            await done
        except asyncio.CancelledError:
            slot.abandon()
            raise
    return slot.sock


class EarlyBackend(httpcore.AsyncNetworkBackend):
    """Hands out early.py's connections; everything else goes to httpcore's AnyIO backend."""

    def __init__(self, early: Early) -> None:
        self._early = early
        self._normal = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109  # httpcore's API
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        slot = self._early.take(host, port) if _HTTPS.get() and local_address is None else None
        if slot is not None:
            try:
                async with asyncio.timeout(timeout):
                    sock = await _settled(slot)
            except TimeoutError as e:  # as anyio.fail_after in httpcore's backend: a connect that took too long
                raise httpcore.ConnectTimeout(e) from e
            if sock is not None:
                return EarlyStream(sock, host, port, self._early.tls.result())
        # None started, or it failed early: the normal path meets the failure again and reports it as ever.
        return await self._normal.connect_tcp(host, port, timeout, local_address, socket_options)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109  # httpcore's API
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return await self._normal.connect_unix_socket(path, timeout, socket_options)

    async def sleep(self, seconds: float) -> None:
        await self._normal.sleep(seconds)


class EarlyTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport, its connection pool given the early backend (httpx 0.28 takes no backend)."""

    def __init__(self, early: Early, *, verify: ssl.SSLContext, limits: httpx.Limits) -> None:
        super().__init__(verify=verify, limits=limits)
        # The same pool httpx builds for these arguments (httpx/_transports/default.py), plus the backend.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=verify,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=EarlyBackend(early),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        token = _HTTPS.set(request.url.scheme == "https")
        try:
            return await super().handle_async_request(request)
        finally:
            _HTTPS.reset(token)
