from bot.brain.english_gloss import with_glosses
from bot.brain.faq_ranking import choose_faq


def test_english_words_get_chinese_glosses_and_chinese_text_is_untouched() -> None:
    glossed = with_glosses("How to RENEW my residence permit online")
    assert glossed.startswith("How to RENEW my residence permit online ")
    assert "续签" in glossed and "居住证" in glossed and "网上" in glossed
    assert with_glosses("居住证过期了怎么办") == "居住证过期了怎么办"
    assert with_glosses("cardboard") == "cardboard"  # whole words only


def test_an_english_question_reaches_the_right_topic_without_rasa() -> None:
    choice = choose_faq("I lost my residence permit, how to get a replacement", [])
    assert choice.best is not None and choice.best[0].startswith("lost_")
