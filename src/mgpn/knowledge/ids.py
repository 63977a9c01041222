"""Stable ids for rules that have no explicit ``id``: the rule's name, numbered if repeated.

Shared by the engine (which writes them into assessments) and ``mgpn kb show`` (which
finds a rule from them), so the two can never disagree.
"""

from __future__ import annotations


def numbered(names: list[str]) -> list[str]:
    """``["a", "b", "a"]`` -> ``["a", "b", "a_2"]``."""
    counts: dict[str, int] = {}
    out = []
    for name in names:
        counts[name] = counts.get(name, 0) + 1
        out.append(name if counts[name] == 1 else f"{name}_{counts[name]}")
    return out
