"""Every value a rule compares a case field with must be a value that field can hold.

A typo in a rule value loads silently otherwise: ``{path: paraprotein.isotype, in:
[IgGG]}`` can never be true, and ``{path: neuropathy.present, is: ture}`` compares a
boolean with the word "ture", so it is false for every case, a negative finding no
one wrote. This check reads each field's vocabulary off the case model's catalogue
(:func:`mgpn.case.field_catalog`): booleans take ``true``/``false``, enums their
choices, results ``positive``/``negative``/``borderline``, lists their vocabulary.

It is generic over the predicate language: any model defined in
:mod:`mgpn.knowledge.predicates` that has a ``path`` naming a case field is a leaf,
and each of its other operators is checked by its role below; an operator not named
here is taken to compare values with the field, which is the strict reading.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from mgpn.knowledge import predicates

if TYPE_CHECKING:
    from mgpn.case.catalog import FieldDescriptor

# Operators that do not hold a value of the field itself.
_PATH_OPERATORS = frozenset({"path", "minus"})  # case paths: checked in checks.py
_THRESHOLD_OPERATORS = frozenset(getattr(predicates, "NUMERIC_OPERATORS", ()))  # threshold names
_PRESENCE_OPERATORS = frozenset({"present"})  # true/false about being known, any field
_TEXT_OPERATORS = frozenset({"mentions_any"})  # free words searched in text

_TEXT_KINDS = frozenset({"string", "list"})
_RESULT_WORDS = ("positive", "negative", "borderline")


def vocabulary_problems(
    knowledge: BaseModel, fields: Mapping[str, FieldDescriptor] | None = None
) -> list[str]:
    """Every rule value in ``knowledge`` (the base or any part of it) its field cannot hold."""
    if fields is None:
        from mgpn.case.catalog import field_catalog  # the case model, loaded only when checked

        fields = {entry.path: entry for entry in field_catalog()}
    catalog = fields
    # Threshold names are never field values, whatever the operator that holds them is called.
    thresholds = frozenset(getattr(knowledge, "thresholds", None) or ())
    problems: list[str] = []
    for where, leaf in _leaves(knowledge, ""):
        path = getattr(leaf, "path", None)
        field = catalog.get(path) if isinstance(path, str) else None
        if field is None:
            continue  # an unknown path is reported by checks.py
        for name, info in type(leaf).model_fields.items():
            value = getattr(leaf, name)
            if value is None or name in _PATH_OPERATORS | _THRESHOLD_OPERATORS:
                continue
            if isinstance(value, str) and value in thresholds:
                continue
            operator = info.alias or name
            problems.extend(
                f"{where}: {message}"
                for message in _operator_problems(operator, name, value, field)
            )
    return problems


def _leaves(node: Any, where: str) -> Iterator[tuple[str, BaseModel]]:
    """Predicate leaves anywhere under ``node``, with a readable location for messages."""
    if isinstance(node, BaseModel):
        if type(node).__module__ == predicates.__name__ and "path" in type(node).model_fields:
            yield where, node
            return
        for name in type(node).model_fields:
            yield from _leaves(getattr(node, name), f"{where}.{name}" if where else name)
    elif isinstance(node, list | tuple):
        for index, item in enumerate(node):
            label = getattr(item, "id", None) if isinstance(item, BaseModel) else None
            yield from _leaves(
                item, f"{where}.{label}" if isinstance(label, str) else f"{where}[{index}]"
            )
    elif isinstance(node, dict):
        for key, item in node.items():
            yield from _leaves(item, f"{where}.{key}" if where else str(key))


def _operator_problems(operator: str, name: str, value: Any, field: FieldDescriptor) -> list[str]:
    if name in _PRESENCE_OPERATORS or operator in _PRESENCE_OPERATORS:
        return (
            [] if isinstance(value, bool) else [f"'{operator}' takes true or false, not {value!r}"]
        )
    values = list(value) if isinstance(value, list | tuple) else [value]
    if name in _TEXT_OPERATORS or operator in _TEXT_OPERATORS:
        if field.kind not in _TEXT_KINDS:
            return [f"'{operator}' searches text, but {field.path} is a {field.kind} field"]
        return [
            f"'{operator}' needs words, found {item!r}"
            for item in values
            if not isinstance(item, str)
        ]
    return [
        message for item in values if (message := _value_problem(operator, item, field)) is not None
    ]


def _value_problem(operator: str, item: Any, field: FieldDescriptor) -> str | None:
    allowed = allowed_values(field)
    if allowed is None:  # free text: any words, never true/false
        if isinstance(item, str):
            return None
        return f"{field.path} holds text; '{operator}: {item!r}' can never match"
    if any(item is choice or (type(item) is type(choice) and item == choice) for choice in allowed):
        return None
    shown = ", ".join("true" if a is True else "false" if a is False else str(a) for a in allowed)
    if not allowed:
        return f"{field.path} is a {field.kind} field; compare it with a threshold, not '{operator}: {item!r}'"
    hint = ""
    if isinstance(item, str):
        words = [a for a in allowed if isinstance(a, str)]
        lowered = {word.lower(): word for word in words}
        close = lowered.get(item.lower()) or next(
            iter(difflib.get_close_matches(item, words, n=1, cutoff=0.6)), None
        )
        if close is not None:
            hint = f" (did you mean {close!r}?)"
        elif field.kind == "boolean" and item.lower() in (
            "true",
            "false",
            "ture",
            "flase",
            "yes",
            "no",
        ):
            hint = " (write true or false without quotes)"
    return f"{item!r} is not a value of {field.path}; expected one of {shown}{hint}"


def allowed_values(field: FieldDescriptor) -> tuple[Any, ...] | None:
    """What a rule may compare ``field`` with: a tuple of values, or None for free text.

    An empty tuple means the field holds numbers or dates, which rules compare with
    named thresholds only.
    """
    if field.kind == "boolean":
        return (True, False)
    if field.kind in ("enum", "result", "quantity_or_result"):
        return field.choices or _RESULT_WORDS
    if field.kind == "list":
        names = field.vocabulary or field.choices
        return names if names else None
    if field.kind == "string":
        return None
    return ()
