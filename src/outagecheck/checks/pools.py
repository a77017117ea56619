"""The client's connections in a few small pools instead of one large one; httpx makes every exchange.

httpcore's pool, on every request it queues, checks each of its connections against each queued request
(`AsyncConnectionPool._assign_requests_to_connections`): for n checks sent at once that is n² checks,
~40 % of each probe's CPU before its connect with 200 custom surfaces (benchmarks/README.md). Split into
pools of PER_POOL connections, the same work is n·PER_POOL.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from types import TracebackType

import httpx

from outagecheck.checks import early
from outagecheck.checks.tls import ContextLoader

# Distinct URLs each pool is given in turn; a URL always goes to the same pool, so a retry finds its
# connection. Each pool may open twice that (checks sharing a URL, redirects), and the pools together
# no more than the client's bound: past it, requests wait for a connection as in one pool.
PER_POOL = 16


class Pools(httpx.AsyncBaseTransport):
    """Send each request through the pool its URL was given (PER_POOL URLs a pool in turn); `make(n)`
    makes a pool of at most n connections when its first URL comes, and all hold at most `total`."""

    def __init__(self, make: Callable[[int], httpx.AsyncBaseTransport], total: int) -> None:
        self._most = max(1, total // (2 * PER_POOL))
        self._make, self._size = make, max(1, total // self._most)
        self._pools: list[httpx.AsyncBaseTransport] = []
        self._where: dict[str, int] = {}

    def pool_for(self, url: httpx.URL) -> httpx.AsyncBaseTransport:
        """The pool that sends `url` (the same one every time)."""
        key = str(url)
        index = self._where.get(key)
        if index is None:
            # Filled in turn; past `most` pools the URLs share them round the ring, within the same bound.
            index = self._where[key] = (len(self._where) // PER_POOL) % self._most
        while len(self._pools) <= index:
            self._pools.append(self._make(self._size))
        return self._pools[index]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.pool_for(request.url).handle_async_request(request)

    async def __aenter__(self) -> Pools:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        for pool in self._pools:
            await pool.aclose()


def pooled(tls: ContextLoader | None, verify: ssl.SSLContext, total: int) -> Pools:
    """The client's transport: pools of httpx's own transport (as the client builds it), each given the
    connections early.py opened while httpx loaded, if any."""

    def make(most: int) -> httpx.AsyncBaseTransport:
        limits = httpx.Limits(max_connections=most, max_keepalive_connections=most)
        return early.transport(tls, verify, limits) or httpx.AsyncHTTPTransport(verify=verify, limits=limits)

    return Pools(make, total)
