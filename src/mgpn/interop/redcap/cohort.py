"""From REDCap cases to a cohort table (``mgpn-cohort/1``).

A case file has no study group and no follow-up score, so a cohort study adds a
small ``cohort_study`` form to the dictionary (``mgpn redcap dictionary
--cohort-study``): the group, the ODSS at follow-up and the rituximab response.
Everything else comes from the validated case:

- ``odss`` = INCAT arm grade + leg grade of the case's ``function`` (ODSS = arm 0-5 +
  leg 0-5 = 0-10; facts.md, INCAT disability scale, HIGH, PMC5367649); blank unless
  both grades are known.
- ``anti_mag`` = true/false from a positive/negative result. A titre alone is left
  blank: positivity depends on the assay's cut-off, which is not in the fact base.
- serum markers: every ``labs`` quantity in pg/mL (IL-6, IL-10, VEGF), as
  ``<name>_pg_ml``. A censored value (``<2``) is left blank and reported, because the
  cohort format has no way to carry the comparator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import polars as pl

from mgpn.case import field_catalog
from mgpn.cohort import columns as col
from mgpn.cohort.loading import Cohort, validate_frame

__all__ = [
    "COHORT_ANNOTATION_PREFIX",
    "STUDY_FORM",
    "StudyVariable",
    "cases_to_cohort",
    "study_variables",
]

COHORT_ANNOTATION_PREFIX: Final = "mgpn-cohort="
STUDY_FORM: Final = "cohort_study"
_MARKER_UNIT: Final = "pg/mL"


@dataclass(frozen=True)
class StudyVariable:
    """A REDCap variable that holds a cohort column no case field has."""

    variable: str
    column: str
    field_type: str
    label: str
    choices: tuple[tuple[str, str], ...] = ()
    validation: str = ""
    minimum: str = ""
    maximum: str = ""


def study_variables() -> list[StudyVariable]:
    odss_low, odss_high = col.RANGES[col.ODSS_FOLLOWUP]
    return [
        StudyVariable(
            "cohort_group",
            col.GROUP,
            "dropdown",
            "Study group (anti-MAG is the igm_pnp subgroup with a positive anti-MAG result)",
            choices=tuple((g, g) for g in col.NAMED_GROUPS),
        ),
        StudyVariable(
            "cohort_odss_followup",
            col.ODSS_FOLLOWUP,
            "text",
            "INCAT overall disability sum score at follow-up (arm + leg)",
            validation="integer",
            minimum=f"{odss_low:g}",
            maximum=f"{odss_high:g}",
        ),
        StudyVariable(
            "cohort_rituximab_response",
            col.RITUXIMAB_RESPONSE,
            "yesno",
            "Improved functional score one year after rituximab",
        ),
    ]


def _marker_fields() -> list[str]:
    return [
        d.name
        for d in field_catalog()
        if d.section == "labs" and d.kind == "quantity" and d.unit == _MARKER_UNIT
    ]


def _quantity(value: Any) -> tuple[float | None, bool]:
    """(value, censored) of a dumped quantity."""
    if isinstance(value, dict) and "value" in value:
        if value.get("comparator"):
            return None, True
        return float(value["value"]), False
    return None, False


def cases_to_cohort(
    cases: dict[str, dict[str, Any]], study: dict[str, dict[str, str]], source: str
) -> tuple[Cohort, list[str]]:
    """The cohort table (validated) and notes on what could not be carried over."""
    markers = _marker_fields()
    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    for record, case in cases.items():
        answers = study.get(record, {})
        antibodies = case.get("antibodies", {})
        anti_mag = antibodies.get("anti_mag")
        function = case.get("function", {})
        patient = case.get("patient", {})
        labs = case.get("labs", {})
        arm, leg = function.get("incat_arm"), function.get("incat_leg")
        row: dict[str, Any] = {
            col.ID: record,
            col.GROUP: answers.get(col.GROUP) or None,
            col.ANTI_MAG: {"positive": True, "negative": False}.get(anti_mag)
            if isinstance(anti_mag, str)
            else None,
            col.AGE: patient.get("age"),
            col.SEX: patient.get("sex") if patient.get("sex") in col.SEX_VALUES else None,
            col.ODSS: arm + leg if arm is not None and leg is not None else None,
            # Raw text: the cohort validator names bad values with their rows.
            col.ODSS_FOLLOWUP: answers.get(col.ODSS_FOLLOWUP) or None,
            col.RITUXIMAB_RESPONSE: {"1": True, "0": False}.get(
                answers.get(col.RITUXIMAB_RESPONSE, "")
            ),
        }
        if isinstance(anti_mag, dict):
            notes.append(
                f"record {record}: anti-MAG given as a titre only; anti_mag left blank "
                "(positivity depends on the assay's cut-off)."
            )
        for name in markers:
            value, censored = _quantity(labs.get(name))
            row[f"{name}_pg_ml"] = value
            if censored:
                notes.append(f"record {record}: labs.{name} is censored; left blank.")
        rows.append(row)
    schema: dict[str, Any] = {
        col.ID: pl.String,
        col.GROUP: pl.String,
        col.ANTI_MAG: pl.Boolean,
        col.AGE: pl.Float64,
        col.SEX: pl.String,
        col.ODSS: pl.Float64,
        col.ODSS_FOLLOWUP: pl.String,
        col.RITUXIMAB_RESPONSE: pl.Boolean,
        **{f"{name}_pg_ml": pl.Float64 for name in markers},
    }
    frame = pl.DataFrame(rows, schema=schema)
    # Marker columns no record filled would only add "no values" sections.
    empty = [f"{m}_pg_ml" for m in markers if frame[f"{m}_pg_ml"].null_count() == frame.height]
    frame = frame.drop(empty)
    return validate_frame(frame, source=source), notes
