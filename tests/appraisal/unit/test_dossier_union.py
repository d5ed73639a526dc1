"""The dossier part's one statement (services.appraisal.insight_views): every column in a slot of its own type."""

from __future__ import annotations

from services.appraisal.insight_views import _KINDS, _NAMES, _SLOTS


def test_each_column_sits_in_a_slot_of_its_own_type():
    # PostgreSQL refuses a UNION of varchar and integer; SQLite would only mistype the answer.
    for kind, (columns, *_) in _KINDS.items():
        for column, slot in columns:
            assert column.type._type_affinity is _SLOTS[slot]._type_affinity, (kind, column.name, slot)


def test_no_kind_puts_two_columns_in_one_slot_and_every_column_keeps_its_name():
    for kind, (columns, *_) in _KINDS.items():
        slots = [slot for _, slot in columns]
        assert len(slots) == len(set(slots)), kind
        assert [name for name, _ in _NAMES[kind]] == [column.name for column, _ in columns]
