"""Year-end bonus allocation by grade coefficients (§1.2: 称职 or better paid, 基本称职/不称职 none [S]) [D]."""

from __future__ import annotations

from dataclasses import dataclass

from kernel.errors import RuleViolation


@dataclass(frozen=True)
class Member:
    cadre_id: str
    grade: str | None  # the final grade, None when not final yet
    undetermined_reason: str | None = None
    withheld: str | None = None  # a restriction that withholds the bonus (e.g. an open investigation)


@dataclass(frozen=True)
class Share:
    cadre_id: str
    grade: str | None
    coefficient: float
    amount_cents: int
    explanation: str


def allocate(pool_cents: int, members: list[Member], coefficients: dict[str, float]) -> list[Share]:
    """Splits a pool (in fen) by coefficient; largest remainders keep the sum exact; each share is explained."""
    if pool_cents <= 0:
        raise RuleViolation("the pool must be positive", rule="bonus.pool")
    weighted: list[tuple[Member, float, str]] = []
    for m in members:
        if m.grade is None:
            weighted.append((m, 0.0, "no final grade for the year: nothing allocated until it is final"))
        elif m.withheld:
            weighted.append((m, 0.0, f"withheld: {m.withheld}"))
        else:
            coef = float(coefficients.get(m.grade, 0.0))
            why = f"grade {m.grade} → coefficient {coef:g}"
            if m.grade == "UNDETERMINED" and m.undetermined_reason:
                why += f" (不定等次: {m.undetermined_reason})"
            weighted.append((m, coef, why))
    total = sum(c for _, c, _ in weighted)
    if total <= 0:
        raise RuleViolation("nobody in the unit has a grade that earns a bonus", rule="bonus.no_eligible_member")
    exact = [(m, c, why, pool_cents * c / total) for m, c, why in weighted]
    floors = [int(e) for *_, e in exact]
    left = pool_cents - sum(floors)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i][3] - floors[i]), exact[i][0].cadre_id))
    for i in order[:left]:
        floors[i] += 1
    return [
        Share(m.cadre_id, m.grade, c, floors[i], why + (f"; share {c:g}/{total:g} of the pool" if c > 0 else ""))
        for i, (m, c, why, _) in enumerate(exact)
    ]
