"""Rasa NLU component (.venv-rasa): a plain yes or no sets the intent, whatever DIET guessed.

Sits after the intent classifier and before the FallbackClassifier, so 「同意」 at the reminder
form's 「对吗？」 becomes ``affirm`` with confidence 1 instead of falling back. The model's other
guesses are dropped from the ranking; text and entities are untouched. What counts as a yes or a
no: bot/brain/yes_no.py.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.brain.yes_no import read_yes_no


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class YesNoReader(GraphComponent, IntentClassifier):
    """Overrides the predicted intent with ``affirm``/``deny`` for a listed yes/no reply."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [IntentClassifier]

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> YesNoReader:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            answer = read_yes_no(text) if isinstance(text, str) else None
            if answer is None:
                continue
            intent = {INTENT_NAME_KEY: answer, PREDICTED_CONFIDENCE_KEY: 1.0}
            message.set(INTENT, intent, add_to_output=True)
            # the guesses go: DIET may be just as sure of another intent (「确认」: faq 0.99),
            # and the FallbackClassifier would call a near tie ambiguous
            message.set(INTENT_RANKING_KEY, [intent], add_to_output=True)
        return messages
