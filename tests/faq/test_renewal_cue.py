import pytest

from bot.brain.renewal_cue import prefer_stated_stage, stage_of


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("居住证签注去哪里办", "renewal"),
        ("居住證續簽要帶什麼", "renewal"),
        ("how to renew my permit", "renewal"),
        ("第一次办居住证去哪", "first"),
        ("新办居住证要什么材料", "first"),
        ("居住证去哪里办", None),
        ("第一次签注要注意什么", None),  # says both: leave it to the rankers
    ],
)
def test_stage_of(text: str, stage: str | None) -> None:
    assert stage_of(text) == stage


def test_a_renewal_question_gets_the_renewal_entry_of_the_pair() -> None:
    ranking = [("application_where", 0.5), ("renewal_offline", 0.3), ("registration_where", 0.1)]
    assert prefer_stated_stage("签注要去哪个中心", ranking)[:2] == [("renewal_offline", 0.5), ("application_where", 0.3)]


def test_a_first_application_question_gets_the_first_application_entry() -> None:
    ranking = [("renewal_materials", 0.5), ("registration_materials", 0.2), ("materials_general", 0.1)]
    assert prefer_stated_stage("第一次申请要带哪些材料", ranking)[0] == ("materials_general", 0.5)


def test_nothing_changes_without_a_cue_or_a_counterpart_in_reach() -> None:
    ranking = [("application_where", 0.5), ("renewal_offline", 0.3)]
    assert prefer_stated_stage("去哪里办", ranking) == ranking
    far = [("application_where", 0.5), ("a", 0.2), ("b", 0.1), ("renewal_offline", 0.05)]
    assert prefer_stated_stage("签注去哪里办", far) == far
    assert prefer_stated_stage("签注去哪里办", [("renewal_window", 0.9)]) == [("renewal_window", 0.9)]
