"""Typed words for /privacy, /mydata and /forget (knowledge/privacy/typed_commands.yml)."""

from __future__ import annotations

import pytest
import yaml

from bot.brain.local_faq import training_examples
from bot.knowledge import load_faq
from bot.privacy.typed import COMMANDS, PHRASES_FILE, typed_privacy_command
from tests.faq.test_short_replies import _nlu_examples


@pytest.mark.parametrize(
    ("message", "command"),
    [
        ("我的数据", "/mydata"), ("查看我的数据。", "/mydata"), ("你们存了我哪些信息？", "/mydata"),
        ("My Data", "/mydata"), ("我的資料", "/mydata"),
        ("删除我的数据", "/forget"), ("请帮我删除我的全部数据！", "/forget"), ("清空我的聊天记录", "/forget"),
        ("delete my data", "/forget"), ("我想删掉我的资料吧", "/forget"),
        ("隐私说明", "/privacy"), ("隱私", "/privacy"), ("你们会保存我的身份证照片吗？", "/privacy"),
        ("发给你的照片会不会被保存", "/privacy"), ("机器人会不会泄露我的信息", "/privacy"),
    ],
)  # fmt: skip
def test_ways_of_asking(message: str, command: str) -> None:
    assert typed_privacy_command(message) == command


@pytest.mark.parametrize(
    "message",
    [
        "删除提醒", "取消提醒", "我的提醒", "删除居住登记信息", "我的信息填错了怎么办", "居住证照片要求",
        "我的居住证信息怎么查", "居住证过期了", "", "数据" * 40 + "删除我的数据",
    ],
)
def test_permit_questions_and_other_features_are_left_alone(message: str) -> None:
    assert typed_privacy_command(message) is None


def test_no_training_example_or_faq_question_reads_as_a_privacy_command() -> None:
    texts = [text for _, text in _nlu_examples()]
    texts += [t for examples in training_examples().values() for t in examples]
    texts += [entry.question for entry in load_faq().entries.values()]
    assert len(texts) > 2000
    assert [(t, typed_privacy_command(t)) for t in texts if typed_privacy_command(t)] == []


def test_the_phrase_file_lists_every_command_and_valid_patterns() -> None:
    doc = yaml.safe_load(PHRASES_FILE.read_text(encoding="utf-8"))
    assert set(doc) == set(COMMANDS)
    for command in COMMANDS:
        for phrase in doc[command]["phrases"]:
            assert typed_privacy_command(str(phrase)) == f"/{command}", phrase
