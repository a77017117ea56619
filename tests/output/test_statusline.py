"""The status line's text: symbols, colour, the fallback reminder with its age, the stale mark."""

from __future__ import annotations

from typing import Any

import pytest

from outagecheck.durations import age_text
from outagecheck.output.statusline import COLD, line

NOW = 1_800_000_000.0


def doc(*statuses: tuple[str, str], fallback: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "version": 1,
        "checked_at": "2026-03-02T12:30:00Z",
        "surfaces": [{"id": i, "status": s} for i, s in statuses],
        "fallback": fallback or [],
    }


MARCH = doc(("web", "down"), ("code", "down"), ("api", "operational"))


def test_a_cold_cache_says_checking() -> None:
    assert line(None, age_s=0, ttl_s=60, now=NOW, colour=False) == COLD == "Claude: checking…"


def test_a_warm_cache_shows_one_symbol_per_surface() -> None:
    text = line(doc(("web", "operational"), ("code", "degraded"), ("api", "down"), ("gateway", "unknown")),
                age_s=10, ttl_s=60, now=NOW, colour=False)  # fmt: skip
    assert text == "Claude: web ● code ▲ api ✖ gateway ?"


def test_a_drill_says_so_on_the_line() -> None:
    text = line(MARCH | {"replay": "march-2026"}, age_s=10, ttl_s=60, now=NOW, colour=False)
    assert text == "Claude (replay of march-2026, nothing checked): web ✖ code ✖ api ●"


def test_colour_wraps_only_the_symbol() -> None:
    text = line(MARCH, age_s=10, ttl_s=60, now=NOW, colour=True)
    assert text == "Claude: web \x1b[31m✖\x1b[0m code \x1b[31m✖\x1b[0m api \x1b[32m●\x1b[0m"


def test_a_stale_cache_is_marked_with_its_age() -> None:
    assert line(MARCH, age_s=300, ttl_s=60, now=NOW, colour=False) == "Claude: web ✖ code ✖ api ● (stale 5m)"
    assert "stale" not in line(MARCH, age_s=60, ttl_s=60, now=NOW, colour=False)


def test_an_outstanding_fallback_shows_its_age_until_the_login_surfaces_are_back() -> None:
    fallback = [{"target": "claude-code", "applied_at": "...", "applied_ts": NOW - 2 * 3600 - 5}]
    down = doc(("web", "down"), ("code", "down"), ("api", "operational"), fallback=fallback)
    assert line(down, age_s=1, ttl_s=60, now=NOW, colour=False) == (
        "Claude: web ✖ code ✖ api ● · fallback on 2h — revert when back"
    )
    back = doc(("web", "operational"), ("code", "operational"), ("api", "operational"), fallback=fallback)
    assert line(back, age_s=1, ttl_s=60, now=NOW, colour=False).endswith(
        "· fallback on 2h — Claude is back: outagecheck fallback revert"
    )


def test_the_login_surfaces_come_from_the_cache_and_an_older_cache_waits_for_every_surface() -> None:
    fallback = [{"target": "claude-code", "applied_at": "...", "applied_ts": NOW - 60}]
    api_down = doc(("web", "operational"), ("code", "operational"), ("api", "down"), fallback=fallback)
    # The refresh names the surfaces a login needs: those back, the fallback (the API route) can go.
    fresh = line(api_down | {"login": ["web", "code"]}, age_s=1, ttl_s=60, now=NOW, colour=False)
    assert fresh.endswith("— Claude is back: outagecheck fallback revert")
    # A cache written before it did: "back" only once every surface is.
    assert line(api_down, age_s=1, ttl_s=60, now=NOW, colour=False).endswith("— revert when back")


def test_a_failed_refresh_says_so() -> None:
    failed = {"version": 1, "surfaces": [], "fallback": [], "error": "status exited 78"}
    assert line(failed, age_s=1, ttl_s=60, now=NOW, colour=False) == "Claude: ? (last check failed: status exited 78)"


@pytest.mark.parametrize(
    ("seconds", "text"), [(0, "0s"), (59.9, "59s"), (60, "1m"), (3599, "59m"), (7200, "2h"), (3 * 86400, "3d")]
)
def test_age_text(seconds: float, text: str) -> None:
    assert age_text(seconds) == text


@pytest.mark.parametrize(
    ("back", "routes", "said"),
    [
        pytest.param(["api"], [], "on route east 1m — api is back: outagecheck fallback revert", id="api-back"),
        pytest.param(["web", "code"], [], "on route east 1m — revert when back", id="login-still-down"),
        pytest.param(
            ["route:west"],
            [{"name": "west", "status": "operational"}],
            "on route east 1m — route west is back: outagecheck fallback revert",
            id="route-back",
        ),
        pytest.param(
            ["route:west"], [{"name": "west", "status": "down"}], "on route east 1m — revert when back", id="route-down"
        ),
        pytest.param(["route:west"], [], "on route east 1m — revert when back", id="route-not-checked"),
        pytest.param(None, [], "on route east 1m — revert when back", id="cannot-tell"),
    ],
)
def test_a_route_switch_names_its_route_and_waits_for_what_it_replaced(
    back: list[str] | None, routes: list[dict[str, str]], said: str
) -> None:
    fallback = [{"target": "claude-code", "applied_at": "...", "applied_ts": NOW - 60, "route": "east", "back": back}]
    cached = doc(("web", "down"), ("code", "down"), ("api", "operational"), fallback=fallback) | {
        "routes": routes,
        "login": ["web", "code"],
    }
    assert line(cached, age_s=1, ttl_s=60, now=NOW, colour=False) == f"Claude: web ✖ code ✖ api ● · {said}"
