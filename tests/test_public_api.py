"""The public surface is small and explicit; this test pins it."""

from __future__ import annotations

from pathlib import Path

import mgpn

EXAMPLE = (
    Path(__file__).resolve().parents[1] / "src" / "mgpn" / "examples" / "anti-mag-neuropathy.yaml"
)


def test_exported_members_are_exactly_these() -> None:
    assert sorted(mgpn.__all__) == sorted(
        [
            "Assessment",
            "Case",
            "CaseError",
            "CohortError",
            "InputError",
            "Issue",
            "KnowledgeError",
            "MgpnError",
            "NotFoundError",
            "Quantity",
            "StorageError",
            "__version__",
            "disclaimer",
            "dump_case",
            "evaluate",
            "evaluate_many",
            "field_catalog",
            "load_case",
            "load_knowledge",
            "parse_case",
        ]
    )
    for name in mgpn.__all__:
        assert hasattr(mgpn, name), name


def test_every_error_derives_from_one_root() -> None:
    for error in (
        mgpn.CaseError,
        mgpn.CohortError,
        mgpn.InputError,
        mgpn.KnowledgeError,
        mgpn.NotFoundError,
        mgpn.StorageError,
    ):
        assert issubclass(error, mgpn.MgpnError)


def test_load_and_evaluate_through_the_public_api() -> None:
    assessment = mgpn.evaluate(mgpn.load_case(EXAMPLE))
    assert assessment.format == "mgpn-assessment/1"
    assert assessment.syndromes[0].id == "anti_mag"
    assert assessment.disclaimer == mgpn.disclaimer()
    assert assessment.knowledge_version == mgpn.load_knowledge().meta.version
