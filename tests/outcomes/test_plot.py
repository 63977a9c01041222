"""The chart: one panel per measured series, treatments shaded, MCID bands, SVG and PNG."""

from __future__ import annotations

import io
import struct

import pytest
from matplotlib.patches import Rectangle

from mgpn.case import Case
from mgpn.errors import InputError
from mgpn.outcomes import draw_figure, plot

from .builders import case_with


@pytest.fixture
def followed() -> Case:
    return case_with(
        [
            {
                "date": "2024-01-20",
                "incat_arm": 1,
                "incat_leg": 2,
                "mrc_sum": 52,
                "igm": "1450 mg/dL",
            },
            {"date": "2024-06-10", "incat_arm": 1, "incat_leg": 2, "igm": "1600 mg/dL"},
            {
                "date": "2025-01-15",
                "incat_arm": 1,
                "incat_leg": 1,
                "mrc_sum": 55,
                "igm": "980 mg/dL",
            },
        ],
        [
            {"regimen": "rituximab", "start": "2024-02-01", "end": "2024-02-22"},
            {"regimen": "zanubrutinib", "start": "2024-09-01"},
        ],
    )


def test_one_panel_per_measured_series_with_titles(followed: Case) -> None:
    fig = draw_figure(followed)
    panels = {ax.get_gid(): ax.get_title() for ax in fig.axes}
    assert panels == {
        "panel-incat": "INCAT disability (lower is better)",
        "panel-mrc_sum": "MRC sum (higher is better)",
        "panel-igm": "serum IgM",
    }
    assert {ax.get_ylabel() for ax in fig.axes} == {"points", "mg/dL"}


def test_each_panel_shades_each_treatment_and_labels_them(followed: Case) -> None:
    fig = draw_figure(followed)
    for ax in fig.axes:
        spans = {
            p.get_gid(): p.get_label()
            for p in ax.patches
            if isinstance(p, Rectangle) and (p.get_gid() or "").startswith("treatment-")
        }
        assert spans == {"treatment-0": "rituximab", "treatment-1": "zanubrutinib"}
    top = fig.axes[0]
    assert {t.get_text() for t in top.texts} >= {"rituximab", "zanubrutinib"}


def test_mcid_band_is_centred_on_the_baseline(followed: Case) -> None:
    fig = draw_figure(followed)
    axes = {ax.get_gid(): ax for ax in fig.axes}
    band = next(p for p in axes["panel-incat"].patches if p.get_gid() == "mcid-incat")
    ys = [y for _, y in band.get_path().transformed(band.get_patch_transform()).vertices]
    assert (min(ys), max(ys)) == pytest.approx((2.0, 4.0))  # INCAT baseline 3, MCID 1
    mrc_band = next(p for p in axes["panel-mrc_sum"].patches if p.get_gid() == "mcid-mrc_sum")
    assert "unverified" in mrc_band.get_label()
    assert not any(p.get_gid() == "mcid-igm" for p in axes["panel-igm"].patches)


def test_svg_contains_the_panels_and_treatment_labels(followed: Case) -> None:
    svg = plot(followed, fmt="svg").decode("utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    for gid in ("panel-incat", "panel-mrc_sum", "panel-igm", "treatment-0", "mcid-incat"):
        assert f'id="{gid}"' in svg
    # Text stays text (svg.fonttype none): the labels and the disclaimer can be read.
    assert "rituximab" in svg and "zanubrutinib" in svg
    assert "supports, and does not replace, clinical judgment" in svg


def test_png_is_a_real_image_of_print_resolution(followed: Case) -> None:
    data = plot(followed, fmt="png")
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", io.BytesIO(data[16:24]).read())
    assert width >= 900 and height >= 900


def test_the_same_case_gives_the_same_svg(followed: Case) -> None:
    assert plot(followed, fmt="svg") == plot(followed, fmt="svg")


def test_a_case_without_measurements_draws_a_message_not_an_error() -> None:
    fig = draw_figure(case_with([]))
    assert any("No scale or marker" in t.get_text() for ax in fig.axes for t in ax.texts)


def test_unknown_image_format_is_an_input_error(followed: Case) -> None:
    with pytest.raises(InputError, match="fmt"):
        plot(followed, fmt="gif")  # type: ignore[arg-type]
