"""The record of every change outagecheck made, so revert can undo exactly that (TOML, via tomli-w)."""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from outagecheck import paths
from outagecheck.errors import ConfigError, OutagecheckError
from outagecheck.fallback.safefile import atomic_write
from outagecheck.files import JOURNAL_CAP, read_capped

VERSION = 1


@dataclass(frozen=True)
class KeyChange:
    """One key set or unset; values are JSON text so null, tables and strings survive any format."""

    key: str
    value: str | None = None  # JSON text of what was set; None = unset
    previous: str | None = None  # JSON text of what was there; None = absent


@dataclass(frozen=True)
class Entry:
    """One file outagecheck changed."""

    target: str
    path: str
    format: str
    created: bool
    backup: str  # "" when the file did not exist
    written_sha256: str  # "" for a secret file: no trace of the key's bytes anywhere
    applied_at: str
    secret: bool = False
    keys: tuple[KeyChange, ...] = field(default_factory=tuple)


def load(path: Path) -> list[Entry]:
    """Read the journal; a missing file is an empty journal."""
    raw = read_capped(path, JOURNAL_CAP)
    if raw is None:
        return []
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
        return [
            Entry(**{**e, "keys": tuple(KeyChange(**k) for k in e.get("keys", []))}) for e in doc.get("changes", [])
        ]
    except (ValueError, TypeError) as e:
        raise ConfigError(f"{path}: the outagecheck journal is damaged ({e}); fix or remove it") from None


def save(path: Path, entries: list[Entry]) -> None:
    """Write the journal atomically (0600: it names the user's files)."""
    import tomli_w  # noqa: PLC0415  # status reads the journal on every run; only apply and revert write it

    def plain(entry: Entry) -> dict[str, Any]:
        doc = asdict(entry)
        # TOML has no null: an absent value or previous is an absent field.
        doc["keys"] = [{k: v for k, v in key.items() if v is not None} for key in doc["keys"]]
        return doc

    text = tomli_w.dumps({"version": VERSION, "changes": [plain(e) for e in entries]})
    atomic_write(path, text.encode(), mode=0o600)


def outstanding_targets() -> tuple[str, ...]:
    """Targets with a fallback applied and not reverted, for status's reminder; a damaged journal is ()."""
    try:
        return tuple(dict.fromkeys(e.target for e in load(paths.journal_file())))
    except OutagecheckError:
        return ()  # a damaged journal must not stop the triage; `fallback revert` reports it
