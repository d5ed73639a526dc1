"""One OpenAPI document for the whole API: the gateway's own routes plus each service's, with their own schemas.

The services' documents are fetched over HTTP (`/openapi.json`, served outside production only) and cached.
Each service contributes only the paths under the segments it owns; schema names that clash with different
content are prefixed with the service name; operation ids stay the services' own (`<tag>-<function>`).
The dossier's and dashboard's parts point at the schemas of the services' part endpoints, and the kernel's
conventions (problem+json errors, non-null headers) are stated on every operation.

In production neither the gateway nor the services serve their documents (docs/reliability.md S13), and routing never
depends on them: the merged document is a build artefact, produced against a dev-mode suite with
`python -m gateway.openapi --out openapi.json` (and published with the API's documentation, not by the API).
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import sys
import time
from typing import Any

from gateway.routing import OWNERS
from gateway.settings import UPSTREAMS
from kernel.openapi import document_conventions

REF = "#/components/schemas/"
PART_PATHS = {"dossier": "/api/v1/dossier-parts/", "dashboard": "/api/v1/dashboard-parts/"}


def _rewrite_refs(node: Any, renames: dict[str, str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(REF) and ref[len(REF) :] in renames:
            node["$ref"] = REF + renames[ref[len(REF) :]]
        for value in node.values():
            _rewrite_refs(value, renames)
    elif isinstance(node, list):
        for value in node:
            _rewrite_refs(value, renames)


def _response_schema(document: dict[str, Any], prefix: str, method: str = "get") -> dict[str, Any] | None:
    for path, item in document.get("paths", {}).items():
        if path.startswith(prefix) and method in item:
            content = item[method].get("responses", {}).get("200", {}).get("content", {})
            schema = content.get("application/json", {}).get("schema")
            if schema:
                return schema
    return None


def _nullable(schema: dict[str, Any], description: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"anyOf": [schema, {"type": "null"}]}
    if description:
        out["description"] = description
    return out


def merge(own: dict[str, Any], services: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Merges the gateway's document with the services' (pure; the inputs are not changed)."""
    merged = copy.deepcopy(own)
    paths = merged.setdefault("paths", {})
    components = merged.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    security = components.setdefault("securitySchemes", {})
    operation_ids = {op.get("operationId") for item in paths.values() for op in item.values() if isinstance(op, dict)}
    for service in UPSTREAMS:
        if service not in services:
            continue
        document = copy.deepcopy(services[service])
        theirs = document.get("components", {}).get("schemas", {})
        renames = {
            name: f"{service}.{name}" for name, schema in theirs.items() if name in schemas and schemas[name] != schema
        }
        _rewrite_refs(document, renames)
        for name, schema in theirs.items():
            schemas[renames.get(name, name)] = schema
        security.update(document.get("components", {}).get("securitySchemes", {}))
        for path, item in document.get("paths", {}).items():
            segment = path[len("/api/v1/") :].split("/", 1)[0] if path.startswith("/api/v1/") else ""
            # Only the segments the service owns; the gateway's own paths (the dossier) take precedence.
            if OWNERS.get(segment) != service or path in paths:
                continue
            for operation in item.values():
                if isinstance(operation, dict) and "operationId" in operation:
                    if operation["operationId"] in operation_ids:
                        operation["operationId"] = f"{service}-{operation['operationId']}"
                    operation_ids.add(operation["operationId"])
                    operation["x-service"] = service
            paths[path] = item
        _link_parts(schemas, service, document)
    return document_conventions(merged)


def _link_parts(schemas: dict[str, Any], service: str, document: dict[str, Any]) -> None:
    """Points the merged views' parts at the schemas the services' part endpoints answer with."""
    for view, model in (("dossier", "DossierParts"), ("dashboard", "DashboardParts")):
        part = _response_schema(document, PART_PATHS[view])
        holder = schemas.get(model, {}).get("properties", {})
        if part is not None and service in holder:
            holder[service] = _nullable(part, holder[service].get("description"))
    if service == "rank":
        for model, field, prefix in (
            ("DossierRead", "cadre", "/api/v1/cadres/{"),
            ("DashboardRead", "org_unit", "/api/v1/org-units/{"),
        ):
            schema = _response_schema(document, prefix)
            holder = schemas.get(model, {}).get("properties", {})
            if schema is not None and field in holder:
                holder[field] = _nullable(schema, holder[field].get("description"))


class MergedOpenApi:
    """The merged document, rebuilt from the services' documents at most every `ttl` seconds."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._document: dict[str, Any] | None = None
        self._built_at = 0.0
        self._lock = asyncio.Lock()

    async def get(self, own: dict[str, Any], clients: dict[str, Any]) -> dict[str, Any]:
        """Returns the merged document (services that do not answer are listed under x-missing-services)."""
        async with self._lock:
            if self._document is not None and time.monotonic() - self._built_at < self.ttl:
                return self._document
            results = await asyncio.gather(
                *(clients[s].openapi(timeout=5.0) for s in UPSTREAMS), return_exceptions=True
            )
            documents = {s: r for s, r in zip(UPSTREAMS, results, strict=True) if isinstance(r, dict)}
            document = merge(own, documents)
            missing = [s for s in UPSTREAMS if s not in documents]
            if missing:
                document["info"]["x-missing-services"] = missing
            else:
                # Cache only a complete document; an incomplete one is rebuilt on the next request.
                self._document, self._built_at = document, time.monotonic()
            return document


def main() -> None:
    """Writes the merged document of a running dev-mode suite (python -m gateway.openapi --out FILE)."""
    from gateway.clients import build_clients
    from gateway.main import create_app
    from gateway.settings import GatewaySettings

    parser = argparse.ArgumentParser(prog="python -m gateway.openapi")
    parser.add_argument("--out", default="-", help="file to write (default stdout)")
    args = parser.parse_args()
    settings = GatewaySettings()

    async def build() -> dict[str, Any]:
        clients = build_clients(settings)
        for client in clients.values():
            await client.upstream.start()
        try:
            return await MergedOpenApi(ttl=0).get(create_app(settings).openapi(), clients)
        finally:
            for client in clients.values():
                await client.upstream.close()

    document = asyncio.run(build())
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if args.out == "-":
        sys.stdout.write(text)
    else:
        with open(args.out, "w", encoding="utf-8") as handle:
            handle.write(text)
    missing = document["info"].get("x-missing-services")
    if missing:
        sys.exit(f"services not answering: {', '.join(missing)}")


if __name__ == "__main__":
    main()
