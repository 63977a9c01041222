"""The mapping report: every resource and code read from FHIR, used or not, and why."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from mgpn.case.model import Case


@dataclass(frozen=True)
class UsedItem:
    """A value that went into the case; the Observation's own context is kept with it."""

    resource: str
    code: str
    display: str
    path: str
    value: str
    code_status: str = "project"
    effective: str | None = None
    interpretation: tuple[str, ...] = ()
    reference_range: tuple[str, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class UnusedItem:
    """A resource, or one code in it, that was read but did not go into the case."""

    resource: str
    code: str | None
    reason: str


@dataclass
class MappingReport:
    """What an import did: the case date, every value used, everything not used."""

    as_of: dt.date
    as_of_source: str
    used: list[UsedItem] = field(default_factory=list)
    unused: list[UnusedItem] = field(default_factory=list)
    code_maps: tuple[str, ...] = ()

    def unverified_codes(self) -> list[str]:
        """Codes with status other than verified that values came through (shown to users)."""
        return sorted(
            {
                f"{item.code} ({item.display}, {item.code_status})"
                for item in self.used
                if item.code_status in ("secondary", "unverified")
            }
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "mgpn-fhir-import-report/1",
            "as_of": self.as_of.isoformat(),
            "as_of_source": self.as_of_source,
            "code_maps": list(self.code_maps),
            "used": [_clean(asdict(item)) for item in self.used],
            "unused": [_clean(asdict(item)) for item in self.unused],
            "codes_not_verified": self.unverified_codes(),
        }


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    return {
        key: list(value) if isinstance(value, tuple) else value
        for key, value in data.items()
        if value not in (None, (), [])
    }


@dataclass(frozen=True)
class FhirImport:
    """The case read from FHIR and the report of how it was read."""

    case: Case
    report: MappingReport
