"""Benchmark outagecheck against its baselines on a loopback latency server: one table, targets, ratios.

    python benchmarks/run.py              # every row, 9 interleaved runs each (a few minutes)
    python benchmarks/run.py --check      # the same, exit 1 when a target is missed
    python benchmarks/run.py --only startup --only status --runs 15
    python benchmarks/run.py --quick      # one tiny case, one run: the test suite's smoke test

Each row runs outagecheck (A) and its baseline (B) in turn, A B A B ..., and reports both medians and
the median of the per-pair ratios A/B, so a machine that speeds up or slows down mid-run hits both
alike. Baselines: `curl --parallel` over the same URLs for `status`, `python -c pass` for start-up.
Peak RSS is the measured process's own (wait4 through a small `python -S` middleman). Needs
outagecheck installed in this Python (pip install -e .); curl is optional (rows that need it say so).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import wan  # noqa: E402  (the wan group's network)
from tests.loopback import LoopbackServer  # noqa: E402  (the same fault server the tests use)

PATHS = {
    "web": "/web/",
    "oauth": "/platform/v1/oauth/hello",
    "hello": "/api/api/hello",
    "models": "/api/v1/models?limit=1",
    "page": "/status/api/v2/summary.json",
}
SUMMARY = json.loads((ROOT / "tests" / "fixtures" / "summary_operational.json").read_text())
DUMMY_KEY = "sk-ant-benchmark-not-a-real-key"


@dataclass
class Sample:
    wall_s: float
    rss_mb: float
    code: int
    start: float = 0.0  # time.monotonic() at the spawn (the wan group's SYN log is on the same clock)


# A small middleman spawns the command and reports its wall time and peak RSS. Linux counts the pages
# a child inherits at fork in its ru_maxrss, so the benchmark process (tens of MB) must not be the
# direct parent; this middleman is a bare `python -S` of a few MB, below anything it measures.
REPORTER = """
import os, sys, time
null = os.open(os.devnull, os.O_WRONLY)
actions = [(os.POSIX_SPAWN_DUP2, null, 1), (os.POSIX_SPAWN_DUP2, null, 2)]
began = time.monotonic()
start = time.perf_counter()
pid = os.posix_spawn(sys.argv[1], sys.argv[1:], os.environ, file_actions=actions)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
print(wall, usage.ru_maxrss, os.waitstatus_to_exitcode(status), began)
"""


def run(argv: list[str], env: dict[str, str], prefix: tuple[str, ...] = ()) -> Sample:
    """Run a command to completion: its wall time, its own peak RSS, its exit code. `prefix` runs the
    reporter under another command (the wan group's `ip netns exec`), outside the measured time."""
    reporter = [*prefix, sys.executable, "-S", "-c", REPORTER, *argv]
    out = subprocess.run(reporter, env=env, capture_output=True, text=True)
    wall, rss_kb, code, began = out.stdout.split()
    return Sample(float(wall), int(rss_kb) / 1024, int(code), float(began))


def measure_rounds(
    cmds: dict[str, tuple[list[str], dict[str, str]]], runs: int, prefix: tuple[str, ...] = ()
) -> dict[str, list[Sample]]:
    """Run every command once per round, the order rotating each round, after one warm-up each; the
    samples of round i are at index i for every command (per-round differences and ratios)."""
    names = list(cmds)
    for argv, env in cmds.values():
        run(argv, env, prefix)
    samples: dict[str, list[Sample]] = {name: [] for name in names}
    for i in range(runs):
        for name in names[i % len(names) :] + names[: i % len(names)]:
            argv, env = cmds[name]
            samples[name].append(run(argv, env, prefix))
    return samples


def median_of(samples: list[Sample]) -> float:
    return statistics.median(x.wall_s for x in samples)


def per_round(*rows: list[Sample], combine: Callable[..., float]) -> float:
    """The median over rounds of combine(a.wall_s, b.wall_s, ...) of the same round's samples."""
    return statistics.median(combine(*(x.wall_s for x in xs)) for xs in zip(*rows, strict=True))


@dataclass
class Pair:
    """Medians of A and B run in turn, the median of the per-pair ratios, A's peak RSS and exit codes."""

    a_wall: float
    b_wall: float
    ratio: float
    a_rss: float
    a_codes: set[int]


def measure_pair(a: list[str], b: list[str], env: dict[str, str], runs: int) -> Pair:
    run(a, env)  # warm-up: page cache, .pyc files
    run(b, env)
    pairs = [(run(a, env), run(b, env)) for _ in range(runs)]
    return Pair(
        statistics.median(x.wall_s for x, _ in pairs),
        statistics.median(y.wall_s for _, y in pairs),
        statistics.median(x.wall_s / y.wall_s for x, y in pairs),
        max(x.rss_mb for x, _ in pairs),
        {x.code for x, _ in pairs},
    )


def outagecheck() -> list[str]:
    found = shutil.which("outagecheck", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "outagecheck"]


PASS = [sys.executable, "-c", "pass"]
MINIMAL = Path(__file__).with_name("minimal.py")  # the stack alone doing a status row's work
# --before SRC: the same commands with another source tree first on PYTHONPATH (e.g. `git archive main src`),
# run in the same rounds as rows marked "before".
BEFORE: dict[str, str] = {}
# What `status` cannot start a request without, as a live run loads it (httpx._main kept out, see
# checks/run.py): asyncio, ssl, httpx, httpcore and anyio's asyncio backend (loaded on the first send).
FLOOR = "import sys; sys.modules['httpx._main'] = None; import asyncio, ssl, httpx, httpcore, anyio._backends._asyncio"
TABLE_LIBS = ", rich.console, rich.table"
# The floor with the CA store loaded as any verifying HTTPS client must (httpx's default: certifi's bundle): the
# memory floor of a live run. OpenSSL holds every certificate of the bundle, ~2 MB, whatever the tool.
CA_STORE = "; import certifi; ssl.create_default_context(cafile=certifi.where())"


def route_healthy(server: LoopbackServer, delay: float) -> None:
    server.route(PATHS["web"], body=b"<html>Claude</html>", delay=delay)
    for key in ("oauth", "hello"):
        server.route(PATHS[key], json={"message": "hello"}, delay=delay)
    server.route(PATHS["models"], json={"data": []}, delay=delay)
    server.route(PATHS["page"], json=SUMMARY, delay=delay)


def write_config(directory: Path, server: LoopbackServer, *, timeout: float, extra: str = "") -> Path:
    base = server.url
    path = directory / f"bench-{len(list(directory.iterdir()))}.toml"
    path.write_text(
        f"timeout = {timeout}\nslow = 30\n"
        f'[endpoints]\nclaude_ai = "{base}/web"\nplatform = "{base}/platform"\napi = "{base}/api"\n'
        f'status_page = "{base}/status"\n{extra}'
    )
    return path


def custom_surfaces(server: LoopbackServer, n: int, delay: float) -> tuple[str, list[str]]:
    lines, urls = [], []
    for i in range(n):
        server.route(f"/custom/{i}", json={"ok": True}, delay=delay)
        urls.append(f"{server.url}/custom/{i}")
        lines.append(f'[surfaces.s{i}]\nname = "Custom {i}"\nurl = "{urls[-1]}"\n')
    return "\n".join(lines), urls


def curl_parallel(urls: list[str]) -> list[str] | None:
    curl = shutil.which("curl")
    if curl is None:
        return None
    outs = [arg for _ in urls for arg in ("-o", os.devnull)]
    return [curl, "-s", "--parallel", "--parallel-immediate", "--parallel-max", "300", *outs, *urls]


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, ...]] = []
        self.missed: list[str] = []

    def add(self, case: str, value: str, baseline: str, ratio: str, rss: str, target: str, ok: bool | None) -> None:
        if ok is False:
            self.missed.append(case)
        self.rows.append((case, value, baseline, ratio, rss, target, {True: "met", False: "MISSED", None: ""}[ok]))

    def print(self) -> None:
        header = ("case", "median", "baseline", "ratio", "peak RSS", "target", "")
        widths = [max(len(r[i]) for r in [header, *self.rows]) for i in range(len(header))]
        for row in [header, tuple("-" * w for w in widths), *self.rows]:
            print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def mb(value: float) -> str:
    return f"{value:.1f} MB"


def status_cases(table: Table, server: LoopbackServer, tmp: Path, env: dict[str, str], runs: int) -> None:
    """The status rows, each held to the import floor measured in the same rounds (issue 27's targets)."""
    keyed = env | {"ANTHROPIC_API_KEY": DUMMY_KEY}  # the keyed check too: the same five URLs as curl
    floor, floor_rich = [sys.executable, "-c", FLOOR], [sys.executable, "-c", FLOOR + TABLE_LIBS]
    route_healthy(server, 1.0)
    cfg = write_config(tmp, server, timeout=10)
    curl = curl_parallel([server.url + p for p in PATHS.values()])
    if curl is None:
        table.add("status --json, 5 URLs at 1.0 s", "-", "curl not found", "-", "-", "<= curl + floor + 30 ms", None)
    else:
        status = [*outagecheck(), "status", "--json", "--config", str(cfg)]
        stack = [sys.executable, str(MINIMAL), str(cfg)]  # the stack alone, the same five GETs
        cmds = {"status": (status, keyed), "curl": (curl, keyed), "floor": (floor, env), "stack": (stack, keyed)}
        r = measure_rounds(cmds, runs)
        assert {x.code for x in r["status"]} == {0}, "status exited non-zero"
        alone = per_round(r["stack"], r["curl"], r["floor"], combine=lambda a, b, c: a - b - c)
        table.add("the stack alone: 5 GETs at 1.0 s", ms(median_of(r["stack"])),
                  f"curl {ms(median_of(r['curl']))} + floor {ms(median_of(r['floor']))}", f"{alone * 1000:+.0f} ms",
                  mb(max(x.rss_mb for x in r["stack"])), "(no target: the stack's own)", None)  # fmt: skip
        over = per_round(r["status"], r["curl"], r["floor"], combine=lambda a, b, c: a - b - c)
        table.add("status --json, 5 URLs at 1.0 s", ms(median_of(r["status"])),
                  f"curl {ms(median_of(r['curl']))} + floor {ms(median_of(r['floor']))}", f"{over * 1000:+.0f} ms",
                  mb(max(x.rss_mb for x in r["status"])), "<= curl + floor + 30 ms", over <= 0.030)  # fmt: skip
    route_healthy(server, 0.0)
    cfg = write_config(tmp, server, timeout=10)
    json_argv = [*outagecheck(), "status", "--json", "--config", str(cfg)]
    table_argv = [*outagecheck(), "status", "--config", str(cfg)]
    early_off = keyed | {"OUTAGECHECK_EARLY": "0"}
    cmds = {
        "json": (json_argv, keyed),
        "json, early off": (json_argv, early_off),
        "floor": (floor, env),
        "table": (table_argv, keyed),
        "floor+rich": (floor_rich, env),
        "floor+CA": ([sys.executable, "-c", FLOOR + CA_STORE], env),
        "pass": (PASS, env),
        # The stack alone doing the row's work (benchmarks/minimal.py): what a target over the floor leaves us.
        "stack": ([sys.executable, str(MINIMAL), str(cfg)], keyed),
        "stack+rich": ([sys.executable, str(MINIMAL), str(cfg), "--table"], keyed),
    }
    rows: list[tuple[str, str, str, float | None]] = [
        ("status --json, zero latency", "json", "floor", 0.025),
        ("status --json, zero latency, early off", "json, early off", "floor", None),
        ("status table, zero latency", "table", "floor+rich", 0.025),
        ("the stack alone: 5 GETs, JSON out", "stack", "floor", None),
        ("the stack alone: 5 GETs, rich table out", "stack+rich", "floor+rich", None),
        ("status --json over the stack alone", "json", "stack", None),
        ("status table over the stack alone", "table", "stack+rich", None),
    ]
    if BEFORE:
        cmds |= {"json, before": (json_argv, keyed | BEFORE), "table, before": (table_argv, keyed | BEFORE)}
        rows += [
            ("status --json, zero latency, before", "json, before", "floor", None),
            ("status table, zero latency, before", "table, before", "floor+rich", None),
        ]
    r = measure_rounds(cmds, runs)
    for name in cmds:
        assert {x.code for x in r[name]} == {0}, f"{name} exited non-zero"
    for label, name, base, goal in rows:
        over = per_round(r[name], r[base], combine=lambda a, b: a - b)
        before = "before" in name or "off" in name
        target = f"<= {base} + {goal * 1000:.0f} ms" if goal else "(before)" if before else "(no target)"
        table.add(label, ms(median_of(r[name])), f"{base} {ms(median_of(r[base]))}", f"{over * 1000:+.0f} ms",
                  mb(max(x.rss_mb for x in r[name])), target, None if goal is None else over <= goal)  # fmt: skip
    rss, floor_rss = max(x.rss_mb for x in r["json"]), max(x.rss_mb for x in r["floor"])
    table.add("peak RSS, status --json", mb(rss), f"floor {mb(floor_rss)}", f"{rss - floor_rss:+.1f} MB", mb(rss),
              "<= floor RSS + 3 MB", rss <= floor_rss + 3)  # fmt: skip
    stack_rss = max(x.rss_mb for x in r["stack"])  # the libraries doing the row's work, CA store included
    table.add("peak RSS, the stack alone (5 GETs, JSON out)", mb(stack_rss), f"floor {mb(floor_rss)}",
              f"{stack_rss - floor_rss:+.1f} MB", mb(stack_rss), "(no target: the stack's own)", None)  # fmt: skip
    ca_rss = max(x.rss_mb for x in r["floor+CA"])  # what the CA store alone adds to the floor, same rounds
    table.add("peak RSS, status --json, over floor + CA store", mb(rss), f"floor+CA {mb(ca_rss)}",
              f"{rss - ca_rss:+.1f} MB", mb(rss), "(the row's floor: the CA store is not ours)", None)  # fmt: skip
    # The floors themselves: only importing what sending a request needs (and rich's table, for the table
    # row), before any outagecheck code or socket. No target: the yardstick.
    for label, name in (("floor: import the request stack", "floor"), ("floor + rich's table", "floor+rich")):
        ratio = per_round(r[name], r["pass"], combine=lambda a, b: a / b)
        table.add(label, ms(median_of(r[name])), f"python -c pass {ms(median_of(r['pass']))}", f"{ratio:.2f}x",
                  mb(max(x.rss_mb for x in r[name])), "(none: the libraries alone)", None)  # fmt: skip


def surfaces_cases(table: Table, server: LoopbackServer, tmp: Path, env: dict[str, str], runs: int) -> None:
    latency = 0.2
    route_healthy(server, latency)
    floor = [sys.executable, "-c", FLOOR]
    for n in (50, 200):
        extra, urls = custom_surfaces(server, n, latency)
        cfg = write_config(tmp, server, timeout=10, extra=extra)
        curl = curl_parallel([server.url + p for p in PATHS.values() if p != PATHS["models"]] + urls) or PASS
        name = "curl --parallel" if curl is not PASS else "python -c pass"
        status = [*outagecheck(), "status", "--json", "--config", str(cfg)]
        stack = [sys.executable, str(MINIMAL), str(cfg)]  # the stack alone, the same GETs
        cmds = {"status": (status, env), "curl": (curl, env), "floor": (floor, env), "stack": (stack, env)}
        if BEFORE:
            cmds["before"] = (status, env | BEFORE)
        r = measure_rounds(cmds, runs)
        alone = per_round(r["stack"], r["curl"], r["floor"], combine=lambda a, b, c: a - b - c)
        base = f"{name} {ms(median_of(r['curl']))} + floor {ms(median_of(r['floor']))}"
        table.add(f"the stack alone: {n} surfaces' GETs at {latency:g} s", ms(median_of(r["stack"])), base,
                  f"{alone * 1000:+.0f} ms", mb(max(x.rss_mb for x in r["stack"])), "(no target: the stack's own)",
                  None)  # fmt: skip
        wall, rss = median_of(r["status"]), max(x.rss_mb for x in r["status"])
        over = per_round(r["status"], r["curl"], r["floor"], combine=lambda a, b, c: a - b - c)
        base = f"{name} {ms(median_of(r['curl']))} + floor {ms(median_of(r['floor']))}"
        if BEFORE:
            was = per_round(r["before"], r["curl"], r["floor"], combine=lambda a, b, c: a - b - c)
            label = f"{n} custom surfaces at {latency:g} s, before"
            table.add(label, ms(median_of(r["before"])), base, f"{was * 1000:+.0f} ms", "", "(before)", None)
        if n == 50:
            target, ok = "<= curl + floor + 40 ms", over <= 0.040
        else:
            target, ok = "<= 1 s, <= 40 MB", wall <= 1.0 and rss <= 40
        label = f"{n} custom surfaces at {latency:g} s"
        table.add(label, ms(wall), base, f"{over * 1000:+.0f} ms", mb(rss), target, ok)


def startup_cases(table: Table, env: dict[str, str], runs: int) -> None:
    cases: list[tuple[str, list[str], float]] = [
        ("outagecheck --help", [*outagecheck(), "--help"], 0.025),
        ("outagecheck --version", [*outagecheck(), "--version"], 0.020),
        ("python -m outagecheck --version", [sys.executable, "-m", "outagecheck", "--version"], 0.020),
    ]
    # A warm status-line cache, as Claude Code sees it between refreshes: the line comes from one small
    # file; a refresh must not start (written_at is recent, mtime is now).
    cache = Path(env["XDG_CACHE_HOME"]) / "outagecheck"
    cache.mkdir(parents=True, exist_ok=True)
    warm = {"version": 1, "written_at": 0, "fallback": [], "checked_at": "x", "exit_code": 0,
            "surfaces": [{"id": i, "status": "operational"} for i in ("web", "code", "api")]}  # fmt: skip
    (cache / "statusline.json").write_text(json.dumps(warm))
    cases.append(("statusline, warm cache", [*outagecheck(), "statusline", "--ttl", "86400"], 0.030))
    for label, argv, _ in cases:
        p = measure_pair(argv, PASS, env, runs)
        table.add(label, ms(p.a_wall), f"python -c pass {ms(p.b_wall)}", f"{p.ratio:.2f}x", mb(p.a_rss),
                  "<= 1.6x python -c pass", p.ratio <= 1.6)  # fmt: skip


def first_syn(net: wan.Wan, sample: Sample) -> float:
    """Seconds from the spawn to the run's first client SYN (the first connection opened); nan if none."""
    syns = [t for t in net.syns_after(sample.start) if t <= sample.start + sample.wall_s]
    return syns[0] - sample.start if syns else float("nan")


def wan_cases(table: Table, tmp: Path, env: dict[str, str], runs: int) -> None:
    """status against 4 HTTPS hosts at RTT 100 and 50 ms, with and without early connections, against
    curl --parallel given only the test CA and the import floor, interleaved (benchmarks/wan.py)."""
    curl = shutil.which("curl")
    why = wan.unavailable() or (None if curl else "no curl")
    if why is not None:
        table.add("wan: RTT 50 and 100 ms", "-", f"skipped: {why}", "", "", "<= 1.20x curl; first conn <= 0.35x floor",
                  None)  # fmt: skip
        return
    assert curl is not None
    clean = {k: v for k, v in env.items() if "proxy" not in k.lower()}
    with wan.network(tmp, SUMMARY) as net:
        if problem := wan.first_ssl_check(net):
            table.add("wan: RTT 50 and 100 ms", "-", f"skipped: {problem}", "", "", "", None)
            return
        client = clean | {"SSL_CERT_FILE": str(net.ca_file), "ANTHROPIC_API_KEY": DUMMY_KEY}
        status = [*outagecheck(), "status", "--json", "--config", str(net.config(tmp))]
        outs = [arg for _ in net.urls() for arg in ("-o", os.devnull)]
        curl_argv = [curl, "-s", "--parallel", "--parallel-immediate", "--cacert", str(net.ca_file), *outs, *net.urls()]
        cmds = {
            "status": (status, client),
            "early off": (status, client | {"OUTAGECHECK_EARLY": "0"}),
            "curl": (curl_argv, client),
            "floor": ([sys.executable, "-c", FLOOR], client),
        }
        runs_of = [("status", "status --json"), ("early off", "status, early off (before)")]
        if BEFORE:
            cmds["before"] = (status, client | BEFORE)
            runs_of.append(("before", "status, before"))
        for rtt in (0.100, 0.050):
            net.rtt(rtt)
            r = measure_rounds(cmds, runs, tuple(net.inside([])))
            floor, curl_ms = median_of(r["floor"]), ms(median_of(r["curl"]))
            for name, label in runs_of:
                assert {x.code for x in r[name]} == {0}, f"wan {name} exited {[x.code for x in r[name]]}"
                ratio = per_round(r[name], r["curl"], combine=lambda a, b: a / b)
                over = per_round(r[name], r["curl"], combine=lambda a, b: a - b)
                wall, rss = median_of(r[name]), mb(max(x.rss_mb for x in r[name]))
                if name != "status":
                    target, ok = "(before)", None
                elif rtt >= 0.1:
                    target, ok = "<= 1.20x curl --parallel", ratio <= 1.20
                else:
                    target, ok = f"status - curl <= 0.60x floor ({ms(0.6 * floor)})", over <= 0.6 * floor
                table.add(f"wan RTT {rtt * 1000:.0f} ms: {label}", ms(wall), f"curl {curl_ms}",
                          f"{ratio:.2f}x, {over * 1000:+.0f} ms", rss, target, ok)  # fmt: skip
            firsts = [("status", "first connection opened")] + [(n, f"first connection, {n}") for n, _ in runs_of[1:]]
            for name, label in firsts:
                offsets = [first_syn(net, x) for x in r[name]]
                first = statistics.median(offsets)
                share = statistics.median(o / f.wall_s for o, f in zip(offsets, r["floor"], strict=True))
                ok = share <= 0.35 if name == "status" else None
                table.add(f"{label}, RTT {rtt * 1000:.0f} ms", ms(first), f"floor {ms(floor)}", f"{share:.2f}x floor",
                          "", "<= 0.35x floor after start" if ok is not None else "(before)", ok)  # fmt: skip


# Measures, in one process, the CPU time each probe spends before its socket opens: N probes against a
# loopback server that answers late; every probe's `connect_tcp.started` trace event is timed, and
# (last start - gather start) / N is the CPU each probe costs before connecting, since the event loop
# starts them one after another. The first gather warms the client and the anyio backend; the CA bundle
# is loaded once, as a run loads it (its ~50 ms of CPU on a thread were counted in each gather's window).
PROBE_HARNESS = """
import asyncio, gc, os, sys, time
sys.path.insert(0, os.environ["BENCH_ROOT"])
gc.disable()  # as __main__ runs status: no collection during the imports, then their objects frozen
from outagecheck.checks import http, probe
from outagecheck.checks.plan import CheckPlan, Target
from outagecheck.checks.tls import ContextLoader
gc.freeze()
if os.environ["BENCH_GC"] == "on":
    gc.enable()  # as wait and watch run: collecting, over what the imports made frozen out
N, BASE = int(os.environ["BENCH_N"]), os.environ["BENCH_URL"]
starts = []
real = http.Tracer.__call__
async def traced(self, event, info):
    if event.endswith("connect_tcp.started"):
        starts.append(time.process_time())
    await real(self, event, info)
http.Tracer.__call__ = traced
plan = CheckPlan(tuple(Target(f"surface:s{i}", f"{BASE}/late/{i}") for i in range(N)), (), 5.0, 30.0)
tls = ContextLoader()  # loaded once per process, as status and wait do (checks/run.py), not per gather
asyncio.run(probe.gather(plan, tls=tls))
starts.clear()
begin = time.process_time()
asyncio.run(probe.gather(plan, tls=tls))
print((max(starts) - begin) / N * 1000)
"""

# The same measure for the stack alone: one plain httpx.AsyncClient (its one pool for the host) sending the
# same N GETs through asyncio.gather, with certifi's CA context: the CPU httpx, httpcore, anyio and asyncio
# spend per request before its connect, whoever drives them.
STACK_PROBE_HARNESS = """
import asyncio, gc, os, ssl, sys, time
sys.modules["httpx._main"] = None
gc.disable()
import certifi, httpx
gc.freeze()
N, BASE = int(os.environ["BENCH_N"]), os.environ["BENCH_URL"]
starts = []
async def trace(event, info):
    if event.endswith("connect_tcp.started"):
        starts.append(time.process_time())
context = ssl.create_default_context(cafile=certifi.where())
limits = httpx.Limits(max_connections=N, max_keepalive_connections=N)
async def gather():
    async with httpx.AsyncClient(verify=context, timeout=5, limits=limits) as client:
        urls = [f"{BASE}/late/{i}" for i in range(N)]
        await asyncio.gather(*(client.get(url, extensions={"trace": trace}) for url in urls))
asyncio.run(gather())
starts.clear()
begin = time.process_time()
asyncio.run(gather())
print((max(starts) - begin) / N * 1000)
"""


def probe_cpu_cases(table: Table, server: LoopbackServer, runs: int) -> None:
    n = 200
    for i in range(n):
        server.route(f"/late/{i}", json={"ok": True}, delay=0.5)
    env = {**os.environ, "BENCH_ROOT": str(ROOT), "BENCH_N": str(n), "BENCH_URL": server.url}
    # The collector as each command runs it (__main__): off for status, on (imports frozen) for wait/watch.
    modes = {"off": "status: collector off", "on": "wait/watch: collector on", "stack": "the stack alone"}
    if BEFORE:
        modes |= {"off, before": "status, before", "on, before": "wait/watch, before"}
    figures: dict[str, list[float]] = {mode: [] for mode in modes}
    for _ in range(max(3, runs // 3)):
        for mode in modes:  # interleaved: load that comes and goes hits both alike
            gc_mode, _, before = mode.partition(", ")
            run_env = {**env, "BENCH_GC": gc_mode} | (BEFORE if before else {})
            harness = STACK_PROBE_HARNESS if mode == "stack" else PROBE_HARNESS
            done = subprocess.run([sys.executable, "-c", harness], env=run_env, capture_output=True, text=True)
            if done.returncode != 0:
                print(done.stderr[-2000:], file=sys.stderr)
                table.add("CPU per probe before its connect", "-", "", "", "", "<= 0.3 ms", False)
                return
            figures[mode].append(float(done.stdout.split()[-1]))
    for mode, label in modes.items():
        per = statistics.median(figures[mode])
        case = f"CPU per probe before connect ({label})"
        if mode == "stack":
            target, ok = "(no target: httpx's own)", None
        else:
            target, ok = ("(before)", None) if "before" in mode else ("<= 0.3 ms", per <= 0.3)
        table.add(case, f"{per:.2f} ms", f"{n} probes", "", "", target, ok)


# Runs `outagecheck wait` through its real entry point for CHECKS checks against a surface that stays
# degraded, with time.sleep replaced so the interval costs nothing, and prints the RSS growth between
# the 20th check and the last (the first checks warm caches and pools).
WAIT_HARNESS = """
import os, sys, time
time.sleep = lambda s: None
CHECKS = int(os.environ["BENCH_CHECKS"])
import outagecheck.checks.run as run

def rss_kb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024

real = run.report_source
def counted(*args, **kwargs):
    source = real(*args, **kwargs)
    state = {"n": 0, "base": 0}
    def next_report():
        state["n"] += 1
        if state["n"] == 20:
            state["base"] = rss_kb()
        if state["n"] == CHECKS + 20:
            os.write(int(os.environ["BENCH_FD"]), f"{rss_kb() - state['base']}\\n".encode())
            os._exit(0)
        return source()
    return next_report
run.report_source = counted
sys.argv = ["outagecheck", *sys.argv[1:]]
from outagecheck.__main__ import main
main()
"""


def memory_cases(table: Table, server: LoopbackServer, tmp: Path, env: dict[str, str], checks: int) -> None:
    route_healthy(server, 0.0)
    server.route(PATHS["web"], status=404, body=b"not here")  # degraded, no retry: wait keeps waiting
    cfg = write_config(tmp, server, timeout=10)
    read, write = os.pipe()
    argv = [sys.executable, "-c", WAIT_HARNESS, "wait", "--require", "web", "--max-wait", "168h", "--interval", "1",
            "--config", str(cfg)]  # fmt: skip
    harness_env = env | {"BENCH_CHECKS": str(checks), "BENCH_FD": str(write)}
    done = subprocess.run(argv, env=harness_env, pass_fds=(write,), capture_output=True)
    os.close(write)
    with os.fdopen(read) as pipe:
        growth = pipe.read().strip()
    if done.returncode != 0 or not growth:
        table.add(f"wait RSS growth over {checks} checks", "-", "", "", "-", "< 2 MB", False)
        print(done.stderr.decode()[-2000:], file=sys.stderr)
        return
    grown = int(growth) / 1024
    table.add(f"wait RSS growth over {checks} checks", mb(grown), "", "", "", "< 2 MB", grown < 2)


def gzip_bomb(inflated: int) -> bytes:
    """A gzip body that inflates to `inflated` bytes, built without holding them in memory."""
    z = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1024 * 1024)
    return b"".join(z.compress(block) for _ in range(inflated // len(block))) + z.flush()


FAULTS: dict[str, tuple[str, Callable[[], dict[str, object]]]] = {
    "hang (never answers)": ("web", lambda: {"hang": True}),
    "reset mid-headers": ("web", lambda: {"reset_in_headers": True}),
    "drip 500 body, 1 byte/100 ms": ("web", lambda: {"status": 500, "body": b"e" * 200, "drip": 0.1}),
    "200 MB body on a 500": ("web", lambda: {"status": 500, "body_size": 200 * 1024 * 1024}),
    "200 MB status page": ("page", lambda: {"body_size": 200 * 1024 * 1024}),
    "gzip bomb status page (200 MB)": (
        "page",
        lambda: {"body": gzip_bomb(200 * 1024 * 1024), "headers": {"content-encoding": "gzip"}},
    ),
    "drip status page": ("page", lambda: {"body": json.dumps(SUMMARY).encode(), "drip": 0.05}),
    "not HTTP": ("web", lambda: {"raw": b"SSH-2.0-OpenSSH_9.6\r\nProtocol mismatch.\r\n\r\n"}),
    "503 on every check (retried)": ("all", lambda: {"status": 503, "body": b"busy"}),
}


def fault_cases(table: Table, server: LoopbackServer, tmp: Path, env: dict[str, str], runs: int) -> None:
    timeout = 2.0
    for name, (where, route) in FAULTS.items():
        route_healthy(server, 0.0)
        for key in PATHS if where == "all" else [where]:
            server.route(PATHS[key], **route())
        cfg = write_config(tmp, server, timeout=timeout)
        p = measure_pair([*outagecheck(), "status", "--config", str(cfg)], PASS, env, runs)
        ok = p.a_wall <= timeout + 0.5 and p.a_rss <= 60
        table.add(f"fault: {name}", ms(p.a_wall), "", "", mb(p.a_rss), f"<= {timeout:g} s + 500 ms, <= 60 MB", ok)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    with open("/proc/cpuinfo") if Path("/proc/cpuinfo").exists() else open(os.devnull) as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return (
        f"{platform.system()} {platform.release()}, {os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}"
    )


GROUPS = ("status", "surfaces", "probes", "startup", "memory", "faults", "wan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=9, help="interleaved runs per row (median reported); default 9")
    parser.add_argument("--checks", type=int, default=500, help="checks for the wait memory row; default 500")
    parser.add_argument("--quick", action="store_true", help="one tiny case, one run (smoke test)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--only", choices=GROUPS, action="append", help="run only these groups")
    parser.add_argument("--before", type=Path, help="a source tree (its src/) to run as 'before' in the same rounds")
    args = parser.parse_args()
    if args.before:
        BEFORE["PYTHONPATH"] = str(args.before.resolve())
    # PYTHONDONTWRITEBYTECODE would make every run recompile outagecheck's sources (an editable install
    # has no .pyc until a run writes them): an installed wheel ships them, so measure with them.
    skip = ("ANTHROPIC_", "OUTAGECHECK_", "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in os.environ.items() if not k.startswith(skip)}
    env |= {"NO_COLOR": "1", "COLUMNS": "100", "NO_PROXY": "127.0.0.1,localhost"}
    print(f"machine: {machine()}")
    table = Table()
    server = LoopbackServer()
    server.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            tmpdir = Path(tmp)
            env["HOME"] = str(tmpdir)  # no user config, no fallback journal
            env["XDG_CONFIG_HOME"] = str(tmpdir / "config")
            env["XDG_STATE_HOME"] = str(tmpdir / "state")
            env["XDG_CACHE_HOME"] = str(tmpdir / "cache")
            if args.quick:
                route_healthy(server, 0.0)
                cfg = write_config(tmpdir, server, timeout=5)
                sample = run([*outagecheck(), "status", "--config", str(cfg)], env)
                table.add("status, L=0 (quick)", ms(sample.wall_s), "", "", mb(sample.rss_mb),
                          f"exit [{sample.code}]", None)  # fmt: skip
            else:
                groups = args.only or GROUPS
                print(f"interleaved runs per row: {args.runs} (+1 warm-up each)")
                if "status" in groups:
                    status_cases(table, server, tmpdir, env, args.runs)
                if "surfaces" in groups:
                    surfaces_cases(table, server, tmpdir, env, args.runs)
                if "probes" in groups:
                    probe_cpu_cases(table, server, args.runs)
                if "startup" in groups:
                    startup_cases(table, env, args.runs)
                if "memory" in groups:
                    memory_cases(table, server, tmpdir, env, args.checks)
                if "faults" in groups:
                    fault_cases(table, server, tmpdir, env, max(3, args.runs // 3))
                if "wan" in groups:
                    wan_cases(table, tmpdir, env, args.runs)
    finally:
        server.stop()
    table.print()
    if table.missed:
        print(f"\ntargets missed: {', '.join(table.missed)}")
    return 1 if args.check and table.missed else 0


if __name__ == "__main__":
    sys.exit(main())
