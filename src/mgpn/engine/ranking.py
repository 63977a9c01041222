"""Order the syndromes and say, in one line, why the first is above the second.

The rule (also in meta.yaml ``ranking`` and docs/knowledge-base.md): status first, then
support (the score), then the knowledge base's evaluation order, in which coincidental
gammopathy comes last. Coincidental gammopathy has no default status that could outrank a
supported syndrome; its status is derived from the mimics and the other syndromes.
"""

from __future__ import annotations

from mgpn.assessment import Ranking, SyndromeResult, TestId, TestRecommendation
from mgpn.engine.rules import STATUS_ORDER


def rank(results: list[SyndromeResult], position: dict[str, int]) -> list[SyndromeResult]:
    """``results`` (just built, so given their places in place) in order, ranks set.

    ``position``: each syndrome id's place in the knowledge base's order.
    """
    ordered = sorted(results, key=lambda r: (STATUS_ORDER[r.status], -r.score, position[r.id]))
    for index, item in enumerate(ordered, 1):
        item.rank = index
    return ordered


def _findings(result: SyndromeResult, limit: int = 2) -> str:
    shown = [item for item in result.for_ if item][:limit]
    return "; ".join(shown) if shown else "no finding in favour"


def ranking_note(
    rule: str, ranked: list[SyndromeResult], tests: list[TestRecommendation]
) -> Ranking:
    """Why the first is above the second; ``rule`` is the KB's ranking rule on one line."""
    if len(ranked) < 2:
        return Ranking(rule=rule)
    first, second = ranked[0], ranked[1]
    if STATUS_ORDER[first.status] < STATUS_ORDER[second.status]:
        why = (
            f"{first.label} ({first.status}) is above {second.label} ({second.status}): "
            f"{first.status_reason or _findings(first)}"
        )
    elif first.score != second.score:
        why = (
            f"{first.label} and {second.label} are both {first.status}; the first has more "
            f"support (score {first.score:.2f} vs {second.score:.2f}; in favour: "
            f"{_findings(first)})"
        )
    else:
        why = (
            f"{first.label} and {second.label} are both {first.status} with equal support; "
            "the knowledge base's order decides"
        )
    # What would decide: tests that confirm the first while it is not established, else
    # tests that could still raise the second.
    useful = [t for t in tests if t.priority != "consider"]
    for_first = [t.id for t in useful if first.id in t.for_]
    for_second = [t.id for t in useful if second.id in t.for_ and t.id not in for_first]
    ordered = for_first + for_second if first.status != "established" else for_second + for_first
    deciding: list[TestId] = list(dict.fromkeys(ordered))
    if deciding:
        labels = {t.id: t.label for t in tests}
        why = why.rstrip(". ") + f". Test that would decide: {labels[deciding[0]]}"
    return Ranking(
        rule=rule,
        first=first.id,
        second=second.id,
        why_first=why.rstrip(".") + ".",
        deciding_tests=deciding,
    )
