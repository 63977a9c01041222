"""The case form, generated from the case format's field catalogue (``mgpn.case.field_catalog``).

Three jobs, no clinical knowledge:

* :func:`form_sections` turns the catalogue (plus the values of a case, if any) into
  sections of form fields for the template;
* :func:`form_to_case` turns submitted form data back into a case mapping, leaving
  every blank field out (absent means unknown) and passing anything it cannot read
  through unchanged, so that ``parse_case`` reports it with the field's path;
* :func:`visit_fields` lists the fields of one follow-up visit.

The sections come in the order of the work-up (the paraprotein and the neuropathy's
phenotype first, then other causes, NCS/EMG, antibodies, organ involvement,
function), not the order of the file. A quantity never gets a unit the user did
not choose: with more than one accepted unit the unit is picked explicitly, or set
once per site (``MGPN_SITE_UNITS``, see :mod:`mgpn.web.settings`) and shown beside
the field; a number without a unit is refused at the field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mgpn.errors import CaseError, Issue
from mgpn.report.language import field_label
from mgpn.strict_reader import decimal_number, read_json

CASE_FORMAT = "mgpn-case/1"
COMPARATORS = (">", "<", ">=", "<=")
RESULT_CHOICES = ("positive", "negative", "borderline")
LIST_SECTIONS = ("treatments", "visits")
# The work-up order, with the titles a clinician uses; sections not listed follow.
SECTION_ORDER: tuple[tuple[str, str], ...] = (
    ("paraprotein", "Paraprotein and clone"),
    ("neuropathy", "Neuropathy: phenotype and course"),
    ("history", "Other causes of neuropathy"),
    ("electrodiagnosis", "Nerve conduction studies and EMG"),
    ("antibodies", "Antibodies"),
    ("labs", "Laboratory"),
    ("systemic", "Organ involvement and systemic features"),
    ("imaging", "Imaging"),
    ("pathology", "Pathology"),
    ("function", "Function and disability"),
    ("patient", "Patient"),
    ("case", "Case identifier and date"),
)
# Open on a new case: what the typical work-up fills in; the others open when they hold a value.
OPEN_SECTIONS = frozenset(
    {"paraprotein", "neuropathy", "history", "electrodiagnosis", "antibodies", "function"}
)
_QUANTITY_KINDS = ("quantity", "quantity_or_result")
_SKIP_KINDS = ("section", "extensions")
_QUANTITY_TEXT = re.compile(r"^\s*(>=|<=|>|<)?\s*([-+]?[0-9.eE+-]+)\s*(.*?)\s*$")
_ROW = re.compile(r"^(treatments|visits)\[(\d+)\]\.(.+)$")


@dataclass(frozen=True)
class FieldSpec:
    """What the form needs to know about one field of the case format."""

    path: str
    kind: str
    choices: tuple[str, ...] = ()
    unit: str | None = None
    units: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    description: str = ""

    @property
    def name(self) -> str:
        return self.path

    @property
    def dom_id(self) -> str:
        return "f-" + re.sub(r"[^A-Za-z0-9_-]", "-", self.path)

    @property
    def label(self) -> str:
        """What a clinician calls the field ("Modified Rankin Scale", "Anti-MAG titre")."""
        return field_label(self.path, self.description)

    @property
    def hint(self) -> str:
        """The description, when it says more than the label."""
        return "" if self.description.lower() == self.label.lower() else self.description

    @property
    def options(self) -> tuple[tuple[str, str], ...]:
        """(value, words) of a choice field, without the leading "unknown"."""
        if self.kind == "boolean":
            return (("true", "yes"), ("false", "no"))
        choices = self.choices or (RESULT_CHOICES if self.kind == "result" else ())
        return tuple((c, c.replace("_", " ")) for c in choices)

    @property
    def as_radios(self) -> bool:
        """Few choices: one click each (radio buttons) instead of a drop-down's two."""
        if self.kind in ("boolean", "result"):
            return True
        return self.kind == "enum" and len(self.choices) <= 4 and "unknown" not in self.choices

    @property
    def needs_unit_choice(self) -> bool:
        """More than one accepted unit: the user (or the site's setting) must pick one."""
        return len(self.units) > 1

    @property
    def section(self) -> str:
        return self.path.split(".", 1)[0] if "." in self.path else "case"


def spec_from_descriptor(descriptor: object) -> FieldSpec:
    """Read one catalogue entry (an object with ``path``, ``kind``, ``choices``...)."""

    def attr(name: str) -> Any:
        if isinstance(descriptor, Mapping):
            return descriptor.get(name)
        return getattr(descriptor, name, None)

    unit = attr("unit")
    accepted = tuple(str(u) for u in (attr("accepted_units") or ()))
    units = tuple(dict.fromkeys(([str(unit)] if unit else []) + list(accepted)))
    return FieldSpec(
        path=str(attr("path")),
        kind=str(attr("kind")),
        choices=tuple(str(c) for c in (attr("choices") or attr("vocabulary") or ())),
        unit=str(unit) if unit else None,
        units=units,
        minimum=attr("minimum"),
        maximum=attr("maximum"),
        description=str(attr("description") or ""),
    )


@dataclass(frozen=True)
class FieldValue:
    """The current value of a field, split the way the inputs show it."""

    text: str = ""
    comparator: str = ""
    unit: str = ""
    result: str = ""
    selected: tuple[str, ...] = ()
    other: str = ""


@dataclass(frozen=True)
class FormField:
    spec: FieldSpec
    value: FieldValue
    error: str = ""
    site_unit: str = ""

    @property
    def filled(self) -> bool:
        v = self.value
        return bool(v.text or v.result or v.selected or v.other)


@dataclass(frozen=True)
class FormSection:
    key: str
    title: str
    fields: tuple[FormField, ...]
    open: bool = True


@dataclass(frozen=True)
class CaseForm:
    sections: tuple[FormSection, ...]
    treatments: tuple[dict[str, str], ...]
    visits_json: str
    visits: tuple[Mapping[str, Any], ...] = field(default_factory=tuple)


# The catalogue is built once per process (mgpn.case.field_catalog is cached), so the
# specs read off it are too: every live-form request reads them, rebuilding them was
# most of the cost of reading a submitted form.
_SPECS_OF: dict[int, tuple[object, tuple[FieldSpec, ...]]] = {}


def catalog_specs(catalog: Iterable[object]) -> list[FieldSpec]:
    """The form's fields: every catalogue entry except sections and the list rows."""
    cached = _SPECS_OF.get(id(catalog))
    if cached is not None and cached[0] is catalog:
        return list(cached[1])
    specs = [spec_from_descriptor(d) for d in catalog]
    chosen = [
        s
        for s in specs
        if s.kind not in _SKIP_KINDS
        and s.path != "format"
        and s.path.split(".", 1)[0].split("[", 1)[0] not in LIST_SECTIONS
    ]
    if isinstance(catalog, tuple):  # immutable: safe to remember (the object is kept alive)
        if len(_SPECS_OF) >= 8:
            _SPECS_OF.clear()
        _SPECS_OF[id(catalog)] = (catalog, tuple(chosen))
    return chosen


def visit_fields(catalog: Iterable[object]) -> list[FieldSpec]:
    """The fields of one visit (catalogue entries under ``visits``), path relative to the visit."""
    out: list[FieldSpec] = []
    for descriptor in catalog:
        spec = spec_from_descriptor(descriptor)
        match = re.match(r"^visits(?:\[\d*\])?\.(.+)$", spec.path)
        if match and spec.kind not in _SKIP_KINDS:
            out.append(FieldSpec(**{**spec.__dict__, "path": match.group(1)}))
    return sorted(out, key=lambda s: s.path != "date")  # the date first, then as in the format


def _get(data: Mapping[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


def _number_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def field_value(spec: FieldSpec, raw: Any) -> FieldValue:
    """Split a case value into what each input of the field shows."""
    if raw is None:
        return FieldValue()
    if spec.kind in _QUANTITY_KINDS:
        if isinstance(raw, str) and raw.lower() in ("positive", "negative", "borderline"):
            return FieldValue(result=raw.lower())
        if isinstance(raw, bool):
            return FieldValue(result="positive" if raw else "negative")
        if isinstance(raw, Mapping):
            return FieldValue(
                text=_number_text(raw.get("value")),
                comparator=str(raw.get("comparator") or ""),
                unit=str(raw.get("unit") or spec.unit or ""),
            )
        if isinstance(raw, (int, float)):
            return FieldValue(text=_number_text(raw), unit=spec.unit or "")
        match = _QUANTITY_TEXT.match(str(raw))
        if match:
            return FieldValue(
                text=match.group(2), comparator=match.group(1) or "", unit=match.group(3)
            )
        return FieldValue(text=str(raw))
    if spec.kind == "list":
        items = [str(i) for i in raw] if isinstance(raw, list) else [str(raw)]
        known = tuple(i for i in items if i in spec.choices)
        other = ", ".join(i for i in items if i not in spec.choices)
        return FieldValue(selected=known, other=other)
    if isinstance(raw, bool):
        return FieldValue(text="true" if raw else "false")
    return FieldValue(text=_number_text(raw))


def _order(key: str) -> int:
    keys = [k for k, _ in SECTION_ORDER]
    return keys.index(key) if key in keys else len(keys)


def _title(key: str) -> str:
    return dict(SECTION_ORDER).get(key, key.replace("_", " ").capitalize())


def _entered_value(spec: FieldSpec, text: str) -> FieldValue | None:
    """A quantity as the user typed it ("36 mmol/mol"), to show it back in that unit."""
    match = _QUANTITY_TEXT.match(text)
    if not match or spec.kind not in _QUANTITY_KINDS:
        return None
    return FieldValue(text=match.group(2), comparator=match.group(1) or "", unit=match.group(3))


def build_form(
    catalog: Sequence[object],
    case: Mapping[str, Any] | None,
    *,
    issues: Sequence[Issue] = (),
    site_units: Mapping[str, str] | None = None,
    entered: Mapping[str, str] | None = None,
) -> CaseForm:
    """The whole form, filled with ``case`` (a normalised case mapping) when given.

    ``issues`` are shown at their fields; ``site_units`` are the site's default units
    (path -> unit); ``entered`` the quantities as the user typed them (path -> text),
    shown back in the unit they were entered in.
    """
    data: Mapping[str, Any] = case or {}
    errors = {i.path: str(i.message) + (f". Fix: {i.fix}" if i.fix else "") for i in issues}
    units = site_units or {}
    typed = entered or {}
    sections: dict[str, list[FormField]] = {}
    for spec in sorted(catalog_specs(catalog), key=lambda s: _order(s.section)):
        value = field_value(spec, _get(data, spec.path))
        shown = _entered_value(spec, typed[spec.path]) if spec.path in typed else None
        sections.setdefault(spec.section, []).append(
            FormField(
                spec,
                shown or value,
                error=errors.get(spec.path, ""),
                site_unit=units.get(spec.path, "") if spec.needs_unit_choice else "",
            )
        )
    treatments = tuple(
        {k: "" if v is None else str(v) for k, v in row.items() if k != "extensions"}
        for row in (data.get("treatments") or [])
        if isinstance(row, Mapping)
    )
    visits = tuple(v for v in (data.get("visits") or []) if isinstance(v, Mapping))
    return CaseForm(
        sections=tuple(
            FormSection(
                key,
                _title(key),
                tuple(fields),
                open=key in OPEN_SECTIONS or any(f.filled or f.error for f in fields),
            )
            for key, fields in sections.items()
        ),
        treatments=treatments,
        visits_json=json.dumps(list(visits), default=str),
        visits=visits,
    )


# --- form data -> case ----------------------------------------------------------------------


def _first(form: Mapping[str, Sequence[str]], name: str) -> str:
    values = form.get(name) or []
    return values[0].strip() if values else ""


def _number(text: str, integer: bool) -> Any:
    number = decimal_number(text)  # the strict reader's rules: no 1_000, nan or inf
    if number is None:
        return text  # parse_case names the field and says what it expected
    number = float(number)
    if integer:
        return int(number) if number.is_integer() else text
    return number


def _unit(spec: FieldSpec, form: Mapping[str, Sequence[str]], name: str,
          site_units: Mapping[str, str]) -> str | None:  # fmt: skip
    """The unit chosen for a quantity; ``None`` when a choice was needed and none was made."""
    chosen = _first(form, name + ":unit")
    if chosen:
        return chosen
    if not spec.needs_unit_choice:
        return spec.unit or ""
    return site_units.get(spec.path)


def missing_units(
    catalog: Iterable[object],
    form: Mapping[str, Sequence[str]],
    site_units: Mapping[str, str] | None = None,
    prefix: str = "",
) -> list[Issue]:
    """Quantities typed without a unit where the field accepts several (never guessed)."""
    specs = catalog if prefix else catalog_specs(catalog)
    issues = []
    for spec in specs:
        if not isinstance(spec, FieldSpec):
            spec = spec_from_descriptor(spec)
        name = prefix + spec.name
        if spec.kind not in _QUANTITY_KINDS or not _first(form, name):
            continue
        if _unit(spec, form, name, site_units or {}) is None:
            issues.append(
                Issue(
                    path=spec.path,
                    message=f"{spec.label}: choose the unit the laboratory reported",
                    expected="one of " + ", ".join(spec.units),
                    found=_first(form, name),
                    fix="pick the unit beside the value (nothing is assumed)",
                )
            )
    return issues


def read_field(
    spec: FieldSpec,
    form: Mapping[str, Sequence[str]],
    prefix: str = "",
    site_units: Mapping[str, str] | None = None,
) -> Any:
    """The case value of one field from form data, or ``None`` when left blank (unknown)."""
    name = prefix + spec.name
    text = _first(form, name)
    if spec.kind in _QUANTITY_KINDS:
        if text:
            comparator = _first(form, name + ":cmp")
            unit = _unit(spec, form, name, site_units or {}) or ""
            comparator = comparator if comparator in COMPARATORS else ""
            return f"{comparator}{text} {unit}".strip()
        result = _first(form, name + ":result")
        return result or None
    if spec.kind == "list":
        items = [v.strip() for v in form.get(name) or [] if v.strip()]
        other = _first(form, name + ":other")
        items += [i.strip() for i in other.split(",") if i.strip()]
        return list(dict.fromkeys(items)) or None
    if not text:
        return None
    if spec.kind == "boolean":
        return {"true": True, "false": False}.get(text, text)
    if spec.kind in ("number", "integer"):
        return _number(text, spec.kind == "integer")
    return text


def _put(data: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node = data
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def form_to_case(
    catalog: Sequence[object],
    form: Mapping[str, Sequence[str]],
    site_units: Mapping[str, str] | None = None,
    *,
    check_units: bool = True,
) -> dict[str, Any]:
    """A case mapping from submitted form data; blank fields are left out (unknown).

    Raises :class:`mgpn.errors.CaseError` naming each quantity typed without a unit
    where the field accepts several (a bare number would otherwise be read in the
    canonical unit, silently). ``check_units=False`` only serves to show the form
    again with the problems.
    """
    issues = missing_units(catalog, form, site_units) if check_units else []
    if issues:
        raise CaseError("form", issues)
    data: dict[str, Any] = {"format": CASE_FORMAT}
    for spec in catalog_specs(catalog):
        value = read_field(spec, form, site_units=site_units)
        if value is not None:
            _put(data, spec.path, value)
    rows: dict[int, dict[str, Any]] = {}
    for name, values in form.items():
        match = _ROW.match(name)
        if match and match.group(1) == "treatments" and values and values[0].strip():
            rows.setdefault(int(match.group(2)), {})[match.group(3)] = values[0].strip()
    treatments = [rows[i] for i in sorted(rows)]
    if treatments:
        data["treatments"] = treatments
    visits_text = _first(form, "visits:json")
    if visits_text:
        try:
            visits = read_json(visits_text, "form visits")
        except CaseError:
            visits = visits_text  # parse_case reports it at 'visits'
        if visits:
            data["visits"] = visits
    return data


def entered_quantities(
    catalog: Sequence[object], form: Mapping[str, Sequence[str]]
) -> dict[str, str]:
    """The quantities as typed, with their unit (path -> "36 mmol/mol"), to show them back."""
    out: dict[str, str] = {}
    for spec in catalog_specs(catalog):
        if spec.kind in _QUANTITY_KINDS and _first(form, spec.name):
            unit = _first(form, spec.name + ":unit")
            if unit and unit != spec.unit:
                comparator = _first(form, spec.name + ":cmp")
                out[spec.path] = f"{comparator}{_first(form, spec.name)} {unit}"
    return out


def visit_from_form(
    specs: Sequence[FieldSpec],
    form: Mapping[str, Sequence[str]],
    site_units: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """One visit from the add-a-visit form (input names prefixed ``visit.``)."""
    issues = missing_units(specs, form, site_units, prefix="visit.")
    if issues:
        raise CaseError("visit form", issues)
    visit: dict[str, Any] = {}
    for spec in specs:
        value = read_field(spec, form, prefix="visit.", site_units=site_units)
        if value is not None:
            visit[spec.path] = value
    return visit


# --- optional report details (not part of the case file) -----------------------------------

REPORT_DETAIL_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("patient_name", "Patient name", "text"),
    ("birth_date", "Date of birth", "date"),
    ("record_number", "Record number", "text"),
    ("author", "Report author (clinician)", "text"),
)
REPORT_PREFIX = "report."


def details_from_form(form: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """The optional patient and clinician fields printed on a report (blank ones left out).

    They are stored with the case version in the database, never in the case file.
    """
    out: dict[str, str] = {}
    for key, _label, _kind in REPORT_DETAIL_FIELDS:
        value = _first(form, REPORT_PREFIX + key)
        if value:
            out[key] = value[:200]
    return out
