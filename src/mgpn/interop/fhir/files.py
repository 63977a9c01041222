"""Reading FHIR JSON files, and telling a FHIR document from a case file by its content."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mgpn.case.loader import parse_case
from mgpn.case.model import Case
from mgpn.errors import FhirError, Issue
from mgpn.strict_reader import Limits, read_file, read_json

if TYPE_CHECKING:  # the mapping's report is imported with the mapping, for FHIR input only
    from mgpn.interop.fhir.report import MappingReport

# A patient's Bundle over years of follow-up is larger than any case file.
BUNDLE_LIMITS = Limits(max_bytes=64 * 1024 * 1024, max_depth=64)


def read_json_file(path: str | Path) -> Any:
    """The parsed JSON of ``path`` by the strict reader (duplicate keys, NaN refused)."""
    return read_file(path, error=FhirError, limits=BUNDLE_LIMITS)


def read_json_text(text: str | bytes, source: str) -> Any:
    """Strictly parsed JSON text (a request body, a prefetch)."""
    return read_json(text, source, error=FhirError, limits=BUNDLE_LIMITS)


def is_fhir(document: Any) -> bool:
    """A FHIR resource (a Bundle or any other) rather than a case file: it names its resourceType."""
    return isinstance(document, dict) and isinstance(document.get("resourceType"), str)


def read_fhir(
    path: str | Path, *, as_of: dt.date | None = None, site_codes: str | None = None
) -> tuple[Case, MappingReport]:
    """The case in a FHIR JSON file: a Bundle, or a single resource of one patient."""
    from mgpn.interop.fhir.mapping import bundle_to_case, resources_to_case

    document = read_json_file(path)
    if not is_fhir(document):
        raise FhirError(str(path), [Issue("resourceType", "not a FHIR resource",
                                          expected="a Bundle (resourceType: Bundle)",
                                          fix="give a FHIR R4 Bundle in JSON")])  # fmt: skip
    if document["resourceType"] == "Bundle":
        result = bundle_to_case(document, as_of=as_of, site_codes=site_codes, source=str(path))
    else:
        result = resources_to_case([document], as_of=as_of, site_codes=site_codes, source=str(path))
    return result.case, result.report


def load_case_or_fhir(path: str | Path) -> tuple[Case, MappingReport | None]:
    """A case file, or a FHIR Bundle (told apart by content, not by the file name)."""
    file = Path(path)
    if file.suffix.lower() == ".json":
        document = read_json_file(file)
        if is_fhir(document):
            return read_fhir(file)
        return parse_case(document, source=str(path)), None
    from mgpn.case import load_case

    return load_case(file), None


def report_lines(report: MappingReport) -> list[str]:
    """The mapping report for a terminal: the case date, what was used, what was not and why."""
    lines = [f"Case date {report.as_of} ({report.as_of_source})", f"Used ({len(report.used)}):"]
    for item in report.used:
        when = f" {item.effective}" if item.effective else ""
        extra = ""
        if item.interpretation:
            extra += f" interpretation {','.join(item.interpretation)}"
        if item.reference_range:
            extra += f" reference {'; '.join(item.reference_range)}"
        lines.append(
            f"  {item.path} = {item.value}  <- {item.resource} {item.code} ({item.code_status}){when}{extra}"
            + (f" [{item.note}]" if item.note else "")
        )
    lines.append(f"Not used ({len(report.unused)}):")
    lines.extend(f"  {item.resource} {item.code or ''}: {item.reason}" for item in report.unused)
    codes = report.unverified_codes()
    if codes:
        lines.append("Values that came through codes not verified against the official release:")
        lines.extend(f"  {code}" for code in codes)
    return lines
