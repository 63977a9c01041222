"""The engine builds its output without pydantic's validator; these tests are the guard.

An assessment built that way must be exactly what validation would give: re-validating
it changes nothing (same object, same JSON, same field order), every model holds every
field in declaration order, and no mutable part is shared between two assessments (a
caller editing one result must never change the next case's).
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from mgpn.assessment import Assessment, Evidence, LinkResult, SyndromeResult
from mgpn.case import load_case
from mgpn.engine import evaluate
from mgpn.engine.output import construct, evidence, rebuild
from tests.conftest import REPO, SHARED

BUNDLED = sorted(
    p for p in (REPO / "src" / "mgpn" / "examples").iterdir()
    if p.suffix in (".yaml", ".json") and "cohort" not in p.name
)  # fmt: skip
SHARED_CASES = sorted(p for p in (SHARED / "cases").glob("*.yaml") if p.name != "expectations.yaml")


def _cases() -> list[Any]:
    return [pytest.param(p, id=f"bundled/{p.name}") for p in BUNDLED] + [
        pytest.param(p, id=f"shared/{p.name}", marks=pytest.mark.shared) for p in SHARED_CASES
    ]


def models(node: Any) -> Iterator[BaseModel]:
    if isinstance(node, BaseModel):
        yield node
        for name in type(node).model_fields:
            yield from models(getattr(node, name))
    elif isinstance(node, list):
        for item in node:
            yield from models(item)


def test_bundled_examples_are_found() -> None:
    assert len(BUNDLED) >= 10


@pytest.mark.parametrize("path", _cases())
def test_revalidated_assessment_is_the_same(path: Path) -> None:
    built = evaluate(load_case(path))
    again = Assessment.model_validate(built.model_dump())
    assert again == built
    assert again.model_dump_json(by_alias=True) == built.model_dump_json(by_alias=True)
    assert repr(again) == repr(built)  # repr follows each instance's own field order
    assert Assessment.model_validate_json(built.model_dump_json(by_alias=True)) == built


@pytest.mark.parametrize("path", _cases())
def test_rebuilt_from_its_dump_is_the_same(path: Path) -> None:
    """What a batch worker sends back (model_dump) rebuilds to the same assessment."""
    built = evaluate(load_case(path))
    again = rebuild(Assessment, pickle.loads(pickle.dumps(built.model_dump())))
    assert again == built
    assert repr(again) == repr(built)
    assert again.model_dump_json(by_alias=True) == built.model_dump_json(by_alias=True)


@pytest.mark.parametrize("path", _cases())
def test_every_model_holds_its_fields_in_order(path: Path) -> None:
    built = evaluate(load_case(path))
    found = list(models(built))
    assert sum(isinstance(m, Evidence) for m in found) > 10
    for model in found:
        assert list(model.__dict__) == list(type(model).model_fields), type(model).__name__
        assert model.model_fields_set <= set(type(model).model_fields)


@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")  # the edits break types
def test_no_mutable_part_is_shared_between_assessments() -> None:
    case = load_case(REPO / "src" / "mgpn" / "examples" / "kappa-poems.yaml")
    first = evaluate(case)
    pristine = first.model_dump_json()
    for model in models(first):
        for name in type(model).model_fields:
            value = getattr(model, name)
            if isinstance(value, list):
                value.append(value[0] if value else "edited")
            elif isinstance(value, str) and isinstance(model, Evidence):
                setattr(model, name, "edited")
    assert first.model_dump_json() != pristine
    assert evaluate(case).model_dump_json() == pristine


def test_construct_refuses_a_missing_or_unknown_field() -> None:
    with pytest.raises(TypeError, match="status"):
        construct(LinkResult)
    with pytest.raises(TypeError, match="colour"):
        construct(LinkResult, status="probable", colour="red")


def test_construct_fills_defaults_and_records_given_fields() -> None:
    made = construct(SyndromeResult, id="poems", label="POEMS", status="possible", rank=1, score=0.5)
    checked = SyndromeResult(id="poems", label="POEMS", status="possible", rank=1, score=0.5)
    assert made == checked
    assert made.model_fields_set == checked.model_fields_set
    assert made.for_ == [] and made.for_ is not construct(
        SyndromeResult, id="poems", label="POEMS", status="possible", rank=1, score=0.5
    ).for_


def test_evidence_is_what_validation_makes() -> None:
    made = evidence("text", "poems.vegf_high", "major", ["seed"], False)
    assert made == Evidence(
        text="text", criterion="poems.vegf_high", kind="major", references=["seed"], verified=False
    )
    assert made.model_fields_set == set(Evidence.model_fields)



@pytest.mark.parametrize("path", _cases())
def test_every_cited_reference_is_in_the_assessments_list(path: Path) -> None:
    """A program reading the JSON can resolve every reference id any line cites
    (evidence of a missing finding and a biomarker's included) from ``references``."""
    built = evaluate(load_case(path))
    listed = {reference.id for reference in built.references}
    cited = {
        ref
        for model in models(built)
        if not isinstance(model, Assessment)
        for ref in (getattr(model, "references", None) or [])
        if isinstance(ref, str)
    }
    assert cited - listed == set()
