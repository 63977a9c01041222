"""Quantities: a number in a field's canonical unit, possibly censored (``>70000 BTU``).

Input may be a bare number (already canonical), a ``"<number> <unit>"`` string, or a
``{value, unit, comparator}`` mapping. Conversion happens once, here, at load time;
everything downstream sees canonical units only.
"""


import math
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    WithJsonSchema,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from mgpn.case.units import (
    QUANTITY_SPECS,
    QuantitySpec,
    UnitConversionError,
    convert,
    normalise_unit,
)

Comparator = Literal[">", "<", ">=", "<="]
COMPARATORS: tuple[str, ...] = (">=", "<=", ">", "<")

RESULT_VALUES: tuple[str, ...] = ("positive", "negative", "borderline")
_RESULT_ALIASES = {"true": "positive", "false": "negative", "pos": "positive", "neg": "negative"}

# "<comparator?> <number> <unit?>"; thousands may be grouped with commas (70,000).
_QUANTITY_TEXT = re.compile(
    r"^\s*(?P<cmp>>=|<=|≥|≤|>|<)?\s*"
    r"(?P<num>[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?)"
    r"\s*(?P<unit>.*?)\s*$"
)


class Quantity(BaseModel):
    """A measured value in its field's canonical unit."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: float
    unit: str
    comparator: Comparator | None = None

    def __str__(self) -> str:
        number = f"{self.value:g}" if abs(self.value) < 1e6 else f"{self.value:.0f}"
        return f"{self.comparator or ''}{number} {self.unit}"


_ABSENT = object()


def _round(value: float) -> float:
    # Conversions by powers of ten leave binary noise (1.8000000000000003); twelve
    # significant digits are far beyond any laboratory's precision.
    return float(f"{value:.12g}")


def _fail(kind: str, message: str, **ctx: str) -> PydanticCustomError:
    return PydanticCustomError(kind, message, ctx)


def parse_quantity(raw: Any, spec: QuantitySpec) -> Quantity:
    """Read ``raw`` as a quantity for the field ``spec``; raise a pydantic error that names the fix."""
    accepted = ", ".join(spec.all_units)
    comparator: str | None = None
    unit = spec.unit
    if isinstance(raw, bool):
        raise _fail(
            "mgpn_quantity",
            "expected a number with a unit, found {found}",
            found=repr(raw),
            expected=f"a number in {spec.unit} or a string like '12 {spec.unit}'",
            fix=f"give the measured value, e.g. '12 {spec.unit}'",
        )
    if isinstance(raw, int | float):
        value = float(raw)
    elif isinstance(raw, str):
        match = _QUANTITY_TEXT.match(raw)
        if not match or re.match(r"^[,.]\d", match["unit"]):
            raise _fail(
                "mgpn_quantity",
                "could not read {found} as a number with a unit",
                found=repr(raw),
                expected=f"'<number> <unit>' with unit one of {accepted}",
                fix=f"write it like '12 {spec.unit}' (decimal point, not comma)",
            )
        comparator = {"≥": ">=", "≤": "<="}.get(match["cmp"] or "", match["cmp"])
        value = float(match["num"].replace(",", ""))
        unit = normalise_unit(match["unit"]) if match["unit"] else spec.unit
    elif isinstance(raw, dict):
        unknown = sorted(set(raw) - {"value", "unit", "comparator"})
        if unknown:
            raise _fail(
                "mgpn_quantity",
                "unknown key(s) {found} in a quantity mapping",
                found=", ".join(map(str, unknown)),
                expected="keys value, unit, comparator",
                fix="use {value: 12, unit: '" + spec.unit + "'}",
            )
        number = raw.get("value")
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise _fail(
                "mgpn_quantity",
                "the quantity's value must be a number, found {found}",
                found=repr(number),
                expected="a number",
                fix="give value as a number",
            )
        value = float(number)
        # A unit, when given, must be text the field accepts: `unit: false`, `0`, `[]`
        # or an empty string once fell back to the canonical unit and changed the meaning.
        given = raw.get("unit", _ABSENT)
        if given is _ABSENT:
            unit = spec.unit
        elif isinstance(given, str) and given.strip():
            unit = normalise_unit(given)
        else:
            raise _fail(
                "mgpn_unit",
                "the quantity's unit must be text naming a unit",
                found=repr(given),
                expected=f"one of {accepted}",
                fix=f"write the unit (e.g. unit: '{spec.unit}') or leave the key out for {spec.unit}",
            )
        comparator = raw.get("comparator")
        if comparator is not None and comparator not in COMPARATORS:
            raise _fail(
                "mgpn_quantity",
                "unknown comparator {found}",
                found=repr(comparator),
                expected="one of >, <, >=, <=",
                fix="use one of >, <, >=, <= or leave it out",
            )
    else:
        raise _fail(
            "mgpn_quantity",
            "expected a number with a unit, found {found}",
            found=type(raw).__name__,
            expected=f"a number in {spec.unit}, a string like '12 {spec.unit}' or a mapping",
            fix=f"write it like '12 {spec.unit}'",
        )
    if not math.isfinite(value):
        raise _fail(
            "mgpn_quantity",
            "the number in {found} is too large to be a measurement",
            found=repr(raw),
            expected=f"between {spec.minimum:g} and {spec.maximum:g} {spec.unit}",
            fix="check the number and its unit",
        )
    try:
        canonical = _round(convert(value, unit, spec))
    except (UnitConversionError, KeyError):
        raise _fail(
            "mgpn_unit",
            "unit {found} is not accepted here",
            found=repr(unit),
            expected=f"one of {accepted}",
            fix=f"convert the value to {spec.unit} or give it in one of {accepted}",
        ) from None
    if not spec.minimum <= canonical <= spec.maximum:
        raise _fail(
            "mgpn_range",
            "{found} is outside the plausible range",
            found=f"{canonical:g} {spec.unit}",
            expected=f"between {spec.minimum:g} and {spec.maximum:g} {spec.unit}",
            fix="check the number and its unit (a value in the wrong unit is the usual cause)",
        )
    return Quantity(value=canonical, unit=spec.unit, comparator=comparator)


def parse_result(raw: Any) -> str:
    """A positive/negative/borderline result; ``true``/``false`` are accepted."""
    if isinstance(raw, bool):
        return "positive" if raw else "negative"
    if isinstance(raw, str):
        word = raw.strip().lower()
        word = _RESULT_ALIASES.get(word, word)
        if word in RESULT_VALUES:
            return word
    raise _fail(
        "mgpn_result",
        "{found} is not a test result",
        found=repr(raw),
        expected="positive, negative, borderline, true or false",
        fix="write positive, negative or borderline",
    )


def _quantity_schema(spec: QuantitySpec) -> dict[str, Any]:
    return {
        "description": f"canonical unit {spec.unit}; accepts {', '.join(spec.all_units)}",
        "anyOf": [
            {"type": "number", "minimum": spec.minimum, "maximum": spec.maximum},
            {"type": "string", "pattern": r"^\s*(>=|<=|>|<)?\s*[-+]?[0-9][0-9,]*(\.[0-9]+)?"},
            {
                "type": "object",
                "properties": {
                    "value": {"type": "number"},
                    "unit": {"enum": list(spec.all_units)},
                    "comparator": {"enum": list(COMPARATORS)},
                },
                "required": ["value"],
                "additionalProperties": False,
            },
            {"type": "null"},
        ],
    }


@dataclass(frozen=True)
class QuantityField:
    """Annotated metadata that makes a ``Quantity | None`` field read the unit of ``path``.

    ``path`` is a key of quantities.yaml; the catalogue reads it back from the field.
    """

    path: str

    @property
    def spec(self) -> QuantitySpec:
        return QUANTITY_SPECS[self.path]

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        spec = self.spec

        def _validate(raw: Any) -> Any:
            if raw is None or isinstance(raw, Quantity):
                return raw
            return parse_quantity(raw, spec)

        return core_schema.no_info_before_validator_function(_validate, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return _quantity_schema(self.spec)


def _validate_result(raw: Any) -> Any:
    return None if raw is None else parse_result(raw)


ResultValue = Annotated[
    Literal["positive", "negative", "borderline"] | None,
    BeforeValidator(_validate_result),
    WithJsonSchema({"anyOf": [{"enum": [*RESULT_VALUES]}, {"type": "boolean"}, {"type": "null"}]}),
]


def _validate_anti_mag(raw: Any) -> Any:
    if raw is None or isinstance(raw, Quantity):
        return raw
    if isinstance(raw, bool):
        return parse_result(raw)
    if isinstance(raw, str) and raw.strip().lower() in (*RESULT_VALUES, *_RESULT_ALIASES):
        return parse_result(raw)
    return parse_quantity(raw, QUANTITY_SPECS["antibodies.anti_mag"])


AntiMagValue = Annotated[
    Quantity | Literal["positive", "negative", "borderline"] | None,
    BeforeValidator(_validate_anti_mag),
    WithJsonSchema(
        {
            "description": "Bühlmann titre units (BTU), or a bare positive/negative result",
            "anyOf": [
                _quantity_schema(QUANTITY_SPECS["antibodies.anti_mag"]),
                {"enum": [*RESULT_VALUES]},
                {"type": "boolean"},
            ],
        }
    ),
]
