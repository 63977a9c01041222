"""Hypothesis strategies for the main data types, built from the case format's catalogue.

Generating from :func:`mgpn.case.field_catalog` rather than by hand means a field added
to the format is exercised by the property tests without anyone remembering to.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from mgpn.case import FieldDescriptor, field_catalog

_COMPARATORS = st.sampled_from([None, ">", "<", ">=", "<="])
# Text a case may hold: any character but control characters and lone surrogates, which
# the strict reader refuses (mgpn.strict_reader).
_TEXT_CHARACTERS = st.characters(blacklist_categories=("Cc", "Cs"))
_DATES = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31))


def _quantity(field: FieldDescriptor) -> st.SearchStrategy[Any]:
    assert field.minimum is not None and field.maximum is not None
    values = (
        st.floats(min_value=field.minimum, max_value=field.maximum, allow_nan=False)
        .map(lambda v: float(f"{v:.6g}"))
        .filter(lambda v: field.minimum <= v <= field.maximum)
    )  # type: ignore[operator]
    unit = field.unit

    def as_text(value: float, comparator: str | None) -> str:
        return f"{comparator or ''}{value!r} {unit}"

    def as_mapping(value: float, comparator: str | None) -> dict[str, Any]:
        mapping: dict[str, Any] = {"value": value, "unit": unit}
        if comparator:
            mapping["comparator"] = comparator
        return mapping

    return st.one_of(
        values,
        st.builds(as_text, values, _COMPARATORS),
        st.builds(as_mapping, values, _COMPARATORS),
    )


def value_for(field: FieldDescriptor) -> st.SearchStrategy[Any]:
    """Valid values of one field, in the spellings the format allows."""
    if field.kind == "boolean":
        return st.booleans()
    if field.kind == "enum":
        return st.sampled_from(field.choices)
    if field.kind == "result":
        return st.sampled_from(["positive", "negative", "borderline", True, False])
    if field.kind == "quantity":
        return _quantity(field)
    if field.kind == "quantity_or_result":
        return st.one_of(_quantity(field), st.sampled_from(["positive", "negative"]))
    if field.kind == "number":
        assert field.minimum is not None and field.maximum is not None
        return st.floats(min_value=field.minimum, max_value=field.maximum, allow_nan=False)
    if field.kind == "integer":
        assert field.minimum is not None and field.maximum is not None
        return st.integers(min_value=int(field.minimum), max_value=int(field.maximum))
    if field.kind == "date":
        return _DATES
    if field.kind == "list":
        names = field.vocabulary or field.choices
        known = st.sampled_from(names)
        return st.lists(
            st.one_of(known, st.just("free-text item")) if field.vocabulary else known, max_size=3
        )
    if field.kind == "extensions":
        return st.dictionaries(
            st.text("abcdefgh_", min_size=1, max_size=8), st.integers(), max_size=2
        )
    return st.text(_TEXT_CHARACTERS, min_size=1, max_size=12)


def _mapping(fields: list[FieldDescriptor], prefix: str) -> st.SearchStrategy[dict[str, Any]]:
    """A mapping holding a random subset of ``fields`` (relative to ``prefix``)."""
    direct = [f for f in fields if "." not in f.path[len(prefix) :]]
    nested_names = sorted(
        {f.path[len(prefix) :].split(".")[0] for f in fields if "." in f.path[len(prefix) :]}
    )
    optional: dict[str, st.SearchStrategy[Any]] = {
        f.name: value_for(f) for f in direct if not f.required
    }
    for name in nested_names:
        optional[name] = _mapping(
            [f for f in fields if f.path.startswith(f"{prefix}{name}.")], f"{prefix}{name}."
        )
    required = {f.name: value_for(f) for f in direct if f.required}
    return st.fixed_dictionaries(required, optional=optional)


def _sorted_visits(visits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    unique: dict[dt.date, dict[str, Any]] = {}
    for visit in visits:
        unique.setdefault(visit["date"], visit)
    return [unique[day] for day in sorted(unique)]


def _sorted_treatments(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Oldest first (those without a start first: they cannot be out of order), none ending before it starts."""
    out = []
    for item in sorted(items, key=lambda t: t.get("start") or dt.date.min):
        if item.get("start") and item.get("end") and item["end"] < item["start"]:
            item = {**item, "end": item["start"]}
        out.append(item)
    return out


@st.composite
def case_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A mapping that follows mgpn-case/1, as a person or a program might write it."""
    catalog = list(field_catalog())
    top = [f for f in catalog if "." not in f.path and "[]" not in f.path]
    sections = sorted(
        {f.path.split(".")[0] for f in catalog if "." in f.path and "[]" not in f.path}
    )
    document: dict[str, Any] = {"format": "mgpn-case/1"}
    for field in top:
        if field.name != "format" and draw(st.booleans()):
            document[field.name] = draw(value_for(field))
    for section in sections:
        if draw(st.booleans()):
            fields = [f for f in catalog if f.path.startswith(f"{section}.")]
            document[section] = draw(_mapping(fields, f"{section}."))
    visit_fields = [f for f in catalog if f.path.startswith("visits[].")]
    treatment_fields = [f for f in catalog if f.path.startswith("treatments[].")]
    visits = draw(st.lists(_mapping(visit_fields, "visits[]."), max_size=3))
    if visits:
        document["visits"] = _sorted_visits(visits)
    treatments = draw(st.lists(_mapping(treatment_fields, "treatments[]."), max_size=2))
    if treatments:
        document["treatments"] = _sorted_treatments(treatments)
    return document
