"""The bundled knowledge base loads; a broken one is refused at start with a clear message."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from mgpn.assessment import MIMIC_IDS, SYNDROME_IDS
from mgpn.errors import KnowledgeError
from mgpn.knowledge import disclaimer, load_knowledge, read_knowledge
from mgpn.knowledge.loader import DEFAULT_DIRECTORY, case_fields, catalog_units

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"


def test_bundled_knowledge_loads_and_covers_the_contract() -> None:
    kb = load_knowledge()
    assert kb.meta.version and kb.meta.last_reviewed
    assert sorted(s.id for s in kb.syndromes) == sorted(SYNDROME_IDS)
    assert sorted(m.id for m in kb.mimics) == sorted(MIMIC_IDS)
    assert load_knowledge() is kb  # cached


def test_disclaimer_says_it_supports_not_replaces() -> None:
    assert "does not replace" in disclaimer()


def test_every_threshold_unit_matches_its_case_field() -> None:
    units = catalog_units()
    for name, threshold in load_knowledge().thresholds.items():
        if threshold.path in units:
            assert units[threshold.path] == threshold.unit, name


def test_every_unverified_threshold_explains_itself() -> None:
    for name, threshold in load_knowledge().thresholds.items():
        if not threshold.verified:
            assert threshold.note, name


def test_reference_confidence_tags_follow_facts_md() -> None:
    for ref_id, reference in load_knowledge().references.items():
        if ref_id.startswith("seed"):
            assert reference.confidence == "SEED"


def test_anti_mag_7000_is_not_used() -> None:
    # facts.md: the 7,000 BTU threshold is UNVERIFIED and must not be hard-coded.
    assert all(t.value != 7000 for t in load_knowledge().thresholds.values())


def test_facts_md_unverified_numbers_are_marked_unverified() -> None:
    facts = SHARED / "knowledge" / "facts.md"
    if not facts.is_file():
        pytest.skip("../shared is not present")
    kb = load_knowledge()
    # VEGF cut-offs and the thrombocytosis number are UNVERIFIED in facts.md.
    for name in ("vegf_serum_poems_pg_ml", "vegf_plasma_poems_pg_ml", "platelets_thrombocytosis"):
        assert kb.thresholds[name].verified is False
    assert "UNVERIFIED" in facts.read_text(encoding="utf-8")


# --- refusals ------------------------------------------------------------------------------
@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    target = tmp_path / "kb"
    shutil.copytree(DEFAULT_DIRECTORY, target)
    return target


def _edit(path: Path, change: Callable[[Any], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _load(directory: Path) -> None:
    fields = case_fields()
    read_knowledge(directory, known_paths=set(fields or {}), known_units=catalog_units())


def test_copy_of_bundled_knowledge_loads(kb_copy: Path) -> None:
    _load(kb_copy)


@pytest.mark.parametrize(
    ("file", "change", "message"),
    [
        ("syndromes/anti_mag.yaml", lambda d: d.update(priorr=1), "priorr"),
        (
            "syndromes/anti_mag.yaml",
            lambda d: d["criteria"][0].update(references=["pmid:0000"]),
            "unknown reference id 'pmid:0000'",
        ),
        (
            "syndromes/anti_mag.yaml",
            lambda d: next(c for c in d["criteria"] if c["id"] == "titre_high")["when"].update(
                at_least="no_such_threshold"
            ),
            "unknown threshold 'no_such_threshold'",
        ),
        (
            "syndromes/anti_mag.yaml",
            lambda d: d["criteria"][0].update(
                when={"path": "neuropathy.sensory_ataxai", "is": True}
            ),
            "unknown case path 'neuropathy.sensory_ataxai'",
        ),
        (
            "syndromes/poems.yaml",
            lambda d: next(c for c in d["criteria"] if c["id"] == "vegf_high").update(
                verified=True
            ),
            "must be marked verified: false",
        ),
        (
            "syndromes/poems.yaml",
            lambda d: d["status_rules"][0].update(
                when={"syndrome": ["coincidental"], "status_in": ["probable"]}
            ),
            "not evaluated before this rule",
        ),
        ("syndromes/poems.yaml", lambda d: d.update(id="poemss"), "poemss"),
        ("syndromes/poems.yaml", lambda d: d["status_rules"][0].update(status="likely"), "likely"),
        (
            "mimics.yaml",
            lambda d: d["mimics"][0]["status_rules"][0].update(status="established"),
            "established",
        ),
        ("link.yaml", lambda d: d["status_rules"][0].update(status="possible"), "possible"),
        ("tests.yaml", lambda d: d["tests"][0].update(test="mri_brain"), "mri_brain"),
        ("thresholds.yaml", lambda d: d["al_lv_wall_mm"].update(unit="cm"), "canonical unit"),
        ("meta.yaml", lambda d: d["syndrome_order"].pop(), "syndrome_order"),
        (
            "syndromes/anti_mag.yaml",
            lambda d: d["criteria"][0].update(when={"path": "x", "is": True, "in": ["a"]}),
            "exactly one operator",
        ),
    ],
    ids=[
        "unknown key",
        "unknown reference",
        "unknown threshold",
        "unknown path",
        "unverified threshold in verified rule",
        "later syndrome",
        "id outside contract",
        "bad status",
        "mimic status outside its vocabulary",
        "link status outside its vocabulary",
        "unknown test id",
        "unit mismatch",
        "order incomplete",
        "two operators",
    ],
)
def test_broken_knowledge_is_refused(kb_copy: Path, file: str, change: Any, message: str) -> None:
    _edit(kb_copy / file, change)
    with pytest.raises(KnowledgeError, match=re.escape(message)):
        _load(kb_copy)


def test_missing_syndrome_file_is_refused(kb_copy: Path) -> None:
    (kb_copy / "syndromes" / "mmn.yaml").unlink()
    with pytest.raises(KnowledgeError, match="'mmn' must be defined exactly once"):
        _load(kb_copy)


def test_broken_yaml_names_the_file(kb_copy: Path) -> None:
    (kb_copy / "link.yaml").write_text("status_rules: [unclosed\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"link\.yaml"):
        _load(kb_copy)


def _criterion(data: Any, ident: str) -> dict[str, Any]:
    return next(c for c in data["criteria"] if c["id"] == ident)


@pytest.mark.parametrize(
    ("file", "change", "message"),
    [
        # An atypical finding may not veto: a rule making POEMS unlikely on kappa alone.
        (
            "syndromes/poems.yaml",
            lambda d: d["status_rules"].insert(
                0,
                {
                    "status": "unlikely",
                    "when": {"criterion": "kappa"},
                    "reason": "kappa",
                    "references": ["seed"],
                },
            ),
            "atypical criteria ['kappa'] may not make the status unlikely",
        ),
        # An exclusion criterion must say how far it caps.
        (
            "syndromes/mmn.yaml",
            lambda d: _criterion(d, "bulbar").pop("caps"),
            "exactly the exclusion criteria carry caps",
        ),
        # A finding against is atypical or an exclusion, never a 'major' criterion.
        (
            "syndromes/poems.yaml",
            lambda d: _criterion(d, "kappa").update(kind="major"),
            "counts in favour",
        ),
        # A gating criterion must say what to ask for.
        (
            "syndromes/poems.yaml",
            lambda d: _criterion(d, "castleman").update(gating=True),
            "a gating criterion needs missing_text",
        ),
        # Named sets are checked against the contract's ids.
        (
            "meta.yaml",
            lambda d: d["sets"]["dont_miss_syndromes"].append("amyloid"),
            "ids not in the assessment contract: ['amyloid']",
        ),
        (
            "meta.yaml",
            lambda d: d["sets"].update(poems=["poems"]),
            "may not be named like a syndrome",
        ),
        # Examples name real case paths.
        (
            "syndromes/poems.yaml",
            lambda d: _criterion(d, "kappa")["examples"].append(
                {"case": {"paraprotein.lightchain": "kappa"}, "expect": True}
            ),
            "unknown case path 'paraprotein.lightchain'",
        ),
    ],
    ids=[
        "atypical veto",
        "exclusion without cap",
        "against as major",
        "gating without text",
        "set with unknown id",
        "set named like an id",
        "example with unknown path",
    ],
)
def test_criteria_kinds_and_sets_are_enforced(
    kb_copy: Path, file: str, change: Any, message: str
) -> None:
    _edit(kb_copy / file, change)
    with pytest.raises(KnowledgeError, match=re.escape(message)):
        _load(kb_copy)
