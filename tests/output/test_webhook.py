"""Webhooks: a payload that pings no one and links nothing; one deadline for the whole exchange against a
real server on 127.0.0.1 that drips its headers or loops `100 Continue`; a redirect is never followed."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from outagecheck.model import Status
from outagecheck.output import notify
from outagecheck.output.debounce import Change
from outagecheck.output.notify import Notifier
from outagecheck.output.webhook import Failed, payload, post
from tests.loopback import LoopbackServer

HOOK = "/services/T000/B000/SECRETSECRET"
DOWN = Change("web", "Claude.ai (web)", Status.OPERATIONAL, Status.DOWN, "Login failures (http_5xx: HTTP 500)", "t")
# The old webhook (urllib, a 10 s timeout per socket read) waited as long as the server kept dripping.
DRIP_FOR_S = 8.0


def test_slack_gets_no_control_sequence_and_discord_no_mention_or_link() -> None:
    text = (
        "Claude status: <!channel> <!here> <@U123> <https://evil.example|click> & @everyone [x](https://evil.example)"
    )
    doc = json.loads(payload(text))
    assert doc["text"] == (
        "Claude status: &lt;!channel&gt; &lt;!here&gt; &lt;@U123&gt; &lt;https://evil.example|click&gt; &amp; "
        "@everyone [x](https://evil.example)"
    )
    assert "<" not in doc["text"]
    assert doc["allowed_mentions"] == {"parse": []}
    assert "\\[x\\](https://evil.example)" in doc["content"]  # no masked link
    assert "\\<@U123\\>" in doc["content"]


class Dripper:
    """A webhook server that reads the POST, then never finishes its answer: headers a byte at a time, or
    `100 Continue` over and over, for DRIP_FOR_S."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}{HOOK}"

    def _serve(self) -> None:
        self.listener.settimeout(0.1)
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    def _drip(self, conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            end = time.monotonic() + DRIP_FOR_S
            try:
                if self.mode == "headers":
                    conn.sendall(b"HTTP/1.1 200 OK\r\n")
                    while time.monotonic() < end and not self.stop.wait(0.05):
                        conn.sendall(b"X")  # one header line that never ends
                else:
                    while time.monotonic() < end and not self.stop.wait(0.05):
                        conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
            except OSError:
                return  # the client hung up: what it should do at its deadline

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.listener.close()


@pytest.fixture(params=["headers", "continue"], ids=["drips-headers", "loops-100-continue"])
def dripper(request: pytest.FixtureRequest) -> Iterator[Dripper]:
    server = Dripper(request.param)
    yield server
    server.close()


def test_one_deadline_for_the_whole_exchange(dripper: Dripper, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(notify, "WEBHOOK_TIMEOUT_S", 1.0)
    warnings: list[str] = []
    started = time.monotonic()
    Notifier(webhooks=(dripper.url,), warn=warnings.append).send([DOWN], "{}")
    took = time.monotonic() - started
    assert took < 3.0, f"the webhook held the caller {took:.1f} s"
    assert warnings == [
        "--webhook failed: webhook 1 got no complete answer within 1 s (further --webhook failures are not shown)"
    ]
    # Its socket was shut at the deadline: the worker ends too, long before the server stops dripping.
    give_up = time.monotonic() + 2.0
    while any(t.name == "outagecheck-webhook" for t in threading.enumerate()) and time.monotonic() < give_up:
        time.sleep(0.05)
    assert not any(t.name == "outagecheck-webhook" for t in threading.enumerate())


def test_the_default_deadline_is_ten_seconds() -> None:
    assert notify.WEBHOOK_TIMEOUT_S == 10.0


@pytest.mark.parametrize("code", [301, 302, 307, 308])
def test_a_redirect_is_a_failed_delivery_never_followed(code: int, loopback: LoopbackServer) -> None:
    loopback.route(HOOK, status=code, headers={"location": "/elsewhere"})
    loopback.route("/elsewhere", status=200, body=b"ok")
    warnings: list[str] = []
    notifier = Notifier(webhooks=(loopback.url + HOOK,), warn=warnings.append)
    notifier.send([DOWN], "{}")
    notifier.send([DOWN], "{}")
    assert warnings == [
        f"--webhook failed: webhook 1 answered a redirect (HTTP {code}), which is never followed: not delivered "
        "(further --webhook failures are not shown)"
    ]
    assert loopback.paths() == [HOOK, HOOK]


def test_post_raises_failed_for_an_error_answer(loopback: LoopbackServer) -> None:
    loopback.route(HOOK, status=500, body=b"no")
    with pytest.raises(Failed, match="answered HTTP 500"):
        post(loopback.url + HOOK, "hi")
