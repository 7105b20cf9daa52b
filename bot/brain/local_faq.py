"""Local FAQ retrieval (jieba tokens + BM25) for limited mode, when Rasa is down or slow."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.config import PROJECT_ROOT
from bot.knowledge import FaqEntry, faq_base
from bot.text import normalize_text

NLU_FAQ_DIR = PROJECT_ROOT / "nlu_data" / "faq"
STOP = set("的了吗呢啊吧么嘛我你他她是在要有和就都也还怎么什么如何请问一下个这那哪").union({" ", "?", "？", "，", ",", "。", "!", "！"})


@lru_cache(maxsize=1)
def _jieba():  # type: ignore[no-untyped-def]
    import jieba

    jieba.setLogLevel(60)
    for dict_file in sorted((PROJECT_ROOT / "knowledge" / "jieba").glob("*.txt")):
        jieba.load_userdict(str(dict_file))
    return jieba


def tokens(text: str) -> list[str]:
    words = [w for w in _jieba().lcut(normalize_text(text).lower()) if w.strip() and w not in STOP]
    # character bigrams make the match robust to typos and unseen segmentations
    chars = [c for c in normalize_text(text) if "\u4e00" <= c <= "\u9fff"]
    return words + ["".join(p) for p in zip(chars, chars[1:], strict=False)]


def training_examples(directory: Path = NLU_FAQ_DIR) -> dict[str, list[str]]:
    examples: dict[str, list[str]] = {}
    for path in sorted(directory.glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in doc.get("nlu") or []:
            intent = str(block.get("intent", ""))
            if intent.startswith("faq/"):
                lines = [ln.strip()[2:].strip() for ln in str(block.get("examples", "")).splitlines() if ln.strip().startswith("- ")]
                examples.setdefault(intent[4:], []).extend(lines)
    return examples


@dataclass
class LocalFaq:
    entries: dict[str, FaqEntry]
    docs: list[tuple[str, Counter[str]]]
    idf: dict[str, float]
    avg_len: float
    k1: float = 1.4
    b: float = 0.6
    min_score: float = 3.0

    @classmethod
    def from_knowledge(cls) -> LocalFaq:
        base = faq_base()
        examples = training_examples()
        docs: list[tuple[str, Counter[str]]] = []
        for entry in base.entries.values():
            for text in [entry.question, entry.short, *examples.get(entry.id, [])]:
                docs.append((entry.id, Counter(tokens(text))))
        df: Counter[str] = Counter()
        for _, counts in docs:
            df.update(counts.keys())
        n = len(docs)
        idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        avg = sum(sum(c.values()) for _, c in docs) / max(n, 1)
        return cls(entries=dict(base.entries), docs=docs, idf=idf, avg_len=avg)

    def scores(self, text: str) -> dict[str, float]:
        query = tokens(text)
        best: dict[str, float] = {}
        for entry_id, counts in self.docs:
            length = sum(counts.values())
            score = 0.0
            for term in query:
                tf = counts.get(term, 0)
                if tf:
                    score += self.idf[term] * tf * (self.k1 + 1) / (tf + self.k1 * (1 - self.b + self.b * length / self.avg_len))
            if score > best.get(entry_id, 0.0):
                best[entry_id] = score
        return best

    def best_match(self, text: str) -> tuple[FaqEntry, float] | None:
        scores = self.scores(text)
        if not scores:
            return None
        entry_id, score = max(scores.items(), key=lambda kv: kv[1])
        if score < self.min_score:
            return None
        return self.entries[entry_id], score
