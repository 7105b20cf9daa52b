"""Rasa's Jieba tokenizer over Simplified characters, followed by the glossary terms (.venv-rasa).

The bot sends Rasa normalised text (bot/text.py), so Traditional characters never reach the model
when it parses; the tokens of the training examples written in Traditional characters are made
Simplified here too, or those examples would teach features no parsed message has. Users write 「刷一次」「送上门」「renew」 where the training examples say 签注, 邮寄, 续签. The local
rankers already append the glossaries' terms to a question (bot/brain/synonym_gloss.py,
english_gloss.py); with this tokenizer Rasa's featurizers, DIET and the ResponseSelector see the
same terms, in training and when parsing. The message text itself is unchanged: the extra tokens
sit after its end, so entities, the parse result and the stored conversation keep the user's words.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.brain.english_gloss import with_glosses
from bot.brain.synonym_gloss import with_synonyms
from bot.text import to_simplified


def gloss_terms(text: str) -> str:
    """The glossary terms the local rankers would append to ``text`` ('' if none)."""
    return with_synonyms(with_glosses(text))[len(text) :].strip()


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class GlossingJiebaTokenizer(JiebaTokenizer):
    """``JiebaTokenizer`` whose text tokens end with the glossary terms of the text."""

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        text: Any = message.get(attribute)
        if attribute != TEXT or not isinstance(text, str) or not text:
            return super().tokenize(message, attribute)
        import jieba

        simplified = to_simplified(text)
        if len(simplified) != len(text):  # token offsets must stay the text's offsets
            simplified = text
        tokens = [Token(word, start) for word, start, _ in jieba.tokenize(simplified)]
        offset = len(text) + 1
        terms = gloss_terms(simplified)
        tokens += [Token(word, offset + start) for word, start, _ in jieba.tokenize(terms) if word.strip()]
        return self._apply_token_pattern(tokens)
