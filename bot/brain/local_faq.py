"""Local FAQ retrieval (jieba tokens + BM25) for limited mode, when Rasa is down or slow.

Documents are each FAQ entry's question, short answer and NLU training examples. The core
intents that are *not* FAQs (out of scope, greetings, thanks, chit-chat …) are indexed too, as
"negative" documents: when the best match is one of them, limited mode answers nothing rather
than a wrong FAQ (a question about 积分 must not get the residence-permit answer).

A label's score is its best documents' BM25 scores with decaying weights (ten for an FAQ entry,
four for a negative intent, which has hundreds of examples), so an entry that several examples
support beats one lucky example. An inverted index keeps a
query to a few milliseconds. Numbers: benchmarks/local_faq_eval.py, benchmarks/README.md.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.brain.english_gloss import with_glosses
from bot.brain.synonym_gloss import with_synonyms
from bot.config import PROJECT_ROOT
from bot.knowledge import FaqEntry, faq_base
from bot.text import normalize_text

NLU_DIR = PROJECT_ROOT / "nlu_data"
NLU_FAQ_DIR = NLU_DIR / "faq"
NLU_CORE_FILE = NLU_DIR / "core.yml"
# core intents whose examples must not pull a question towards an FAQ answer
NEGATIVE_INTENTS = ("out_of_scope", "chitchat", "greet", "goodbye", "thank", "bot_challenge")
NEGATIVE_PREFIX = "~"
STOP = set("的了吗呢啊吧么嘛我你他她是在要有和就都也还怎么什么如何请问一下个这那哪").union(
    {" ", "?", "？", "，", ",", "。", "!", "！"}
)


@lru_cache(maxsize=1)
def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(60)
    for dict_file in sorted((PROJECT_ROOT / "knowledge" / "jieba").glob("*.txt")):
        jieba.load_userdict(str(dict_file))
    return jieba


def glossed(text: str) -> str:
    """The question as the local rankers read it: normalised, lower-cased, with the glossaries'
    terms for its English words and everyday wordings appended."""
    return with_synonyms(with_glosses(normalize_text(text))).lower()


def tokens(text: str) -> list[str]:
    clean = glossed(text)
    words = [w for w in _jieba().lcut(clean) if w.strip() and w not in STOP]
    # character bigrams make the match robust to typos and unseen segmentations
    chars = [c for c in clean if "\u4e00" <= c <= "\u9fff"]
    return words + ["".join(p) for p in zip(chars, chars[1:], strict=False)]


def _examples_of(path: Path, wanted: tuple[str, ...] | None) -> dict[str, list[str]]:
    """intent → examples of one Rasa NLU file; retrieval intents (faq/x) keyed by x."""
    examples: dict[str, list[str]] = {}
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for block in doc.get("nlu") or []:
        intent = str(block.get("intent", ""))
        key = intent[4:] if intent.startswith("faq/") else intent
        if wanted is None and not intent.startswith("faq/") or wanted is not None and intent not in wanted:
            continue
        lines = [
            ln.strip()[2:].strip()
            for ln in str(block.get("examples", "")).splitlines()
            if ln.strip().startswith("- ")
        ]
        examples.setdefault(key, []).extend(lines)
    return examples


def training_examples(directory: Path = NLU_FAQ_DIR) -> dict[str, list[str]]:
    examples: dict[str, list[str]] = {}
    for path in sorted(directory.glob("*.yml")):
        for key, lines in _examples_of(path, None).items():
            examples.setdefault(key, []).extend(lines)
    return examples


def negative_examples(path: Path = NLU_CORE_FILE) -> dict[str, list[str]]:
    return _examples_of(path, NEGATIVE_INTENTS) if path.is_file() else {}


@dataclass
class LocalFaq:
    entries: dict[str, FaqEntry]
    labels: list[str]  # document → entry id (or "~intent" for negative documents)
    lengths: list[int]
    postings: dict[str, list[tuple[int, int]]]  # term → (document, term frequency)
    idf: dict[str, float]
    avg_len: float
    k1: float = 1.2
    b: float = 0.75
    # tuned by 5-fold CV over the NLU examples (benchmarks/local_faq_eval.py --grid)
    top_weights: tuple[float, ...] = (1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1)
    # a negative label (out of scope, chit-chat) has hundreds of examples: fewer of them count
    negative_weights: tuple[float, ...] = (1.0, 0.9, 0.8, 0.7)
    min_score: float = 3.0

    @classmethod
    def from_knowledge(
        cls,
        examples: dict[str, list[str]] | None = None,
        negatives: dict[str, list[str]] | None = None,
    ) -> LocalFaq:
        base = faq_base()
        examples = training_examples() if examples is None else examples
        negatives = negative_examples() if negatives is None else negatives
        texts: list[tuple[str, str]] = []
        for entry in base.entries.values():
            texts += [(entry.id, t) for t in [entry.question, entry.short, *examples.get(entry.id, [])]]
        for intent, lines in negatives.items():
            texts += [(NEGATIVE_PREFIX + intent, t) for t in lines]
        return cls.build(dict(base.entries), texts)

    @classmethod
    def build(cls, entries: dict[str, FaqEntry], texts: list[tuple[str, str]]) -> LocalFaq:
        labels: list[str] = []
        lengths: list[int] = []
        postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for label, text in texts:
            counts = Counter(tokens(text))
            if not counts:
                continue
            doc = len(labels)
            labels.append(label)
            lengths.append(sum(counts.values()))
            for term, tf in counts.items():
                postings[term].append((doc, tf))
        n = len(labels)
        idf = {t: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for t, p in postings.items()}
        avg = sum(lengths) / max(n, 1)
        return cls(entries=entries, labels=labels, lengths=lengths, postings=dict(postings), idf=idf, avg_len=avg)

    def _document_scores(self, text: str) -> dict[int, float]:
        scores: dict[int, float] = defaultdict(float)
        k1, b, avg = self.k1, self.b, self.avg_len
        for term in set(tokens(text)):
            idf = self.idf.get(term)
            if idf is None:
                continue
            for doc, tf in self.postings[term]:
                norm = k1 * (1 - b + b * self.lengths[doc] / avg)
                scores[doc] += idf * tf * (k1 + 1) / (tf + norm)
        return scores

    def label_scores(self, text: str) -> dict[str, float]:
        """Score per label: its best documents' scores, weighted by ``top_weights``."""
        per_label: dict[str, list[float]] = defaultdict(list)
        for doc, score in self._document_scores(text).items():
            per_label[self.labels[doc]].append(score)
        weights = self.top_weights
        return {
            label: sum(
                w * s
                for w, s in zip(
                    self.negative_weights if label.startswith(NEGATIVE_PREFIX) else weights,
                    sorted(scores, reverse=True),
                    strict=False,
                )
            )
            for label, scores in per_label.items()
        }

    def scores(self, text: str) -> dict[str, float]:
        """Score per FAQ entry (negative documents left out)."""
        return {k: v for k, v in self.label_scores(text).items() if not k.startswith(NEGATIVE_PREFIX)}

    def ranking(self, text: str) -> list[tuple[str, float]]:
        """Entry ids by descending score (only entries sharing at least one term)."""
        return sorted(self.scores(text).items(), key=lambda kv: kv[1], reverse=True)

    def best_match(self, text: str) -> tuple[FaqEntry, float] | None:
        """The FAQ entry to answer with, or None (too weak, or not an FAQ question at all)."""
        labels = self.label_scores(text)
        if not labels:
            return None
        label, score = max(labels.items(), key=lambda kv: kv[1])
        if label.startswith(NEGATIVE_PREFIX) or score < self.min_score:
            return None
        return self.entries[label], score
