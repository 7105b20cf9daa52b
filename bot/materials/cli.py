"""`python -m bot checklist`: a personal materials checklist without Rasa.

Give the answers as options, or leave some out and answer the questions in the terminal
(numbers or free text, understood like in the chat). ``--card`` saves the PNG card.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.materials.card import render_card
from bot.materials.render_text import render_checklist_text
from bot.materials.rules import (
    MaterialsAnswers,
    build_checklist,
    default_materials,
    next_slot_to_ask,
)
from bot.materials.service import shanghai_today
from bot.materials.understanding import interpret_answer


def add_arguments(parser: argparse.ArgumentParser) -> None:
    for question in default_materials().questions:
        values = ", ".join(o.value for o in question.options)
        parser.add_argument(
            "--" + question.slot.replace("_", "-"),
            dest=question.slot,
            help=f"{question.prompt} ({values}{', or YYYY-MM-DD' if question.slot == 'registered_on' else ''})",
        )
    parser.add_argument("--card", type=Path, help="also save the checklist card as this PNG file")


def _ask(slot: str) -> str:
    question = default_materials().question(slot)
    print(question.prompt)
    for number, option in enumerate(question.options, start=1):
        print(f"  {number}. {option.label}")
    while True:
        raw = input("> ").strip()
        if raw.isdigit() and 1 <= int(raw) <= len(question.options):
            return question.options[int(raw) - 1].value
        value = interpret_answer(slot, raw, today=shanghai_today())
        if value is not None:
            return value
        print("没看懂，请输入选项编号或换个说法。")


def run(args: argparse.Namespace) -> int:
    answers: dict[str, str] = {}
    for question in default_materials().questions:
        given = getattr(args, question.slot, None)
        if given:
            answers[question.slot] = (
                interpret_answer(question.slot, given, today=shanghai_today()) or given
            )
    while (slot := next_slot_to_ask(answers)) is not None:
        if not sys.stdin.isatty():
            print(f"missing --{slot.replace('_', '-')}", file=sys.stderr)
            return 2
        answers[slot] = _ask(slot)
    try:
        checklist = build_checklist(MaterialsAnswers.from_json(answers), today=shanghai_today())
    except ValueError as exc:
        print(f"bad answer: {exc}", file=sys.stderr)
        return 2
    print(render_checklist_text(checklist))
    if args.card:
        args.card.write_bytes(render_card(checklist, today=shanghai_today()))
        print(f"\n卡片已保存：{args.card}")
    return 0
