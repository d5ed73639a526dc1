"""Languages: zh-CN labels next to coded fields, problem+json in Chinese, and the vocabulary endpoint.

One place for all of it (docs/DEVELOPING.md, "Languages and labels"):
- `negotiate(accept_language, default)` picks `zh-CN` or `en` (RFC 9110 §12.5.4 weights; `zh`, `zh-CN`, `zh-Hans…`
  are Chinese; nothing acceptable → the `default_language` setting).
- `label_document(obj, lang)` is pure: under zh-CN it returns a copy of a JSON document where every coded field
  (`grade`, `status`, `rank_code`, …) is followed by `<field>_label`, and a map keyed by codes
  (`contracts_by_status`, `grade_distribution`) by `<key>_label` {code: label}; under en it returns the document
  itself.
- `translate_problem(body)` gives a problem+json document a Chinese `title` and `detail` (from the rule's message,
  keeping the values of the English detail), and Chinese `errors[].message` for validation errors.
- `LanguageMiddleware` applies both to JSON answers of a Chinese request (English requests pass straight through)
  and marks them `Content-Language: zh-CN`, `Vary: Accept-Language`; an answer already marked (a service's answer
  relayed by the gateway) is not labelled twice.
- `vocabulary_router()` serves `GET /api/v1/vocabulary?lang=` (every vocabulary, its codes' labels and statutes).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kernel import labels
from kernel.data import labels_zh as data

ZH = "zh-CN"
EN = "en"
LANGUAGES = (EN, ZH)
Language = Literal["en", "zh-CN"]

# -- negotiation ----------------------------------------------------------------------------------------------


def _language_of(tag: str) -> str | None:
    tag = tag.strip().lower()
    if tag == "zh" or tag.startswith("zh-") and not tag.startswith(("zh-hant", "zh-tw", "zh-hk", "zh-mo")):
        return ZH
    if tag == "en" or tag.startswith("en-"):
        return EN
    return None


@lru_cache(maxsize=256)
def negotiate(accept_language: str | None, default: str = EN) -> str:
    """The answer's language for an Accept-Language header: the acceptable language of highest weight among zh-CN
    and en (the first listed on a tie); `*` or nothing acceptable → `default`."""
    if not accept_language:
        return default
    best: tuple[float, int, str] | None = None
    for position, part in enumerate(accept_language.split(",")[:32]):
        tag, _, params = part.partition(";")
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if weight <= 0:
            continue
        language = default if tag.strip() == "*" else _language_of(tag)
        if language is not None and (best is None or weight > best[0]):
            best = (weight, position, language)
    return best[2] if best else default


# -- labels in answers ----------------------------------------------------------------------------------------
# Field name → the vocabularies its codes come from, most likely first (the first one holding the value labels it).
FIELD_VOCABULARIES: dict[str, tuple[str, ...]] = {
    "grade": ("grade",),
    "final_grade": ("grade",),
    "original_grade": ("grade",),
    "new_grade": ("grade",),
    "proposed_grade": ("grade",),
    "previous_grade": ("grade",),
    "forced_grade": ("grade",),
    "rank_code": ("rank",),
    "target_rank": ("rank",),
    "from_rank": ("rank",),
    "to_rank": ("rank",),
    "target_rank_code": ("rank",),
    "entry_rank": ("rank",),
    "post_code": ("post",),
    "target_post": ("post",),
    "original_post": ("post",),
    "target_post_code": ("post",),
    "gender": ("gender",),
    "education": ("education",),
    "agency_level": ("agency_level",),
    "relation": ("relation",),
    "category": ("cadre_category", "report_category", "performance_record_category"),
    "series": ("rank_series",),
    "basis": ("change_basis", "award_basis"),
    "system": ("sanction_system",),
    "type": ("sanction_type", "award_type", "talk_type"),
    "kind": ("contract_kind", "statement_kind", "holding_kind", "deadline_kind"),
    "rank": ("rank",),
    "post": ("post",),
    "channel": ("report_channel",),
    "identity": ("report_identity",),
    "petition_type": ("petition_type",),
    "jurisdiction": ("jurisdiction",),
    "not_accepted_reason": ("not_accepted_reason",),
    "mode": ("disposal_mode",),
    "disposal_mode": ("disposal_mode",),
    "outcome": ("report_outcome", "contract_outcome", "history_outcome"),
    "result": ("appeal_result", "investigation_result", "regular_result"),
    "stage": ("appeal_stage", "career_stage"),
    "target_type": ("appeal_target",),
    "effect": ("restriction_effect", "grade_effect"),
    "effects": ("restriction_effect",),
    "source_type": ("restriction_source", "inaction_source"),
    "decision": ("tolerance_decision",),
    "origin": ("sanction_origin",),
    "initiator": ("tolerance_initiator",),
    "vote": ("tolerance_vote",),
    "ground": ("termination_ground", "tolerance_ground"),
    "grounds": ("tolerance_ground",),
    "conditions": ("tolerance_condition",),
    "exclusions": ("tolerance_exclusion",),
    "undetermined_reason": ("undetermined_reason",),
    "classification": ("false_accusation_status",),
    "referral": ("referral",),
    "spread": ("clarification_scope",),
    "scope": ("clarification_scope",),
    "method": ("clarification_method",),
    "reason": ("clarification_reason", "not_accepted_reason"),
    "effect_level": ("effect_level",),
    "objection": ("reinstatement_objection",),
    "group": ("inaction_group",),
    "role": ("role",),
    "roles": ("role",),
    "step": ("development_step",),
    "award_scope": ("award_scope",),
    "indicator": ("assessment_indicator",),
    "source": ("history_source",),
    "period_kind": ("period_kind",),
    "status": (
        "assessment_status",
        "report_status",
        "sanction_status",
        "tolerance_case_status",
        "appeal_status",
        "restriction_status",
        "award_status",
        "talk_status",
        "performance_record_status",
        "finding_status",
        "batch_status",
        "candidate_status",
        "contract_status",
        "demotion_status",
        "statement_status",
        "deadline_status",
        "false_accusation_status",
        "clarification_status",
        "investigation_status",
        "reinstatement_status",
    ),
}
# An object's kind (the route's first segment, or the key holding the object in a larger document) → the
# vocabulary of its ambiguous fields.
CONTEXTS: dict[str, dict[str, str]] = {
    "assessment": {"status": "assessment_status"},
    "award": {"status": "award_status", "type": "award_type"},
    "talk": {"status": "talk_status", "type": "talk_type"},
    "performance_record": {"status": "performance_record_status", "category": "performance_record_category"},
    "inaction_finding": {"status": "finding_status", "source_type": "inaction_source"},
    "report": {"status": "report_status", "category": "report_category"},
    "appeal": {"status": "appeal_status"},
    "statement": {"status": "statement_status", "kind": "statement_kind"},
    "deadline": {"status": "deadline_status"},
    "false_accusation": {"status": "false_accusation_status"},
    "clarification": {"status": "clarification_status", "reason": "clarification_reason"},
    "sanction": {"status": "sanction_status", "type": "sanction_type"},
    "restriction": {"status": "restriction_status", "source_type": "restriction_source"},
    "tolerance_case": {"status": "tolerance_case_status"},
    "investigation": {"status": "investigation_status", "result": "investigation_result"},
    "reinstatement": {"status": "reinstatement_status"},
    "promotion_batch": {"status": "batch_status"},
    "candidate": {"status": "candidate_status"},
    "contract": {
        "status": "contract_status",
        "kind": "contract_kind",
        "outcome": "contract_outcome",
        "ground": "termination_ground",
    },
    "demotion": {"status": "demotion_status"},
    "cadre": {"category": "cadre_category"},
    "holding": {"kind": "holding_kind"},
}
# Route segments and document keys naming those kinds (plural and singular, '-' or '_').
_CONTEXT_NAMES = {
    "assessments": "assessment",
    "assessment-years": "assessment",
    "awards": "award",
    "talks": "talk",
    "performance-records": "performance_record",
    "records": "performance_record",
    "inaction-findings": "inaction_finding",
    "findings": "inaction_finding",
    "reports": "report",
    "appeals": "appeal",
    "statements": "statement",
    "deadlines": "deadline",
    "false-accusations": "false_accusation",
    "clarifications": "clarification",
    "sanctions": "sanction",
    "restrictions": "restriction",
    "tolerance-cases": "tolerance_case",
    "investigations": "investigation",
    "reinstatements": "reinstatement",
    "promotion-batches": "promotion_batch",
    "batches": "promotion_batch",
    "candidates": "candidate",
    "contracts": "contract",
    "demotions": "demotion",
    "cadres": "cadre",
    "holdings": "holding",
    "grades": "assessment",
}
CONTEXT_NAMES: dict[str, str] = {
    **{k: v for name, v in _CONTEXT_NAMES.items() for k in (name, name.replace("-", "_"))},
    **{name: name for name in CONTEXTS},
}


def _table(vocabularies: tuple[str, ...]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for name in reversed(vocabularies):  # the first vocabulary wins
        merged.update(labels.VOCABULARIES[name])
    return merged


_FIELD_TABLES: dict[str, dict[str, str]] = {f: _table(v) for f, v in FIELD_VOCABULARIES.items()}
_CONTEXT_TABLES: dict[str | None, dict[str, dict[str, str]]] = {
    None: _FIELD_TABLES,
    **{
        ctx: {**_FIELD_TABLES, **{f: {**_FIELD_TABLES[f], **labels.VOCABULARIES[v]} for f, v in fields.items()}}
        for ctx, fields in CONTEXTS.items()
    },
}


def context_of_path(path: str) -> str | None:
    """The object kind of a route (`/api/v1/assessments/…` → assessment), None when it names none."""
    parts = path.split("/", 4)
    return CONTEXT_NAMES.get(parts[3]) if len(parts) > 3 and parts[1:3] == ["api", "v1"] else None


def label_document(obj: Any, lang: str, *, context: str | None = None) -> Any:
    """Adds `<field>_label` after every coded field of a JSON document under zh-CN (a new document; the input is
    not changed); under any other language returns `obj` itself. Values no vocabulary holds get no label; a
    document already carrying a field's label keeps it. `context` names the kind of the top-level object."""
    if lang != ZH:
        return obj
    return _walk(obj, _CONTEXT_TABLES.get(context, _FIELD_TABLES))


# Maps keyed by codes (counts in dashboards): `<things>_by_<field>` and these names → the field naming their codes.
_BY = re.compile(r"^(?:(.*)_)?by_([a-z_]+)$")
CODE_MAPS = {"grade_distribution": "grade"}


@lru_cache(maxsize=1024)
def _key_context(words: str) -> str | None:
    """The object kind a key's words name: `sanctions`, `open_reports` → report, `active_restrictions`."""
    while words:
        ctx = CONTEXT_NAMES.get(words)
        if ctx is not None:
            return ctx
        words = words.partition("_")[2]
    return None


def _context_tables(words: str | None, tables: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """The tables of the object kind a key's words name, else `tables`."""
    ctx = _key_context(words) if words else None
    return _CONTEXT_TABLES[ctx] if ctx is not None else tables


def _walk(obj: Any, tables: dict[str, dict[str, str]]) -> Any:
    if isinstance(obj, list):
        return [_walk(item, tables) if isinstance(item, (dict, list)) else item for item in obj]
    if not isinstance(obj, dict):
        return obj
    out: dict[str, Any] = {}
    for key, value in obj.items():
        if isinstance(value, str):
            out[key] = value
            table = tables.get(key)
            if table is not None:
                text = table.get(value)
                if text is not None and key + "_label" not in obj:
                    out[key + "_label"] = text
        elif isinstance(value, dict):
            ctx = _key_context(key)
            out[key] = _walk(value, _CONTEXT_TABLES[ctx] if ctx is not None else tables)
            by = _BY.match(key) if ctx is None else None
            field = CODE_MAPS.get(key) or (by.group(2) if by else None)
            if field is not None and key + "_label" not in obj:
                table = _context_tables(by.group(1) if by else None, tables).get(field)
                if table is not None:
                    named = {code: table[code] for code in value if code in table}
                    if named:
                        out[key + "_label"] = named
        elif isinstance(value, list):
            table = tables.get(key)
            if table is not None and value and isinstance(value[0], str):
                out[key] = value
                if key + "_label" not in obj and all(isinstance(v, str) and v in table for v in value):
                    out[key + "_label"] = [table[v] for v in value]
            else:
                ctx = _key_context(key)
                out[key] = _walk(value, _CONTEXT_TABLES[ctx] if ctx is not None else tables)
        else:
            out[key] = value
    return out


# -- problem+json ---------------------------------------------------------------------------------------------
_NUMBER = re.compile(r"(?<![\w.])(?:\d{4}-\d{2}-\d{2}|\d+(?:\.\d+)?)(?![\w])")
_CODE = re.compile(r"\b[A-Z][A-Z0-9_]*[A-Z0-9]\b")


def _unambiguous() -> dict[str, str]:
    """Codes with one label across every vocabulary (a code in a detail is shown by its label)."""
    seen: dict[str, set[str]] = {}
    for table in labels.VOCABULARIES.values():
        for code, text in table.items():
            seen.setdefault(code, set()).add(text)
    return {code: next(iter(texts)) for code, texts in seen.items() if len(texts) == 1}


_CODE_LABELS = _unambiguous()


def _numbers(text: str) -> list[str]:
    return _NUMBER.findall(text)


def _values(text: str) -> list[str]:
    """The values an English detail carries, in order: numbers and dates, and known codes by their label."""
    found = []
    for match in re.finditer(f"{_NUMBER.pattern}|{_CODE.pattern}", text):
        token = match.group(0)
        if token[0].isdigit():
            found.append(token)
        elif token in _CODE_LABELS:
            found.append(_CODE_LABELS[token])
    return found


def rule_detail(rule: str, english: str, body: dict[str, Any] | None = None) -> str | None:
    """The Chinese detail of a refusal by `rule`, keeping the values its English detail carries; None when the
    rule has no label."""
    key = labels.rule_key(rule)
    if key is None:
        return None
    body = body or {}
    if key == "*.transition":
        entity = rule.rpartition(".")[0]
        name, vocabulary = data.ENTITIES.get(entity, (entity, ""))
        state = body.get("state")
        state_text = labels.label(vocabulary, state) if isinstance(state, str) else ""
        return f"{name}当前状态为「{state_text}」，不能执行此操作" if state_text else f"{name}当前状态下不能执行此操作"
    message = labels.RULES[key]
    numbers = _numbers(english or "")
    template = data.RULE_DETAILS.get(key)
    if template is not None and template.count("{") == len(numbers):
        return template.format(*numbers)
    extra = [v for v in dict.fromkeys(_values(english or "")) if v not in message]
    return f"{message}（{'，'.join(extra)}）" if extra else message


def translate_problem(body: dict[str, Any]) -> dict[str, Any]:
    """A problem+json document with Chinese `title` and `detail` (and `errors[].message`); members such as `rule`,
    `field`, `source` and `errors[].field` are kept as they are, so clients can still act on them."""
    out = dict(body)
    status = body.get("status")
    if isinstance(status, int):
        out["title"] = data.PROBLEM_TITLES.get(status, "错误")
    problem_type = str(body.get("type") or "").rsplit("/", 1)[-1]
    english = str(body.get("detail") or "")
    detail = rule_detail(body["rule"], english, body) if isinstance(body.get("rule"), str) else None
    errors = body.get("errors")
    if isinstance(errors, list) and problem_type in ("validation", "malformed-json"):
        out["errors"] = [_translate_error(e) for e in errors]
        if problem_type == "validation":
            names = sorted({str(e.get("field")) for e in errors if isinstance(e, dict) and e.get("field")})
            detail = "输入无效：" + "、".join(names) if names else data.VALIDATION_DEFAULT
    if detail is None:
        detail = data.PROBLEM_TYPES.get(problem_type)
        values = [v for v in _numbers(english) if detail and v not in detail]
        if detail and values and problem_type in ("payload-too-large",):
            detail = f"{detail}（{'，'.join(values)} 字节）"
    if detail is None:
        detail = out.get("title") if isinstance(status, int) else english
    out["detail"] = detail
    return out


def _translate_error(error: Any) -> Any:
    if not isinstance(error, dict):
        return error
    code = error.get("code")
    return {**error, "message": data.VALIDATION.get(str(code), data.VALIDATION_DEFAULT)}


# -- the ASGI layer -------------------------------------------------------------------------------------------
_JSON = (b"application/json", b"application/problem+json")


class LanguageMiddleware:
    """Labels JSON answers and translates problems for requests whose language is zh-CN (one pure-ASGI layer).

    A request in English costs one header lookup. A Chinese request's JSON answer is buffered, labelled
    (`label_document`, the route's first segment giving the object kind) or translated (`translate_problem`) and
    sent with `Content-Language: zh-CN` and `Vary: Accept-Language`. Answers already carrying Content-Language
    (labelled by the service the gateway relays) and non-JSON answers (files, event streams) pass unchanged.
    """

    def __init__(self, app: ASGIApp, *, default_language: str = EN) -> None:
        self.app = app
        self.default = default_language

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        accept = None
        for name, value in scope.get("headers") or ():
            if name == b"accept-language":
                accept = value.decode("latin-1")
                break
        if negotiate(accept, self.default) != ZH or scope.get("method") == "HEAD":
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})["language"] = ZH
        held: list[Message] = []
        chunks: list[bytes] = []
        path = scope.get("path", "")
        context = context_of_path(path)
        # Answers of the API are labelled; elsewhere (OpenAPI documents, health) only problems are translated.
        api = path.startswith("/api/")

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers") or []
                ctype = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                marked = any(k.lower() == b"content-language" for k, _ in headers)
                if ctype.startswith(_JSON) and not marked and message.get("status") not in (204, 304):
                    held.append(message)
                    return
                await send(message)
                return
            if message["type"] == "http.response.body" and held:
                chunks.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                start = held.pop()
                body = b"".join(chunks)
                ctype = next((v for k, v in start.get("headers") or [] if k.lower() == b"content-type"), b"")
                problem = ctype.startswith(b"application/problem+json")
                if not (problem or api):
                    await send(start)
                    await send({"type": "http.response.body", "body": body})
                    return
                body = _transform(body, problem=problem, context=context)
                await send({**start, "headers": _headers(start.get("headers") or [], len(body))})
                await send({"type": "http.response.body", "body": body})
                return
            await send(message)

        await self.app(scope, receive, wrapped)


def _transform(body: bytes, *, problem: bool, context: str | None) -> bytes:
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError:
        return body
    if problem and isinstance(doc, dict):
        return orjson.dumps(translate_problem(doc))
    return orjson.dumps(label_document(doc, ZH, context=context))


def _headers(headers: list[tuple[bytes, bytes]], length: int) -> list[tuple[bytes, bytes]]:
    out = [(k, v) for k, v in headers if k.lower() not in (b"content-length", b"vary")]
    vary = [v for k, v in headers if k.lower() == b"vary"]
    out.append((b"content-length", str(length).encode()))
    out.append((b"content-language", ZH.encode()))
    out.append((b"vary", b", ".join([*vary, b"Accept-Language"]) if vary else b"Accept-Language"))
    return out


def request_language(request: Request) -> str:
    """The language of a request as the middleware decided it (zh-CN or the app's default otherwise)."""
    settings = getattr(request.app.state, "settings", None)
    default = getattr(settings, "default_language", EN)
    return negotiate(request.headers.get("accept-language"), default)


# -- the vocabulary ---------------------------------------------------------------------------------------------


def _english(code: str) -> str:
    text = code.replace("_", " ").replace(".", ": ").strip()
    return text[:1].upper() + text[1:].lower() if text.isupper() or "_" in code else text[:1].upper() + text[1:]


def vocabularies(lang: str) -> dict[str, dict[str, dict[str, str]]]:
    """Every vocabulary → code → {label, statute?}: the tables of `kernel.labels`, rules (`rule`) and field names
    (`field`) included. English labels are the codes spelled out; statutes are the Chinese titles either way."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    for name, table in labels.VOCABULARIES.items():
        entries: dict[str, dict[str, str]] = {}
        for code, text in table.items():
            entry = {"label": text if lang == ZH else _english(code)}
            law = labels.statute(name, code)
            if law:
                entry["statute"] = law
            entries[code] = entry
        out[name] = entries
    rules: dict[str, dict[str, str]] = {}
    for code, text in labels.RULES.items():
        entry = {"label": text if lang == ZH else _english(code)}
        if code in labels.RULE_STATUTES:
            entry["statute"] = labels.RULE_STATUTES[code]
        rules[code] = entry
    out["rule"] = rules
    out["field"] = {name: {"label": text if lang == ZH else _english(name)} for name, text in labels.FIELDS.items()}
    return out


@lru_cache(maxsize=2)
def vocabulary_body(lang: str) -> bytes:
    """The serialized answer of GET /api/v1/vocabulary in one language (built once)."""
    return orjson.dumps({"lang": lang, "vocabularies": vocabularies(lang)}, option=orjson.OPT_SORT_KEYS)


def vocabulary_response(request: Request, lang: str | None) -> Response:
    """The vocabulary answer: `lang` when given, else the request's negotiated language. Marked with its language
    (the middleware leaves it alone: it is already in the language asked for)."""
    chosen = lang or request_language(request)
    return Response(
        vocabulary_body(chosen),
        media_type="application/json",
        headers={"Content-Language": chosen, "Vary": "Accept-Language"},
    )


LangQuery = Annotated[Language | None, Query(description="en or zh-CN; default: the request's Accept-Language")]


def vocabulary_router(dependencies: Sequence[Any] = ()) -> APIRouter:
    """`GET /api/v1/vocabulary` for a service (`dependencies`: `Depends(...)` that check the token and roles)."""
    router = APIRouter(prefix="/api/v1", tags=["vocabulary"], dependencies=list(dependencies))

    @router.get("/vocabulary", responses={200: {"description": "vocabularies → codes → {label, statute?}"}})
    async def get_vocabulary(request: Request, lang: LangQuery = None) -> Response:
        """Every code of the suite with its label (zh-CN or en) and, for regulation terms, the statute."""
        return vocabulary_response(request, lang)

    return router
