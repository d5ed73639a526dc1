"""What a periodic job's run reports as handled items (youwei_job_items_total; summed over replicas in
tests/cluster it shows each item handled once)."""

from __future__ import annotations

import pytest

from kernel.runtime import job_items


@pytest.mark.parametrize(
    ("result", "items"),
    [
        (7, 7),
        (0, 0),
        (-1, 0),
        (None, 0),
        (True, 0),
        ({"breached": 2, "reminded": 3}, 5),
        ({"a": {"b": 1}, "c": "x"}, 1),
        ("12", 0),
    ],
)
def test_job_items_counts_what_a_run_reports(result, items):
    assert job_items(result) == items
