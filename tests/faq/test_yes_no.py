"""Plain yes/no replies are read from a word list, in the bot and inside Rasa."""

from __future__ import annotations

import json

import pytest
import yaml

from bot.brain.training import PROJECT_ROOT
from bot.brain.yes_no import LEXICON_FILE, read_yes_no
from tests.platform.test_rasa_tuning import RASA_PYTHON, run_probe


@pytest.mark.parametrize(
    "reply",
    ["同意", "我同意", "确认", "对滴", "是滴", "嗯对", "对，没错", "没毛病", "就这天", "日期对的", "可以的呀",
     "OK的", "Y", "yes", "Yes.", "嗯呢", "嗯嗯", "对对对", "是啊", "哦好的", "👍", "對的", "ＯＫ"],
)
def test_ways_of_saying_yes(reply: str) -> None:
    assert read_yes_no(reply) == "affirm"


@pytest.mark.parametrize(
    "reply", ["不同意", "不对", "不对！", "日期不对", "不是这天", "N", "no", "NO!", "不不不", "不是的", "不用了", "拒絕"]
)
def test_ways_of_saying_no(reply: str) -> None:
    assert read_yes_no(reply) == "deny"


@pytest.mark.parametrize(
    "message",
    ["", "   ", "。", "可以吗", "好的谢谢", "不对，是3月6号", "对，不过我想改一下", "2027年3月5日", "是不是要续签",
     "不对吧你再想想这个日期好像是错的我记得", "错了", "算了", "yes please", "居住证怎么续签"],
)
def test_anything_more_than_a_yes_or_a_no_is_left_to_the_model(message: str) -> None:
    assert read_yes_no(message) is None


def test_the_word_list_is_consistent() -> None:
    raw = yaml.safe_load(LEXICON_FILE.read_text(encoding="utf-8"))
    assert set(raw) == {"affirm", "deny"}
    for answer, phrases in raw.items():
        assert all(isinstance(p, str) for p in phrases), "quote English words: YAML reads yes/no as booleans"
        for phrase in phrases:
            assert read_yes_no(phrase) == answer, phrase


def _nlu_examples() -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for path in sorted((PROJECT_ROOT / "nlu_data").rglob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            if "intent" not in block:
                continue
            for line in str(block.get("examples") or "").splitlines():
                text = line.strip().removeprefix("- ").strip()
                if text:
                    pairs.append((block["intent"], text))
    return pairs


def test_no_training_example_of_another_intent_reads_as_yes_or_no() -> None:
    examples = _nlu_examples()
    assert len(examples) > 2000
    clashes = [(intent, text, read_yes_no(text)) for intent, text in examples
               if read_yes_no(text) not in (None, intent)]
    assert clashes == []


# Runs inside .venv-rasa: the component as Rasa's pipeline calls it, after an intent classifier.
PROBE = r"""
import json, sys
from rasa.shared.nlu.training_data.message import Message
from bot.brain.yes_no_reader import YesNoReader

reader = YesNoReader.create({}, None, None, None)
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


def test_inside_rasa_a_yes_or_no_replaces_the_guess_and_anything_else_is_untouched() -> None:
    if not RASA_PYTHON.exists():
        pytest.skip("needs .venv-rasa (make setup)")
    out = run_probe(PROBE, json.dumps(["同意", "不对", "居住证怎么续签"], ensure_ascii=False))
    assert out["同意"]["intent"] == {"name": "affirm", "confidence": 1.0}
    # alone in the ranking: a near tie with the model's guess would make the fallback fire
    assert out["同意"]["ranking"] == [{"name": "affirm", "confidence": 1.0}]
    assert out["不对"]["intent"] == {"name": "deny", "confidence": 1.0}
    assert out["居住证怎么续签"]["intent"] == {"name": "faq", "confidence": 0.99}
    assert len(out["居住证怎么续签"]["ranking"]) == 2
    assert out["同意"]["text"] == "同意"


def test_the_reader_runs_before_the_fallback_classifier() -> None:
    config = yaml.safe_load((PROJECT_ROOT / "rasa" / "config.yml").read_text(encoding="utf-8"))
    names = [c["name"] for c in config["pipeline"]]
    reader = names.index("bot.brain.yes_no_reader.YesNoReader")
    assert names.index("DIETClassifier") < reader < names.index("FallbackClassifier")
