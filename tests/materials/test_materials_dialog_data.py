"""The Rasa data of the materials dialog is consistent: domain, NLU, rules, stories, generator."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.config import PROJECT_ROOT
from bot.materials.rules import SLOT_PREFIX, default_materials
from tests.materials import story_paths

DOMAIN = yaml.safe_load(
    (PROJECT_ROOT / "rasa" / "domain" / "materials.yml").read_text(encoding="utf-8")
)
NLU_FILE = PROJECT_ROOT / "nlu_data" / "materials.yml"
NLU = yaml.safe_load(NLU_FILE.read_text(encoding="utf-8"))["nlu"]
ENTITY = re.compile(r"\[(?P<text>[^\]]+)\]\((?P<entity>[^:)]+)(?::(?P<value>[^)]+))?\)")


def examples_of(block: dict) -> list[str]:
    return [line[2:].strip() for line in block["examples"].splitlines() if line.startswith("- ")]


def plain(example: str) -> str:
    return ENTITY.sub(lambda m: m["text"], example)


def test_generated_story_files_are_up_to_date() -> None:
    assert story_paths.TEST_STORIES.read_text(encoding="utf-8") == story_paths.dump(
        story_paths.test_stories()
    )
    assert story_paths.TRAINING_STORIES.read_text(encoding="utf-8") == story_paths.dump(
        story_paths.training_stories()
    )


def test_test_stories_cover_every_application_housing_activity_path() -> None:
    stories = yaml.safe_load(story_paths.TEST_STORIES.read_text(encoding="utf-8"))["stories"]
    seen: set[tuple[str | None, ...]] = set()
    for s in stories:
        values: dict[str, str] = {}
        for step in s["steps"]:
            for entity in step.get("entities", []):
                values.update(entity)
        seen.add(tuple(values.get(SLOT_PREFIX + k) for k in ("application", "housing", "activity")))
    knowledge = default_materials()
    for housing in knowledge.question("housing").options:
        for activity in knowledge.question("activity").options:
            assert ("first", housing.value, activity.value) in seen
            assert ("endorse", housing.value, activity.value) in seen
        assert ("change", housing.value, None) in seen
    names = " ".join(s["story"] for s in stories)
    for interruption in ("why", "FAQ", "change the housing", "cancel"):
        assert interruption in names


def test_every_intent_entity_and_slot_is_declared() -> None:
    intents = {block["intent"] for block in NLU if "intent" in block}
    assert intents == set(DOMAIN["intents"])
    entities = {
        m["entity"]
        for block in NLU
        if "intent" in block
        for e in examples_of(block)
        for m in ENTITY.finditer(e)
    }
    assert entities <= set(DOMAIN["entities"])
    assert set(DOMAIN["entities"]) <= set(DOMAIN["slots"])
    questions = {SLOT_PREFIX + q.slot for q in default_materials().questions}
    assert questions == set(DOMAIN["forms"]["materials_form"]["required_slots"])
    assert {f"action_ask_{s}" for s in questions} <= set(DOMAIN["actions"])


def test_entity_values_are_real_options() -> None:
    knowledge = default_materials()
    for block in NLU:
        for example in examples_of(block) if "intent" in block else []:
            for m in ENTITY.finditer(example):
                entity, value = m["entity"], m["value"] or m["text"]
                if entity == "mat_slot":
                    assert value in {q.slot for q in knowledge.questions}, example
                elif entity == f"{SLOT_PREFIX}registered_on":
                    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", value), example
                else:
                    options = {o.value for o in knowledge.question(entity).options}
                    assert value in options, example


def test_entity_annotations_align_with_jieba_tokens() -> None:
    """DIET ignores an entity whose edge falls inside a token; check with the project's jieba dict."""
    import jieba

    tokenizer = jieba.Tokenizer()
    for userdict in sorted((PROJECT_ROOT / "knowledge" / "jieba").glob("*.txt")):
        tokenizer.load_userdict(str(userdict))
    misaligned = []
    for block in NLU:
        for example in examples_of(block) if "intent" in block else []:
            text = plain(example)
            edges = {0}
            position = 0
            for token in tokenizer.lcut(text):
                position += len(token)
                edges.add(position)
            offset = 0
            for m in ENTITY.finditer(example):
                start = m.start() - offset
                end = start + len(m["text"])
                offset += len(m[0]) - len(m["text"])
                if start not in edges or end not in edges:
                    misaligned.append((example, tokenizer.lcut(text)))
    assert not misaligned


def test_no_example_is_repeated_anywhere_in_the_nlu_data() -> None:
    ours = [plain(e) for block in NLU if "intent" in block for e in examples_of(block)]
    assert len(ours) == len(set(ours))
    others: set[str] = set()
    for path in (PROJECT_ROOT / "nlu_data").rglob("*.yml"):
        if path == NLU_FILE:
            continue
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            if "examples" in block and "intent" in block:
                others.update(plain(e) for e in examples_of(block))
    assert not set(ours) & others


def test_heldout_phrasings_are_not_in_the_training_data() -> None:
    heldout = yaml.safe_load(
        (Path(__file__).parent / "data" / "slot_phrasings_heldout.yml").read_text(encoding="utf-8")
    )["cases"]
    training = {plain(e) for block in NLU if "intent" in block for e in examples_of(block)}
    assert not {c["text"] for c in heldout} & training
