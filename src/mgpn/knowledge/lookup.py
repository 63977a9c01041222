"""Find the knowledge-base item behind an assessment line from its qualified id.

Every evidence object in an assessment names its source as ``criterion`` (see
docs/assessment-keys.md): ``poems.vegf_high``, ``poems.status.established``,
``link.classic_established``, ``tests.vegf``, ``treatment.indication.treat_immune``,
``treatment.option.poems_2``. ``mgpn kb show`` and the web page use this to link a finding
to its rule.
"""

from __future__ import annotations

from typing import Any

from mgpn.knowledge.describe import describe
from mgpn.knowledge.ids import numbered as _numbered
from mgpn.knowledge.schema import KnowledgeBase, RuleSet


def _rule_sets(kb: KnowledgeBase) -> dict[str, RuleSet]:
    found: dict[str, RuleSet] = {s.id: s for s in kb.syndromes}
    found.update({m.id: m for m in kb.mimics})
    found["link"] = kb.link
    return found


def _dump(item: Any, kb: KnowledgeBase) -> dict[str, Any]:
    data: dict[str, Any] = item.model_dump(mode="json", by_alias=True, exclude_none=True)
    for key in ("when", "done_when"):
        predicate = getattr(item, key, None)
        if predicate is not None:
            data[key] = describe(predicate, kb)
    return data


def lookup(kb: KnowledgeBase, qualified: str) -> dict[str, Any] | None:
    """The item named by ``qualified`` as plain data (rules written as sentences), or None."""
    parts = qualified.split(".")
    if parts[0] == "tests" and len(parts) == 2:
        ids = _numbered([rule.id or rule.test for rule in kb.tests])
        for ident, rule in zip(ids, kb.tests, strict=True):
            if ident == parts[1]:
                return {"test rule": ident, **_dump(rule, kb)}
        return None
    if parts[0] == "treatment" and len(parts) == 3:
        rules: list[Any]
        if parts[1] == "indication":
            rules = list(kb.treatment.indication_rules)
            ids = _numbered([r.id or r.indication for r in kb.treatment.indication_rules])
        elif parts[1] == "option":
            rules = list(kb.treatment.options)
            ids = _numbered([o.id or o.syndrome for o in kb.treatment.options])
        else:
            return None
        for ident, rule in zip(ids, rules, strict=True):
            if ident == parts[2]:
                return {f"{parts[1]} rule": ident, **_dump(rule, kb)}
        return None
    rule_sets = _rule_sets(kb)
    owner = rule_sets.get(parts[0])
    if owner is None:
        return None
    if len(parts) == 3 and parts[1] == "status":
        ids = [r.id or r.status for r in owner.status_rules]
        for ident, status_rule in zip(_numbered(ids), owner.status_rules, strict=True):
            if ident == parts[2]:
                return {"status rule of": parts[0], "id": ident, **_dump(status_rule, kb)}
        if parts[2] in ("default", "undetermined_gating"):
            return {"status rule of": parts[0], "id": parts[2], "reason": owner.default_reason}
        return None
    if len(parts) == 2:
        for criterion in owner.criteria:
            if criterion.id == parts[1]:
                data = _dump(criterion, kb)
                data["kind"] = criterion.effective_kind
                return {"criterion of": parts[0], **data}
    return None
