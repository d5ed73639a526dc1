"""Public online intake and the anonymous receipt-code follow-up: no login, rate-limited per address, uniform
answers for a wrong code, the code never in a URL and never stored (only a slow hash)."""

from __future__ import annotations

from sqlalchemy import select

from services.petitions.adapters import orm, receipts
from tests.petitions.support import reporter


async def test_public_intake_answers_the_receipt_code_once_and_keeps_only_its_hash(api):
    response = await api.post(
        "/public/reports",
        role=None,
        json={
            "org_unit_id": "city",
            "content": "The director takes gifts.",
            "accused_description": "the finance director",
            "category": "integrity",
        },
    )
    assert response.status_code == 201
    code = response.json()["receipt_code"]
    assert set(response.json()) == {"receipt_code"}
    [row] = await api.rows(select(orm.receipt))
    assert row.lookup_prefix == receipts.normalize(code)[:4] and len(row.digest) == 32
    assert receipts.normalize(code)[4:] not in str(row) and code not in str(row)
    report = await api.ok("GET", f"/reports/{row.report_id}", role="petitions_staff")
    assert (report["channel"], report["identity"], report["status"]) == ("ONLINE", "ANONYMOUS", "RECEIVED")
    assert report["accused_description"] == "the finance director"


async def test_public_intake_is_limited_to_10_per_hour_per_address(api):
    body = {"org_unit_id": "city", "content": "facts"}
    for _ in range(10):
        assert (await api.post("/public/reports", role=None, json=body)).status_code == 201
    refused = await api.post("/public/reports", role=None, json=body)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert refused.headers["content-type"].startswith("application/problem+json")


async def test_the_gateways_forwarded_address_is_the_client_when_the_gateway_is_trusted(petitions_api):
    async with petitions_api(trusted_proxies=["127.0.0.1"], public_intake_per_hour=2) as api:
        body = {"org_unit_id": "city", "content": "facts"}
        for client in ("10.0.0.1", "10.0.0.1"):
            assert (
                await api.post("/public/reports", role=None, json=body, headers={"X-Forwarded-For": client})
            ).status_code == 201
        assert (
            await api.post("/public/reports", role=None, json=body, headers={"X-Forwarded-For": "10.0.0.1"})
        ).status_code == 429
        assert (
            await api.post("/public/reports", role=None, json=body, headers={"X-Forwarded-For": "10.0.0.2"})
        ).status_code == 201


async def test_an_untrusted_peer_cannot_dodge_the_limit_with_a_forwarded_header(petitions_api):
    async with petitions_api(public_intake_per_hour=2) as api:
        body = {"org_unit_id": "city", "content": "facts"}
        answers = [
            (
                await api.post("/public/reports", role=None, json=body, headers={"X-Forwarded-For": f"10.0.0.{i}"})
            ).status_code
            for i in range(3)
        ]
        assert answers == [201, 201, 429]


async def test_a_wrong_malformed_or_missing_code_gets_the_same_answer(api):
    await api.post("/public/reports", role=None, json={"org_unit_id": "city", "content": "facts"})
    answers = []
    for body, headers in (
        ({"receipt_code": "0000-0000-0000-0000-0000"}, None),
        ({"receipt_code": "nonsense"}, None),
        ({}, None),
        ({}, {"X-Receipt-Code": "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ"}),
    ):
        response = await api.post("/public/receipts/status", role=None, json=body, headers=headers)
        answers.append((response.status_code, response.json()["detail"], response.json()["rule"]))
    assert len(set(answers)) == 1 and answers[0][0] == 404
    response = await api.post(
        "/public/receipts/answers",
        role=None,
        json={"receipt_code": "0000-0000-0000-0000-0000", "question_id": "q", "answer": "a"},
    )
    assert (response.status_code, response.json()["detail"]) == (404, answers[0][1])


async def test_follow_up_and_answers_with_the_code_in_the_body_or_a_header(api):
    code = (await api.post("/public/reports", role=None, json={"org_unit_id": "city", "content": "facts"})).json()[
        "receipt_code"
    ]
    [row] = await api.rows(select(orm.receipt.c.report_id))
    report_id = row[0]
    question = await api.ok(
        "POST",
        f"/reports/{report_id}/questions",
        201,
        role="petitions_staff",
        create=True,
        json={"text": "In which year did it happen?"},
    )
    status = await api.ok("POST", "/public/receipts/status", role=None, json={"receipt_code": code.lower()})
    assert status["status"] == "RECEIVED"
    assert [(q["text"], q["answered"]) for q in status["questions"]] == [("In which year did it happen?", False)]
    await api.ok(
        "POST",
        "/public/receipts/answers",
        role=None,
        headers={"X-Receipt-Code": code},
        json={"question_id": question["id"], "answer": "In 2025, at the spring festival."},
    )
    again = await api.post(
        "/public/receipts/answers", role=None, json={"receipt_code": code, "question_id": question["id"], "answer": "x"}
    )
    assert again.status_code == 409 and again.json()["rule"] == "question.answered"
    report = await api.ok("GET", f"/reports/{report_id}", role="discipline_officer")
    assert report["questions"][0]["answer"] == "In 2025, at the spring festival."
    [stored] = await api.rows(select(orm.report_question.c.answer_sealed))
    assert b"spring" not in stored[0]


async def test_follow_ups_are_rate_limited_too(petitions_api):
    async with petitions_api(public_followup_per_hour=3) as api:
        statuses = [
            (await api.post("/public/receipts/status", role=None, json={"receipt_code": "x"})).status_code
            for _ in range(4)
        ]
        assert statuses == [404, 404, 404, 429]


async def test_a_reissued_code_replaces_the_old_one(api):
    old = (await api.post("/public/reports", role=None, json={"org_unit_id": "city", "content": "facts"})).json()[
        "receipt_code"
    ]
    [row] = await api.rows(select(orm.receipt.c.report_id))
    new = (await api.ok("POST", f"/reports/{row[0]}/receipt", 201, role="petitions_staff"))["receipt_code"]
    assert (await api.post("/public/receipts/status", role=None, json={"receipt_code": old})).status_code == 404
    assert (await api.post("/public/receipts/status", role=None, json={"receipt_code": new})).status_code == 200
    real = await api.intake(reporter=reporter(1))
    refused = await api.post(f"/reports/{real}/receipt", role="petitions_staff")
    assert refused.status_code == 422 and refused.json()["rule"] == "report.receipt_anonymous"


async def test_bad_public_input(api):
    unknown_unit = await api.post("/public/reports", role=None, json={"org_unit_id": "nowhere", "content": "x"})
    assert unknown_unit.status_code == 422 and unknown_unit.json()["rule"] == "report.org_unit"
    extra = await api.post("/public/reports", role=None, json={"org_unit_id": "city", "content": "x", "status": "X"})
    assert extra.status_code == 422
    too_long = await api.post("/public/receipts/status", role=None, json={"receipt_code": "A" * 65})
    assert too_long.status_code == 422
    assert await api.rows(select(orm.report.c.id)) == []
