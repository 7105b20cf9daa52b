"""Precision/recall of the photo pre-check per defect, on the real labelled photos and the generated set.

    .venv/bin/python benchmarks/precheck_eval.py [--real-only | --synth-only] [--repeats N] [--no-ocr]

Real photos are read from ../shared/precheck-images (labels.csv); they are never copied. Items
marked borderline for a defect are left out of that defect's numbers (and listed). "Clean wrongly
rejected" counts clean photos rejected for an image-quality reason (blurry, glare, cropped,
too_dark, too_bright); rejections by file rules (too_large, low_resolution) or by the portrait
rules on the mugshots, which are ID-photo negatives by design, are reported separately.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.precheck.api import check_image  # noqa: E402

REAL_DIR = Path(__file__).resolve().parents[2] / "shared" / "precheck-images"
REAL_DEFECTS = {"blurry": "is_blurry", "glare": "has_glare", "cropped": "is_cropped"}
SYNTH_DEFECTS = ("blurry", "glare", "cropped", "too_dark", "too_bright")
QUALITY_CODES = {"blurry", "glare", "cropped", "too_dark", "too_bright"}


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, truth: bool, flagged: bool) -> None:
        if truth and flagged:
            self.tp += 1
        elif truth:
            self.fn += 1
        elif flagged:
            self.fp += 1
        else:
            self.tn += 1

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def row(self, name: str) -> str:
        return f"| {name} | {self.tp + self.fn} | {self.fp + self.tn} | {self.precision:.2f} | {self.recall:.2f} | {self.tp}/{self.fp}/{self.fn} |"


def real_kind(doc_type: str) -> str | None:
    """Portrait negatives are checked as the portrait kind (the user picks it); the rest is inferred."""
    lowered = doc_type.lower()
    return "portrait" if any(word in lowered for word in ("portrait", "mugshot", "runner")) else None


def evaluate_real(use_ocr: bool, details: list[dict]) -> list[str]:
    rows = list(csv.DictReader((REAL_DIR / "labels.csv").open(encoding="utf-8")))
    counts = {code: Counts() for code in REAL_DEFECTS}
    excluded: dict[str, list[str]] = defaultdict(list)
    clean = clean_rejected = clean_rejected_any = 0
    portrait_negatives: list[str] = []
    for row in rows:
        kind = real_kind(row["doc_type"])
        result = check_image((REAL_DIR / row["file"]).read_bytes(), kind, row["file"], use_ocr=use_ocr)
        if kind == "portrait":
            portrait_negatives.append(f"{row['file']}: {result.verdict} ({', '.join(result.codes)})")
        details.append({"set": "real", **result.to_dict()})
        borderline = row.get("borderline", "")
        for code, column in REAL_DEFECTS.items():
            label = row[column].strip()
            if label not in {"0", "1"}:
                continue
            if column in borderline:
                excluded[code].append(row["file"])
                continue
            counts[code].add(label == "1", result.has(code))
        is_clean = all(row[column].strip() != "1" for column in REAL_DEFECTS.values()) and not borderline
        if is_clean and kind is None:
            clean += 1
            quality_reject = any(i.severity == "reject" and i.code in QUALITY_CODES for i in result.issues)
            clean_rejected += quality_reject
            clean_rejected_any += result.verdict == "reject"
    lines = [f"Real set ({len(rows)} photos, OCR {'on' if use_ocr else 'off'}):", "",
             "| defect | positives | negatives | precision | recall | TP/FP/FN |", "|---|---|---|---|---|---|"]
    lines += [counts[code].row(code) for code in REAL_DEFECTS]
    lines += ["", "Borderline items left out: " + "; ".join(f"{code}: {', '.join(names)}" for code, names in excluded.items())]
    lines += [f"Clean document photos rejected for an image-quality reason: {clean_rejected}/{clean} "
              f"({clean_rejected / max(clean, 1):.0%}); rejected for any reason: {clean_rejected_any}/{clean}"]
    lines += ["ID-photo negatives checked as `portrait` (all should be rejected): " + "; ".join(portrait_negatives)]
    return lines


def evaluate_synth(repeats: int, seed: int, use_ocr: bool, details: list[dict]) -> list[str]:
    from bot.precheck import synth

    counts = {code: Counts() for code in SYNTH_DEFECTS}
    clean = clean_rejected = 0
    slight: dict[str, list[bool]] = defaultdict(list)
    other_ok: list[tuple[str, bool]] = []
    samples = list(synth.generate_samples(seed=seed, repeats=repeats))
    for sample in samples:
        result = check_image(sample.data, sample.kind, sample.name, use_ocr=use_ocr)
        details.append({"set": "synth", "defect": sample.defect, "level": sample.level, **result.to_dict()})
        if sample.borderline:
            code = next(iter(sample.expected))
            slight[code].append(result.has(code))
            continue
        for code in SYNTH_DEFECTS:
            counts[code].add(code in sample.expected, result.has(code))
        if not sample.expected:
            clean += 1
            clean_rejected += result.verdict == "reject"
    for sample in [*synth.generate_portrait_samples(seed), *synth.generate_content_samples(seed)]:
        result = check_image(sample.data, sample.kind, sample.name, use_ocr=use_ocr)
        details.append({"set": "synth", "defect": sample.defect, **result.to_dict()})
        found = set(result.codes)
        ok = sample.expected <= found if sample.expected else result.verdict == "ok"
        other_ok.append((f"{sample.name} → {', '.join(sorted(found)) or 'ok'}", ok))
    lines = [f"Generated set ({len(samples)} document photos: 4 kinds × (clean + 8 defects × 3 levels) × {repeats}; "
             f"OCR {'on' if use_ocr else 'off'}):", "",
             "| defect | positives | negatives | precision | recall | TP/FP/FN |", "|---|---|---|---|---|---|"]
    lines += [counts[code].row(code) for code in SYNTH_DEFECTS]
    lines += ["", "Slight (borderline, left out above) detected: "
              + ", ".join(f"{code} {sum(v)}/{len(v)}" for code, v in slight.items())]
    lines += [f"Clean generated photos (clean, JPEG q25–70, perspective) rejected: {clean_rejected}/{clean} "
              f"({clean_rejected / max(clean, 1):.0%})"]
    lines += ["", "Portrait and content cases:"] + [f"- {'✓' if ok else '✗'} {text}" for text, ok in other_ok]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--real-only", action="store_true")
    parser.add_argument("--synth-only", action="store_true")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-ocr", action="store_true")
    parser.add_argument("--details", type=Path, help="write every result as JSON lines here")
    args = parser.parse_args()
    started = time.perf_counter()
    details: list[dict] = []
    if not args.synth_only:
        if REAL_DIR.is_dir():
            print("\n".join(evaluate_real(not args.no_ocr, details)), "\n", flush=True)
        else:
            print(f"(real set skipped: {REAL_DIR} not found)\n")
    if not args.real_only:
        print("\n".join(evaluate_synth(args.repeats, args.seed, not args.no_ocr, details)), flush=True)
    if args.details:
        args.details.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in details) + "\n", encoding="utf-8")
    print(f"\n({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
