"""The checklist card renders as a phone-width PNG, and checklists persist per user."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image
from sqlalchemy import inspect, select

from bot.materials import render_card_for
from bot.materials.card import MAX_HEIGHT, WIDTH, _font, render_card, wrap_text
from bot.materials.rules import MaterialsAnswers, build_checklist
from bot.materials.service import ChecklistNotFound, latest_checklist_for, save_answers
from bot.storage.checklists import SavedChecklist
from bot.storage.db import engine_for, session_scope
from bot.storage.models import User

LONGEST = MaterialsAnswers(
    application="first",
    applicant="minor",
    registration="under_6m",
    registered_on=date(2026, 9, 3),
    housing="rent_unfiled",
    activity="business",
)


def test_card_is_a_phone_width_png_that_fits_the_longest_checklist() -> None:
    checklist = build_checklist(LONGEST, today=date(2026, 11, 27))
    png = render_card(checklist, today=date(2026, 11, 27))
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.width == WIDTH
    assert 1500 < image.height < MAX_HEIGHT  # cropped to content, never cut off
    grey = image.convert("L")
    # Text was drawn below the header: dark pixels exist in the body.
    body = grey.crop((0, 400, WIDTH, image.height - 100))
    assert min(body.getdata()) < 80


def test_wrapping_never_starts_a_line_with_closing_punctuation() -> None:
    font = _font(28)
    text = "租赁合同还没备案，先办网签备案。" * 6
    lines = wrap_text(text, font, 300)
    assert len(lines) > 3
    assert all(line and line[0] not in "，。" for line in lines)
    bracketed = wrap_text("现住地街道的社区事务受理服务中心（随申办也可以在线登记）。", font, 500)
    assert all(not line.endswith("（") and not line.startswith("。") for line in bracketed)
    assert "".join(lines) == text


def test_checklist_tables_exist_after_migration(db_url: str) -> None:
    assert "checklists" in inspect(engine_for(db_url)).get_table_names()


def test_latest_checklist_is_saved_per_user_and_rebuilt(db_url: str) -> None:
    assert latest_checklist_for("tg:1", db_url) is None
    save_answers("tg:1", MaterialsAnswers(application="replace"), db_url)
    newest = save_answers("tg:1", LONGEST, db_url)
    save_answers("tg:2", MaterialsAnswers(application="endorse", address_changed="no"), db_url)

    view = latest_checklist_for("tg:1", db_url, today=date(2026, 11, 27))
    assert view is not None and view.checklist_id == newest
    assert view.checklist.answers == LONGEST
    assert "rental_not_filed" in view.checklist.blocker_ids()


def test_render_card_for_a_saved_checklist(db_url: str) -> None:
    checklist_id = save_answers("console:me", LONGEST, db_url)
    png = render_card_for(checklist_id, db_url)
    assert png.startswith(b"\x89PNG")
    with pytest.raises(ChecklistNotFound):
        render_card_for(checklist_id + 1000, db_url)


def test_deleting_a_user_deletes_their_checklists(db_url: str) -> None:
    save_answers("tg:9", LONGEST, db_url)
    with session_scope(db_url) as session:
        session.delete(session.scalar(select(User).where(User.sender_id == "tg:9")))
    with session_scope(db_url) as session:
        assert session.scalars(select(SavedChecklist)).all() == []


def test_checklist_cli_prints_the_text_and_saves_the_card(tmp_path) -> None:
    import subprocess
    import sys

    card = tmp_path / "card.png"
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import argparse, sys\n"
            "from bot.materials import cli\n"
            "p = argparse.ArgumentParser(); cli.add_arguments(p)\n"
            "sys.exit(cli.run(p.parse_args(sys.argv[1:])))",
            "--application",
            "签注",
            "--applicant",
            "self",
            "--address-changed",
            "no",
            "--activity",
            "我在读研",
            "--card",
            str(card),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    assert "在读证明" in result.stdout and "住所证明" not in result.stdout
    assert card.read_bytes().startswith(b"\x89PNG")

    missing = subprocess.run(
        [
            sys.executable,
            "-c",
            "import argparse, sys\n"
            "from bot.materials import cli\n"
            "p = argparse.ArgumentParser(); cli.add_arguments(p)\n"
            "sys.exit(cli.run(p.parse_args(sys.argv[1:])))",
            "--application",
            "first",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert missing.returncode == 2 and "--applicant" in missing.stderr
