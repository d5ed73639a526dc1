"""The one vocabulary is complete: every code a person reads has a zh-CN label (kernel/data/labels_zh.py).

Each test fails when a code appears without a label: a member of a StrEnum of a service's domain, a value of a
domain's constant table (kinds, categories, sources), a state of a workflow (transition tables and the statuses a
domain assigns), a role, or a rule code passed as `rule=` anywhere in services/, kernel/, gateway/ or suite/.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from enum import StrEnum
from pathlib import Path

import pytest

from kernel import i18n, labels
from kernel.auth import Role
from kernel.data import labels_zh

ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u4e00-\u9fff]")

# StrEnums of the services' domains → their vocabulary (a new enum must be added here and labelled).
DOMAIN_ENUMS = {
    "services.appraisal.domain.grades:Effect": "grade_effect",
    "services.petitions.domain.vocab:Channel": "report_channel",
    "services.petitions.domain.vocab:Identity": "report_identity",
    "services.petitions.domain.vocab:PetitionType": "petition_type",
    "services.petitions.domain.vocab:Jurisdiction": "jurisdiction",
    "services.petitions.domain.vocab:NotAcceptedReason": "not_accepted_reason",
    "services.petitions.domain.vocab:DisposalMode": "disposal_mode",
    "services.petitions.domain.vocab:ReportStatus": "report_status",
    "services.petitions.domain.vocab:StatementKind": "statement_kind",
    "services.petitions.domain.vocab:StatementStatus": "statement_status",
    "services.petitions.domain.vocab:DeadlineStatus": "deadline_status",
    "services.petitions.domain.vocab:FalseAccusationStatus": "false_accusation_status",
    "services.petitions.domain.vocab:Referral": "referral",
    "services.petitions.domain.vocab:ClarificationStatus": "clarification_status",
    "services.petitions.domain.vocab:AppealStatus": "appeal_status",
    "services.petitions.domain.rules.periods:Unit": "period_unit",
    "services.petitions.domain.appeal_history:HistorySource": "history_source",
    "services.petitions.domain.appeal_history:Outcome": "history_outcome",
    "services.tolerance.domain.history:HistorySource": "history_source",
    "services.tolerance.domain.history:Outcome": "history_outcome",
    "services.tolerance.domain.sanction:SanctionStatus": "sanction_status",
    "services.tolerance.domain.sanction:Origin": "sanction_origin",
    "services.tolerance.domain.rules.tolerance:Condition": "tolerance_condition",
    "services.tolerance.domain.rules.tolerance:Exclusion": "tolerance_exclusion",
    "services.tolerance.domain.rules.tolerance:Ground": "tolerance_ground",
    "services.tolerance.domain.rules.tolerance:Initiator": "tolerance_initiator",
    "services.tolerance.domain.rules.catalogue:PeriodKind": "period_kind",
    "services.tolerance.domain.tolerance_case:CaseStatus": "tolerance_case_status",
    "services.tolerance.domain.tolerance_case:Vote": "tolerance_vote",
    "services.tolerance.domain.investigation:InvestigationStatus": "investigation_status",
    "services.tolerance.domain.investigation:InvestigationResult": "investigation_result",
    "services.tolerance.domain.investigation:EffectLevel": "effect_level",
    "services.tolerance.domain.reinstatement:ReinstatementStatus": "reinstatement_status",
    "services.tolerance.domain.reinstatement:Objection": "reinstatement_objection",
}
# Constant tables of codes in the domains → their vocabulary.
DOMAIN_TABLES = {
    "services.appraisal.domain.records:CATEGORIES": "performance_record_category",
    "services.appraisal.domain.inaction:SOURCE_TYPES": "inaction_source",
    "services.appraisal.domain.inaction:GROUPS": "inaction_group",
    "services.appraisal.domain.grades:UNDETERMINED_REASONS": "undetermined_reason",
    "services.appraisal.domain.grades:REGULAR_RESULTS": "regular_result",
    "services.appraisal.domain.rules.coverage:INCENTIVE_KINDS": "incentive_kind",
    "services.appraisal.domain.rules.form:INDICATORS": "assessment_indicator",
    "services.appraisal.domain.rules.awards:AWARD_TYPES": "award_type",
    "services.appraisal.domain.rules.awards:BASES": "award_basis",
    "services.appraisal.domain.rules.talks:TALK_TYPES": "talk_type",
    "services.appraisal.domain.rules.talks:SCHEDULE_REASONS": "talk_schedule_reason",
    "services.appraisal.domain.rules.talks:ADMONISHMENT_ROLES": "role",
    "services.appraisal.domain.past_grades:SOURCES": "history_source",
    "services.petitions.domain.vocab:CATEGORIES": "report_category",
    "services.petitions.domain.rules.deadlines:RULES": "deadline_kind",
    "services.petitions.domain.rules.deadlines:STATEMENT_KINDS": "deadline_kind",
    "services.petitions.domain.rules.approval:TIERS": "approval_tier",
    "services.petitions.domain.rules.clarification:SCOPES": "clarification_scope",
    "services.petitions.domain.rules.clarification:METHODS": "clarification_method",
    "services.petitions.domain.clarification:REASONS": "clarification_reason",
    "services.rank.domain.model:AGENCY_LEVELS": "agency_level",
    "services.rank.domain.model:GENDERS": "gender",
    "services.rank.domain.model:CATEGORIES": "cadre_category",
    "services.rank.domain.model:EDUCATIONS": "education",
    "services.rank.domain.model:RELATIONS": "relation",
    "services.rank.domain.model:MANUAL_BASES": "change_basis",
    "services.rank.domain.contract:KINDS": "contract_kind",
    "services.rank.domain.contract:OUTCOMES": "contract_outcome",
    "services.rank.domain.contract:GROUNDS": "termination_ground",
    "services.rank.domain.past_contracts:SOURCES": "history_source",
    "services.rank.domain.track:STAGES": "career_stage",
    "services.rank.domain.track:STEPS": "development_step",
    "services.rank.domain.ladder:SERIES": "rank_series",
    "services.rank.domain.points:AWARD_TYPES": "award_type",
    "services.rank.domain.points:AWARD_SCOPES": "award_scope",
    "services.rank.domain.rules.ladders:EDUCATION_ORDER": "education",
}
# Each aggregate's module → the vocabulary of its states: the states of its transition table (`*_TRANSITIONS`),
# the values of `*OUTCOME_STATUS*` and every string the module assigns to or compares with a `status`.
WORKFLOWS = {
    "services/appraisal/domain/assessment.py": "assessment_status",
    "services/appraisal/domain/award.py": "award_status",
    "services/appraisal/domain/talk.py": "talk_status",
    "services/appraisal/domain/records.py": "performance_record_status",
    "services/appraisal/domain/inaction.py": "finding_status",
    "services/rank/domain/contract.py": "contract_status",
    "services/petitions/domain/report.py": "report_status",
    "services/petitions/domain/appeal.py": "appeal_status",
    "services/petitions/domain/statement.py": "statement_status",
    "services/petitions/domain/deadline.py": "deadline_status",
    "services/petitions/domain/clarification.py": "clarification_status",
    "services/petitions/domain/false_accusation.py": "false_accusation_status",
    "services/tolerance/domain/sanction.py": "sanction_status",
    "services/tolerance/domain/restrictions.py": "restriction_status",
    "services/tolerance/domain/investigation.py": "investigation_status",
    "services/tolerance/domain/tolerance_case.py": "tolerance_case_status",
    "services/tolerance/domain/reinstatement.py": "reinstatement_status",
}
# A class of a module holding several aggregates → the vocabularies of its states (the batch moves its candidates).
WORKFLOW_CLASSES = {
    ("services/rank/domain/batch.py", "PromotionBatch"): ("batch_status", "candidate_status"),
    ("services/rank/domain/batch.py", "Candidate"): ("candidate_status",),
    ("services/rank/domain/model.py", "Demotion"): ("demotion_status",),
}


def _load(ref: str):
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(module), name)


def _unlabelled(vocabulary: str, codes) -> list[str]:
    table = labels.VOCABULARIES[vocabulary]
    return sorted(str(c) for c in codes if str(c) not in table)


def test_every_label_is_chinese_and_every_statute_names_a_statute():
    for name, table in labels.VOCABULARIES.items():
        for code, text in table.items():
            assert text and CJK.search(text), (name, code, text)
    for name, table in labels.STATUTES.items():
        assert name in labels.VOCABULARIES, name
        for code, law in table.items():
            assert code == "*" or code in labels.VOCABULARIES[name], (name, code)
            assert law.startswith("《"), (name, code, law)
    for code, text in labels.RULES.items():
        assert CJK.search(text), (code, text)
    assert set(labels.RULE_STATUTES) <= set(labels.RULES)


def test_every_role_has_a_label():
    assert _unlabelled("role", Role) == []
    assert set(labels.VOCABULARIES["role"]) == {r.value for r in Role}


def test_every_strenum_of_a_domain_is_mapped_and_labelled():
    found = set()
    for path in sorted((ROOT / "services").glob("*/domain/**/*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for name, cls in inspect.getmembers(importlib.import_module(module), inspect.isclass):
            if issubclass(cls, StrEnum) and cls.__module__ == module and cls.__name__ == name:
                found.add(f"{module}:{name}")
    assert sorted(found - set(DOMAIN_ENUMS)) == [], "a domain enum without a vocabulary: add it to DOMAIN_ENUMS"
    for ref, vocabulary in DOMAIN_ENUMS.items():
        assert _unlabelled(vocabulary, (m.value for m in _load(ref))) == [], ref


@pytest.mark.parametrize("ref", sorted(DOMAIN_TABLES))
def test_every_code_of_a_domain_table_is_labelled(ref):
    assert _unlabelled(DOMAIN_TABLES[ref], _load(ref)) == []


def _status_literals(tree: ast.AST) -> set[str]:
    """Strings assigned to or compared with a `status`, passed to `_set(...)`, or states of a transition table."""
    out: set[str] = set()

    def strings(node: ast.AST) -> set[str]:
        return {
            n.value
            for n in ast.walk(node)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value.isupper()
        }

    def is_status(node: ast.AST) -> bool:
        return (isinstance(node, ast.Name) and node.id == "status") or (
            isinstance(node, ast.Attribute) and node.attr == "status"
        )

    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [t for target in targets for t in (target.elts if isinstance(target, ast.Tuple) else [target])]
            if any(is_status(t) for t in names) and node.value is not None:
                value = node.value
                if isinstance(value, ast.Tuple):  # `self.status, x = "A", y`
                    value = value.elts[[is_status(t) for t in names].index(True)]
                if isinstance(value, (ast.Constant, ast.IfExp)):
                    out |= strings(value)
            if any(
                isinstance(t, ast.Name) and (t.id.endswith("_TRANSITIONS") or "OUTCOME_STATUS" in t.id) for t in names
            ) and isinstance(node.value, ast.Dict):
                out |= set().union(*(strings(v) for v in node.value.values)) if node.value.values else set()
        elif isinstance(node, ast.Compare) and is_status(node.left):
            for comparator in node.comparators:
                out |= strings(comparator)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "_set":
            out |= strings(node.args[0]) if node.args else set()
    return out


@pytest.mark.parametrize("path", sorted(WORKFLOWS))
def test_every_state_of_a_workflow_is_labelled(path):
    states = _status_literals(ast.parse((ROOT / path).read_text(encoding="utf-8")))
    # Transition tables keyed by enum members (A.FILED) are covered by the enum test; the strings must be labelled.
    assert _unlabelled(WORKFLOWS[path], states) == []


@pytest.mark.parametrize(("path", "cls"), sorted(WORKFLOW_CLASSES))
def test_every_state_of_a_workflow_class_is_labelled(path, cls):
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    node = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls)
    states = _status_literals(node)
    assert states, f"{cls}: no states found (the scan no longer sees them)"
    known = set().union(*(labels.VOCABULARIES[v] for v in WORKFLOW_CLASSES[(path, cls)]))
    assert sorted(states - known) == []


def test_the_workflow_scan_finds_states():
    """The scan is not vacuous: it finds the assessment's and the contract's states."""
    assessment = _status_literals(ast.parse((ROOT / WORKFLOWS_ASSESSMENT).read_text(encoding="utf-8")))
    assert {"DRAFT", "RULE_CHECKED", "FINAL", "SUPPLEMENT_PENDING"} <= assessment
    contract = _status_literals(ast.parse((ROOT / "services/rank/domain/contract.py").read_text(encoding="utf-8")))
    assert {"SIGNED", "RENEWAL_REVIEW", "TERMINATED", "ADJUSTED_UP"} <= contract


WORKFLOWS_ASSESSMENT = "services/appraisal/domain/assessment.py"


# -- rules ------------------------------------------------------------------------------------------------------
SCANNED = ("services", "kernel", "gateway", "suite")


def rule_codes() -> dict[str, tuple[str, bool]]:
    """Every rule code passed as `rule=` in the source → (file, built at run time). An f-string's placeholders
    become `*`, except module constants (`f"{RULE}.year"` with `RULE = "award_history"`) which are resolved."""
    found: dict[str, tuple[str, bool]] = {}
    for root in SCANNED:
        for path in sorted((ROOT / root).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            constants = {
                t.id: node.value.value
                for node in tree.body
                if isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
                for t in node.targets
                if isinstance(t, ast.Name)
            }
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                for keyword in node.keywords:
                    value = keyword.value
                    if keyword.arg != "rule":
                        continue
                    if isinstance(value, ast.Constant) and isinstance(value.value, str):
                        found.setdefault(value.value, (str(path.relative_to(ROOT)), False))
                    elif isinstance(value, ast.Name) and value.id in constants and _raises(node):
                        found.setdefault(constants[value.id], (str(path.relative_to(ROOT)), False))
                    elif isinstance(value, ast.JoinedStr):
                        parts = []
                        for piece in value.values:
                            if isinstance(piece, ast.Constant):
                                parts.append(piece.value)
                            elif isinstance(piece.value, ast.Name) and piece.value.id in constants:
                                parts.append(constants[piece.value.id])
                            else:
                                parts.append("*")
                        found.setdefault("".join(parts), (str(path.relative_to(ROOT)), True))
    return found


ERRORS = {
    "RuleViolation",
    "NotFound",
    "Conflict",
    "Forbidden",
    "InvalidTransition",
    "ConcurrencyError",
    "DomainError",
    "ProblemException",
}


def _raises(call: ast.Call) -> bool:
    """A call building an error (its `rule=` is a whole code; a helper's `rule=` may be a prefix)."""
    func = call.func
    return (func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")) in ERRORS


def test_the_rule_scan_finds_the_rules():
    codes = rule_codes()
    assert len(codes) > 300
    assert {"cadre.birth_date", "assessment.excellent_quota", "*.transition", "award_history.year"} <= set(codes)


def test_every_rule_code_in_the_source_has_a_chinese_message():
    missing = []
    for code, (path, built) in sorted(rule_codes().items()):
        if built and set(code.replace(".", "")) == {"*"}:
            continue  # only placeholders (a helper's `{rule}.{name}`): the codes its callers pass are checked
        # A literal code is labelled by itself; a code built at run time by its pattern (`grade.*`, `*.transition`).
        labelled = labels.rule_key(code) is not None if built else code in labels.RULES
        if not labelled:
            missing.append(f"{code} ({path})")
    assert missing == [], "rule codes without a zh-CN message in kernel/data/labels_zh.py: " + ", ".join(missing)


def test_consistency_rules_of_the_kernel_are_labelled():
    from kernel import consistency

    assert labels.rule_label(consistency.PROPAGATING_RULE) and labels.rule_label(consistency.DIRECTORY_RULE)


def test_every_entity_of_an_invalid_transition_is_named_with_its_states():
    entities = set()
    for path in sorted((ROOT / "services").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "InvalidTransition"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                entities.add(node.args[0].value)
    assert entities and sorted(entities - set(labels_zh.ENTITIES)) == []
    for name, (text, vocabulary) in labels_zh.ENTITIES.items():
        assert CJK.search(text) and vocabulary in labels.VOCABULARIES, name


def test_the_field_maps_name_existing_vocabularies():
    for field, vocabularies in i18n.FIELD_VOCABULARIES.items():
        assert all(v in labels.VOCABULARIES for v in vocabularies), field
    for context, fields in i18n.CONTEXTS.items():
        assert all(v in labels.VOCABULARIES for v in fields.values()), context
    assert set(i18n.CONTEXT_NAMES.values()) <= set(i18n.CONTEXTS)


def test_every_status_vocabulary_is_reachable_from_the_status_field():
    statuses = {name for name in labels.VOCABULARIES if name.endswith("_status")} - {"grade_status"}
    assert statuses <= set(i18n.FIELD_VOCABULARIES["status"])


def test_every_problem_type_and_status_has_chinese_words():
    """Titles of every status kernel.web answers, and a detail for every problem type the source names."""
    from gateway.clients.base import Failure
    from kernel import web
    from kernel.errors import ErrorKind

    assert sorted(set(web._TITLES) - set(labels_zh.PROBLEM_TITLES)) == []
    types = {title.lower().replace(" ", "-") for title in web._TITLES.values()}
    types |= {kind.value for kind in ErrorKind} | {f"upstream-{f.value}" for f in Failure}
    for root in SCANNED:
        for path in sorted((ROOT / root).rglob("*.py")):
            types |= set(re.findall(r'type_="([a-z\-]+)"', path.read_text(encoding="utf-8")))
    assert sorted(types - set(labels_zh.PROBLEM_TYPES)) == []
