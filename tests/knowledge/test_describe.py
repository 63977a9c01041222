"""Rules printed as sentences for clinical review."""

from __future__ import annotations

from pydantic import TypeAdapter

from mgpn.knowledge import load_knowledge
from mgpn.knowledge.describe import describe
from mgpn.knowledge.predicates import Predicate


def test_threshold_is_shown_with_value_unit_and_flag() -> None:
    kb = load_knowledge()
    leaf = TypeAdapter(Predicate).validate_python(
        {"path": "labs.vegf_serum", "above": "vegf_serum_poems_pg_ml"}
    )
    assert describe(leaf, kb) == "labs.vegf_serum > 1920 pg/mL [vegf_serum_poems_pg_ml, UNVERIFIED]"


def test_combinators_read_as_words() -> None:
    kb = load_knowledge()
    predicate = TypeAdapter(Predicate).validate_python(
        {
            "all": [
                {"path": "neuropathy.sensory_ataxia", "is": True},
                {"not_true": {"criterion": "atypical"}},
            ]
        }
    )
    assert describe(predicate, kb) == (
        "ALL OF (neuropathy.sensory_ataxia is true; NOT KNOWN TRUE (criterion 'atypical'))"
    )


def test_every_rule_of_the_bundled_base_can_be_described() -> None:
    kb = load_knowledge()
    for rules in [*kb.syndromes, *kb.mimics, kb.link]:
        for criterion in rules.criteria:
            assert describe(criterion.when, kb)
        for rule in rules.status_rules:
            assert describe(rule.when, kb)


def test_any_known_is_written_as_alternatives_measured() -> None:
    from mgpn.knowledge import load_knowledge
    from mgpn.knowledge.describe import describe

    kb = load_knowledge()
    vegf = next(c for c in kb.syndrome("poems").criteria if c.id == "vegf_high")
    text = describe(vegf.when, kb)
    assert text.startswith("ANY OF THOSE MEASURED") and "UNVERIFIED" in text
