"""Proof that a route will hold, before `fallback apply claude-code --to ROUTE` writes it.

The route's own free probes, credentials and status feed are routes/check.py's (one prober); this module only
says which of their findings refuse the switch. Each is named; `--force` overrides them, labelled "forced".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from outagecheck.model import Status
from outagecheck.routes.model import Blocker, Kind, Route, RouteResult

if TYPE_CHECKING:
    from pathlib import Path

# Vertex: these win over ANTHROPIC_VERTEX_PROJECT_ID (code.claude.com/docs/en/google-vertex-ai).
VERTEX_PROJECT_VARS: Final = ("GCLOUD_PROJECT", "GOOGLE_CLOUD_PROJECT")


@dataclass(frozen=True)
class Proof:
    """What the check before the write found: the route's result and each reason it would not hold."""

    result: RouteResult | None  # None: --no-verify
    problems: tuple[str, ...]  # forceable refusals, each one line

    @property
    def label(self) -> str:
        """How the switch is labelled: verified, unverified (--no-verify) or forced (problems overridden)."""
        if self.result is None:
            return "unverified"
        return "forced" if self.problems else "verified"


def resolve_problems(route: Route, environ: Mapping[str, str]) -> list[str]:
    """What Claude Code would resolve differently from the route: the Vertex project-precedence trap."""
    problems = []
    if route.kind is Kind.VERTEX and route.project:
        for var in VERTEX_PROJECT_VARS:
            if (value := environ.get(var)) and value != route.project:
                problems.append(
                    f"{var}={value} in the environment wins over the route's project {route.project} "
                    "(Claude Code reads it first); unset it or set the route's project to it"
                )
    return problems


def problems_of(result: RouteResult) -> list[str]:
    """Why the checked route is no way around the outage now: each finding in one line."""
    name, out = result.route.name, []
    if result.blocker is Blocker.SHARES_FATE:
        failing = ", ".join(result.shares_fate_with)
        out.append(f"route '{name}' goes down with the failing {failing}: it is no way around it")
    elif result.blocker is not None and result.blocker is not Blocker.QUOTA:  # 429 is degraded, not a refusal
        out.append(f"route '{name}' is not usable: {result.blocker.value}: {result.detail}")
    if result.status in (Status.DOWN, Status.UNKNOWN) and result.blocker is None:
        out.append(f"route '{name}' did not prove up ({result.status.value}): {result.detail}")
    if result.feed_incidents:
        out.append(f"route '{name}' has an open provider incident: {result.feed_incidents[0]}")
    return out


def before(
    route: Route,
    environ: Mapping[str, str],
    *,
    timeout_s: float,
    slow_s: float,
    failing: frozenset[str] = frozenset(),
) -> Proof:
    """Check the route as Claude Code will take it: resolution, credentials, the free probe per pinned model,
    the provider's status feed and shared fate with the failing surfaces."""
    from outagecheck.errors import scrub  # noqa: PLC0415  # only when proving
    from outagecheck.routes import check  # noqa: PLC0415  # httpx and the cloud libraries: only when proving
    from outagecheck.text import clean_all  # noqa: PLC0415  # only when proving

    settings = check.Settings(timeout_s, environ, slow_s, failing=failing)
    # What servers said is remote text: the one sanitiser and the redaction before it reaches a terminal.
    (result,) = scrub(clean_all(check.run((route,), settings)))
    return Proof(result, (*resolve_problems(route, environ), *problems_of(result)))


def skipped() -> Proof:
    """--no-verify: nothing checked, and the switch says so."""
    return Proof(None, ())


# What a route gives up (code.claude.com/docs: amazon-bedrock, llm-gateway; §8.5 of the routes spec).
LOST: Final[dict[Kind, str]] = {
    Kind.BEDROCK: "WebSearch, /logout and Remote Control",
    Kind.MANTLE: "Remote Control",
    Kind.ANTHROPIC_AWS: "Remote Control",
    Kind.VERTEX: "Remote Control",
    Kind.FOUNDRY: "Remote Control",
    Kind.GATEWAY: "WebSearch and the 1-hour prompt cache",
    Kind.OPENROUTER: "WebSearch and the 1-hour prompt cache",
}


def expected(route: Route) -> dict[str, str]:
    """What `claude auth status` says once Claude Code takes the route (observed on 2.1.197, tests/routes)."""
    from outagecheck.routes.current import API_PROVIDER  # noqa: PLC0415  # after the write only

    if route.kind in API_PROVIDER:
        return {"apiProvider": API_PROVIDER[route.kind]}
    return {"apiKeySource": "apiKeyHelper"} if route.key_command else {"apiProvider": "firstParty"}


def after(route: Route, said: Mapping[str, object] | None) -> str | None:
    """None when Claude Code reports the route (or could not be asked); else what it reported instead."""
    if said is None:
        return None
    wrong = {k: said.get(k) for k, v in expected(route).items() if said.get(k) != v}
    return ", ".join(f"{k} {v!s}" for k, v in wrong.items()) or None


def overriding_layers(route: Route, cwd: Path) -> str:
    """Which settings layer (or the host) turns another provider on after the write: named for the refusal."""
    from outagecheck.routes.current import HOST_VAR, truthy  # noqa: PLC0415
    from outagecheck.routes.model import SWITCHES  # noqa: PLC0415
    from outagecheck.routes.settings import settings_layers  # noqa: PLC0415

    mine = SWITCHES.get(route.kind)
    for layer in settings_layers(cwd):
        on = [var for var, value in layer.env if var in SWITCHES.values() and var != mine and truthy(value)]
        if on or layer.unread:
            return f"{layer.name} settings {layer.path}" + (f" ({on[0]})" if on else "")
    return f"the host ({HOST_VAR}) or a setting outagecheck can't read"


def choose(
    routes: tuple[Route, ...],
    environ: Mapping[str, str],
    *,
    timeout_s: float,
    slow_s: float,
    failing: frozenset[str] = frozenset(),
) -> tuple[list[tuple[RouteResult, tuple[str, ...]]], RouteResult | None]:
    """`--to auto`: every route checked at once and ranked (usable without shared fate, operational over
    degraded, the user's priority, latency); each with its problems, and the first with none (or None)."""
    from outagecheck.errors import scrub  # noqa: PLC0415  # only when proving
    from outagecheck.routes import check  # noqa: PLC0415  # httpx and the cloud libraries: only when proving
    from outagecheck.routes.rank import best_first  # noqa: PLC0415
    from outagecheck.text import clean_all  # noqa: PLC0415

    candidates = tuple(r for r in routes if r.kind is not Kind.ANTHROPIC)  # the API is `--to api`
    settings = check.Settings(timeout_s, environ, slow_s, failing=failing)
    results = best_first(scrub(clean_all(check.run(candidates, settings))))
    ranked = [(r, (*resolve_problems(r.route, environ), *problems_of(r))) for r in results]
    return ranked, next((r for r, problems in ranked if not problems), None)
