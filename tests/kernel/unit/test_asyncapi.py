"""AsyncAPI documents: generated from the contracts and the services' subscriptions, committed, never stale."""

from __future__ import annotations

import importlib
from pathlib import Path

import jsonschema_rs
import pytest
import yaml

from kernel.asyncapi import ASYNCAPI_VERSION, Consumed, consumed_from, document, generate, stale
from kernel.contracts.registry import EVENTS
from kernel.subjects import PRODUCERS

ROOT = Path(__file__).resolve().parents[3]
DOCS = ROOT / "docs" / "asyncapi"
APPS = {
    "rank": ("services.rank.main", "services.rank.settings", "RankSettings"),
    "appraisal": ("services.appraisal.main", "services.appraisal.settings", "AppraisalSettings"),
    "petitions": ("services.petitions.main", "services.petitions.settings", "PetitionsSettings"),
    "tolerance": ("services.tolerance.main", "services.tolerance.settings", "ToleranceSettings"),
}
COMMAND = "python -m kernel.asyncapi --out docs/asyncapi " + " ".join(
    f"--app {s}={m}:create_app" for s, (m, _, _) in APPS.items()
)


def consumed_by_service() -> dict[str, list[Consumed]]:
    """Reads each service's subscriptions from its app (nothing connects: no lifespan runs)."""
    out = {}
    for service, (main, settings_module, settings_cls) in APPS.items():
        settings = getattr(importlib.import_module(settings_module), settings_cls)(_env_file=None, environment="test")
        app = importlib.import_module(main).create_app(settings)
        out[service] = consumed_from(service, app.state.runtime.subscriptions)
    return out


def test_every_event_has_a_channel_a_message_and_a_send_operation_in_its_producers_document():
    for producer in PRODUCERS:
        doc = document(producer)
        assert doc["asyncapi"] == ASYNCAPI_VERSION
        addresses = {c["address"] for c in doc["channels"].values()}
        expected = {f"cadre.{k}" for k, spec in EVENTS.items() if spec.name.producer == producer}
        assert addresses == expected
        assert all(op["action"] == "send" for op in doc["operations"].values())
        assert len(doc["components"]["messages"]) == len(expected)


def test_every_example_validates_against_its_message_schema():
    for producer in PRODUCERS:
        doc = document(producer)
        schemas = doc["components"]["schemas"]
        for message in doc["components"]["messages"].values():
            root = {"$ref": message["payload"]["$ref"], "components": {"schemas": schemas}}
            validator = jsonschema_rs.validator_for(root)
            for example in message["examples"]:
                validator.validate(example["payload"])
            without_id = {k: v for k, v in message["examples"][0]["payload"].items() if k != "id"}
            with pytest.raises(jsonschema_rs.ValidationError):
                validator.validate(without_id)


def test_receive_operations_point_at_channels_of_the_producers_documents():
    consumed = {"rank": [Consumed("appraisal", ("appraisal.grade_finalized.v1",), "rank__appraisal")]}
    doc = document("rank", consumed=consumed["rank"])
    op = doc["operations"]["receiveAppraisalGradeFinalizedV1"]
    assert op["action"] == "receive"
    assert doc["channels"]["appraisalGradeFinalizedV1"] == {
        "$ref": "appraisal.yaml#/channels/appraisalGradeFinalizedV1"
    }
    assert op["x-nats-jetstream"]["durable"] == "rank__appraisal"
    assert "appraisalGradeFinalizedV1" in document("appraisal")["channels"]


def test_the_committed_documents_are_up_to_date():
    files = generate(consumed_by_service())
    outdated = stale(DOCS, files)
    assert not outdated, f"stale AsyncAPI documents {outdated}; regenerate with: {COMMAND}"
    for text in files.values():
        assert yaml.safe_load(text)["asyncapi"] == ASYNCAPI_VERSION


def test_a_change_in_the_documents_is_detected(tmp_path):
    files = generate({})
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert stale(tmp_path, files) == []
    (tmp_path / "rank.yaml").write_text(
        files["rank.yaml"].replace("cadre_registered", "cadre_enrolled"), encoding="utf-8"
    )
    (tmp_path / "tolerance.yaml").unlink()
    assert stale(tmp_path, files) == ["rank.yaml", "tolerance.yaml"]
