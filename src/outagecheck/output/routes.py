"""The routes' results for people (the Routes table) and machines (the `routes` array of --json). Decides nothing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console, RenderableType
from rich.measure import Measurement
from rich.table import Column, Table
from rich.text import Text

from outagecheck.model import ExitCode, Status, worst
from outagecheck.surfaces import RouteResult

ONE_WORD = ("Route", "Kind", "Status")
UNBOUNDED = 100_000  # columns: the table measured as wide as its longest cells, nothing wrapped
EXIT: dict[Status | None, ExitCode] = {
    Status.DOWN: ExitCode.DOWN,
    Status.DEGRADED: ExitCode.DEGRADED,
    Status.UNKNOWN: ExitCode.UNKNOWN,
    Status.OPERATIONAL: ExitCode.OK,
    None: ExitCode.OK,
}


def exit_code(results: Sequence[RouteResult]) -> ExitCode:
    """`routes check`'s exit code, as `status` computes it: the worst route's status."""
    return EXIT[worst(r.status for r in results)]


def route_dict(r: RouteResult, evidence: Any) -> dict[str, Any]:
    """One route in the --json `routes` array (schema v1, additive); `evidence` writes an Evidence as surfaces do."""
    return {
        "name": r.route.name,
        "kind": r.route.kind.value,
        "status": r.status.value,
        "reason": r.reason,
        "detail": r.detail,
        "usable": r.usable,
        "current": r.current,
        "billed_to": r.billed_to,
        "shares_fate_with": list(r.shares_fate_with),
        "status_feed": r.status_feed,
        "feed_incidents": list(r.feed_incidents),
        "priority": r.route.priority,
        "latency_ms": round(r.latency_ms, 1) if r.latency_ms is not None else None,
        "evidence": [evidence(e) for e in r.evidence],
    }


def _label(r: RouteResult) -> Text:
    return Text(r.route.name + (" (now)" if r.current else ""), style="bold" if r.current else "")


def _usable(r: RouteResult) -> Text:
    if r.blocker is None:
        return Text("usable", style="green")
    return Text(r.usable.replace("_", " "), style="yellow")


def _evidence(r: RouteResult) -> str:
    said = r.detail
    if r.feed_incidents:
        said += "; " + "; ".join(r.feed_incidents)
    if r.shares_fate_with:
        said += f"; shares fate with {', '.join(r.shares_fate_with)}"
    return said


def table(results: Sequence[RouteResult], *, evidence: bool = True) -> Table:
    """The Route / Kind / Status / Usable / Who pays [/ Evidence] table; the route Claude Code uses now is marked.
    A cell too narrow for a word folds it onto the next line: nothing is cut to an ellipsis."""
    from outagecheck.output.table import status_text  # noqa: PLC0415  # one status style for both tables

    names = ("Route", "Kind", "Status", "Usable", "Who pays", "Evidence")[: 6 if evidence else 5]
    # Route, Kind and Status are one word each: they keep their width, the phrases beside them wrap.
    grid = Table(*(Column(name, overflow="fold", no_wrap=name in ONE_WORD) for name in names))
    for r in results:
        cells = [_label(r), Text(r.route.kind.value), status_text(r.status), _usable(r), Text(r.billed_to or "-")]
        grid.add_row(*cells, *([Text(_evidence(r))] if evidence else []))
    return grid


def renderables(results: Sequence[RouteResult], console: Console) -> list[RenderableType]:
    """The Routes table for this console's width: Evidence in its column when every row fits on one line;
    else one line per route under the table, which the terminal wraps, so a command or URL in it is never
    broken across cells and stays whole to paste (as the surfaces' incidents and advice are printed)."""
    whole = table(results)
    natural = Measurement.get(console, console.options.update_width(UNBOUNDED), whole).maximum
    if natural <= console.width:
        return [whole]
    lines = [Text(f"  {r.route.name}: {said}") for r in results if (said := _evidence(r))]
    return [table(results, evidence=False), *([Text("Route evidence", style="bold")] if lines else []), *lines]


def print_routes(results: Sequence[RouteResult], console: Console) -> None:
    """The Routes heading and table (nothing when no route is configured)."""
    if not results:
        return
    current = next((r.route.name for r in results if r.current), None)
    heading = "Routes" + (f" (Claude Code uses {current} now)" if current else "")
    console.print(Text(heading, style="bold"))
    for part in renderables(results, console):
        # Soft wrap: rich must not break an evidence line; the terminal wraps it for the eye.
        console.print(part, soft_wrap=isinstance(part, Text))


def document(results: Sequence[RouteResult], checked_at: str, evidence: Any) -> dict[str, Any]:
    """The `routes check --json` document: schema_version 1, the routes as `status --json` has them."""
    return {
        "schema_version": 1,
        "checked_at": checked_at,
        "exit_code": int(exit_code(results)),
        "routes": [route_dict(r, evidence) for r in results],
    }


def to_nagios(results: Sequence[RouteResult]) -> str:
    """One Nagios plugin line (its state, the routes' states; usable ones named) and perfdata."""
    from outagecheck.output.nagios import NAGIOS_STATE  # noqa: PLC0415  # one plugin state per exit code

    code = exit_code(results)
    states = ", ".join(
        f"{r.route.name} {r.status.value}" + ("" if r.blocker is None else f" ({r.usable})") for r in results
    )
    usable = sum(r.blocker is None and r.status in (Status.OPERATIONAL, Status.DEGRADED) for r in results)
    perf = " ".join(f"'{r.route.name}_ms'={r.latency_ms:.0f}ms" for r in results if r.latency_ms is not None)
    return (
        f"ROUTES {NAGIOS_STATE[code]} - {usable} of {len(results)} usable: {states} | usable={usable} {perf}".rstrip()
        + "\n"
    )


def families(results: Sequence[RouteResult]) -> list[str]:
    """The routes' Prometheus metric families, as `status` and `routes check` both write them."""
    from outagecheck.output.prometheus import family  # noqa: PLC0415  # one exposition writer

    ids = [{"route": r.route.name, "kind": r.route.kind.value} for r in results]
    pairs = list(zip(ids, results, strict=True))
    return [
        *family(
            "route_up",
            "1 when the route is operational, else 0.",
            [(i, r.status is Status.OPERATIONAL) for i, r in pairs],
        ),
        *family(
            "route_status",
            "The route's status, one-hot: 1 on the current one.",
            [({**i, "status": st.value}, r.status is st) for i, r in pairs for st in Status],
        ),
        *family(
            "route_usable",
            "1 when nothing blocks the route from this machine; `usable` names the blocker.",
            [({**i, "usable": r.usable}, r.blocker is None) for i, r in pairs],
        ),
        *family("route_current", "1 on the route Claude Code uses now.", [(i, r.current) for i, r in pairs]),
    ]


def to_prometheus(results: Sequence[RouteResult]) -> str:
    """`routes check --format prometheus`: the routes' families and the exit code."""
    from outagecheck.output.prometheus import family  # noqa: PLC0415

    code = family(
        "routes_exit_code", "The worst route: 0 operational, 1 degraded, 2 down, 3 unknown.", [({}, exit_code(results))]
    )
    return "\n".join([*families(results), *code]) + "\n"


def route_from_dict(d: dict[str, Any], evidence: Any) -> RouteResult:
    """A route of a saved report read back (`--replay report.json`); its config fields beyond name, kind
    and priority are not in the document and stay empty."""
    from outagecheck.surfaces import Blocker, Kind, Route  # noqa: PLC0415  # only for a report with routes

    route = Route(str(d["name"]), Kind(d["kind"]), priority=int(d.get("priority", 100)))
    usable = d.get("usable", "ok")
    return RouteResult(
        route,
        Status(d["status"]),
        str(d["reason"]),
        str(d.get("detail", "")),
        None if usable == "ok" else Blocker(usable),
        tuple(evidence(e) for e in d.get("evidence", [])),
        d.get("billed_to"),
        tuple(d.get("shares_fate_with", [])),
        d.get("status_feed"),
        tuple(d.get("feed_incidents", [])),
        bool(d.get("current", False)),
        d.get("latency_ms"),
    )
