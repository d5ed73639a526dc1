"""Route ownership and path safety: every owned segment reaches its service; nothing climbs out of /api/v1."""

from __future__ import annotations

import pytest

from gateway.routing import OWNERS, NotRoutable, resolve


def test_every_segment_of_the_ownership_table_routes_to_its_owner():
    expected = {
        "rank": {
            "org-units",
            "cadres",
            "ladders",
            "points-schemes",
            "quotas",
            "eligibility",
            "promotion-batches",
            "contracts",
            "development-track",
        },
        "appraisal": {
            "performance-records",
            "assessments",
            "assessment-years",
            "regular-assessments",
            "accountability-index",
            "inaction-items",
            "inaction-findings",
            "self-checks",
            "talks",
            "awards",
            "bonus-allocations",
            "incentive-coverage",
        },
        "petitions": {"reports", "public", "statements", "false-accusations", "clarifications", "appeals", "deadlines"},
        "tolerance": {
            "incidents",
            "tolerance-cases",
            "sanctions",
            "restrictions",
            "investigations",
            "reinstatements",
            "sanction-catalogue",
        },
    }
    assert {s: {k for k, v in OWNERS.items() if v == s} for s in expected} == expected
    for service, segments in expected.items():
        for segment in segments:
            route = resolve(f"/api/v1/{segment}/x-1")
            assert (route.service, route.path) == (service, f"/api/v1/{segment}/x-1")


def test_only_the_public_segment_is_anonymous():
    assert resolve("/api/v1/public/reports").public
    assert not resolve("/api/v1/reports/1").public


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/../admin",
        "/api/v1/cadres/../../admin",
        "/api/v1/cadres/%2e%2e/%2e%2e/admin",
        "/api/v1/%2E%2E/x",
        "/api/v1/cadres/%252e%252e/x",
        "/api/v1/cadres/a%2fb",
        "/api/v1/cadres/a%5cb",
        "/api/v1/cadres/./x",
        "/api/v1/cadres//x",
        "/api/v1/cadres/",
        "/api/v1/",
        "/api/v1",
        "/api/v2/cadres",
        "/admin",
        "/api/v1/cadres/%00",
        "/api/v1/cadres/a%0d%0aX-Injected:1",
        "/api/v1/cadres/%ff",
        "/api/v1/dossier-parts/rank/1",
        "/api/v1/dashboard-parts/rank",
        "/api/v1/unknown/1",
        "/api/v1/%63adres/1/../../x",
    ],
)
def test_traversal_and_unknown_paths_are_not_routable(path):
    with pytest.raises(NotRoutable):
        resolve(path)


def test_segments_are_decoded_once_and_encoded_again():
    assert resolve("/api/v1/%63adres/%E6%9D%8E").path == "/api/v1/cadres/%E6%9D%8E"
    assert resolve("/api/v1/cadres/a b").path == "/api/v1/cadres/a%20b"
