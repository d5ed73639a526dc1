"""The conventions every OpenAPI document states (the services' and the gateway's merged one).

Every error is an RFC 9457 problem (kernel.web), so each operation documents problem+json for its error answers
and as its default answer, instead of FastAPI's application/json HTTPValidationError. An optional header is
absent or a string, never JSON null (FastAPI documents `str | None` headers as nullable).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI

REF = "#/components/schemas/"
PROBLEM_JSON = "application/problem+json"
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Problem",
    "description": "RFC 9457 problem details; `errors` lists invalid fields, `field` names a bad header or parameter",
    "properties": {
        "type": {
            "type": "string",
            "description": "URI naming the kind of problem, the same for every problem of "
            "its kind (e.g. https://youwei.example/problems/validation)",
        },
        "title": {
            "type": "string",
            "description": "short summary of the HTTP status (e.g. Not found, or 未找到 "
            "when Accept-Language asks for zh-CN)",
        },
        "status": {"type": "integer", "description": "the HTTP status code of the answer (e.g. 422)"},
        "detail": {
            "type": "string",
            "description": "what went wrong in this request, for a person to read (in "
            "Chinese when Accept-Language asks for zh-CN)",
        },
        "instance": {
            "type": "string",
            "description": "this request's id as a URN (urn:request:<X-Request-ID>), to "
            "quote when reporting the problem",
        },
        "errors": {
            "type": "array",
            "items": {"type": "object"},
            "description": "one entry per invalid input (field, in, message, code); only on 400 and 422 "
            "answers to a request that failed validation",
        },
    },
    "required": ["type", "title", "status"],
}
_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def _problem_content() -> dict[str, Any]:
    return {PROBLEM_JSON: {"schema": {"$ref": REF + "Problem"}}}


def _header_not_null(parameter: dict[str, Any]) -> None:
    schema = parameter.get("schema", {})
    options = schema.get("anyOf")
    if parameter.get("in") != "header" or not isinstance(options, list):
        return
    concrete = [o for o in options if o != {"type": "null"}]
    if len(concrete) == 1 and len(concrete) < len(options):
        parameter["schema"] = {**{k: v for k, v in schema.items() if k != "anyOf"}, **concrete[0]}


def document_conventions(document: dict[str, Any]) -> dict[str, Any]:
    """Rewrites a document in place (idempotent): problem+json error answers, non-null headers."""
    for item in document.get("paths", {}).values():
        for method, operation in item.items():
            if method not in _METHODS:
                continue
            for parameter in operation.get("parameters", []):
                _header_not_null(parameter)
            responses = operation.setdefault("responses", {})
            for status, response in responses.items():
                if status == "default" or status[0] in "45":
                    response["content"] = _problem_content()
            responses.setdefault("default", {"description": "an RFC 9457 problem", "content": _problem_content()})
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    paths = json.dumps(document.get("paths", {}))
    for unused in ("HTTPValidationError", "ValidationError"):
        if unused in schemas and f'"{REF}{unused}"' not in paths and f'"{REF}{unused}"' not in json.dumps(schemas):
            del schemas[unused]
    return document


def install_conventions(app: FastAPI) -> None:
    """Makes the app's generated document state the conventions."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document_conventions(generate())
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]
