"""Every service answers a creation and a state transition alike: kernel.schemas.Created and StateRead
({id, status, version}). No service defines its own shape of either (docs/DEVELOPING.md, HTTP)."""

from __future__ import annotations

import importlib
import inspect

import pytest
from pydantic import BaseModel

from kernel.requests import RequestModel
from kernel.schemas import Created, StateRead
from tests.contract.test_openapi_docs import APPS, REF, documents

SHAPES = ({"id"}, {"status"}, {"id", "status"}, {"id", "status", "version"})


@pytest.mark.parametrize("service", APPS)
def test_no_service_defines_its_own_creation_or_transition_answer(service):
    module = importlib.import_module(f"services.{service}.api.schemas")
    assert module.Created is Created and module.StateRead is StateRead
    for name, cls in inspect.getmembers(module, inspect.isclass):
        if issubclass(cls, BaseModel) and not issubclass(cls, RequestModel) and cls not in (Created, StateRead):
            assert set(cls.model_fields) not in SHAPES, f"{service}: {name} duplicates kernel.schemas"
            # An answer carrying the state (not a full read of the object) extends StateRead, not a copy of it.
            if {"id", "status", "version"} <= set(cls.model_fields) and not name.endswith("Read"):
                assert issubclass(cls, StateRead), f"{service}: {name} copies StateRead's fields; extend it"


@pytest.mark.parametrize("service", APPS)
def test_every_transition_answers_id_status_and_version(service):
    """A POST/PUT on an existing object (a path naming an …_id) whose answer carries a status carries the id and
    the version too: the client sends the version back with its next change."""
    doc = documents()[service]
    schemas = doc["components"]["schemas"]
    for path, operations in doc["paths"].items():
        if "_id}" not in path:
            continue
        for method in ("post", "put"):
            answer = operations.get(method, {}).get("responses", {}).get("200", {})
            ref = answer.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
            properties = schemas.get(ref.removeprefix(REF), {}).get("properties", {})
            if "status" in properties and "items" not in properties:
                assert {"id", "version"} <= set(properties), f"{service} {method.upper()} {path}: use StateRead"
