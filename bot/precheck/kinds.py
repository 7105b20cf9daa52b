"""The twelve kinds of upload the residence-permit application asks for, and what each needs.

Size limits follow the online upload (2 MB for card and portrait photos, 5 MB for document pages);
both can be changed without code: ``PRECHECK_MAX_BYTES_<KIND>`` (e.g. ``PRECHECK_MAX_BYTES_ID_FRONT``)
wins over ``PRECHECK_MAX_BYTES``, which wins over the built-in default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class KindSpec:
    """What one kind of upload must look like.

    ``keywords`` identify the document from OCR text (any hit counts); ``expected_fields`` are
    groups of alternatives that a complete, legible photo of this kind shows — a missing group on
    an otherwise legible photo hints that part of the document is outside the frame.
    """

    code: str
    name_zh: str
    default_max_bytes: int
    min_short_side: int
    keywords: tuple[str, ...] = ()
    expected_fields: tuple[tuple[str, ...], ...] = ()
    is_card: bool = False
    is_portrait: bool = False

    @property
    def max_bytes(self) -> int:
        return max_bytes_for(self.code, self.default_max_bytes)


KINDS: dict[str, KindSpec] = {
    spec.code: spec
    for spec in (
        KindSpec(
            "id_front", "身份证人像面", 2 * MB, 600,
            keywords=("公民身份号码", "姓名", "民族", "住址", "出生"),
            expected_fields=(("姓名",), ("性别",), ("民族",), ("出生",), ("住址",), ("公民身份号码", "身份号码")),
            is_card=True,
        ),
        KindSpec(
            "id_back", "身份证国徽面", 2 * MB, 600,
            keywords=("签发机关", "有效期限", "居民身份证", "中华人民共和国"),
            expected_fields=(("中华人民共和国",), ("居民身份证",), ("签发机关",), ("有效期限",)),
            is_card=True,
        ),
        KindSpec("portrait", "近期免冠证件照", 2 * MB, 300, is_portrait=True),
        KindSpec(
            "rental_filing", "住房租赁合同备案通知书/证明", 5 * MB, 800,
            keywords=("备案", "租赁合同", "住房租赁", "出租人", "承租人"),
            expected_fields=(("备案",), ("租赁",)),
        ),
        KindSpec(
            "property_cert", "不动产权证书/房地产权证", 5 * MB, 800,
            keywords=("不动产权", "房地产权", "权利人", "坐落", "产权证"),
            expected_fields=(("权利人", "房地产权利人", "产权人"), ("坐落", "房屋坐落")),
        ),
        KindSpec(
            "dorm_cert", "集体宿舍证明", 5 * MB, 800,
            keywords=("集体宿舍", "宿舍"),
            expected_fields=(("宿舍",), ("证明",)),
        ),
        KindSpec(
            "contract", "劳动/聘用合同页", 5 * MB, 800,
            keywords=("劳动合同", "聘用合同", "甲方", "乙方", "用人单位"),
            expected_fields=(("甲方", "用人单位"), ("乙方", "劳动者")),
        ),
        KindSpec(
            "social_insurance", "社保缴费记录", 5 * MB, 800,
            keywords=("社会保险", "社保", "缴费", "参保"),
            expected_fields=(("社会保险", "社保"), ("缴费",)),
        ),
        KindSpec(
            "business_license", "营业执照", 5 * MB, 800,
            keywords=("营业执照", "统一社会信用代码", "法定代表人"),
            expected_fields=(("营业执照",), ("统一社会信用代码", "信用代码")),
        ),
        KindSpec(
            "study_cert", "在读/学籍证明", 5 * MB, 800,
            keywords=("在读", "学籍", "就读", "学生证", "在校"),
            expected_fields=(("学", ), ("证明", "学生证")),
        ),
        KindSpec(
            "kinship", "户口簿/亲属关系证明", 5 * MB, 800,
            keywords=("户口簿", "常住人口登记", "亲属关系", "户主", "与户主关系"),
            expected_fields=(("户主", "户口", "亲属"),),
        ),
        KindSpec("other", "其他材料", 5 * MB, 600),
    )
}

KIND_ALIASES: dict[str, str] = {
    "id": "id_front", "idfront": "id_front", "id-front": "id_front", "人像面": "id_front",
    "idback": "id_back", "id-back": "id_back", "国徽面": "id_back",
    "photo": "portrait", "证件照": "portrait", "头像": "portrait",
    "filing": "rental_filing", "备案": "rental_filing",
}


# Words a caption uses for each kind (「身份证反面」「房产证」), checked in this order: 「租房合同备案」
# is a filing, not a contract. A bare 「身份证」 names no side, so the content decides.
CAPTION_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("id_front", ("人像面", "身份证正面", "正面")),
    ("id_back", ("国徽面", "身份证反面", "身份证背面", "反面", "背面")),
    ("rental_filing", ("备案",)),
    ("property_cert", ("房产证", "不动产", "产权证", "房地产权")),
    ("dorm_cert", ("宿舍",)),
    ("business_license", ("营业执照", "执照")),
    ("social_insurance", ("社保", "社会保险")),
    ("study_cert", ("在读", "学籍", "学生证")),
    ("kinship", ("户口", "亲属", "结婚证", "出生证")),
    ("contract", ("合同",)),
    ("portrait", ("证件照", "头像", "免冠", "寸照", "一寸", "二寸", "两寸")),
)


def kind_for_caption(caption: str) -> str | None:
    """The kind a photo's caption names (a code, an alias or everyday words), or ``None``."""
    try:
        return resolve_kind(caption).code
    except ValueError:
        pass
    text = caption.strip().lower()
    for code, words in CAPTION_WORDS:
        if any(word in text for word in words):
            return code
    return None


def resolve_kind(kind: str | None) -> KindSpec:
    """The spec for a kind code or alias; ``None``/unknown text means ``other``."""
    if not kind:
        return KINDS["other"]
    key = kind.strip().lower().replace(" ", "_")
    key = KIND_ALIASES.get(key, key)
    if key not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    return KINDS[key]


def max_bytes_for(code: str, default: int) -> int:
    for name in (f"PRECHECK_MAX_BYTES_{code.upper()}", "PRECHECK_MAX_BYTES"):
        raw = os.environ.get(name, "").strip()
        if raw:
            try:
                return int(float(raw))
            except ValueError:
                continue
    return default


def human_size(num_bytes: int) -> str:
    if num_bytes >= MB:
        return f"{num_bytes / MB:.1f} MB"
    return f"{max(1, round(num_bytes / 1024))} KB"
