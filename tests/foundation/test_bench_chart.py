"""bench.chart draws the before/after CPU chart that `python -m bench cpu` writes (a pure function: no suite)."""

from __future__ import annotations

from PIL import Image

from bench.chart import cpu_chart


def _run(**totals: float) -> dict:
    return {"scenarios": {name: {"cpu_ms_total": value} for name, value in totals.items()}}


def test_the_chart_has_one_pair_of_bars_per_scenario_measured_by_both_runs(tmp_path):
    before = _run(dossier=58.8, pass_through=5.6, registration=35.9, retired=3.0)
    after = _run(dossier=30.1, pass_through=2.4, registration=11.0, new_only=1.0)
    out = cpu_chart(before, after, tmp_path / "cpu.png", title="probe")
    with Image.open(out) as image:
        assert image.format == "PNG"
        width, height = image.size
        pixels = image.convert("RGB")
        red = sum(1 for x in range(width) for y in range(0, height, 2) if pixels.getpixel((x, y)) == (200, 40, 40))
        grey = sum(1 for x in range(width) for y in range(0, height, 2) if pixels.getpixel((x, y)) == (176, 176, 176))
    assert height == 56 + 64 * 3 + 40  # dossier, pass_through, registration: the scenarios both runs have
    # Bar areas follow the figures: the baseline's bars (58.8 + 5.6 + 35.9) outweigh this run's (30.1 + 2.4 + 11).
    assert grey > red > 0
