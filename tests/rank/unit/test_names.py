"""Search keys of names: pinyin as people type it, surnames read as surnames, pinyin order."""

from __future__ import annotations

import pytest

from services.rank.domain.names import looks_like_pinyin, pinyin_keys


@pytest.mark.parametrize("name, full, initials", [
    ("张三丰", "zhangsanfeng", "zsf"),
    ("王 芳", "wangfang", "wf"),  # spaces typed into a name are not part of it
    ("单雄信", "shanxiongxin", "sxx"),  # 单 as a family name is shàn, not dān
    ("曾国藩", "zengguofan", "zgf"),  # 曾 as a family name is zēng, not céng
    ("欧阳娜娜", "ouyangnana", "oynn"),
    ("单", "dan", "d"),  # a lone character is not read as a surname
    ("Li Ming", "liming", "liming"),
])
def test_pinyin_keys(name, full, initials):
    assert pinyin_keys(name) == (full, initials)


def test_pinyin_order_is_the_order_of_name_lists():
    names = ["赵六", "阿迪力", "张三", "李四", "王五", "曾七"]
    assert sorted(names, key=lambda n: pinyin_keys(n)[0]) == ["阿迪力", "李四", "王五", "曾七", "张三", "赵六"]


@pytest.mark.parametrize("text, latin", [("zsf", True), ("zhang san", True), ("张三", False), ("z3", False), ("", False)])
def test_only_latin_letters_are_matched_as_pinyin(text, latin):
    assert looks_like_pinyin(text) is latin
