"""The synthetic cohort follows the seed design, is labelled synthetic everywhere, and
the reports (text, HTML, plot) render it."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from mgpn.cli.main import app
from mgpn.cohort import analyze_cohort, load_cohort
from mgpn.cohort.simulate import default_parameters, load_parameters, simulate_cohort
from mgpn.errors import InputError

EXAMPLE = Path(__file__).resolve().parents[2] / "src" / "mgpn" / "examples" / "cohort-synthetic.csv"


def test_same_seed_same_cohort_and_design_sizes() -> None:
    first, second = simulate_cohort(3), simulate_cohort(3)
    assert first.equals(second)
    assert not first.equals(simulate_cohort(4))
    counts = dict(first.group_by("group").len().iter_rows())
    assert counts == default_parameters().group_sizes
    assert first["synthetic"].all()
    assert first.filter(pl.col("group") == "control")["anti_mag"].null_count() == counts["control"]


def test_effect_sizes_are_parameters(tmp_path: Path) -> None:
    override = tmp_path / "p.yaml"
    override.write_text(
        "group_sizes: {igm_pnp: 300, mmn: 300, control: 300}\n"
        "markers:\n  - {column: il6_au, log_sd: 0.3, fold: {igm_pnp: 4.0, anti_mag: 4.0, mmn: 1.0}}\n"
    )
    frame = simulate_cohort(1, load_parameters(override))
    medians = dict(frame.group_by("group").agg(pl.col("il6_au").median()).iter_rows())
    assert medians["igm_pnp"] > 3 * medians["control"]
    assert 0.8 < medians["mmn"] / medians["control"] < 1.25
    override.write_text("anti_mag_fraction: 2\n")
    with pytest.raises(InputError, match="anti_mag_fraction"):
        load_parameters(override)


def test_simulate_cli_writes_labelled_file_and_sidecar(tmp_path: Path) -> None:
    out = tmp_path / "syn.parquet"
    result = CliRunner().invoke(app, ["cohort", "simulate", "--seed", "5", "-o", str(out)])
    assert result.exit_code == 0, result.output
    sidecar = json.loads((tmp_path / "syn.parquet.simulation.json").read_text())
    assert sidecar["synthetic"] is True and sidecar["seed"] == 5
    assert sidecar["provenance"]["markers"]["verified"] is False
    analysis = analyze_cohort(load_cohort(out))
    assert analysis.synthetic
    assert any("SYNTHETIC" in note for note in analysis.notes)
    assert "SYNTHETIC" in analysis.to_text()


def test_html_report_is_self_contained_with_plots_methods_and_disclaimer(tmp_path: Path) -> None:
    path = tmp_path / "syn.csv"
    simulate_cohort(2).write_csv(path)
    out = tmp_path / "report.html"
    result = CliRunner().invoke(
        app, ["cohort", "analyze", str(path), "--format", "html", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    html = out.read_text()
    assert html.count("<svg") == 3  # one figure per marker
    for external in ('src="http', 'href="http', "<link", "<script", "url(http"):
        assert external not in html  # nothing fetched from the network
    assert "Kruskal-Wallis H test" in html and "Dunn" in html and "Holm" in html
    assert "Research use; not for individual patient decisions." in html
    assert "SYNTHETIC COHORT" in html


def test_plot_returns_axes_with_log_scale_for_skewed_marker(tmp_path: Path) -> None:
    path = tmp_path / "syn.csv"
    simulate_cohort(2).write_csv(path)
    analysis = analyze_cohort(load_cohort(path))
    ax = analysis.plot("il6_au")
    assert ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["igm_pnp", "anti_mag", "mmn", "control"]


def test_bundled_example_analyses() -> None:
    if not EXAMPLE.is_file():
        pytest.fail(f"bundled example missing: {EXAMPLE}")
    analysis = analyze_cohort(load_cohort(EXAMPLE))
    assert analysis.synthetic and analysis.n == 304
    # Its provenance: what 'mgpn cohort simulate --seed 2026' writes. Compared as numbers to
    # 12 significant digits, since the last digit of a float can differ between numpy builds.
    import polars as pl
    from polars.testing import assert_frame_equal

    bundled = pl.read_csv(EXAMPLE)
    regenerated = pl.read_csv(simulate_cohort(2026).write_csv().encode())
    assert_frame_equal(bundled, regenerated, check_exact=False, rel_tol=1e-12, abs_tol=0)


def test_design_sizes_match_the_fact_base(shared_dir: Path) -> None:
    facts = (shared_dir / "knowledge" / "facts.md").read_text()
    topic = facts[facts.index("## 13.") :]
    sizes = default_parameters().group_sizes
    assert f"{sizes['igm_pnp']} IgM-PNP" in topic
    assert f"{sizes['control']} sex- and age-matched healthy controls" in topic
    assert f"{sizes['mmn']} MMN" in topic
