"""Every service's OpenAPI document states the conventions: problem+json errors, headers never null."""

from __future__ import annotations

import importlib

import pytest

APPS = {
    "rank": ("services.rank.main", "services.rank.settings", "RankSettings"),
    "appraisal": ("services.appraisal.main", "services.appraisal.settings", "AppraisalSettings"),
    "petitions": ("services.petitions.main", "services.petitions.settings", "PetitionsSettings"),
    "tolerance": ("services.tolerance.main", "services.tolerance.settings", "ToleranceSettings"),
}


@pytest.mark.parametrize("service", APPS)
def test_every_operation_documents_problem_json_and_headers_as_strings(service):
    main, settings_module, settings_cls = APPS[service]
    settings = getattr(importlib.import_module(settings_module), settings_cls)(_env_file=None, environment="test")
    document = importlib.import_module(main).create_app(settings).openapi()
    operations = [op for item in document["paths"].values() for op in item.values()]
    assert operations
    for operation in operations:
        responses = operation["responses"]
        assert list(responses["default"]["content"]) == ["application/problem+json"], operation["operationId"]
        for status, response in responses.items():
            if status[0] in "45":
                assert list(response["content"]) == ["application/problem+json"], (operation["operationId"], status)
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "header":
                assert {"type": "null"} not in parameter["schema"].get("anyOf", []), parameter["name"]
    assert "HTTPValidationError" not in document["components"]["schemas"]
    assert document["components"]["schemas"]["Problem"]["required"] == ["type", "title", "status"]
