"""`outagecheck config show`: the settings in effect, as TOML, and where they came from."""

from __future__ import annotations

import os
import sys
from typing import Any

from outagecheck.cli.parse import Options


def run(opts: Options) -> int:
    """Print the settings in effect, as TOML, and the file they came from."""
    import tomli_w  # noqa: PLC0415  # only `config show` writes TOML

    from outagecheck import config as config_mod  # noqa: PLC0415  # config commands only
    from outagecheck.surfaces import is_gateway  # noqa: PLC0415  # config commands only
    from outagecheck.text import mask_url  # noqa: PLC0415  # config commands only

    cfg = config_mod.load(opts.config)
    path, _ = config_mod.config_path(opts.config)
    source = f"# from {cfg.source}" if cfg.source else f"# built-in defaults ({path} does not exist)"
    base_url = os.environ.get("ANTHROPIC_BASE_URL", "").strip()
    gateway = "adds" if cfg.gateway and is_gateway(base_url) else "does not add"
    doc: dict[str, Any] = {
        "timeout": cfg.timeout,
        "slow": cfg.slow,
        "gateway": cfg.gateway,
        # A URL may carry credentials (`user:pass@`, `?token=`): shown masked, as everywhere.
        "endpoints": {k: mask_url(v) for k, v in cfg.endpoints.items()} | {"status_page": list(cfg.status_pages)},
    }
    if cfg.surfaces:
        doc["surfaces"] = {s.id: _surface(s) for s in cfg.surfaces}
    if cfg.fallback:
        doc["fallback"] = cfg.fallback
    if cfg.routes:
        doc["routes"] = [_route(r) for r in cfg.routes]
    sys.stdout.write(f"{source}\n# ANTHROPIC_BASE_URL {gateway} a gateway row\n{tomli_w.dumps(doc)}")
    return 0


def _surface(s: Any) -> dict[str, Any]:
    from outagecheck.config import ENV_REF  # noqa: PLC0415  # config commands only
    from outagecheck.text import mask_url  # noqa: PLC0415  # config commands only

    table: dict[str, Any] = {"name": s.name, "url": mask_url(s.url), "method": s.method}
    if s.expect:
        table["expect"] = list(s.expect)
    if s.headers:
        # A ${VAR} reference is shown as written; any other value might be a secret and is hidden.
        table["headers"] = {k: v if ENV_REF().fullmatch(v.split(" ")[-1]) else "<hidden>" for k, v in s.headers}
    if s.impact:
        table["impact"] = s.impact
    if s.statuspage:
        table["statuspage"] = {"url": mask_url(s.statuspage), "component": s.component}
    return table


def _route(route: Any) -> dict[str, Any]:
    """A [[routes]] entry as written back: URLs masked, a key command hidden (it may hold the key itself)."""
    from outagecheck.text import mask_url  # noqa: PLC0415  # config commands only

    table: dict[str, Any] = {"name": route.name, "kind": route.kind.value}
    for key in ("region", "profile", "project", "resource", "workspace", "auth_refresh"):
        if (value := getattr(route, key)) is not None:
            table[key] = value
    for key in ("base_url", "status_feed"):
        if (value := getattr(route, key)) is not None:
            table[key] = mask_url(value)
    if route.key_command is not None:
        table["key_command"] = "<hidden>"
    if route.models:
        table["models"] = dict(route.models)
    table["priority"] = route.priority
    return table
