"""``mgpn kb`` and ``mgpn kb show ID``."""

from __future__ import annotations

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
