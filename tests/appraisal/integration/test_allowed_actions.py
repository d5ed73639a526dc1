"""A 409 from a state machine lists the actions allowed from the current state, in the problem+json body."""

from __future__ import annotations


async def test_a_refused_transition_answers_the_allowed_actions(app):
    r = await app.client.post(
        "/api/v1/assessments", headers=app.hk("assessor", "finance"), json={"cadre_id": "c-fin-2", "year": 2025}
    )
    aid = r.json()["id"]
    r = await app.client.post(f"/api/v1/assessments/{aid}/decision", headers=app.h("assessor", "finance"))
    assert r.status_code == 409, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert (body["rule"], body["state"], body["action"]) == ("assessment.transition", "DRAFT", "be decided")
    assert body["allowed_actions"] == ["submit a self-summary"]
    await app.client.post(
        f"/api/v1/assessments/{aid}/self-summary", headers=app.h("cadre", None, "c-fin-2"), json={"summary": "my year"}
    )
    r = await app.client.post(f"/api/v1/assessments/{aid}/publicity", headers=app.h("assessor", "finance"))
    assert r.status_code == 409 and r.json()["allowed_actions"] == ["submit a self-summary", "take a proposal"]
