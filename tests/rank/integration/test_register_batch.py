"""POST /cadres/batch: many cadres registered in one transaction, each with its rank and post from a date, each
exactly as POST /cadres and the holding routes do (same rules, same events); a refused item sinks only itself."""

from __future__ import annotations

from sqlalchemy import func, select

from services.rank.adapters import orm

URL = "/api/v1/cadres/batch"


def item(name: str, unit: str = "finance", **over) -> dict:
    values = {
        "name": name,
        "gender": "FEMALE",
        "birth_date": "1984-05-01",
        "entry_date": "2006-07-01",
        "org_unit_id": unit,
        "education": "BACHELOR",
        "rank": {"rank_code": "C08", "since": "2019-01-01", "basis": "INITIAL"},
    }
    values.update(over)
    return values


async def test_a_batch_registers_each_cadre_with_its_holdings_and_reports_a_refused_one_at_its_index(api):
    single = await api.register("Already Here")
    items = [
        item("Li Si", post={"post_code": "DIVISION_DEPUTY", "since": "2020-03-01", "basis": "INITIAL"}),
        item("Already Here", gender="MALE", birth_date="1985-03-02"),  # the register holds this person
        item("Wang Wu", rank={"rank_code": "C08", "since": "2031-01-01", "basis": "INITIAL"}),  # in the future
        item("Zhao Liu", unit="nowhere"),
        item("Sun Qi", rank=None),
    ]
    response = await api.client.post(URL, json={"items": items}, headers=api.hk())
    assert response.status_code == 207, response.text  # some items refused
    answer = response.json()["items"]
    assert [a["index"] for a in answer] == [0, 1, 2, 3, 4]
    assert [a["outcome"] for a in answer] == ["REGISTERED", None, None, None, "REGISTERED"]
    assert (answer[1]["problem"]["status"], answer[1]["problem"]["rule"]) == (409, "cadre.duplicate")
    assert answer[2]["problem"]["status"] == 422 and answer[2]["problem"]["rule"]
    assert (answer[3]["problem"]["status"], answer[3]["problem"]["field"]) == (404, "org_unit_id")
    li = await api.cadre(answer[0]["id"])
    assert (li["name"], li["org_unit_id"], li["rank_code"], li["post_code"]) == (
        "Li Si",
        "finance",
        "C08",
        "DIVISION_DEPUTY",
    )
    history = await api.ok("GET", f"/api/v1/cadres/{answer[0]['id']}/history")
    assert [(h["rank_code"], h["since"]) for h in history["rank_holdings"]] == [("C08", "2019-01-01")]
    assert (await api.cadre(answer[4]["id"]))["rank_code"] is None
    # nothing of a refused item is kept: neither the cadre nor its events
    names = {r[0] for r in await api.rows(select(orm.cadre.c.name))}
    assert names == {"Already Here", "Li Si", "Sun Qi"}
    registered = [e["cadreId"] for e in await api.outbox("cadre_registered")]
    assert registered == [single, answer[0]["id"], answer[4]["id"]]
    assert [(c["cadreId"], c["toRank"]) for c in await api.outbox("rank_changed")] == [(answer[0]["id"], "C08")]
    assert [c["cadreId"] for c in await api.outbox("post_changed")] == [answer[0]["id"]]


async def test_a_batch_is_an_org_admins_keyed_bounded_request_and_a_retry_is_answered_once(api):
    for role in ("assessor", "auditor", "discipline_officer"):
        response = await api.client.post(URL, json={"items": [item("A")]}, headers=api.hk(role))
        assert response.status_code == 403, role
    assert (await api.client.post(URL, json={"items": [item("A")]}, headers=api.h())).status_code == 422
    for payload, field in (
        ({"items": []}, "items"),
        ({"items": [item(f"P{i}") for i in range(501)]}, "items"),
        ({"items": [item("A", gender="X")]}, "gender"),
        ({"items": [item("A", extra=1)]}, "extra"),
    ):
        response = await api.client.post(URL, json=payload, headers=api.hk())
        assert response.status_code == 422, field
        assert any(field in (e.get("field") or "") for e in response.json()["errors"]), (field, response.text)
    headers = api.hk()
    first = await api.client.post(URL, json={"items": [item("Once")]}, headers=headers)
    again = await api.client.post(URL, json={"items": [item("Once")]}, headers=headers)
    assert first.status_code == again.status_code == 200 and again.json() == first.json()
    count = (await api.rows(select(func.count()).select_from(orm.cadre).where(orm.cadre.c.name == "Once")))[0][0]
    assert count == 1
    # outside the caller's subtree: the unit is not found, as through POST /cadres
    outside = await api.client.post(URL, json={"items": [item("Far", unit="health")]}, headers=api.hk(unit="finance"))
    assert outside.status_code == 207 and outside.json()["items"][0]["problem"]["field"] == "org_unit_id"
