"""Generated photos shared by the pre-check tests (made once per session, kept in memory)."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from bot.precheck import synth
from bot.precheck.api import check_image
from bot.precheck.result import PrecheckResult


@cache
def document_photo(kind: str, seed: int = 11) -> synth.Photo:
    rng = np.random.default_rng(seed)
    return synth.photograph(synth.render_document(kind, rng), rng)


@cache
def degraded_jpeg(kind: str, defect: str, level: str, seed: int = 11) -> bytes:
    photo = document_photo(kind, seed)
    if defect == "clean":
        return synth.encode_jpeg(photo.rgb)
    return synth.encode_jpeg(synth.degrade(photo, defect, level, np.random.default_rng(seed + 1)))


@cache
def checked(kind: str, defect: str = "clean", level: str = "strong", use_ocr: bool = True) -> PrecheckResult:
    return check_image(degraded_jpeg(kind, defect, level), kind, f"{kind}-{defect}-{level}.jpg", use_ocr=use_ocr)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(5)
