"""The accountability index formula: a worked example, every component explained, removals recompute."""

from __future__ import annotations

from services.appraisal.domain.rules.index_formula import FORMULAS, Inputs, RecordFact, compute

F = FORMULAS["2026.1"]


def full_inputs() -> Inputs:
    return Inputs(
        records=(
            RecordFact("r1", "KEY_TASK", 2),
            RecordFact("r2", "REFORM_INNOVATION", 1),
            RecordFact("r3", "URGENT_HARD", 1),
            RecordFact("r4", "PUBLIC_EVALUATION", 90),
        ),
        regular=(("g1", "GOOD"), ("g2", "FAIRLY_GOOD")),
        awards=(("a1", "COMMENDATION"),),
        findings=(("f1", 8.0),),
        reports=(("rep1", "SUBSTANTIATED"),),
        sanctions=(("s1", "GOV", "WARNING"), ("s2", "ORG_HANDLING", "POST_ADJUSTMENT")),
    )


def test_worked_example():
    result = compute(F, full_inputs())
    by = {c.source: c for c in result.components}
    # records: KEY_TASK 10×2 + REFORM 12×1 = 32 of 40 → 80 → ×0.40 = 32
    assert by["PERFORMANCE_RECORDS"].raw == 32 and by["PERFORMANCE_RECORDS"].contribution == 32.0
    assert by["PERFORMANCE_RECORDS"].ref_ids == ("r1", "r2")
    assert by["REGULAR_ASSESSMENT"].contribution == 18.0  # mean(100, 80) × 0.20
    assert by["URGENT_HARD_TASKS"].contribution == 7.5  # 15 of 30 → 50 × 0.15
    assert by["PUBLIC_EVALUATION"].contribution == 13.5  # 90 × 0.15
    assert by["AWARDS"].contribution == 4.0  # 40 × 0.10
    assert by["INACTION_FINDINGS"].contribution == -8.0 and by["INACTION_FINDINGS"].ref_ids == ("f1",)
    assert by["SUBSTANTIATED_REPORTS"].contribution == -10.0
    assert by["SANCTIONS"].contribution == -10.0 and by["ORG_HANDLING"].contribution == -8.0
    assert result.total == 39.0 and result.formula_version == "2026.1"


def test_removing_a_tolerated_finding_raises_the_score_by_its_points():
    inputs = full_inputs()
    without = Inputs(**{**inputs.__dict__, "findings": ()})
    assert compute(F, without).total - compute(F, inputs).total == 8.0
    assert "INACTION_FINDINGS" not in {c.source for c in compute(F, without).components}


def test_an_unfounded_report_no_longer_counts():
    inputs = full_inputs()
    unfounded = Inputs(**{**inputs.__dict__, "reports": (("rep1", "UNFOUNDED"),)})
    assert compute(F, unfounded).total == compute(F, inputs).total + 10.0


def test_the_total_is_clamped_and_empty_inputs_score_zero():
    assert compute(F, Inputs()).total == 0.0
    heavy = Inputs(sanctions=tuple((f"s{i}", "PARTY", "PARTY_EXPULSION") for i in range(5)))
    assert compute(F, heavy).total == 0.0
    rich = Inputs(
        records=tuple(RecordFact(f"r{i}", "KEY_TASK", 3) for i in range(20))
        + tuple(RecordFact(f"u{i}", "URGENT_HARD", 1) for i in range(5))
        + (RecordFact("p", "PUBLIC_EVALUATION", 100),),
        regular=(("g", "GOOD"),),
        awards=(("a", "MERIT_1"),),
    )
    assert compute(F, rich).total == 100.0


def test_weights_of_the_formula_sum_to_one():
    assert abs(sum(F.weights.values()) - 1.0) < 1e-9
