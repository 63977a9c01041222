"""What rules read: the case (by dotted path), thresholds, and results decided so far."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol

from mgpn.engine.logic import Truth
from mgpn.knowledge.schema import KnowledgeBase


class CaseLike(Protocol):
    """The part of :class:`mgpn.case.Case` the engine uses (tests may pass a stand-in)."""

    def get(self, path: str) -> Any: ...

    def not_interpreted(self) -> list[str]: ...


_DAYS_PER_MONTH = 30.44  # mean month length, to turn "months since onset" into a date

# Paths computed from the case rather than read from one field (listed in
# mgpn.knowledge.checks.COMPUTED_PATHS so rules may use them).
BEFORE_ONSET = "treatments[].regimen_started_before_onset"
AFTER_ONSET = "treatments[].regimen_started_after_onset"


def _onset_date(case: CaseLike) -> dt.date | None:
    recorded = case.get("recorded")
    months = case.get("neuropathy.onset_months")
    if not isinstance(recorded, dt.date) or not isinstance(months, int | float):
        return None
    return recorded - dt.timedelta(days=float(months) * _DAYS_PER_MONTH)


def _regimens_by_timing(case: CaseLike, after: bool) -> list[str] | None:
    """Regimens that started before (or after) the first neuropathic symptom.

    Unknown (None) unless the onset date and at least one start date are known, so a
    missing date is never read as "started before".
    """
    onset = _onset_date(case)
    treatments = getattr(case, "treatments", None) or []
    timed: list[tuple[str, dt.date]] = []
    for item in treatments:
        name, start = str(getattr(item, "regimen", "") or ""), getattr(item, "start", None)
        if name and isinstance(start, dt.date):
            timed.append((name, start))
    if onset is None or not timed:
        return None
    return [name for name, start in timed if (start > onset) == after]


def _regimens(case: CaseLike) -> list[str] | None:
    # An empty treatment list means "none recorded", which is unknown, not "none given".
    treatments = getattr(case, "treatments", None) or []
    names = [str(getattr(item, "regimen", "") or "") for item in treatments]
    names = [name for name in names if name]
    return names or None


_EXPANDED: dict[tuple[int, tuple[str, ...]], list[str]] = {}


def expand(kb: KnowledgeBase, names: list[str]) -> list[str]:
    """``names`` with each named set replaced by its members (cached per knowledge base)."""
    key = (id(kb), tuple(names))
    found = _EXPANDED.get(key)
    if found is None:
        sets = kb.meta.sets
        found = list(dict.fromkeys(m for n in names for m in sets.get(n, [n])))
        _EXPANDED[key] = found
    return found


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
        if path == "treatments[].regimen":
            found = _regimens(self.case)
        elif path == BEFORE_ONSET:
            found = _regimens_by_timing(self.case, after=False)
        elif path == AFTER_ONSET:
            found = _regimens_by_timing(self.case, after=True)
        else:
            found = self.case.get(path)
        self.values[path] = found
        return found

    def threshold(self, name: str) -> float:
        return self.kb.thresholds[name].value

    def criterion(self, criterion_id: str) -> Truth:
        return self.criteria.get(criterion_id)

    def members(self, names: list[str]) -> list[str]:
        """Ids, with named sets (meta.yaml ``sets``) replaced by their members."""
        return expand(self.kb, names)

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
