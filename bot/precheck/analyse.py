"""Turning measurements into issues: the thresholds and the rules that combine the signals.

Kept apart from the measuring modules so tuning touches one file. Thresholds were tuned on the
generated set and the labelled real photos (see benchmarks/README.md, "Photo pre-check").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from bot.precheck import content
from bot.precheck.kinds import KINDS, KindSpec
from bot.precheck.messages import make_issue
from bot.precheck.ocr import OcrReading, read_text
from bot.precheck.outline import border_ink, find_outline
from bot.precheck.portrait import measure_portrait, portrait_issues
from bot.precheck.quality import QualityMeasures, measure_quality, to_work_gray
from bot.precheck.result import DocumentGuess, Issue

# blur: edge steepness over content tiles (≈ 1 / edge width in px at ≤1600 px)
SHARP_REJECT = 0.22  # blurry whatever the OCR says
# the same along the softest direction: ≈ 1 / smear length, so 0.13 = a smear over ~8 px
# (motion blur: edges across the smear stay crisp and keep the overall sharpness up)
SHARP_DIRECTION_REJECT = 0.13
SHARP_TRUSTED = 0.70  # sharp enough that a poor OCR score means foreign script, not blur
PORTRAIT_SHARP_REJECT = 0.12  # faces have soft edges by nature
LEGIBLE = 0.70  # character-weighted OCR confidence below this = text not legible
DETECT_CONFIDENT = 0.76  # text detection this sure means crisp text in a script OCR cannot read
SHARP_NO_TEXT = 0.30  # no text found at all: judge from sharpness alone
TEXT_AT_EDGE = 0.006  # a text line this close to the frame edge is cut by it
MIN_LINES_FOR_LEGIBILITY = 2
# glare: share of the frame covered by washed-out hotspots
GLARE_REJECT = 0.02
GLARE_WARN = 0.004
GLARE_MIN_SIDE = 320
# exposure (grey levels at ≤1600 px)
DARK_REJECT, DARK_WARN = 85.0, 115.0  # 97th percentile
BRIGHT_FLOOR, BRIGHT_PAPER = 175.0, 245.0  # 2nd and 97th percentile
LOW_CONTRAST = 45.0  # p99 - p1


@dataclass
class Analysis:
    issues: list[Issue]
    document: DocumentGuess
    quality: QualityMeasures
    reading: OcrReading | None


def analyse(rgb: np.ndarray, spec: KindSpec, stated: bool, use_ocr: bool = True, today: date | None = None) -> Analysis:
    """All image and content checks for one upright RGB photo of the stated (or unknown) kind."""
    gray = to_work_gray(rgb)
    quality = measure_quality(rgb, gray)
    issues: list[Issue] = []
    issues += exposure_issues(quality)

    portrait = measure_portrait(rgb) if spec.is_portrait else None
    reading = read_text(rgb) if use_ocr and not spec.is_portrait else None
    has_text = reading is not None and reading.detected >= MIN_LINES_FOR_LEGIBILITY

    blur = blur_issue(quality, reading, spec)
    if blur:
        issues.append(blur)
    # Glare is judged on documents only (text found, or OCR off), and only when the photo is
    # big enough for the hotspot grid to mean anything (tiny images get low_resolution anyway).
    is_document = reading is None or reading.detected >= 2
    if not spec.is_portrait and is_document and min(rgb.shape[:2]) >= GLARE_MIN_SIDE:
        glare = glare_issue(quality)
        if glare:
            issues.append(glare)
    if not spec.is_portrait:
        # missing fields only mean "cut off" when nothing else explains a poor reading
        fields_usable = not any(issue.severity == "reject" for issue in issues)
        # on a blurred photo the OCR boxes bleed outwards and reach the edge of a complete page
        edge_reading = None if blur else reading
        issues += cropped_issues(gray, spec, reading if fields_usable else None, edge_reading)
    if portrait is not None:
        issues += portrait_issues(portrait)

    document = DocumentGuess()
    if portrait is not None:
        document = DocumentGuess("portrait", 0.9 if len(portrait.faces) == 1 else 0.3 if portrait.faces else 0.0)
    elif reading is not None:
        match = content.identify_document(reading.text)
        document = DocumentGuess(match.kind, match.score)
        if not has_text and reading.detected < 2:
            issues.append(make_issue("not_a_document", "warn", reading.detected))
        issues += content_issues(reading, spec, stated, match, today or date.today())
    return Analysis(issues=issues, document=document, quality=quality, reading=reading)


def exposure_issues(quality: QualityMeasures) -> list[Issue]:
    if quality.dark_level < DARK_REJECT:
        return [make_issue("too_dark", "reject", round(quality.dark_level, 1))]
    if quality.dark_level < DARK_WARN:
        return [make_issue("too_dark", "warn", round(quality.dark_level, 1))]
    if quality.bright_floor >= BRIGHT_FLOOR and quality.dark_level >= BRIGHT_PAPER:
        return [make_issue("too_bright", "reject", round(quality.bright_floor, 1))]
    if quality.contrast < LOW_CONTRAST:
        return [make_issue("low_contrast", "warn", round(quality.contrast, 1))]
    return []


def blur_issue(quality: QualityMeasures, reading: OcrReading | None, spec: KindSpec) -> Issue | None:
    """Sharpness over content tiles, confirmed or overruled by whether OCR can read the text.

    - very soft edges are blurry even when OCR still reads large print (a reviewer sees a soft
      photo, and small print on the same document is gone);
    - so are edges smeared along one direction (the phone moved), even when the edges across the
      smear are crisp;
    - no text at all: judged by sharpness alone (a smeared scene);
    - text found but not legible, and edges not crisp: blurry. When text detection is confident
      and the edges are reasonably crisp, the poor reading more likely means a script the OCR
      model does not know (Hebrew, Cyrillic...), so we do not blame the photo.
    """
    sharp = quality.sharpness
    if quality.content_tiles < 4:
        return None  # nothing to judge (blank or uniform image)
    if spec.is_portrait:
        return make_issue("blurry", "reject", round(sharp, 3)) if sharp < PORTRAIT_SHARP_REJECT else None
    has_lines = reading is not None and reading.detected >= MIN_LINES_FOR_LEGIBILITY
    if sharp < SHARP_REJECT:
        return make_issue("blurry", "reject", round(sharp, 3))
    if quality.sharp_direction < SHARP_DIRECTION_REJECT:
        return make_issue("blurry", "reject", round(quality.sharp_direction, 3), variant="motion")
    if reading is not None and reading.detected == 0 and sharp < SHARP_NO_TEXT:
        return make_issue("blurry", "reject", round(sharp, 3))
    if (
        has_lines
        and reading is not None
        and sharp < SHARP_TRUSTED
        and reading.legibility < LEGIBLE
        and (reading.det_score < DETECT_CONFIDENT or sharp < SHARP_NO_TEXT)
    ):
        return make_issue("blurry", "reject", round(reading.legibility, 3))
    return None


def glare_issue(quality: QualityMeasures) -> Issue | None:
    if quality.glare_share >= GLARE_REJECT:
        return make_issue("glare", "reject", round(quality.glare_share, 4))
    if quality.glare_share >= GLARE_WARN:
        return make_issue("glare", "warn", round(quality.glare_share, 4))
    return None


def cropped_issues(
    gray: np.ndarray, spec: KindSpec, fields_reading: OcrReading | None, reading: OcrReading | None = None
) -> list[Issue]:
    """Text running into the frame edge; for cards also the card touching it; missing fields."""
    ink = border_ink(gray)
    cut = ink.cut_sides()
    if reading is not None:
        cut += [side for side, margin in reading.margins().items() if margin <= TEXT_AT_EDGE and side not in cut]
    if cut:
        return [make_issue("cropped", "reject", ",".join(cut))]
    if spec.is_card:
        outline = find_outline(gray)
        touching = [side for side, share in outline.touches.items() if share >= 0.05]
        if outline.found and touching and len(touching) < 4:
            return [make_issue("cropped", "reject", ",".join(touching))]
    if fields_reading is not None and spec.expected_fields and fields_reading.legibility >= 0.85:
        match = content.identify_document(fields_reading.text)
        if match.kind == spec.code and spec.is_card:
            missing = content.missing_fields(fields_reading.text, spec)
            if len(missing) >= 2:
                return [make_issue("cropped", "warn", ",".join(missing), variant="fields", missing="、".join(missing))]
    return []


def content_issues(
    reading: OcrReading, spec: KindSpec, stated: bool, match: content.DocumentMatch, today: date
) -> list[Issue]:
    issues: list[Issue] = []
    text = reading.text
    legible = reading.legibility >= 0.8 and reading.detected >= MIN_LINES_FOR_LEGIBILITY
    if stated and spec.keywords and match.kind not in ("unknown", spec.code) and match.score >= 0.4:
        own = content.identify_document(text)
        own_score = sum(1 for k in spec.keywords if k in text) / len(spec.keywords)
        if own_score < 0.2 and own.kind != spec.code:
            issues.append(
                make_issue("wrong_document", "reject", match.kind, found=KINDS[match.kind].name_zh, expected=spec.name_zh)
            )
            return issues
    if spec.code == "id_front":
        numbers = content.find_id_numbers(text)
        if numbers and not any(content.is_valid_id_number(n) for n in numbers):
            issues.append(make_issue("id_number_invalid", "warn", "checksum"))
        elif not numbers and legible:
            issues.append(make_issue("id_number_missing", "warn", None))
    if spec.code == "id_back":
        end = content.find_validity_end(text)
        if isinstance(end, date) and end < today:
            issues.append(make_issue("id_expired", "reject", end.isoformat(), date=end.isoformat()))
    if spec.code == "rental_filing" and legible and "备案" not in text.replace(" ", ""):
        issues.append(make_issue("filing_missing", "warn", None))
    return issues
