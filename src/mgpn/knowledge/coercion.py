"""Refuse knowledge-base values that pydantic would quietly convert to another type.

pydantic's default (lax) mode reads ``present: yes`` or ``verified: "false"`` as a
boolean, ``is: 1`` as ``true`` and ``weight: "2"`` as a number. In a clinical rule
file each of these is a typo or a YAML 1.1 habit, and the converted value may mean
the opposite of what a reviewer reads. Comparing what was written with what was
validated catches every such conversion without making the schema itself strict
(dates stay ISO text in YAML 1.2, whole numbers may fill number fields).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator
from typing import Any

from pydantic import TypeAdapter

# (type written, type validated) pairs that keep the meaning.
_KEEPS_MEANING: frozenset[tuple[type, type]] = frozenset(
    {
        (int, float),
        (str, dt.date),
        (str, dt.datetime),
        (list, tuple),
        (list, set),
        (list, frozenset),
    }
)


def coerced_values(adapter: TypeAdapter[Any], raw: Any, validated: Any) -> list[str]:
    """Where ``validated`` (from ``adapter``) holds a value of another type than ``raw`` had."""
    dumped = adapter.dump_python(validated, by_alias=True, exclude_unset=True)
    return list(_differences(raw, dumped, ""))


def _differences(raw: Any, dumped: Any, where: str) -> Iterator[str]:
    if isinstance(dumped, enum.Enum):
        dumped = dumped.value
    if isinstance(raw, dict) and isinstance(dumped, dict):
        for key, item in raw.items():
            if key in dumped:
                yield from _differences(item, dumped[key], f"{where}.{key}" if where else str(key))
        return
    if isinstance(raw, list) and isinstance(dumped, list | tuple):
        for index, (item, out) in enumerate(zip(raw, dumped, strict=False)):
            yield from _differences(item, out, f"{where}[{index}]")
        return
    if type(raw) is type(dumped) or (type(raw), type(dumped)) in _KEEPS_MEANING:
        return
    if isinstance(raw, dict | list) or raw is None:
        return  # a structure the schema reshaped (or a default): checked by the schema itself
    yield (
        f"{where or '<top>'}: {raw!r} was read as {_word(dumped)}; write "
        f"{_written(dumped)} exactly (no quotes around true/false or numbers)"
    )


def _word(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def _written(value: Any) -> str:
    return (
        _word(value)
        if isinstance(value, bool | int | float)
        else f"the value as {type(value).__name__}"
    )
