"""Vault key rotation (issue 11, item 6) on SQLite and PostgreSQL: every sealed value is re-sealed under the new key,
after which the old key alone opens nothing and the new key alone opens everything; fingerprints and reporter flags
follow the new key; the service runs on the new key only; a second run has nothing left to do."""

from __future__ import annotations

import base64
import uuid

import pytest
from sqlalchemy import insert, select, update

from kernel.testing.helpers import running
from services.petitions.adapters import orm
from services.petitions.adapters.crypto import Sealer, VaultError
from services.petitions.main import create_app
from services.petitions.rotate import SEALED_COLUMNS, not_current, rotate, sealed_count
from services.petitions.settings import decode_key
from tests.petitions.support import TODAY, Api, reporter, vault_key

pytestmark = pytest.mark.integration


async def _sealed_values(app) -> list[tuple[str, str, str, bytes]]:
    out = []
    async with app.state.runtime.db.reader.connect() as conn:
        for table, key, column, context in SEALED_COLUMNS:
            for record_id, sealed in await conn.execute(
                select(table.c[key], table.c[column]).where(table.c[column].is_not(None))
            ):
                out.append((f"{table.name}.{column}", context, record_id, bytes(sealed)))
    return out


async def test_rotation_reseals_everything_and_retires_the_old_key(petitions_api, test_auth):
    old, new = vault_key(), vault_key()
    old_sealer, new_sealer = Sealer([decode_key(old)]), Sealer([decode_key(new)])
    person = reporter(7)
    async with petitions_api(vault_key=old, unfounded_reporter_threshold=2) as api:
        settings = api.app.state.runtime.context.settings
        first = await api.closed_report("UNFOUNDED", reporter=person)
        await api.closed_report("UNFOUNDED", reporter=person)
        open_id = await api.intake(reporter=reporter(8), accused_description="the head of finance")
        anonymous = await api.intake(reporter=None)
        question_id = str(uuid.uuid4())
        async with api.app.state.runtime.db.writer.begin() as conn:
            await conn.execute(
                update(orm.report)
                .where(orm.report.c.id == first)
                .values(objection_sealed=old_sealer.seal(b"I object", context="objection", record_id=first))
            )
            await conn.execute(
                insert(orm.report_question).values(
                    id=question_id,
                    report_id=anonymous,
                    text="When?",
                    asked_by="officer",
                    asked_on=TODAY,
                    answer_sealed=old_sealer.seal(b"In March", context="answer", record_id=question_id),
                )
            )
        before = await _sealed_values(api.app)
        async with api.app.state.runtime.db.reader.connect() as conn:
            old_fingerprint = (await conn.execute(select(orm.reporter_flag.c.fingerprint))).scalar_one()
    columns = {name for name, *_ in before}
    assert columns == {f"{t.name}.{c}" for t, _k, c, _x in SEALED_COLUMNS}, "every sealed column has a value"
    plain = {
        (name, record_id): old_sealer.open(sealed, context=context, record_id=record_id)
        for name, context, record_id, sealed in before
    }

    url = settings.database_url
    keys = [decode_key(new), decode_key(old)]
    assert await not_current(url, keys) == len(before) == await sealed_count(url)
    result = await rotate(url, keys, batch=3)  # several batches
    assert result.total_resealed == len(before) and result.current == 0
    assert result.fingerprints == 3 and result.flags == 1
    assert await not_current(url, keys) == 0

    async with _app(settings.model_copy(update={"vault_key": new})) as app:
        after = await _sealed_values(app)
        assert len(after) == len(before)
        for name, context, record_id, sealed in after:
            assert new_sealer.open(sealed, context=context, record_id=record_id) == plain[(name, record_id)]
            with pytest.raises(VaultError):  # retired: the old key alone opens nothing
                old_sealer.open(sealed, context=context, record_id=record_id)
        async with app.state.runtime.db.reader.connect() as conn:
            fingerprints = set(
                (
                    await conn.execute(
                        select(orm.reporter_vault.c.fingerprint).where(orm.reporter_vault.c.fingerprint.is_not(None))
                    )
                ).scalars()
            )
            flag = (await conn.execute(select(orm.reporter_flag.c.fingerprint))).scalar_one()
        expected = new_sealer.fingerprint("phone:" + person["phone"])
        assert expected in fingerprints and old_fingerprint not in fingerprints and flag == expected
        # The service, configured with the new key only, reads the texts and the reporter's identity.
        api = Api(client=app.state.test_client, auth=test_auth, app=app)
        report = await api.ok("GET", f"/reports/{open_id}", role="discipline_officer")
        assert report["accused_description"] == "the head of finance"
        revealed = await api.ok(
            "POST", f"/reports/{open_id}/reveal", role="petitions_staff", json={"purpose": "VERIFY_REAL_NAME"}
        )
        assert revealed["reporter"]["phone"] == reporter(8)["phone"]

    again = await rotate(url, keys)
    assert again.total_resealed == 0 and again.current == len(before)


def _app(settings):
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def run():
        app = create_app(settings)
        async with running(app) as client:
            app.state.test_client = client
            yield app

    return run()


def test_a_vault_key_is_32_random_bytes():
    assert len(base64.urlsafe_b64decode(vault_key())) == 32
