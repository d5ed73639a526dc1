"""Names as people search for them: full pinyin and initials of a Chinese name (pure; pypinyin's dictionary only).

A surname is read as a surname: several characters have a different reading as a family name (单 shàn, not dān;
曾 zēng, not céng), so the first character goes through the table below before the general dictionary. Letters,
digits and other scripts pass through lower-cased, so "Li Ming" is found as "liming" too. The keys sort names in
pinyin order (the order of 《汉语拼音方案》 used by name lists), with the name itself breaking ties.
"""

from __future__ import annotations

from functools import lru_cache

from pypinyin import lazy_pinyin

from kernel.errors import RuleViolation

# Family names whose reading differs from the character's most common one (a department's rosters meet these).
SURNAME_READINGS = {
    "单": "shan",
    "曾": "zeng",
    "解": "xie",
    "仇": "qiu",
    "区": "ou",
    "朴": "piao",
    "查": "zha",
    "覃": "qin",
    "盖": "ge",
    "乐": "yue",
    "员": "yun",
    "缪": "miao",
    "宁": "ning",
    "召": "shao",
    "折": "she",
    "种": "chong",
    "长孙": "zhangsun",
    "尉迟": "yuchi",
    "万俟": "moqi",
    "澹台": "tantai",
    "那": "na",
    "燕": "yan",
    "秘": "bi",
    "繁": "po",
    "冼": "xian",
    "黑": "he",
    "洗": "xian",
    "任": "ren",
    "华": "hua",
    "纪": "ji",
    "葛": "ge",
}
_SURNAME_LENGTHS = sorted({len(k) for k in SURNAME_READINGS}, reverse=True)


def _syllables(name: str) -> list[str]:
    text = "".join(name.split())
    for length in _SURNAME_LENGTHS:
        head = text[:length]
        if head in SURNAME_READINGS and len(text) > length:
            reading = SURNAME_READINGS[head]
            # A two-character surname is two syllables; keep them apart for the initials.
            parts = lazy_pinyin(head) if length > 1 else [reading]
            if length > 1 and "".join(parts) != reading:
                parts = [reading]
            return parts + lazy_pinyin(text[length:], errors=lambda chars: list(chars))
    return lazy_pinyin(text, errors=lambda chars: list(chars))


@lru_cache(maxsize=65536)
def pinyin_keys(name: str) -> tuple[str, str]:
    """Returns (full pinyin, initials), lower case, no tones, no spaces: 张三丰 → ("zhangsanfeng", "zsf")."""
    syllables = [s.lower() for s in _syllables(name.strip()) if s.strip()]
    full = "".join(syllables)
    initials = "".join(s[0] for s in syllables if s[0].isalnum())
    return full[:400], initials[:100]


def looks_like_pinyin(text: str) -> bool:
    """Tells whether a search text is latin letters only (then it is matched against the pinyin keys)."""
    stripped = "".join(text.split())
    return bool(stripped) and stripped.isascii() and stripped.isalpha()


# 公民身份号码 (GB 11643-1999): 17 digits and a check character computed over them with these weights (ISO 7064 MOD 11-2).
ID_SOURCE = "GB 11643-1999 公民身份号码"
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def normalize_id_number(text: str) -> str:
    """Returns the 18-character ID number in its canonical form (upper-case X), or refuses it with the rule broken."""
    number = "".join(text.split()).upper()
    if len(number) != 18 or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise RuleViolation(
            "an ID number has 17 digits and a check digit or X (18 characters)",
            rule="cadre.id_number",
            field="id_number",
            source=ID_SOURCE,
        )
    check = _CHECK[sum(int(d) * w for d, w in zip(number[:17], _WEIGHTS, strict=True)) % 11]
    if number[17] != check:
        raise RuleViolation(
            "the ID number's check digit does not match: a digit was mistyped",
            rule="cadre.id_number",
            field="id_number",
            source=ID_SOURCE,
        )
    return number
