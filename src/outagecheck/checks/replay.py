"""Saved reports and bundled scenarios for --replay (outage drills): no network, so no httpx."""

from __future__ import annotations

import json
from dataclasses import replace
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from outagecheck.checks.advice import advise, key_flags
from outagecheck.checks.deep import narrow
from outagecheck.checks.run import REPLAY_ENV as REPLAY_ENV  # re-exported: its one definition is there
from outagecheck.checks.run import replay_source as replay_source  # the same
from outagecheck.errors import ConfigError, UsageError
from outagecheck.files import REPLAY_CAP, read_capped
from outagecheck.model import Report
from outagecheck.output.json import NotAReport, from_dict
from outagecheck.surfaces import OWN_IDS, ROUTE_REQUIRED


def _bundled() -> Traversable:
    return resources.files("outagecheck.checks").joinpath("scenarios")


def scenarios() -> dict[str, str]:
    """Bundled scenarios: name -> one-line description."""
    found = {}
    for item in sorted(_bundled().iterdir(), key=lambda p: p.name):
        if item.name.endswith(".json"):
            doc = json.loads(item.read_text(encoding="utf-8"))
            found[item.name.removesuffix(".json")] = str(doc.get("scenario", {}).get("description", ""))
    return found


def load_replay(source: str) -> tuple[dict[str, Any], str]:
    """Read a saved --json report, or a bundled scenario by name; return (document, where)."""
    if source in scenarios():
        item = _bundled() / f"{source}.json"
        return json.loads(item.read_text(encoding="utf-8")), f"scenario {source}"
    path = Path(source)
    raw = read_capped(path, REPLAY_CAP)  # a FIFO, a device or a huge file: one line, never a hang
    if raw is None:
        names = ", ".join(scenarios())
        raise UsageError(f"--replay {source}: no such file, and not a bundled scenario ({names})")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: cannot read the report: not UTF-8 text (byte {e.start})") from None
    try:
        doc = json.loads(text)
    except ValueError as e:
        raise ConfigError(f"{path}: not a JSON report: {e}") from None
    except RecursionError:
        raise ConfigError(f"{path}: not a JSON report: nested too deeply") from None
    return doc, str(path)


def replay_report(
    doc: Any, where: str, required: tuple[str, ...], outstanding: tuple[str, ...] = (), *, models: tuple[str, ...] = ()
) -> Report:
    """Rebuild a Report from a saved --json document; the advice is worked out again, as a live run would,
    and `models` (--model) narrows the open incidents as on a live check."""
    try:
        saved = from_dict(doc)
    except NotAReport as e:
        raise ConfigError(f"{where}: not an outagecheck --json report ({e})") from None
    by_id = {s.id: s for s in saved.surfaces}
    missing = set(OWN_IDS) - set(by_id)
    if missing:
        raise ConfigError(f"{where}: not an outagecheck --json report (ValueError: no '{sorted(missing)[0]}' surface)")
    have = [*by_id, *(ROUTE_REQUIRED + r.route.name for r in saved.routes)]
    unknown = [r for r in required if r not in have]
    if unknown:
        raise UsageError(f"unknown surface '{unknown[0]}' for --require (the report has {', '.join(have)})")
    saved = replace(saved, status_page=narrow(saved.status_page, models))
    evidence = {e.endpoint: e for s in saved.surfaces for e in s.evidence}
    key = key_flags(evidence)
    advice = advise(by_id, key, incidents=saved.status_page.incidents, outstanding=outstanding)
    return replace(saved, required=required or tuple(by_id), advice=advice, fallback_outstanding=outstanding)
