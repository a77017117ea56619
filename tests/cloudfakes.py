"""Loopback fakes of the providers' free endpoints, on 127.0.0.1, that check each request's auth shape.

Bedrock, Mantle and Claude Platform on AWS verify the SigV4 signature with botocore's own signer (an
independent implementation from outagecheck's); Vertex and Foundry want a Bearer token; gateways and the API
want x-api-key or Bearer. A request with the wrong shape gets the provider's 403, so a test that passes
proves the shape. Routes reach a fake through `Route.base_url`, as Claude Code's *_BASE_URL variables do.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from botocore.auth import SigV4Auth  # the test extra's botocore: an independent signer to check ours
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

Answer = tuple[int, dict[str, str], bytes]
Handler = Callable[["Request"], Answer]


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes


def reply(status: int, doc: Any = None, headers: dict[str, str] | None = None) -> Answer:
    body = b"" if doc is None else (doc if isinstance(doc, bytes) else json.dumps(doc).encode())
    return status, {"content-type": "application/json", **(headers or {})}, body


def sigv4_ok(req: Request, *, service: str, region: str, access_key: str, secret_key: str, token: str | None) -> bool:
    """Recompute the request's SigV4 signature with botocore and compare (the headers it says it signed)."""
    auth = req.headers.get("authorization", "")
    if not auth.startswith("AWS4-HMAC-SHA256 ") or f"Credential={access_key}/" not in auth:
        return False
    signed = auth.split("SignedHeaders=")[1].split(",")[0].split(";")
    if token is not None and req.headers.get("x-amz-security-token") != token:
        return False
    url = f"http://{req.headers['host']}{req.path}"
    aws = AWSRequest(method=req.method, url=url, headers={h: req.headers[h] for h in signed}, data=req.body)
    aws.context["timestamp"] = req.headers["x-amz-date"]
    signer = SigV4Auth(Credentials(access_key, secret_key, token), service, region)
    expected = signer.signature(signer.string_to_sign(aws, signer.canonical_request(aws)), aws)
    return auth.endswith(f"Signature={expected}")


@dataclass
class Fake:
    """A provider on 127.0.0.1: `handler` answers every request; `requests` records them."""

    handler: Handler
    requests: list[Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        fake = self

        class _H(BaseHTTPRequestHandler):
            def _any(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                req = Request(
                    self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length)
                )
                fake.requests.append(req)
                status, headers, body = fake.handler(req)
                try:
                    self.send_response(status)
                    for k, v in {**headers, "content-length": str(len(body))}.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up at its deadline: that is the test

            do_GET = do_POST = _any

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _H)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]

    def __enter__(self) -> Fake:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


AWS_DENIED = reply(403, {"message": "The request signature we calculated does not match the signature you provided."})


def bedrock(
    keys: tuple[str, str, str | None], answers: dict[str, Answer] | None = None, region: str = "us-east-1"
) -> Handler:
    """Bedrock's ListInferenceProfiles and CountTokens, signed for service `bedrock`; `answers` by model id."""
    answers = answers or {}

    def handle(req: Request) -> Answer:
        if not sigv4_ok(req, service="bedrock", region=region, access_key=keys[0], secret_key=keys[1], token=keys[2]):
            return AWS_DENIED
        if req.path.startswith("/inference-profiles"):
            return answers.get("list", reply(200, {"inferenceProfileSummaries": []}))
        if req.path.endswith("/count-tokens"):
            model = req.path.split("/")[2]
            return answers.get(model.replace("%3A", ":"), reply(200, {"inputTokens": 8}))
        return reply(404, {"message": "not found"})

    return handle


def signed(service: str, keys: tuple[str, str, str | None], region: str, answer: Answer) -> Handler:
    """Any endpoint that wants SigV4 for `service` (Mantle, Claude Platform on AWS)."""

    def handle(req: Request) -> Answer:
        ok = sigv4_ok(req, service=service, region=region, access_key=keys[0], secret_key=keys[1], token=keys[2])
        return answer if ok else AWS_DENIED

    return handle


def bearer(token: str, answer: Answer, *, header: str = "authorization") -> Handler:
    """Vertex, Foundry, OpenRouter: a Bearer token (or Foundry's `api-key`), else the provider's 401."""

    def handle(req: Request) -> Answer:
        got = req.headers.get(header, "")
        if got not in (f"Bearer {token}", token):
            return reply(401, {"error": {"code": 401, "message": "Request had invalid authentication credentials."}})
        return answer

    return handle


def anthropic(key: str, answers: dict[str, Answer] | None = None, *, litellm: bool = False) -> Handler:
    """The Claude API or a gateway: x-api-key or Bearer on /v1/*; LiteLLM's keyless health when `litellm`."""
    answers = answers or {}

    def handle(req: Request) -> Answer:
        path = req.path.split("?")[0]
        if litellm and path in ("/health/liveliness", "/health/readiness"):
            return answers.get(path, reply(200, "I'm alive!" if path.endswith("liveliness") else {"status": "healthy"}))
        if path == "/health":
            raise AssertionError("LiteLLM's /health calls every model: never request it")
        if key not in (req.headers.get("x-api-key"), req.headers.get("authorization", "").removeprefix("Bearer ")):
            return reply(
                401, {"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}
            )
        return answers.get(path, reply(200, {"data": [], "input_tokens": 8}))

    return handle


FLAVOR = {"metadata-flavor": "Google"}


def gce_metadata(token: str, project: str, fallthrough: Handler) -> Handler:
    """A GCE metadata server (what GCE_METADATA_HOST names) minting `token`; other paths go to `fallthrough`.

    Both clients send and want `Metadata-Flavor: Google` (gcp-metadata refuses an answer without it): a request
    without it gets the server's 403. Claude Code's gcp-metadata pings /computeMetadata/v1/instance, then asks
    .../service-accounts/default/token; google-auth's Compute Engine credentials first ask the account's info."""
    account = "/computeMetadata/v1/instance/service-accounts/default"
    answers = {
        "/computeMetadata/v1/instance": (200, "text/plain", b"attributes/\nid\nservice-accounts/\n"),
        f"{account}/token": (
            200,
            "application/json",
            json.dumps({"access_token": token, "expires_in": 3599, "token_type": "Bearer"}).encode(),
        ),
        f"{account}/": (
            200,
            "application/json",
            json.dumps({"email": "vertex@acme.iam.gserviceaccount.com", "aliases": ["default"], "scopes": []}).encode(),
        ),
        "/computeMetadata/v1/project/project-id": (200, "text/plain", project.encode()),
    }

    def handle(req: Request) -> Answer:
        path = req.path.split("?")[0]
        if not path.startswith("/computeMetadata/"):
            return fallthrough(req)
        if req.headers.get("metadata-flavor") != "Google":
            return 403, {"content-type": "text/plain"}, b"Missing required header: Metadata-Flavor"
        status, kind, body = answers.get(path, (404, "text/plain", b""))
        return status, {"content-type": kind, **FLAVOR}, body

    return handle


def google_sts(token: str, subject: str, fallthrough: Handler) -> Handler:
    """Google's STS token exchange at /sts/v1/token (an external_account file's `token_url`): `subject`, the
    workload's own token from the file's credential_source, is exchanged for `token`; anything else is STS's 400."""

    def handle(req: Request) -> Answer:
        if req.path.split("?")[0] != "/sts/v1/token":
            return fallthrough(req)
        form = parse_qs(req.body.decode())
        if req.method != "POST" or form.get("subject_token") != [subject]:
            return reply(400, {"error": "invalid_grant", "error_description": "The subject token is invalid."})
        kind = "urn:ietf:params:oauth:token-type:access_token"
        return reply(
            200, {"access_token": token, "issued_token_type": kind, "token_type": "Bearer", "expires_in": 3600}
        )

    return handle
