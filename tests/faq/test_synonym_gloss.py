from collections import Counter

import yaml

from bot.brain.synonym_gloss import GLOSSARY_FILE, with_synonyms


def test_everyday_wordings_get_the_term_the_examples_use() -> None:
    assert with_synonyms("做好的证能送上门吗") == "做好的证能送上门吗 邮寄"
    glossed = with_synonyms("不上班的人居住证掉了怎么办")
    assert glossed.startswith("不上班的人居住证掉了怎么办 ")
    assert set(glossed.split(" ", 1)[1].split()) == {"没工作", "遗失"}
    assert with_synonyms("什么是居住证") == "什么是居住证"  # nothing to add
    assert with_synonyms("签注要带什么") == "签注要带什么 签注"  # the term itself weighs as its wordings do


def test_the_glossary_is_well_formed_and_no_wording_belongs_to_two_terms() -> None:
    raw = yaml.safe_load(GLOSSARY_FILE.read_text(encoding="utf-8"))
    assert isinstance(raw, dict) and len(raw) >= 20
    wordings = Counter()
    for term, items in raw.items():
        assert isinstance(term, str) and term.strip() and isinstance(items, list) and items, term
        wordings.update({str(w) for w in [term, *items]})
    assert not [w for w, n in wordings.items() if n > 1]
