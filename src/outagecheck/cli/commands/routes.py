"""`outagecheck routes`: the configured routes beside the route Claude Code uses now, and where each value
came from. Reads files and the environment only: no network, no secret printed."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from outagecheck.cli.parse import Options

if TYPE_CHECKING:
    from outagecheck.routes.current import Current
    from outagecheck.routes.model import Route
    from outagecheck.routes.settings import SettingsLayer

ROUTES_JSON_VERSION = 1


def run(opts: Options) -> int:
    """List the configured routes and the route Claude Code uses now, with where each value came from."""
    from outagecheck import config as config_file  # noqa: PLC0415  # routes commands only: keeps status light
    from outagecheck.routes import current, settings  # noqa: PLC0415  # routes commands only

    cfg = config_file.load(opts.config)
    layers = settings.settings_layers(settings.working_dir())
    now = current.resolve(settings.environment(os.environ), layers)
    doc = to_dict(now, layers, cfg.routes, cfg.source)
    from outagecheck.errors import redact  # noqa: PLC0415  # routes commands only
    from outagecheck.text import clean  # noqa: PLC0415  # routes commands only

    # A cloned project's .claude/settings.json is someone else's text: one sanitiser before the terminal.
    text = json.dumps(doc, indent=2) + "\n" if opts.json_out else "".join(clean(line) + "\n" for line in _lines(doc))

    try:
        sys.stdout.write(redact(text))
        sys.stdout.flush()
    except (OSError, ValueError) as e:  # /dev/full, a closed stdout (ValueError: I/O on a closed file)
        from outagecheck.errors import OutputError  # noqa: PLC0415  # routes commands only

        raise OutputError(f"cannot write the routes to stdout: {getattr(e, 'strerror', None) or e}") from None
    return 0


def to_dict(
    now: Current, layers: tuple[SettingsLayer, ...], configured: tuple[Route, ...], source: Path | None
) -> dict[str, Any]:
    """The `routes --json` document: version 1 of the shape the README documents."""
    from outagecheck.routes.current import matches  # noqa: PLC0415  # routes commands only

    mine = now.route()
    ordered = sorted(configured, key=lambda r: r.priority)  # stable: config order within a priority
    return {
        "schema_version": ROUTES_JSON_VERSION,
        "current": {
            "kind": now.kind.value,
            "api_provider": now.api_provider,
            "auth": now.auth,
            "host_decides": now.host_decides,
            "apps_gateway": _apps_gateway(now),
            "source": mine.source,
            "values": [{"name": s.name, "value": s.value, "source": s.layer, "path": s.path} for s in now.values],
            "conflicts": list(now.conflicts),
            "notes": list(now.notes),
            "layers": [_layer(layer) for layer in layers],
        },
        "config": None if source is None else str(source),
        "routes": [_route(r, matches(r, mine)) for r in ordered],
    }


def _apps_gateway(now: Current) -> dict[str, Any] | None:
    """The Claude apps gateway managed settings force (it outranks every provider), or None."""
    gateway = now.apps_gateway
    if gateway is None:
        return None
    return {"url": gateway.value if gateway.name == "forceLoginGatewayUrl" else None, "path": gateway.path}


def _layer(layer: SettingsLayer) -> dict[str, Any]:
    found = "unread" if layer.unread else "error" if layer.error else "read" if layer.exists else "absent"
    return {"name": layer.name, "path": layer.path, "state": found, "error": layer.error}


def _route(route: Route, current: bool) -> dict[str, Any]:
    from outagecheck.text import mask_url  # noqa: PLC0415  # routes commands only

    return {
        "name": route.name,
        "kind": route.kind.value,
        "region": route.region,
        "profile": route.profile,
        "project": route.project,
        "resource": route.resource,
        "workspace": route.workspace,
        "base_url": None if route.base_url is None else mask_url(route.base_url),
        "models": dict(route.models),
        "key_command": route.key_command is not None,  # the command may hold a key: only whether there is one
        "auth_refresh": route.auth_refresh,
        "status_feed": None if route.status_feed is None else mask_url(route.status_feed),
        "priority": route.priority,
        "current": current,
    }


def _lines(doc: dict[str, Any]) -> list[str]:
    """The human listing: the current route first, then the configured routes, best first."""
    now = doc["current"]
    auth = {"cloud": "", "subscription": ", subscription login", "token": ", ANTHROPIC_AUTH_TOKEN"}
    auth |= {"key": ", ANTHROPIC_API_KEY", "helper": ", apiKeyHelper", "oauth_token": ", CLAUDE_CODE_OAUTH_TOKEN"}
    source = "nothing selects another route" if now["source"] == "default" else f"from {now['source']}"
    lines = [f"Claude Code now: {now['kind']}{auth[now['auth']]} ({source})"]
    if gateway := now["apps_gateway"]:  # it outranks what the line above reads from the provider settings
        at = f" at {gateway['url']}" if gateway["url"] else ""
        lines = [f"Claude Code now: the Claude apps gateway{at} (forced by managed settings {gateway['path']})"]
    width = max((len(f"{v['name']} = {v['value']}") for v in now["values"]), default=0)
    for value in now["values"]:
        said = f"{value['name']} = {value['value']}"
        where = "environment" if value["path"] is None else f"{value['source']} settings {value['path']}"
        lines.append(f"  {said:<{width}}  {where}")
    lines += [f"  Conflict: {c}" for c in now["conflicts"]]
    lines += [f"  Note: {n}" for n in now["notes"]]
    if not doc["routes"]:
        where = doc["config"] or "the config"
        lines.append(f"No [[routes]] in {where}: add them to check other ways in (README: Other ways to Claude).")
        return lines
    lines.append(f"Routes ({doc['config']}), best first:")
    width = max(len(r["name"]) for r in doc["routes"])
    for r in doc["routes"]:
        lines.append(
            f"  {r['name']:<{width}}  {r['kind']:<13}  {_where(r)}{'  <- Claude Code now' if r['current'] else ''}"
        )
    return lines


def _where(r: dict[str, Any]) -> str:
    parts = [f"{k} {r[k]}" for k in ("region", "profile", "project", "resource", "workspace", "base_url") if r[k]]
    parts += [f"{role} {model}" for role, model in r["models"].items()]
    parts += ["key from a command"] if r["key_command"] else []
    parts.append(f"priority {r['priority']}")
    return ", ".join(parts)
