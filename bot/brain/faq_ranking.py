"""Which FAQ entry answers a question: the Rasa ResponseSelector and local BM25, fused.

The two rankers fail differently (the selector on unseen wording, BM25 on paraphrases without
shared words), so their average is more often right than either (held-out top-1: selector 0.82,
BM25 0.88, fused 0.90 — benchmarks/README.md). When both put the same entry first it is
almost always right.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache

from bot.brain.local_faq import LocalFaq

BM25_DEPTH = 10


@dataclass(frozen=True)
class FaqChoice:
    ranking: list[tuple[str, float]]  # fused, best first
    rankers_agree: bool

    @property
    def best(self) -> tuple[str, float] | None:
        return self.ranking[0] if self.ranking else None


@lru_cache(maxsize=1)
def local_index() -> LocalFaq:
    return LocalFaq.from_knowledge()


def warm_up_in_background() -> None:
    """Build the BM25 index (a few seconds) before the first question needs it."""
    threading.Thread(target=local_index, name="faq-index-warmup", daemon=True).start()


def fuse(selector: list[tuple[str, float]], bm25: list[tuple[str, float]]) -> FaqChoice:
    """Average the selector's probabilities with BM25 scores normalised over its top entries."""
    bm25 = bm25[:BM25_DEPTH]
    total = sum(score for _, score in bm25) or 1.0
    fused: dict[str, float] = {}
    for entry_id, conf in selector:
        fused[entry_id] = fused.get(entry_id, 0.0) + 0.5 * conf
    for entry_id, score in bm25:
        fused[entry_id] = fused.get(entry_id, 0.0) + 0.5 * score / total
    ranking = sorted(fused.items(), key=lambda kv: kv[1], reverse=True)
    agree = bool(selector and bm25 and selector[0][0] == bm25[0][0])
    return FaqChoice(ranking=ranking, rankers_agree=agree)


def choose_faq(text: str, selector: list[tuple[str, float]]) -> FaqChoice:
    try:
        bm25 = local_index().ranking(text) if text else []
    except Exception:  # noqa: BLE001 — the selector alone still gives an answer
        bm25 = []
    return fuse(selector, bm25)
