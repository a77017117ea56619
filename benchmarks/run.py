"""Benchmark outagecheck against curl on a loopback latency server, and its start-up and fault bounds.

    python benchmarks/run.py            # every case, 5 runs each (about two minutes)
    python benchmarks/run.py --runs 9   # steadier medians
    python benchmarks/run.py --quick    # one tiny case, one run: the test suite's smoke test

Prints one table: median wall time and peak RSS per case, the reference it is compared with, and the
target. Needs outagecheck installed in this Python (pip install -e .); curl is optional.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import zlib
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


def measure(argv: list[str], env: dict[str, str], runs: int) -> tuple[float, float, set[int]]:
    run(argv, env)  # warm-up: page cache, .pyc files
    samples = [run(argv, env) for _ in range(runs)]
    return (
        statistics.median(s.wall_s for s in samples),
        max(s.rss_mb for s in samples),
        {s.code for s in samples},
    )


def outagecheck() -> list[str]:
    found = shutil.which("outagecheck", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "outagecheck"]


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


def custom_surfaces(server: LoopbackServer, n: int, delay: float) -> str:
    lines = []
    for i in range(n):
        server.route(f"/custom/{i}", json={"ok": True}, delay=delay)
        lines.append(f'[surfaces.s{i}]\nname = "Custom {i}"\nurl = "{server.url}/custom/{i}"\n')
    return "\n".join(lines)


def supports_custom_surfaces(env: dict[str, str], directory: Path) -> bool:
    probe = directory / "probe.toml"
    probe.write_text('[surfaces.x]\nname = "x"\nurl = "http://127.0.0.1:9/"\n')
    argv = [*outagecheck(), "config", "show", "--config", str(probe)]
    return subprocess.run(argv, env=env, capture_output=True).returncode == 0


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, ...]] = []
        self.missed: list[str] = []

    def add(
        self, case: str, wall: float | None, rss: float | None, reference: str, target: str, ok: bool | None
    ) -> None:
        verdict = {True: "met", False: "MISSED", None: ""}[ok]
        if ok is False:
            self.missed.append(case)
        self.rows.append(
            (
                case,
                f"{wall * 1000:.0f} ms" if wall is not None else "-",
                f"{rss:.1f} MB" if rss is not None else "-",
                reference,
                target,
                verdict,
            )
        )

    def print(self) -> None:
        header = ("case", "median wall", "peak RSS", "compared with", "target", "")
        widths = [max(len(r[i]) for r in [header, *self.rows]) for i in range(len(header))]
        for row in [header, tuple("-" * w for w in widths), *self.rows]:
            print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def curl_cases(table: Table, urls: list[str], env: dict[str, str], runs: int, label: str) -> float | None:
    curl = shutil.which("curl")
    if curl is None:
        table.add(f"curl ({label})", None, None, "curl not found", "", None)
        return None
    outs = [arg for _ in urls for arg in ("-o", os.devnull)]
    parallel, prss, _ = measure([curl, "-s", "--parallel", "--parallel-immediate", *outs, *urls], env, runs)
    table.add(f"curl --parallel, {label}", parallel, prss, "", "", None)
    sequential, srss, _ = measure([curl, "-s", *outs, *urls], env, runs)
    table.add(f"curl sequential, {label}", sequential, srss, "", "", None)
    return parallel


def status_cases(table: Table, server: LoopbackServer, tmp: Path, env: dict[str, str], runs: int) -> None:
    keyed = env | {"ANTHROPIC_API_KEY": DUMMY_KEY}
    for latency in (0.0, 0.2, 1.0):
        route_healthy(server, latency)
        cfg = write_config(tmp, server, timeout=10)
        urls = [server.url + p for p in PATHS.values()]
        label = f"5 URLs at L={latency:g} s"
        curl = curl_cases(table, urls, env, runs, label)
        wall, rss, codes = measure([*outagecheck(), "status", "--config", str(cfg)], keyed, runs)
        assert codes == {0}, f"status exited {codes} at L={latency}"
        if latency == 0:
            table.add(f"status, {label}", wall, rss, "", "<= 200 ms, <= 45 MB", wall <= 0.200 and rss <= 45)
        else:
            ratio = wall / curl if curl else None
            ok = ratio <= 1.10 if ratio is not None and latency == 1.0 else None
            reference = f"{ratio:.2f}x parallel curl" if ratio is not None else ""
            target = "<= 1.10x parallel curl" if latency == 1.0 else ""
            table.add(f"status, {label}", wall, rss, reference, target, ok if rss <= 45 else False)


def surfaces_cases(table: Table, server: LoopbackServer, tmp: Path, env: dict[str, str], runs: int) -> None:
    latency = 0.2
    route_healthy(server, latency)
    cfg = write_config(tmp, server, timeout=10)
    wall, rss, _ = measure([*outagecheck(), "status", "--config", str(cfg)], env, runs)
    table.add(f"3 surfaces at L={latency:g} s", wall, rss, f"L + {(wall - latency) * 1000:.0f} ms", "", None)
    if not supports_custom_surfaces(env, tmp):
        table.add("50 custom surfaces", None, None, "custom surfaces not supported yet", "<= L + 250 ms", None)
        return
    cfg = write_config(tmp, server, timeout=10, extra=custom_surfaces(server, 50, latency))
    wall, rss, _ = measure([*outagecheck(), "status", "--config", str(cfg)], env, runs)
    over = wall - latency
    table.add(
        f"50 custom surfaces at L={latency:g} s", wall, rss, f"L + {over * 1000:.0f} ms", "<= L + 250 ms", over <= 0.250
    )


def startup_cases(table: Table, env: dict[str, str], runs: int) -> None:
    for args, target in ((["--version"], 0.080), (["--help"], 0.080)):
        wall, rss, _ = measure([*outagecheck(), *args], env, runs)
        table.add(f"outagecheck {args[0]}", wall, rss, "", f"<= {target * 1000:.0f} ms", wall <= target)
    floor = "import typer, httpx, asyncio, rich.table"  # what any typer + httpx + rich tool must load
    for stmt in ("pass", "import typer", "import httpx", floor):
        wall, rss, _ = measure([sys.executable, "-c", stmt], env, runs)
        table.add(f'python -c "{stmt}"', wall, rss, "reference", "", None)


def gzip_bomb(inflated: int) -> bytes:
    """A gzip body that inflates to `inflated` bytes, built without holding them in memory."""
    z = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1024 * 1024)
    return b"".join(z.compress(block) for _ in range(inflated // len(block))) + z.flush()


GZIP_BOMB = gzip_bomb(200 * 1024 * 1024)
FAULTS: dict[str, tuple[str, dict[str, object]]] = {
    "hang (never answers)": ("web", {"hang": True}),
    "reset mid-headers": ("web", {"reset_in_headers": True}),
    "drip 500 body, 1 byte/100 ms": ("web", {"status": 500, "body": b"e" * 200, "drip": 0.1}),
    "200 MB body on a 500": ("web", {"status": 500, "body_size": 200 * 1024 * 1024}),
    "200 MB status page": ("page", {"body_size": 200 * 1024 * 1024}),
    "gzip bomb status page (200 MB)": ("page", {"body": GZIP_BOMB, "headers": {"content-encoding": "gzip"}}),
    "drip status page": ("page", {"body": json.dumps(SUMMARY).encode(), "drip": 0.05}),
    "not HTTP": ("web", {"raw": b"SSH-2.0-OpenSSH_9.6\r\nProtocol mismatch.\r\n\r\n"}),
    "503 on every check (retried)": ("all", {"status": 503, "body": b"busy"}),
}


def fault_cases(table: Table, server: LoopbackServer, tmp: Path, env: dict[str, str], runs: int) -> None:
    timeout = 2.0
    for name, (where, route) in FAULTS.items():
        route_healthy(server, 0.0)
        for key in PATHS if where == "all" else [where]:
            server.route(PATHS[key], **route)  # type: ignore[arg-type]
        cfg = write_config(tmp, server, timeout=timeout)
        wall, rss, _ = measure([*outagecheck(), "status", "--config", str(cfg)], env, runs)
        ok = wall <= timeout + 0.5 and rss <= 60
        table.add(f"fault: {name}", wall, rss, f"--timeout {timeout:g}", "<= T + 500 ms, <= 60 MB", ok)


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="runs per case (median reported); default 5")
    parser.add_argument("--quick", action="store_true", help="one tiny case, one run (smoke test)")
    parser.add_argument(
        "--only", choices=["status", "surfaces", "startup", "faults"], action="append", help="run only these groups"
    )
    args = parser.parse_args()
    # PYTHONDONTWRITEBYTECODE would make every run recompile outagecheck's sources (an editable install
    # has no .pyc until a run writes them): an installed wheel ships them, so measure with them.
    skip = ("ANTHROPIC_", "OUTAGECHECK_", "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in os.environ.items() if not k.startswith(skip)}
    env |= {"NO_COLOR": "1", "COLUMNS": "100", "NO_PROXY": "127.0.0.1,localhost"}
    resource.setrlimit(resource.RLIMIT_NOFILE, resource.getrlimit(resource.RLIMIT_NOFILE))
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
            if args.quick:
                route_healthy(server, 0.0)
                cfg = write_config(tmpdir, server, timeout=5)
                wall, rss, codes = measure([*outagecheck(), "status", "--config", str(cfg)], env, 1)
                table.add("status, L=0 (quick)", wall, rss, f"exit {sorted(codes)}", "", None)
            else:
                groups = args.only or ["status", "surfaces", "startup", "faults"]
                print(f"runs per case: {args.runs} (+1 warm-up)")
                if "status" in groups:
                    status_cases(table, server, tmpdir, env, args.runs)
                if "surfaces" in groups:
                    surfaces_cases(table, server, tmpdir, env, args.runs)
                if "startup" in groups:
                    startup_cases(table, env, args.runs)
                if "faults" in groups:
                    fault_cases(table, server, tmpdir, env, args.runs)
    finally:
        server.stop()
    table.print()
    if table.missed:
        print(f"\ntargets missed: {', '.join(table.missed)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
