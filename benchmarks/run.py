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


# A small middleman spawns the command and reports its wall time and peak RSS. Linux counts the pages
# a child inherits at fork in its ru_maxrss, so the benchmark process (tens of MB) must not be the
# direct parent; this middleman is a bare `python -S` of a few MB, below anything it measures.
REPORTER = """
import os, sys, time
null = os.open(os.devnull, os.O_WRONLY)
actions = [(os.POSIX_SPAWN_DUP2, null, 1), (os.POSIX_SPAWN_DUP2, null, 2)]
start = time.perf_counter()
pid = os.posix_spawn(sys.argv[1], sys.argv[1:], os.environ, file_actions=actions)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
print(wall, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def run(argv: list[str], env: dict[str, str]) -> Sample:
    """Run a command to completion: its wall time, its own peak RSS, its exit code."""
    out = subprocess.run([sys.executable, "-S", "-c", REPORTER, *argv], env=env, capture_output=True, text=True)
    wall, rss_kb, code = out.stdout.split()
    return Sample(float(wall), int(rss_kb) / 1024, int(code))


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
# What `status` cannot start a request without, as a live run loads it (httpx._main kept out, see
# checks/run.py): asyncio, ssl, httpx, httpcore and anyio's asyncio backend (loaded on the first send).
FLOOR = "import sys; sys.modules['httpx._main'] = None; import asyncio, ssl, httpx, httpcore, anyio._backends._asyncio"
TABLE_LIBS = ", rich.console, rich.table"


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
    keyed = env | {"ANTHROPIC_API_KEY": DUMMY_KEY}  # the keyed check too: the same five URLs as curl
    route_healthy(server, 1.0)
    cfg = write_config(tmp, server, timeout=10)
    curl = curl_parallel([server.url + p for p in PATHS.values()])
    if curl is None:
        table.add("status --json, 5 URLs at 1.0 s", "-", "curl not found", "-", "-", "<= 1.12x curl", None)
    else:
        p = measure_pair([*outagecheck(), "status", "--json", "--config", str(cfg)], curl, keyed, runs)
        assert p.a_codes == {0}, f"status exited {p.a_codes}"
        ok = p.ratio <= 1.12
        table.add("status --json, 5 URLs at 1.0 s", ms(p.a_wall), f"curl {ms(p.b_wall)}", f"{p.ratio:.2f}x",
                  mb(p.a_rss), "<= 1.12x curl --parallel", ok)  # fmt: skip
    route_healthy(server, 0.0)
    cfg = write_config(tmp, server, timeout=10)
    for label, args, target in (
        ("status --json, zero latency", ["--json"], 0.150),
        ("status table, zero latency", [], 0.170),
    ):
        p = measure_pair([*outagecheck(), "status", *args, "--config", str(cfg)], PASS, keyed, runs)
        assert p.a_codes == {0}, f"status exited {p.a_codes}"
        table.add(label, ms(p.a_wall), f"python -c pass {ms(p.b_wall)}", f"{p.ratio:.2f}x", mb(p.a_rss),
                  f"<= {ms(target)}", p.a_wall <= target)  # fmt: skip
        if not args:
            table.add("peak RSS, one status", mb(p.a_rss), "", "", mb(p.a_rss), "<= 33 MB", p.a_rss <= 33)
    # The floor under those rows, in the same run: only importing what sending a request needs (and
    # rich's table, for the table row), before any outagecheck code or socket. No target: a yardstick.
    for label, code in (("floor: import the request stack", FLOOR), ("floor + rich's table", FLOOR + TABLE_LIBS)):
        p = measure_pair([sys.executable, "-c", code], PASS, env, runs)
        table.add(label, ms(p.a_wall), f"python -c pass {ms(p.b_wall)}", f"{p.ratio:.2f}x", mb(p.a_rss),
                  "(none: the libraries alone)", None)  # fmt: skip


def surfaces_cases(table: Table, server: LoopbackServer, tmp: Path, env: dict[str, str], runs: int) -> None:
    latency = 0.2
    route_healthy(server, latency)
    for n, target, rss_target in ((50, 0.40, None), (200, 1.0, 40.0)):
        extra, urls = custom_surfaces(server, n, latency)
        cfg = write_config(tmp, server, timeout=10, extra=extra)
        baseline = curl_parallel([server.url + p for p in PATHS.values() if p != PATHS["models"]] + urls) or PASS
        name = "curl --parallel" if baseline is not PASS else "python -c pass"
        p = measure_pair([*outagecheck(), "status", "--json", "--config", str(cfg)], baseline, env, runs)
        ok = p.a_wall <= target and (rss_target is None or p.a_rss <= rss_target)
        rss_goal = f", <= {rss_target:g} MB" if rss_target else ""
        table.add(f"{n} custom surfaces at {latency:g} s", ms(p.a_wall), f"{name} {ms(p.b_wall)}", f"{p.ratio:.2f}x",
                  mb(p.a_rss), f"<= {target:g} s{rss_goal}", ok)  # fmt: skip


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
    for label, argv, target in cases:
        p = measure_pair(argv, PASS, env, runs)
        table.add(label, ms(p.a_wall), f"python -c pass {ms(p.b_wall)}", f"{p.ratio:.2f}x", mb(p.a_rss),
                  f"<= {ms(target)}", p.a_wall <= target)  # fmt: skip


# Measures, in one process, the CPU time each probe spends before its socket opens: N probes against a
# loopback server that answers late; every probe's `connect_tcp.started` trace event is timed, and
# (last start - gather start) / N is the CPU each probe costs before connecting, since the event loop
# starts them one after another. The first gather warms the client and the anyio backend.
PROBE_HARNESS = """
import asyncio, os, sys, time
sys.path.insert(0, os.environ["BENCH_ROOT"])
from outagecheck.checks import http, probe
from outagecheck.checks.plan import CheckPlan, Target
N, BASE = int(os.environ["BENCH_N"]), os.environ["BENCH_URL"]
starts = []
real = http.Tracer.__call__
async def traced(self, event, info):
    if event.endswith("connect_tcp.started"):
        starts.append(time.process_time())
    await real(self, event, info)
http.Tracer.__call__ = traced
plan = CheckPlan(tuple(Target(f"surface:s{i}", f"{BASE}/late/{i}") for i in range(N)), (), 5.0, 30.0)
asyncio.run(probe.gather(plan))
starts.clear()
begin = time.process_time()
asyncio.run(probe.gather(plan))
print((max(starts) - begin) / N * 1000)
"""


def probe_cpu_cases(table: Table, server: LoopbackServer, runs: int) -> None:
    n = 200
    for i in range(n):
        server.route(f"/late/{i}", json={"ok": True}, delay=0.5)
    env = {**os.environ, "BENCH_ROOT": str(ROOT), "BENCH_N": str(n), "BENCH_URL": server.url}
    figures = []
    for _ in range(max(3, runs // 3)):
        done = subprocess.run([sys.executable, "-c", PROBE_HARNESS], env=env, capture_output=True, text=True)
        if done.returncode != 0:
            print(done.stderr[-2000:], file=sys.stderr)
            table.add("CPU per probe before its connect", "-", "", "", "", "<= 0.3 ms", False)
            return
        figures.append(float(done.stdout.split()[-1]))
    per = statistics.median(figures)
    table.add("CPU per probe before its connect", f"{per:.2f} ms", f"{n} probes", "", "", "<= 0.3 ms", per <= 0.3)


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


GROUPS = ("status", "surfaces", "probes", "startup", "memory", "faults")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=9, help="interleaved runs per row (median reported); default 9")
    parser.add_argument("--checks", type=int, default=500, help="checks for the wait memory row; default 500")
    parser.add_argument("--quick", action="store_true", help="one tiny case, one run (smoke test)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--only", choices=GROUPS, action="append", help="run only these groups")
    args = parser.parse_args()
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
    finally:
        server.stop()
    table.print()
    if table.missed:
        print(f"\ntargets missed: {', '.join(table.missed)}")
    return 1 if args.check and table.missed else 0


if __name__ == "__main__":
    sys.exit(main())
