"""Paraprotein markers, the warnings, and the choice of baseline."""

from __future__ import annotations

from typing import Any

from mgpn.outcomes import load_scales, summarize

from .builders import case_with, two_visits

RITUXIMAB = [{"regimen": "rituximab", "start": "2024-02-01", "end": "2024-02-22"}]


def test_percent_change_of_markers() -> None:
    result = summarize(
        two_visits(
            {"igm": "1450 mg/dL", "m_spike": "5 g/L"}, {"igm": "980 mg/dL", "m_spike": "0.3 g/dL"}
        )
    )
    assert result.markers["igm"].change_percent == -32.4
    assert result.markers["m_spike"].baseline == 0.5  # converted from 5 g/L
    assert result.markers["m_spike"].change_percent == -40.0


def test_censored_marker_has_no_percent_change_and_keeps_its_comparator() -> None:
    result = summarize(two_visits({"anti_mag": ">70000 BTU"}, {"anti_mag": "24000 BTU"}))
    anti_mag = result.markers["anti_mag"]
    assert anti_mag.change_percent is None and anti_mag.censored
    assert anti_mag.baseline_comparator == ">"
    assert ">70000" in result.render_text()


def test_anti_mag_reported_only_as_positive_is_not_charted_as_a_number() -> None:
    result = summarize(two_visits({"anti_mag": "positive"}, {"anti_mag": "positive"}))
    assert "anti_mag" not in result.markers


def _igm_case(after_start: str, regimen: str = "rituximab") -> Any:
    return case_with(
        [{"date": "2024-01-20", "igm": "1450 mg/dL"}, {"date": "2024-04-15", "igm": after_start}],
        [{"regimen": regimen, "start": "2024-02-01"}],
    )


def test_igm_rise_after_rituximab_warns_of_a_possible_flare() -> None:
    warnings = summarize(_igm_case("1460 mg/dL")).warnings
    assert any("IgM rose after rituximab" in w and "1460" in w for w in warnings)


def test_no_flare_warning_when_igm_falls_or_the_drug_is_not_rituximab() -> None:
    assert not any("IgM rose" in w for w in summarize(_igm_case("1440 mg/dL")).warnings)
    assert not any("IgM rose" in w for w in summarize(_igm_case("1600 mg/dL", "ivig")).warnings)


def test_worsening_beyond_the_mcid_is_a_warning_naming_the_scale() -> None:
    warnings = summarize(
        two_visits({"incat_arm": 1, "incat_leg": 1}, {"incat_arm": 1, "incat_leg": 2})
    ).warnings
    assert any(w.startswith("INCAT disability") and "worsened by 1" in w for w in warnings)
    stable = summarize(two_visits({"mrc_sum": 50}, {"mrc_sum": 49})).warnings
    assert not any("worsened" in w for w in stable)


def test_short_follow_up_is_flagged_and_long_enough_is_not() -> None:
    short = two_visits({"mrs": 2}, {"mrs": 2}, first="2024-01-10", second="2024-12-20")
    long = two_visits({"mrs": 2}, {"mrs": 2}, first="2024-01-10", second="2025-01-11")
    assert any("Follow-up is" in w for w in summarize(short).warnings)
    assert not any("Follow-up is" in w for w in summarize(long).warnings)


def test_since_treatment_baseline_is_the_last_visit_before_the_start() -> None:
    case = case_with(
        [
            {"date": "2023-06-01", "mrs": 1},
            {"date": "2024-01-20", "mrs": 3},
            {"date": "2025-03-01", "mrs": 2},
        ],
        RITUXIMAB,
    )
    plain, since = summarize(case), summarize(case, since_treatment=True)
    assert str(plain.baseline) == "2023-06-01" and plain.scales["mrs"].direction == "worsened"
    assert str(since.baseline) == "2024-01-20" and since.scales["mrs"].direction == "improved"
    assert since.treatment is not None and since.treatment.months_since_start == 12.9  # 394 days


def test_since_treatment_without_a_pre_treatment_visit_has_no_baseline() -> None:
    case = case_with(
        [{"date": "2024-03-01", "mrs": 2}, {"date": "2025-03-01", "mrs": 1}], RITUXIMAB
    )
    result = summarize(case, since_treatment=True)
    assert result.baseline is None and result.scales["mrs"].direction is None
    assert any("no pre-treatment baseline" in n for n in result.notes)


def test_no_visits_is_a_summary_that_says_so() -> None:
    result = summarize(case_with([]))
    assert result.scales == {} and result.baseline is None
    assert any("no visits" in n for n in result.notes)


def _igm_course(days_after: list[tuple[str, str]]) -> Any:
    visits = [{"date": "2024-01-20", "igm": "1450 mg/dL"}]
    visits += [{"date": day, "igm": value} for day, value in days_after]
    return case_with(visits, [{"regimen": "rituximab", "start": "2024-02-01"}])


def test_a_rise_within_the_cited_window_is_a_possible_flare_and_a_later_one_is_not() -> None:
    window = load_scales().warnings.igm_flare.window_months
    assert window == 4  # Ghobrial 2004 (PMID 15493038): most rises settle within 4 months
    early = summarize(_igm_course([("2024-05-20", "1600 mg/dL")])).warnings  # 3.6 months
    assert any("IgM rose after rituximab" in w and "within 4 months" in w for w in early)
    late = summarize(_igm_course([("2024-03-15", "1300 mg/dL"), ("2024-11-01", "1700 mg/dL")]))
    texts = " ".join(late.warnings)
    assert "IgM rose after rituximab" not in texts  # no flare: IgM fell in the window
    assert "later than an IgM flare usually lasts" in texts and "pmid:15493038" in texts


def test_without_a_window_in_the_knowledge_base_any_rise_is_a_possible_flare() -> None:
    kb = load_scales()
    rule = kb.warnings.igm_flare.model_copy(update={"window_months": None})
    unbounded = kb.model_copy(
        update={"warnings": kb.warnings.model_copy(update={"igm_flare": rule})}
    )
    late = summarize(_igm_course([("2024-11-01", "1700 mg/dL")]), knowledge=unbounded).warnings
    assert any("IgM rose after rituximab" in w for w in late)
    assert not any("later than" in w for w in late)
