"""What petitions consumes, through a real nats-server: rank's directory, tolerance exemptions (close the linked
report with outcome TOLERATED, once, whatever the redelivery), and what can never apply (dead-lettered)."""

from __future__ import annotations

import datetime as dt

import nats
from sqlalchemy import select

from kernel.contracts import rank_v1, tolerance_v1
from kernel.contracts.vocabulary import AgencyLevel, CadreCategory, Gender, ToleranceDecision
from kernel.db import utcnow
from kernel.envelope import encode
from kernel.nats_client import ensure_stream, stream_config
from kernel.outbox import OutboxWriter, with_sequence
from kernel.subjects import stream_name
from kernel.testing.helpers import eventually
from services.petitions.adapters import orm
from tests.petitions.support import TODAY


def granted(
    case_id: str, report_id: str, cadre: str = "c-fin-1", decision: ToleranceDecision = ToleranceDecision.EXEMPT
) -> tolerance_v1.ToleranceGranted:
    return tolerance_v1.ToleranceGranted(
        case_id=case_id,
        incident_id=f"inc-{case_id}",
        cadre_id=cadre,
        decision=decision,
        decided_on=TODAY,
        source_refs=[tolerance_v1.SourceRef(type="REPORT", id=report_id)],
    )


async def _publish_twice(api, payload) -> None:
    """Publishes one event twice under different message ids (as after a dedup-window overrun)."""
    settings = api.app.state.settings
    event = OutboxWriter(table=None, producer="tolerance", type_prefix=settings.type_prefix).envelope(  # type: ignore[arg-type]
        payload, now=utcnow()
    )
    nc = await nats.connect(settings.nats_url)
    try:
        js = nc.jetstream()
        await ensure_stream(js, stream_config(settings.events_namespace, "tolerance"))
        for copy in ("a", "b"):
            await js.publish(
                f"{settings.events_namespace}.{payload.event_name.key}",
                with_sequence(encode(event).decode(), 1),
                stream=stream_name(settings.events_namespace, "tolerance"),
                headers={"Nats-Msg-Id": f"{event.id}-{copy}"},
            )
    finally:
        await nc.close()


async def _outcome(api, report_id: str) -> tuple[str, str]:
    report = await api.ok("GET", f"/reports/{report_id}", role="discipline_officer")
    return report["status"], report["outcome"]


async def test_an_exemption_turns_a_substantiated_outcome_into_tolerated_once(api):
    report_id = await api.closed_report("SUBSTANTIATED")
    await _publish_twice(api, granted("tc-1", report_id))

    async def tolerated():
        assert await _outcome(api, report_id) == ("CLOSED", "TOLERATED")
        closures = await api.published("report_closed")
        assert [c["outcome"] for c in closures] == ["SUBSTANTIATED", "TOLERATED"]
        assert closures[-1]["cadreOutcomes"] == [{"cadreId": "c-fin-1", "outcome": "TOLERATED"}]

    await eventually(tolerated, timeout=20)
    runner = next(r for r in api.app.state.runtime.runners if r.subscription.producer == "tolerance")
    await eventually(lambda: _assert(runner.stats.duplicates == 1), timeout=20)
    # A second case about the same report and cadre changes nothing (natural key).
    await api.publish(granted("tc-2", report_id))
    await eventually(lambda: _assert(runner.stats.applied == 2), timeout=20)
    assert [c["outcome"] for c in await api.published("report_closed")] == ["SUBSTANTIATED", "TOLERATED"]


def _assert(condition: bool) -> None:
    assert condition


async def test_an_exemption_of_the_only_accused_closes_an_open_report_a_mitigation_does_nothing(api):
    open_id = await api.intake()
    await api.register(open_id)
    await api.to_disposal(open_id)
    mitigated_id = await api.closed_report("SUBSTANTIATED")
    await api.publish(granted("tc-3", open_id), granted("tc-4", mitigated_id, decision=ToleranceDecision.MITIGATE))

    async def closed():
        assert await _outcome(api, open_id) == ("CLOSED", "TOLERATED")

    await eventually(closed, timeout=20)
    runner = next(r for r in api.app.state.runtime.runners if r.subscription.producer == "tolerance")
    await eventually(lambda: _assert(runner.stats.applied == 2), timeout=20)
    assert await _outcome(api, mitigated_id) == ("CLOSED", "SUBSTANTIATED")


async def test_an_exemption_that_cannot_apply_is_dead_lettered_with_ids_only(api):
    report_id = await api.closed_report("SUBSTANTIATED")
    await api.publish(granted("tc-5", "no-such-report"), granted("tc-6", report_id, cadre="c-cty-b"))

    async def dead():
        letters = await api.rows(select(orm.kernel_tables.dead_letter.c.error))
        assert len(letters) == 2
        assert all(("tc-5" in e or "tc-6" in e) and "permanent" in e for (e,) in letters)

    await eventually(dead, timeout=20)
    assert await _outcome(api, report_id) == ("CLOSED", "SUBSTANTIATED")


async def test_the_directory_comes_from_rank_through_nats(petitions_api):
    async with petitions_api(seed=False) as api:
        await api.publish(
            rank_v1.OrgUnitChanged(
                org_unit_id="city", parent_id=None, name="City", agency_level=AgencyLevel.CITY_LEADERSHIP, path=["city"]
            ),
            rank_v1.CadreRegistered(
                cadre_id="c-new",
                name="New",
                gender=Gender.MALE,
                birth_date=dt.date(1985, 1, 1),
                org_unit_id="city",
                org_path=["city"],
                category=CadreCategory.COMPREHENSIVE,
                party_member=True,
                entry_date=dt.date(2008, 1, 1),
            ),
        )

        async def known():
            assert await api.rows(select(orm.directory.cadre.c.cadre_id)) == [("c-new",)]

        await eventually(known, timeout=20)
        report_id = await api.intake(accused=["c-new"])
        assert (await api.ok("GET", f"/reports/{report_id}", role="petitions_staff"))["accused"] == [
            {"cadre_id": "c-new", "cadre_name": "New", "outcome": None}
        ]
