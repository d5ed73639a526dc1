"""API documents a person can read: described schema properties, request examples, unique summaries.

Each service's OpenAPI document is built from its app (create_app without the lifespan: nothing connects), the
gateway's own document likewise, and the merged document from both (gateway.openapi.merge), as /docs shows it.
A JSON example is validated against its schema; a multipart/form-data example (the gateway's file upload) names
declared form fields only, every required one, and each text field's value fits its field's schema (a file part's
example value is a string standing for the file).
"""

from __future__ import annotations

import base64
import importlib
from collections import Counter
from functools import cache
from typing import Any

import jsonschema_rs

from gateway.openapi import merge

APPS = {
    "rank": ("services.rank.main", "services.rank.settings", "RankSettings"),
    "appraisal": ("services.appraisal.main", "services.appraisal.settings", "AppraisalSettings"),
    "petitions": ("services.petitions.main", "services.petitions.settings", "PetitionsSettings"),
    "tolerance": ("services.tolerance.main", "services.tolerance.settings", "ToleranceSettings"),
}
# The petitions app refuses to be built without a vault key; any 32 bytes do, nothing is encrypted here.
EXTRA_SETTINGS = {"petitions": {"vault_key": base64.b64encode(bytes(range(32))).decode()}}
REF = "#/components/schemas/"
WRITE_METHODS = ("post", "put", "patch")
FORM = "multipart/form-data"
MIN_DESCRIBED = 1.0


@cache
def documents() -> dict[str, dict[str, Any]]:
    """The four services' documents and the gateway's own, keyed by service name ('gateway')."""
    out: dict[str, dict[str, Any]] = {}
    for service, (main, settings_module, settings_cls) in APPS.items():
        settings = getattr(importlib.import_module(settings_module), settings_cls)(
            _env_file=None, environment="test", **EXTRA_SETTINGS.get(service, {})
        )
        out[service] = importlib.import_module(main).create_app(settings).openapi()
    from gateway.main import create_app
    from gateway.settings import GatewaySettings

    out["gateway"] = create_app(GatewaySettings(_env_file=None, environment="test")).openapi()
    return out


def described(docs: dict[str, dict[str, Any]]) -> tuple[int, int, list[str]]:
    """Counts the properties of components.schemas.* over the documents: (described, total, undescribed names)."""
    total, with_description, missing = 0, 0, []
    for source, document in docs.items():
        for name, schema in document.get("components", {}).get("schemas", {}).items():
            for prop, spec in schema.get("properties", {}).items():
                total += 1
                if str(spec.get("description", "")).strip():
                    with_description += 1
                else:
                    missing.append(f"{source}:{name}.{prop}")
    return with_description, total, missing


def _schema(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref", "")
    return document["components"]["schemas"][ref[len(REF) :]] if ref.startswith(REF) else schema


def request_examples(
    document: dict[str, Any], operation: dict[str, Any]
) -> list[tuple[str, dict[str, Any], Any]] | None:
    """The (media type, schema, example) triples of an operation's request body; None when it has none."""
    found: list[tuple[str, dict[str, Any], Any]] = []
    for media, content in operation["requestBody"].get("content", {}).items():
        schema = content.get("schema", {})
        if "example" in content:
            found.append((media, schema, content["example"]))
        for example in content.get("examples", {}).values():
            found.append((media, schema, example.get("value")))
        for option in [schema, *schema.get("anyOf", [])]:
            target = _schema(document, option)
            found.extend((media, option, example) for example in target.get("examples", []))
    return found or None


def form_example_errors(schema: dict[str, Any], example: Any, schemas: dict[str, Any]) -> list[str]:
    """What is wrong with a multipart/form-data example: undeclared or missing required fields, a text field's
    value its field's schema refuses, a file part (format binary) not shown as a string."""
    if not isinstance(example, dict):
        return ["a form example is an object of form fields"]
    properties, errors = schema.get("properties", {}), []
    undeclared = sorted(set(example) - set(properties))
    missing = sorted(set(schema.get("required", [])) - set(example))
    if undeclared:
        errors.append(f"undeclared form fields: {undeclared}")
    if missing:
        errors.append(f"required form fields missing: {missing}")
    for name, value in example.items():
        spec = properties.get(name)
        if spec is None:
            continue
        if spec.get("format") == "binary":
            if not isinstance(value, str) or not value:
                errors.append(f"{name}: a file part's example is a string standing for the file")
            continue
        validator = jsonschema_rs.validator_for({**spec, "components": {"schemas": schemas}})
        errors.extend(f"{name}: {e.message}" for e in validator.iter_errors(value))
    return errors


def write_operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document.get("paths", {}).items()
        for method, operation in item.items()
        if method in WRITE_METHODS and "requestBody" in operation
    ]


def examples_missing_or_invalid(docs: dict[str, dict[str, Any]]) -> list[str]:
    """Write operations with a request body but no example, and examples their own schema refuses."""
    problems = []
    for source, document in docs.items():
        schemas = document.get("components", {}).get("schemas", {})
        for method, path, operation in write_operations(document):
            pairs = request_examples(document, operation)
            if pairs is None:
                problems.append(f"{source}: {method.upper()} {path} has no request example")
                continue
            for media, schema, example in pairs:
                if media == FORM:
                    errors = form_example_errors(_schema(document, schema), example, schemas)
                else:
                    validator = jsonschema_rs.validator_for({**schema, "components": {"schemas": schemas}})
                    errors = [e.message for e in validator.iter_errors(example)]
                if errors:
                    problems.append(f"{source}: {method.upper()} {path}: the example is invalid: {errors[:3]}")
    return problems


def duplicate_summaries(document: dict[str, Any]) -> dict[str, list[str]]:
    where: dict[str, list[str]] = {}
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if isinstance(operation, dict) and operation.get("summary"):
                where.setdefault(operation["summary"], []).append(f"{method.upper()} {path}")
    return {summary: places for summary, places in where.items() if len(places) > 1}


def merged() -> dict[str, Any]:
    docs = documents()
    return merge(docs["gateway"], {s: d for s, d in docs.items() if s != "gateway"})


def test_every_schema_property_is_described():
    with_description, total, missing = described(documents())
    share = with_description / total
    by_source = Counter(name.split(":", 1)[0] for name in missing)
    print(
        f"\nschema properties described: {with_description}/{total} = {share:.1%}; "
        f"undescribed by document: {dict(by_source)}"
    )
    assert total > 1000, "the documents lost their schemas"
    assert share >= MIN_DESCRIBED, f"{share:.1%} described; undescribed: {missing[:40]}"


def test_every_write_operation_with_a_body_has_a_valid_request_example():
    docs = documents()
    assert sum(len(write_operations(d)) for d in docs.values()) > 100
    problems = examples_missing_or_invalid(docs)
    assert not problems, "\n".join(problems)


def test_summaries_are_unique_in_the_merged_document():
    document = merged()
    assert len(document["paths"]) > 100 and not document["info"].get("x-missing-services")
    duplicates = duplicate_summaries(document)
    assert not duplicates, duplicates


def test_the_checks_catch_what_they_are_for():
    """The counting and checking functions on small documents: each problem is found."""
    schemas = {
        "Body": {
            "type": "object",
            "required": ["name"],
            "properties": {"name": {"type": "string", "description": "the name"}, "age": {"type": "integer"}},
        }
    }
    body = {"content": {"application/json": {"schema": {"$ref": REF + "Body"}}}}
    document = {
        "paths": {
            "/a": {"post": {"summary": "Create A", "requestBody": body}},
            "/b": {
                "post": {
                    "summary": "Create A",
                    "requestBody": {
                        "content": {"application/json": {"schema": {"$ref": REF + "Body"}, "example": {"age": 3}}}
                    },
                }
            },
        },
        "components": {"schemas": schemas},
    }
    assert described({"x": document})[:2] == (1, 2)
    problems = examples_missing_or_invalid({"x": document})
    assert len(problems) == 2 and "no request example" in problems[0] and "invalid" in problems[1]
    assert duplicate_summaries(document) == {"Create A": ["POST /a", "POST /b"]}
    schemas["Body"]["examples"] = [{"name": "张伟"}]
    assert examples_missing_or_invalid({"x": document}) == [problems[1]]

    # A file upload: its example names declared form fields only, every required one, with fitting text values.
    form = {
        "type": "object",
        "required": ["file"],
        "properties": {
            "file": {"type": "string", "format": "binary"},
            "dry_run": {"type": "boolean"},
            "kind": {"type": "string", "enum": ["cadres"]},
        },
    }
    upload = {"requestBody": {"content": {FORM: {"schema": form}}}}
    uploads = {"paths": {"/u": {"post": upload}}, "components": {"schemas": {}}}
    assert examples_missing_or_invalid({"x": uploads}) == ["x: POST /u has no request example"]
    upload["requestBody"]["content"][FORM]["examples"] = {
        "ok": {"value": {"file": "cadres.csv", "kind": "cadres", "dry_run": True}},
        "bad": {"value": {"kind": "grades", "dry_run": "yes", "sheet": "干部"}},
    }
    problems = examples_missing_or_invalid({"x": uploads})
    assert len(problems) == 1 and "POST /u: the example is invalid" in problems[0]
    errors = form_example_errors(form, upload["requestBody"]["content"][FORM]["examples"]["bad"]["value"], {})
    assert errors[:2] == ["undeclared form fields: ['sheet']", "required form fields missing: ['file']"]
    assert any(e.startswith("kind: ") for e in errors) and any(e.startswith("dry_run: ") for e in errors)
    assert form_example_errors(form, {"file": b"PK"}, {}) == [
        "file: a file part's example is a string standing for the file"
    ]
