"""Fixtures for the report tests: an assessment in the mgpn-assessment/1 shape."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from mgpn.assessment import Assessment

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
DISCLAIMER = "Decision support only: it supports, and does not replace, clinical judgment."


@pytest.fixture
def shared_dir() -> Path:
    if not (SHARED / "cases").is_dir():
        pytest.skip(f"the shared folder is absent ({SHARED})")
    return SHARED


@pytest.fixture
def assessment() -> Assessment:
    """A hand-written assessment (the report renders whatever the engine says)."""
    data: dict[str, Any] = {
        "case_id": "report-test",
        "knowledge_version": "9.9-test",
        "knowledge_reviewed": "2026-01-01",
        "in_scope": True,
        "syndromes": [
            {
                "id": "coincidental",
                "label": "Coincidental <b>gammopathy</b>",
                "status": "unlikely",
                "rank": 2,
                "score": 0.1,
                "against": ["against item"],
                "references": [],
            },
            {
                "id": "anti_mag",
                "label": "Anti-MAG neuropathy",
                "status": "established",
                "rank": 1,
                "score": 0.93,
                "for": ["IgM paraprotein", "anti-MAG >70000 BTU"],
                "missing": ["nerve biopsy"],
                "references": ["seed:10", "doi:10.1/x y"],
            },
        ],
        "mimics": [
            {
                "id": "diabetes",
                "label": "Diabetes",
                "status": "excluded",
                "evidence": ["diabetes: no"],
            }
        ],
        "link": {"status": "established", "reasons": ["classic entity"]},
        "tests": [
            {
                "id": "myd88",
                "label": "MYD88 L265P",
                "priority": "next",
                "reason": "clone type",
                "for": ["anti_mag"],
                "references": ["seed:10"],
            }
        ],
        "treatment": {
            "indication": "treat",
            "reasons": ["mRS 2 and progressing"],
            "options": [
                {
                    "syndrome": "anti_mag",
                    "regimen": "rituximab",
                    "evidence": "RCTs",
                    "references": ["seed:10"],
                    "warnings": ["IgM flare"],
                }
            ],
            "warnings": ["check hepatitis B"],
        },
        "references": [
            {
                "id": "seed:10",
                "citation": "Author A. A review. J Neurol 2020.",
                "url": "https://doi.org/10.1/review",
            },
            {"id": "doi:10.1/x y", "citation": "Another paper."},
        ],
        "disclaimer": DISCLAIMER,
    }
    return Assessment.model_validate(data)


@pytest.fixture
def case_data() -> dict[str, Any]:
    return {
        "format": "mgpn-case/1",
        "id": "report-test",
        "recorded": "2025-03-14",
        "paraprotein": {"isotype": "IgM", "m_spike": {"value": 0.6, "unit": "g/dL"}},
        "neuropathy": {"present": True, "sensory_ataxia": True, "tremor": False},
        "antibodies": {
            "anti_mag": {"value": 70000.0, "unit": "BTU", "comparator": ">"},
            "gangliosides": {"GM1": "negative"},
        },
        "treatments": [{"regimen": "rituximab", "start": "2025-04-01"}],
    }


@pytest.fixture
def assessed_at() -> datetime:
    return datetime(2026, 5, 4, 10, 30, tzinfo=UTC)
