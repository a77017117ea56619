"""Is it my token or is Claude down? Offline shape checks of the credentials Claude clients read (pure).

A wrapped or truncated paste of a token looks like an outage from the outside
(https://github.com/anthropics/claude-code-action/issues/1613). Messages name the variable and what
is wrong with it, never the value or any part of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, NamedTuple

from outagecheck.text import compiled


class Shape(NamedTuple):
    """What a well-formed value of one variable looks like; None: no rule for that part."""

    prefix: str | None
    length: int | None
    what: str


# Current shapes. An API key is `sk-ant-api03-`, 93 URL-safe base64 characters and `AA`: 108 in all
# (gitleaks' rule `anthropic-api-key`, `sk-ant-api03-[a-zA-Z0-9_\-]{93}AA`, which other secret scanners
# reuse); an Admin API key is `sk-ant-admin01-` with the same body (gitleaks' `anthropic-admin-api-key`).
# `claude setup-token` prints an `sk-ant-oat01-` token of the same length (108; a wrapped paste of one
# is anthropics/claude-code-action#1613). A gateway's ANTHROPIC_AUTH_TOKEN can be anything.
SHAPES: Final = {
    "ANTHROPIC_API_KEY": Shape("sk-ant-api", 108, "an Anthropic API key"),
    "CLAUDE_CODE_OAUTH_TOKEN": Shape("sk-ant-oat", 108, "a Claude Code OAuth token (claude setup-token)"),
    "ANTHROPIC_AUTH_TOKEN": Shape(None, None, "a bearer token"),
}
TOKEN_CHARS: Final = compiled(r"[A-Za-z0-9_\-]+")


def check(name: str, value: str) -> str | None:
    """One line saying what is wrong with the variable's value, or None when it looks right."""
    shape = SHAPES[name]
    if not value.strip():
        return f"{name} is set but empty"
    if "\n" in value.strip() or "\r" in value.strip():
        return f"{name} contains a line break: a wrapped paste? Set it again on one line"
    if any(c.isspace() for c in value.strip()):
        return f"{name} contains a space: a paste of more than the {shape.what}?"
    if value != value.strip():
        return f"{name} has leading or trailing whitespace; some clients send it as is"
    if shape.prefix is None:
        return None
    if name == "ANTHROPIC_API_KEY" and value.startswith("sk-ant-oat"):
        return f"{name} holds a Claude Code OAuth token, not an API key: use CLAUDE_CODE_OAUTH_TOKEN for it"
    if name == "ANTHROPIC_API_KEY" and value.startswith("sk-ant-admin"):
        return f"{name} holds an Admin API key, which manages the organisation and can't send messages"
    if name == "CLAUDE_CODE_OAUTH_TOKEN" and value.startswith("sk-ant-api"):
        return f"{name} holds an API key, not an OAuth token: use ANTHROPIC_API_KEY for it"
    if not value.startswith(shape.prefix):
        return f"{name} does not start like {shape.what} ({shape.prefix}...)"
    if not TOKEN_CHARS().fullmatch(value):
        return f"{name} contains characters {shape.what} never has (quotes? a copied ellipsis?)"
    if shape.length is not None and len(value) < shape.length:
        return f"{name} looks truncated ({len(value)} characters; expected {shape.length})"
    if shape.length is not None and len(value) > shape.length:
        return f"{name} is longer than {shape.what} ({len(value)} characters; expected {shape.length})"
    return None


def notes(environ: Mapping[str, str]) -> tuple[str, ...]:
    """A note for each credential variable that is set and looks wrong."""
    found = (check(name, environ[name]) for name in SHAPES if name in environ)
    return tuple(n for n in found if n is not None)
