"""Search keys of names: pinyin as people type it, surnames read as surnames, pinyin order."""

from __future__ import annotations

import pytest

from kernel.errors import RuleViolation
from services.rank.domain.names import looks_like_pinyin, normalize_id_number, pinyin_keys


@pytest.mark.parametrize(
    "name, full, initials",
    [
        ("张三丰", "zhangsanfeng", "zsf"),
        ("王 芳", "wangfang", "wf"),  # spaces typed into a name are not part of it
        ("单雄信", "shanxiongxin", "sxx"),  # 单 as a family name is shàn, not dān
        ("曾国藩", "zengguofan", "zgf"),  # 曾 as a family name is zēng, not céng
        ("欧阳娜娜", "ouyangnana", "oynn"),
        ("单", "dan", "d"),  # a lone character is not read as a surname
        ("Li Ming", "liming", "liming"),
    ],
)
def test_pinyin_keys(name, full, initials):
    assert pinyin_keys(name) == (full, initials)


def test_pinyin_order_is_the_order_of_name_lists():
    names = ["赵六", "阿迪力", "张三", "李四", "王五", "曾七"]
    assert sorted(names, key=lambda n: pinyin_keys(n)[0]) == ["阿迪力", "李四", "王五", "曾七", "张三", "赵六"]


@pytest.mark.parametrize(
    "text, latin", [("zsf", True), ("zhang san", True), ("张三", False), ("z3", False), ("", False)]
)
def test_only_latin_letters_are_matched_as_pinyin(text, latin):
    assert looks_like_pinyin(text) is latin


@pytest.mark.parametrize(
    "text, expected", [("11010519491231002X", "11010519491231002X"), (" 11010519491231002x ", "11010519491231002X")]
)
def test_an_id_number_is_canonical(text, expected):
    assert normalize_id_number(text) == expected


@pytest.mark.parametrize(
    "text", ["11010519491231002", "110105194912310021", "1101051949123100AX", "11010519491231002XX"]
)
def test_a_mistyped_id_number_is_refused_naming_the_standard(text):
    with pytest.raises(RuleViolation) as refused:
        normalize_id_number(text)
    assert refused.value.rule == "cadre.id_number" and "GB 11643" in refused.value.source


def test_the_keyed_hash_depends_on_the_key():
    from services.rank.adapters.identity import id_number_hash

    a, b = id_number_hash("11010519491231002X", b"k" * 32), id_number_hash("11010519491231002x", b"k" * 32)
    assert a == b and len(a) == 64 and a != id_number_hash("11010519491231002X", b"j" * 32)


def test_production_refuses_to_hash_without_its_own_key():
    from services.rank.adapters.identity import DEV_KEY, key_bytes

    with pytest.raises(ValueError, match="RANK_ID_NUMBER_KEY"):
        key_bytes(None, production=True)
    with pytest.raises(ValueError, match="32"):
        key_bytes("c2hvcnQ=", production=False)
    assert key_bytes(None, production=False) == DEV_KEY
