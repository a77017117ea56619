"""pools.py: the client's connections in small pools, a URL always in the same one, within one bound."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest

from outagecheck.checks.http import MAX_CONNECTIONS, make_client
from outagecheck.checks.pools import PER_POOL, Pools
from outagecheck.checks.tls import ContextLoader
from tests.loopback import LoopbackServer


def maker(made: list[Recorded]) -> Callable[[int], httpx.AsyncBaseTransport]:
    def make(size: int) -> Recorded:
        made.append(Recorded(size))
        return made[-1]

    return make


class Recorded(httpx.AsyncBaseTransport):
    """A pool that answers 200 and remembers its size and the URLs it was sent."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.urls: list[str] = []
        self.closed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.urls.append(str(request.url))
        return httpx.Response(200)

    async def aclose(self) -> None:
        self.closed = True


def test_urls_fill_small_pools_in_turn_within_the_clients_bound() -> None:
    made: list[Recorded] = []
    pools = Pools(maker(made), MAX_CONNECTIONS)
    urls = [httpx.URL(f"https://one.example/s/{i}") for i in range(200)]

    async def send_all() -> None:
        for url in [*urls, *urls]:  # each twice: a retry goes where the first try went
            await pools.handle_async_request(httpx.Request("GET", url))
        await pools.aclose()

    asyncio.run(send_all())
    assert sum(p.size for p in made) <= MAX_CONNECTIONS
    assert all(len(set(p.urls)) <= p.size for p in made)  # a connection for each URL a pool serves
    assert made[0].urls[:PER_POOL] == [str(u) for u in urls[:PER_POOL]]  # the first pool takes the first URLs
    assert len(made) > 1
    for url in urls:
        assert sum(str(url) in p.urls for p in made) == 1  # one pool per URL, both tries
    assert all(p.closed for p in made)


def test_a_pool_is_made_only_when_a_url_needs_it() -> None:
    made: list[Recorded] = []
    pools = Pools(maker(made), MAX_CONNECTIONS)
    pools.pool_for(httpx.URL("https://api.example/"))
    pools.pool_for(httpx.URL("https://api.example/"))
    assert len(made) == 1


def test_the_client_sends_through_the_pools_without_a_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    client = make_client(5.0, tls=ContextLoader())
    assert isinstance(client._transport_for_url(httpx.URL("https://api.anthropic.com/")), Pools)


def test_a_proxy_variable_still_sends_through_the_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # httpx reads the proxy variables only when it is given no transport: with one set, no pools.
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    client = make_client(5.0, tls=ContextLoader())
    chosen = client._transport_for_url(httpx.URL("https://api.anthropic.com/"))
    assert not isinstance(chosen, Pools)
    assert chosen is not client._transport  # the proxy's mount


def test_many_urls_on_one_host_all_answer_through_the_pools(loopback: LoopbackServer) -> None:
    n = 3 * PER_POOL + 1
    for i in range(n):
        loopback.route(f"/p/{i}", json={"i": i})

    async def fetch_all() -> list[int]:
        async with make_client(5.0, tls=ContextLoader()) as client:
            answers = await asyncio.gather(*(client.get(f"{loopback.url}/p/{i}") for i in range(n)))
            return [a.json()["i"] for a in answers]

    assert asyncio.run(fetch_all()) == list(range(n))
