"""The case form is generated from the case format's catalogue and reads back losslessly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mgpn.case import dump_case, field_catalog, load_case, parse_case
from mgpn.web.form import build_form, catalog_specs, form_to_case, visit_fields, visit_from_form


def _submit(form: Any) -> dict[str, list[str]]:
    """What a browser would send for the form as rendered."""
    data: dict[str, list[str]] = {}
    for section in form.sections:
        for f in section.fields:
            spec, value = f.spec, f.value
            if spec.kind in ("quantity", "quantity_or_result"):
                data[spec.name] = [value.text]
                data[spec.name + ":cmp"] = [value.comparator]
                data[spec.name + ":unit"] = [value.unit or (spec.unit or "")]
                if spec.kind == "quantity_or_result":
                    data[spec.name + ":result"] = [value.result]
            elif spec.kind == "list":
                data[spec.name] = list(value.selected)
                data[spec.name + ":other"] = [value.other]
            else:
                data[spec.name] = [value.text]
    return data


def test_every_field_of_the_format_has_an_input() -> None:
    paths = {s.path for s in catalog_specs(field_catalog())}
    expected = {
        d.path
        for d in field_catalog()
        if d.kind != "extensions" and d.path != "format" and "[]" not in d.path
    }
    assert paths == expected
    assert "antibodies.gangliosides.GQ1b" in paths


def test_an_empty_form_gives_an_all_unknown_case() -> None:
    data = form_to_case(field_catalog(), _submit(build_form(field_catalog(), None)))
    assert data == {"format": "mgpn-case/1"}


@pytest.mark.shared
@pytest.mark.parametrize(
    "name", ["anti-mag-typical.yaml", "poems-classic.yaml", "anti-mag-mrs1-progressing.yaml"]
)
def test_a_case_survives_the_round_trip_through_the_form(shared_dir: Path, name: str) -> None:
    case = load_case(shared_dir / "cases" / name)
    form = build_form(field_catalog(), dump_case(case))
    submitted = _submit(form)
    submitted["visits:json"] = [form.visits_json]
    for i, row in enumerate(form.treatments):
        for key, value in row.items():
            submitted[f"treatments[{i}].{key}"] = [value]
    again = parse_case(form_to_case(field_catalog(), submitted), source="form")
    assert dump_case(again) == dump_case(case)


def test_blank_inputs_stay_absent_and_false_stays_false() -> None:
    data = form_to_case(
        field_catalog(),
        {
            "neuropathy.sensory_ataxia": ["false"],
            "neuropathy.tremor": [""],
            "antibodies.anti_mag": ["70000"],
            "antibodies.anti_mag:cmp": [">"],
            "antibodies.anti_mag:unit": ["BTU"],
            "antibodies.gangliosides.GM1": ["positive"],
            "labs.platelets": [""],
            "labs.platelets:unit": ["10*9/L"],
            "history.neurotoxic_drugs": ["bortezomib"],
            "history.neurotoxic_drugs:other": ["herbal tea, "],
            "function.mrs": ["2"],
        },
    )
    assert data["neuropathy"] == {"sensory_ataxia": False}
    assert data["antibodies"] == {"anti_mag": ">70000 BTU", "gangliosides": {"GM1": "positive"}}
    assert "labs" not in data
    assert data["history"] == {"neurotoxic_drugs": ["bortezomib", "herbal tea"]}
    assert data["function"] == {"mrs": 2}
    case = parse_case(data, source="form")
    assert case.neuropathy.sensory_ataxia is False
    assert case.neuropathy.tremor is None
    assert case.antibodies.anti_mag is not None


def test_a_unit_chosen_in_the_form_is_converted_by_the_case_model() -> None:
    data = form_to_case(
        field_catalog(), {"paraprotein.igm": ["14.5"], "paraprotein.igm:unit": ["g/L"]}
    )
    case = parse_case(data, source="form")
    assert case.paraprotein.igm is not None
    assert case.paraprotein.igm.unit == "mg/dL"
    assert case.paraprotein.igm.value == pytest.approx(1450)


def test_unreadable_numbers_reach_the_case_model_and_are_reported_by_path() -> None:
    from mgpn.errors import CaseError

    data = form_to_case(field_catalog(), {"function.mrs": ["2.5"], "patient.age": ["old"]})
    with pytest.raises(CaseError) as info:
        parse_case(data, source="form")
    assert {"function.mrs", "patient.age"} <= {i.path for i in info.value.issues}


def test_the_visit_form_starts_with_the_date_and_reads_a_visit() -> None:
    specs = visit_fields(field_catalog())
    assert specs[0].path == "date"
    visit = visit_from_form(
        specs, {"visit.date": ["2025-06-01"], "visit.mrs": ["1"], "visit.igm": [""]}
    )
    assert visit == {"date": "2025-06-01", "mrs": 1}
