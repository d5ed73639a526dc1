"""The merged OpenAPI document: the services' own schemas and operation ids, one error convention."""

from __future__ import annotations

import httpx

from gateway.openapi import merge
from gateway.routing import OWNERS


def service_doc(service: str, paths: dict, schemas: dict) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": service, "version": "1"},
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {"HTTPBearer": {"type": "http", "scheme": "bearer"}}},
    }


def op(op_id: str, ref: str) -> dict:
    return {
        "get": {
            "operationId": op_id,
            "responses": {
                "200": {
                    "description": "ok",
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
                },
                "422": {
                    "description": "Validation Error",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}}},
                },
            },
        }
    }


OWN = {
    "openapi": "3.1.0",
    "info": {"title": "Youwei API", "version": "1"},
    "paths": {"/api/v1/cadres/{cadre_id}/dossier": op("dossier-get_dossier", "DossierRead")},
    "components": {
        "schemas": {
            "DossierRead": {
                "type": "object",
                "properties": {"cadre": {"anyOf": [{"type": "object"}, {"type": "null"}]}},
            },
            "DossierParts": {
                "type": "object",
                "properties": {s: {"description": s} for s in ("rank", "appraisal", "petitions", "tolerance")},
            },
        }
    },
}


def test_services_contribute_their_owned_paths_with_their_own_schemas():
    rank = service_doc(
        "rank",
        {
            "/api/v1/cadres/{cadre_id}": op("cadres-get_cadre", "CadreRead"),
            "/api/v1/dossier-parts/rank/{cadre_id}": op("dossier-parts-get_part", "RankPart"),
            "/api/v1/assessments": op("assessments-sneaky", "CadreRead"),
        },
        {
            "CadreRead": {"type": "object", "title": "CadreRead"},
            "RankPart": {"type": "object"},
            "Created": {"type": "object", "properties": {"id": {"type": "string"}}},
        },
    )
    appraisal = service_doc(
        "appraisal",
        {
            "/api/v1/assessments": op("assessments-list", "Created"),
        },
        {"Created": {"type": "object", "properties": {"id": {"type": "integer"}}}},
    )
    merged = merge(OWN, {"rank": rank, "appraisal": appraisal})
    paths = merged["paths"]
    assert set(paths) == {"/api/v1/cadres/{cadre_id}/dossier", "/api/v1/cadres/{cadre_id}", "/api/v1/assessments"}
    assert paths["/api/v1/assessments"]["get"]["operationId"] == "assessments-list"
    assert paths["/api/v1/assessments"]["get"]["x-service"] == "appraisal"
    # The clashing schema keeps its name for the first service and is prefixed for the second.
    schemas = merged["components"]["schemas"]
    assert schemas["Created"]["properties"]["id"]["type"] == "string"
    assert schemas["appraisal.Created"]["properties"]["id"]["type"] == "integer"
    ok = paths["/api/v1/assessments"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/appraisal.Created"}
    # The dossier points at rank's own part and register schemas.
    assert schemas["DossierParts"]["properties"]["rank"]["anyOf"][0] == {"$ref": "#/components/schemas/RankPart"}
    assert schemas["DossierRead"]["properties"]["cadre"]["anyOf"][0] == {"$ref": "#/components/schemas/CadreRead"}


def test_every_error_is_documented_as_problem_json():
    merged = merge(OWN, {})
    for item in merged["paths"].values():
        for operation in item.values():
            responses = operation["responses"]
            assert "application/problem+json" in responses["default"]["content"]
            assert list(responses["422"]["content"]) == ["application/problem+json"]
    assert "HTTPValidationError" not in merged["components"]["schemas"]


def test_operation_ids_stay_unique():
    rank = service_doc("rank", {"/api/v1/cadres": op("dossier-get_dossier", "X")}, {"X": {"type": "object"}})
    merged = merge(OWN, {"rank": rank})
    ids = [o["operationId"] for i in merged["paths"].values() for o in i.values()]
    assert sorted(ids) == ["dossier-get_dossier", "rank-dossier-get_dossier"]


async def test_the_gateway_serves_the_merged_document_and_lists_missing_services(mock_gateway, fakes):
    fakes.handlers["rank"] = lambda request: httpx.Response(
        200,
        json=service_doc(
            "rank", {"/api/v1/org-units": op("org-units-list_org_units", "Page")}, {"Page": {"type": "object"}}
        ),
    )
    async with mock_gateway() as gw:
        document = (await gw.get("/openapi.json")).json()
        docs = await gw.get("/docs")
    assert "/api/v1/org-units" in document["paths"] and "/api/v1/events/feed" in document["paths"]
    assert document["info"]["x-missing-services"] == ["appraisal", "petitions", "tolerance"]
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


async def test_production_serves_neither_the_document_nor_the_docs_page(gateway_settings, fakes, test_auth):
    from gateway.main import create_app
    from kernel.testing.helpers import running

    settings = gateway_settings(environment="production")
    async with running(create_app(settings, upstreams=fakes.upstreams(1024))) as gw:
        for path in ("/openapi.json", "/docs", "/redoc"):
            response = await gw.get(path, headers=test_auth.headers("org_admin", unit="city"))
            assert response.status_code == 404, path
    assert all(not calls for calls in fakes.requests.values())


def test_the_ownership_table_is_the_merge_filter():
    assert OWNERS["cadres"] == "rank" and "dossier-parts" not in OWNERS


def test_optional_headers_are_documented_as_strings_not_null():
    rank = service_doc(
        "rank",
        {
            "/api/v1/cadres": {
                "post": {
                    "operationId": "cadres-register",
                    "parameters": [
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "required": False,
                            "schema": {"anyOf": [{"type": "string", "minLength": 8}, {"type": "null"}], "title": "Key"},
                        },
                        {"name": "limit", "in": "query", "schema": {"anyOf": [{"type": "integer"}, {"type": "null"}]}},
                    ],
                    "responses": {"201": {"description": "ok"}},
                }
            }
        },
        {},
    )
    parameters = merge(OWN, {"rank": rank})["paths"]["/api/v1/cadres"]["post"]["parameters"]
    assert parameters[0]["schema"] == {"type": "string", "minLength": 8, "title": "Key"}
    assert parameters[1]["schema"] == {"anyOf": [{"type": "integer"}, {"type": "null"}]}
