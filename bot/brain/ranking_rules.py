"""Shared mechanics of the rules that correct the FAQ ranking with a cue the rankers miss."""

from __future__ import annotations

RULE_REACH = 3  # a rule may only promote an entry the rankers already put this high


def promote(ranking: list[tuple[str, float]], wanted: str) -> list[tuple[str, float]]:
    """Swap ``wanted`` to the top if it is within reach; scores stay with their positions
    (the confidence of the answer is still the rankers' confidence in their first choice)."""
    position = next((i for i, (entry, _) in enumerate(ranking[:RULE_REACH]) if entry == wanted), None)
    if not position:  # absent, or already first
        return ranking
    reordered = list(ranking)
    reordered[0], reordered[position] = (wanted, ranking[0][1]), (ranking[0][0], ranking[position][1])
    return reordered


def put_first(ranking: list[tuple[str, float]], wanted: str) -> list[tuple[str, float]]:
    """Put ``wanted`` first wherever it stands, or add it; scores stay with their positions.
    Only for a rule that decides between two named entries on a fact the rankers cannot read
    (the number of days overdue), where the partner's rank says nothing."""
    entries = [wanted, *(entry for entry, _ in ranking if entry != wanted)]
    scores = [score for _, score in ranking] + ([0.0] if len(entries) > len(ranking) else [])
    return list(zip(entries, scores, strict=True))
