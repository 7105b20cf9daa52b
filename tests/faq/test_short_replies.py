"""Short fixed replies (yes/no, greetings, thanks, goodbyes) are read from a word list, in the bot
and inside Rasa."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from bot.brain.short_replies import LEXICON_FILE, read_short_reply, reply_intents
from bot.brain.training import PROJECT_ROOT
from tests.platform.test_rasa_tuning import RASA_PYTHON, run_probe


@pytest.mark.parametrize(
    "reply",
    ["同意", "我同意", "确认", "对滴", "是滴", "嗯对", "对，没错", "没毛病", "就这天", "日期对的", "可以的呀",
     "OK的", "Y", "yes", "Yes.", "嗯呢", "嗯嗯", "对对对", "是啊", "哦好的", "👍", "對的", "ＯＫ", "yes please",
     "Yes  please!"],
)
def test_ways_of_saying_yes(reply: str) -> None:
    assert read_short_reply(reply) == "affirm"


@pytest.mark.parametrize(
    "reply", ["不同意", "不对", "不对！", "日期不对", "不是这天", "N", "no", "NO!", "不不不", "不是的", "不用了", "拒絕",
              "搞错了", "no thanks"]
)
def test_ways_of_saying_no(reply: str) -> None:
    assert read_short_reply(reply) == "deny"


@pytest.mark.parametrize(
    ("message", "intent"),
    [("在吗", "greet"), ("在嗎？", "greet"), ("你好呀", "greet"), ("您好，在吗", "greet"), ("Hi", "greet"),
     ("hello there", "greet"), ("早上好！", "greet"), ("哈喽哈喽", "greet"),
     ("辛苦了", "thank"), ("谢谢谢谢", "thank"), ("多謝啦", "thank"), ("Thank you!", "thank"), ("thx", "thank"),
     ("晚安", "goodbye"), ("拜拜~", "goodbye"), ("bye bye", "goodbye"), ("谢谢，再见", "goodbye"), ("我去试试 谢谢", "goodbye"), ("好，我这就去办", None),
     ("好的 谢谢 拜拜", None),
     ("取消", "cancel"), ("我的提醒", "reminders_list"), ("查看提醒", "reminders_list"), ("照片预检", "precheck_start"),
     ("帮助", "help"), ("常见问题", "faq_menu"), ("续签提醒", "remind_me"), ("提醒我一下", "remind_me"), ("到时候提醒我哈", "remind_me"), ("材料清单", "start_materials"),
     ("都不是", "none_of_these"), ("我的提醒在哪看", None), ("照片预检要多久", None)],
)
def test_greetings_thanks_goodbyes_and_menu_words(message: str, intent: str | None) -> None:
    assert read_short_reply(message) == intent


@pytest.mark.parametrize(
    "message",
    ["", "   ", "。", "可以吗", "好的谢谢", "不对，是3月6号", "对，不过我想改一下", "2027年3月5日", "是不是要续签",
     "不对吧你再想想这个日期好像是错的我记得", "错了", "算了", "88", "8", "居住证怎么续签", "你好，居住证怎么续签",
     "谢谢，那过期了怎么办", "hi how do i renew", "在吗在吗我的居住证过期了"],
)
def test_anything_more_than_a_short_reply_is_left_to_the_model(message: str) -> None:
    assert read_short_reply(message) is None


def _domain_intents() -> set[str]:
    intents: set[str] = set()
    for path in (PROJECT_ROOT / "rasa" / "domain").glob("*.yml"):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        intents |= {i if isinstance(i, str) else next(iter(i)) for i in doc.get("intents") or ()}
    return intents


def test_the_word_list_is_consistent() -> None:
    raw = yaml.safe_load(LEXICON_FILE.read_text(encoding="utf-8"))
    assert set(raw) == set(reply_intents())
    assert {"affirm", "deny", "greet", "thank", "goodbye", "cancel"} <= set(raw) <= _domain_intents()
    for intent, phrases in raw.items():
        assert all(isinstance(p, str) for p in phrases), "quote English words: YAML reads yes/no as booleans"
        for phrase in phrases:
            assert read_short_reply(phrase) == intent, phrase


_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def _nlu_examples() -> list[tuple[str, str]]:
    """(intent, text) of every training example, entity annotations reduced to their text."""
    pairs: list[tuple[str, str]] = []
    for path in sorted((PROJECT_ROOT / "nlu_data").rglob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            if "intent" not in block:
                continue
            for line in str(block.get("examples") or "").splitlines():
                text = _ANNOTATION.sub(r"\1", line.strip().removeprefix("- ").strip())
                if text:
                    pairs.append((block["intent"], text))
    return pairs


def test_no_training_example_of_another_intent_reads_as_a_short_reply() -> None:
    examples = _nlu_examples()
    assert len(examples) > 2000
    clashes = [(intent, text, read_short_reply(text)) for intent, text in examples
               if read_short_reply(text) not in (None, intent)]
    assert clashes == []


def test_most_short_training_examples_of_these_intents_are_listed() -> None:
    """The word list and the training data describe the same replies; the model is the backup."""
    short = [(intent, text) for intent, text in _nlu_examples() if intent in reply_intents() and len(text) <= 6]
    read = [pair for pair in short if read_short_reply(pair[1]) == pair[0]]
    assert len(short) > 60
    assert len(read) / len(short) >= 0.75, sorted(set(short) - set(read))


# Runs inside .venv-rasa: the component as Rasa's pipeline calls it, after an intent classifier.
PROBE = r"""
import json, sys
from rasa.shared.nlu.training_data.message import Message
from bot.brain.short_reply_reader import ShortReplyReader

reader = ShortReplyReader.create({}, None, None, None)
out = {}
for text in json.loads(sys.argv[1]):
    guess = {"name": "faq", "confidence": 0.99}
    message = Message(data={"text": text, "intent": guess,
                            "intent_ranking": [guess, {"name": "deny", "confidence": 0.01}]})
    reader.process([message])
    out[text] = {"intent": message.get("intent"), "ranking": message.get("intent_ranking"),
                 "text": message.get("text")}
print(json.dumps(out, ensure_ascii=False))
"""


def test_inside_rasa_a_short_reply_replaces_the_guess_and_anything_else_is_untouched() -> None:
    assert RASA_PYTHON.exists(), "needs .venv-rasa (make setup)"
    out = run_probe(PROBE, json.dumps(["同意", "不对", "在吗", "居住证怎么续签"], ensure_ascii=False))
    assert out["同意"]["intent"] == {"name": "affirm", "confidence": 1.0}
    # alone in the ranking: a near tie with the model's guess would make the fallback fire
    assert out["同意"]["ranking"] == [{"name": "affirm", "confidence": 1.0}]
    assert out["不对"]["intent"] == {"name": "deny", "confidence": 1.0}
    assert out["在吗"]["intent"] == {"name": "greet", "confidence": 1.0}
    assert out["居住证怎么续签"]["intent"] == {"name": "faq", "confidence": 0.99}
    assert len(out["居住证怎么续签"]["ranking"]) == 2
    assert out["同意"]["text"] == "同意"


def test_the_reader_runs_before_the_fallback_classifier() -> None:
    config = yaml.safe_load((PROJECT_ROOT / "rasa" / "config.yml").read_text(encoding="utf-8"))
    names = [c["name"] for c in config["pipeline"]]
    reader = names.index("bot.brain.short_reply_reader.ShortReplyReader")
    assert names.index("DIETClassifier") < reader < names.index("FallbackClassifier")
