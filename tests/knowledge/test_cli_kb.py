"""``mgpn kb`` and ``mgpn kb show ID``."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from mgpn.cli.main import app

runner = CliRunner()


def test_kb_lists_syndromes_thresholds_and_flags() -> None:
    result = runner.invoke(app, ["kb"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for word in ("anti_mag", "coincidental", "vegf_serum_poems_pg_ml", "NO", "2026.1"):
        assert word in result.stdout


def test_kb_show_syndrome_prints_rules_and_sources() -> None:
    result = runner.invoke(app, ["kb", "show", "poems"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Status rules" in result.stdout
    assert "pmid:37732822" in result.stdout
    assert "UNVERIFIED" in result.stdout


def test_kb_show_threshold_and_reference() -> None:
    threshold = runner.invoke(app, ["kb", "show", "anti_mag_high_btu"])
    assert threshold.exit_code == 0 and "70000" in threshold.stdout
    reference = runner.invoke(app, ["kb", "show", "pmid:29070644"])
    assert reference.exit_code == 0 and "Svahn" in reference.stdout


def test_kb_show_unknown_id_suggests_ids() -> None:
    result = runner.invoke(app, ["kb", "show", "nonexistent"])
    assert result.exit_code == 2
    assert "anti_mag" in result.stdout


def test_kb_show_follows_an_assessment_line_to_its_rule() -> None:
    from mgpn.case import load_case
    from mgpn.engine import evaluate

    example = Path(__file__).resolve().parents[2] / "src" / "mgpn" / "examples" / "kappa-poems.yaml"
    a = evaluate(load_case(example))
    line = a.syndrome("poems").against_evidence[0]
    result = runner.invoke(app, ["kb", "show", line.criterion], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert line.text in result.stdout and "kind: atypical" in result.stdout
    test_rule = runner.invoke(app, ["kb", "show", a.tests[0].rule or ""])
    assert test_rule.exit_code == 0 and a.tests[0].label in test_rule.stdout
    status = a.syndrome("poems").status_evidence
    assert status is not None
    shown = runner.invoke(app, ["kb", "show", status.criterion])
    assert shown.exit_code == 0 and "established" in shown.stdout


def test_kb_show_rejects_an_unknown_qualified_id() -> None:
    result = runner.invoke(app, ["kb", "show", "poems.no_such_criterion"])
    assert result.exit_code == 2
