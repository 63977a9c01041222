"""Build the assessment's models from values the engine has already checked.

Why: validating the output costs more than reasoning about the case. Every value the
engine puts in an assessment comes from the knowledge base (validated when it was
loaded) or from the engine's own closed sets (statuses, ids, priorities), so a second
validation per field finds nothing. :func:`construct` makes the instance pydantic's
validator would make — the same ``__dict__`` in the same field order, the same set of
given fields — without running the validator; pydantic's ``model_construct`` does the
same but is slower than validating, which defeats the purpose.

The guard: ``tests/engine/test_output_guard.py`` re-validates every vignette's assessment
(``Assessment.model_validate``) and requires the same object and the same JSON.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple, TypeVar, cast

from pydantic import BaseModel

from mgpn.assessment import Evidence, Reference

Model = TypeVar("Model", bound=BaseModel)

# The slots pydantic gives every model instance, set directly (what its validator does).
_new = object.__new__
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__
_REQUIRED = object()
# Per model class: (field name, default, default factory) in declaration order.
_Spec = tuple[tuple[str, Any, Callable[[], Any] | None], ...]
_SPECS: dict[type[BaseModel], _Spec] = {}


def _spec(cls: type[BaseModel]) -> _Spec:
    spec = _SPECS.get(cls)
    if spec is None:
        items: list[tuple[str, Any, Callable[[], Any] | None]] = []
        for name, info in cls.model_fields.items():
            # The output models' factories take no argument (list, dict).
            factory = cast("Callable[[], Any] | None", info.default_factory)
            default = _REQUIRED if info.is_required() else info.default
            items.append((name, default, factory))
        spec = _SPECS[cls] = tuple(items)
    return spec


def construct(cls: type[Model], /, **values: Any) -> Model:
    """An instance of ``cls`` with ``values`` (field names, not aliases), defaults filled.

    A missing required field or an unknown name raises TypeError: the engine's bug,
    never the user's input.
    """
    spec = _SPECS.get(cls) or _spec(cls)
    if len(values) == len(spec):
        # Every field given, as the engine does: in declaration order (checked for every
        # vignette by the guard test), so the keyword dict is the instance's dict.
        return _instance(cls, values, set(values))
    data: dict[str, Any] = {}
    for name, default, factory in spec:
        if name in values:
            data[name] = values[name]
        elif factory is not None:
            data[name] = factory()
        elif default is _REQUIRED:
            raise TypeError(f"{cls.__name__}: field {name!r} is required")
        else:
            data[name] = default
    if len(values) > len(data) or not values.keys() <= data.keys():
        raise TypeError(f"{cls.__name__}: unknown field(s) {sorted(set(values) - set(data))}")
    return _instance(cls, data, set(values))


def _instance(cls: type[Model], data: dict[str, Any], given: set[str]) -> Model:
    # What pydantic's validator and model_construct set on a new instance.
    item = _new(cls)
    _set_dict(item, data)
    _set_fields_set(item, given)
    _set_extra(item, None)
    _set_private(item, None)
    return item


_EVIDENCE_FIELDS = frozenset(("text", "criterion", "kind", "references", "verified"))


class Line(NamedTuple):
    """What an evidence line about one knowledge-base item says (the KB's words)."""

    text: str
    criterion: str  # qualified: owner.criterion_id
    kind: str
    references: tuple[str, ...]
    verified: bool
    missing_text: str  # the line's text when the item is unknown


def evidence_lines(lines: Iterable[Line], missing: bool = False) -> list[Evidence]:
    """One :class:`Evidence` per line (with ``missing_text`` when ``missing``)."""
    found = []
    for text, criterion, kind, references, verified, missing_text in lines:
        item = _new(Evidence)
        _set_dict(
            item,
            {
                "text": missing_text if missing else text,
                "criterion": criterion,
                "kind": kind,
                "references": list(references),
                "verified": verified,
            },
        )
        _set_fields_set(item, set(_EVIDENCE_FIELDS))
        _set_extra(item, None)
        _set_private(item, None)
        found.append(item)
    return found


def references(rows: Iterable[tuple[str, str, str | None]]) -> list[Reference]:
    """One :class:`Reference` per (id, citation, url)."""
    found = []
    for ident, citation, url in rows:
        item = _new(Reference)
        _set_dict(item, {"id": ident, "citation": citation, "url": url})
        _set_fields_set(item, {"id", "citation", "url"})
        _set_extra(item, None)
        _set_private(item, None)
        found.append(item)
    return found


def evidence(
    text: str, criterion: str, kind: str | None, references: list[str], verified: bool = True
) -> Evidence:
    """One :class:`Evidence` line, every field given (the engine's most built model)."""
    data = {
        "text": text,
        "criterion": criterion,
        "kind": kind,
        "references": references,
        "verified": verified,
    }
    return _instance(Evidence, data, set(_EVIDENCE_FIELDS))


# Per model class: (field name, nested model class or None, whether a list of them).
_Nesting = tuple[tuple[str, type[BaseModel] | None, bool], ...]
_NESTING: dict[type[BaseModel], _Nesting] = {}


def _nested(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """The model class inside ``annotation`` (``M``, ``M | None``, ``list[M]``), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin is list and arguments:
        inner, _ = _nested(arguments[0])
        return inner, inner is not None
    if origin in (typing.Union, types.UnionType):
        for argument in arguments:
            inner, many = _nested(argument)
            if inner is not None:
                return inner, many
    return None, False


def _nesting(cls: type[BaseModel]) -> _Nesting:
    found = _NESTING.get(cls)
    if found is None:
        found = _NESTING[cls] = tuple(
            (name, *_nested(info.annotation)) for name, info in cls.model_fields.items()
        )
    return found


def rebuild(cls: type[Model], data: dict[str, Any]) -> Model:
    """The model ``model_dump()`` gave ``data`` for, rebuilt without validating.

    For the engine's own output crossing a process boundary (:mod:`mgpn.batch`): plain
    dicts pickle several times faster than a tree of models, and this is cheaper than
    validating again. Not for data from anywhere else.
    """
    values: dict[str, Any] = {}
    for name, inner, many in _nesting(cls):
        value = data[name]
        if inner is not None and value is not None:
            value = [rebuild(inner, v) for v in value] if many else rebuild(inner, value)
        values[name] = value
    return _instance(cls, values, set(values))
