"""Proxy rules: outagecheck decides NO_PROXY exactly as httpx does, and a variable httpx can't use is one
line naming it."""

from __future__ import annotations

import os

import httpx
import pytest

from outagecheck.checks.http import check_proxy_variables, proxy_for
from outagecheck.errors import ConfigError

PROXY = "http://user:secret@proxy.example:3128"
URLS = [
    "https://api.anthropic.com/v1/models",
    "https://anthropic.com/",
    "https://status.claude.com/api/v2/summary.json",
    "https://claude.ai:443/",
    "http://127.0.0.1:8080/",
    "http://127.0.0.2/",
    "http://10.1.2.3/",
    "http://[::1]:8080/",
    "http://localhost:9000/",
    "http://api.anthropic.com.evil.example/",
]
NO_PROXY = [
    "",
    "*",
    ".anthropic.com",
    "anthropic.com",
    "api.anthropic.com,claude.ai",
    "claude.ai:443",
    "127.0.0.1",
    "127.0.0.0/8",
    "10.0.0.0/8",
    "::1",
    "[::1]",
    "localhost",
    " .claude.com , anthropic.com ",
    "https://claude.ai",
]


def httpx_proxies(client: httpx.AsyncClient, url: str) -> bool:
    """httpx's own decision: does its client send `url` through a proxy? (Nothing is sent.)"""
    return client._transport_for_url(httpx.URL(url)) is not client._transport


@pytest.mark.parametrize("no_proxy", NO_PROXY)
def test_no_proxy_is_decided_as_httpx_decides(monkeypatch: pytest.MonkeyPatch, no_proxy: str) -> None:
    monkeypatch.setenv("HTTPS_PROXY", PROXY)
    monkeypatch.setenv("HTTP_PROXY", PROXY)
    monkeypatch.setenv("NO_PROXY", no_proxy)
    monkeypatch.delenv("no_proxy", raising=False)
    check_proxy_variables(os.environ)  # as make_client does first: '[::1]' becomes '::1', which httpx reads
    client = httpx.AsyncClient(verify=False)  # builds its proxy mounts from the environment, as ours does
    for url in URLS:
        ours = proxy_for(url)
        assert (ours is not None) == httpx_proxies(client, url), (no_proxy, url)
        assert ours in (None, "http://proxy.example:3128")  # credentials never shown


def test_leading_dot_and_ipv6_as_httpx_reads_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", PROXY)
    monkeypatch.setenv("HTTP_PROXY", PROXY)
    monkeypatch.setenv("NO_PROXY", ".anthropic.com,[::1]")
    check_proxy_variables(os.environ)
    assert proxy_for("https://api.anthropic.com/") is None
    assert proxy_for("https://anthropic.com/") == "http://proxy.example:3128"  # a leading dot: subdomains only
    assert proxy_for("http://[::1]:8080/") is None


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("HTTPS_PROXY", "http://127.0.0.1:99999", "HTTPS_PROXY is unusable: Invalid port"),
        ("ALL_PROXY", "http://p:1\nx", "ALL_PROXY is unusable: it holds a control"),
        ("NO_PROXY", "claude.ai\n", "NO_PROXY is unusable: it holds a control"),
        ("no_proxy", "x:y", "no_proxy is unusable: 'x:y': Invalid port"),
        ("NO_PROXY", "[::1", "NO_PROXY is unusable: '[::1': Invalid port"),
    ],
)
def test_an_unusable_proxy_variable_is_named(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match="^" + message.replace("(", r"\(").replace("[", r"\[")) as info:
        check_proxy_variables(dict(os.environ))
    assert "secret" not in str(info.value)
