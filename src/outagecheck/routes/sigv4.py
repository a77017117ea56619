"""AWS Signature Version 4 in the standard library: the signer used when botocore is not installed.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html. The canonical
URI is the path as sent, encoded once more (`%3A` is signed as `%253A`), as botocore's SigV4Auth does for
every service but S3; tests compare this signer with botocore's byte for byte.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

ALGORITHM = "AWS4-HMAC-SHA256"


@dataclass(frozen=True)
class AwsKeys:
    """Resolved AWS credentials: never printed (repr hides them), never written."""

    access_key: str
    secret_key: str
    token: str | None = None

    def __repr__(self) -> str:
        return "AwsKeys(…)"


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def _query(raw: str) -> str:
    """The canonical query: the pairs as sent (already URI-encoded), sorted by name then value, as botocore does."""
    pairs = sorted(part.partition("=")[::2] for part in raw.split("&")) if raw else []
    return "&".join(f"{n}={v}" for n, v in pairs)


def sign(
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes,
    *,
    keys: AwsKeys,
    region: str,
    service: str,
    now: datetime | None = None,
) -> dict[str, str]:
    """Return the headers that sign this request (host, x-amz-date, the token, Authorization) added to `headers`."""
    when = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    parts = urlsplit(url)
    signed = {k.lower(): " ".join(v.strip().split()) for k, v in headers.items()}
    signed["host"] = parts.netloc
    signed["x-amz-date"] = when
    if keys.token:
        signed["x-amz-security-token"] = keys.token
    names = ";".join(sorted(signed))
    canonical = "\n".join(
        (
            method.upper(),
            quote(parts.path or "/", safe="/-_.~"),
            _query(parts.query),
            "".join(f"{k}:{signed[k]}\n" for k in sorted(signed)),
            names,
            hashlib.sha256(body).hexdigest(),
        )
    )
    scope = f"{when[:8]}/{region}/{service}/aws4_request"
    to_sign = "\n".join((ALGORITHM, when, scope, hashlib.sha256(canonical.encode()).hexdigest()))
    key = _hmac(f"AWS4{keys.secret_key}".encode(), when[:8])
    for step in (region, service, "aws4_request"):
        key = _hmac(key, step)
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    out = dict(headers)
    out.update({"x-amz-date": when, "host": parts.netloc})
    if keys.token:
        out["x-amz-security-token"] = keys.token
    credential = f"Credential={keys.access_key}/{scope}"
    out["authorization"] = f"{ALGORITHM} {credential}, SignedHeaders={names}, Signature={signature}"
    return out
