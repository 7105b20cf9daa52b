import pytest

from bot.brain.overdue import AFTER_60, WITHIN_60, overdue_days, settle_grace_period


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("居住证过期20天了还能补签注吗", 20),
        ("居住證過期兩個月了", 60),
        ("过期两个多月了年限还连续吗", 61),
        ("逾期八十天怎么办", 80),
        ("我的居住证超期一个半月", 45),
        ("过期3周了", 21),
        ("忘了签注，过了半年", 183),
        ("已经过了两个多月了", 61),
        ("过期一个来月了", 30),  # about a month
        ("超期一周多了", 8),
        ("到期都过去七十多天了", 71),
        ("超了十来天", 11),
        ("居住证还有20天到期", None),  # not expired yet
        ("居住证过期了怎么办", None),  # no duration stated
        ("my residence permit expired 10 days ago, can I still renew", 10),
        ("expired 70 days ago, can I still do 签注 online", 70),
        ("residence permit expired more than 60 days ago", 61),
        ("my permit is two months overdue", 60),
        ("expired a week ago", 7),
        ("居住证过期 70 days 了", 70),
        ("it expires in 10 days", None),  # not expired yet
        ("my permit expired, what now", None),
    ],
)
def test_overdue_days(text: str, days: int | None) -> None:
    assert overdue_days(text) == days


def test_the_number_decides_between_the_two_sixty_day_entries() -> None:
    ranking = [(WITHIN_60, 0.5), (AFTER_60, 0.4), ("expiry_what_now", 0.05)]
    assert settle_grace_period("过期80天了还连续吗", ranking)[0] == (AFTER_60, 0.5)
    assert settle_grace_period("过期20天了", ranking) == ranking
    flipped = [(AFTER_60, 0.5), (WITHIN_60, 0.4)]
    assert settle_grace_period("过期一个月了还连续吗", flipped)[0][0] == WITHIN_60


def test_other_questions_are_left_alone() -> None:
    ranking = [("lost_replace", 0.6), (WITHIN_60, 0.3)]
    assert settle_grace_period("过期20天了", ranking) == ranking
    assert settle_grace_period("过期了", [(AFTER_60, 0.6), (WITHIN_60, 0.3)])[0][0] == AFTER_60


def test_an_absurd_number_is_long_overdue_not_a_crash() -> None:
    assert overdue_days("过期" + "9" * 400 + "天") == 10_000


def test_a_time_stated_earlier_in_the_conversation_decides_a_follow_up() -> None:
    # 「已经过了两个多月了」, then 「那年限还算连续吗」: the second question states no time.
    ranking = [(WITHIN_60, 0.6), (AFTER_60, 0.3)]
    assert settle_grace_period("那年限还算连续吗", ranking, ["已经过了两个多月了"])[0][0] == AFTER_60
    assert settle_grace_period("那年限还算连续吗", ranking, ["居住证过期了怎么办"]) == ranking
    # the question's own number wins over an earlier one
    assert settle_grace_period("过期20天呢", ranking, ["过期三个月了"]) == ranking


def test_the_partner_entry_is_put_first_however_low_the_rankers_put_it() -> None:
    # the rankers read 「那年限还算连续吗」 as the within-60 question and barely list the other one
    far_down = [(WITHIN_60, 0.5), ("expiry_impact", 0.2), ("renewal_window", 0.1), ("expiry_long_overdue", 0.05),
                (AFTER_60, 0.01)]
    settled = settle_grace_period("那年限还算连续吗", far_down, ["已经过了两个多月了"])
    assert settled[0] == (AFTER_60, 0.5) and settled[1] == (WITHIN_60, 0.2) and len(settled) == len(far_down)
    absent = settle_grace_period("过期三个月了还连续吗", [(WITHIN_60, 0.5), ("expiry_impact", 0.2)])
    assert [entry for entry, _ in absent] == [AFTER_60, WITHIN_60, "expiry_impact"]
    assert [score for _, score in absent] == [0.5, 0.2, 0.0]
