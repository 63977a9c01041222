"""Which order cautions fire for the drugs being ordered (rules: order_cautions.yaml).

The drugs come from the draft MedicationRequests (by code through the FHIR code map,
or by name in their words); the patient's side is the case and its assessment, read by
the knowledge base's own three-valued predicate logic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from mgpn.assessment import Assessment
from mgpn.case.model import Case
from mgpn.engine.logic import Truth, evaluate
from mgpn.interop.fhir.codemap import CodeMap
from mgpn.interop.fhir.values import codings, concept_text
from mgpn.knowledge.order_cautions import OrderCaution, OrderCautions
from mgpn.knowledge.schema import KnowledgeBase


@dataclass(frozen=True)
class _Facts:
    case: Case
    assessment: Assessment
    kb: KnowledgeBase

    def value(self, path: str) -> Any:
        if path == "treatments[].regimen":
            return [t.regimen for t in self.case.treatments] or None
        return self.case.get(path)

    def threshold(self, name: str) -> float:
        return self.kb.thresholds[name].value

    def criterion(self, criterion_id: str) -> Truth:
        return None

    def members(self, names: list[str]) -> list[str]:
        from mgpn.engine.facts import expand

        return expand(self.kb, names)

    def syndrome_status(self, syndrome_id: str) -> str | None:
        return next((s.status for s in self.assessment.syndromes if s.id == syndrome_id), None)

    def mimic_status(self, mimic_id: str) -> str | None:
        return next((m.status for m in self.assessment.mimics if m.id == mimic_id), None)

    def link_status(self) -> str | None:
        return self.assessment.link.status


@dataclass(frozen=True)
class OrderedDrug:
    name: str
    order_ref: str
    text: str


def ordered_drugs(
    orders: list[dict[str, Any]], codemap: CodeMap, names: set[str]
) -> list[OrderedDrug]:
    """The known drugs in draft MedicationRequests (by mapped code, else whole-word name)."""
    found: list[OrderedDrug] = []
    for index, order in enumerate(orders):
        if order.get("resourceType") != "MedicationRequest":
            continue
        concept = order.get("medicationCodeableConcept") or {}
        ref = (
            f"MedicationRequest/{order['id']}" if order.get("id") else f"MedicationRequest#{index}"
        )
        text = concept_text(concept)
        hits = [
            codemap.medications[(s, c)].drug
            for s, c, _ in codings(concept)
            if (s, c) in codemap.medications
        ]
        words = f" {re.sub(r'[^a-z0-9]+', ' ', (text + ' ' + ' '.join(d for _, _, d in codings(concept))).lower())} "
        hits += [name for name in sorted(names) if f" {name} " in words]
        for name in dict.fromkeys(hits):
            found.append(OrderedDrug(name=name, order_ref=ref, text=text or name))
    return found


@dataclass(frozen=True)
class FiredCaution:
    caution: OrderCaution
    drug: OrderedDrug
    propose_test: bool


def fired(
    cautions: OrderCautions,
    hook: str,
    orders: list[dict[str, Any]],
    case: Case,
    assessment: Assessment,
    kb: KnowledgeBase,
    codemap: CodeMap,
) -> list[FiredCaution]:
    """The cautions whose drug is ordered, not with an excluding drug, and whose rule is true."""
    names = {d for c in cautions.cautions for d in (*c.drugs, *c.not_with)}
    drugs = ordered_drugs(orders, codemap, names)
    ordered = {d.name for d in drugs}
    facts = _Facts(case, assessment, kb)
    out: list[FiredCaution] = []
    for caution in cautions.cautions:
        if hook not in caution.hooks or ordered & set(caution.not_with):
            continue
        drug = next((d for d in drugs if d.name in caution.drugs), None)
        if drug is None or evaluate(caution.when, facts) is not True:
            continue
        propose = (
            caution.propose_test_when is not None
            and evaluate(caution.propose_test_when, facts) is True
        )
        out.append(FiredCaution(caution, drug, propose))
    return out
