"""A linear FAQ classifier: TF-IDF over character n-grams and jieba words, one linear SVM.

Why next to Rasa's ResponseSelector: on ~24 examples per entry a linear model over sparse
n-grams generalises to unseen wording better than the selector or BM25 (5-fold CV over the NLU
examples, with the Chinese and English glosses: BM25 0.69, this 0.78, the selector 0.73 —
benchmarks/faq_classifier_cv.py, faq_eval.py), and it fails on different questions than the
selector, so the two are fused (bot/brain/faq_ranking.py).

Trained in about a second from knowledge/faq and nlu_data/faq when first needed, in the process
that uses it (the action server), so a data change needs no extra build step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from bot.brain.local_faq import glossed, tokens, training_examples
from bot.knowledge import faq_base

# SVM margins are ~[-1, 1]; softmax(margin * TEMPERATURE) gives calibrated probabilities
# (the temperature minimises the cross-validated log-loss: benchmarks/faq_classifier_cv.py).
TEMPERATURE = 8.0
REGULARISATION_C = 1.0


@dataclass
class FaqClassifier:
    predict_margins: Callable[[list[str]], np.ndarray]
    classes: list[str]

    @classmethod
    def train(cls, examples: dict[str, list[str]] | None = None) -> FaqClassifier:
        """Fit on each entry's canonical question, short title and NLU examples."""
        from scipy.sparse import hstack
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.svm import LinearSVC

        base = faq_base()
        examples = training_examples() if examples is None else examples
        texts: list[str] = []
        labels: list[str] = []
        for entry in base.entries.values():
            for text in (entry.question, entry.short, *examples.get(entry.id, [])):
                texts.append(text)
                labels.append(entry.id)
        characters = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, preprocessor=glossed)
        words = TfidfVectorizer(analyzer=tokens, sublinear_tf=True)
        features = hstack([characters.fit_transform(texts), words.fit_transform(texts)]).tocsr()
        model: Any = LinearSVC(C=REGULARISATION_C)
        model.fit(features, labels)

        one_query = single_query_margins(characters, words, model)

        def predict_margins(queries: list[str]) -> np.ndarray:
            if len(queries) == 1 and one_query is not None:
                return one_query(queries[0])[np.newaxis, :]
            matrix = hstack([characters.transform(queries), words.transform(queries)]).tocsr()
            return np.atleast_2d(model.decision_function(matrix))

        return cls(predict_margins=predict_margins, classes=[str(c) for c in model.classes_])

    def probabilities(self, queries: list[str]) -> np.ndarray:
        margins = self.predict_margins(queries) * TEMPERATURE
        margins -= margins.max(axis=1, keepdims=True)
        exp = np.exp(margins)
        return exp / exp.sum(axis=1, keepdims=True)

    def ranking(self, text: str, depth: int = 10) -> list[tuple[str, float]]:
        """(entry id, probability) for the ``depth`` likeliest entries, best first."""
        if not text.strip():
            return []
        probs = self.probabilities([text])[0]
        order = np.argsort(-probs)[:depth]
        return [(self.classes[i], float(probs[i])) for i in order]


def single_query_margins(characters: Any, words: Any, model: Any) -> Callable[[str], np.ndarray] | None:
    """The SVM's margins for one question, computed as the fitted vectorizers and model do.

    The action server classifies one question per message, and for a single row scikit-learn's
    input validation and sparse-matrix assembly cost several times the arithmetic (1.2 ms against
    0.2 ms: about half of the action server's CPU per message, benchmarks/README.md). This does
    the same steps directly: the vectorizers' own analyzers, sublinear tf x idf, L2 norm per
    vectorizer, one dot product per class. None for a two-class model (its decision function has
    another shape; never the case here).
    """
    if len(model.classes_) < 3:
        return None
    coef, intercept = np.asarray(model.coef_), np.asarray(model.intercept_)
    parts = [
        (vectorizer.build_analyzer(), vectorizer.vocabulary_, vectorizer.idf_, offset)
        for vectorizer, offset in ((characters, 0), (words, len(characters.vocabulary_)))
    ]

    def margins(text: str) -> np.ndarray:
        result = intercept.copy()
        for analyze, vocabulary, idf, offset in parts:
            counts: dict[int, int] = {}
            for term in analyze(text):
                index = vocabulary.get(term)
                if index is not None:
                    counts[index] = counts.get(index, 0) + 1
            if not counts:
                continue
            columns = np.fromiter(counts, dtype=np.intp, count=len(counts))
            weights = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * idf[columns]
            weights /= np.sqrt(np.dot(weights, weights))
            result += coef[:, columns + offset] @ weights
        return result

    return margins
