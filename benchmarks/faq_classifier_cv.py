"""Cross-validation of the local FAQ rankers over the NLU training examples (no Rasa needed).

Five folds over nlu_data/faq (every 5th example of each entry is held out per fold; each
entry's canonical question and short title always stay in training). For each fold the BM25
index (limited mode) and the linear TF-IDF classifier (fused with Rasa's ResponseSelector) are
built from the other four folds and asked the held-out examples. Prints top-1 accuracy for both,
the classifier's log-loss per softmax temperature (how TEMPERATURE in
bot/brain/faq_classifier.py was chosen), and the entries the classifier confuses most.

    .venv/bin/python benchmarks/faq_classifier_cv.py [--misses N]

`--misses N` also prints the held-out examples behind the N most confused pairs (a data audit:
an example that reads like the other entry is mislabelled or ambiguous).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.brain.faq_classifier import TEMPERATURE, FaqClassifier  # noqa: E402
from bot.brain.local_faq import LocalFaq, training_examples  # noqa: E402

FOLDS = 5
TEMPERATURES = (3.0, 5.0, 8.0, 10.0, 12.0, 20.0)


def folds(examples: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    for fold in range(FOLDS):
        kept = {fid: [t for i, t in enumerate(ts) if i % FOLDS != fold] for fid, ts in examples.items()}
        test = [(t, fid) for fid, ts in examples.items() for i, t in enumerate(ts) if i % FOLDS == fold]
        yield kept, test


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", type=int, default=0, help="print the examples of the N most confused pairs")
    args = parser.parse_args()
    started = time.perf_counter()
    examples = training_examples()
    bm25_right = linear_right = total = 0
    margins: list[np.ndarray] = []
    gold: list[int] = []
    confusions: Counter[tuple[str, str]] = Counter()
    missed: dict[tuple[str, str], list[str]] = {}
    for kept, test in folds(examples):
        texts = [t for t, _ in test]
        bm25 = LocalFaq.from_knowledge(examples=kept, negatives={})
        bm25_right += sum((bm25.ranking(t) or [("", 0.0)])[0][0] == fid for t, fid in test)
        model = FaqClassifier.train(kept)
        fold_margins = model.predict_margins(texts)
        predicted = [model.classes[i] for i in np.argmax(fold_margins, axis=1)]
        linear_right += sum(p == fid for p, (_, fid) in zip(predicted, test, strict=True))
        for p, (text, fid) in zip(predicted, test, strict=True):
            if p != fid:
                confusions[(fid, p)] += 1
                missed.setdefault((fid, p), []).append(text)
        margins.append(fold_margins)
        gold += [model.classes.index(fid) for _, fid in test]
        total += len(test)
    print(f"{total} examples, {len(examples)} entries, {FOLDS} folds ({time.perf_counter() - started:.0f} s)")
    print(f"top-1 accuracy: BM25 {bm25_right / total:.3f}, linear classifier {linear_right / total:.3f}")
    all_margins, labels = np.vstack(margins), np.array(gold)
    for temperature in TEMPERATURES:
        z = all_margins * temperature
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        loss = -np.mean(np.log(p[np.arange(len(labels)), labels] + 1e-12))
        marker = "  <- TEMPERATURE" if temperature == TEMPERATURE else ""
        print(f"temperature {temperature:>4}: log-loss {loss:.3f}{marker}")
    print("most confused (expected -> predicted: count):")
    for (expected, got), count in confusions.most_common(12):
        print(f"  {expected} -> {got}: {count}")
    for pair, _ in confusions.most_common(args.misses):
        print(f"\n{pair[0]} -> {pair[1]}:")
        for text in missed[pair]:
            print(f"    {text}")


if __name__ == "__main__":
    main()
