"""Cases for the CDS tests, built from the bundled examples."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mgpn.case import Case, load_case
from mgpn.interop.fhir import case_to_bundle
from tests.cdshooks.ehr import prefetch

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "mgpn" / "examples"


def example(name: str) -> Case:
    return load_case(EXAMPLES / name)


def example_prefetch(name: str = "anti-mag-neuropathy.yaml") -> dict[str, Any]:
    return prefetch(case_to_bundle(example(name)))


def igm_al_case() -> Case:
    """IgM-lambda AL amyloidosis proven on an organ biopsy, untreated."""
    case = example("al-amyloid-red-flags.yaml").model_copy(deep=True)
    case.paraprotein.isotype = "IgM"
    case.pathology.organ_biopsy_amyloid = True
    case.pathology.amyloid_type = "AL_lambda"
    return case
