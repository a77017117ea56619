"""Early connections (checks/early.py, checks/handoff.py) against real TLS servers on 127.0.0.1: the same
evidence with and without them, nothing opened early where it must not be, no request sent early."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import ssl
import subprocess
import sys
from collections.abc import Generator, Mapping
from pathlib import Path
from typing import Any

import pytest
import trustme
from typer.testing import CliRunner

from outagecheck.checks import early, handoff
from outagecheck.cli.parse import early_options
from tests.helpers import Endpoints, free_port, invoke, loopback_config, real_sockets, route_healthy
from tests.loopback import LoopbackServer

pytestmark = real_sockets

TIMEOUT = "1.5"


@pytest.fixture(autouse=True)
def no_early_yet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts as a fresh process would: nothing started."""
    monkeypatch.setattr(early, "_current", None)
    monkeypatch.setattr(early, "_loader", None)


def start_for(argv: list[str], environ: Mapping[str, str]) -> early.Early | None:
    """early.start as __main__ calls it: the command line parsed by the CLI's own flags first."""
    return early.start(early_options(argv), environ)


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def tls_server(ca: trustme.CA, *names: str) -> LoopbackServer:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*names).configure_cert(context)
    server = LoopbackServer(tls=context)
    route_healthy(server)
    return server


@pytest.fixture
def trusted(ca: trustme.CA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))


@pytest.fixture
def handed_over(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The hosts whose early connection a request took."""
    taken: list[str] = []
    real = handoff.EarlyStream.__init__

    def spy(self: handoff.EarlyStream, sock: ssl.SSLSocket, host: str, port: int, context: ssl.SSLContext) -> None:
        taken.append(host)
        real(self, sock, host, port, context)

    monkeypatch.setattr(handoff.EarlyStream, "__init__", spy)
    return taken


def black_hole() -> Generator[str, None, None]:
    """An https base on 127.0.0.1 whose SYNs go unanswered: a listener with a full accept queue."""
    with socket.socket() as listener, socket.socket() as filler:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        filler.connect(listener.getsockname())  # fills the queue: later SYNs are dropped
        yield f"https://127.0.0.1:{listener.getsockname()[1]}"


def checks(doc: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Every check's outcome, without its timings."""
    rows = []
    for s in doc["surfaces"]:
        for e in s["evidence"]:
            attempts = tuple((a["status"], a["reason"], a["detail"]) for a in e.get("attempts") or ())
            outcome = (e["status"], e["reason"], e["detail"], e.get("http_status"), e["local"])
            rows.append((e["endpoint"], *outcome, attempts))
    return sorted(rows)


def run_both(runner: CliRunner, cfg: Path) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], early.Early]:
    """The checks' outcome without early connections, then with them (started as __main__ starts them)."""
    argv = ["status", "--json", "--config", str(cfg), "--timeout", TIMEOUT]
    without = invoke(runner, *argv)
    started = start_for(argv, os.environ)
    assert started is not None
    with_early = invoke(runner, *argv)
    assert without.exit_code == with_early.exit_code
    return checks(json.loads(without.stdout)), checks(json.loads(with_early.stdout)), started


def test_good_hosts_take_the_early_connections(
    runner: CliRunner, ca: trustme.CA, trusted: None, handed_over: list[str], tmp_path: Path
) -> None:
    with tls_server(ca, "127.0.0.1") as server:
        without, with_early, started = run_both(runner, loopback_config(tmp_path, server))
    assert with_early == without
    assert {row[2] for row in with_early} == {"ok"}
    assert len(handed_over) == len(started.slots) == early.PER_ORIGIN  # one host here: two started, both taken
    assert all(slot.taken and slot.error is None for slot in started.slots)


@pytest.mark.parametrize("case", ["untrusted CA", "wrong host name", "refused", "black hole"])
def test_failures_read_the_same_with_early_connections(
    case: str, runner: CliRunner, ca: trustme.CA, trusted: None, handed_over: list[str], tmp_path: Path
) -> None:
    holes = black_hole()
    issuer = trustme.CA() if case == "untrusted CA" else ca
    with tls_server(issuer, "example.org" if case == "wrong host name" else "127.0.0.1") as server:
        base = {"refused": f"https://127.0.0.1:{free_port()}", "black hole": next(holes)}.get(case, server.url)
        bases: Endpoints = {"claude_ai": base + "/w", "platform": base + "/p", "api": base + "/a", "status_page": base}
        cfg = loopback_config(tmp_path, **bases)
        without, with_early, started = run_both(runner, cfg)
    holes.close()
    assert with_early == without
    assert handed_over == []  # every request went the normal way, and met the failure itself
    expected = {"untrusted CA": "tls", "wrong host name": "tls", "refused": "connect_refused", "black hole": "timeout"}
    assert {row[2] for row in with_early} == {expected[case]}
    assert all(slot.taken for slot in started.slots)


def test_no_request_leaves_early(ca: trustme.CA, trusted: None, tmp_path: Path) -> None:
    with tls_server(ca, "127.0.0.1") as server:
        started = start_for(["status", "--config", str(loopback_config(tmp_path, server))], os.environ)
        assert started is not None
        for slot in started.slots:
            sock = slot.wait(5)
            assert sock is not None
            sock.close()
        assert server.paths() == []


def listener() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.settimeout(0.3)
    return sock


def opened_early(argv: list[str], environ: dict[str, str], tmp_path: Path) -> bool:
    """Whether early.start opens a connection to a planned https host for this command line."""
    with listener() as sock:
        base = f"https://127.0.0.1:{sock.getsockname()[1]}"
        cfg = loopback_config(tmp_path, claude_ai=base, platform=base, api=base, status_page=base)
        start_for([*argv, "--config", str(cfg)], environ)
        try:
            sock.accept()[0].close()
        except TimeoutError:
            return False
        return True


def test_the_control_case_opens_early(tmp_path: Path) -> None:
    assert opened_early(["status"], {}, tmp_path)


@pytest.mark.parametrize(
    ("argv", "environ"),
    [
        pytest.param(["status"], {name: "http://127.0.0.1:9"}, id=name)
        for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")
    ]
    + [
        pytest.param(["status", "--replay", "all-up"], {}, id="replay"),
        pytest.param(["watch"], {"OUTAGECHECK_REPLAY": "all-up"}, id="replay-variable"),
        pytest.param(["status"], {"ANTHROPIC_BASE_URL": "https://gateway.example"}, id="gateway"),
        pytest.param(["status"], {"OUTAGECHECK_EARLY": "0"}, id="switched-off"),
        pytest.param(["status", "--no-such-flag"], {}, id="unknown-flag"),
        pytest.param(["fallback"], {}, id="other-command"),
    ],
)
def test_nothing_is_opened_early(argv: list[str], environ: dict[str, str], tmp_path: Path) -> None:
    assert not opened_early(argv, environ, tmp_path)


def test_an_unreadable_config_opens_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("timeout = [")
    assert start_for(["status", "--config", str(bad)], {}) is None


def test_replay_loads_no_tls() -> None:
    assert start_for(["status", "--replay", "all-up"], {}) is None
    assert early.loader() is None


def test_early_loads_only_the_standard_library() -> None:
    code = (
        "import sys; from outagecheck.checks import early; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('httpx', 'httpcore', 'anyio', 'certifi', 'rich')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_another_context_gets_its_own_handshake(ca: trustme.CA, trusted: None, tmp_path: Path) -> None:
    """A request whose context or server name differs from the early handshake's gets a fresh connection."""

    async def connect(started: early.Early, host: str, port: int) -> tuple[object, object]:
        backend = handoff.EarlyBackend(started)
        handoff._HTTPS.set(True)  # as the transport sets it for an https request (this task's copy only)
        stream = await backend.connect_tcp(host, port, timeout=5)
        same = await stream.start_tls(started.tls.result(), host, timeout=5)
        other_context = ssl.create_default_context(cafile=os.environ["SSL_CERT_FILE"])
        stream2 = await backend.connect_tcp(host, port, timeout=5)  # the second early connection
        other = await stream2.start_tls(other_context, host, timeout=5)
        kinds = (type(same).__name__, type(other).__name__)
        await same.aclose()
        await other.aclose()
        return kinds, stream2

    with tls_server(ca, "127.0.0.1") as server:
        started = start_for(["status", "--config", str(loopback_config(tmp_path, server))], os.environ)
        assert started is not None
        host, port = started.slots[0].host, started.slots[0].port
        kinds, replaced = asyncio.run(connect(started, host, port))
    assert kinds == ("EarlyStream", "AnyIOStream")
    assert isinstance(replaced, handoff.EarlyStream)
