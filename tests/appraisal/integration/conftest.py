"""The appraisal app on a real database and a real nats-server, with a seeded directory and event helpers."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest

from kernel.contracts import rank_v1
from kernel.contracts.base import Contract
from kernel.contracts.vocabulary import AgencyLevel, CadreCategory, Gender
from kernel.testing.harness import ServiceHarness, apply_directory, serve
from kernel.testing.helpers import settings_for
from services.appraisal.adapters import orm
from services.appraisal.main import create_app
from services.appraisal.service_layer.index import recompute_dirty
from services.appraisal.settings import AppraisalSettings

UNITS = {
    "city": ["city"],
    "finance": ["city", "finance"],
    "finance-div1": ["city", "finance", "finance-div1"],
    "health": ["city", "health"],
}
CADRES = {  # id: (unit, gender, birth year, rank, leadership, relatives)
    "c-fin-1": ("finance", "MALE", 1985, "C08", True, ["c-fin-2"]),
    "c-fin-2": ("finance", "FEMALE", 1992, "C09", False, ["c-fin-1"]),
    "c-fin-3": ("finance-div1", "FEMALE", 1968, "C07", False, []),
    "c-fin-4": ("finance", "MALE", 1979, "C09", False, []),
    "c-fin-5": ("finance", "MALE", 1990, "C10", False, []),
    "c-health-1": ("health", "MALE", 1980, "C08", False, []),
}


class App(ServiceHarness):
    """The appraisal service under test, its directory seeded as rank's events would fill it."""

    async def recompute(self) -> int:
        """Drains the index queue now (the periodic job does the same in the background)."""
        return await recompute_dirty(self.runtime.uow, limit=500)


def directory_events() -> list[Contract]:
    """The test org tree and cadres as rank publishes them."""
    units = [
        rank_v1.OrgUnitChanged(
            org_unit_id=unit,
            parent_id=path[-2] if len(path) > 1 else None,
            name=unit,
            agency_level=AgencyLevel.MUNICIPAL_AGENCY,
            path=path,
        )
        for unit, path in UNITS.items()
    ]
    cadres = [
        rank_v1.CadreRegistered(
            cadre_id=cadre,
            name=cadre,
            gender=Gender(gender),
            birth_date=dt.date(born, 6, 1),
            org_unit_id=unit,
            org_path=UNITS[unit],
            category=CadreCategory.COMPREHENSIVE,
            party_member=True,
            entry_date=dt.date(2010, 1, 1),
            rank_code=rank,
            leadership=lead,
            relative_ids=relatives,
        )
        for cadre, (unit, gender, born, rank, lead, relatives) in CADRES.items()
    ]
    return [*units, *cadres]


@pytest.fixture
async def app(fresh_db, nats_url, events_ns, test_auth) -> AsyncIterator[App]:
    settings = settings_for(
        AppraisalSettings,
        database_url=await fresh_db("appraisal"),
        nats_url=nats_url,
        namespace=events_ns,
        auth=test_auth,
        index_job_interval_s=3600.0,
        talk_schedule_job_interval_s=3600.0,
    )
    async with serve(create_app, settings, today=dt.date(2026, 1, 12)) as served:
        await apply_directory(served.app.state.runtime, orm.directory, directory_events())
        yield App.of(served, test_auth)
