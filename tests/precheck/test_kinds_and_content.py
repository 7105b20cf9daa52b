"""Kinds, size limits and the content rules that need no image."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from bot.precheck import content, synth
from bot.precheck.kinds import KINDS, MB, resolve_kind


def test_there_are_twelve_kinds_each_with_a_chinese_name():
    assert len(KINDS) == 12
    assert all(spec.name_zh for spec in KINDS.values())
    assert {"id_front", "id_back", "portrait", "rental_filing", "other"} <= set(KINDS)


def test_size_limits_default_and_can_be_configured(monkeypatch: pytest.MonkeyPatch):
    assert KINDS["id_front"].max_bytes == 2 * MB
    assert KINDS["contract"].max_bytes == 5 * MB
    monkeypatch.setenv("PRECHECK_MAX_BYTES", "3000000")
    assert KINDS["contract"].max_bytes == 3_000_000
    monkeypatch.setenv("PRECHECK_MAX_BYTES_CONTRACT", "1234567")
    assert KINDS["contract"].max_bytes == 1_234_567
    assert KINDS["id_front"].max_bytes == 3_000_000


def test_kind_aliases_and_unknown_kinds():
    assert resolve_kind(None).code == "other"
    assert resolve_kind("国徽面").code == "id_back"
    with pytest.raises(ValueError):
        resolve_kind("passport")


def test_gb11643_check_digit():
    assert content.is_valid_id_number("11010519491231002X")  # the standard's worked example
    assert not content.is_valid_id_number("110105194912310021")
    assert not content.is_valid_id_number("110105194913310028")  # month 13


def test_generated_id_numbers_always_pass_the_check_digit():
    rng = np.random.default_rng(0)
    numbers = [synth.fake_id_number(rng) for _ in range(200)]
    assert all(content.is_valid_id_number(number) for number in numbers)


def test_id_numbers_are_found_in_ocr_text_with_spaces_and_a_lowercase_x():
    assert content.find_id_numbers("公民身份号码 110105 1949 1231 002x") == ["11010519491231002X"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("有效期限2019.05.12-2039.05.12", date(2039, 5, 12)),
        ("有效期限 2006.01.01-长期", "长期"),
        ("有效期限2001年3月4日至2021年3月4日", date(2021, 3, 4)),
        ("签发机关 上海市公安局", None),
    ],
)
def test_validity_period_end_is_read(text: str, expected: object):
    assert content.find_validity_end(text) == expected


def test_document_identification_from_keywords():
    assert content.identify_document("上海市住房租赁合同备案通知书 备案编号").kind == "rental_filing"
    assert content.identify_document("中华人民共和国 居民身份证 签发机关 有效期限").kind == "id_back"
    assert content.identify_document("今天天气很好").kind == "unknown"
