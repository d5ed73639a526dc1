"""The README stays true: its event catalogue lists every registered event, and the two commands come first."""

from __future__ import annotations

from pathlib import Path

from suite.cli import events_markdown

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_the_event_catalogue_matches_the_registry():
    block = README.split("<!-- events:begin -->", 1)[1].split("<!-- events:end -->", 1)[0].strip()
    assert block == events_markdown(), "run `.venv/bin/youwei events --write-readme`"


def test_the_two_commands_come_first():
    quick_start = README.split("## Quick start", 1)[1].split("##", 1)[0]
    assert "make run" in quick_start and "make test" in quick_start
    assert README.index("## Quick start") < README.index("## What the suite does")
