"""Materials checklist timings: checklist building, chat text, PNG card, free-text understanding.

Run: .venv/bin/python benchmarks/materials_bench.py  (numbers go to benchmarks/README.md)
"""

from __future__ import annotations

import platform
import statistics
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import yaml

from bot.materials.card import render_card
from bot.materials.render_text import render_checklist_text
from bot.materials.rules import MaterialsAnswers, build_checklist
from bot.materials.understanding import interpret_answer

TODAY = date(2026, 11, 27)
HELDOUT = (
    Path(__file__).resolve().parent.parent
    / "tests"
    / "materials"
    / "data"
    / "slot_phrasings_heldout.yml"
)
LONGEST = MaterialsAnswers(
    application="first",
    applicant="minor",
    registration="under_6m",
    registered_on=date(2026, 9, 3),
    housing="rent_unfiled",
    activity="business",
)


def timed(label: str, work: Callable[[], object], repeat: int) -> None:
    work()  # warm caches (YAML, jieba, font)
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    print(
        f"{label:<34} median {statistics.median(samples):8.2f} ms   p95 {p95:8.2f} ms   (n={repeat})"
    )


def main() -> None:
    cases = yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))["cases"]
    checklist = build_checklist(LONGEST, today=TODAY)
    print(
        f"{date.today()} · {platform.processor() or platform.machine()} · python {platform.python_version()}"
    )
    timed("build_checklist (longest)", lambda: build_checklist(LONGEST, today=TODAY), 500)
    timed("render_checklist_text (longest)", lambda: render_checklist_text(checklist), 500)
    timed("render_card PNG (longest)", lambda: render_card(checklist, today=TODAY), 20)
    timed(
        f"interpret_answer ({len(cases)} held-out)",
        lambda: [interpret_answer(c["slot"], c["text"], today=TODAY) for c in cases],
        50,
    )
    right = sum(
        interpret_answer(c["slot"], c["text"], today=TODAY) == str(c["value"]) for c in cases
    )
    print(f"held-out accuracy: {right}/{len(cases)} = {right / len(cases):.1%}")


if __name__ == "__main__":
    main()
