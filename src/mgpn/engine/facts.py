"""What rules read: the case (by dotted path), thresholds, and results decided so far."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from mgpn.engine.logic import Truth
from mgpn.knowledge.schema import KnowledgeBase


class CaseLike(Protocol):
    """The part of :class:`mgpn.case.Case` the engine uses (tests may pass a stand-in)."""

    def get(self, path: str) -> Any: ...

    def not_interpreted(self) -> list[str]: ...


def _regimens(case: CaseLike) -> list[str] | None:
    # An empty treatment list means "none recorded", which is unknown, not "none given".
    treatments = getattr(case, "treatments", None) or []
    names = [str(getattr(item, "regimen", "") or "") for item in treatments]
    names = [name for name in names if name]
    return names or None


@dataclass
class CaseFacts:
    """Facts for one evaluation; later stages see the results of earlier ones."""

    case: CaseLike
    kb: KnowledgeBase
    syndromes: dict[str, str] = field(default_factory=dict)
    mimics: dict[str, str] = field(default_factory=dict)
    link: str | None = None
    criteria: dict[str, Truth] = field(default_factory=dict)
    # Case values by path, read once per evaluation: rules name the same ~100 paths
    # several hundred times. Shared by the scoped copies (the case does not change).
    values: dict[str, Any] = field(default_factory=dict)

    def value(self, path: str) -> Any:
        try:
            return self.values[path]
        except KeyError:
            pass
        found = _regimens(self.case) if path == "treatments[].regimen" else self.case.get(path)
        self.values[path] = found
        return found

    def threshold(self, name: str) -> float:
        return self.kb.thresholds[name].value

    def criterion(self, criterion_id: str) -> Truth:
        return self.criteria.get(criterion_id)

    def syndrome_status(self, syndrome_id: str) -> str | None:
        return self.syndromes.get(syndrome_id)

    def mimic_status(self, mimic_id: str) -> str | None:
        return self.mimics.get(mimic_id)

    def link_status(self) -> str | None:
        return self.link

    def scoped(self, criteria: dict[str, Truth]) -> CaseFacts:
        """The same facts with one rule set's criteria visible."""
        return CaseFacts(
            self.case, self.kb, self.syndromes, self.mimics, self.link, criteria, self.values
        )
