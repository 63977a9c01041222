"""A short fuzzing run in CI (about 45 s): zero foreign exceptions, hangs or changes of meaning.

The long run is ``python -m tests.fuzz --seconds 600`` (docs/intake.md).
"""

from __future__ import annotations

import pytest

from tests.fuzz.harness import fuzz, meaning_problems, yaml_version_problems


def test_short_fuzzing_run_finds_nothing() -> None:
    report = fuzz(count=1500, seconds=45, seed=2024, time_limit=2.0, every=4)
    print(report.summary())
    assert report.inputs >= 200, report.summary()
    assert report.validate_runs >= 40 and report.api_runs >= 40
    assert report.loaded >= 10 and report.refused >= 100  # both outcomes were exercised
    assert report.failures == [], (
        report.summary() + "\n" + "\n".join(map(str, report.failures[:10]))
    )
    assert report.foreign == report.hangs == report.meaning_changes == 0


@pytest.mark.parametrize(
    ("tree", "normalised"),
    [
        ({"neuropathy": {"present": "yes"}}, {"neuropathy": {"present": True}}),
        (
            {"labs": {"platelets": {"value": 150, "unit": False}}},
            {"labs": {"platelets": {"value": 150.0, "unit": "10*9/L"}}},
        ),
        ({"patient": {"age": 10}}, {"patient": {"age": 8.0}}),
        ({"neuropathy": {"present": True, "tremor": False}}, {"neuropathy": {"present": True}}),
        (
            {"labs": {"platelets": "150 10*9/L"}},
            {"labs": {"platelets": {"value": 15.0, "unit": "10*9/L"}}},
        ),
        ({"antibodies": {"sgpg": "negative"}}, {"antibodies": {"sgpg": "positive"}}),
        (
            {"visits": [{"date": "2024-01-01"}, {"date": "2024-02-01"}]},
            {"visits": [{"date": "2024-01-01"}]},
        ),
        ({}, {"history": {"diabetes": True}}),
    ],
    ids=[
        "yes read as true",
        "unit false read as canonical",
        "010 read as 8",
        "a field dropped",
        "a value changed",
        "a result flipped",
        "a visit dropped",
        "a field from nowhere",
    ],
)
def test_the_oracle_sees_a_change_of_meaning(tree: dict, normalised: dict) -> None:
    """The harness's check can fail: each pair is a misreading issue 9 describes or could."""
    assert meaning_problems(tree, normalised)


def test_the_oracle_sees_a_yaml_11_reading() -> None:
    # 010 loaded as the number 10 (the plain YAML 1.2 core reading) while YAML 1.1 reads 8:
    # the two versions disagree, so a loaded value must be the text as written.
    tree = {"patient": {"age": 10}}
    assert yaml_version_problems("patient: {age: 010}\n", tree, {"patient": {"age": 10.0}})
    assert not yaml_version_problems("id: '007'\n", {"id": "007"}, {"id": "007"})
