"""kernel.labels: every code of a wire enum the exports show has a Chinese label, and the rank and post names
agree with the bundled ladders and the importer's tables (which read the same Chinese terms back to codes)."""

from __future__ import annotations

import inspect
from enum import StrEnum

import pytest

from kernel import labels
from kernel.contracts import vocabulary
from services.rank.domain.rules.ladders import DEFAULT_LADDERS, POSTS
from suite.importing import sheets

WIRE_ENUMS = [
    e
    for _, e in inspect.getmembers(vocabulary, inspect.isclass)
    if issubclass(e, StrEnum) and e is not StrEnum and e.__module__ == vocabulary.__name__
]


def test_every_wire_enum_has_a_vocabulary():
    assert sorted(e.__name__ for e in WIRE_ENUMS) == sorted(e.__name__ for e in labels.ENUMS.values())


@pytest.mark.parametrize("name", sorted(labels.ENUMS))
def test_every_code_of_an_enum_has_a_chinese_label(name):
    enum = labels.ENUMS[name]
    table = labels.VOCABULARIES[name]
    missing = [m.value for m in enum if m.value not in table]
    assert missing == [], f"{name}: no label for {missing}"
    for code, text in table.items():
        assert text and text != code and any("\u4e00" <= ch <= "\u9fff" for ch in text), (name, code, text)


def test_rank_and_post_names_are_the_ladders():
    ladder_names = {r["code"]: r["name"] for ladder in DEFAULT_LADDERS.values() for r in ladder["ranks"]}
    assert labels.RANKS == ladder_names
    assert labels.POSTS == {code: post["name"] for code, post in POSTS.items()}


@pytest.mark.parametrize(
    ("vocabulary", "importer"),
    [
        ("gender", sheets.GENDERS),
        ("grade", sheets.GRADES),
        ("post", sheets.POSTS),
        ("rank", sheets.RANKS),
        ("agency_level", sheets.AGENCY_LEVELS),
        ("cadre_category", sheets.CATEGORIES),
        ("undetermined_reason", sheets.UNDETERMINED_REASONS),
    ],
)
def test_what_the_exports_write_the_importer_reads_back(vocabulary, importer):
    """A label written by an export is a label the importer maps to the same code (round trip)."""
    for code, text in labels.VOCABULARIES[vocabulary].items():
        assert importer.get(text) == code, (vocabulary, code, text)


def test_unknown_codes_show_as_they_are_and_none_as_empty():
    assert labels.label("grade", "EXCELLENT") == "优秀"
    assert labels.label("grade", "SOMETHING_NEW") == "SOMETHING_NEW"
    assert labels.label("no-such-vocabulary", "X") == "X"
    assert labels.label("grade", None) == ""
    assert labels.label("grade", True) == "是"
    assert labels.field("name") == "姓名" and labels.field("unheard_of") == "unheard_of"
