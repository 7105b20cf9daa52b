"""Which FAQ entry answers a question: Rasa's ResponseSelector and a linear classifier, fused.

The two rankers fail on different questions (the selector on unseen wording, the TF-IDF
classifier on paraphrases that share few characters), so the mean of their probabilities is
more often right than either alone; when both put the same entry first it is almost always
right. Numbers: benchmarks/README.md (FAQ accuracy).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.brain.conversation_context import follow_previous_answer
from bot.brain.faq_classifier import FaqClassifier
from bot.brain.overdue import grace_entry_called_for, settle_grace_period, today_in_shanghai
from bot.brain.pickup_cue import prefer_pickup
from bot.brain.ranking_rules import put_first
from bot.brain.renewal_cue import prefer_stated_stage
from bot.brain.renewal_timing import renewal_timing

log = logging.getLogger(__name__)

DEPTH = 10


@dataclass(frozen=True)
class FaqChoice:
    ranking: list[tuple[str, float]]  # fused, best first
    rankers_agree: bool
    # decided by what the user said, not by the rankers: a follow-up read in the subject of the
    # previous answer, the 60-day entry a stated overdue time calls for, or the renewal-window
    # entry a stated expiry date calls for
    settled_by_context: bool = False
    # said before the leading entry's answer: where the user's own dates put them
    note: str = ""

    @property
    def best(self) -> tuple[str, float] | None:
        return self.ranking[0] if self.ranking else None


@lru_cache(maxsize=1)
def classifier() -> FaqClassifier:
    return FaqClassifier.train()


def warm_up_in_background() -> None:
    """Train the classifier (about a second) before the first question needs it."""
    threading.Thread(target=classifier, name="faq-classifier-warmup", daemon=True).start()


def fuse(selector: list[tuple[str, float]], linear: list[tuple[str, float]]) -> FaqChoice:
    """The mean of the two rankers' probabilities; one missing ranker counts as all zeros."""
    fused: dict[str, float] = {}
    for ranking in (selector, linear[:DEPTH]):
        for entry_id, probability in ranking:
            fused[entry_id] = fused.get(entry_id, 0.0) + 0.5 * probability
    ranked = sorted(fused.items(), key=lambda kv: kv[1], reverse=True)
    agree = bool(selector and linear and selector[0][0] == linear[0][0])
    return FaqChoice(ranking=ranked, rankers_agree=agree)


def choose_faq(
    text: str,
    selector: list[tuple[str, float]],
    previous_entry: str | None = None,
    earlier_texts: Sequence[str] = (),
) -> FaqChoice:
    """The fused ranking, corrected by the cues in the question and, for a follow-up question,
    by the entry answered just before (``previous_entry``) and what the user said before
    (``earlier_texts``, latest first)."""
    try:
        linear = classifier().ranking(text) if text else []
    except Exception:  # noqa: BLE001 — the selector alone still gives an answer
        log.warning("FAQ classifier unavailable", exc_info=True)
        linear = []
    choice = fuse(selector, linear)
    # a stated overdue time decides between the 60-day entries (the rankers cannot read numbers)
    grace_entry = grace_entry_called_for(text, choice.ranking, earlier_texts)
    ranking = prefer_pickup(text, prefer_stated_stage(text, settle_grace_period(text, choice.ranking, earlier_texts)))
    ranking, by_context = follow_previous_answer(text, ranking, previous_entry)
    settled = by_context or (grace_entry is not None and ranking[0][0] == grace_entry)
    # an expiry date still ahead decides a renewal-timing question (「现在能续吗」)
    timing = renewal_timing(text, ranking, earlier_texts, today_in_shanghai())
    if timing is None:
        return FaqChoice(ranking=ranking, rankers_agree=choice.rankers_agree, settled_by_context=settled)
    return FaqChoice(put_first(ranking, timing.entry), choice.rankers_agree, True, timing.note)
