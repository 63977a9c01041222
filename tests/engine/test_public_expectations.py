"""Every expectation in ../shared/cases/expectations.yaml, one test per case and key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from mgpn.assessment import Assessment
from mgpn.case import load_case
from mgpn.engine import evaluate

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
CASES = SHARED / "cases"
pytestmark = pytest.mark.shared


def _expectations() -> list[tuple[str, str, Any]]:
    path = CASES / "expectations.yaml"
    if not path.is_file():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        (name, key, value)
        for name, spec in data.items()
        for key, value in spec.items()
        if key != "also"
    ]


_CACHE: dict[str, tuple[Assessment, dict[str, Any]]] = {}


def _assess(name: str) -> tuple[Assessment, dict[str, Any]]:
    if name not in _CACHE:
        spec = yaml.safe_load((CASES / "expectations.yaml").read_text(encoding="utf-8"))[name]
        _CACHE[name] = (evaluate(load_case(CASES / f"{name}.yaml")), spec)
    return _CACHE[name]


@pytest.mark.parametrize(
    ("name", "key", "expected"), _expectations(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_expectation(name: str, key: str, expected: Any) -> None:
    if not CASES.is_dir():
        pytest.skip("../shared is not present")
    a, spec = _assess(name)
    if key == "top":
        assert a.syndromes[0].id in [expected, *spec.get("also", [])], a.syndromes[0]
    elif key == "statuses":
        for syndrome, allowed in expected.items():
            assert a.syndrome(syndrome).status in allowed, (syndrome, a.syndrome(syndrome))
    elif key == "mimics_present":
        for mimic in expected:
            assert a.mimic(mimic).status in ("present", "possible"), a.mimic(mimic)
    elif key == "link":
        assert a.link.status in expected, a.link
    elif key == "tests_include":
        assert set(expected) <= {t.id for t in a.tests}
    elif key == "tests_exclude":
        assert not set(expected) & {t.id for t in a.tests}
    elif key == "indication":
        assert a.treatment.indication in expected, a.treatment
    elif key == "options_mention":
        text = " ".join(o.regimen + " " + o.evidence for o in a.treatment.options).lower()
        assert all(word.lower() in text for word in expected), text
    elif key == "warnings_mention":
        warnings = a.treatment.warnings + [w for o in a.treatment.options for w in o.warnings]
        text = " ".join(warnings).lower()
        assert all(word.lower() in text for word in expected), text
    elif key == "in_scope":
        assert a.in_scope is expected
    elif key == "none_established":
        assert not [s.id for s in a.syndromes if s.status == "established"]
    else:
        pytest.fail(f"unknown expectation key {key!r}: the test must learn it")


def test_every_public_case_gives_a_complete_assessment() -> None:
    if not CASES.is_dir():
        pytest.skip("../shared is not present")
    for path in sorted(CASES.glob("*.yaml")):
        if path.name == "expectations.yaml":
            continue
        a = evaluate(load_case(path))
        assert len(a.syndromes) == 12
        assert a.disclaimer and a.knowledge_version
        assert all(r.citation for r in a.references)
        cited = {ref for s in a.syndromes for ref in s.references}
        assert cited <= {r.id for r in a.references}
