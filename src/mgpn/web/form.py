"""The case form, generated from the case format's field catalogue (``mgpn.case.field_catalog``).

Three jobs, no clinical knowledge:

* :func:`form_sections` turns the catalogue (plus the values of a case, if any) into
  sections of form fields for the template;
* :func:`form_to_case` turns submitted form data back into a case mapping, leaving
  every blank field out (absent means unknown) and passing anything it cannot read
  through unchanged, so that ``parse_case`` reports it with the field's path;
* :func:`visit_fields` lists the fields of one follow-up visit.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mgpn.errors import CaseError
from mgpn.strict_reader import decimal_number, read_json

CASE_FORMAT = "mgpn-case/1"
COMPARATORS = (">", "<", ">=", "<=")
LIST_SECTIONS = ("treatments", "visits")
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
        """The path inside its section, readable: ``gangliosides.GM1`` -> ``gangliosides GM1``."""
        inner = self.path.split(".", 1)[1] if "." in self.path else self.path
        return inner.replace(".", " ").replace("_", " ")

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


@dataclass(frozen=True)
class FormSection:
    key: str
    title: str
    fields: tuple[FormField, ...]


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


def build_form(catalog: Sequence[object], case: Mapping[str, Any] | None) -> CaseForm:
    """The whole form, filled with ``case`` (a normalised case mapping) when given."""
    data: Mapping[str, Any] = case or {}
    sections: dict[str, list[FormField]] = {}
    for spec in catalog_specs(catalog):
        sections.setdefault(spec.section, []).append(
            FormField(spec, field_value(spec, _get(data, spec.path)))
        )
    treatments = tuple(
        {k: "" if v is None else str(v) for k, v in row.items() if k != "extensions"}
        for row in (data.get("treatments") or [])
        if isinstance(row, Mapping)
    )
    visits = tuple(v for v in (data.get("visits") or []) if isinstance(v, Mapping))
    return CaseForm(
        sections=tuple(
            FormSection(key, key.replace("_", " ").capitalize(), tuple(fields))
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


def read_field(spec: FieldSpec, form: Mapping[str, Sequence[str]], prefix: str = "") -> Any:
    """The case value of one field from form data, or ``None`` when left blank (unknown)."""
    name = prefix + spec.name
    text = _first(form, name)
    if spec.kind in _QUANTITY_KINDS:
        if text:
            comparator = _first(form, name + ":cmp")
            unit = _first(form, name + ":unit") or (spec.unit or "")
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


def form_to_case(catalog: Sequence[object], form: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """A case mapping from submitted form data; blank fields are left out (unknown)."""
    data: dict[str, Any] = {"format": CASE_FORMAT}
    for spec in catalog_specs(catalog):
        value = read_field(spec, form)
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


def visit_from_form(
    specs: Sequence[FieldSpec], form: Mapping[str, Sequence[str]]
) -> dict[str, Any]:
    """One visit from the add-a-visit form (input names prefixed ``visit.``)."""
    visit: dict[str, Any] = {}
    for spec in specs:
        value = read_field(spec, form, prefix="visit.")
        if value is not None:
            visit[spec.path] = value
    return visit
