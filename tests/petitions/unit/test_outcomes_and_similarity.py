"""Outcome aggregation (per allegation → per cadre → per report) and the similarity used by repeat detection."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kernel.contracts.vocabulary import ReportOutcome as O
from services.petitions.domain.rules.outcomes import FINDINGS, combine
from services.petitions.domain.rules.similarity import shingles, similarity


@pytest.mark.parametrize(
    ("findings", "outcome"),
    [
        ([O.SUBSTANTIATED], O.SUBSTANTIATED),
        ([O.SUBSTANTIATED, O.SUBSTANTIATED], O.SUBSTANTIATED),
        ([O.SUBSTANTIATED, O.UNFOUNDED], O.PARTLY_SUBSTANTIATED),
        ([O.PARTLY_SUBSTANTIATED], O.PARTLY_SUBSTANTIATED),
        ([O.UNVERIFIABLE, O.PARTLY_SUBSTANTIATED], O.PARTLY_SUBSTANTIATED),
        ([O.UNFOUNDED, O.UNFOUNDED], O.UNFOUNDED),
        ([O.UNFOUNDED, O.UNVERIFIABLE], O.UNVERIFIABLE),
        ([O.TOLERATED], O.TOLERATED),
        ([O.TOLERATED, O.UNFOUNDED], O.UNFOUNDED),
        ([O.TOLERATED, O.SUBSTANTIATED], O.PARTLY_SUBSTANTIATED),
        ([O.NO_ACTION, O.NO_ACTION], O.NO_ACTION),
    ],
)
def test_worked_examples(findings, outcome):
    assert combine(findings) == outcome


def test_nothing_to_combine_is_an_error():
    with pytest.raises(ValueError):
        combine([])


@given(st.lists(st.sampled_from(sorted(FINDINGS)), min_size=1, max_size=8), st.randoms())
def test_the_order_of_findings_does_not_matter_and_unanimity_is_kept(findings, rnd):
    shuffled = list(findings)
    rnd.shuffle(shuffled)
    assert combine(findings) == combine(shuffled)
    if len(set(findings)) == 1:
        assert combine(findings) == findings[0]


@given(st.lists(st.sampled_from(sorted(FINDINGS)), min_size=1, max_size=8))
def test_only_a_substantiated_finding_makes_an_adverse_outcome(findings):
    adverse = combine(findings) in (O.SUBSTANTIATED, O.PARTLY_SUBSTANTIATED)
    assert adverse == bool({O.SUBSTANTIATED, O.PARTLY_SUBSTANTIATED} & set(findings))


def test_similarity_of_texts():
    a = shingles("张三在春节期间收受红包，并违规审批合同。")
    assert similarity(a, shingles("张三在春节期间收受红包，违规审批了合同")) > 0.6
    assert similarity(a, shingles("李四长期迟到早退，工作作风散漫。")) < 0.2
    assert similarity(a, a) == 1.0
    assert similarity(frozenset(), a) == 0.0
    assert shingles("A  b,C") == shingles("abc")


@given(st.text(max_size=80), st.text(max_size=80))
def test_similarity_is_symmetric_and_bounded(x, y):
    a, b = shingles(x), shingles(y)
    assert similarity(a, b) == similarity(b, a)
    assert 0.0 <= similarity(a, b) <= 1.0
