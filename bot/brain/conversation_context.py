"""Follow-up questions read in the light of the previous answer.

After 「居住证快到期了怎么续签」 a user types 「要带什么材料」, not 「签注要带什么材料」. On its own that
is the first-application question, so the rankers put ``materials_general`` first. When a question
names neither the permit nor a stage and its leading entry is one of the generic entries below,
the entry the previous answer's subject calls for is put first instead. A question that names
what it is about (「第一次办要带什么」「居住证丢了要带什么」) is left alone, and so is the first
question of a conversation: Rasa's session (60 minutes, no slots carried over) bounds the context.
"""

from __future__ import annotations

from bot.brain.renewal_cue import PAIRS, stage_of
from bot.knowledge import faq_base
from bot.text import normalize_text

# The context picks the stage or subject, not the question: when the rankers' leader is this weak
# (「要是网上不行呢」 after the online-renewal answer: 0.10), the question itself is unclear, and
# settling it by the subject alone would repeat a near-random answer.
CONTEXT_FLOOR = 0.2
# How many of the user's earlier typed messages in the session are read (an overdue time said
# before); the Rasa server sends the action server that many (bot/brain/rasa_tuning.py).
EARLIER_TURNS = 3

# subject of the previous answer -> {generic leading entry: the entry meant in that subject}
FOLLOW_UPS: dict[str, dict[str, str]] = {
    "renewal": {
        **PAIRS,
        "application_fully_online": "renewal_online",
        # 「要去哪里」 after an overdue answer: where to renew, not where to register
        "registration_where": "renewal_offline",
        "registration_materials": "renewal_materials",
    },
    # 「我帮他在网上办可以吗」 after the answer about a child's permit
    "minor": {
        "application_online": "proxy_online_guardian",
        "application_fully_online": "proxy_online_guardian",
        "renewal_online": "proxy_online_guardian",
        "materials_general": "proxy_minor",
        "proxy_friend": "proxy_minor",
    },
    "first": {renewal: first for first, renewal in PAIRS.items()},
    "lost": {
        "materials_general": "lost_materials",
        "renewal_materials": "lost_materials",
        "application_fee": "lost_fee",
        "renewal_fee": "lost_fee",
        "application_where": "lost_replace",
        "renewal_offline": "lost_replace",
        # 「可以让别人帮我补吗」: the lost-card materials answer says what is known about proxies
        "proxy_friend": "lost_materials",
        "renewal_by_others": "lost_materials",
    },
    # 「超过30天了怎么办」 after the address-change answer means its 30-day deadline
    "address_change": {
        "expiry_after_60": "change_address",
        "expiry_within_60": "change_address",
        "materials_general": "change_address",
        "renewal_materials": "change_address",
        "application_where": "change_address",
        "renewal_offline": "change_address",
    },
    # 「要带什么」 after an answer about collecting the card: what to bring to collect it
    "pickup": {
        "materials_general": "delivery_pickup",
        "renewal_materials": "delivery_pickup",
        "lost_materials": "delivery_pickup",
        "proxy_friend": "delivery_pickup",
        "renewal_by_others": "delivery_pickup",
    },
    "registration": {
        "materials_general": "registration_materials",
        "renewal_materials": "registration_materials",
        "application_where": "registration_where",
        "application_online": "registration_where",
        "renewal_offline": "registration_where",
        "renewal_online": "registration_where",
    },
}
SUBJECT_OF_PREFIX = {
    "renewal_": "renewal",
    "expiry_": "renewal",
    "change_moved_before_renewal": "renewal",
    "change_address": "address_change",
    "rejection_endorsement": "renewal",
    "proxy_minor": "minor",
    "proxy_online_guardian": "minor",
    "application_": "first",
    "eligibility_": "first",
    "materials_": "first",
    "lost_": "lost",
    "delivery_": "pickup",
    "registration_": "registration",
}
# An expiry entry leads for a question that speaks of expiry (「过期20天了」 after the address-change
# answer): then it is meant, whatever the previous answer was.
EXPIRY_WORDS = ("过期", "到期", "逾期", "expire")
# Words with which a question says itself what it is about.
SELF_CONTAINED_WORDS = (
    "居住证", "居住登记", "登记", "小卡", "签注", "续签", "补办", "补领", "换领", "丢", "掉了", "坏了",
    "permit", "registration",
)


def subject_of(entry_id: str | None) -> str | None:
    if not entry_id:
        return None
    return next((s for prefix, s in SUBJECT_OF_PREFIX.items() if entry_id.startswith(prefix)), None)


def is_follow_up(text: str) -> bool:
    """A question that leans on the conversation: it names no subject and no stage."""
    clean = normalize_text(text).lower()
    return stage_of(clean) is None and not any(word in clean for word in SELF_CONTAINED_WORDS)


def follow_previous_answer(
    text: str, ranking: list[tuple[str, float]], previous_entry: str | None
) -> tuple[list[tuple[str, float]], bool]:
    """The ranking with the entry the conversation's subject calls for first, and whether the
    context decided it (the caller may then answer instead of asking back)."""
    subject = subject_of(previous_entry)
    if not ranking or subject is None or not is_follow_up(text) or ranking[0][1] < CONTEXT_FLOOR:
        return ranking, False
    table = FOLLOW_UPS[subject]
    leader = ranking[0][0]
    if leader.startswith("expiry_") and any(word in normalize_text(text).lower() for word in EXPIRY_WORDS):
        return ranking, False
    if leader in table.values():  # the rankers already read it in this subject: the context backs them
        return ranking, True
    wanted = table.get(leader)
    if wanted is None:
        return ranking, False
    # The leader's score goes with the top position, as for the other ranking rules.
    rest = [(entry, score) for entry, score in ranking if entry != wanted]
    return [(wanted, ranking[0][1]), *rest], True


def follow_up_candidates(previous_entry: str, ranking: list[tuple[str, float]], limit: int = 3) -> list[str]:
    """Topics to offer when a follow-up cannot be read with confidence (「为啥」 after the
    rejection answer): the previous answer's neighbours (its own next questions and its topic's
    entries) in the rankers' order, then the rankers' best guess from anywhere else."""
    base = faq_base()
    previous = base.entries[previous_entry]
    neighbours = [*previous.follow_ups, *(e.id for e in base.entries.values() if e.topic == previous.topic)]
    score = dict(ranking)
    near = sorted(
        dict.fromkeys(e for e in neighbours if e in base.entries and e != previous_entry),
        key=lambda e: -score.get(e, 0.0),  # stable: unranked neighbours keep the answer's own order
    )
    chosen = near[: limit - 1]
    chosen += [e for e, _ in ranking if e in base.entries and e != previous_entry and e not in chosen][:1]
    chosen += [e for e in near if e not in chosen]
    return chosen[:limit]
