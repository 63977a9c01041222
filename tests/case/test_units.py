"""Unit conversions and plausibility limits, in boundary pairs."""

from __future__ import annotations

from typing import Any

import pytest

from mgpn.case import parse_case
from mgpn.case.units import QUANTITY_SPECS
from mgpn.errors import CaseError


def _load(section: str, key: str, value: Any) -> Any:
    return parse_case({"format": "mgpn-case/1", section: {key: value}}).get(f"{section}.{key}")


@pytest.mark.parametrize(
    ("section", "key", "given", "expected"),
    [
        ("paraprotein", "m_spike", "18 g/L", 1.8),
        ("paraprotein", "igm", "14.5 g/L", 1450.0),
        ("paraprotein", "flc_lambda", "31 mg/dL", 310.0),
        ("history", "b12", "100 pmol/L", 135.537),
        ("history", "methylmalonic_acid", "0.98 umol/L", 980.0),
        ("history", "methylmalonic_acid", "0.98 µmol/L", 980.0),
        ("history", "copper", "15.7 umol/L", 99.7672),
        ("history", "hba1c", "48 mmol/mol", 6.541955),
        ("labs", "platelets", "520 10*3/uL", 520.0),
        ("labs", "platelets", "520 10^9/L", 520.0),
        ("labs", "hemoglobin", "109 g/L", 10.9),
        ("labs", "hemoglobin", "6.8 mmol/L", 10.95786),
        ("labs", "nt_probnp", "2900 pg/mL", 2900.0),
        ("labs", "troponin_t", "0.041 ng/mL", 41.0),
        ("labs", "troponin_t", "0.041 ug/L", 41.0),
        ("labs", "urine_protein_24h", "3400 mg/24h", 3.4),
        ("labs", "creatinine", "88.4 umol/L", 0.99998),
        ("labs", "csf_protein", "0.9 g/L", 90.0),
        ("labs", "egfr", "58 mL/min/{1.73_m2}", 58.0),
    ],
)
def test_accepted_units_convert_to_the_canonical_unit(
    section: str, key: str, given: str, expected: float
) -> None:
    quantity = _load(section, key, given)
    assert quantity.unit == QUANTITY_SPECS[f"{section}.{key}"].unit
    assert quantity.value == pytest.approx(expected, rel=1e-5)


def test_bare_number_is_read_in_the_canonical_unit() -> None:
    assert _load("labs", "vegf_serum", 3600).value == 3600.0


@pytest.mark.parametrize(
    ("given", "comparator", "value"),
    [
        (">70000 BTU", ">", 70000.0),
        ("<1000 BTU", "<", 1000.0),
        (">= 70,000 BTU", ">=", 70000.0),
        ("≤1500", "<=", 1500.0),
    ],
)
def test_censored_values_keep_their_comparator(given: str, comparator: str, value: float) -> None:
    quantity = _load("antibodies", "anti_mag", given)
    assert (quantity.comparator, quantity.value) == (comparator, value)


def test_censored_mapping_form() -> None:
    quantity = _load("antibodies", "anti_mag", {"value": 70000, "unit": "BTU", "comparator": ">"})
    assert (quantity.comparator, quantity.value, quantity.unit) == (">", 70000.0, "BTU")


@pytest.mark.parametrize("given", ["positive", "negative", True, False, "borderline"])
def test_anti_mag_accepts_a_bare_result(given: Any) -> None:
    assert _load("antibodies", "anti_mag", given) in ("positive", "negative", "borderline")


@pytest.mark.parametrize(
    ("section", "key", "unit"),
    [
        ("labs", "vegf_serum", "mmol/L"),
        ("labs", "platelets", "g/L"),
        ("paraprotein", "m_spike", "mmol/L"),
        ("labs", "il6", "furlongs"),
    ],
)
def test_incompatible_units_are_refused_naming_field_and_unit(
    section: str, key: str, unit: str
) -> None:
    with pytest.raises(CaseError) as caught:
        _load(section, key, f"12 {unit}")
    text = str(caught.value)
    assert f"{section}.{key}" in text and unit in text


# Boundary pairs: the inclusive limit loads, just past it is refused.
_PAIRS = [(path, spec.minimum, spec.maximum) for path, spec in QUANTITY_SPECS.items()]


@pytest.mark.parametrize(("path", "low", "high"), _PAIRS)
def test_plausible_range_limits_load(path: str, low: float, high: float) -> None:
    section, key = path.split(".")
    assert _load(section, key, low).value == low
    assert _load(section, key, high).value == high


@pytest.mark.parametrize(("path", "low", "high"), _PAIRS)
def test_values_just_outside_plausible_range_are_refused(
    path: str, low: float, high: float
) -> None:
    section, key = path.split(".")
    for outside in (low - 0.001 * max(1.0, abs(low)) - 1e-6, high * 1.001 + 1e-6):
        with pytest.raises(CaseError, match=path.replace(".", r"\.")):
            _load(section, key, outside)


@pytest.mark.parametrize(
    ("section", "key", "inside", "outside"),
    [
        ("patient", "age", 120, 120.5),
        ("patient", "age", 0, -1),
        ("function", "mrs", 6, 7),
        ("function", "incat_arm", 5, 6),
        ("function", "incat_leg", 0, -1),
        ("function", "incat_sensory_sum", 20, 21),
        ("function", "mrc_sum", 60, 61),
        ("function", "i_rods", 100, 100.1),
        ("electrodiagnosis", "terminal_latency_index", 1, 1.01),
        ("electrodiagnosis", "terminal_latency_index", 0, -0.01),
    ],
)
def test_scale_ranges_in_boundary_pairs(section: str, key: str, inside: Any, outside: Any) -> None:
    assert _load(section, key, inside) == inside
    with pytest.raises(CaseError, match=f"{section}\\.{key}"):
        _load(section, key, outside)


def test_decimal_comma_is_refused_with_a_fix() -> None:
    with pytest.raises(CaseError, match="decimal point"):
        _load("paraprotein", "m_spike", "0,6 g/dL")
