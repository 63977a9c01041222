"""Helpers for engine tests: a stand-in case, a toy knowledge base, real-case builders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from mgpn.assessment import MIMIC_IDS, SYNDROME_IDS
from mgpn.knowledge import KnowledgeBase, read_knowledge


class FakeCase:
    """Duck-typed case: dotted path -> value; absent paths are unknown (None)."""

    def __init__(self, values: dict[str, Any] | None = None, treatments: list[Any] | None = None):
        self.values = dict(values or {})
        self.treatments = list(treatments or [])

    def get(self, path: str) -> Any:
        return self.values.get(path)

    def not_interpreted(self) -> list[str]:
        return []


TOY_PATHS = {
    "id",
    "neuropathy.present",
    "neuropathy.sensory_ataxia",
    "neuropathy.tremor",
    "neuropathy.symmetry",
    "paraprotein.isotype",
    "antibodies.anti_mag",
    "function.mrs",
    "history.diabetes",
    "labs.il6",
}


def _placeholder_syndrome(ident: str) -> dict[str, Any]:
    return {
        "id": ident,
        "label": ident,
        "prior": -3.0,
        "default_status": "unlikely",
        "references": ["ref:a"],
        "criteria": [
            {
                "id": "no_clone",
                "text": "no clone",
                "kind": "exclusion",
                "caps": "excluded",
                "direction": "against",
                "when": {"path": "paraprotein.isotype", "in": ["none"]},
                "references": ["ref:a"],
                "evidence": "toy",
            },
        ],
        "status_rules": [
            {
                "status": "excluded",
                "when": {"criterion": "no_clone"},
                "reason": "no clone",
                "references": ["ref:a"],
            }
        ],
        "default_reason": "toy placeholder",
    }


def _placeholder_mimic(ident: str) -> dict[str, Any]:
    return {
        "id": ident,
        "label": ident,
        "references": ["ref:a"],
        "status_rules": [
            {
                "status": "excluded",
                "when": {"path": "history.diabetes", "is": False},
                "reason": "toy",
                "references": ["ref:a"],
            }
        ],
        "default_reason": "toy placeholder",
    }


def toy_files() -> dict[str, Any]:
    """A small but complete knowledge base: anti_mag and diabetes carry real toy rules."""
    anti_mag = {
        "id": "anti_mag",
        "label": "Toy anti-MAG",
        "prior": -1.0,
        "default_status": "unlikely",
        "references": ["ref:a"],
        "criteria": [
            {
                "id": "igm",
                "text": "IgM",
                "when": {"path": "paraprotein.isotype", "in": ["IgM"]},
                "weight": 1.0,
                "references": ["ref:a"],
                "evidence": "toy",
                "missing_text": "isotype",
            },
            {
                "id": "high",
                "text": "titre high",
                "weight": 2.0,
                "when": {"path": "antibodies.anti_mag", "at_least": "high"},
                "references": ["ref:a"],
                "evidence": "toy",
                "missing_text": "anti-MAG titre",
            },
            {
                "id": "ataxia",
                "text": "ataxia",
                "weight": 0.5,
                "when": {"path": "neuropathy.sensory_ataxia", "is": True},
                "references": ["ref:a"],
                "evidence": "toy",
            },
            {
                "id": "tremor",
                "text": "tremor (unverified)",
                "weight": 0.5,
                "verified": False,
                "note": "toy unverified",
                "when": {"path": "neuropathy.tremor", "at_least": "shaky"},
                "references": ["ref:a"],
                "evidence": "toy",
            },
            {
                "id": "asym",
                "text": "asymmetric",
                "direction": "against",
                "weight": 1.0,
                "when": {"path": "neuropathy.symmetry", "is": "asymmetric"},
                "references": ["ref:a"],
                "evidence": "toy",
            },
        ],
        "status_rules": [
            {
                "status": "established",
                "when": {"all": [{"criterion": "igm"}, {"criterion": "high"}]},
                "reason": "IgM and high titre",
                "references": ["ref:a"],
            },
            {
                "status": "undetermined",
                "when": {"all": [{"criterion": "igm"}, {"unknown": {"criterion": "high"}}]},
                "reason": "titre unknown",
                "references": ["ref:a"],
            },
        ],
        "default_reason": "nothing",
    }
    coincidental = _placeholder_syndrome("coincidental")
    coincidental["status_rules"] = [
        {
            "status": "probable",
            "when": {"mimic": ["diabetes"], "status_in": ["present"]},
            "reason": "diabetes present",
            "references": ["ref:a"],
        }
    ]
    syndromes = {ident: _placeholder_syndrome(ident) for ident in SYNDROME_IDS}
    syndromes["anti_mag"] = anti_mag
    syndromes["coincidental"] = coincidental
    diabetes = {
        "id": "diabetes",
        "label": "Toy diabetes",
        "references": ["ref:a"],
        "criteria": [
            {
                "id": "known",
                "text": "known diabetes",
                "when": {"path": "history.diabetes", "is": True},
                "references": ["ref:a"],
                "evidence": "toy",
                "missing_text": "diabetes history",
            },
        ],
        "status_rules": [
            {
                "status": "present",
                "when": {"criterion": "known"},
                "reason": "diabetic",
                "references": ["ref:a"],
            },
            {
                "status": "excluded",
                "when": {"path": "history.diabetes", "is": False},
                "reason": "not diabetic",
                "references": ["ref:a"],
            },
        ],
        "default_reason": "unknown",
    }
    mimics = [_placeholder_mimic(ident) for ident in MIMIC_IDS if ident != "diabetes"]
    mimics.insert(0, diabetes)
    return {
        "meta.yaml": {
            "version": "toy-1",
            "last_reviewed": "2026-01-01",
            "reviewers": ["tests"],
            "intended_use": "tests",
            "disclaimer": "Toy disclaimer: supports, does not replace, clinical judgment.",
            "scoring": "logistic",
            "ranking": "status, then score",
            "syndrome_order": list(SYNDROME_IDS),
            "scope": [
                {
                    "id": "none",
                    "when": {"path": "neuropathy.present", "is": False},
                    "note": "no neuropathy",
                    "evaluate": False,
                }
            ],
        },
        "references.yaml": {"ref:a": {"citation": "Toy reference", "confidence": "HIGH"}},
        "thresholds.yaml": {
            "high": {
                "value": 70000,
                "unit": "BTU",
                "path": "antibodies.anti_mag",
                "references": ["ref:a"],
            },
            "shaky": {"value": 1, "unit": "grade", "references": ["ref:a"], "verified": False},
            "treat_mrs": {
                "value": 2,
                "unit": "grade",
                "path": "function.mrs",
                "references": ["ref:a"],
            },
        },
        "mimics.yaml": {"mimics": mimics},
        "syndromes": syndromes,
        "link.yaml": {
            "status_rules": [
                {
                    "status": "established",
                    "when": {"syndrome": ["anti_mag"], "status_in": ["established"]},
                    "reason": "classic entity",
                    "references": ["ref:a"],
                }
            ],
            "default_reason": "unknown",
        },
        "tests.yaml": {
            "tests": [
                {
                    "test": "anti_mag",
                    "label": "Anti-MAG",
                    "priority": "now",
                    "reason": "IgM",
                    "when": {"path": "paraprotein.isotype", "in": ["IgM"]},
                    "done_when": {"path": "antibodies.anti_mag", "present": True},
                    "references": ["ref:a"],
                },
            ]
        },
        "treatment.yaml": {
            "indication_rules": [
                {
                    "indication": "treat_other_cause",
                    "when": {"syndrome": ["coincidental"], "status_in": ["probable"]},
                    "reason": "other cause",
                    "references": ["ref:a"],
                },
                {
                    "indication": "treat",
                    "when": {"path": "function.mrs", "at_least": "treat_mrs"},
                    "reason": "disabled",
                    "references": ["ref:a"],
                },
            ],
            "default_reason": "mRS missing",
            "options": [
                {
                    "syndrome": "anti_mag",
                    "regimen": "toy regimen",
                    "evidence": "toy evidence",
                    "references": ["ref:a"],
                }
            ],
            "warnings": [
                {
                    "id": "flare",
                    "when": {"path": "paraprotein.isotype", "in": ["IgM"]},
                    "text": "toy flare warning",
                    "references": ["ref:a"],
                }
            ],
        },
        "biomarkers.yaml": {
            "biomarkers": [
                {
                    "id": "il6",
                    "label": "IL-6",
                    "path": "labs.il6",
                    "interpretation": "research only",
                    "references": ["ref:a"],
                }
            ]
        },
    }


def write_kb(directory: Path, files: dict[str, Any]) -> Path:
    for name, content in files.items():
        if name == "syndromes":
            (directory / "syndromes").mkdir(parents=True, exist_ok=True)
            for ident, syndrome in content.items():
                (directory / "syndromes" / f"{ident}.yaml").write_text(yaml.safe_dump(syndrome))
        else:
            (directory / name).write_text(yaml.safe_dump(content, allow_unicode=True))
    return directory


@pytest.fixture(scope="session")
def toy_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    directory = tmp_path_factory.mktemp("toy_kb")
    return read_knowledge(write_kb(directory, toy_files()), known_paths=TOY_PATHS)


@pytest.fixture
def fake_case() -> type[FakeCase]:
    return FakeCase
