"""The Telegram renderer: escaping, keyboards, splitting long text."""

from __future__ import annotations

import pytest

from bot.channels.render import (
    CAPTION_LIMIT,
    TEXT_LIMIT,
    OutgoingMessage,
    keyboard_rows,
    render_reply,
    split_for_telegram,
    telegram_length,
    to_html,
)
from bot.replies import Button, Reply
from tests.fakes.telegram_api import parse_telegram_html


def test_user_visible_text_is_escaped_and_survives_telegram_parsing() -> None:
    text = "材料 <身份证> & 合同 <b>不是加粗</b>"
    rendered = to_html(text)
    assert "<身份证>" not in rendered and "&amp;" in rendered
    assert parse_telegram_html(rendered) == text


def test_a_whole_line_heading_becomes_bold() -> None:
    assert to_html("【续签材料】\n身份证") == "<b>【续签材料】</b>\n身份证"
    assert to_html("见【续签材料】一节") == "见【续签材料】一节"


def test_short_text_is_one_chunk_and_blank_text_none() -> None:
    assert split_for_telegram("你好") == ["你好"]
    assert split_for_telegram("  \n ") == []


def test_long_text_splits_at_paragraph_boundaries_and_loses_nothing() -> None:
    paragraphs = [f"第{i}段：" + "居住证续签说明。" * 60 for i in range(20)]
    text = "\n\n".join(paragraphs)
    chunks = split_for_telegram(text)
    assert len(chunks) > 1
    assert all(telegram_length(c) <= TEXT_LIMIT for c in chunks)
    # Every chunk starts at a paragraph start: no paragraph is cut in two.
    assert all(c.startswith("第") for c in chunks)
    assert "\n\n".join(chunks) == text


def test_a_single_huge_paragraph_splits_at_sentences_then_hard() -> None:
    sentences = "这是一句很长的说明。" * 1000
    chunks = split_for_telegram(sentences)
    assert all(telegram_length(c) <= TEXT_LIMIT for c in chunks)
    assert all(c.endswith("。") for c in chunks)
    assert "".join(chunks) == sentences
    no_punctuation = "字" * 9000
    hard = split_for_telegram(no_punctuation)
    assert [len(c) for c in hard] == [4096, 4096, 808]


def test_emoji_count_twice_like_telegram() -> None:
    text = "😀" * 3000  # 6000 UTF-16 units
    chunks = split_for_telegram(text)
    assert [telegram_length(c) for c in chunks] == [4096, 1904]


def test_keyboard_rows_pair_short_titles_and_isolate_long_ones() -> None:
    data = {"/a": "p:/a", "/b": "p:/b", "/c": "p:/c"}
    short = [Button("常见问题", "/a"), Button("材料清单", "/b"), Button("提醒", "/c")]
    assert keyboard_rows(short, data) == (
        (("常见问题", "p:/a"), ("材料清单", "p:/b")),
        (("提醒", "p:/c"),),
    )
    long_titles = [Button("我要准备什么材料呢", "/a"), Button("提醒", "/b")]
    assert keyboard_rows(long_titles, data) == (
        (("我要准备什么材料呢", "p:/a"),),
        (("提醒", "p:/b"),),
    )


def test_buttons_go_on_the_last_chunk_of_a_long_reply() -> None:
    reply = Reply(text="\n\n".join(["段落。" * 700] * 3), buttons=[Button("好的", "/affirm")])
    messages = render_reply(reply, {"/affirm": "p:/affirm"})
    assert len(messages) > 1
    assert [bool(m.keyboard) for m in messages] == [False] * (len(messages) - 1) + [True]


def test_buttons_without_text_get_a_prompt() -> None:
    [message] = render_reply(Reply(buttons=[Button("是", "/affirm")]), {"/affirm": "p:/affirm"})
    assert message.kind == "text" and message.html == "请选择：" and message.keyboard


def test_image_with_short_text_becomes_a_captioned_photo() -> None:
    reply = Reply(text="你的材料清单 <A>", image=b"png", image_name="清单.png")
    assert render_reply(reply, {}) == [
        OutgoingMessage("photo", "你的材料清单 &lt;A&gt;", (), b"png", "清单.png")
    ]


def test_image_with_long_text_sends_the_photo_then_the_text() -> None:
    reply = Reply(text="说" * (CAPTION_LIMIT + 1), document=b"pdf", document_name="a.pdf")
    messages = render_reply(reply, {})
    assert [m.kind for m in messages] == ["document", "text"]
    assert messages[0].html == ""


@pytest.mark.parametrize("title", ["", "   "])
def test_blank_button_titles_still_render(title: str) -> None:
    rows = keyboard_rows([Button(title, "/a")], {"/a": "p:/a"})
    assert rows == ((("…", "p:/a"),),)
