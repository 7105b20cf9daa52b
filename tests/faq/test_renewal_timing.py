"""A stated expiry date still ahead decides renewal-timing questions (bot/brain/renewal_timing.py)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.brain.renewal_timing import NOT_YET, OPEN_WINDOW, renewal_timing, stated_upcoming_expiry

TODAY = date(2026, 12, 8)
LOOKS_EXPIRED = [("expiry_within_60", 0.4), ("renewal_window", 0.3), ("materials_contract_only", 0.1)]


def test_inside_the_window_the_answer_says_the_user_can_renew_now() -> None:
    timing = renewal_timing("现在能续吗", LOOKS_EXPIRED, ["我的居住证12月20号到期"], TODAY)
    assert timing is not None and timing.entry == OPEN_WINDOW
    assert "12月20日" in timing.note and "还剩12天" in timing.note and "现在就能办" in timing.note


def test_before_the_window_the_answer_says_from_which_day() -> None:
    timing = renewal_timing("什么时候可以续", [("renewal_window", 0.5)], ["我的居住证明年3月5号到期"], TODAY)
    assert timing is not None and timing.entry == NOT_YET
    assert "2027年3月5日" in timing.note and "还剩87天" in timing.note and "2027年2月3日" in timing.note


def test_the_date_may_be_in_the_question_itself() -> None:
    timing = renewal_timing("居住证下周三到期 现在可以签注了吗", [("renewal_window", 0.6)], [], TODAY)
    assert timing is not None and timing.entry == OPEN_WINDOW and "12月16日" in timing.note
    # 「就到期了」 looks ahead, though it ends in 了
    timing = renewal_timing("居住证明天就到期了 来得及吗", LOOKS_EXPIRED, [], TODAY)
    assert timing is not None and timing.entry == OPEN_WINDOW and "还剩1天" in timing.note


@pytest.mark.parametrize(
    ("text", "earlier", "ranking"),
    [
        ("现在能续吗", ["我的居住证上个月28号到期了"], LOOKS_EXPIRED),  # already expired: the grace entries answer
        ("现在能续吗", ["居住证12月1号到期了"], LOOKS_EXPIRED),
        ("过期了怎么办", ["我的居住证12月20号到期"], LOOKS_EXPIRED),  # asks about an expired permit
        ("已经逾期了还能续吗", ["我的居住证12月20号到期"], LOOKS_EXPIRED),
        ("现在能续吗", ["我想办居住证"], LOOKS_EXPIRED),  # no date said
        ("要带什么材料", ["我的居住证12月20号到期"], [("renewal_materials", 0.6)]),  # not about timing
        ("现在能续吗", ["我的居住证2月30号到期"], LOOKS_EXPIRED),  # impossible date
    ],
)
def test_no_stated_upcoming_expiry_or_no_timing_question_changes_nothing(
    text: str, earlier: list[str], ranking: list[tuple[str, float]]
) -> None:
    assert renewal_timing(text, ranking, earlier, TODAY) is None


def test_the_latest_statement_wins() -> None:
    texts = ["不对，是明年1月20号到期", "12月20号到期"]  # latest first
    assert stated_upcoming_expiry(texts, TODAY) == date(2027, 1, 20)
