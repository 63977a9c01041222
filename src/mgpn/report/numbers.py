"""Numbers shown back as a laboratory reports them (HbA1c 36 mmol/mol or 5.4 %, not 5.44398847104 %).

The decimals are a display convention per unit, not clinical knowledge: values are
stored exactly as converted; only what a reader sees is rounded.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# Decimals a laboratory report uses for a unit; other units get three significant digits.
_DECIMALS: dict[str, int] = {
    "%": 1,
    "mmol/mol": 0,
    "mg/dL": 0,
    "g/dL": 2,
    "g/L": 1,
    "mg/L": 1,
    "pg/mL": 0,
    "pmol/L": 0,
    "nmol/L": 0,
    "umol/L": 2,
    "ug/dL": 0,
    "mIU/L": 2,
    "BTU": 0,
    "ng/L": 0,
    "cells/uL": 0,
    "mm": 0,
    "s": 1,
}


def _plain(number: Decimal) -> str:
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def lab_number(value: float | int, unit: str | None = None) -> str:
    """``value`` rounded as a laboratory reports it in ``unit`` (half up; no trailing zeros)."""
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    number = Decimal(repr(float(value)))
    decimals = _DECIMALS.get(unit or "")
    if decimals is None:
        magnitude = number.copy_abs().adjusted()  # 3 significant digits, at most 3 decimals
        decimals = max(0, min(3, 2 - magnitude))
    quantum = Decimal(1).scaleb(-decimals)
    return _plain(number.quantize(quantum, rounding=ROUND_HALF_UP))
