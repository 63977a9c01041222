"""Order cautions (``data/order_cautions.yaml``): which card fires on what is being ordered.

A strict schema of its own beside the knowledge base, reusing its predicate language,
thresholds and reference ids, which are checked against the loaded knowledge base.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from mgpn.assessment import MIMIC_IDS, SYNDROME_IDS, TestId
from mgpn.case.catalog import known_paths
from mgpn.errors import KnowledgeError
from mgpn.knowledge.loader import load_knowledge, read_rule_document, read_rule_text
from mgpn.knowledge.predicates import Leaf, MimicRef, Predicate, SyndromeRef, walk
from mgpn.knowledge.schema import KnowledgeBase

Hook = Literal["order-select", "order-sign"]
HOOKS: tuple[Hook, ...] = ("order-select", "order-sign")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OrderCaution(_Strict):
    id: str
    hooks: list[Hook] = Field(default_factory=lambda: list(HOOKS))
    drugs: list[str] = Field(min_length=1, description="drug names (lower case) that trigger it")
    not_with: list[str] = Field(
        default_factory=list, description="it does not fire when one of these is ordered too"
    )
    when: Predicate
    indicator: Literal["info", "warning", "critical"]
    summary: str = Field(max_length=139, description="the card's summary (CDS Hooks: under 140)")
    detail: str
    propose_test: TestId | None = None
    propose_test_when: Predicate | None = None
    references: list[str] = Field(min_length=1)
    verified: bool = True
    note: str | None = None


class OrderCautions(_Strict):
    version: int
    cautions: list[OrderCaution] = Field(min_length=1)


def _check(data: OrderCautions, kb: KnowledgeBase) -> list[str]:
    problems: list[str] = []
    paths = known_paths() | {"treatments[].regimen"}
    ids = [c.id for c in data.cautions]
    problems += [f"caution id {i!r} is used twice" for i in set(ids) if ids.count(i) > 1]
    for caution in data.cautions:
        where = f"order_cautions.yaml {caution.id}"
        problems += [
            f"{where}: unknown reference id {r!r}"
            for r in caution.references
            if r not in kb.references
        ]
        for predicate in (caution.when, caution.propose_test_when):
            if predicate is None:
                continue
            for node in walk(predicate):
                if isinstance(node, Leaf):
                    if node.path not in paths:
                        problems.append(f"{where}: {node.path!r} is not a case field")
                    name = node.threshold_name
                    if name is not None and name not in kb.thresholds:
                        problems.append(f"{where}: unknown threshold {name!r}")
                    elif name is not None and not kb.thresholds[name].verified and caution.verified:
                        problems.append(
                            f"{where}: uses unverified threshold {name!r}; mark it verified: false"
                        )
                elif isinstance(node, SyndromeRef):
                    problems += [
                        f"{where}: unknown syndrome {s!r}"
                        for s in node.syndrome
                        if s not in SYNDROME_IDS
                    ]
                elif isinstance(node, MimicRef):
                    problems += [
                        f"{where}: unknown mimic {m!r}" for m in node.mimic if m not in MIMIC_IDS
                    ]
        if (caution.propose_test is None) != (caution.propose_test_when is None):
            problems.append(f"{where}: give propose_test and propose_test_when together")
    return problems


def read_order_cautions(
    text: str, kb: KnowledgeBase, source: str = "order_cautions.yaml"
) -> OrderCautions:
    """Validate the text of an order-cautions file against its schema and the knowledge base."""
    data = read_rule_document(read_rule_text(text, source), OrderCautions, source)
    problems = _check(data, kb)
    if problems:
        raise KnowledgeError(f"{source}: " + "; ".join(problems))
    return data


@cache
def load_order_cautions() -> OrderCautions:
    """The bundled order cautions, checked against the bundled knowledge base (cached)."""
    text = (
        resources.files("mgpn.knowledge")
        .joinpath("data/order_cautions.yaml")
        .read_text(encoding="utf-8")
    )
    return read_order_cautions(text, load_knowledge())
