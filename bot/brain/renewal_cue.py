"""First application or renewal? Several FAQ entries come in pairs that differ only in that
(where to go, what to bring, online, someone else going, the fee), and the words that tell
them apart (签注, 续签 vs 第一次, 新办) are a small part of a question. When the question says
which one it is and the other entry of the pair leads the ranking, the pair is swapped.
"""

from __future__ import annotations

from bot.brain.ranking_rules import promote
from bot.text import normalize_text

# first-application entry → its renewal counterpart
PAIRS = {
    "application_where": "renewal_offline",
    "application_online": "renewal_online",
    "materials_general": "renewal_materials",
    "proxy_friend": "renewal_by_others",
    "application_fee": "renewal_fee",
}
RENEWAL_WORDS = ("签注", "续签", "续办", "续期", "续证", "续一下", "年检", "签柱", "簽注", "續簽", "renew")
FIRST_WORDS = ("第一次", "首次", "新办", "初次", "头一回", "新申请", "首办", "first time")


def stage_of(text: str) -> str | None:
    """"renewal", "first", or None when the question does not say (or says both)."""
    clean = normalize_text(text).lower()
    renewal = any(word in clean for word in RENEWAL_WORDS)
    first = any(word in clean for word in FIRST_WORDS)
    if renewal == first:
        return None
    return "renewal" if renewal else "first"


def prefer_stated_stage(text: str, ranking: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """Swap the leading entry for its counterpart when the question names the other stage."""
    if not ranking:
        return ranking
    leader = ranking[0][0]
    if leader in PAIRS:
        first, renewal = leader, PAIRS[leader]
    else:
        first = next((f for f, r in PAIRS.items() if r == leader), "")
        renewal = leader
    if not first:
        return ranking
    wanted = {"renewal": renewal, "first": first}.get(stage_of(text) or "", leader)
    return promote(ranking, wanted)
