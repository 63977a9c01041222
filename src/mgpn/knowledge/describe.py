"""Predicates written out as plain sentences, so a clinician can review rules without YAML or Python."""

from __future__ import annotations

from mgpn.knowledge.predicates import (
    AllOf,
    AnyKnown,
    AnyOf,
    AtLeastN,
    CriterionRef,
    Leaf,
    LinkRef,
    MimicRef,
    NotOf,
    NotTrue,
    Predicate,
    SyndromeRef,
    UnknownOf,
)
from mgpn.knowledge.schema import KnowledgeBase

_SYMBOLS = {"at_least": ">=", "above": ">", "below": "<", "at_most": "<="}


def _leaf(leaf: Leaf, kb: KnowledgeBase) -> str:
    subject = leaf.path if leaf.minus is None else f"({leaf.path} - {leaf.minus})"
    if leaf.present is not None:
        return f"{subject} is recorded" if leaf.present else f"{subject} is not recorded"
    name = leaf.threshold_name
    operator = leaf.numeric_operator
    if name is not None and operator is not None:
        threshold = kb.thresholds.get(name)
        value = f"{threshold.value:g} {threshold.unit}" if threshold else "?"
        flag = "" if threshold is None or threshold.verified else ", UNVERIFIED"
        return f"{subject} {_SYMBOLS[operator]} {value} [{name}{flag}]"
    if leaf.is_ is not None:
        return f"{subject} is {str(leaf.is_).lower()}"
    if leaf.in_ is not None:
        return f"{subject} is one of {', '.join(leaf.in_)}"
    if leaf.contains_any is not None:
        return f"{subject} includes any of {', '.join(leaf.contains_any)}"
    return f"{subject} mentions any of {', '.join(leaf.mentions_any or [])}"


def describe(predicate: Predicate, kb: KnowledgeBase) -> str:
    """One readable line for ``predicate``."""
    if isinstance(predicate, Leaf):
        return _leaf(predicate, kb)
    if isinstance(predicate, AllOf):
        return "ALL OF (" + "; ".join(describe(item, kb) for item in predicate.all) + ")"
    if isinstance(predicate, AnyOf):
        return "ANY OF (" + "; ".join(describe(item, kb) for item in predicate.any) + ")"
    if isinstance(predicate, AnyKnown):
        return (
            "ANY OF THOSE MEASURED ("
            + "; ".join(describe(i, kb) for i in predicate.any_known)
            + ")"
        )
    if isinstance(predicate, NotOf):
        return "NOT (" + describe(predicate.not_, kb) + ")"
    if isinstance(predicate, NotTrue):
        return "NOT KNOWN TRUE (" + describe(predicate.not_true, kb) + ")"
    if isinstance(predicate, UnknownOf):
        return "UNKNOWN (" + describe(predicate.unknown, kb) + ")"
    if isinstance(predicate, AtLeastN):
        spec = predicate.at_least_n
        return f"AT LEAST {spec.n} OF (" + "; ".join(describe(i, kb) for i in spec.of) + ")"
    if isinstance(predicate, CriterionRef):
        return f"criterion '{predicate.criterion}'"
    if isinstance(predicate, SyndromeRef):
        return f"syndrome {'/'.join(predicate.syndrome)} is {'/'.join(predicate.status_in)}"
    if isinstance(predicate, MimicRef):
        return f"mimic {'/'.join(predicate.mimic)} is {'/'.join(predicate.status_in)}"
    assert isinstance(predicate, LinkRef)
    return f"link is {'/'.join(predicate.link_in)}"
