import pytest

from bot.scope import other_place_named


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("南昌居住证怎么办", "南昌"),
        ("滁州居住证续期", "滁州"),
        ("武汉的居住证到期怎么办", "武汉"),
        ("江苏省居住证网上能办吗", "江苏"),
    ],
)
def test_another_citys_permit_is_recognised(text: str, place: str) -> None:
    assert other_place_named(text) == place


@pytest.mark.parametrize(
    "text",
    ["居住证快到期了怎么办", "我老家河南的，居住证怎么办", "江苏省的居住证能在上海用吗", "我在北京工作，想问上海居住证", "浦东的居住证在哪办"],
)
def test_shanghai_questions_and_hometowns_are_not_out_of_scope(text: str) -> None:
    assert other_place_named(text) is None
