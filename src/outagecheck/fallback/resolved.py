"""The proof after `fallback apply claude-code --to ROUTE` writes: the route as Claude Code will resolve it.

Every settings layer as written and the environment are read again (routes/settings.py, the one reader) and
merged as Claude Code merges them (routes/current.py); each value the switch wrote must still win, no other
provider may be on, and the route Claude Code will take from that resolution gets the same free probe as the
proof before (routes/check.py, one deadline), with the credentials that resolution gives it. Anything that
differs is named with the layer it comes from.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Final

from outagecheck.fallback.proof import VERTEX_PROJECT_VARS
from outagecheck.model import Status
from outagecheck.routes import current, settings
from outagecheck.routes.model import SWITCHES, Kind, Route, RouteResult
from outagecheck.text import clean

if TYPE_CHECKING:
    from pathlib import Path

    from outagecheck.fallback.routes_plan import RoutePlan

ANSWERED: Final = (Status.OPERATIONAL, Status.DEGRADED)


@dataclass(frozen=True)
class Resolved:
    """The route Claude Code will take after the write, what differs from the switch, and the probe's env."""

    route: Route
    differences: tuple[str, ...]
    environ: Mapping[str, str] = field(repr=False)  # secret values held here only: never shown


def resolve(plan: RoutePlan, environ: Mapping[str, str], cwd: Path) -> Resolved:
    """Read every layer as written and resolve the route as Claude Code will; name each value that differs."""
    layers = settings.settings_layers(cwd)
    now = current.resolve(settings.environment(environ), layers)
    won = current.winning(environ, layers)
    differences = [*_kind(plan.route, now), *_written(plan, won), *_others(plan.route, won)]
    differences += _auth(plan, now, layers)
    # A settings file's values are text (a cloned project's may hold terminal codes): the one sanitiser.
    said = tuple(clean(line) for line in differences)
    probed = _probe_environ(settings.with_locations(environ, layers), won)  # credential files as Claude Code's
    return Resolved(_route(plan.route, now, won, layers), said, probed)


def _kind(route: Route, now: current.Current) -> list[str]:
    # Not a cloud route: the kind is read from the base URL's host; where it goes is _written()'s to compare.
    if now.kind is route.kind or not (route.kind.cloud or now.kind.cloud):
        return []
    return [f"Claude Code will take {now.kind.value} (from {now.route().source}), not {route.kind.value}"]


def _said(var: str, got: current.Setting | None, wanted: str) -> str:
    want = f'"{current.shown(var, wanted)}"' if wanted else "an empty value (the cancel)"
    if got is None or not got.value:
        return f"{var} is not set after the write (the switch wrote {want})"
    return f'{var} is "{current.shown(var, got.value)}" from {got.where} (the switch wrote {want})'


def _written(plan: RoutePlan, won: Mapping[str, current.Setting]) -> list[str]:
    """Each `env` value the switch wrote must be the one that wins; a cancelled switch must be off."""
    out = []
    for var, value in plan.env.items():
        got = won.get(var)
        have = got.value.strip() if got else ""
        same = not current.truthy(have) if var in SWITCHES.values() and not value else have == value.strip()
        if not same:
            out.append(_said(var, got, value))
    return out


def _others(route: Route, won: Mapping[str, current.Setting]) -> list[str]:
    """Another provider's switch on, or (Vertex) a project variable that outranks the route's project."""
    mine = SWITCHES.get(route.kind)
    out = [
        f'{var} is "{s.value}" from {s.where}: another provider is on'
        for var, s in won.items()
        if var in SWITCHES.values() and var != mine and current.truthy(s.value)
    ]
    if route.kind is Kind.VERTEX and route.project:
        for var in VERTEX_PROJECT_VARS:
            if (s := won.get(var)) is not None and s.value.strip() and s.value.strip() != route.project:
                out.append(f'{var} is "{s.value}" from {s.where}: it outranks the route\'s project {route.project}')
    return out


def _auth(plan: RoutePlan, now: current.Current, layers: tuple[settings.SettingsLayer, ...]) -> list[str]:
    """The route's top-level keys must win, and for a gateway its helper must be the credential used."""
    out = []
    for key, value in plan.top.items():
        layer = next((layer for layer in layers if layer.get(key)), None)
        if layer is None or layer.get(key) != value:
            where = f"{layer.name} settings {layer.path}" if layer else "no settings file"
            out.append(f"{key} after the write comes from {where}, not the switch")
    if "apiKeyHelper" in plan.top and now.auth != "helper" and now.auth in current.AUTH_VARS:
        var = current.AUTH_VARS[now.auth]
        said = now.value(var)
        out.append(f"{var} from {said.where if said else 'the environment'} outranks the route's apiKeyHelper")
    return out


def _route(
    asked: Route,
    now: current.Current,
    won: Mapping[str, current.Setting],
    layers: tuple[settings.SettingsLayer, ...],
) -> Route:
    """The route Claude Code will take, from the winning values (not masked), named as the one asked for."""

    def get(name: str) -> str | None:
        return (won[name].value.strip() or None) if name in won else None

    route = current.route_from(now.kind, get, name=asked.name, source="after the write")
    if now.kind is Kind.VERTEX and (project := next(filter(None, map(get, VERTEX_PROJECT_VARS)), None)):
        route = replace(route, project=project)
    helper = next((layer.api_key_helper for layer in layers if layer.api_key_helper), None)
    if now.auth == "helper" and helper == asked.key_command:
        # Only the route's own command is run: another layer's (a cloned project's) is named by _auth(), not run.
        route = replace(route, key_command=helper)
    return route


def _probe_environ(environ: Mapping[str, str], won: Mapping[str, current.Setting]) -> dict[str, str]:
    """The environment Claude Code's process will have for the route: the winning values, a file's secret
    read from that file (it joins the redaction set), an empty value unset."""
    from outagecheck.errors import keep_secret  # noqa: PLC0415  # after the write only

    env = {k: v for k, v in environ.items() if k not in settings.ROUTE_VARS}
    for var, s in won.items():
        value = s.value
        if var in settings.SECRET_VARS and s.path is not None and value == settings.SECRET_SHOWN:
            value = settings.read_secret(s.path, var) or ""
            keep_secret(values=(value,) if value else ())
        if value.strip():
            env[var] = value
    return env


def probe(found: Resolved, *, timeout_s: float, slow_s: float) -> tuple[RouteResult, float]:
    """The free probe of the route as resolved, with its credentials, under one deadline; and its seconds."""
    from outagecheck.errors import scrub  # noqa: PLC0415  # after the write only
    from outagecheck.routes import check  # noqa: PLC0415  # httpx and the cloud libraries: after the write only
    from outagecheck.text import clean_all  # noqa: PLC0415  # after the write only

    start = time.monotonic()
    # The feed was read by the proof before the write: only the route itself is asked again.
    s = check.Settings(timeout_s, found.environ, slow_s, feeds=False)
    (result,) = scrub(clean_all(check.run((found.route,), s)))
    return result, time.monotonic() - start


def describe(route: Route) -> str:
    """The route in a few words: "bedrock us-east-1 profile acme", "gateway http://gw with apiKeyHelper"."""
    from outagecheck.text import mask_url  # noqa: PLC0415  # after the write only (clean: above)

    parts = [route.kind.value, *([route.region] if route.region else [])]
    for word, value in (("profile", route.profile), ("project", route.project), ("resource", route.resource)):
        parts += [f"{word} {value}"] if value else []
    parts += [f"workspace {route.workspace}"] if route.workspace else []
    parts += [mask_url(route.base_url)] if route.base_url else []
    parts += ["with apiKeyHelper"] if route.key_command else []
    return clean(" ".join(parts))


def summary(result: RouteResult, seconds: float) -> str:
    """The one line the proof after the write prints: what it saw, and how long it took."""
    pins = [e for e in result.evidence if e.endpoint.startswith("count_tokens:")]
    if pins:
        answered = sum(e.status in ANSWERED for e in pins)
        count = f"{answered} of {len(pins)}" if answered != len(pins) else str(answered)
        said = f"{count} pin{'' if len(pins) == 1 else 's'} answered (count_tokens free)"
    else:
        names = [e.endpoint for e in result.evidence if e.status in ANSWERED]
        said = f"{', '.join(names) or 'nothing'} answered (free)"
    return f"After the write: {describe(result.route)}, {said} in {seconds:.2f} s"
