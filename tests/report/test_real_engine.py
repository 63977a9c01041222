"""The report of a real case through the real engine (skips when the shared cases are absent)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from mgpn.case import dump_case, load_case
from mgpn.engine import evaluate
from mgpn.report import build_view, render_html

pytestmark = pytest.mark.shared


def test_anti_mag_case_report_shows_the_engines_first_syndrome_first(shared_dir: Path) -> None:
    case = load_case(shared_dir / "cases" / "anti-mag-typical.yaml")
    assessment = evaluate(case)
    view = build_view(assessment, dump_case(case), assessed_at=datetime.now(UTC))
    first = min(assessment.syndromes, key=lambda s: s.rank)
    html = render_html(view)
    assert view.syndromes[0].label == first.label
    assert html.index(first.label) < html.index(view.syndromes[1].label)
    assert assessment.knowledge_version in html
