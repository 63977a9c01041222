"""The seam between screening and the FHIR -> case mapping of :mod:`mgpn.interop.fhir`.

Screening never maps FHIR itself: it hands one patient's resources to
:func:`mgpn.interop.fhir.resources_to_case` and sorts its report. Items that are problems
with the data (a code system the mapping does not know, a value the case format refused,
for instance in a unit it cannot convert, a result it could not read) become issues listed
with the file and line they came from; items that are simply not case findings (a
cholesterol, a hypertension) are counted per patient, so nothing is dropped unreported.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from mgpn.case.model import Case
from mgpn.errors import MgpnError

ResourceKey = tuple[str, str]


@dataclass
class MappedPatient:
    case: Case | None
    problems: list[tuple[ResourceKey, str, str]] = field(default_factory=list)
    not_used: int = 0


@cache
def _known_systems() -> frozenset[str]:
    from mgpn.interop.fhir import load_code_map

    return frozenset(load_code_map().systems.values())


def _key(resource: str) -> ResourceKey:
    head = resource.split(" ", 1)[0]
    kind, _, ident = head.partition("/")
    return kind, ident


def classify(code: str | None, reason: str) -> str | None:
    """The kind of problem an unused item is, or None when it is just not a case finding."""
    lowered = reason.lower()
    if lowered.startswith("refused by the case format"):
        return "wrong unit" if "unit" in lowered else "value refused"
    if "could not read" in lowered or "valuequantity has no" in lowered:
        return "unreadable value"
    system = code.split("|", 1)[0] if code and "|" in code else None
    if system and system not in _known_systems():
        return "unknown code system"
    return None


def map_patient(resources: list[dict[str, Any]], as_of: dt.date | None) -> MappedPatient:
    """One patient's resources as a case, with every problem the mapping reported."""
    from mgpn.interop.fhir import resources_to_case

    try:
        result = resources_to_case(resources, as_of=as_of)
    except MgpnError as exc:
        first = resources[0] if resources else {}
        key = (str(first.get("resourceType")), str(first.get("id")))
        return MappedPatient(None, [(key, "not mappable", str(exc))])
    mapped = MappedPatient(result.case)
    for item in result.report.unused:
        kind = classify(item.code, item.reason)
        if kind is None:
            mapped.not_used += 1
            continue
        detail = f"{item.code}: {item.reason}" if item.code else item.reason
        mapped.problems.append((_key(item.resource), kind, detail))
    return mapped
