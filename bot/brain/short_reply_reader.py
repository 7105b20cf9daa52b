"""Rasa NLU component (.venv-rasa): a listed short reply sets the intent, whatever DIET guessed.

Sits after the intent classifier and before the FallbackClassifier, so 「同意」 at the reminder
form's 「对吗？」 becomes ``affirm`` and 「在吗」 ``greet``, with confidence 1, instead of falling
back. The model's other guesses are dropped from the ranking; text and entities are untouched.
What counts as such a reply: bot/brain/short_replies.py.
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

from bot.brain.short_replies import read_short_reply


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ShortReplyReader(GraphComponent, IntentClassifier):
    """Overrides the predicted intent for a listed yes/no, greeting, thanks or goodbye."""

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
    ) -> ShortReplyReader:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            answer = read_short_reply(text) if isinstance(text, str) else None
            if answer is None:
                continue
            intent = {INTENT_NAME_KEY: answer, PREDICTED_CONFIDENCE_KEY: 1.0}
            message.set(INTENT, intent, add_to_output=True)
            # the guesses go: DIET may be just as sure of another intent (「确认」: faq 0.99),
            # and the FallbackClassifier would call a near tie ambiguous
            message.set(INTENT_RANKING_KEY, [intent], add_to_output=True)
        return messages
