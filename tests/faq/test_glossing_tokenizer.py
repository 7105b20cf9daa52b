"""Rasa's tokenizer reads Simplified characters and the glossary terms, and leaves the text alone."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from bot.brain.training import PROJECT_ROOT, TRAINING_INPUTS, training_fingerprint
from tests.platform.test_rasa_tuning import RASA_PYTHON, run_probe

# Runs inside .venv-rasa: our tokenizer next to Rasa's JiebaTokenizer, both with the domain dictionary.
PROBE = r"""
import json, logging, sys
logging.disable(logging.WARNING)
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from bot.brain.glossing_tokenizer import GlossingJiebaTokenizer

def make(cls):
    config = {**cls.get_default_config(), "dictionary_path": "knowledge/jieba"}
    return cls.create(config, None, None, None)

ours, rasas = make(GlossingJiebaTokenizer), make(JiebaTokenizer)
report = {}
for text in json.loads(sys.argv[1]):
    message = Message(data={"text": text})
    tokens = ours.tokenize(message, "text")
    report[text] = {
        "ours": [[t.text, t.start, t.end] for t in tokens],
        "rasa": [[t.text, t.start, t.end] for t in rasas.tokenize(Message(data={"text": text}), "text")],
        "text_after": message.get("text"),
    }
example = Message(data={"text": "我的居住證多久刷一次", "intent": "faq",
                        "entities": [{"start": 2, "end": 5, "value": "居住證", "entity": "topic"}]})
ours.process_training_data(TrainingData([example]))
report["training"] = [[t.text, t.start, t.end] for t in example.get("text_tokens")]
print(json.dumps(report, ensure_ascii=False))
"""

TEXTS = ["居住证怎么续签", "居住證多久刷一次", "居住证多久刷一次", "how do I renew my residence permit", "你好"]


@pytest.fixture(scope="module")
def report() -> dict:
    if not RASA_PYTHON.exists():
        pytest.skip("needs .venv-rasa (make setup)")
    return run_probe(PROBE, json.dumps(TEXTS, ensure_ascii=False))


def words(tokens: list[list]) -> list[str]:
    return [t[0] for t in tokens]


def test_a_text_without_glossary_wordings_is_tokenized_as_rasa_does(report: dict) -> None:
    assert report["你好"]["ours"] == report["你好"]["rasa"]


def test_glossary_terms_follow_the_text_and_the_text_is_unchanged(report: dict) -> None:
    text = "居住证多久刷一次"
    ours, rasa = report[text]["ours"], report[text]["rasa"]
    assert ours[: len(rasa)] == rasa  # the user's own tokens first, at their own offsets
    extra = ours[len(rasa) :]
    assert "签注" in words(extra)
    assert all(start > len(text) for _, start, _ in extra)  # after the text: entities never touch them
    assert report[text]["text_after"] == text


def test_traditional_characters_give_the_simplified_tokens(report: dict) -> None:
    assert report["居住證多久刷一次"]["ours"] == report["居住证多久刷一次"]["ours"]
    assert "居住證" in words(report["居住證多久刷一次"]["rasa"])  # Rasa's own tokenizer would not


def test_english_words_bring_their_chinese_glosses(report: dict) -> None:
    text = "how do I renew my residence permit"
    extra = words(report[text]["ours"])[len(report[text]["rasa"]) :]
    assert "居住证" in extra and ({"签注", "续签"} & set(extra))


def test_training_examples_get_the_same_tokens_with_offsets_that_match_their_entities(report: dict) -> None:
    tokens = report["training"]
    assert tokens[:2] == [["我", 0, 1], ["的", 1, 2]]
    assert ["居住证", 2, 5] in tokens  # the entity 居住證 (2..5) still lines up with a token
    assert "签注" in words(tokens)


def test_the_model_is_trained_with_this_tokenizer() -> None:
    config = yaml.safe_load((PROJECT_ROOT / "rasa" / "config.yml").read_text(encoding="utf-8"))
    first = config["pipeline"][0]
    assert first["name"] == "bot.brain.glossing_tokenizer.GlossingJiebaTokenizer"
    assert first["dictionary_path"] == "knowledge/jieba"


def test_editing_a_glossary_retrains_the_model(tmp_path: Path) -> None:
    for rel in TRAINING_INPUTS:
        source, target = PROJECT_ROOT / rel, tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if source.is_dir() else shutil.copy)(source, target)
    before = training_fingerprint(tmp_path)
    assert before == training_fingerprint(PROJECT_ROOT)
    glossary = tmp_path / "knowledge" / "glossary" / "chinese.yml"
    glossary.write_text(glossary.read_text(encoding="utf-8") + "补办: [再办一张]\n", encoding="utf-8")
    assert training_fingerprint(tmp_path) != before
