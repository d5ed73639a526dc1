"""Carries a plan out through the gateway's API, as the organization department's admin would by hand.

Idempotent and resumable: every create carries an Idempotency-Key derived from the row (kind, natural key, content),
and every row is first looked up by its natural key (a unit by its code; a cadre by name, gender and birth date), so
the same file twice changes nothing, a changed row becomes a correction (PATCH with the version read), and a run
that died half way is simply run again. A cadre the register already holds twice is reported, never guessed at.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from suite.importing.plan import Issue, Plan, Record, mask_id_number
from suite.importing.sheets import APPEALS_SHEET, AWARDS_SHEET, CADRES, GRADES_SHEET, ORG_UNITS

CADRE_FIELDS = ("name", "gender", "birth_date", "entry_date", "category", "party_member", "education", "id_number")
CORRECTABLE = ("entry_date", "category", "party_member", "education")
RETRIES, MAX_WAIT_S = 30, 30.0  # answers that say "later" (429, 503 with Retry-After): how often, how long at most
# An API field → the Chinese header of its column (the cadre sheet's where both sheets have one).
HEADERS = {c.field: c.headers[0] for kind in (ORG_UNITS, CADRES) for c in kind.columns}
GRADE_HEADERS = {c.field: c.headers[0] for c in GRADES_SHEET.columns}
AWARD_HEADERS = {c.field: c.headers[0] for c in AWARDS_SHEET.columns}
APPEAL_HEADERS = {c.field: c.headers[0] for c in APPEALS_SHEET.columns} | {
    "target_ref": "原处理决定",
    "target_type": "原处理决定",
    "decision_on": "原处理决定",
    "document_number": "文号",
    "appellant_cadre_id": "姓名",
}
# A sanction's system → the target type of an appeal against it (petitions/messaging/handlers.py SYSTEM_TARGET).
SYSTEM_TARGET = {
    "GOV": "GOV_SANCTION",
    "CIVIL_SERVICE": "CS_SANCTION",
    "PARTY": "PARTY_DISCIPLINE",
    "ORG_HANDLING": "ORG_HANDLING",
    "ACCOUNTABILITY": "ACCOUNTABILITY",
    "ADMONISHMENT": "ORG_HANDLING",
}
AWARD_FIELDS = ("type", "basis", "year", "granted_on", "document_no", "revoked_on", "revoke_reason")
APPEAL_FIELDS = (
    "stage",
    "notified_on",
    "filed_on",
    "accepted_on",
    "outcome",
    "decided_on",
    "varied_to",
    "reasons",
    "grounds",
    "document_number",
)
STAGE_ORDER = ("REVIEW", "APPEAL", "REAPPEAL")
# Rows per batch request (the routes take up to 500): a batch must finish within the gateway's upstream timeout
# (5 s), a row costs some 25 statements, and a batch may first wait for the service to catch up (its token).
BATCH = 50
# Cadre batches in flight at once (each one transaction of up to BATCH rows). Grade batches go one at a time: each
# locks the 优秀 quota rows of the agencies and years it records (PostgreSQL), which two batches could take in
# opposite orders; and the appraisal process, not the database, is their bottleneck (bench/results/importer.json).
BATCH_PARALLEL = 2
GATEWAY_TIMEOUTS = 5  # a keyed write the gateway gave up on (502/504) is sent again (the key makes it safe)
TOKEN = "X-Consistency-Token"
GRADE_FIELDS = (
    "year",
    "grade",
    "decided_on",
    "notified_on",
    "publicity_from",
    "publicity_to",
    "document_no",
    "undetermined_reason",
)


@dataclass
class Outcome:
    counts: Counter = field(default_factory=Counter)  # created / corrected / unchanged / failed, per kind
    issues: list[Issue] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # wall time per phase (cadres, grades, sanctions)

    def summary(self) -> dict[str, Any]:
        return {
            "counts": {f"{k}.{what}": n for (k, what), n in sorted(self.counts.items())},
            "issues": [i.as_dict() for i in self.issues],
        }


class ApiError(Exception):
    def __init__(self, response: httpx.Response) -> None:
        try:
            body = response.json()
        except ValueError:
            body = {}
        super().__init__(body.get("detail") or f"HTTP {response.status_code}")
        self.status = response.status_code
        self.rule = body.get("rule")
        self.field = body.get("field") or next((e.get("field") for e in body.get("errors") or []), None)


def _key(record: Record, *parts: str) -> str:
    natural = "|".join(str(record.values.get(p, "")) for p in parts)
    return "import-" + hashlib.sha256(f"{record.kind}|{natural}|{record.digest}".encode()).hexdigest()[:48]


class Importer:
    """Writes one plan through the API (`client` is bound to the gateway or to rank, with the admin's token)."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        headers: dict[str, str],
        tick: Callable[[], None] = lambda: None,
        *,
        parallel: int = 8,
        batch: int = BATCH,
    ) -> None:
        self.client = client
        self.headers = headers
        self.tick = tick
        self.outcome = Outcome()
        self.run_id = uuid.uuid4().hex[:16]
        self.parallel = max(1, parallel)
        self.batch = min(max(1, batch), 500)
        # Past grades are recorded set-based (a batch costs a few statements, not ~14 per row): ten times larger
        # batches, each cadre's years together, so that rank recomputes a cadre's standing once, not once a year.
        self.grade_batch = min(self.batch * 10, 500)
        # The register's cadres by natural key (name, gender, birth date), read once per run.
        self._register: dict[tuple[str, str, str], list[dict[str, Any]]] | None = None
        self._reading = asyncio.Lock()
        # The consistency token of the register's last write (rank's events): presented with the writes that name
        # cadres, so that the receiving service first catches up with them (kernel/consistency.py).
        self.token: str | None = None

    async def _call(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        key: str | None = None,
        ok: tuple[int, ...] = (200, 201),
        extra: dict[str, str] | None = None,
    ) -> Any:
        response = await self._send(method, url, json=json, key=key, ok=ok, extra=extra)
        return response.json() if response.content else None

    async def _send(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        key: str | None = None,
        ok: tuple[int, ...] = (200, 201),
        extra: dict[str, str] | None = None,
    ) -> httpx.Response:
        headers = {**self.headers, **(extra or {}), **({"Idempotency-Key": key} if key else {})}
        timeouts = 0
        for _ in range(RETRIES):
            response = await self.client.request(method, url, json=json, headers=headers)
            if key and response.status_code in (502, 504) and timeouts < GATEWAY_TIMEOUTS:
                # The gateway stopped waiting; the service may still finish (or have finished) the write: the same
                # request again is answered from its Idempotency-Key, or does the write once.
                timeouts += 1
                await asyncio.sleep(1.0)
                continue
            if response.status_code not in (429, 503) or "retry-after" not in response.headers:
                break
            # Rate-limited by the gateway, or a change still propagating: wait as told, then the same request
            # again (the same Idempotency-Key, so nothing is written twice).
            await asyncio.sleep(min(float(response.headers["retry-after"] or 1), MAX_WAIT_S))
        if response.status_code not in ok:
            raise ApiError(response)
        if TOKEN.lower() in response.headers:
            self.token = response.headers[TOKEN]
        return response

    def _fail(self, record: Record, column: str, error: Exception) -> None:
        self.outcome.counts[(record.kind, "failed")] += 1
        self.outcome.issues.append(Issue(record.sheet, record.row, column, str(error)))

    async def run(self, plan: Plan) -> Outcome:
        for record in _parents_first(plan.of("org-units")):  # one by one: parents before children
            await self._guarded(record, "单位代码", self.org_unit)
        # Rows of the other kinds are independent of each other (the plan has no duplicates): several at a time.
        # New cadres (with their rank and post) and grades go in batches (one transaction of up to BATCH rows each,
        # every row through the single route's rules); a cadre the register holds goes row by row (corrections).
        started = time.perf_counter()
        fresh = await self._new_cadres(plan.of("cadres"))
        await self._all([r for r in plan.of("cadres") if id(r) not in fresh], self.cadre)
        await self._register_batches([r for r in plan.of("cadres") if id(r) in fresh])
        register_token = self.token
        self.outcome.seconds["cadres"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        await self._grade_batches(plan.of("grades"), register_token)
        self.outcome.seconds["grades"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        await self._all(plan.of("sanctions"), self.sanction)
        self.outcome.seconds["sanctions"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        await self._all(plan.of("awards"), self.award)
        # Appeals one at a time, earlier stages first (a later stage names the earlier appeal).
        for record in sorted(plan.of("appeals"), key=lambda r: STAGE_ORDER.index(r.values["stage"])):
            await self._guarded(record, "姓名", self.appeal)
        self.outcome.seconds["awards+appeals"] = round(time.perf_counter() - started, 1)
        self.outcome.issues.sort(key=lambda i: (i.sheet, i.row, i.column))
        return self.outcome

    async def _all(self, records: list[Record], write: Callable[[Record], Any]) -> None:
        queue = iter(records)

        async def worker() -> None:
            for record in queue:
                await self._guarded(record, "姓名", write)

        await asyncio.gather(*(worker() for _ in range(min(self.parallel, len(records)))))

    async def _guarded(self, record: Record, column: str, write: Callable[[Record], Any]) -> None:
        try:
            self.outcome.counts[(record.kind, await write(record))] += 1
        except ApiError as error:
            # Name the column the API's answer names (its field), else the row's key column.
            headers = {"awards": AWARD_HEADERS, "appeals": APPEAL_HEADERS}.get(record.kind, HEADERS)
            self._fail(record, headers.get(str(error.field).split(".")[0], column), error)
        self.tick()

    async def _new_cadres(self, records: list[Record]) -> set[int]:
        """The cadre rows the register does not hold yet (by name, gender and birth date)."""
        index = await self._index()
        return {id(r) for r in records if (r.values["name"], r.values["gender"], r.values["birth_date"]) not in index}

    async def _batches(
        self, records: list[Record], send: Callable[[list[Record]], Any], in_flight: int, size: int | None = None
    ) -> None:
        size = size or self.batch
        chunks = iter([records[i : i + size] for i in range(0, len(records), size)])

        async def worker() -> None:
            for chunk in chunks:
                await send(chunk)

        await asyncio.gather(*(worker() for _ in range(max(1, min(in_flight, self.parallel)))))

    def _batch_key(self, kind: str, chunk: list[Record], *, per_run: bool) -> str:
        digest = hashlib.sha256("|".join(f"{r.row}:{r.digest}" for r in chunk).encode()).hexdigest()[:40]
        return f"import-{kind}-{digest}" + (f"-{self.run_id}" if per_run else "")

    async def _register_batches(self, records: list[Record]) -> None:
        """Registers new cadres, BATCH at a time (POST /cadres/batch: each with its rank and post, from their dates)."""
        await self._batches(records, self._register_batch, BATCH_PARALLEL)

    async def _register_batch(self, chunk: list[Record]) -> None:
        items = []
        for record in chunk:
            v = record.values
            item = {k: v[k] for k in CADRE_FIELDS if k in v} | {"org_unit_id": v["org_unit_id"]}
            for kind in ("rank", "post"):
                if v.get(f"{kind}_code"):
                    item[kind] = {f"{kind}_code": v[f"{kind}_code"], "since": v[f"{kind}_since"], "basis": "INITIAL"}
            items.append(item)
        try:
            # The key is the rows' own: a batch sent again after a lost answer gets its first answer replayed.
            answer = await self._call(
                "POST",
                "/api/v1/cadres/batch",
                json={"items": items},
                ok=(200, 207),
                key=self._batch_key("cadres", chunk, per_run=False),
            )
        except ApiError as error:
            if error.status >= 500:
                raise
            # The batch as a whole was refused (e.g. a body the route cannot read): row by row, for a row's report.
            for record in chunk:
                await self._guarded(record, "姓名", self.cadre)
            return
        index = await self._index()
        for record, item in zip(chunk, answer["items"], strict=True):
            v = record.values
            if item.get("problem"):
                self._problem(record, item["problem"], HEADERS, "姓名")
            else:
                index[(v["name"], v["gender"], v["birth_date"])] = [
                    {k: v[k] for k in CADRE_FIELDS if k in v} | {"org_unit_id": v["org_unit_id"], "id": item["id"]}
                ]
                self.outcome.counts[(record.kind, "created")] += 1
            self.tick()

    def _problem(self, record: Record, problem: dict[str, Any], headers: dict[str, str], column: str) -> None:
        """Reports a row a batch refused, at the column its problem's field names (else the row's key column)."""
        self.outcome.counts[(record.kind, "failed")] += 1
        field_name = str(problem.get("field") or "").split(".")[0]
        self.outcome.issues.append(
            Issue(
                record.sheet,
                record.row,
                headers.get(field_name, column),
                problem.get("detail") or f"HTTP {problem.get('status')}",
            )
        )

    async def _grade_batches(self, records: list[Record], token: str | None) -> None:
        """Records past grades BATCH at a time (POST /assessments/history/batch), presenting the register's token."""
        ready: list[tuple[Record, dict[str, Any]]] = []
        for record in records:
            try:
                cadre = await self._find_cadre(record)
            except ValueError as error:
                self._fail(record, "姓名", error)
                self.tick()
                continue
            if cadre is None:
                self._fail(record, "姓名", ValueError("no such cadre in the register"))
                self.tick()
                continue
            ready.append((record, cadre))
        # A batch's rows by unit, then cadre and year: few quota rows (one agency's years), and each cadre's
        # history in one batch.
        ready.sort(key=lambda rc: (rc[1].get("org_unit_id") or "", rc[1]["id"], rc[0].values["year"]))
        self._cadre_ids = {id(r): c["id"] for r, c in ready}
        self._grade_token = token
        await self._batches([r for r, _ in ready], self._grade_batch, 1, size=self.grade_batch)

    async def _grade_batch(self, chunk: list[Record]) -> None:
        pending = chunk
        for attempt, delay in enumerate((0.5, 1.0, 2.0, 4.0, 8.0, 0)):
            items = [
                {
                    "cadre_id": self._cadre_ids[id(r)],
                    "source": "IMPORT",
                    **{f: r.values[f] for f in GRADE_FIELDS if f in r.values},
                }
                for r in pending
            ]
            # Nobody reads these grades back at once: the answers need not wait for the relay to publish.
            extra = {"Prefer": "consistency=eventual", **({TOKEN: self._grade_token} if self._grade_token else {})}
            try:
                # The key is this run's (as for a single grade): the service tells a repeated fact (UNCHANGED)
                # from a correction by the fact's natural key.
                answer = await self._call(
                    "POST",
                    "/api/v1/assessments/history/batch",
                    json={"items": items},
                    key=self._batch_key(f"grades{attempt}", pending, per_run=True),
                    extra=extra,
                    ok=(200, 207),
                )
            except ApiError as error:
                if error.status >= 500:
                    raise
                for record in pending:
                    await self._guarded(record, "姓名", self.grade)
                return
            later = []
            for record, item in zip(pending, answer["items"], strict=True):
                problem = item.get("problem")
                if problem and problem.get("status") == 404 and problem.get("field") == "cadre_id" and delay:
                    later.append(record)  # registered a moment ago and not yet known there: again, shortly
                    continue
                if problem:
                    self._problem(record, problem, GRADE_HEADERS, "姓名")
                else:
                    outcome = {"RECORDED": "created", "CORRECTED": "corrected"}.get(item["outcome"], "unchanged")
                    self.outcome.counts[(record.kind, outcome)] += 1
                self.tick()
            if not later:
                return
            pending = later
            await asyncio.sleep(delay)

    async def org_unit(self, record: Record) -> str:
        code = record.values["code"]
        response = await self.client.get(f"/api/v1/org-units/{code}", headers=self.headers)
        if response.status_code == 404:
            body = {k: record.values[k] for k in ("code", "name", "agency_level")}
            if record.values.get("parent_id"):
                body["parent_id"] = record.values["parent_id"]
            await self._call("POST", "/api/v1/org-units", json=body, key=_key(record, "code"))
            return "created"
        if response.status_code != 200:
            raise ApiError(response)
        current = response.json()
        changes = {k: record.values[k] for k in ("name", "agency_level") if current.get(k) != record.values[k]}
        if not changes:
            return "unchanged"
        await self._call("PATCH", f"/api/v1/org-units/{code}", json={"version": current["version"], **changes})
        return "corrected"

    async def _index(self) -> dict[tuple[str, str, str], list[dict[str, Any]]]:
        """Reads the caller's register once (a page of 100 at a time) and indexes it by natural key."""
        async with self._reading:
            return self._register if self._register is not None else await self._read_register()

    async def _read_register(self) -> dict[tuple[str, str, str], list[dict[str, Any]]]:
        index: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        cursor = None
        while True:
            params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
            page = await self._call("GET", "/api/v1/cadres?" + str(httpx.QueryParams(params)))
            for cadre in page["items"]:
                index.setdefault((cadre["name"], cadre["gender"], cadre["birth_date"]), []).append(cadre)
            cursor = page.get("next_cursor")
            if not cursor:
                break
        self._register = index
        return index

    async def _find_cadre(self, record: Record) -> dict[str, Any] | None:
        v = record.values
        found = (await self._index()).get((v["name"], v["gender"], v["birth_date"]), [])
        if len(found) > 1:
            raise ValueError("the register already holds more than one cadre with this name, gender and birth date")
        return found[0] if found else None

    async def cadre(self, record: Record) -> str:
        v = record.values
        try:
            current = await self._find_cadre(record)
        except ValueError as error:
            self.outcome.issues.append(Issue(record.sheet, record.row, "姓名", str(error)))
            return "failed"
        outcome = "unchanged"
        if current is None:
            body = {k: v[k] for k in CADRE_FIELDS if k in v} | {"org_unit_id": v["org_unit_id"]}
            created = await self._call(
                "POST", "/api/v1/cadres", json=body, key=_key(record, "name", "gender", "birth_date")
            )
            cadre_id, outcome = created["id"], "created"
            (await self._index())[(v["name"], v["gender"], v["birth_date"])] = [{**body, "id": cadre_id}]
        else:
            cadre_id = current["id"]
            changes = {k: v[k] for k in CORRECTABLE if k in v and current.get(k) != v[k]}
            if changes:
                await self._call("PATCH", f"/api/v1/cadres/{cadre_id}", json={"version": current["version"], **changes})
                outcome = "corrected"
            if v.get("id_number") and await self._id_number(record, current):
                outcome = "corrected"
            if current["org_unit_id"] != v["org_unit_id"]:
                self.outcome.issues.append(
                    Issue(
                        record.sheet,
                        record.row,
                        "单位代码",
                        (
                            "the register places this cadre in another unit: a move is a transfer with its own date, "
                            "not an import correction (left as it is)"
                        ),
                    )
                )
        if await self._holdings(record, cadre_id) and outcome == "unchanged":
            outcome = "corrected"
        return outcome

    async def _id_number(self, record: Record, current: dict[str, Any]) -> bool:
        """Gives a registered cadre the row's ID number unless the register already has it: for this cadre nothing
        to do, for another a duplicate reported (never merged). The number goes in bodies only, never in a URL."""
        found = await self._call("POST", "/api/v1/cadres/search", json={"id_number": record.values["id_number"]})
        holders = {c["id"] for c in found["items"]}
        if current["id"] in holders:
            return False
        if holders:
            self.outcome.issues.append(
                Issue(
                    record.sheet,
                    record.row,
                    HEADERS["id_number"],
                    (
                        f"another cadre of the register holds this ID number ({mask_id_number(record.values['id_number'])}): "
                        "not merged, left as it is"
                    ),
                )
            )
            return False
        await self._call(
            "PATCH",
            f"/api/v1/cadres/{current['id']}",
            json={"version": current["version"], "id_number": record.values["id_number"]},
        )
        current["version"] += 1
        return True

    async def _history(self, record: Record, url: str, fields: tuple[str, ...], key: tuple[str, ...]) -> str:
        """Records a past fact of a registered cadre; its answer says RECORDED, CORRECTED or UNCHANGED."""
        try:
            cadre = await self._find_cadre(record)
        except ValueError as error:
            self.outcome.issues.append(Issue(record.sheet, record.row, "姓名", str(error)))
            return "failed"
        if cadre is None:
            self.outcome.issues.append(Issue(record.sheet, record.row, "姓名", "no such cadre in the register"))
            return "failed"
        body = {
            "cadre_id": cadre["id"],
            "source": "IMPORT",
            **{f: record.values[f] for f in fields if f in record.values},
        }
        # The key is this run's: the service itself tells a repeated fact (UNCHANGED) from a correction by the
        # fact's natural key, so another run must not get the first run's stored answer ("RECORDED") replayed.
        idem = _key(record, *key)[:40] + "-" + self.run_id
        # A cadre registered a moment ago reaches the other services through events: until then they answer 404
        # for the cadre; wait for it (bounded) rather than fail the row.
        answer = await self._post_fact(url, body, idem)
        return {"RECORDED": "created", "CORRECTED": "corrected"}.get(answer["outcome"], "unchanged")

    async def _post_fact(self, url: str, body: dict[str, Any], idem: str, waits_for: str = "cadre_id") -> Any:
        """POSTs a past fact; while the service does not know yet what it names (the cadre, 404 on `waits_for`; for
        an appeal also the decision appealed, 422 appeal.target_unknown), again a little later (bounded)."""
        for delay in (0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 0):
            try:
                return await self._call("POST", url, json=body, key=idem)
            except ApiError as error:
                later = (error.status == 404 and error.field == waits_for) or (
                    error.status == 422 and error.rule == "appeal.target_unknown"
                )
                if not later or not delay:
                    raise
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    async def grade(self, record: Record) -> str:
        return await self._history(
            record,
            "/api/v1/assessments/history",
            (
                "year",
                "grade",
                "decided_on",
                "notified_on",
                "publicity_from",
                "publicity_to",
                "document_no",
                "undetermined_reason",
            ),
            ("name", "gender", "birth_date", "year"),
        )

    async def sanction(self, record: Record) -> str:
        return await self._history(
            record,
            "/api/v1/sanctions/history",
            ("system", "type", "decided_on", "effective_from", "document_number"),
            ("name", "gender", "birth_date", "system", "type", "decided_on", "document_number"),
        )

    async def award(self, record: Record) -> str:
        return await self._history(
            record, "/api/v1/awards/history", AWARD_FIELDS, ("name", "gender", "birth_date", "type", "document_no")
        )

    async def appeal(self, record: Record) -> str:
        """Records a past appeal: the decision appealed is the cadre's grade of the year named, or the sanction of
        the 处分 row named by its 文号 (recorded again, unchanged, which answers its id)."""
        v = record.values
        try:
            cadre = await self._find_cadre(record)
        except ValueError as error:
            self.outcome.issues.append(Issue(record.sheet, record.row, "姓名", str(error)))
            return "failed"
        if cadre is None:
            self.outcome.issues.append(Issue(record.sheet, record.row, "姓名", "no such cadre in the register"))
            return "failed"
        target = v["target"]
        if "year" in target:
            page = await self._call(
                "GET",
                "/api/v1/assessments?" + str(httpx.QueryParams({"cadre_id": cadre["id"], "year": target["year"]})),
            )
            if not page["items"]:
                self.outcome.issues.append(
                    Issue(
                        record.sheet,
                        record.row,
                        "原处理决定",
                        "the register holds no grade of this cadre for this year",
                    )
                )
                return "failed"
            target_type, target_ref = "ANNUAL_GRADE", f"annual-assessment/{page['items'][0]['id']}"
        else:
            sanction = target["sanction"]
            fact = {"cadre_id": cadre["id"], "source": "IMPORT", **sanction}
            found = await self._post_fact(
                "/api/v1/sanctions/history",
                fact,
                "import-appeal-"
                + hashlib.sha256(f"{cadre['id']}|{record.digest}".encode()).hexdigest()[:40]
                + "-"
                + self.run_id,
            )
            target_type, target_ref = SYSTEM_TARGET[sanction["system"]], f"sanction/{found['id']}"
        body = {
            "appellant_cadre_id": cadre["id"],
            "target_type": target_type,
            "target_ref": target_ref,
            "source": "IMPORT",
            **{f: v[f] for f in APPEAL_FIELDS if f in v},
        }
        stage = STAGE_ORDER.index(v["stage"])
        if stage > 0:
            previous = await self._previous_appeal(cadre["id"], target_ref, STAGE_ORDER[:stage])
            if previous:
                body["previous_appeal_id"] = previous
        idem = _key(record, "name", "gender", "birth_date", "stage")[:40] + "-" + self.run_id
        answer = await self._post_fact("/api/v1/appeals/history", body, idem, waits_for="appellant_cadre_id")
        return {"RECORDED": "created", "CORRECTED": "corrected"}.get(answer["outcome"], "unchanged")

    async def _previous_appeal(self, cadre_id: str, target_ref: str, stages: tuple[str, ...]) -> str | None:
        """The latest earlier-stage appeal of this cadre against this decision, if the register holds one."""
        found: dict[str, str] = {}
        cursor = None
        while True:
            params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
            page = await self._call("GET", "/api/v1/appeals?" + str(httpx.QueryParams(params)))
            for item in page["items"]:
                if (
                    item["appellant_cadre_id"] == cadre_id
                    and item["target_ref"] == target_ref
                    and item["stage"] in stages
                ):
                    found[item["stage"]] = item["id"]
            cursor = page.get("next_cursor")
            if not cursor:
                break
        return next((found[s] for s in reversed(stages) if s in found), None)

    async def _holdings(self, record: Record, cadre_id: str) -> bool:
        """Adds the rank and post the row names, taken up on their dates, unless the register has them."""
        v = record.values
        wanted = [(kind, v[f"{kind}_code"], v[f"{kind}_since"]) for kind in ("rank", "post") if v.get(f"{kind}_code")]
        if not wanted:
            return False
        history = await self._call("GET", f"/api/v1/cadres/{cadre_id}/history")
        changed = False
        for kind, code, since in wanted:
            held = history[f"{kind}_holdings"]
            if any(h[f"{kind}_code"] == code and h["since"] == since for h in held):
                continue
            body = {f"{kind}_code": code, "since": since, "basis": "INITIAL" if not held else "CORRECTION"}
            key = "import-" + hashlib.sha256(f"{cadre_id}|{kind}|{code}|{since}".encode()).hexdigest()[:48]
            await self._call("POST", f"/api/v1/cadres/{cadre_id}/{kind}-holdings", json=body, key=key)
            changed = True
        return changed


def _parents_first(records: list[Record]) -> list[Record]:
    """Orders units so that every parent in the file comes before its children."""
    by_code = {r.values["code"]: r for r in records}
    ordered: list[Record] = []
    done: set[str] = set()

    def visit(record: Record, trail: frozenset[str]) -> None:
        code = record.values["code"]
        if code in done or code in trail:
            return
        parent = by_code.get(record.values.get("parent_id") or "")
        if parent is not None:
            visit(parent, trail | {code})
        done.add(code)
        ordered.append(record)

    for record in records:
        visit(record, frozenset())
    return ordered
