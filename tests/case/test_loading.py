"""Loading case files: every shared case loads, every invalid one is refused as documented."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mgpn.case import load_case, parse_case
from mgpn.errors import CaseError

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "mgpn" / "examples"


def test_every_shared_case_loads(shared_dir: Path) -> None:
    files = [
        f for f in sorted((shared_dir / "cases").glob("*.yaml")) if f.name != "expectations.yaml"
    ]
    assert files
    for file in files:
        case = load_case(file)
        assert case.id == file.stem


def test_every_invalid_shared_case_is_refused_with_the_documented_words(shared_dir: Path) -> None:
    folder = shared_dir / "cases" / "invalid"
    expectations = yaml.safe_load((folder / "expectations.yaml").read_text())
    for name, expected in expectations.items():
        with pytest.raises(CaseError) as caught:
            load_case(folder / name)
        message = str(caught.value)
        for needle in expected["error_mentions"]:
            assert needle in message, (name, needle, message)


def test_bundled_examples_load() -> None:
    files = sorted(EXAMPLES.glob("*.yaml")) + sorted(EXAMPLES.glob("*.json"))
    cases = [f for f in files if not f.name.startswith("cohort-")]
    assert cases, "the package bundles its own example cases"
    for file in cases:
        load_case(file)


def test_absent_means_unknown_not_negative() -> None:
    case = parse_case({"format": "mgpn-case/1", "neuropathy": {"present": True}})
    assert case.neuropathy.sensory_ataxia is None
    assert case.antibodies.anti_mag is None
    assert case.labs.platelets is None
    assert case.get("antibodies.gangliosides.GQ1b") is None
    explicit_null = parse_case(
        {"format": "mgpn-case/1", "labs": None, "neuropathy": {"tremor": None}}
    )
    assert explicit_null.neuropathy.tremor is None


def test_all_errors_are_reported_not_just_the_first() -> None:
    with pytest.raises(CaseError) as caught:
        parse_case(
            {
                "format": "mgpn-case/1",
                "neuropathy": {"sensory_ataxai": True, "course": "slow"},
                "labs": {"platelets": "45000 10*9/L"},
                "visits": [{"date": "2025-13-01"}],
            }
        )
    paths = {issue.path for issue in caught.value.issues}
    assert {
        "neuropathy.sensory_ataxai",
        "neuropathy.course",
        "labs.platelets",
        "visits[0].date",
    } <= paths


def test_unknown_key_suggests_the_nearest_known_key() -> None:
    with pytest.raises(CaseError) as caught:
        parse_case({"format": "mgpn-case/1", "antibodies": {"gangliosides": {"GQ1B": "positive"}}})
    issue = caught.value.issues[0]
    assert issue.path == "antibodies.gangliosides.GQ1B"
    assert "GQ1b" in (issue.fix or "")


def test_extensions_are_kept_and_reported_as_not_interpreted() -> None:
    case = parse_case(
        {
            "format": "mgpn-case/1",
            "labs": {"extensions": {"ferritin": 300}},
            "extensions": {"site": "A"},
        }
    )
    assert case.labs.extensions == {"ferritin": 300}
    notes = case.not_interpreted()
    assert "labs.extensions.ferritin: kept, not interpreted" in notes
    assert "extensions.site: kept, not interpreted" in notes


def test_unlisted_list_names_are_kept_and_reported() -> None:
    case = parse_case(
        {"format": "mgpn-case/1", "history": {"neurotoxic_drugs": ["Bortezomib", "foo"]}}
    )
    assert case.history.neurotoxic_drugs == ["bortezomib", "foo"]
    assert case.not_interpreted() == ["history.neurotoxic_drugs: 'foo'"]


@pytest.mark.parametrize(
    ("visits", "bad_path", "words"),
    [
        ([{"date": "2025-02-01"}, {"date": "2025-01-01"}], "visits[1].date", "out of date order"),
        ([{"date": "2025-02-01"}, {"date": "2025-02-01"}], "visits[1].date", "duplicated"),
    ],
)
def test_visits_out_of_order_or_duplicated_are_refused(
    visits: list[dict[str, str]], bad_path: str, words: str
) -> None:
    with pytest.raises(CaseError) as caught:
        parse_case({"format": "mgpn-case/1", "visits": visits})
    assert any(i.path == bad_path and words in i.message for i in caught.value.issues)


def test_visits_in_order_load() -> None:
    case = parse_case(
        {
            "format": "mgpn-case/1",
            "visits": [{"date": "2025-01-01", "mrs": 2}, {"date": "2025-02-01", "igm": "9 g/L"}],
        }
    )
    assert [v.date.isoformat() for v in case.visits] == ["2025-01-01", "2025-02-01"]
    assert case.visits[1].igm is not None and case.visits[1].igm.value == 900.0


def test_treatment_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(CaseError, match=r"treatments\[0\]\.end"):
        parse_case(
            {
                "format": "mgpn-case/1",
                "treatments": [
                    {"regimen": "rituximab", "start": "2025-03-01", "end": "2025-01-01"}
                ],
            }
        )


def test_duplicate_yaml_keys_are_refused(tmp_path: Path) -> None:
    file = tmp_path / "dup.yaml"
    file.write_text(
        "format: mgpn-case/1\nneuropathy: {present: true}\nneuropathy: {present: false}\n"
    )
    with pytest.raises(CaseError, match="twice"):
        load_case(file)


def test_json_files_load_and_json_syntax_errors_name_the_line(tmp_path: Path) -> None:
    good = tmp_path / "c.json"
    good.write_text('{"format": "mgpn-case/1", "recorded": "2025-03-14", "patient": {"age": 70}}')
    assert load_case(good).patient.age == 70
    bad = tmp_path / "b.json"
    bad.write_text('{"format": "mgpn-case/1",\n "patient": {"age": 70,}}')
    with pytest.raises(CaseError, match="line 2"):
        load_case(bad)


@pytest.mark.parametrize("document", [[1, 2], "text", None, 3])
def test_a_document_that_is_not_a_mapping_is_refused(document: object) -> None:
    with pytest.raises(CaseError, match="mapping"):
        parse_case(document)


def test_missing_file_is_a_case_error(tmp_path: Path) -> None:
    with pytest.raises(CaseError, match="not found"):
        load_case(tmp_path / "nope.yaml")


def _every_extension_walk(model: object, prefix: str) -> list[str]:
    """The obvious walk over every field of every model (what the catalogue's walk skips)."""
    from pydantic import BaseModel

    notes: list[str] = []
    assert isinstance(model, BaseModel)
    for name in type(model).model_fields:
        value = getattr(model, name)
        if name == "extensions" and value:
            notes.extend(f"{prefix}{name}.{key}: kept, not interpreted" for key in value)
        elif isinstance(value, BaseModel) and not hasattr(value, "comparator"):
            notes.extend(_every_extension_walk(value, f"{prefix}{name}."))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, BaseModel):
                    notes.extend(_every_extension_walk(item, f"{prefix}{name}[{index}]."))
    return notes


def test_extension_notes_cover_every_extension_in_order() -> None:
    from mgpn.case import field_catalog

    data: dict[str, object] = {
        "format": "mgpn-case/1",
        "treatments": [{"regimen": "rituximab"}, {"regimen": "ivig"}],
        "visits": [{"date": f"2024-0{m}-01", "mrs": 1} for m in range(1, 4)],
    }
    for descriptor in field_catalog():
        if descriptor.kind != "extensions":
            continue
        *parents, _ = descriptor.path.split(".")
        if parents and parents[0].endswith("[]"):
            rows = data[parents[0][:-2]]
            assert isinstance(rows, list)
            for row in rows[::2]:  # the first and third: the walk must not stop early
                row["extensions"] = {"note": "x"}
            continue
        node = data
        for part in parents:
            node = node.setdefault(part, {})  # type: ignore[assignment]
        node["extensions"] = {"a": 1, "b": 2}  # type: ignore[index]
    case = parse_case(data)
    notes = [n for n in case.not_interpreted() if "extensions" in n]
    assert notes == _every_extension_walk(case, "")
    assert "visits[2].extensions.note: kept, not interpreted" in notes
    assert "treatments[0].extensions.note: kept, not interpreted" in notes
    assert "antibodies.gangliosides.extensions.b: kept, not interpreted" in notes
    assert len(notes) == 2 * 13 + 1 + 2  # two keys in 13 places, one treatment, two visits
