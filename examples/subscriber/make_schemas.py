"""Writes examples/subscriber/schemas.json: the JSON Schemas of every event the subscriber may read.

Maintainers only (it imports the suite): the schemas are those of the AsyncAPI documents (kernel/asyncapi.py,
docs/asyncapi/), cut down to the public feeds of suite/nats_users.py. tests/e2e/test_subscriber_kit.py fails when
the committed file is stale. Run from the repository root:

    .venv/bin/python examples/subscriber/make_schemas.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from kernel.asyncapi import document  # noqa: E402
from kernel.contracts.registry import EVENTS  # noqa: E402
from suite.nats_users import public_feeds  # noqa: E402

PREFIX = "#/components/schemas/"


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"][len(PREFIX) :]} if str(node.get("$ref", "")).startswith(PREFIX) else set()
        return found.union(*(_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node))
    return set()


def _public(key: str, namespace: str) -> bool:
    subject = f"{namespace}.{key}".split(".")
    for feed in public_feeds(namespace):
        pattern = feed.filter_subject.split(".")
        if pattern[-1] == ">" and subject[: len(pattern) - 1] == pattern[:-1]:
            return True
        if len(pattern) == len(subject) and all(p in ("*", s) for p, s in zip(pattern, subject, strict=True)):
            return True
    return False


def bundle(namespace: str = "cadre") -> dict[str, Any]:
    """Builds the schema bundle: {events: {key: {producer, ref}}, producers: {producer: {components: …}}}."""
    events: dict[str, Any] = {}
    producers: dict[str, Any] = {}
    for key in sorted(k for k in EVENTS if _public(k, namespace)):
        producer = key.split(".")[0]
        doc = document(producer, namespace=namespace)
        message = next(m for m in doc["components"]["messages"].values() if m["name"] == key)
        ref = message["payload"]["$ref"]
        events[key] = {"producer": producer, "ref": ref}
        schemas = doc["components"]["schemas"]
        keep = producers.setdefault(producer, {"components": {"schemas": {}}})["components"]["schemas"]
        todo = [ref[len(PREFIX) :]]
        while todo:
            name = todo.pop()
            if name not in keep:
                keep[name] = schemas[name]
                todo += sorted(_refs(schemas[name]))
    for entry in producers.values():
        entry["components"]["schemas"] = dict(sorted(entry["components"]["schemas"].items()))
    return {
        "namespace": namespace,
        "generated_by": "examples/subscriber/make_schemas.py from kernel/contracts (as in docs/asyncapi/)",
        "events": events,
        "producers": producers,
    }


def render(namespace: str = "cadre") -> str:
    """The file's text."""
    return json.dumps(bundle(namespace), indent=1, ensure_ascii=False, sort_keys=False) + "\n"


if __name__ == "__main__":
    (HERE / "schemas.json").write_text(render(), encoding="utf-8")
    print(f"wrote {HERE / 'schemas.json'}")
