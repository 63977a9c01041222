"""The scales' knowledge file: it loads, it is strict, and it carries its references."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mgpn.errors import KnowledgeError
from mgpn.outcomes import load_scales
from mgpn.outcomes.scales import parse_scales

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
BUNDLED = Path(__file__).resolve().parents[2] / "src/mgpn/knowledge/data/scales.yaml"


def _shared() -> Path:
    if not (SHARED / "spec").is_dir():
        pytest.skip("../shared is not present")
    return SHARED


def test_bundled_knowledge_loads_with_the_scales_the_issue_names() -> None:
    ids = {scale.id for scale in load_scales().summary_scales}
    assert ids == {"mrs", "incat", "incat_sensory_sum", "mrc_sum", "i_rods", "walk_10m"}


def test_every_scale_rule_and_mcid_carries_references() -> None:
    kb = load_scales()
    for scale in kb.scales:
        assert scale.references, scale.id
        if scale.mcid is not None:
            assert scale.mcid.references and scale.mcid.note, scale.id
    assert all(rule.references for rule in kb.responders)


def test_secondary_sources_are_never_marked_verified() -> None:
    # A number read only on a web page (url:) must be flagged as not verified.
    for scale in load_scales().scales:
        if scale.mcid and all(ref.startswith("url:") for ref in scale.mcid.references):
            assert scale.mcid.verified is False, scale.id


def test_the_seed_responder_definition_is_present_and_cited() -> None:
    rules = {rule.id: rule for rule in load_scales().responders}
    seed = rules["two_scales_one_point"]
    assert (seed.min_scales, seed.min_improvement, seed.references) == (2, 1, ["seed:25"])


def _text_with(old: str, new: str) -> str:
    text = BUNDLED.read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "named"),
    [
        ("    short: mRS\n", "    short: mRS\n    colour: red\n", "colour"),
        ("references: [pmid:23667063]", "references: [Leger 2013]", "references"),
        ("scales: [incat_leg]", "scales: [incat_lge]", "incat_lge"),
        ('{value: 6, meaning: "dead"}', '{value: 7, meaning: "dead"}', "grade 7"),
        ("format: mgpn-scales/1", "format: mgpn-scales/2", "format"),
    ],
)
def test_malformed_knowledge_is_refused_naming_the_problem(old: str, new: str, named: str) -> None:
    with pytest.raises(KnowledgeError, match=re.escape(named)):
        parse_scales(_text_with(old, new))


def test_scale_ranges_agree_with_the_case_format() -> None:
    spec = (_shared() / "spec" / "case-format.md").read_text(encoding="utf-8")
    # Table rows such as: | `mrc_sum` | integer | MRC sum score, 0<en dash>60 |
    found = re.findall(r"^\| `(\w+)` \| (?:integer|number) \| [^|]*?(\d+)\u2013(\d+)", spec, re.M)
    rows = {name: (float(low), float(high)) for name, low, high in found}
    checked = 0
    for scale in load_scales().scales:
        if len(scale.fields) == 1 and scale.fields[0] in rows:
            assert (scale.minimum, scale.maximum) == rows[scale.fields[0]], scale.id
            checked += 1
    assert checked >= 5  # mrs, incat_arm, incat_leg, incat_sensory_sum, mrc_sum, i_rods
