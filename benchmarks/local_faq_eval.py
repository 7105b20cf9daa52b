"""Limited-mode FAQ retrieval (bot/brain/local_faq.py): accuracy without Rasa.

When Rasa is down or slow the bot answers from jieba + BM25 over each FAQ entry's question,
short answer and the NLU training examples. This measures, on tests/data/faq_heldout.jsonl
(written independently of the training examples):

* in scope (expected ``faq/<id>``): top-1 / top-3 accuracy (the expected id or one of ``also``),
  the share answered at all (score >= min_score) and the accuracy of what was answered;
* out of scope / chit-chat: the share correctly left unanswered (limited mode then says it did
  not find an answer instead of a wrong FAQ);
* latency per query (median / p95) and the index build time.

Without the held-out file it falls back to 5-fold cross-validation over the NLU examples.
``--grid`` tries a few BM25 settings and the acceptance threshold.

    .venv/bin/python benchmarks/local_faq_eval.py [--grid] [--json]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

from bot.brain.local_faq import LocalFaq, training_examples  # noqa: E402

HELDOUT = PROJECT_ROOT / "tests" / "data" / "faq_heldout.jsonl"


def load_heldout() -> list[dict[str, Any]]:
    return [json.loads(line) for line in HELDOUT.read_text(encoding="utf-8").splitlines() if line.strip()]


def cv_cases() -> tuple[list[dict[str, Any]], list[LocalFaq]]:
    """5 folds over the NLU examples: each fold's examples are queried against the others."""
    examples = training_examples()
    cases: list[dict[str, Any]] = []
    faqs: list[LocalFaq] = []
    for fold in range(5):
        kept = {fid: [t for i, t in enumerate(texts) if i % 5 != fold] for fid, texts in examples.items()}
        # the CV only measures the FAQ ranking; negatives are scored on the held-out file
        faqs.append(LocalFaq.from_knowledge(examples=kept, negatives={}))
        cases += [{"text": t, "expected": f"faq/{fid}", "fold": fold}
                  for fid, texts in examples.items() for i, t in enumerate(texts) if i % 5 == fold]
    return cases, faqs


def evaluate(faq: LocalFaq | list[LocalFaq], cases: list[dict[str, Any]]) -> dict[str, Any]:
    inscope = top1 = top3 = answered = answered_right = oos = oos_silent = 0
    latencies: list[float] = []
    misses: list[str] = []
    for case in cases:
        index = faq[case.get("fold", 0)] if isinstance(faq, list) else faq
        started = time.perf_counter()
        ranking = index.ranking(case["text"])
        hit = index.best_match(case["text"])
        latencies.append((time.perf_counter() - started) * 1000)
        expected = case["expected"]
        if not expected.startswith("faq/"):
            oos += 1
            oos_silent += hit is None
            continue
        good = {expected[4:], *(a[4:] for a in case.get("also", []) if a.startswith("faq/"))}
        inscope += 1
        ids = [entry_id for entry_id, _ in ranking[:3]]
        top1 += bool(ids) and ids[0] in good
        top3 += bool(good & set(ids))
        if hit is not None:
            answered += 1
            answered_right += hit[0].id in good
        if not ids or ids[0] not in good:
            misses.append(f"{case['text']}  → {ids[:1]} (want {expected})")
    latencies.sort()
    return {
        "inscope": inscope,
        "top1": top1 / max(inscope, 1),
        "top3": top3 / max(inscope, 1),
        "answered": answered / max(inscope, 1),
        "answered_accuracy": answered_right / max(answered, 1),
        "oos": oos,
        "oos_left_unanswered": oos_silent / max(oos, 1),
        "latency_ms_median": statistics.median(latencies),
        "latency_ms_p95": latencies[int(len(latencies) * 0.95) - 1],
        "misses": misses,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--grid", action="store_true", help="try BM25 k1/b and thresholds")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--misses", action="store_true", help="list the wrong top-1 answers")
    args = parser.parse_args()
    started = time.perf_counter()
    faq = LocalFaq.from_knowledge()
    build_ms = (time.perf_counter() - started) * 1000
    if HELDOUT.is_file():
        source, cases, index = str(HELDOUT.relative_to(PROJECT_ROOT)), load_heldout(), faq
    else:
        source = "5-fold CV over nlu_data/faq"
        cases, index = cv_cases()  # type: ignore[assignment]
    if args.grid:  # tuned on the training examples only; the held-out set stays a test set
        grid_cases, folds = cv_cases()
        for k1, b in ((1.2, 0.75),):
            for weights in ((1.0, 0.8, 0.6, 0.4), (1.0,) * 5, tuple(1 - i / 10 for i in range(10)), (1.0,) * 30):
                for fold in folds:
                    fold.k1, fold.b, fold.top_weights = k1, b, weights
                r = evaluate(folds, grid_cases)
                print(f"k1={k1} b={b} weights={weights}: top1={r['top1']:.3f} top3={r['top3']:.3f}", flush=True)
        return 0
    result = evaluate(index, cases)
    summary = {
        "date": datetime.now(UTC).date().isoformat(),
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
        "source": source,
        "build_ms": round(build_ms, 1),
        **{k: (round(v, 4) if isinstance(v, float) else v) for k, v in result.items() if k != "misses"},
    }
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        for key, value in summary.items():
            print(f"{key:22} {value}")
    if args.misses:
        print("\n".join(result["misses"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
