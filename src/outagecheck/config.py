"""The outagecheck config: a pure TOML parser, and the one place the file's location is decided."""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

from outagecheck.classes import dataclass
from outagecheck.durations import MAX_CHECK_S, out_of_range
from outagecheck.errors import ConfigError, printable
from outagecheck.files import CONFIG_CAP, read_capped
from outagecheck.paths import user_config_dir
from outagecheck.private import dir_problem, file_problem
from outagecheck.surfaces import RESERVED_IDS
from outagecheck.text import compiled

if TYPE_CHECKING:
    from outagecheck.routes.model import Route

DEFAULT_ENDPOINTS: Final[dict[str, str]] = {
    "claude_ai": "https://claude.ai",
    "platform": "https://platform.claude.com",
    "api": "https://api.anthropic.com",
}
# status.claude.com first; its Statuspage origin serves the same page when the first is unusable.
DEFAULT_STATUS_PAGES: Final = ("https://status.claude.com", "https://anthropic.statuspage.io")
CONFIG_ENV: Final = "OUTAGECHECK_CONFIG"
SURFACE_ID: Final = compiled(r"[a-z0-9][a-z0-9_-]{0,31}")
SURFACE_KEYS: Final = frozenset({"name", "url", "method", "expect", "headers", "impact", "statuspage"})
ENV_REF: Final = compiled(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
CONFIG_FILE: Final = "config.toml"


@dataclass(frozen=True)
class CustomSurface:
    """A `[surfaces.<id>]` table: one more row, probed beside Claude's surfaces."""

    id: str
    name: str
    url: str
    method: str = "GET"
    expect: tuple[int, ...] = ()  # empty: any 2xx
    # Values as written: "${VAR}" is expanded at run time (plan.build_plan), never stored or printed expanded.
    headers: tuple[tuple[str, str], ...] = ()
    impact: str = ""
    statuspage: str | None = None  # another Statuspage v2 base URL
    component: str | None = None  # the component id on that page


@dataclass(frozen=True)
class Config:
    """Effective settings; `source` is the file they came from, None for built-in defaults."""

    endpoints: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_ENDPOINTS))
    status_pages: tuple[str, ...] = DEFAULT_STATUS_PAGES
    timeout: float = 5.0
    slow: float = 3.0
    source: Path | None = None
    # Raw [fallback] table; validated by outagecheck.fallback when a target is used.
    fallback: dict[str, Any] = field(default_factory=dict)
    surfaces: tuple[CustomSurface, ...] = ()
    gateway: bool = True  # a "Gateway (ANTHROPIC_BASE_URL)" row when that points elsewhere
    routes: tuple[Route, ...] = ()  # [[routes]]: the ways to Claude besides the surfaces (routes/config.py)


def config_path(option: Path | None) -> tuple[Path, bool]:
    """Return (path, explicit): where the config is read from, and whether the user named it."""
    # 1. --config PATH
    if option is not None:
        return option, True
    # 2. $OUTAGECHECK_CONFIG
    if env := os.environ.get(CONFIG_ENV):
        return Path(env), True
    # 3. the user config dir; a missing file there means built-in defaults
    return user_config_dir() / CONFIG_FILE, False


def load(option: Path | None = None) -> Config:
    """Read the config from its path; raise ConfigError naming the file when it is unusable."""
    path, explicit = config_path(option)
    # Another user's config could send the key to their endpoint: refused like OpenSSH's StrictModes.
    if problem := (file_problem(path) if explicit else dir_problem(path.parent) or file_problem(path)):
        raise ConfigError(f"{problem} (config file)")
    raw = read_capped(path, CONFIG_CAP)  # a FIFO, a device or a huge file: one line, never a hang
    if raw is None:
        if explicit:
            raise ConfigError(f"{path}: config file not found")
        return Config()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: not UTF-8 text (byte {e.start})") from None
    return replace(_parsed(text, str(path)), source=path)


# The last file parsed: `status` reads its config twice, first while the libraries load (checks/early.py, to
# open its connections) and then for the checks; the same text is parsed once. Config is frozen and parse pure.
_last: tuple[str, str, Config] | None = None


def _parsed(text: str, source: str) -> Config:
    global _last  # one slot: the file a run reads
    if _last is not None and _last[0] == text and _last[1] == source:
        return _last[2]
    cfg = parse(text, source=source)
    _last = (text, source, cfg)
    return cfg


def parse(text: str, *, source: str = "<config>") -> Config:
    """Parse and validate config TOML; pure, raises ConfigError('<source>: what is wrong')."""
    try:
        doc = tomllib.loads(text)
    except ValueError as e:  # TOMLDecodeError, and int() refusing a number of over 4300 digits
        raise ConfigError(f"{source}: invalid TOML: {printable(str(e))}") from None
    except RecursionError:
        raise ConfigError(f"{source}: invalid TOML: nested too deeply") from None
    _only(doc, {"timeout", "slow", "endpoints", "fallback", "surfaces", "gateway", "routes"}, "", source)
    cfg = Config()
    timeout = _seconds(doc, "timeout", cfg.timeout, source)
    slow = _seconds(doc, "slow", cfg.slow, source)
    endpoints = dict(cfg.endpoints)
    pages = cfg.status_pages
    table = doc.get("endpoints", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{source}: 'endpoints' must be a table, like [endpoints]")
    _only(table, {*DEFAULT_ENDPOINTS, "status_page"}, "endpoints.", source)
    for key in DEFAULT_ENDPOINTS:
        if key in table:
            endpoints[key] = _url(table[key], f"endpoints.{key}", source)
    if "status_page" in table:
        value = table["status_page"]
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items:
            raise ConfigError(f"{source}: 'endpoints.status_page' must be a URL or a non-empty list of URLs")
        pages = tuple(_url(v, "endpoints.status_page", source) for v in items)
    fallback = doc.get("fallback", {})
    if not isinstance(fallback, dict):
        raise ConfigError(f"{source}: 'fallback' must be a table, like [fallback]")
    gateway = doc.get("gateway", True)
    if not isinstance(gateway, bool):
        raise ConfigError(f"{source}: 'gateway' must be true or false, not {type(gateway).__name__}")
    surfaces = _surfaces(doc.get("surfaces", {}), source)
    return Config(endpoints, pages, timeout, slow, None, fallback, surfaces, gateway, _routes(doc, source))


def _routes(doc: dict[str, Any], source: str) -> tuple[Route, ...]:
    if "routes" not in doc:
        return ()
    # Lazy: a config without [[routes]] (and `status`) imports nothing of routes/.
    from outagecheck.routes.config import parse_routes  # noqa: PLC0415  # keeps configs without routes import-free

    return parse_routes(doc["routes"], source)


def _surfaces(table: Any, source: str) -> tuple[CustomSurface, ...]:
    if not isinstance(table, dict):
        raise ConfigError(f"{source}: 'surfaces' must hold tables, like [surfaces.my-gateway]")
    return tuple(_surface(sid, spec, source) for sid, spec in table.items())


def _surface(sid: str, spec: Any, source: str) -> CustomSurface:
    where = f"surfaces.{printable(sid)}"
    if not SURFACE_ID().fullmatch(sid):
        raise ConfigError(
            f"{source}: '{where}': an id is 1-32 of a-z, 0-9, '-' and '_', starting with a letter or digit"
        )
    if sid in RESERVED_IDS:
        raise ConfigError(f"{source}: '{where}': '{sid}' is a built-in surface id; choose another")
    if not isinstance(spec, dict):
        raise ConfigError(f"{source}: '{where}' must be a table with at least name and url")
    _only(spec, set(SURFACE_KEYS), where + ".", source)
    for key in ("name", "url"):
        if key not in spec:
            raise ConfigError(f"{source}: '{where}' needs '{key}'")
    name = _text(spec["name"], f"{where}.name", source)
    url = _url(spec["url"], f"{where}.url", source, allow_query=True)
    method = _text(spec.get("method", "GET"), f"{where}.method", source).upper()
    if method not in ("GET", "HEAD"):
        raise ConfigError(f"{source}: '{where}.method' must be GET or HEAD (a check must not change anything)")
    expect = spec.get("expect", [])
    codes = [expect] if isinstance(expect, int) and not isinstance(expect, bool) else expect
    if not isinstance(codes, list) or not all(
        isinstance(c, int) and not isinstance(c, bool) and 100 <= c <= 599 for c in codes
    ):
        raise ConfigError(f"{source}: '{where}.expect' must be a status code or a list of them (100-599)")
    headers = spec.get("headers", {})
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        raise ConfigError(
            f"{source}: '{where}.headers' must be a table of strings, like {{ Authorization = \"Bearer ${{KEY}}\" }}"
        )
    for hname, value in headers.items():
        if not _HEADER_NAME().fullmatch(hname) or "\n" in value or "\r" in value:
            raise ConfigError(f"{source}: '{where}.headers.{printable(hname)}' is not a valid header")
    impact = _text(spec.get("impact", ""), f"{where}.impact", source)
    page = spec.get("statuspage")
    statuspage = component = None
    if page is not None:
        if not isinstance(page, dict) or set(page) != {"url", "component"}:
            raise ConfigError(f'{source}: \'{where}.statuspage\' must be {{ url = "https://...", component = "<id>" }}')
        statuspage = _url(page["url"], f"{where}.statuspage.url", source)
        component = _text(page["component"], f"{where}.statuspage.component", source)
    return CustomSurface(sid, name, url, method, tuple(codes), tuple(headers.items()), impact, statuspage, component)


_HEADER_NAME: Final = compiled(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def _text(value: Any, key: str, source: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{source}: '{key}' must be a string, not {type(value).__name__}")
    return value


def expand(value: str, environ: Mapping[str, str] | None = None) -> tuple[str, list[str]]:
    """Expand ${VAR} references; return the text and the names that are not set."""
    env = os.environ if environ is None else environ
    missing = [m for m in ENV_REF().findall(value) if m not in env]
    return ENV_REF().sub(lambda m: env.get(m.group(1), ""), value), missing


def _only(table: dict[str, Any], allowed: set[str], prefix: str, source: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        known = ", ".join(sorted(allowed))
        raise ConfigError(f"{source}: unknown key '{printable(prefix + unknown[0])}' (known: {known})")


def _seconds(doc: dict[str, Any], key: str, default: float, source: str) -> float:
    value = doc.get(key, default)
    # bool is an int subclass; `timeout = true` is a mistake, not 1 second.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{source}: '{key}' must be a number of seconds, not {type(value).__name__}")
    if not math.isfinite(value) or not 0 < value <= MAX_CHECK_S:
        raise ConfigError(f"{source}: " + out_of_range(f"'{key}'", (0, MAX_CHECK_S), str(value), " seconds"))
    return float(value)


def env_url(name: str, environ: Mapping[str, str]) -> str | None:
    """A base URL from an environment variable (ANTHROPIC_BASE_URL), checked as a config URL is; ConfigError
    naming the variable: a port of 99999 or a line break is exit 78, never a traceback mid-request."""
    value = environ.get(name, "").strip()
    return _url(value, name, "environment", allow_query=True) if value else None


def _url(value: Any, key: str, source: str, *, allow_query: bool = False) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{source}: '{key}' must be a URL string, not {type(value).__name__}")
    if not value.isprintable() or not value.isascii():
        # urlsplit silently drops tabs and line breaks (bpo-43882); httpx refuses them mid-request.
        raise ConfigError(f"{source}: '{key}' holds a control or non-ASCII character (a line break?): {value!r}")
    try:
        parts = urlsplit(value)
    except ValueError as e:  # "Invalid IPv6 URL"
        raise ConfigError(f"{source}: '{key}' is not a valid URL ({e}): {value!r}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{source}: '{key}' must be an http:// or https:// URL, got {value!r}")
    if parts.fragment or (parts.query and not allow_query):
        raise ConfigError(f"{source}: '{key}' must be a base URL without ?query or #fragment, got {value!r}")
    try:
        _ = parts.port  # raises on a port that isn't a number or is out of range
    except ValueError:
        raise ConfigError(f"{source}: '{key}' has an invalid port: {value!r}") from None
    return value if allow_query else value.rstrip("/")
