"""The strict reader's own API: limits, both parsers, values parsed elsewhere, numbers from forms."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from mgpn.errors import CaseError, CohortError, InputError
from mgpn.strict_reader import (
    LIBYAML,
    Limits,
    check_tree,
    decimal_number,
    read_document,
    read_file,
    read_json,
    read_yaml,
)

REPO = Path(__file__).resolve().parents[1]
BUNDLED_YAML = sorted((REPO / "src" / "mgpn").rglob("*.yaml"))


@pytest.mark.skipif(not LIBYAML, reason="PyYAML was built without libyaml")
@pytest.mark.parametrize("path", BUNDLED_YAML, ids=[p.name for p in BUNDLED_YAML])
def test_libyaml_and_pure_python_read_every_bundled_file_alike(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert read_yaml(text, path.name, use_libyaml=True) == read_yaml(
        text, path.name, use_libyaml=False
    )


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("a: 1", {"a": 1}), ("a: -1.5e3", {"a": -1500.0}), ("a: .5", {"a": 0.5}),
        ("a: 010", {"a": "010"}), ("a: 0x1F", {"a": "0x1F"}), ("a: 0o17", {"a": "0o17"}),
        ("a: 1:30", {"a": "1:30"}), ("a: 1_000", {"a": "1_000"}), ("a: yes", {"a": "yes"}),
        ("a: Off", {"a": "Off"}), ("a: TRUE", {"a": True}), ("a: ~", {"a": None}),
        ("a: 2024-01-01", {"a": "2024-01-01"}), ("a: !!str 12", {"a": "12"}),
        ("a: !!float 1", {"a": 1.0}), ("a: !!int '12'", {"a": 12}), ("a: ! 12", {"a": "12"}),
        ("a: '12'", {"a": "12"}), ("a: [1, {b: c}]", {"a": [1, {"b": "c"}]}), ("", None),
    ],
)  # fmt: skip
@pytest.mark.parametrize("libyaml", [True, False] if LIBYAML else [False])
def test_yaml_12_core_scalars(text: str, value: object, libyaml: bool) -> None:
    assert read_yaml(text, "t", use_libyaml=libyaml) == value


def test_bytes_and_byte_order_mark() -> None:
    assert read_yaml("\ufeffa: é".encode(), "t") == {"a": "é"}
    assert read_json(b'\xef\xbb\xbf{"a": 1}', "t") == {"a": 1}


def test_size_limit_is_enforced_and_named() -> None:
    with pytest.raises(CaseError, match="more than the limit of 100"):
        read_yaml("a: " + "x" * 200, "t", limits=Limits(max_bytes=100))
    assert read_yaml("a: " + "x" * 50, "t", limits=Limits(max_bytes=100)) == {"a": "x" * 50}


@pytest.mark.parametrize("depth", [3, 4])
def test_depth_limit_is_exact(depth: int) -> None:
    limits = Limits(max_depth=3)
    text = "[" * depth + "]" * depth
    for read in (read_yaml, read_json):
        if depth <= 3:
            assert read(text, "t", limits=limits) is not None
        else:
            with pytest.raises(CaseError, match="nested deeper than 3 levels"):
                read(text, "t", limits=limits)


def test_the_error_class_is_the_callers() -> None:
    with pytest.raises(CohortError):
        read_json('{"a": NaN}', "t", error=CohortError)
    with pytest.raises(InputError, match="file not found"):
        read_file(REPO / "no-such-file.yaml")


def test_read_document_picks_the_syntax() -> None:
    assert read_document('{"a": yes}', "t") == {"a": "yes"}  # YAML reads JSON-like text
    with pytest.raises(CaseError, match="not valid JSON"):
        read_document('{"a": yes}', "t", json_only=True)


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"a": float("nan")}, "a"), ({"a": [1, float("inf")]}, "a[1]"), ({1: "x"}, ""),
        ({"a": {"b": 10**400}}, "a.b"), ({"a": "x\ud800"}, "a"), ({"a": "x\x00"}, "a"),
        ({"a": object()}, "a"), ({"a": b"bytes"}, "a"),
    ],
)  # fmt: skip
def test_check_tree_refuses_what_no_document_can_hold(data: object, path: str) -> None:
    with pytest.raises(CaseError) as caught:
        check_tree(data, "t")
    assert caught.value.issues[0].path == path


def test_check_tree_accepts_python_dates_and_plain_data() -> None:
    check_tree({"a": [dt.date(2024, 1, 1), 1, 1.5, "x", None, True, {"b": ()}]}, "t")


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("12", 12), (" -3 ", -3), ("0.5", 0.5), ("1e3", 1000.0), ("010", 10), (".5", 0.5),
        ("1_000", None), ("nan", None), ("inf", None), ("1e400", None), ("١٢", None),
        ("0x1F", None), ("12 g/L", None), ("", None), ("9" * 401, None),
    ],
)  # fmt: skip
def test_decimal_number_for_forms_and_csv(text: str, number: object) -> None:
    assert decimal_number(text) == number
    if number is not None:
        assert type(decimal_number(text)) is type(number)
