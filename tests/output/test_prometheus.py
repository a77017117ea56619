"""--format prometheus: the text exposition format 0.0.4, read back with prometheus_client's own parser."""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample
from typer.testing import CliRunner

from outagecheck.checks.replay import load_replay, replay_report
from outagecheck.model import Evidence, Replay, Report, Status
from outagecheck.output.prometheus import surface_reason, to_prometheus
from tests.helpers import invoke

FAMILIES = {
    "outagecheck_surface_up": {"surface"},
    "outagecheck_surface_required": {"surface"},
    "outagecheck_surface_status": {"surface", "status"},
    "outagecheck_surface_reason_info": {"surface", "service", "reason"},
    "outagecheck_probe_duration_seconds": {"endpoint", "url"},
    "outagecheck_probe_http_status": {"endpoint", "url"},
    "outagecheck_probe_answered_by_info": {"endpoint", "url", "answered_by", "product"},
    "outagecheck_status_page_up": set(),
    "outagecheck_status_page_component_status": {"surface", "component", "status"},
    "outagecheck_open_incidents": set(),
    "outagecheck_exit_code": set(),
    "outagecheck_fallback_available": set(),
    "outagecheck_fallback_outstanding": set(),
    "outagecheck_local_network": set(),
    "outagecheck_checked_at_seconds": set(),
    "outagecheck_replay": set(),
}


def scenario(name: str, outstanding: tuple[str, ...] = ()) -> Report:
    doc, where = load_replay(name)
    return replay_report(doc, where, (), outstanding)


def parse(text: str) -> dict[str, list[Sample]]:
    samples: dict[str, list[Sample]] = defaultdict(list)
    for family in text_string_to_metric_families(text):
        assert family.type == "gauge", family.name
        assert family.documentation, family.name
        for sample in family.samples:
            assert sample.timestamp is None  # no timestamps: the textfile collector refuses them
            samples[sample.name].append(sample)
    return samples


def value(samples: list[Sample], **labels: str) -> float:
    [match] = [s.value for s in samples if all(s.labels.get(k) == v for k, v in labels.items())]
    return match


def test_march_metrics_have_every_name_and_label() -> None:
    text = to_prometheus(scenario("march-2026", outstanding=("claude-code",)))
    samples = parse(text)
    assert set(samples) == set(FAMILIES)
    for name, labels in FAMILIES.items():
        for sample in samples[name]:
            assert set(sample.labels) == labels, name
    up = samples["outagecheck_surface_up"]
    assert {s.labels["surface"]: s.value for s in up} == {"web": 0, "code": 0, "api": 1}
    status = samples["outagecheck_surface_status"]
    for surface in ("web", "code", "api"):
        one_hot = {s.labels["status"]: s.value for s in status if s.labels["surface"] == surface}
        assert set(one_hot) == {s.value for s in Status}
        assert sum(one_hot.values()) == 1
    assert value(status, surface="web", status="down") == 1
    assert value(status, surface="api", status="operational") == 1
    reasons = {s.labels["surface"]: s.labels["reason"] for s in samples["outagecheck_surface_reason_info"]}
    assert reasons == {"web": "http_5xx", "code": "http_5xx", "api": "ok"}
    http = samples["outagecheck_probe_http_status"]
    assert value(http, endpoint="web") == 500
    assert value(http, endpoint="api_hello") == 200  # one series although two surfaces use it
    assert value(http, endpoint="status_page") == 200
    assert value(samples["outagecheck_probe_duration_seconds"], endpoint="web") == pytest.approx(0.1)
    components = samples["outagecheck_status_page_component_status"]
    assert value(components, surface="web", component="claude.ai", status="major_outage") == 1
    assert value(components, surface="web", component="claude.ai", status="operational") == 0
    assert value(samples["outagecheck_exit_code"]) == 2
    assert value(samples["outagecheck_fallback_available"]) == 1
    assert value(samples["outagecheck_fallback_outstanding"]) == 1
    assert value(samples["outagecheck_open_incidents"]) == 1
    assert value(samples["outagecheck_checked_at_seconds"]) == 1772454600  # 2026-03-02T12:30:00Z
    assert value(samples["outagecheck_replay"]) == 0  # built from the scenario directly: no drill mark


def test_a_replay_is_marked_by_a_gauge_and_an_info_metric() -> None:
    samples = parse(to_prometheus(replace(scenario("march-2026"), replay=Replay("march-2026", "env"))))
    assert value(samples["outagecheck_replay"]) == 1
    [info] = samples["outagecheck_replay_info"]
    assert (info.labels, info.value) == ({"name": "march-2026", "source": "env"}, 1)


def test_labels_are_escaped() -> None:
    report = scenario("all-operational")
    odd = 'Team "gw"\\ line\nnext'
    web = replace(report.surfaces[0], service=odd, official_components=((odd, "exploded"),))
    samples = parse(to_prometheus(replace(report, surfaces=(web, *report.surfaces[1:]))))
    info = samples["outagecheck_surface_reason_info"]
    assert value(info, surface="web")
    assert [s.labels["service"] for s in info if s.labels["surface"] == "web"] == [odd]
    # A state Statuspage does not document gets its own series, beside the known ones.
    assert value(samples["outagecheck_status_page_component_status"], component=odd, status="exploded") == 1


BY_REASON = {"ok": Status.OPERATIONAL, "web_filter": Status.UNKNOWN}


@pytest.mark.parametrize(
    ("evidence", "probe", "official", "status", "reason"),
    [
        pytest.param((), None, None, Status.UNKNOWN, "no_evidence", id="nothing"),
        pytest.param((), None, Status.DOWN, Status.DOWN, "status_page", id="page-only"),
        pytest.param(("ok",), Status.OPERATIONAL, Status.DOWN, Status.DOWN, "status_page", id="page-is-worse"),
        pytest.param(("ok", "timeout"), Status.DOWN, None, Status.DOWN, "timeout", id="worst-probe"),
        # A web filter answered /v1/models: the row is unknown because of it, not because of the page (which
        # says operational).
        pytest.param(
            ("ok", "web_filter"), Status.OPERATIONAL, Status.OPERATIONAL, Status.UNKNOWN, "web_filter", id="filter"
        ),
    ],
)
def test_surface_reason(
    evidence: tuple[str, ...], probe: Status | None, official: Status | None, status: Status, reason: str
) -> None:
    seen = tuple(Evidence(f"e{n}", "u", BY_REASON.get(r, Status.DOWN), r, "") for n, r in enumerate(evidence))
    surface = replace(scenario("all-operational").surfaces[0], evidence=seen, probe_status=probe)
    surface = replace(surface, official_status=official, status=status)
    assert surface_reason(surface) == reason


def test_output_file_is_replaced_whole(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "textfile" / "outagecheck.prom"
    target.parent.mkdir()
    target.write_text("stale\n")
    result = invoke(runner, "status", "--replay", "march-2026", "--format", "prometheus", "--output", str(target))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert target.read_text() == to_prometheus(replace(scenario("march-2026"), replay=Replay("march-2026", "option")))
    assert [p.name for p in target.parent.iterdir()] == ["outagecheck.prom"]  # no temp file left behind


def test_output_needs_a_machine_format(runner: CliRunner, tmp_path: Path) -> None:
    result = invoke(runner, "status", "--replay", "march-2026", "--output", str(tmp_path / "x"))
    assert result.exit_code == 64
    assert "--output needs" in result.stderr


def test_output_that_cannot_be_written_is_73(runner: CliRunner, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = invoke(runner, "status", "--replay", "march-2026", "-f", "prometheus", "-o", str(blocker / "x.prom"))
    assert result.exit_code == 73
    assert result.stderr.startswith("outagecheck: error: ")


def test_prometheus_output_loads_neither_rich_nor_httpx() -> None:
    code = (
        "import sys; sys.argv = ['outagecheck', 'status', '--replay', 'march-2026', '--format', 'prometheus']\n"
        "from outagecheck.cli.app import app\n"
        "code = app(prog_name='outagecheck', standalone_mode=False)\n"
        "print(code, sorted(m for m in ('rich', 'httpx') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60).stdout
    assert out.splitlines()[-1] == "2 []"
    parse("\n".join(out.splitlines()[:-1]) + "\n")


def test_who_answered_is_named() -> None:
    report = scenario("all-operational")
    web = report.surfaces[0]
    blocked = replace(web.evidence[0], status=Status.UNKNOWN, reason="web_filter", answered_by="web_filter")
    web = replace(web, evidence=(replace(blocked, product="Zscaler"),), status=Status.UNKNOWN)
    samples = parse(to_prometheus(replace(report, surfaces=(web, *report.surfaces[1:]))))
    info = samples["outagecheck_probe_answered_by_info"]
    assert value(info, endpoint="web", answered_by="web_filter", product="Zscaler") == 1
    assert value(info, endpoint="api_hello", answered_by="service", product="") == 1
