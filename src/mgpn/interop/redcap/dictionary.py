"""A REDCap data dictionary for ``mgpn-case/1``, generated from the case model.

Nothing here is written by hand per field: every variable comes from
:func:`mgpn.case.field_catalog`, so the dictionary follows the case format as it
changes. The CSV has REDCap's 18 columns in their order (shared/knowledge/
standards.md section 5). One form per case section; ``visits`` and ``treatments``
are forms meant to be enabled as *repeating instruments* in the REDCap project
(repetition is a project setting, not part of a data dictionary).

Each variable's Field Annotation carries ``mgpn-path=<dotted path>``, so an import
maps REDCap variables back to case fields without guessing from names.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from typing import Final

from mgpn.case import FieldDescriptor, field_catalog
from mgpn.interop.redcap.cohort import COHORT_ANNOTATION_PREFIX, STUDY_FORM, study_variables

__all__ = [
    "ANNOTATION_PREFIX",
    "COLUMNS",
    "OTHER_SUFFIX",
    "RECORD_ID",
    "RESULT_SUFFIX",
    "DictionaryRow",
    "dictionary_csv",
    "dictionary_rows",
    "variable_name",
]

COLUMNS: Final = (
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
)
RECORD_ID: Final = "record_id"
ANNOTATION_PREFIX: Final = "mgpn-path="
# Companion variables: a field that is a number OR a positive/negative result gets
# a second, result variable; a list gets a free-text variable for unlisted names.
RESULT_SUFFIX: Final = "_result"
OTHER_SUFFIX: Final = "_other"
# Kinds without a REDCap variable: the format tag is written by the importer, the
# case id is the record id, and extensions are free structure REDCap cannot hold.
_SKIPPED_PATHS: Final = ("format", "id")
_SKIPPED_KINDS: Final = ("extensions",)
_LIST_FORMS: Final = {"visits": "visits", "treatments": "treatments"}


@dataclass(frozen=True)
class DictionaryRow:
    """One REDCap variable; ``kind``/``path`` say how the importer reads it back."""

    variable: str
    form: str
    field_type: str
    label: str
    path: str
    kind: str
    choices: tuple[tuple[str, str], ...] = ()
    note: str = ""
    validation: str = ""
    minimum: str = ""
    maximum: str = ""
    section_header: str = ""
    annotation: str = ""
    """Overrides the ``mgpn-path=`` annotation (cohort-study variables)."""

    def as_csv_row(self) -> list[str]:
        choices = " | ".join(f"{code}, {label}" for code, label in self.choices)
        row = dict.fromkeys(COLUMNS, "")
        row.update(
            {
                COLUMNS[0]: self.variable,
                COLUMNS[1]: self.form,
                COLUMNS[2]: self.section_header,
                COLUMNS[3]: self.field_type,
                COLUMNS[4]: self.label,
                COLUMNS[5]: choices,
                COLUMNS[6]: self.note,
                COLUMNS[7]: self.validation,
                COLUMNS[8]: self.minimum,
                COLUMNS[9]: self.maximum,
                COLUMNS[17]: self.annotation or f"{ANNOTATION_PREFIX}{self.path}",
            }
        )
        return [row[name] for name in COLUMNS]


def variable_name(path: str) -> str:
    """REDCap variable for a dotted case path: lower case letters, digits, underscores."""
    return path.replace("[]", "").replace(".", "_").lower()


def _label(descriptor: FieldDescriptor) -> str:
    words = descriptor.name.replace("_", " ")
    return f"{words}: {descriptor.description}" if descriptor.description else words


def _bound(value: float | None) -> str:
    # REDCap reads plain decimals only (no exponent such as 1e+07).
    return "" if value is None else format(value, "f").rstrip("0").rstrip(".")


def _rows_for(descriptor: FieldDescriptor, form: str) -> list[DictionaryRow]:
    variable = variable_name(descriptor.path)
    base = DictionaryRow(
        variable=variable,
        form=form,
        field_type="text",
        label=_label(descriptor),
        path=descriptor.path,
        kind=descriptor.kind,
    )
    unit_note = f"unit: {descriptor.unit}" if descriptor.unit else ""
    kind = descriptor.kind
    if kind == "boolean":
        return [replace(base, field_type="yesno", note="blank = unknown")]
    if kind in ("enum", "result"):
        choices = tuple((c, c) for c in descriptor.choices)
        return [replace(base, field_type="dropdown", choices=choices)]
    if kind in ("quantity", "number", "integer", "quantity_or_result"):
        rows = [
            replace(
                base,
                validation="integer" if kind == "integer" else "number",
                minimum=_bound(descriptor.minimum),
                maximum=_bound(descriptor.maximum),
                note="; ".join(filter(None, [unit_note, "blank = unknown"])),
            )
        ]
        if kind == "quantity_or_result":
            rows.append(
                DictionaryRow(
                    variable=variable + RESULT_SUFFIX,
                    form=form,
                    field_type="dropdown",
                    label=_label(descriptor) + " (result, when no titre is given)",
                    path=descriptor.path,
                    kind="result",
                    choices=tuple((c, c) for c in descriptor.choices),
                )
            )
        return rows
    if kind == "date":
        return [replace(base, validation="date_ymd")]
    if kind == "list":
        names = descriptor.vocabulary or descriptor.choices
        choices = tuple((str(i), name) for i, name in enumerate(names, start=1))
        rows = [replace(base, field_type="checkbox", choices=choices)]
        rows.append(
            DictionaryRow(
                variable=variable + OTHER_SUFFIX,
                form=form,
                field_type="text",
                label=_label(descriptor) + " (other names, comma-separated)",
                path=descriptor.path,
                kind="list_other",
                note="kept as free text and reported as not interpreted",
            )
        )
        return rows
    field_type = "notes" if descriptor.name == "notes" else "text"
    return [replace(base, field_type=field_type)]


def dictionary_rows(cohort_study: bool = False) -> list[DictionaryRow]:
    """Every variable, record id first, each form's fields together; with
    ``cohort_study``, a last form for the cohort columns no case field holds."""
    rows = [
        DictionaryRow(
            variable=RECORD_ID,
            form="case",
            field_type="text",
            label="Case identifier (need not identify a person)",
            path="id",
            kind="string",
            section_header="mgpn case (format mgpn-case/1). Blank fields are unknown.",
        )
    ]
    by_form: dict[str, list[DictionaryRow]] = {}
    for descriptor in field_catalog():
        if descriptor.path in _SKIPPED_PATHS or descriptor.kind in _SKIPPED_KINDS:
            continue
        form = _LIST_FORMS.get(descriptor.section, descriptor.section)
        by_form.setdefault(form, []).extend(_rows_for(descriptor, form))
    for form, form_rows in by_form.items():
        header = (
            f"{form} (repeating instrument: one instance per entry)"
            if form in (_LIST_FORMS.values())
            else form
        )
        if form == "case":
            rows.extend(form_rows)  # joins the record id's form, which carries the header
            continue
        first, *rest = form_rows
        rows.append(_with_header(first, header))
        rows.extend(rest)
    rows = _case_form_first(rows)
    if cohort_study:
        rows.extend(_study_rows())
    return rows


def _study_rows() -> list[DictionaryRow]:
    rows = [
        DictionaryRow(
            variable=v.variable,
            form=STUDY_FORM,
            field_type=v.field_type,
            label=v.label,
            path="",
            kind="cohort",
            choices=v.choices,
            validation=v.validation,
            minimum=v.minimum,
            maximum=v.maximum,
            annotation=f"{COHORT_ANNOTATION_PREFIX}{v.column}",
        )
        for v in study_variables()
    ]
    rows[0] = replace(rows[0], section_header="Cohort study (mgpn-cohort/1 columns)")
    return rows


def _with_header(row: DictionaryRow, header: str) -> DictionaryRow:
    return replace(row, section_header=header)


def _case_form_first(rows: list[DictionaryRow]) -> list[DictionaryRow]:
    """REDCap needs each form's fields contiguous; keep the 'case' form together first."""
    case_rows = [row for row in rows if row.form == "case"]
    return case_rows + [row for row in rows if row.form != "case"]


def dictionary_csv(cohort_study: bool = False) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in dictionary_rows(cohort_study):
        writer.writerow(row.as_csv_row())
    return buffer.getvalue()
