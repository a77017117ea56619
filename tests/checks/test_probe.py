"""Real sockets on 127.0.0.1: concurrency, deadlines, and the March 2 replay end to end."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from outagecheck.checks.plan import CheckPlan, Target
from outagecheck.checks.probe import gather
from outagecheck.checks.starvation import Heartbeat
from outagecheck.model import Status
from tests.helpers import (
    CF_EDGE,
    HELLO,
    TEST_KEY,
    free_port,
    invoke,
    loopback_config,
    march_summary,
    real_sockets,
    summary,
)
from tests.loopback import LoopbackServer

pytestmark = real_sockets  # real loopback traffic only


def route_march(server: LoopbackServer, delay: float = 0.0) -> None:
    server.route("/web/", status=500, body=b"Claude will return soon", headers=dict(CF_EDGE), delay=delay)
    server.route(
        "/platform/v1/oauth/hello",
        status=500,
        delay=delay,
        json={"type": "error", "error": {"type": "api_error", "message": "Internal server error"}},
    )
    server.route("/api/api/hello", delay=delay, **HELLO)
    server.route("/status/api/v2/summary.json", delay=delay, json=march_summary())


ROUTES = ["/web/", "/platform/v1/oauth/hello", "/api/api/hello", "/status/api/v2/summary.json"]


def test_march_replay_on_loopback(runner: CliRunner, loopback: LoopbackServer, tmp_path: Path) -> None:
    route_march(loopback)
    cfg = loopback_config(tmp_path, loopback, timeout=5.0)
    result = invoke(runner, "status", "--config", str(cfg), "--json")
    doc = json.loads(result.stdout)
    assert result.exit_code == 2 == doc["exit_code"]
    assert [(s["service"], s["status"]) for s in doc["surfaces"]] == [
        ("Claude.ai (web)", "down"),
        ("Claude Code (CLI)", "down"),
        ("Claude API", "operational"),
    ]
    assert doc["incidents"][0]["name"] == "Elevated errors on claude.ai, console, and claude code"
    assert doc["fallback"]["available"] is True
    assert invoke(runner, "status", "--config", str(cfg), "--require", "api").exit_code == 0


def test_checks_overlap(runner: CliRunner, loopback: LoopbackServer, tmp_path: Path) -> None:
    delay = 1.0
    route_march(loopback, delay=delay)
    cfg = loopback_config(tmp_path, loopback, timeout=5.0)
    start = time.perf_counter()
    result = invoke(runner, "status", "--config", str(cfg))
    wall = time.perf_counter() - start
    assert result.exit_code == 2
    # web, oauth hello, api hello (shared by code and api), status page; then one retry of each 5xx
    assert sorted(loopback.paths()) == sorted([*ROUTES, "/web/", "/platform/v1/oauth/hello"])
    arrivals = [t for t, _, _ in loopback.requests[:4]]
    # Every request reached the server before the first answer could have come back: they overlap.
    assert max(arrivals) - min(arrivals) < delay
    assert wall < 4 * delay  # sequential would take at least the sum


def test_hanging_endpoint_cannot_outlast_the_deadline(
    runner: CliRunner, loopback: LoopbackServer, tmp_path: Path
) -> None:
    route_march(loopback)
    loopback.route("/api/api/hello", hang=True)
    cfg = loopback_config(tmp_path, loopback, timeout=1.0)
    start = time.perf_counter()
    result = invoke(runner, "status", "--config", str(cfg), "--json")
    wall = time.perf_counter() - start
    doc = json.loads(result.stdout)
    api = doc["surfaces"][2]
    assert (api["status"], api["evidence"][0]["reason"]) == ("down", "timeout")
    assert wall < 1.0 + 1.0


def test_slow_answer_is_degraded(loopback: LoopbackServer) -> None:
    loopback.route("/slow", delay=0.3, **HELLO)
    plan = CheckPlan((Target("api_hello", loopback.url + "/slow"),), (), timeout_s=2.0, slow_s=0.1)
    seen = asyncio.run(gather(plan))
    evidence, page = seen.evidence, seen.page
    assert (evidence["api_hello"].status, evidence["api_hello"].reason) == (Status.DEGRADED, "slow")
    assert page.reason == "not_configured"


def test_status_page_first_base_hangs_second_answers(loopback: LoopbackServer) -> None:
    loopback.route("/first/api/v2/summary.json", hang=True)
    loopback.route("/second/api/v2/summary.json", json=summary(rwppv331jlwc="partial_outage"))
    plan = CheckPlan((), (loopback.url + "/first", loopback.url + "/second"), timeout_s=2.0, slow_s=3.0)
    page = asyncio.run(gather(plan)).page
    assert page.usable
    assert page.url == loopback.url + "/second/api/v2/summary.json"
    assert page.components["rwppv331jlwc"] == ("claude.ai", "partial_outage")
    assert [a.reason for a in page.attempts] == ["timeout", "ok"]


def test_refused_everywhere_is_local(runner: CliRunner, tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    cfg = tmp_path / "dead.toml"
    cfg.write_text(f'[endpoints]\nclaude_ai = "{dead}"\nplatform = "{dead}"\napi = "{dead}"\nstatus_page = "{dead}"\n')
    doc = json.loads(invoke(runner, "status", "--config", str(cfg), "--json").stdout)
    assert doc["exit_code"] == 3
    assert doc["local_network"] is True
    assert {s["status"] for s in doc["surfaces"]} == {"unknown"}
    assert {e["reason"] for s in doc["surfaces"] for e in s["evidence"]} == {"connect_refused"}


def test_keyed_probe_does_not_follow_redirects(
    runner: CliRunner, loopback: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    route_march(loopback)
    loopback.route("/api/v1/models?limit=1", status=307, headers={"location": loopback.url + "/stolen"})
    monkeypatch.setenv("ANTHROPIC_API_KEY", TEST_KEY)
    cfg = loopback_config(tmp_path, loopback, timeout=5.0)
    doc = json.loads(invoke(runner, "status", "--config", str(cfg), "--json").stdout)
    assert "/stolen" not in loopback.paths()
    keyed = [r for _, p, r in loopback.requests if r.get("x-api-key")]
    assert [p for _, p, r in loopback.requests if r.get("x-api-key")] == ["/api/v1/models?limit=1"]
    assert len(keyed) == 1
    api_evidence = {e["endpoint"]: e["reason"] for e in doc["surfaces"][2]["evidence"]}
    assert api_evidence == {"api_hello": "ok", "api_models": "redirect"}


async def _starved_gather(plan: CheckPlan, block_s: float) -> dict[str, Status | str]:
    """gather() while something else hogs the event loop (a stand-in for a CPU-starved process)."""

    async def hog() -> None:
        await asyncio.sleep(0.1)
        time.sleep(block_s)  # noqa: ASYNC251  # the point: block the loop, so every timer fires late

    hogging = asyncio.ensure_future(hog())
    seen = await gather(plan)
    await hogging
    e = seen.evidence["api_hello"]
    return {"status": e.status, "reason": e.reason, "detail": e.detail}


def test_a_timeout_on_a_starved_event_loop_is_local_overload_not_down(loopback: LoopbackServer) -> None:
    loopback.route("/hang", hang=True)
    plan = CheckPlan((Target("api_hello", loopback.url + "/hang"),), (), timeout_s=1.0, slow_s=3.0)
    starved = asyncio.run(_starved_gather(plan, block_s=0.6))
    assert (starved["status"], starved["reason"]) == (Status.UNKNOWN, "local_overload")
    assert "this machine was too busy to tell (the event loop ran" in str(starved["detail"])
    # The same hang with the loop free is the service's fault: down.
    free = asyncio.run(_starved_gather(plan, block_s=0.0))
    assert (free["status"], free["reason"]) == (Status.DOWN, "timeout")


def test_an_attempt_that_starts_with_too_little_budget_is_local_overload() -> None:
    async def decide() -> tuple[str | None, str | None, str | None]:
        heart = Heartbeat(timeout_s=2.0)
        return (
            heart.starved(0.4, 2.0, first=True),  # started with 0.4 s of 2 s: not a fair share
            heart.starved(0.4, 2.0, first=False),  # a retry starts late by design
            heart.starved(1.9, 2.0, first=True),
        )

    late, retry, fair = asyncio.run(decide())
    assert late == "the check could start only with 0.40 s of its 2 s left"
    assert (retry, fair) == (None, None)


# One request meets a Ctrl-C that comes back wrapped; every other request hangs. /group: inside an anyio
# task group, as in httpcore's connect (anyio.connect_tcp runs its happy-eyeballs attempts in one).
# /context: as the context of another error, as when it lands in httpcore's lazy import of anyio's
# backend and the pool's cleanup then fails on the half-imported module. /oserror and /body: as the
# context of an OSError or httpx error, which a probe takes for a network failure (evidence, not a
# Ctrl-C) unless told apart, on the request or while reading an error body. In a subprocess: after this,
# CPython 3.11.7 can fail the pytest process's next ast.parse ("AST constructor recursion depth
# mismatch", gh-106905).
CTRL_C_WRAPPED = """
import asyncio, os, sys, time
import anyio, httpx
from outagecheck.checks.plan import CheckPlan, Target
from outagecheck.checks.probe import gather

class CtrlCWrapped(httpx.AsyncBaseTransport):
    async def handle_async_request(self, request):
        if request.url.path == "/group":
            async with anyio.create_task_group() as group:
                group.start_soon(anyio.sleep, 60)
                raise KeyboardInterrupt  # the signal lands in the group's body: anyio wraps it
        if request.url.path == "/context":
            try:
                raise KeyboardInterrupt
            finally:
                raise ImportError("partially initialized module")
        if request.url.path == "/oserror":  # the error a probe would have taken for a network failure
            try:
                raise KeyboardInterrupt
            finally:
                raise OSError(9, "Bad file descriptor")
        if request.url.path == "/body":  # the same, while the body of an error answer is read
            return httpx.Response(500, stream=BrokenBody())
        await asyncio.sleep(60)

class BrokenBody(httpx.AsyncByteStream):
    async def __aiter__(self):
        yield b"Internal"
        try:
            raise KeyboardInterrupt
        finally:
            raise httpx.ReadError("connection reset")

targets = (Target("web", "http://127.0.0.1:9/hang"), Target("api_hello", "http://127.0.0.1:9" + sys.argv[1]))
start = time.monotonic()
try:
    asyncio.run(gather(CheckPlan(targets, (), timeout_s=5.0, slow_s=3.0), transport=CtrlCWrapped()))
except BaseException as e:  # then straight out, as the entry point leaves (os._exit)
    print(type(e).__name__, round(time.monotonic() - start, 1), flush=True)
    os._exit(0)
print("returned", round(time.monotonic() - start, 1), flush=True)  # the Ctrl-C was taken for evidence
"""


@pytest.mark.parametrize("path", ["/group", "/context", "/oserror", "/body"])
def test_a_wrapped_ctrl_c_ends_the_checks_at_once(path: str) -> None:
    """A Ctrl-C wrapped in a group or another error is kept by asyncio as the probe's result instead of
    stopping the loop: the run used to wait out its whole timeout (then the 3 s watchdog)."""
    run = subprocess.run([sys.executable, "-c", CTRL_C_WRAPPED, path], capture_output=True, text=True, timeout=60)
    kind, seconds = run.stdout.split()
    assert kind == "KeyboardInterrupt"  # bare, not the group: the entry point's one line and 130
    assert float(seconds) < 2.0  # well inside the 5 s timeout
    assert run.stderr == ""  # nor "unhandled exception during asyncio.run() shutdown"
