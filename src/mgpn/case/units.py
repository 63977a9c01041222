"""Units of measure: UCUM spellings, their dimension, and exact conversions.

A small table instead of a general units library on purpose: the case format
accepts a short, fixed list of UCUM units per field (shared/spec/case-format.md),
UCUM spellings such as ``10*9/L`` are not understood by general-purpose unit
libraries, and the only cross-dimension conversions needed (mass <-> substance
concentration) depend on a per-field molar mass kept in ``quantities.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Any

from mgpn.errors import InputError
from mgpn.strict_reader import read_yaml


@dataclass(frozen=True)
class Unit:
    """A unit: its dimension and the factor that brings a value to the dimension's base."""

    dimension: str
    factor: float


# Bases: g/L, mol/L, /L, g/24h, s, m, and dimensionless families of their own.
UNITS: dict[str, Unit] = {
    # mass concentration (base g/L)
    "g/L": Unit("mass_concentration", 1.0),
    "g/dL": Unit("mass_concentration", 10.0),
    "mg/dL": Unit("mass_concentration", 1e-2),
    "mg/L": Unit("mass_concentration", 1e-3),
    "ug/mL": Unit("mass_concentration", 1e-3),
    "ug/dL": Unit("mass_concentration", 1e-5),
    "ug/L": Unit("mass_concentration", 1e-6),
    "ng/mL": Unit("mass_concentration", 1e-6),
    "ng/L": Unit("mass_concentration", 1e-9),
    "pg/mL": Unit("mass_concentration", 1e-9),
    # substance concentration (base mol/L)
    "mol/L": Unit("substance_concentration", 1.0),
    "mmol/L": Unit("substance_concentration", 1e-3),
    "umol/L": Unit("substance_concentration", 1e-6),
    "nmol/L": Unit("substance_concentration", 1e-9),
    "pmol/L": Unit("substance_concentration", 1e-12),
    # number concentration (base /L)
    "10*9/L": Unit("number_concentration", 1e9),
    "10*3/uL": Unit("number_concentration", 1e9),
    "10*6/L": Unit("number_concentration", 1e6),
    "cells/uL": Unit("number_concentration", 1e6),
    "/uL": Unit("number_concentration", 1e6),
    "/mm3": Unit("number_concentration", 1e6),
    # mass excreted per day (base g/24h)
    "g/24h": Unit("mass_rate", 1.0),
    "mg/24h": Unit("mass_rate", 1e-3),
    "g/d": Unit("mass_rate", 1.0),
    "mg/d": Unit("mass_rate", 1e-3),
    # time (base s), length (base m)
    "s": Unit("time", 1.0),
    "min": Unit("time", 60.0),
    "mm": Unit("length", 1e-3),
    "cm": Unit("length", 1e-2),
    # families of their own
    "%": Unit("fraction_percent", 1.0),
    "mmol/mol": Unit("ifcc_hba1c", 1.0),
    "BTU": Unit("buhlmann_titer", 1.0),
    "mIU/L": Unit("arbitrary_concentration", 1.0),
    "uIU/mL": Unit("arbitrary_concentration", 1.0),
    "mL/min/1.73m2": Unit("gfr", 1.0),
}

# Spellings people type that mean a UCUM unit above.
ALIASES: dict[str, str] = {
    "mL/min/{1.73_m2}": "mL/min/1.73m2",
    "mL/min/1.73 m2": "mL/min/1.73m2",
    "mL/min/1.73m²": "mL/min/1.73m2",
    "10^9/L": "10*9/L",
    "10^3/uL": "10*3/uL",
    "x10^9/L": "10*9/L",
    "g/(24.h)": "g/24h",
    "mg/(24.h)": "mg/24h",
    "sec": "s",
}


def normalise_unit(text: str) -> str:
    """The UCUM spelling of ``text`` (micro signs and powers folded), or ``text`` itself."""
    unit = text.strip().replace("µ", "u").replace("μ", "u")
    unit = ALIASES.get(unit, unit)
    return ALIASES.get(unit.replace("^", "*"), unit.replace("^", "*"))


@dataclass(frozen=True)
class QuantitySpec:
    """What one quantity field accepts (from ``quantities.yaml``)."""

    path: str
    unit: str
    accepts: tuple[str, ...]
    minimum: float
    maximum: float
    molar_mass: float | None = None
    conversion: str | None = None

    @property
    def all_units(self) -> tuple[str, ...]:
        return (self.unit, *self.accepts)


class UnitConversionError(ValueError):
    """A unit that the field does not accept."""


def _to_base(value: float, unit: str, spec: QuantitySpec) -> tuple[float, str]:
    info = UNITS[unit]
    return value * info.factor, info.dimension


def convert(value: float, unit: str, spec: QuantitySpec) -> float:
    """``value`` in ``unit`` expressed in the field's canonical unit."""
    if unit == spec.unit:
        return value
    if unit not in spec.accepts:
        raise UnitConversionError(unit)
    if spec.conversion == "hba1c":
        # IFCC mmol/mol -> NGSP %, by the master equation (see quantities.yaml).
        return value / 10.929 + 2.15
    base, dimension = _to_base(value, unit, spec)
    target = UNITS[spec.unit]
    if dimension == target.dimension:
        return base / target.factor
    if spec.molar_mass is None:
        raise UnitConversionError(unit)
    if dimension == "substance_concentration" and target.dimension == "mass_concentration":
        return base * spec.molar_mass / target.factor
    if dimension == "mass_concentration" and target.dimension == "substance_concentration":
        return base / spec.molar_mass / target.factor
    raise UnitConversionError(unit)


def _load_specs() -> dict[str, QuantitySpec]:
    text = resources.files("mgpn.case").joinpath("quantities.yaml").read_text(encoding="utf-8")
    raw: dict[str, dict[str, Any]] = read_yaml(text, "quantities.yaml", error=InputError)
    specs: dict[str, QuantitySpec] = {}
    for path, entry in raw.items():
        low, high = entry["range"]
        spec = QuantitySpec(
            path=path,
            unit=entry["unit"],
            accepts=tuple(entry.get("accepts", [])),
            minimum=float(low),
            maximum=float(high),
            molar_mass=entry.get("molar_mass"),
            conversion=entry.get("conversion"),
        )
        for unit in spec.all_units:
            if unit not in UNITS:
                raise RuntimeError(f"quantities.yaml: {path} names unknown unit {unit!r}")
        specs[path] = spec
    return specs


QUANTITY_SPECS: dict[str, QuantitySpec] = _load_specs()
