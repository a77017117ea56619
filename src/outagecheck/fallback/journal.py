"""The record of every change outagecheck made, so revert can undo exactly that (TOML, via tomli-w)."""

from __future__ import annotations

import json
import tomllib
from dataclasses import asdict, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from outagecheck import paths
from outagecheck.classes import dataclass
from outagecheck.errors import ConfigError, OutagecheckError
from outagecheck.files import JOURNAL_CAP, read_capped
from outagecheck.private import dir_problem, file_problem
from outagecheck.safefile import atomic_write

if TYPE_CHECKING:
    from collections.abc import Sequence

    from outagecheck.routes.current import Current
    from outagecheck.surfaces import Route

VERSION = 1
FORMATS: Final = ("json", "toml", "env", "secret", "lines")


class JournalError(ConfigError):
    """The journal cannot be trusted: nothing is changed, and the backups are listed so nothing is lost."""


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
    pending: bool = False  # journaled before its apply finished: a crash left it, the next run rolls it back
    # What the backup held when it was saved; revert restores nothing else. A journal written before these
    # fields existed has "" and -1: its backups are restored unchecked, with a note saying so.
    backup_sha256: str = ""
    backup_size: int = -1
    # The route a `--to ROUTE` apply switched Claude Code to: name, kind, who pays. "" for any other change and
    # for a journal written before these fields existed (the reminder then names no route).
    route: str = ""
    route_kind: str = ""
    billed_to: str = ""
    # What Claude Code used before that switch, as routes/current.py read it: "login" (the subscription), "api"
    # (a key, token or helper to api.anthropic.com) or another route's kind, with the configured route's name
    # when one matched it. "" for any other change and for older journals (the login paths stand for it).
    before: str = ""
    before_route: str = ""


_ENTRY_TYPES: Final[dict[str, type]] = {
    "target": str,
    "path": str,
    "format": str,
    "created": bool,
    "backup": str,
    "written_sha256": str,
    "applied_at": str,
    "secret": bool,
    "pending": bool,
    "backup_sha256": str,
    "backup_size": int,
    "route": str,
    "route_kind": str,
    "billed_to": str,
    "before": str,
    "before_route": str,
}
_ROUTE_FIELDS: Final = ("route", "route_kind", "billed_to", "before", "before_route")
BEFORE_SURFACES: Final = ("login", "api")  # or a route kind (surfaces.Kind)
_REQUIRED: Final = ("target", "path", "format", "created", "backup", "written_sha256", "applied_at")


def _json_text(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{where} must be JSON text, not {type(value).__name__}")
    try:
        json.loads(value)
    except ValueError:
        raise ValueError(f"{where} is not valid JSON text") from None
    return value


def _key(raw: Any, where: str) -> KeyChange:
    if not isinstance(raw, dict):
        raise ValueError(f"{where} must be a table")
    if unknown := set(raw) - {"key", "value", "previous"}:
        raise ValueError(f"{where} has an unknown field '{sorted(unknown)[0]}'")
    if not isinstance(raw.get("key"), str) or not raw["key"]:
        raise ValueError(f"{where}.key must be a non-empty string")
    return KeyChange(
        raw["key"], _json_text(raw.get("value"), f"{where}.value"), _json_text(raw.get("previous"), f"{where}.previous")
    )


def _entry(raw: Any, where: str) -> Entry:
    if not isinstance(raw, dict):
        raise ValueError(f"{where} must be a table")
    if unknown := set(raw) - {*_ENTRY_TYPES, "keys"}:
        raise ValueError(f"{where} has an unknown field '{sorted(unknown)[0]}'")
    for name in _REQUIRED:
        if name not in raw:
            raise ValueError(f"{where} has no '{name}'")
    for name, kind in _ENTRY_TYPES.items():
        if name in raw and type(raw[name]) is not kind:
            raise ValueError(f"{where}.{name} must be a {kind.__name__}, not {raw[name]!r}")
    if raw["format"] not in FORMATS:
        raise ValueError(f"{where}.format '{raw['format']}' is not one of {', '.join(FORMATS)}")
    if not raw["path"] or not Path(raw["path"]).is_absolute():
        raise ValueError(f"{where}.path must be an absolute path")
    if raw["backup"] and not Path(raw["backup"]).is_absolute():
        raise ValueError(f"{where}.backup must be an absolute path or empty")
    for name in ("written_sha256", "backup_sha256"):
        sha = raw.get(name, "")
        if sha and (len(sha) != 64 or set(sha) - set("0123456789abcdef")):
            raise ValueError(f"{where}.{name} is not a SHA-256")
    if bool(raw.get("backup_sha256")) != (raw.get("backup_size", -1) >= 0):
        raise ValueError(f"{where}.backup_sha256 and backup_size come together")
    if raw.get("secret", False) != (raw["format"] == "secret"):
        raise ValueError(f"{where}.secret disagrees with its format")
    if raw.get("route_kind", "") and not raw.get("route", ""):
        raise ValueError(f"{where}.route_kind has no route")
    _check_before(raw, where)
    keys = raw.get("keys", [])
    if not isinstance(keys, list):
        raise ValueError(f"{where}.keys must be an array of tables")
    fields = {k: v for k, v in raw.items() if k != "keys"}
    return Entry(**fields, keys=tuple(_key(k, f"{where}.keys[{i}]") for i, k in enumerate(keys)))


def _check_before(raw: dict[str, Any], where: str) -> None:
    before, name = raw.get("before", ""), raw.get("before_route", "")
    if before and not raw.get("route", ""):
        raise ValueError(f"{where}.before has no route")
    if before and before not in BEFORE_SURFACES and before not in _kinds():
        raise ValueError(f"{where}.before '{before}' is not login, api or a route kind")
    if name and before in ("", *BEFORE_SURFACES):
        raise ValueError(f"{where}.before_route needs a route kind in before")


def _kinds() -> set[str]:
    from outagecheck.surfaces import Kind  # noqa: PLC0415  # only for a journal naming a route before

    return set(Kind)


def parse(text: str) -> list[Entry]:
    """Validate a journal's text; ValueError says what is wrong."""
    if not text.strip():
        raise ValueError("it is empty")
    doc = tomllib.loads(text)
    if unknown := set(doc) - {"version", "changes"}:
        raise ValueError(f"unknown field '{sorted(unknown)[0]}'")
    version = doc.get("version")
    if type(version) is not int or version != VERSION:
        raise ValueError(f"unknown version {version!r} (this outagecheck reads version {VERSION})")
    changes = doc.get("changes", [])
    if not isinstance(changes, list):
        raise ValueError("'changes' must be an array of tables")
    return [_entry(e, f"changes[{i}]") for i, e in enumerate(changes)]


def backups() -> list[Path]:
    """Every backup outagecheck holds, for the message that says the journal can't be trusted."""
    folder = paths.state_dir() / "backups"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def load(path: Path) -> list[Entry]:
    """Read and validate the journal; a missing file is an empty journal, anything odd is JournalError.

    A journal another user could have written (its directory or itself theirs, or writable by others) is
    refused: it names the files revert writes back and the backups it restores from."""
    if problem := dir_problem(path.parent) or file_problem(path):
        raise ConfigError(f"{problem} (outagecheck's journal); nothing changed")
    raw = read_capped(path, JOURNAL_CAP)
    if raw is None:
        return []
    try:
        return parse(raw.decode("utf-8"))
    except (ValueError, TypeError, RecursionError) as e:  # RecursionError: arrays nested ~1000 deep
        kept = ", ".join(str(b) for b in backups()) or "none"
        raise JournalError(
            f"the journal is damaged: {path}: {e}; nothing changed (your originals are in the backups: {kept})"
        ) from None


def save(path: Path, entries: list[Entry]) -> None:
    """Write the journal atomically (0600: it names the user's files)."""
    import tomli_w  # noqa: PLC0415  # status reads the journal on every run; only apply and revert write it

    def plain(entry: Entry) -> dict[str, Any]:
        doc = asdict(entry)
        # TOML has no null: an absent value or previous is an absent field.
        doc["keys"] = [{k: v for k, v in key.items() if v is not None} for key in doc["keys"]]
        if not doc["backup_sha256"]:  # no backup: the entry reads as it always did
            del doc["backup_sha256"], doc["backup_size"]
        for name in _ROUTE_FIELDS:  # no route: the entry reads as it always did
            if not doc[name]:
                del doc[name]
        return doc

    text = tomli_w.dumps({"version": VERSION, "changes": [plain(e) for e in entries]})
    atomic_write(path, text.encode(), mode=0o600)


def before(now: Current, routes: Sequence[Route]) -> tuple[str, str]:
    """What Claude Code uses now (routes/current.resolve), as a `--to` switch journals it (what to go back to):
    ("login", "") for the subscription login (a CLAUDE_CODE_OAUTH_TOKEN is one), ("api", "") for a key, token or
    helper to api.anthropic.com, else (kind, the name of the one configured route matching it, or "")."""
    from outagecheck.routes.current import matches  # noqa: PLC0415  # --to only
    from outagecheck.surfaces import Kind  # noqa: PLC0415  # --to only

    if now.kind is Kind.ANTHROPIC:
        return ("login", "") if now.auth in ("subscription", "oauth_token") else ("api", "")
    found = [r.name for r in routes if matches(r, now.route())]
    return now.kind.value, found[0] if len(found) == 1 else ""


def pending() -> list[Entry]:
    """Every change applied and not yet reverted, oldest first (what revert undoes); a damaged journal raises."""
    return load(paths.journal_file())


def outstanding() -> tuple[tuple[str, ...], ...]:
    """The one reader of the fallbacks left on: (target, applied_at of its oldest change), one per target, oldest
    first; () for none. Status, wait and watch (their reminder and its age), the automatic revert and the status
    line's cache all read it here. A target a `--to ROUTE` apply switched has five more: the latest route's name,
    kind and who pays, then what revert goes back to (what Claude Code used before the target's first change,
    as that change recorded it, and the configured route's name when one matched it; "" when it recorded none:
    older journals, an API-key fallback) — (target, applied_at, route, kind, billed_to, before, before_route).
    Unpack as `target, applied_at, *route`.

    A damaged journal is () here: it must not stop the triage; `fallback revert` reports it.
    """
    try:
        entries = pending()
    except OutagecheckError:
        return ()
    first: dict[str, tuple[str, ...]] = {}
    back_to: dict[str, tuple[str, str]] = {}
    for e in entries:
        if e.target not in first:
            first[e.target] = (e.target, e.applied_at)
            back_to[e.target] = (e.before, e.before_route)  # revert restores what was there before the first
        if e.route:  # the latest switch is the route Claude Code is on
            first[e.target] = (*first[e.target][:2], e.route, e.route_kind, e.billed_to, *back_to[e.target])
    return tuple(first.values())
