"""The engine on a toy knowledge base: it must know no medicine, only follow the rules."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mgpn.assessment import SYNDROME_IDS
from mgpn.engine import evaluate
from mgpn.engine.rules import RuleSetOutcome, score
from mgpn.knowledge import KnowledgeBase
from tests.engine.conftest import FakeCase


class Q:
    def __init__(self, value: float, comparator: str | None = None) -> None:
        self.value, self.comparator, self.unit = value, comparator, "BTU"


def test_status_rules_fire_in_order(toy_kb: KnowledgeBase) -> None:
    case = FakeCase({"paraprotein.isotype": "IgM", "antibodies.anti_mag": Q(70000, ">")})
    result = evaluate(case, toy_kb).syndrome("anti_mag")
    assert result.status == "established"
    assert result.status_reason == "IgM and high titre"
    assert "titre high" in result.for_


def test_unknown_titre_is_undetermined_and_asks_for_it(toy_kb: KnowledgeBase) -> None:
    result = evaluate(FakeCase({"paraprotein.isotype": "IgM"}), toy_kb).syndrome("anti_mag")
    assert result.status == "undetermined"
    assert "anti-MAG titre" in result.missing


def test_known_low_titre_falls_to_default(toy_kb: KnowledgeBase) -> None:
    case = FakeCase({"paraprotein.isotype": "IgM", "antibodies.anti_mag": Q(1000, "<")})
    assert evaluate(case, toy_kb).syndrome("anti_mag").status == "unlikely"


def test_every_syndrome_listed_and_ranked(toy_kb: KnowledgeBase) -> None:
    assessment = evaluate(FakeCase({"paraprotein.isotype": "IgM"}), toy_kb)
    assert sorted(s.id for s in assessment.syndromes) == sorted(SYNDROME_IDS)
    assert [s.rank for s in assessment.syndromes] == list(range(1, 13))
    assert assessment.syndromes[0].id == "anti_mag"  # undetermined outranks unlikely


def test_against_criterion_lowers_score(toy_kb: KnowledgeBase) -> None:
    base = {"paraprotein.isotype": "IgM"}
    plain = evaluate(FakeCase(base), toy_kb).syndrome("anti_mag")
    against = evaluate(FakeCase({**base, "neuropathy.symmetry": "asymmetric"}), toy_kb)
    assert against.syndrome("anti_mag").score < plain.score
    assert "asymmetric" in against.syndrome("anti_mag").against


def test_mimic_drives_coincidental_link_and_indication(toy_kb: KnowledgeBase) -> None:
    assessment = evaluate(FakeCase({"history.diabetes": True, "function.mrs": 3}), toy_kb)
    assert assessment.mimic("diabetes").status == "present"
    assert assessment.syndrome("coincidental").status == "probable"
    assert assessment.treatment.indication == "treat_other_cause"


def test_indication_from_threshold_and_default(toy_kb: KnowledgeBase) -> None:
    assert evaluate(FakeCase({"function.mrs": 2}), toy_kb).treatment.indication == "treat"
    missing = evaluate(FakeCase({}), toy_kb).treatment
    assert missing.indication == "undetermined"
    assert missing.reasons == ["mRS missing"]


def test_done_test_is_not_proposed_again(toy_kb: KnowledgeBase) -> None:
    todo = evaluate(FakeCase({"paraprotein.isotype": "IgM"}), toy_kb)
    assert [t.id for t in todo.tests] == ["anti_mag"]
    done = evaluate(
        FakeCase({"paraprotein.isotype": "IgM", "antibodies.anti_mag": "negative"}), toy_kb
    )
    assert done.tests == []


def test_unverified_criterion_is_reported_when_relied_on(toy_kb: KnowledgeBase) -> None:
    quiet = evaluate(FakeCase({"paraprotein.isotype": "IgM"}), toy_kb)
    assert quiet.unverified == []
    loud = evaluate(FakeCase({"paraprotein.isotype": "IgM", "neuropathy.tremor": 2}), toy_kb)
    assert any("tremor" in item for item in loud.unverified)
    assert loud.syndrome("anti_mag").unverified


def test_out_of_scope_stops_evaluation(toy_kb: KnowledgeBase) -> None:
    assessment = evaluate(FakeCase({"neuropathy.present": False, "function.mrs": 4}), toy_kb)
    assert assessment.in_scope is False
    assert assessment.scope_note == "no neuropathy"
    assert {s.status for s in assessment.syndromes} == {"excluded"}
    assert assessment.tests == []
    assert assessment.treatment.indication == "undetermined"


def test_outputs_carry_disclaimer_version_and_references(toy_kb: KnowledgeBase) -> None:
    assessment = evaluate(
        FakeCase({"paraprotein.isotype": "IgM", "antibodies.anti_mag": Q(90000), "labs.il6": Q(5)}),
        toy_kb,
    )
    assert assessment.disclaimer.startswith("Toy disclaimer")
    assert assessment.knowledge_version == "toy-1"
    assert [r.id for r in assessment.references] == ["ref:a"]
    assert assessment.treatment.options[0].regimen == "toy regimen"
    assert assessment.treatment.warnings == ["toy flare warning"]
    assert assessment.biomarkers[0].research_only is True
    assert assessment.link.status == "established"


# --- the score is monotone in criteria met in favour ---------------------------------

TRUTH = st.sampled_from([True, False, None])


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_a_criterion_in_favour_turning_true_never_lowers_the_score(
    data: st.DataObject, toy_kb: KnowledgeBase
) -> None:
    from mgpn.knowledge import load_knowledge

    kb = data.draw(st.sampled_from([toy_kb, load_knowledge()]))
    syndrome = data.draw(st.sampled_from(kb.syndromes))
    if not syndrome.criteria:
        return
    truths = [data.draw(TRUTH) for _ in syndrome.criteria]
    favour = [i for i, c in enumerate(syndrome.criteria) if c.direction == "for"]
    if not favour:
        return
    index = data.draw(st.sampled_from(favour))

    def outcome(values: list[bool | None]) -> RuleSetOutcome:
        return RuleSetOutcome("possible", "", syndrome.criteria, values)

    before = score(syndrome.prior, outcome(truths))
    truths[index] = True
    assert score(syndrome.prior, outcome(truths)) >= before
