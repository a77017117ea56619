"""`outagecheck config init`: write a commented starter config."""

from __future__ import annotations

import sys

from outagecheck.cli.parse import Options
from outagecheck.errors import ConfigError, WriteError

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


def run(opts: Options) -> int:
    """Write a commented starter config (refuses to overwrite without --force)."""
    # The config module loads only for the config commands: --help and status stay light.
    from outagecheck import config as config_mod  # noqa: PLC0415
    from outagecheck import safefile  # noqa: PLC0415
    from outagecheck.private import make_dir  # noqa: PLC0415

    path, explicit = config_mod.config_path(opts.config)
    if path.exists() and not opts.force:
        raise WriteError(f"{path} already exists; pass --force to overwrite it")
    if not explicit and (problem := make_dir(path.parent)):  # ~/.config/outagecheck: 0700, under any umask
        raise ConfigError(f"{problem} (config file)")
    safefile.atomic_write(path, STARTER.encode(), mode=0o600)  # 0600 like every file of outagecheck's own
    sys.stdout.write(f"wrote {path}\n")
    return 0
