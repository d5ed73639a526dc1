"""Draws a before/after bar chart of CPU per request (issue 15) as a PNG, with Pillow (no plotting library).

`python -m bench cpu` calls `cpu_chart` when `bench/results/cpu_baseline.json` exists: one group of bars per
scenario, the baseline's total CPU ms per request beside the current run's, each bar labelled with its figure.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

WIDTH, ROW, BAR, LEFT, RIGHT, TOP = 900, 64, 22, 190, 90, 56
COLOURS = {"before": (176, 176, 176), "after": (200, 40, 40)}


def cpu_chart(before: dict[str, Any], after: dict[str, Any], out: Path, *, title: str) -> Path:
    """Writes the chart of total CPU ms per request, before and after, for the scenarios both runs measured."""
    names = [n for n in after["scenarios"] if n in before["scenarios"]]
    values = {n: (before["scenarios"][n]["cpu_ms_total"], after["scenarios"][n]["cpu_ms_total"]) for n in names}
    top = max((v for pair in values.values() for v in pair), default=1.0) or 1.0
    height = TOP + ROW * len(names) + 40
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=14)
    draw.text((LEFT, 12), title, fill="black", font=font)
    scale = (WIDTH - LEFT - RIGHT) / top
    for row, name in enumerate(names):
        y = TOP + row * ROW
        draw.text((10, y + BAR - 8), name, fill="black", font=font)
        for k, (label, value) in enumerate(zip(("before", "after"), values[name], strict=True)):
            y0 = y + k * BAR
            draw.rectangle([LEFT, y0, LEFT + max(1, round(value * scale)), y0 + BAR - 4], fill=COLOURS[label])
            draw.text((LEFT + round(value * scale) + 6, y0 + 2), f"{value:.1f} ms", fill="black", font=font)
    legend_y = height - 28
    for k, label in enumerate(("before", "after")):
        x = LEFT + k * 140
        draw.rectangle([x, legend_y, x + 14, legend_y + 14], fill=COLOURS[label])
        draw.text((x + 20, legend_y - 1), label, fill="black", font=font)
    out.parent.mkdir(parents=True, exist_ok=True)
    image.save(out, format="PNG")
    return out
