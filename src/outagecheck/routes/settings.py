"""Claude Code's settings layers, read as Claude Code reads them: the one reader of its settings files.

Highest first: managed (an OS policy — the macOS MDM plist, Windows HKLM — else managed-settings.json and its
drop-in folder, else Windows HKCU: the first source found wins, code.claude.com/docs/en/managed-settings), then
the project's local `.claude/settings.local.json`, the project's `.claude/settings.json`, and the user's
`~/.claude/settings.json` (or `$CLAUDE_CONFIG_DIR/settings.json`). `--settings` is per session: not read here.

outagecheck never reads its *own* config from the current directory unless it is named; the project files
here are Claude Code's, which Claude Code reads there, so reading them to report what Claude Code will do is
right. Nothing here is a secret's value: a key or token in an `env` block is kept as SECRET_SHOWN.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from outagecheck import paths
from outagecheck.errors import OutagecheckError
from outagecheck.files import SETTINGS_CAP, read_capped
from outagecheck.routes.model import SWITCHES

SECRET_VARS: Final = frozenset(
    {
        "ANTHROPIC_API_KEY",
        "ANTHROPIC_AUTH_TOKEN",
        "CLAUDE_CODE_OAUTH_TOKEN",
        "ANTHROPIC_FOUNDRY_API_KEY",
        "ANTHROPIC_FOUNDRY_AUTH_TOKEN",
        "ANTHROPIC_AWS_API_KEY",
        "AWS_BEARER_TOKEN_BEDROCK",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
    }
)
SECRET_SHOWN: Final = "<set>"
# The env variables that choose the route, where it goes and how it authenticates (env-vars, amazon-bedrock,
# google-vertex-ai, microsoft-foundry, claude-platform-on-aws, llm-gateway pages of code.claude.com/docs).
ROUTE_VARS: Final = (
    *SWITCHES.values(),
    "ANTHROPIC_BASE_URL",
    "ANTHROPIC_BEDROCK_BASE_URL",
    "ANTHROPIC_BEDROCK_MANTLE_BASE_URL",
    "ANTHROPIC_AWS_BASE_URL",
    "ANTHROPIC_VERTEX_BASE_URL",
    "ANTHROPIC_FOUNDRY_BASE_URL",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_PROFILE",
    "ANTHROPIC_AWS_WORKSPACE_ID",
    "CLOUD_ML_REGION",
    "ANTHROPIC_VERTEX_PROJECT_ID",
    "GOOGLE_CLOUD_PROJECT",
    "GCLOUD_PROJECT",
    "ANTHROPIC_FOUNDRY_RESOURCE",
    "ANTHROPIC_DEFAULT_OPUS_MODEL",
    "ANTHROPIC_DEFAULT_SONNET_MODEL",
    "ANTHROPIC_DEFAULT_HAIKU_MODEL",
    "ANTHROPIC_MODEL",
    *sorted(SECRET_VARS),
)
# Where the cloud libraries find their credentials. Not route variables (the host does not strip them, the
# routes table does not show them), but a settings `env` block may set them, and then Claude Code's process and
# its credential lookup get them: the proofs of a switch look for credentials where Claude Code will.
CREDENTIAL_LOCATIONS: Final = (
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "CLOUDSDK_CONFIG",
)
# Top-level keys that choose or feed the route (settings-reference, "Authentication and providers";
# forceLoginGatewayUrl: code.claude.com/docs/en/claude-apps-gateway, "Connect developers").
ROUTE_KEYS: Final = (
    "apiKeyHelper",
    "awsAuthRefresh",
    "awsCredentialExport",
    "gcpAuthRefresh",
    "forceLoginMethod",
    "forceLoginGatewayUrl",
)
LAYER_ORDER: Final = ("managed", "local", "project", "user")  # highest first (code.claude.com settings docs)
Decode = Callable[[bytes], Any]


@dataclass(frozen=True)
class SettingsLayer:
    """One settings source: its route variables (secrets as SECRET_SHOWN) and route keys, or why unreadable."""

    name: str  # "managed", "local", "project", "user"
    path: str  # a file, or a registry value ("HKLM\\SOFTWARE\\Policies\\ClaudeCode\\Settings")
    exists: bool
    error: str | None = None
    env: tuple[tuple[str, str], ...] = ()  # (variable, value) in ROUTE_VARS order
    keys: tuple[tuple[str, str], ...] = ()  # (top-level key, value) in ROUTE_KEYS order
    locations: tuple[tuple[str, str], ...] = ()  # (variable, value) in CREDENTIAL_LOCATIONS order
    unread: bool = False  # a policy outagecheck can't read on this platform (a macOS plist): it is there, that's all

    def get(self, key: str) -> str | None:
        return dict(self.keys).get(key)

    @property
    def api_key_helper(self) -> str | None:
        return self.get("apiKeyHelper") or None

    @property
    def force_login_method(self) -> str | None:
        return self.get("forceLoginMethod")

    @property
    def apps_gateway(self) -> bool:
        """This layer forces the Claude apps gateway sign-in (forceLoginMethod "gateway", or its URL)."""
        return self.force_login_method == "gateway" or bool(self.get("forceLoginGatewayUrl"))

    @property
    def env_keys(self) -> tuple[str, ...]:
        """The route variables this layer's env block names (set to anything, "" included)."""
        return tuple(name for name, _ in self.env)


def decode_json(raw: bytes) -> Any:
    """JSON as strict as JavaScript's JSON.parse (no NaN, no Infinity); too deep is a ValueError."""
    text = raw.decode("utf-8")
    if not text.strip():
        return {}

    def refuse(name: str) -> Any:
        raise ValueError(f"{name} is not JSON (Claude Code's JSON.parse rejects it)")

    try:
        return json.loads(text, parse_constant=refuse)
    except RecursionError:
        raise ValueError("nested too deeply") from None


def layer_of(name: str, path: str, doc: Any) -> SettingsLayer:
    """A layer from a decoded settings document: only strings count, as Claude Code's schema has them."""
    if not isinstance(doc, dict):
        return SettingsLayer(name, path, True, error="not a JSON object")
    env = doc.get("env")
    if not isinstance(env, dict):
        env = {}
    found = tuple(
        (var, SECRET_SHOWN if var in SECRET_VARS and env[var] else env[var])
        for var in ROUTE_VARS
        if isinstance(env.get(var), str)
    )
    keys = tuple((key, doc[key]) for key in ROUTE_KEYS if isinstance(doc.get(key), str))
    locations = tuple((var, env[var]) for var in CREDENTIAL_LOCATIONS if isinstance(env.get(var), str))
    return SettingsLayer(name, path, True, env=found, keys=keys, locations=locations)


def read_layer(name: str, path: Path, decode: Decode = decode_json) -> SettingsLayer:
    """Read one settings file; absent is `exists=False`, unreadable or invalid is an `error`, never a raise."""
    try:
        raw = read_capped(path, SETTINGS_CAP)  # never blocks on a FIFO; a device or a huge file is refused
    except OutagecheckError as e:
        return SettingsLayer(name, str(path), True, error=f"cannot read: {e}")
    if raw is None:
        return SettingsLayer(name, str(path), False)
    try:
        doc = decode(raw)
    except UnicodeDecodeError as e:
        return SettingsLayer(name, str(path), True, error=f"cannot read: {e}")
    except ValueError as e:
        return SettingsLayer(name, str(path), True, error=f"invalid JSON: {e}")
    return layer_of(name, str(path), doc)


def _same_file(a: Path, b: Path) -> bool:
    """os.path.realpath, unlike Path.resolve() on 3.11, never raises on a symlink loop."""
    return os.path.realpath(a) == os.path.realpath(b)


def managed_layers(decode: Decode = decode_json) -> tuple[SettingsLayer, ...]:
    """The managed source Claude Code uses, highest first: the first of OS policy, file (+ drop-ins), HKCU."""
    policies = not os.environ.get(paths.MANAGED_ENV)  # the override names the one managed source to read
    if policies and sys.platform == "darwin":
        user = os.environ.get("USER") or Path.home().name
        for plist in paths.managed_plists(user):
            if plist.exists():  # an MDM profile: it wins over the file; its binary plist is not read here
                return (SettingsLayer("managed", str(plist), True, unread=True),)
    if policies and sys.platform == "win32" and (hklm := _registry("HKLM")) is not None:
        return (hklm,)
    base = read_layer("managed", paths.managed_settings(), decode)
    dropins = tuple(read_layer("managed", p, decode) for p in reversed(_dropin_files(paths.managed_dropins())))
    found = tuple(layer for layer in (*dropins, base) if layer.exists)
    if policies and not found and sys.platform == "win32" and (hkcu := _registry("HKCU")) is not None:
        return (hkcu,)
    return found or (base,)


def _dropin_files(folder: Path) -> list[Path]:
    """managed-settings.d/*.json in name order (later wins), hidden files skipped (systemd drop-in style)."""
    try:
        names = sorted(entry.name for entry in os.scandir(folder) if entry.name.endswith(".json"))
    except OSError:
        return []
    return [folder / name for name in names if not name.startswith(".")]


def _registry(hive: str) -> SettingsLayer | None:
    """The JSON of HKLM/HKCU\\SOFTWARE\\Policies\\ClaudeCode, value Settings (REG_SZ); None when absent."""
    import winreg  # noqa: PLC0415  # Windows only, and only when the managed layer is read

    where = f"{hive}\\SOFTWARE\\Policies\\ClaudeCode\\Settings"
    root = winreg.HKEY_LOCAL_MACHINE if hive == "HKLM" else winreg.HKEY_CURRENT_USER  # type: ignore[attr-defined]  # Windows-only names
    try:
        with winreg.OpenKey(root, "SOFTWARE\\Policies\\ClaudeCode") as key:  # type: ignore[attr-defined]  # Windows-only
            value, _ = winreg.QueryValueEx(key, "Settings")  # type: ignore[attr-defined]  # Windows-only
    except OSError:
        return None
    try:
        return layer_of("managed", where, decode_json(str(value).encode()))
    except ValueError as e:
        return SettingsLayer("managed", where, True, error=f"invalid JSON: {e}")


def read_secret(path: str, var: str) -> str | None:
    """A secret's value in one settings file's `env` (SettingsLayer holds only SECRET_SHOWN), for the probe
    after a switch, which must send what Claude Code will send; never shown. None when absent or unreadable."""
    try:
        raw = read_capped(Path(path), SETTINGS_CAP)
        doc = decode_json(raw or b"")
    except (OutagecheckError, UnicodeDecodeError, ValueError):
        return None
    env = doc.get("env") if isinstance(doc, dict) else None
    value = env.get(var) if isinstance(env, dict) else None
    return value if isinstance(value, str) else None


NO_CWD: Final = "(the current directory no longer exists)"


def settings_layers(cwd: Path | None, decode: Decode = decode_json) -> tuple[SettingsLayer, ...]:
    """Every layer Claude Code reads in `cwd`, highest first; a project file that is the user file counts once.
    `cwd` None: the current directory was deleted, so there is no project to read (nor for Claude Code)."""
    user = paths.user_settings()
    project: tuple[SettingsLayer, ...] = (
        SettingsLayer("local", NO_CWD, False),
        SettingsLayer("project", NO_CWD, False),
    )
    if cwd is not None:
        files = ((name, paths.project_settings(cwd, local=name == "local")) for name in ("local", "project"))
        # Run from $HOME, the "project" .claude/settings.json is the user file itself.
        project = tuple(
            read_layer(name, path, decode) if not _same_file(path, user) else SettingsLayer(name, str(path), False)
            for name, path in files
        )
    return (*managed_layers(decode), *project, read_layer("user", user, decode))


def working_dir() -> Path | None:
    """The current directory, or None when it was deleted under us (Path.cwd() raises then)."""
    try:
        return Path.cwd()
    except OSError:
        return None


def environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The route variables of the process environment, secrets as SECRET_SHOWN (set and non-empty)."""
    return {
        var: (SECRET_SHOWN if var in SECRET_VARS and environ[var] else environ[var])
        for var in (*ROUTE_VARS, "CLAUDE_CODE_PROVIDER_MANAGED_BY_HOST")
        if var in environ
    }


def with_locations(environ: Mapping[str, str], layers: tuple[SettingsLayer, ...]) -> dict[str, str]:
    """`environ` with the credential locations the settings layers set (CREDENTIAL_LOCATIONS), as Claude Code's
    process gets them: every layer from the lowest up, each over the shell, as any settings `env` value is."""
    merged = dict(environ)
    for layer in reversed(layers):  # highest first in `layers`: the lowest is applied first, the highest last
        merged.update(layer.locations)
    return merged
