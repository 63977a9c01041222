"""A description of every field of mgpn-case/1, read off the case model.

Other faces of the program are generated from it rather than written by hand: the
web form, the REDCap data dictionary, and the knowledge base's check that every
path a rule names exists.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from mgpn.case.model import Case
from mgpn.case.quantity import QuantityField


@dataclass(frozen=True)
class FieldDescriptor:
    """One field of the case format.

    ``path`` is dotted (``labs.platelets``); fields of list items use ``[]``
    (``visits[].date``). ``kind`` is one of boolean, enum, result, quantity,
    quantity_or_result, number, integer, date, string, list, extensions.
    """

    path: str
    section: str
    name: str
    kind: str
    description: str = ""
    choices: tuple[str, ...] = ()
    unit: str | None = None
    accepted_units: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    vocabulary: tuple[str, ...] = ()
    required: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def _strip_optional(annotation: Any) -> list[Any]:
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return [arg for arg in typing.get_args(annotation) if arg is not type(None)]
    return [annotation]


def _literal_choices(annotation: Any) -> tuple[str, ...]:
    choices: list[str] = []
    for member in _strip_optional(annotation):
        if typing.get_origin(member) is Literal:
            choices.extend(str(arg) for arg in typing.get_args(member))
        elif typing.get_origin(member) is list:
            choices.extend(_literal_choices(typing.get_args(member)[0]))
    return tuple(choices)


def model_of(annotation: Any) -> type[BaseModel] | None:
    """The BaseModel a field holds (directly or as list items), if any."""
    for member in _strip_optional(annotation):
        if typing.get_origin(member) is list:
            member = typing.get_args(member)[0]
            if typing.get_origin(member) is typing.Annotated:
                member = typing.get_args(member)[0]
        if (
            isinstance(member, type)
            and issubclass(member, BaseModel)
            and member.__name__ != "Quantity"
        ):
            return member
    return None


def _bounds(info: FieldInfo) -> tuple[float | None, float | None]:
    low = high = None
    for item in info.metadata:
        low = getattr(item, "ge", low)
        high = getattr(item, "le", high)
    return low, high


def _describe(path: str, section: str, name: str, info: FieldInfo) -> FieldDescriptor:
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    kind = str(extra.get("kind", "string"))
    quantity = next((m for m in info.metadata if isinstance(m, QuantityField)), None)
    if quantity is None and kind == "quantity_or_result":
        quantity = QuantityField("antibodies.anti_mag")
    low, high = _bounds(info)
    unit = extra.get("unit")
    accepted: tuple[str, ...] = ()
    if quantity is not None:
        spec = quantity.spec
        unit, accepted, low, high = spec.unit, spec.all_units, spec.minimum, spec.maximum
    vocabulary = tuple(str(v) for v in extra.get("vocabulary", []))  # type: ignore[union-attr]
    choices = _literal_choices(info.annotation)
    if kind in ("result", "quantity_or_result"):
        choices = ("positive", "negative", "borderline")
    return FieldDescriptor(
        path=path,
        section=section,
        name=name,
        kind=kind,
        description=info.description or "",
        choices=choices,
        unit=str(unit) if unit else None,
        accepted_units=accepted,
        minimum=low,
        maximum=high,
        vocabulary=vocabulary,
        required=info.is_required(),
    )


def _walk(model: type[BaseModel], prefix: str, section: str) -> list[FieldDescriptor]:
    out: list[FieldDescriptor] = []
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        nested = model_of(info.annotation)
        if nested is not None:
            is_list = any(typing.get_origin(m) is list for m in _strip_optional(info.annotation))
            child_prefix = f"{path}[]." if is_list else f"{path}."
            out.extend(_walk(nested, child_prefix, section or name))
            continue
        out.append(_describe(path, section or "case", name, info))
    return out


@cache
def field_catalog() -> tuple[FieldDescriptor, ...]:
    """Every field of mgpn-case/1 in the order of the format."""
    return tuple(_walk(Case, "", ""))


@cache
def known_paths() -> frozenset[str]:
    """Every dotted path a rule may name (list items spelled with ``[]``)."""
    return frozenset(item.path for item in field_catalog())


@cache
def _vocabulary_fields() -> tuple[FieldDescriptor, ...]:
    return tuple(f for f in field_catalog() if f.vocabulary and "[]" not in f.path)


def not_interpreted(case: Case) -> list[str]:
    """Names outside a list's vocabulary, and extensions: kept, reported, not interpreted."""
    notes: list[str] = []
    for descriptor in _vocabulary_fields():
        values = case.get(descriptor.path) or []
        for item in values:
            if item not in descriptor.vocabulary:
                notes.append(f"{descriptor.path}: {item!r}")
    notes.extend(_extension_notes(case, ""))
    return notes


@cache
def _extension_plan(model: type[BaseModel]) -> tuple[tuple[str, str], ...]:
    """The fields of ``model`` that may hold extensions, in field order, with how to look.

    "own" is the model's ``extensions`` mapping, "model" a nested section, "list" a list
    of them (treatments, visits). Plain values and quantities are left out, so the walk
    below touches only what can hold an extension: a case with a thousand visits costs
    a thousand look-ups of ``extensions``, not every field of every visit.
    """
    plan: list[tuple[str, str]] = []
    for name, info in model.model_fields.items():
        if name == "extensions":
            plan.append((name, "own"))
        elif model_of(info.annotation) is not None:
            is_list = any(typing.get_origin(m) is list for m in _strip_optional(info.annotation))
            plan.append((name, "list" if is_list else "model"))
    return tuple(plan)


def _extension_notes(model: BaseModel, prefix: str) -> list[str]:
    notes: list[str] = []
    for name, how in _extension_plan(type(model)):
        value = getattr(model, name)
        path = f"{prefix}{name}"
        if how == "own":
            if value:
                notes.extend(f"{path}.{key}: kept, not interpreted" for key in value)
        elif how == "model":
            if isinstance(value, BaseModel):
                notes.extend(_extension_notes(value, f"{path}."))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, BaseModel):
                    notes.extend(_extension_notes(item, f"{path}[{index}]."))
    return notes
