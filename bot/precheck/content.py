"""What the OCR text says about the document: its type, the ID number, expiry, filing mark.

OCR text is passed in, used and dropped: it is never stored or logged (it holds ID numbers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.precheck.kinds import KINDS, KindSpec

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
_ID_CANDIDATE = re.compile(r"(?<![0-9])(\d{17}[\dXx×])(?![0-9])")
_VALIDITY = re.compile(r"(\d{4})[.\-．。年/](\d{1,2})[.\-．。月/](\d{1,2})日?\s*[-—–~至到]+\s*(长期|(\d{4})[.\-．。年/](\d{1,2})[.\-．。月/](\d{1,2}))")


def id_check_digit(first17: str) -> str:
    """GB 11643-1999: weighted sum of the first 17 digits mod 11 picks the check character."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def is_valid_id_number(number: str) -> bool:
    number = number.upper()
    if not re.fullmatch(r"\d{17}[\dX]", number):
        return False
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return id_check_digit(number[:17]) == number[17]


def find_id_numbers(text: str) -> list[str]:
    compact = re.sub(r"\s+", "", text).replace("×", "X")
    return [match.upper() for match in _ID_CANDIDATE.findall(compact)]


def find_validity_end(text: str) -> date | None | str:
    """End of the 有效期限 on an ID back: a date, ``"长期"`` (no end), or None when unreadable."""
    compact = re.sub(r"\s+", "", text)
    match = _VALIDITY.search(compact)
    if not match:
        return None
    if match.group(4) == "长期":
        return "长期"
    try:
        return date(int(match.group(5)), int(match.group(6)), int(match.group(7)))
    except ValueError:
        return None


@dataclass(frozen=True)
class DocumentMatch:
    kind: str
    score: float  # 0..1 share of the kind's keywords found


def identify_document(text: str) -> DocumentMatch:
    """Best-matching kind by keyword share; ``unknown`` when nothing matches."""
    best = DocumentMatch("unknown", 0.0)
    compact = re.sub(r"\s+", "", text)
    for spec in KINDS.values():
        if not spec.keywords:
            continue
        hits = sum(1 for keyword in spec.keywords if keyword in compact)
        score = hits / len(spec.keywords)
        if spec.code == "rental_filing" and "备案" not in compact:
            score *= 0.5  # a plain lease is not a filing notice
        if score > best.score:
            best = DocumentMatch(spec.code, score)
    return best


def missing_fields(text: str, spec: KindSpec) -> list[str]:
    compact = re.sub(r"\s+", "", text)
    return [group[0] for group in spec.expected_fields if not any(option in compact for option in group)]
