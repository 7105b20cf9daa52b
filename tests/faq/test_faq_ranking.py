from bot.brain.faq_ranking import choose_faq, fuse


def test_fusion_prefers_the_entry_both_rankers_like() -> None:
    selector = [("a", 0.40), ("b", 0.35), ("c", 0.05)]
    bm25 = [("b", 9.0), ("c", 6.0), ("a", 1.0)]
    choice = fuse(selector, bm25)
    assert choice.best is not None and choice.best[0] == "b"
    assert not choice.rankers_agree


def test_agreeing_rankers_are_flagged() -> None:
    choice = fuse([("a", 0.2), ("b", 0.1)], [("a", 5.0)])
    assert choice.rankers_agree and choice.best == ("a", 0.2 * 0.5 + 0.5)


def test_selector_alone_still_ranks_when_bm25_finds_nothing() -> None:
    choice = fuse([("a", 0.7), ("b", 0.2)], [])
    assert [rid for rid, _ in choice.ranking] == ["a", "b"]


def test_local_ranker_finds_the_renewal_window_entry() -> None:
    choice = choose_faq("居住证快到期了怎么续签", [])
    assert choice.best is not None
    assert choice.best[0].startswith(("renewal", "expiry"))
