"""The providers' status feeds, read from real captures (tests/fixtures/feeds/SOURCES.md), narrowed to a route."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from outagecheck.routes import feeds
from outagecheck.routes.model import Kind, Route

FIXTURES = Path(__file__).parent.parent / "fixtures" / "feeds"
BEDROCK_US = Route("b", Kind.BEDROCK, region="us-east-1")
BEDROCK_UAE = Route("b", Kind.BEDROCK, region="me-central-1")
VERTEX_GLOBAL = Route("v", Kind.VERTEX, region="global", project="acme-ai")
VERTEX_EU = Route("v", Kind.VERTEX, region="europe-west4", project="acme-ai")
FOUNDRY = Route("f", Kind.FOUNDRY, resource="acme")


def _aws() -> bytes:
    return (FIXTURES / "aws-currentevents.json").read_bytes()


def _aws_in_us_east_1() -> bytes:
    """The captured event, moved to us-east-1 and to Bedrock: the real shape, the case the capture lacks."""
    (event,) = json.loads(_aws().decode("utf-16"))
    event["arn"] = event["arn"].replace("me-central-1", "us-east-1")
    event["service"], event["service_name"] = "bedrock-us-east-1", "Amazon Bedrock"
    event["impacted_services"] = {"bedrock-us-east-1": {"service_name": "Amazon Bedrock", "current": "3", "max": "3"}}
    return json.dumps([event]).encode("utf-16")


def test_the_aws_capture_is_utf16_with_a_bom_and_decodes() -> None:
    assert _aws()[:2] == b"\xff\xfe"
    assert feeds.decode(_aws()).startswith("[")


def test_aws_events_count_only_in_the_routes_region() -> None:
    # The capture's region-wide event in the UAE stayed open for months: it must not mark us-east-1.
    assert feeds.read(BEDROCK_US, feeds.AWS_FEED, _aws()).incidents == ()
    (seen,) = feeds.read(BEDROCK_UAE, feeds.AWS_FEED, _aws()).incidents
    assert seen == "AWS Health: Multiple services (me-central-1): Increased Error Rates"


def test_a_bedrock_event_in_the_routes_region_is_an_incident_of_the_route() -> None:
    (seen,) = feeds.read(BEDROCK_US, feeds.AWS_FEED, _aws_in_us_east_1()).incidents
    assert seen.startswith("AWS Health: Amazon Bedrock (us-east-1)")
    assert feeds.read(BEDROCK_UAE, feeds.AWS_FEED, _aws_in_us_east_1()).incidents == ()


def test_an_empty_aws_feed_is_no_incident() -> None:
    assert feeds.read(BEDROCK_US, feeds.AWS_FEED, "[]".encode("utf-16")) == feeds.Reading(feeds.AWS_FEED)


def _gcp() -> list[dict[str, object]]:
    doc: list[dict[str, object]] = json.loads((FIXTURES / "gcp-incidents.json").read_text())
    return doc


def test_gcp_counts_open_incidents_of_a_vertex_product_only() -> None:
    body = (FIXTURES / "gcp-incidents.json").read_bytes()
    # The open incident is global but on network products; the Vertex one is resolved (end set).
    assert feeds.read(VERTEX_GLOBAL, feeds.GCP_FEED, body).incidents == ()


def test_gcp_vertex_incident_counts_where_it_is_now_and_globally() -> None:
    incidents = _gcp()
    vertex = dict(incidents[1], end=None, currently_affected_locations=[{"title": "Netherlands", "id": "europe-west4"}])
    body = json.dumps([incidents[0], vertex]).encode()
    (seen,) = feeds.read(VERTEX_EU, feeds.GCP_FEED, body).incidents
    assert seen == (
        "Google Cloud: Vertex Gemini API customers experienced elevated error rates in europe-west4"
        " (service disruption)"
    )
    assert feeds.read(Route("v", Kind.VERTEX, region="us-east5"), feeds.GCP_FEED, body).incidents == ()
    everywhere = dict(vertex, currently_affected_locations=[{"title": "Global", "id": "global"}])
    assert feeds.read(
        Route("v", Kind.VERTEX, region="us-east5"), feeds.GCP_FEED, json.dumps([everywhere]).encode()
    ).incidents


def test_azure_empty_feed_and_an_item_naming_foundry() -> None:
    empty = (FIXTURES / "azure-feed-empty.xml").read_bytes()
    assert feeds.read(FOUNDRY, feeds.AZURE_FEED, empty).incidents == ()
    item = (FIXTURES / "azure-feed-20260723.xml").read_bytes()
    assert feeds.read(FOUNDRY, feeds.AZURE_FEED, item).incidents == (
        "Azure status: Issues connecting to resources in West US (the feed gives no severity)",
    )
    other = item.replace(b"<category>Azure AI Foundry</category>", b"")
    assert feeds.read(FOUNDRY, feeds.AZURE_FEED, other).incidents == ()


@pytest.mark.parametrize(
    ("route", "body"),
    [
        pytest.param(BEDROCK_US, b"<html>Access denied</html>", id="aws-html-from-a-proxy"),
        pytest.param(VERTEX_GLOBAL, b'{"not": "a list"}', id="gcp-not-a-list-is-no-incident"),
        pytest.param(FOUNDRY, b"<rss><channel><item>", id="azure-truncated-xml"),
        pytest.param(BEDROCK_US, b"\xff\xfe\x00\xd8", id="aws-broken-utf16"),
    ],
)
def test_an_unreadable_feed_gives_no_signal_never_an_exception(route: Route, body: bytes) -> None:
    reading = feeds.read(route, "https://feed.example", body)
    assert reading.incidents == ()
    assert reading.usable is (body == b'{"not": "a list"}')


def test_status_feed_overrides_the_providers_url_and_non_cloud_kinds_have_none() -> None:
    assert feeds.feed_url(BEDROCK_US) == feeds.AWS_FEED
    assert feeds.feed_url(Route("b", Kind.BEDROCK, status_feed="http://127.0.0.1:9/aws")) == "http://127.0.0.1:9/aws"
    assert feeds.feed_url(Route("g", Kind.GATEWAY, base_url="https://gw.example")) is None
