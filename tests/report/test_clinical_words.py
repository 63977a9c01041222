"""Nothing a user reads carries the program's internal words (issue 12, part 3).

Every face is rendered for every bundled and shared case: ``mgpn evaluate`` text (short
and ``--full``) and Markdown, the printable report's HTML, and the web pages (empty
form, live panel, saved case). The visible text is searched for the words a clinician
should never see: the knowledge base's private names for its sources and makers, and
raw ids such as ``not_assessed`` or ``anti_mag``.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.console import Console
from tests.clinical_words import INTERNAL, internal_words, visible

from mgpn.case import dump_case, load_case
from mgpn.engine import evaluate
from mgpn.knowledge import load_knowledge
from mgpn.report import build_view, render_html
from mgpn.report.language import clinical_text, full_citation, short_citation
from mgpn.report.markdown import render_markdown
from mgpn.report.outcomes import outcomes_view
from mgpn.report.text import render_text

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "mgpn" / "examples"
SHARED_CASES = Path(__file__).resolve().parents[2].parent / "shared" / "cases"


def _case_files() -> list[Path]:
    files = sorted(EXAMPLES.glob("*.yaml"))
    if SHARED_CASES.is_dir():
        files += sorted(p for p in SHARED_CASES.glob("*.yaml") if p.name != "expectations.yaml")
    return files


def _faces(path: Path) -> dict[str, str]:
    case = load_case(path)
    assessment = evaluate(case)
    out: dict[str, str] = {}
    for full in (False, True):
        buffer = io.StringIO()
        render_text(assessment, Console(file=buffer, width=100, color_system=None), full=full)
        out["text --full" if full else "text"] = buffer.getvalue()
    out["markdown"] = render_markdown(assessment)
    view = build_view(
        assessment, dump_case(case), assessed_at=datetime.now(UTC), outcomes=outcomes_view(case)
    )
    out["report html"] = visible(render_html(view))
    if case.visits:
        from mgpn.outcomes import summarize

        out["mgpn outcomes"] = summarize(case).render_text()
    return out


def test_the_checker_finds_what_it_must() -> None:
    assert internal_words("as cited in the seed (facts.md)") == ["facts.md", "seed"]
    assert internal_words("status not_assessed for anti_mag") == ["anti_mag", "not_assessed"]
    assert internal_words("Sarosiek, Doughty, Castillo 2025; anti-MAG 70,000 BTU") == []


@pytest.mark.parametrize("path", _case_files(), ids=lambda p: p.name)
def test_no_face_of_an_assessment_shows_internal_words(path: Path) -> None:
    problems = {face: internal_words(text) for face, text in _faces(path).items()}
    assert {face: words for face, words in problems.items() if words} == {}


def test_every_knowledge_base_text_a_user_can_see_reads_clean_after_the_mapping() -> None:
    """The mapping layer covers every sentence the knowledge base can put in front of a user."""
    kb = load_knowledge()
    texts: list[str] = []
    for rules in [*kb.syndromes, *kb.mimics, kb.link]:
        texts += [getattr(rules, "label", "")]
        for criterion in rules.criteria:
            texts += [criterion.text, criterion.missing_text or ""]
        texts += [rule.reason for rule in rules.status_rules]
    dumped = kb.model_dump()
    for key in ("tests", "treatment", "biomarkers"):
        texts += [t for t in _strings(dumped.get(key)) if " " in t]
    bad = {t: internal_words(clinical_text(t)) for t in texts if t}
    assert {t: w for t, w in bad.items() if w} == {}
    for ref_id, ref in kb.references.items():
        shown = short_citation(ref_id, ref.citation) + " " + full_citation(ref_id, ref.citation)
        assert internal_words(shown) == [], ref_id


def _strings(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for k, v in node.items() if k not in ("id", "when", "references", "for_",
                "syndromes", "note", "path", "evidence_level") for s in _strings(v)]  # fmt: skip
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return []


def _prose(node: object) -> list[str]:
    """Every string in a JSON document that is prose (has a space): ids and codes have none."""
    if isinstance(node, str):
        return [node] if " " in node else []
    if isinstance(node, dict):
        return [s for v in node.values() for s in _prose(v)]
    if isinstance(node, list):
        return [s for v in node for s in _prose(v)]
    return []


@pytest.mark.parametrize("path", _case_files(), ids=lambda p: p.name)
def test_machine_outputs_carry_clinical_prose_without_the_mapping(path: Path) -> None:
    """JSON and FHIR are read by EHR teams and other programs without our render-time mapping,
    so the knowledge base's own sentences must already read clean (ids such as ``seed:10``
    are the assessment format's reference ids, not prose)."""
    import json

    from mgpn.interop.fhir.output import assessment_bundle

    case = load_case(path)
    assessment = evaluate(case)
    documents = {
        "json": json.loads(assessment.model_dump_json()),
        "fhir": assessment_bundle(assessment),
    }
    found = {
        face: sorted({w for text in _prose(doc) for w in INTERNAL.findall(text)})
        for face, doc in documents.items()
    }
    assert {face: words for face, words in found.items() if words} == {}
