"""A real-network-shaped bench: two network namespaces joined by TUN devices through a user-space delay line.

The client namespace reaches 4 HTTPS hosts in the server namespace over real kernel TCP and TLS 1.3; every
packet waits RTT/2 in a small Python forwarder (this file's FORWARDER, a process of its own) each way,
so SYN/SYN-ACK, the TLS flights and each request pay the round trip, for curl and Python alike. Names
come from a private hosts file (`ip netns exec` mounts /etc/netns/NAME/hosts over /etc/hosts). The
forwarder logs each client SYN, so a run's first connection can be timed against its start.
Needs root, /dev/net/tun and iproute2's `ip`; run.py's `wan` group says which is missing otherwise.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HOSTS = {"claude": "10.77.0.11", "platform": "10.77.0.12", "api": "10.77.0.13", "status": "10.77.0.14"}
DOMAIN = "wan.test"
CLIENT_ADDRESS = "10.77.0.1"
SERVER_DELAY_S = 0.03  # each answer's own time at the server, as a real service takes some

# The delay line: reads IP packets from each TUN and writes them to the other half an RTT later. A new
# RTT in seconds arrives on stdin (answered "ok"); each client SYN's monotonic time goes to the log.
FORWARDER = r"""
import fcntl, heapq, os, select, struct, sys, time
TUNSETIFF, IFF_TUN, IFF_NO_PI = 0x400454CA, 0x0001, 0x1000
def tun(name):
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd
client, server = tun(sys.argv[1]), tun(sys.argv[2])
log = open(sys.argv[3], "a", buffering=1)
peer, half, queue, seq = {client: server, server: client}, 0.0, [], 0
control = sys.stdin.fileno()
print("ready", flush=True)
while True:
    wait = max(0.0, queue[0][0] - time.monotonic()) if queue else None
    ready = select.select([client, server, control], [], [], wait)[0]
    now = time.monotonic()
    for fd in ready:
        if fd == control:
            line = os.read(control, 100)
            if not line:
                sys.exit(0)
            half = float(line) / 2
            print("ok", flush=True)
            continue
        while True:
            try:
                packet = os.read(fd, 65536)
            except BlockingIOError:
                break
            except OSError:  # EIO while the device is down (being moved into its namespace)
                time.sleep(0.01)
                break
            if fd == client and len(packet) >= 40 and packet[0] >> 4 == 4 and packet[9] == 6:
                flags = packet[(packet[0] & 15) * 4 + 13]
                if flags & 0x02 and not flags & 0x10:  # SYN without ACK: a connection opening
                    log.write(f"{now}\n")
            seq += 1
            heapq.heappush(queue, (now + half, seq, peer[fd], packet))
    now = time.monotonic()
    while queue and queue[0][0] <= now:
        try:
            os.write(queue[0][2], heapq.heappop(queue)[3])
        except OSError:  # the device is down: the packet is lost, as on a wire
            pass
"""

# Four HTTPS hosts, one address each, HTTP/1.1 keep-alive, every path answered after SERVER_DELAY_S.
SERVER = r"""
import json, socket, ssl, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
cert, summary, delay, addresses = sys.argv[1], open(sys.argv[2], "rb").read(), float(sys.argv[3]), sys.argv[4:]
HELLO = json.dumps({"message": "hello"}).encode()
class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        time.sleep(delay)
        path = self.path.split("?")[0]
        body, kind = {"/v1/oauth/hello": (HELLO, "json"), "/api/hello": (HELLO, "json"),
                      "/v1/models": (b'{"data": []}', "json"), "/api/v2/summary.json": (summary, "json")
                      }.get(path, (b"<html>Claude</html>", "html"))
        self.send_response(200)
        self.send_header("content-type", "application/json" if kind == "json" else "text/html")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(cert)
for address in addresses:
    server = ThreadingHTTPServer((address, 443), Handler)
    server.daemon_threads = True
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
print("ready", flush=True)
sys.stdin.read()
"""


def unavailable() -> str | None:
    """Why this machine can't run the bench, or None."""
    if os.geteuid() != 0:
        return "needs root (network namespaces)"
    if not os.path.exists("/dev/net/tun"):
        return "no /dev/net/tun"
    if shutil.which("ip") is None:
        return "no `ip` (iproute2)"
    try:
        import trustme  # noqa: F401, PLC0415  # the test CA (test extras)
    except ImportError:
        return "no trustme (pip install -e '.[test]')"
    return None


@dataclass
class Wan:
    """The running bench: the client namespace, the test CA's file, the forwarder and its SYN log."""

    namespace: str
    ca_file: Path
    syn_log: Path
    forwarder: subprocess.Popen[str]

    def rtt(self, seconds: float) -> None:
        assert self.forwarder.stdin is not None
        assert self.forwarder.stdout is not None
        self.forwarder.stdin.write(f"{seconds}\n")
        self.forwarder.stdin.flush()
        assert self.forwarder.stdout.readline().strip() == "ok"

    def inside(self, argv: list[str]) -> list[str]:
        """argv run in the client namespace (with the private hosts file)."""
        return ["ip", "netns", "exec", self.namespace, *argv]

    def syns_after(self, start: float) -> list[float]:
        return sorted(t for t in map(float, self.syn_log.read_text().split()) if t >= start)

    def urls(self) -> list[str]:
        return [
            f"https://claude.{DOMAIN}/",
            f"https://platform.{DOMAIN}/v1/oauth/hello",
            f"https://api.{DOMAIN}/api/hello",
            f"https://api.{DOMAIN}/v1/models?limit=1",
            f"https://status.{DOMAIN}/api/v2/summary.json",
        ]

    def config(self, directory: Path) -> Path:
        path = directory / "wan.toml"
        path.write_text(
            "timeout = 10\nslow = 30\n[endpoints]\n"
            f'claude_ai = "https://claude.{DOMAIN}"\nplatform = "https://platform.{DOMAIN}"\n'
            f'api = "https://api.{DOMAIN}"\nstatus_page = "https://status.{DOMAIN}"\n'
        )
        return path


def _started(argv: list[str]) -> subprocess.Popen[str]:
    """A helper process, once it has said "ready"."""
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if line != "ready":
        proc.kill()
        raise RuntimeError(f"{argv[:4]} did not start: {line!r}")
    return proc


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


@contextmanager
def network(directory: Path, summary: object) -> Iterator[Wan]:
    """Build the two namespaces, the delay line and the servers; tear everything down after."""
    import trustme  # noqa: PLC0415  # checked by unavailable()

    tag = str(os.getpid() % 100000)
    client_ns, server_ns = f"oc-wan-{tag}-c", f"oc-wan-{tag}-s"
    client_tun, server_tun = f"ocw{tag}c", f"ocw{tag}s"
    ca = trustme.CA()
    ca_file, cert_file, summary_file = directory / "wan-ca.pem", directory / "wan-cert.pem", directory / "sum.json"
    ca.cert_pem.write_to_path(str(ca_file))
    ca.issue_cert(*(f"{name}.{DOMAIN}" for name in HOSTS)).private_key_and_cert_chain_pem.write_to_path(str(cert_file))
    summary_file.write_text(json.dumps(summary))
    hosts_dir = Path("/etc/netns") / client_ns
    syn_log = directory / "syn.log"
    syn_log.write_text("")
    procs: list[subprocess.Popen[str]] = []
    try:
        _ip("netns", "add", client_ns)
        _ip("netns", "add", server_ns)
        hosts_dir.mkdir(parents=True, exist_ok=True)
        (hosts_dir / "hosts").write_text(
            "127.0.0.1 localhost\n" + "".join(f"{a} {n}.{DOMAIN}\n" for n, a in HOSTS.items())
        )
        forwarder = _started([sys.executable, "-c", FORWARDER, client_tun, server_tun, str(syn_log)])
        procs.append(forwarder)
        _ip("link", "set", client_tun, "netns", client_ns)
        _ip("link", "set", server_tun, "netns", server_ns)
        _ip("-n", client_ns, "addr", "add", f"{CLIENT_ADDRESS}/24", "dev", client_tun)
        for i, address in enumerate(HOSTS.values()):
            _ip("-n", server_ns, "addr", "add", f"{address}/{24 if i == 0 else 32}", "dev", server_tun)
        for ns, dev in ((client_ns, client_tun), (server_ns, server_tun)):
            _ip("-n", ns, "link", "set", "lo", "up")
            _ip("-n", ns, "link", "set", dev, "up")
        argv = [sys.executable, "-c", SERVER, str(cert_file), str(summary_file), str(SERVER_DELAY_S), *HOSTS.values()]
        procs.append(_started(["ip", "netns", "exec", server_ns, *argv]))
        time.sleep(0.2)
        yield Wan(client_ns, ca_file, syn_log, forwarder)
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()
        for ns in (client_ns, server_ns):
            subprocess.run(["ip", "netns", "delete", ns], capture_output=True)
        shutil.rmtree(hosts_dir, ignore_errors=True)


def first_ssl_check(wan: Wan) -> str:
    """One curl through the bench: the setup works (an empty string) or why not."""
    curl = ["curl", "-s", "-o", os.devnull, "-w", "%{http_code}", "--cacert", str(wan.ca_file), wan.urls()[0]]
    argv = wan.inside(curl)
    done = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    return "" if done.stdout == "200" else f"curl through the bench: {done.stdout} {done.stderr.strip()[:200]}"
