"""The order cautions file: its schema and its checks against the knowledge base."""

from __future__ import annotations

import pytest

from mgpn.errors import KnowledgeError
from mgpn.knowledge import load_knowledge
from mgpn.knowledge.order_cautions import load_order_cautions, read_order_cautions

GOOD = """
version: 1
cautions:
  - id: x
    drugs: [rituximab]
    when: {path: paraprotein.igm, at_least: igm_plasmapheresis_mg_dl}
    indicator: warning
    summary: "short"
    detail: "text"
    references: [pmid:38069574]
"""


def test_the_bundled_file_loads_and_cites_known_references() -> None:
    cautions = load_order_cautions()
    kb = load_knowledge()
    assert {c.id for c in cautions.cautions} >= {
        "rituximab_alone_high_igm",
        "neurotoxic_drug_in_neuropathy",
        "btk_inhibitor_first_line_igm_al",
    }
    for caution in cautions.cautions:
        assert caution.references and all(r in kb.references for r in caution.references)
        assert len(caution.summary) < 140


def test_a_good_file_reads() -> None:
    assert read_order_cautions(GOOD, load_knowledge()).cautions[0].id == "x"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("pmid:38069574", "pmid:0"), "unknown reference id"),
        (("paraprotein.igm", "paraprotein.igx"), "not a case field"),
        (("igm_plasmapheresis_mg_dl", "no_such_threshold"), "unknown threshold"),
        (('"short"', '"' + "x" * 140 + '"'), "summary"),
        (("indicator: warning", "indicator: hard-stop"), "indicator"),
        (("detail:", "detial:"), "detial"),
    ],
)
def test_mistakes_are_refused(change: tuple[str, str], message: str) -> None:
    with pytest.raises(KnowledgeError, match=message):
        read_order_cautions(GOOD.replace(*change), load_knowledge())
