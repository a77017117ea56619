"""`outagecheck config`: write a commented starter config, show the effective settings and their source."""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any

import typer

from outagecheck.cli.options import ConfigOpt
from outagecheck.errors import ConfigError, WriteError

config_app = typer.Typer(help="Create the config file, or show the settings in effect.", no_args_is_help=True)

STARTER = """\
# outagecheck configuration. Every key is optional; the values shown are the defaults.
# Docs: the "Configuration" section of the README. Check it with: outagecheck config show

# timeout = 5      # deadline of one check, in seconds (--timeout overrides)
# slow = 3         # an answer slower than this is degraded (--slow overrides)
# gateway = true   # add a "Gateway (ANTHROPIC_BASE_URL)" row when that points at a non-Anthropic host

# [endpoints]      # base URLs; http:// is allowed for local gateways and tests
# claude_ai = "https://claude.ai"
# platform = "https://platform.claude.com"
# api = "https://api.anthropic.com"
# status_page = ["https://status.claude.com", "https://anthropic.statuspage.io"]

# Your own services, as extra rows (usable with --require ID):
# [surfaces.litellm]
# name = "LiteLLM gateway"
# url = "https://llm.example.internal/health/liveliness"
# method = "GET"                                         # or HEAD
# expect = [200]                                         # default: any 2xx
# headers = { Authorization = "Bearer ${LITELLM_KEY}" }  # ${VAR} is read at run time, never printed
# impact = "Team gateway down: call the API directly"
# statuspage = { url = "https://status.example.com", component = "abc123" }

# Your own config files to switch to the raw API (outagecheck fallback apply NAME):
# [[fallback.targets]]
# name = "my-tool"
# path = "~/.config/my-tool/config.toml"
# set = { "llm.base_url" = "https://api.anthropic.com" }

# Other ways to Claude, listed by `outagecheck routes` (README: "Other ways to Claude"):
# [[routes]]
# name = "bedrock-us"
# kind = "bedrock"                 # or anthropic, mantle, anthropic-aws, vertex, foundry, gateway, openrouter
# region = "us-east-1"
# profile = "claude-bedrock"       # AWS_PROFILE
# models = { haiku = "us.anthropic.claude-haiku-4-5-20251001-v1:0" }
# priority = 10                    # the smaller first
"""


@config_app.command("init")
def init(
    config: ConfigOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> int:
    """Write a commented starter config (refuses to overwrite without --force)."""
    # The config module loads only for the config commands: --help and status stay light.
    from outagecheck import config as config_mod  # noqa: PLC0415
    from outagecheck import safefile  # noqa: PLC0415
    from outagecheck.private import make_dir  # noqa: PLC0415

    path, explicit = config_mod.config_path(config)
    if path.exists() and not force:
        raise WriteError(f"{path} already exists; pass --force to overwrite it")
    if not explicit and (problem := make_dir(path.parent)):  # ~/.config/outagecheck: 0700, under any umask
        raise ConfigError(f"{problem} (config file)")
    safefile.atomic_write(path, STARTER.encode(), mode=0o600)  # 0600 like every file of outagecheck's own
    sys.stdout.write(f"wrote {path}\n")
    return 0


@config_app.command("show")
def show(config: ConfigOpt = None) -> int:
    """Print the settings in effect, as TOML, and the file they came from."""
    import tomli_w  # noqa: PLC0415  # only `config show` writes TOML

    from outagecheck import config as config_mod  # noqa: PLC0415  # config commands only
    from outagecheck.surfaces import is_gateway  # noqa: PLC0415  # config commands only
    from outagecheck.text import mask_url  # noqa: PLC0415  # config commands only

    cfg = config_mod.load(config)
    path, _ = config_mod.config_path(config)
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
        table["headers"] = {k: v if ENV_REF.fullmatch(v.split(" ")[-1]) else "<hidden>" for k, v in s.headers}
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
