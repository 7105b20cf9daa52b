"""Someone else collecting the finished card.

「可以别人帮我领吗」 reads to the rankers as a proxy question, and the proxy entries are about
applying or renewing for someone. The words for collecting a card (代领, 帮我领, 领证 …) say the
question is about pickup; 申领 (to apply), 补领 and 换领 (to replace a card) also hold 领 and are
set aside first.
"""

from __future__ import annotations

from bot.brain.ranking_rules import put_first
from bot.text import normalize_text

PROXY_ENTRIES = ("proxy_friend", "renewal_by_others")
PICKUP = "delivery_pickup"
PICKUP_WORDS = ("代领", "帮我领", "帮忙领", "替我领", "帮领", "去领", "领证", "领卡", "取证", "取卡", "拿证", "领取")


def speaks_of_pickup(text: str) -> bool:
    clean = normalize_text(text)
    for other_sense in ("申领", "补领", "换领"):
        clean = clean.replace(other_sense, "")
    return any(word in clean for word in PICKUP_WORDS)


def prefer_pickup(text: str, ranking: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """The pickup entry first when a proxy entry leads but the words are about collecting."""
    if ranking and ranking[0][0] in PROXY_ENTRIES and speaks_of_pickup(text):
        return put_first(ranking, PICKUP)
    return ranking
