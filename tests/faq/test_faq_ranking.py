import numpy as np

from bot.brain.faq_classifier import FaqClassifier
from bot.brain.faq_ranking import choose_faq, classifier, fuse


def test_fusion_prefers_the_entry_both_rankers_like() -> None:
    selector = [("a", 0.40), ("b", 0.35), ("c", 0.05)]
    linear = [("b", 0.6), ("c", 0.3), ("a", 0.1)]
    choice = fuse(selector, linear)
    assert choice.best is not None and choice.best[0] == "b"
    assert not choice.rankers_agree


def test_agreeing_rankers_are_flagged() -> None:
    choice = fuse([("a", 0.2), ("b", 0.1)], [("a", 0.9)])
    assert choice.rankers_agree and choice.best == ("a", 0.2 * 0.5 + 0.9 * 0.5)


def test_selector_alone_still_ranks_when_the_classifier_has_nothing() -> None:
    choice = fuse([("a", 0.7), ("b", 0.2)], [])
    assert [rid for rid, _ in choice.ranking] == ["a", "b"]


def test_local_ranker_finds_the_renewal_window_entry() -> None:
    choice = choose_faq("居住证快到期了怎么续签", [])
    assert choice.best is not None
    assert choice.best[0].startswith(("renewal", "expiry"))


def test_classifier_probabilities_are_a_distribution_over_entries() -> None:
    model = classifier()
    probabilities = model.probabilities(["居住证丢了怎么补办", "小卡有效期多久"])
    assert probabilities.shape == (2, len(model.classes))
    assert abs(float(probabilities.sum(axis=1)[0]) - 1.0) < 1e-6
    assert model.ranking("   ") == []


def test_classifier_learns_from_the_examples_it_is_given() -> None:
    """Trained on different examples, the same question moves: the model is not a lookup."""
    examples = {"lost_replace": ["卡被狗咬烂了"], "renewal_window": ["签注什么时候开始"]}
    model = FaqClassifier.train(examples)
    assert model.ranking("我的卡被狗咬烂了")[0][0] == "lost_replace"
    swapped = FaqClassifier.train({"renewal_window": ["卡被狗咬烂了"], "lost_replace": ["签注什么时候开始"]})
    assert swapped.ranking("我的卡被狗咬烂了")[0][0] == "renewal_window"


def test_one_question_is_scored_exactly_as_scikit_learn_scores_it() -> None:
    """The single-question fast path (no scikit-learn validation) gives scikit-learn's margins."""
    from bot.brain.local_faq import training_examples

    model = classifier()
    texts = [t for examples in training_examples().values() for t in examples][::7]
    texts += ["", "   ", "zzqx 😀", "<b>居住证</b>' OR 1=1", "居住证" * 300, "When can I renew my 居住证?"]
    batch = model.predict_margins(texts)  # scikit-learn's transform + decision_function
    one_by_one = np.vstack([model.predict_margins([text]) for text in texts])
    assert batch.shape == one_by_one.shape == (len(texts), len(model.classes))
    assert np.abs(batch - one_by_one).max() < 1e-9
