"""The one line `outagecheck statusline` prints under Claude Code's prompt: pure, from the cache document."""

from __future__ import annotations

from outagecheck.durations import age_text

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~3 ms); mypy reads the name

if TYPE_CHECKING:
    from typing import Any, Final

SYMBOLS: Final = {"operational": "●", "degraded": "▲", "down": "✖", "unknown": "?"}
# Plain ANSI SGR codes: the status line is not a terminal rich could detect, and Claude Code shows them.
COLOURS: Final = {"operational": "32", "degraded": "33", "down": "31", "unknown": "2"}
COLD: Final = "Claude: checking…"


def _mark(status: str, colour: bool) -> str:
    symbol = SYMBOLS.get(status, "?")
    return f"\x1b[{COLOURS.get(status, '2')}m{symbol}\x1b[0m" if colour else symbol


def _login(doc: dict[str, Any], surfaces: list[dict[str, Any]]) -> list[Any]:
    """The surfaces a login needs, as the refresh wrote them (surfaces.LOGIN_SURFACES); every surface for a
    cache written before it did, so the line never says "Claude is back" too early."""
    login = doc.get("login")
    return login if isinstance(login, list) else [s.get("id") for s in surfaces]


def _back(doc: dict[str, Any], surfaces: list[dict[str, Any]], fallbacks: list[dict[str, Any]]) -> str:
    """What is back of what the fallbacks replaced ("Claude" for the login paths, "api", "route NAME"), "" while
    any of it is not: a route switch waits for its own way back (the refresh's `back`), the rest for a login."""
    statuses = {s.get("id"): s.get("status") for s in surfaces}
    statuses |= {f"route:{r.get('name')}": r.get("status") for r in doc.get("routes", []) if isinstance(r, dict)}
    wanted: list[Any] = []
    for f in fallbacks:
        back = f.get("back", _login(doc, surfaces)) if "route" in f else _login(doc, surfaces)
        if not isinstance(back, list):  # a route switch from a route no [[routes]] entry matched: can't tell
            return ""
        wanted += back
    # A login surface missing from the cache counts as back (as before); a route not checked never does.
    if not all(statuses.get(i, "" if str(i).startswith("route:") else "operational") == "operational" for i in wanted):
        return ""
    named = [str(i).replace("route:", "route ") for i in wanted if i not in _login(doc, surfaces)]
    return ", ".join(dict.fromkeys(named)) or "Claude"


def line(doc: dict[str, Any] | None, *, age_s: float, ttl_s: float, now: float, colour: bool) -> str:
    """The status line for a cache document `age_s` old; None (no cache yet) -> 'Claude: checking…'."""
    if doc is None:
        return COLD
    surfaces = [s for s in doc.get("surfaces", []) if isinstance(s, dict)]
    drill = doc.get("replay")
    if surfaces:
        text = (f"Claude (replay of {drill}, nothing checked): " if drill else "Claude: ") + " ".join(
            f"{s.get('id')} {_mark(str(s.get('status')), colour)}" for s in surfaces
        )
    else:
        text = f"Claude: ? (last check failed: {doc.get('error') or 'no surfaces'})"
    fallbacks = [f for f in doc.get("fallback", []) if isinstance(f, dict)]
    if fallbacks:
        since = [f["applied_ts"] for f in fallbacks if isinstance(f.get("applied_ts"), int | float)]
        age = f" {age_text(now - min(since))}" if since else ""
        routes = [str(f["route"]) for f in fallbacks if f.get("route")]
        what = f"on route {routes[0]}" if len(fallbacks) == 1 and routes else "fallback on"
        back = _back(doc, surfaces, fallbacks) if surfaces else ""
        advice = f"{back} is back: outagecheck fallback revert" if back else "revert when back"
        text += f" · {what}{age} — {advice}"
    if age_s > ttl_s:
        text += f" (stale {age_text(age_s)})"
    return text
