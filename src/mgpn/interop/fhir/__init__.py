"""FHIR R4 in and out: resources of one patient -> a case, and a case -> a Bundle.

Stable API (other packages, e.g. population screening, build on it)::

    from mgpn.interop.fhir import resources_to_case, bundle_to_case

    result = resources_to_case(resources, as_of=None, case_id=None, site_codes=None)
    result.case            # mgpn.case.Case, validated like a case file
    result.report          # MappingReport: .as_of, .used, .unused, .to_dict()

    result = bundle_to_case(bundle_dict)      # any Bundle type; same result

``resources`` is an iterable of FHIR R4 resources as dicts (parsed JSON) for ONE patient:
Patient, Observation (labs, scores, findings; components too), Condition,
MedicationRequest / MedicationStatement / MedicationAdministration (with Medication),
Procedure; DiagnosticReport and other types are listed as not used. ``as_of`` is the
case date: values current on it are used (default: the latest date in the resources; a
Bundle's ``timestamp`` first). ``site_codes`` is a YAML file of local codes, read before
the bundled map (:mod:`mgpn.interop.fhir.codemap`, ``codes.yaml``).

Nothing is dropped silently: ``report.unused`` lists every resource or code that did not
go into the case, with the reason; ``report.used`` every value that did, with its code,
the code's verification status, effective date, interpretation and reference range.
Absent stays unknown. Input that is not one patient's FHIR raises
:class:`mgpn.errors.FhirError`; a broken site file :class:`mgpn.errors.MappingError`.

``case_to_bundle(case)`` writes a case as a collection Bundle (the inverse, used by the
round-trip tests). Codes without a standard code travel in the project code system
``PROJECT_SYSTEM`` whose codes are the case's own dotted paths.
"""

from typing import TYPE_CHECKING

from mgpn.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from mgpn.interop.fhir.codemap import CodeMap, load_code_map
    from mgpn.interop.fhir.export import case_to_bundle
    from mgpn.interop.fhir.mapping import bundle_to_case, resources_to_case
    from mgpn.interop.fhir.report import FhirImport, MappingReport, UnusedItem, UsedItem

# The same URLs as codes.yaml's `systems` (a test keeps them equal); constants so that
# importing the package does not read the code map.
PROJECT_SYSTEM = "https://w3id.org/mgpn/fhir/CodeSystem/case-field"
PROJECT_VALUE_SYSTEM = "https://w3id.org/mgpn/fhir/CodeSystem/case-value"

__all__ = [
    "PROJECT_SYSTEM",
    "PROJECT_VALUE_SYSTEM",
    "CodeMap",
    "FhirImport",
    "MappingReport",
    "UnusedItem",
    "UsedItem",
    "bundle_to_case",
    "case_to_bundle",
    "load_code_map",
    "resources_to_case",
]

# Imported on first use: reading a case file (mgpn.interop.fhir.files tells a Bundle from
# a case file) must not load the mapping and the code map.
_SOURCES: dict[str, str] = {
    "CodeMap": "mgpn.interop.fhir.codemap",
    "load_code_map": "mgpn.interop.fhir.codemap",
    "case_to_bundle": "mgpn.interop.fhir.export",
    "bundle_to_case": "mgpn.interop.fhir.mapping",
    "resources_to_case": "mgpn.interop.fhir.mapping",
    "FhirImport": "mgpn.interop.fhir.report",
    "MappingReport": "mgpn.interop.fhir.report",
    "UnusedItem": "mgpn.interop.fhir.report",
    "UsedItem": "mgpn.interop.fhir.report",
}

__getattr__, __dir__ = lazy_exports(__name__, globals(), _SOURCES)
