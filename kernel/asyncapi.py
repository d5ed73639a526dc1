"""AsyncAPI 3.0 documents of the events, generated from the contract registry (docs/architecture.md §4).

One document per producing service (docs/asyncapi/<service>.yaml): a channel per event it sends (the NATS
subject), the message (a CloudEvent whose `data` has the contract's JSON Schema, with the registry's example),
and a `receive` operation per event it consumes, pointing at the producer's channel in the producer's document.
JetStream details (stream, dedup header, durable, ack policy) live under `x-nats-jetstream`, since the NATS
bindings describe none of them.

The kernel imports no service: the subscriptions come in as data (`consumed` tables built by the caller).
The `embedded` server is 127.0.0.1:4222 in the committed documents; `--nats-address HOST:PORT` (or
$YOUWEI_NATS_ADDRESS, or `--var DIR`: the port `youwei up` keeps in DIR/nats.port) writes documents for one
deployment, e.g. for another department (docs/subscribers.md). Regenerate the committed ones with:

    python -m kernel.asyncapi --out docs/asyncapi \\
        --app rank=services.rank.main:create_app --app appraisal=services.appraisal.main:create_app \\
        --app petitions=services.petitions.main:create_app --app tolerance=services.tolerance.main:create_app
"""

from __future__ import annotations

import argparse
import copy
import importlib
import os
import sys
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kernel.contracts.registry import EventSpec, events_of
from kernel.envelope import CloudEvent
from kernel.subjects import PRODUCERS, ce_source, durable_name, stream_name

ASYNCAPI_VERSION = "3.0.0"
CE_JSON = "application/cloudevents+json"
EXAMPLE_TIME = "2026-01-01T08:00:00Z"
SCHEMAS = "#/components/schemas/"
DEFAULT_NATS_ADDRESS = "127.0.0.1:4222"
NATS_ADDRESS_VARIABLE = "YOUWEI_NATS_ADDRESS"


@dataclass(frozen=True)
class Consumed:
    """What one service receives from one producer through one durable consumer."""

    producer: str
    keys: tuple[str, ...]
    durable: str


@dataclass(frozen=True)
class ConsumerDefaults:
    """The consumer configuration every durable gets (kernel.settings.ServiceSettings defaults)."""

    ack_wait_s: float = 30.0
    max_deliver: int = 10
    max_ack_pending: int = 256


def consumed_from(service: str, subscriptions: Iterable[Any]) -> list[Consumed]:
    """Builds a service's `consumed` table from its kernel.consumer.Subscription objects."""
    out = []
    for sub in subscriptions:
        keys = tuple(sorted(sub.handler_table()))
        out.append(Consumed(producer=sub.producer, keys=keys, durable=durable_name(service, sub.producer, sub.version)))
    return sorted(out, key=lambda c: c.producer)


def _camel(key: str) -> str:
    producer, event, version = key.split(".")
    words = [producer, *event.split("_"), version]
    return words[0] + "".join(w[:1].upper() + w[1:] for w in words[1:])


def _pascal(key: str) -> str:
    name = _camel(key)
    return name[:1].upper() + name[1:]


def _hoist(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    """Moves a pydantic schema's $defs into components/schemas and points its refs there."""
    schema = copy.deepcopy(schema)
    definitions = schema.pop("$defs", {})
    renames = {}
    for name, definition in definitions.items():
        target = name
        if target in schemas and schemas[target] != definition:
            target = f"{name}{len([n for n in schemas if n.startswith(name)]) + 1}"
        renames[name] = target
    for name, definition in definitions.items():
        schemas[renames[name]] = _rewrite(definition, renames)
    return _rewrite(schema, renames)


def _rewrite(node: Any, renames: Mapping[str, str]) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/"):
                out[key] = SCHEMAS + renames.get(value[len("#/$defs/") :], value[len("#/$defs/") :])
            else:
                out[key] = _rewrite(value, renames)
        return out
    if isinstance(node, list):
        return [_rewrite(v, renames) for v in node]
    return node


def _envelope_schema() -> dict[str, Any]:
    schema = CloudEvent.model_json_schema(mode="serialization")
    schema["description"] = (
        "A CloudEvents 1.0 event in structured JSON mode; `id` is also the Nats-Msg-Id "
        "(dedupe on it), `sequence` the producer's zero-padded outbox sequence"
    )
    schema["required"] = ["specversion", "id", "source", "type", "time", "data"]
    return schema


def _example(spec: EventSpec, namespace: str, type_prefix: str) -> dict[str, Any]:
    name = spec.name
    payload = spec.example
    event_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:youwei:example:{name.key}"))
    return {
        "specversion": "1.0",
        "id": event_id,
        "source": ce_source(name.producer),
        "type": name.ce_type(type_prefix),
        "subject": payload.entity_subject(),
        "time": EXAMPLE_TIME,
        "datacontenttype": "application/json",
        "dataschema": spec.model.dataschema(),
        "correlationid": event_id,
        "sequence": f"{1:020d}",
        "data": payload.to_data(),
    }


def servers(nats_address: str | None = None) -> dict[str, Any]:
    """The `servers` of every document: the embedded server at `nats_address` (default 127.0.0.1:4222), compose."""
    if nats_address:
        embedded = {
            "host": nats_address,
            "protocol": "nats",
            "description": "this deployment's NATS; other departments log in as `subscriber` (docs/subscribers.md)",
        }
    else:
        embedded = {
            "host": DEFAULT_NATS_ADDRESS,
            "protocol": "nats",
            "description": "`youwei up` (a free port is taken when 4222 is busy)",
        }
    return {
        "embedded": embedded,
        "compose": {"host": "nats:4222", "protocol": "nats", "description": "docker compose network"},
    }


def nats_address_of(var: Path) -> str | None:
    """The address of the embedded server of a data directory (var/nats.port), None before its first run."""
    path = Path(var) / "nats.port"
    return f"127.0.0.1:{int(path.read_text(encoding='utf-8').strip())}" if path.exists() else None


def document(
    service: str,
    *,
    consumed: Sequence[Consumed] = (),
    namespace: str = "cadre",
    type_prefix: str = "cadre",
    defaults: ConsumerDefaults = ConsumerDefaults(),
    nats_address: str | None = None,
) -> dict[str, Any]:
    """Builds the AsyncAPI 3.0 document of one producing service (`nats_address`: the embedded server's host)."""
    schemas: dict[str, Any] = {"CloudEvent": _envelope_schema()}
    messages: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    stream = stream_name(namespace, service)
    for spec in events_of(service):
        key, pascal, camel = spec.key, _pascal(spec.key), _camel(spec.key)
        data_schema = _hoist(spec.model.model_json_schema(by_alias=True, mode="serialization"), schemas)
        schemas[f"{pascal}Data"] = data_schema
        schemas[f"{pascal}Event"] = {
            "allOf": [
                {"$ref": SCHEMAS + "CloudEvent"},
                {
                    "type": "object",
                    "properties": {
                        "type": {"const": spec.name.ce_type(type_prefix)},
                        "source": {"const": ce_source(service)},
                        "dataschema": {"type": "string"},
                        "data": {"$ref": SCHEMAS + f"{pascal}Data"},
                    },
                },
            ]
        }
        messages[pascal] = {
            "name": key,
            "title": spec.model.summary or key,
            "summary": spec.model.summary,
            "contentType": CE_JSON,
            "correlationId": {"location": "$message.payload#/correlationid"},
            "payload": {"$ref": SCHEMAS + f"{pascal}Event"},
            "examples": [{"name": "example", "payload": _example(spec, namespace, type_prefix)}],
        }
        channels[camel] = {
            "address": spec.name.subject(namespace),
            "title": key,
            "messages": {pascal: {"$ref": f"#/components/messages/{pascal}"}},
        }
        operations[f"send{pascal}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{camel}"},
            "messages": [{"$ref": f"#/channels/{camel}/messages/{pascal}"}],
            "x-nats-jetstream": {
                "stream": stream,
                "dedupHeader": "Nats-Msg-Id",
                "dedupValue": "$message.payload#/id",
                "publishedBy": "transactional outbox relay",
            },
        }
    for entry in consumed:
        for key in entry.keys:
            camel = _camel(key)
            if camel not in channels:
                channels[camel] = {"$ref": f"{entry.producer}.yaml#/channels/{camel}"}
            operations[f"receive{_pascal(key)}"] = {
                "action": "receive",
                "channel": {"$ref": f"#/channels/{camel}"},
                "x-nats-jetstream": {
                    "stream": stream_name(namespace, entry.producer),
                    "durable": entry.durable,
                    "pull": True,
                    "ackPolicy": "explicit",
                    "ackWait": defaults.ack_wait_s,
                    "maxDeliver": defaults.max_deliver,
                    "maxAckPending": defaults.max_ack_pending,
                    "deliverPolicy": "all",
                    "filterSubjects": [f"{namespace}.{k}" for k in entry.keys],
                    "idempotency": "inbox table keyed by (durable, CloudEvent id)",
                },
            }
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": f"Youwei {service} service events",
            "version": "1.0.0",
            "description": (
                f"Events the {service} service publishes to its JetStream stream {stream} and the "
                f"events it consumes. Subjects are `<namespace>.<service>.<event>.v<major>` with the "
                f"namespace `{namespace}` (setting EVENTS_NAMESPACE); CloudEvents types are "
                f"`<prefix>.<service>.<event>.v<major>` with the prefix `{type_prefix}` (TYPE_PREFIX). "
                "Within a major version changes are additive only; consumers ignore unknown fields. "
                "Delivery is at least once: dedupe on the CloudEvent `id`."
            ),
        },
        "defaultContentType": CE_JSON,
        "servers": servers(nats_address),
        "channels": channels,
        "operations": operations,
        "components": {"schemas": schemas, "messages": messages},
    }


def render(doc: Mapping[str, Any]) -> str:
    """Renders a document as YAML (stable: keys keep their order, unicode kept)."""
    return yaml.safe_dump(dict(doc), sort_keys=False, allow_unicode=True, width=120)


def generate(
    consumed: Mapping[str, Sequence[Consumed]],
    *,
    namespace: str = "cadre",
    type_prefix: str = "cadre",
    nats_address: str | None = None,
) -> dict[str, str]:
    """Returns {file name: YAML} for every producer."""
    return {
        f"{service}.yaml": render(
            document(
                service,
                consumed=consumed.get(service, ()),
                namespace=namespace,
                type_prefix=type_prefix,
                nats_address=nats_address,
            )
        )
        for service in PRODUCERS
    }


def stale(directory: Path, files: Mapping[str, str]) -> list[str]:
    """Lists the files in `directory` that differ from `files` (or are missing)."""
    out = []
    for name, text in files.items():
        path = directory / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            out.append(name)
    return out


def _load_subscriptions(spec: str) -> tuple[str, list[Any]]:
    service, _, target = spec.partition("=")
    module_name, _, factory_name = target.partition(":")
    factory = getattr(importlib.import_module(module_name), factory_name)
    app = factory()
    return service, list(app.state.runtime.subscriptions)


def main(argv: Sequence[str] | None = None) -> int:
    """Writes (or with --check verifies) docs/asyncapi/<service>.yaml from apps named on the command line."""
    parser = argparse.ArgumentParser(prog="python -m kernel.asyncapi")
    parser.add_argument("--out", default="docs/asyncapi")
    parser.add_argument(
        "--app",
        action="append",
        default=[],
        metavar="SERVICE=module:factory",
        help="an app factory whose runtime's subscriptions describe what the service consumes",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when the files are stale")
    parser.add_argument("--nats-address", help=f"HOST:PORT of the embedded server (${NATS_ADDRESS_VARIABLE})")
    parser.add_argument("--var", help="data directory of `youwei up`: the address from its nats.port")
    args = parser.parse_args(argv)
    address = args.nats_address or (nats_address_of(Path(args.var)) if args.var else None)
    if not args.check:  # the committed documents carry the default address
        address = address or os.environ.get(NATS_ADDRESS_VARIABLE) or None
    consumed = {}
    for spec in args.app:
        service, subscriptions = _load_subscriptions(spec)
        consumed[service] = consumed_from(service, subscriptions)
    files = generate(consumed, nats_address=address)
    directory = Path(args.out)
    if args.check:
        outdated = stale(directory, files)
        if outdated:
            print("stale AsyncAPI documents: " + ", ".join(outdated), file=sys.stderr)
            return 1
        return 0
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    return 0


__all__ = [
    "Consumed",
    "ConsumerDefaults",
    "consumed_from",
    "document",
    "generate",
    "main",
    "nats_address_of",
    "render",
    "servers",
    "stale",
]

if __name__ == "__main__":
    sys.exit(main())
