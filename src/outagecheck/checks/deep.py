"""`status --deep` and `--model`: one paid request per model, its answer read, and incidents by model (pure).

A deep check is `POST /v1/messages` with `max_tokens: 1`: the one way to see what GET /v1/models can't,
a key whose organisation can't pay, a model the key can't use, one model overloaded while others answer
(https://docs.claude.com/en/api/errors). It is never sent unless asked for.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Final

from outagecheck.model import Incident, Status, StatusPage
from outagecheck.text import compiled

if TYPE_CHECKING:
    from outagecheck.checks.classify import Verdict

# The cheapest current model (https://docs.claude.com/en/docs/about-claude/models/overview).
DEFAULT_MODEL: Final = "claude-haiku-4-5"
DEEP_KEY: Final = "api_deep"
DEEP_PATH: Final = "/v1/messages"
# Model ids as the API and the cloud providers spell them: claude-haiku-4-5, anthropic.claude-...-v1:0.
MODEL_ID: Final = compiled(r"[A-Za-z0-9][A-Za-z0-9._:@-]{0,99}")
FAMILIES: Final = ("opus", "sonnet", "haiku")
# "Claude Sonnet 4.5", "haiku 3.5", "Opus": a family and, maybe, its version.
_MENTION: Final = compiled(r"\b(opus|sonnet|haiku)\b(?:[ -]?(\d+(?:\.\d+)?))?")


def deep_key(model: str) -> str:
    """The endpoint key of one model's deep check."""
    return f"{DEEP_KEY}:{model}"


def request_body(model: str) -> bytes:
    """The smallest request the API bills: one output token for a one-word prompt."""
    import json  # noqa: PLC0415  # --deep only: ~3 ms that status would pay before its first connection

    doc = {"model": model, "max_tokens": 1, "messages": [{"role": "user", "content": "ping"}]}
    return json.dumps(doc, separators=(",", ":")).encode()


def classify_deep(status_code: int, body: bytes, verdict: Verdict) -> Verdict:
    """Refine the usual verdict of a deep answer into what it says about the key and the model."""
    from outagecheck.checks.classify import Verdict, parse_api_error  # noqa: PLC0415  # run.py imports this module for every command

    kind, message = parse_api_error(body) or ("", "")
    said = f"HTTP {status_code} {kind}: {message[:100]}".rstrip(": ")
    if status_code == 400 and ("credit balance" in message.lower() or kind == "billing_error"):
        # The API answered: it is up, but this key's organisation cannot pay for the fallback.
        return Verdict(Status.OPERATIONAL, "billing_limit", said)
    if status_code == 404 and kind == "not_found_error":
        return Verdict(Status.UNKNOWN, "model_not_found", said)
    if status_code == 529 or kind == "overloaded_error":
        return Verdict(Status.DEGRADED, "overloaded", said)
    if status_code == 403 and kind in ("permission_error", "forbidden"):
        return Verdict(Status.UNKNOWN, "permission", said)
    if status_code == 401 and kind:
        return Verdict(Status.OPERATIONAL, "auth", said)
    return verdict


def _version(parts: list[str], at: int) -> str | None:
    """The version next to a family in a model id: claude-sonnet-4-5 -> 4.5, claude-3-5-haiku -> 3.5."""
    after = [p for p in parts[at + 1 : at + 3] if p.isdigit() and len(p) <= 2]
    before = [p for p in parts[max(at - 2, 0) : at] if p.isdigit() and len(p) <= 2]
    digits = after or before
    return ".".join(digits) if digits else None


def family(model: str) -> tuple[str, str | None] | None:
    """(family, version) of a model id, or None when it names no family we know."""
    parts = re.split(r"[-.:_@ ]", model.lower())
    for at, part in enumerate(parts):
        if part in FAMILIES:
            return part, _version(parts, at)
    return None


def _names(incident: Incident, model: tuple[str, str | None]) -> bool:
    text = " ".join((incident.name, *incident.components)).lower()
    mentions = _MENTION().findall(text)
    fam, version = model
    return any(f == fam and (not v or version is None or v == version) for f, v in mentions)


def filter_incidents(incidents: Sequence[Incident], models: Sequence[str]) -> tuple[Incident, ...]:
    """Keep the incidents that name none of the models' families, and those that name one of `models`."""
    known = [f for f in (family(m) for m in models) if f is not None]
    if len(known) < len(models) or not known:
        return tuple(incidents)  # a model we can't place: every incident may concern it
    kept = []
    for incident in incidents:
        text = " ".join((incident.name, *incident.components)).lower()
        if not _MENTION().search(text) or any(_names(incident, m) for m in known):
            kept.append(incident)
    return tuple(kept)


def narrow(page: StatusPage, models: Sequence[str]) -> StatusPage:
    """--model on a status page, live or replayed: only the incidents about those models (or about none)."""
    return replace(page, incidents=filter_incidents(page.incidents, models)) if models else page
