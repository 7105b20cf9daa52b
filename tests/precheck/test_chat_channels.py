"""The pre-check in the chat channels: the console's /photo, and captions that name the kind."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.channels.callbacks import INLINE_PREFIX
from bot.channels.console import photo_path_and_caption
from bot.channels.photo_check import (
    CHECKING_TEXT,
    CONSOLE_KIND_HINT,
    KIND_BUTTON_TITLES,
    kind_from_caption,
    kind_of_recheck,
    recheck_payload,
)
from tests.conftest import run_console_offline
from tests.precheck.conftest import degraded_jpeg


@pytest.mark.parametrize(
    ("caption", "kind"),
    [("身份证正面", "id_front"), ("身份证反面", "id_back"), ("国徽面", "id_back"), ("id_back", "id_back"),
     ("两寸证件照", "portrait"), ("租房合同备案通知书", "rental_filing"), ("劳动合同第一页", "contract"),
     ("房产证", "property_cert"), ("户口本首页", "kinship"), ("社保缴费记录", "social_insurance"),
     ("身份证", None), ("身份证照片", None), ("帮我看看", None), ("", None), (None, None)],
)
def test_a_caption_names_the_kind_or_leaves_it_to_the_content(caption: str | None, kind: str | None) -> None:
    assert kind_from_caption(caption) == kind


def test_every_kind_but_other_has_a_recheck_button_that_fits_telegram() -> None:
    from bot.precheck.kinds import KINDS

    assert set(KIND_BUTTON_TITLES) == set(KINDS) - {"other"}
    for kind in KIND_BUTTON_TITLES:
        payload = recheck_payload(kind)
        assert kind_of_recheck(payload) == kind
        assert len((INLINE_PREFIX + payload).encode()) <= 64  # inline: nothing stored for it


@pytest.mark.parametrize(
    "payload",
    ["/precheck_as", '/precheck_as{"kind":"other"}', '/precheck_as{"kind":"passport"}', "/precheck_as{oops",
     '/precheck_as["id_front"]', '/precheck_start', '/faq_topic{"topic":"renewal"}'],
)
def test_other_payloads_are_no_recheck(payload: str) -> None:
    assert kind_of_recheck(payload) is None


def test_photo_paths_may_hold_spaces_and_be_followed_by_a_caption(tmp_path: Path) -> None:
    spaced = tmp_path / "my id.jpg"
    spaced.write_bytes(b"x")
    assert photo_path_and_caption(f" {spaced}") == (spaced, None)
    assert photo_path_and_caption(f"{spaced} 身份证正面") == (spaced, "身份证正面")
    assert photo_path_and_caption(f'"{spaced}"') == (spaced, None)
    assert photo_path_and_caption(f"{spaced} 身份证 国徽面") == (spaced, "身份证 国徽面")
    assert photo_path_and_caption("/nowhere.jpg") == (Path("/nowhere.jpg"), None)
    assert photo_path_and_caption("  ") == (None, None)


def test_the_console_checks_a_photo_and_keeps_no_copy(tmp_path: Path, sqlite_url: str) -> None:
    photos = tmp_path / "photos"
    photos.mkdir()
    back = photos / "身份证 国徽面.jpg"  # the generated 国徽面 of an ID card, with a space in the name
    back.write_bytes(degraded_jpeg("id_back", "clean", "strong"))
    not_an_image = photos / "notes.jpg"
    not_an_image.write_bytes(b"PK\x03\x04 not a photo")
    data_dir = tmp_path / "data"
    lines = [f"/photo {back} 身份证正面", f"/photo {back}", f"/photo {not_an_image}", "/photo /nowhere.jpg", "/photo", "/quit"]
    out = run_console_offline(lines, sqlite_url, data_dir, timeout=300)
    assert out.count(CHECKING_TEXT) == 3
    # stated as the 人像面 but showing the 国徽面: said so; without a caption it passes as what it is
    first, second, third = out.split(CHECKING_TEXT)[1:4]
    assert "❌" in first and "国徽面" in first
    assert "✅" in second and "按内容认作「身份证国徽面」" in second
    assert CONSOLE_KIND_HINT in second and CONSOLE_KIND_HINT not in first  # no kind stated: how to state it
    assert "不是 JPG 或 PNG" in third or "压缩包" in third
    assert "找不到文件" in out
    assert "🤖 用法：/photo" in out  # a bare /photo explains itself
    stored = [p for p in data_dir.rglob("*") if p.is_file() and p.suffix.lower() in {".jpg", ".jpeg", ".png"}]
    assert stored == [] and sorted(p.name for p in photos.iterdir()) == ["notes.jpg", "身份证 国徽面.jpg"]


def test_without_a_stated_kind_the_reply_says_what_the_photo_was_taken_for() -> None:
    from bot.precheck.api import check_image, render_result_zh

    photo = degraded_jpeg("rental_filing", "clean", "strong")
    detected = render_result_zh(check_image(photo, None, "a.jpg"))
    assert detected.startswith("✅") and "按内容认作「住房租赁合同备案通知书/证明」" in detected
    stated = render_result_zh(check_image(photo, "rental_filing", "a.jpg"))
    assert "按内容认作" not in stated
