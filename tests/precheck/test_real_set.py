"""Sanity on the real labelled photos in ../shared/precheck-images (skipped when absent).

The full precision/recall numbers come from benchmarks/precheck_eval.py; here we pin clear cases.
"""

from __future__ import annotations

import csv
import json
from functools import cache

import pytest

from bot.config import PROJECT_ROOT
from bot.precheck.api import check_image
from bot.precheck.result import PrecheckResult

REAL_DIR = PROJECT_ROOT.parent / "shared" / "precheck-images"
pytestmark = pytest.mark.skipif(not (REAL_DIR / "labels.csv").is_file(), reason="../shared/precheck-images not present")


@cache
def real(name: str, kind: str | None = None) -> PrecheckResult:
    return check_image((REAL_DIR / name).read_bytes(), kind, name)


def labels() -> list[dict[str, str]]:
    return list(csv.DictReader((REAL_DIR / "labels.csv").open(encoding="utf-8")))


@pytest.mark.parametrize("name", ["mapo80blur_img2.jpg", "skimage_clock_motion.png", "phonescan_1_6_07_5.jpg"])
def test_clearly_blurry_photos_are_blurry(name: str):
    assert real(name).has("blurry")


@pytest.mark.parametrize("name", ["phonescan_1_6_11_1.jpg", "phonescan_1_7_11_1.jpg", "phonescan_0_1_01_1.jpg"])
def test_sharp_blank_blue_cast_and_scanned_pages_are_not_blurry_nor_glare(name: str):
    result = real(name)
    assert not result.has("blurry") and not result.has("glare"), result.to_json()


def test_flash_hotspot_is_glare():
    assert real("mapo80glare_0.jpg").has("glare")


def test_text_cut_by_the_frame_is_cropped():
    assert real("mapo80glare_281.jpg").has("cropped")


def test_large_real_file_is_over_the_limit():
    assert real("phonescan_1_3_01_2.jpg", "contract").has("too_large") is False  # 3.2 MB < 5 MB
    assert real("phonescan_1_3_01_2.jpg", "id_front").has("too_large")


@pytest.mark.parametrize("name", ["openmpf_meds-aa-S001-01.jpg", "openmpf_meds-af-S419-01.jpg", "skimage_astronaut.png"])
def test_mugshots_and_busy_portraits_fail_the_background_rule(name: str):
    assert real(name, "portrait").has("background")


def test_full_body_photo_fails_the_face_size_rule():
    result = real("openmpf_person_cropped_2.png", "portrait")
    assert result.has("face_size") or result.has("face_missing")


def test_every_real_photo_gives_a_json_answer():
    for row in labels()[:8]:
        obj = json.loads(real(row["file"]).to_json())
        assert obj["verdict"] in {"ok", "warn", "reject"}
