"""Words for clinicians: the render-time mapping from the program's ids to what a user reads.

The engine and the knowledge base speak in ids (``not_assessed``, ``treat_other_cause``,
``seed:10``) and their texts were written by the people who built the knowledge base;
every face of the program shows them through this module so that a reader sees
statuses as words, references as short citations (full ones at the end) and the
source review named like any other paper (Sarosiek, Doughty, Castillo 2025).

No clinical judgement lives here: only vocabulary.

* :func:`status_words` - a status id of a given kind as words;
* :func:`clinical_text` - a knowledge-base sentence with internal words replaced;
* :func:`short_citation` - "Svahn et al. 2018" from a reference's id and citation;
* :func:`full_citation` - the reference list's text for one reference;
* :func:`field_label` - what a clinician calls a case field (``function.mrs`` ->
  "Modified Rankin Scale").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Literal

StatusKind = Literal["syndrome", "mimic", "link", "indication", "priority", "direction"]

REVIEW_SHORT = "Sarosiek, Doughty, Castillo 2025"
REVIEW_AUTHORS = "Sarosiek, Doughty and Castillo"
_REVIEW_IDS = ("seed",)

_STATUS_WORDS: dict[str, dict[str, str]] = {
    "syndrome": {
        "established": "established",
        "probable": "probable",
        "possible": "possible",
        "undetermined": "not decidable yet",
        "unlikely": "unlikely",
        "excluded": "excluded",
    },
    "mimic": {
        "present": "present",
        "possible": "possible",
        "excluded": "excluded",
        "not_assessed": "not assessed",
    },
    "link": {
        "established": "Yes (established)",
        "probable": "Probably",
        "uncertain": "Uncertain",
        "unlikely": "Unlikely",
        "undetermined": "Cannot say yet",
    },
    "indication": {
        "treat": "Treatment recommended",
        "consider": "Consider treatment",
        "observe": "Observe; no treatment indicated now",
        "treat_other_cause": "Treat the other cause first",
        "undetermined": "Cannot say yet",
    },
    "priority": {"now": "now", "next": "next", "consider": "consider"},
    "direction": {
        "improved": "improved",
        "worsened": "worse",
        "stable": "stable",
        "not known": "not known",
    },
}


def status_words(kind: StatusKind, status: str) -> str:
    """A status id as words (an id this module does not know is shown without underscores)."""
    return _STATUS_WORDS.get(kind, {}).get(status, status.replace("_", " "))


# Internal words in knowledge-base prose, most specific first. Each is (pattern, words).
_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), words)
    for pattern, words in (
        (r"Seed review, reference (\d+)", rf"Reference \1 of {REVIEW_SHORT}"),
        (r",? as cited in the seed( review)?", ""),
        (r"\(seed refs? (\d+(?:\s*(?:,|and|-|\u2013)\s*\d+)*)\)", rf"({REVIEW_SHORT}, ref. \1)"),
        (r"\bseed refs? (\d+)", rf"{REVIEW_SHORT}, ref. \1"),
        (r"\(seed\)", f"({REVIEW_SHORT})"),
        (r"\(seed;\s*", f"({REVIEW_SHORT}; "),
        (r"\bthe seed authors\b", REVIEW_AUTHORS),
        (r"\bthe seed(?: review)?'s\b", f"the {REVIEW_SHORT} review's"),
        (r"\b(?:by|in|from) the seed(?: review)?\b", f"in the review by {REVIEW_AUTHORS} (2025)"),
        (r"\bthe seed(?: review)?\b", f"the review by {REVIEW_AUTHORS} (2025)"),
        (r"\bSeed:\s*", ""),
        (r"\bseed\b", REVIEW_SHORT),
        (r"\s*\(facts\.md open question \d+\)", " (not verified)"),
        (r"\s*\(facts\.md[^)]*\)", ""),
        (r"\bnot in facts\.md\b", "not in the reviewed literature"),
        (r"\bin facts\.md\b", "in the reviewed literature"),
        (r"\bfacts\.md\b", "the reviewed literature"),
        (r"\bopen question \d+\b", "not yet resolved"),
        (r"\bopen question\b", "unresolved point"),
        (r"\bthe KB engineer(?:'s)?\b", "the knowledge base's authors"),
        (r"\bKB engineer's\b", "the knowledge base's"),
        (r"\bKB engineer\b", "knowledge base author"),
        (r"\bUNVERIFIED\b", "unverified"),
        # confidence grades of the knowledge base's source notes, meaningless to a reader
        (r",\s*(?:MOD|HIGH|LOW)\)", ")"),
        (r"\s*\((?:MOD|HIGH|LOW)\)", ""),
    )
)
_SPACES = re.compile(r"\s{2,}")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,;)])")


_SECTIONS = (
    "patient|paraprotein|history|neuropathy|electrodiagnosis|antibodies|labs|systemic|"
    "imaging|pathology|function"
)
_FIELD_PATH = re.compile(
    rf"\b(?:(?:visits|treatments)\[\d+\]\.)?(?:{_SECTIONS})\.[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)?"
)


# The rewrites are 30 regular expressions per sentence and every assessment shows a few
# hundred sentences drawn from the same knowledge base: remembered, a live form update
# or a CDS card no longer re-runs them (the functions below depend on their text only).
_TEXT_CACHE = 8192


@lru_cache(maxsize=_TEXT_CACHE)
def clinical_text(text: str) -> str:
    """A knowledge-base or engine sentence as a clinician should read it."""
    out = _FIELD_PATH.sub(lambda m: field_label(m.group(0)), text)
    for pattern, words in _REWRITES:
        out = pattern.sub(words, out)
    out = _SPACE_BEFORE_PUNCT.sub(r"\1", _SPACES.sub(" ", out))
    return out.strip()


_YEAR = re.compile(r"\b(19\d{2}|20\d{2})\b")
_PARTICLES = {"de", "den", "der", "van", "von", "la", "le", "du", "da", "di", "del"}
_INITIALS = re.compile(r"^[A-Z]{1,4}[,.]?$")


def _first_author(citation: str) -> tuple[str, bool] | None:
    """("Svahn", True) for "Svahn J et al. ..." (True: more than one author)."""
    words = citation.split()
    name: list[str] = []
    for index, word in enumerate(words[:6]):
        if name and _INITIALS.match(word):
            rest = " ".join(words[index + 1 : index + 3])
            several = word.endswith(",") or rest.startswith("et al")
            return " ".join(name), several
        if word[:1].isupper() or (name and word.lower() in _PARTICLES) or word[:2] in ("D'", "O'"):
            if word.endswith((",", ".", ":")):
                return None
            name.append(word)
            continue
        if word.lower() in _PARTICLES and not name:
            name.append(word[0].upper() + word[1:])
            continue
        return None
    return None


def _lead_phrase(citation: str, limit: int = 5) -> str:
    """The citation's opening phrase (before the first '.', ',', ':' or '('), at most ``limit`` words."""
    head = re.split(r"[.,:(;]", citation, maxsplit=1)[0].strip()
    words = head.split()
    return " ".join(words[:limit]) + ("…" if len(words) > limit else "")


@lru_cache(maxsize=_TEXT_CACHE)
def short_citation(ref_id: str, citation: str = "") -> str:
    """The in-text form of a reference: "Svahn et al. 2018", "Sarosiek, Doughty, Castillo 2025"."""
    base, _, number = ref_id.partition(":")
    if base in _REVIEW_IDS:
        return f"{REVIEW_SHORT}, ref. {number}" if number else REVIEW_SHORT
    year_match = _YEAR.search(citation)
    year = f" {year_match.group(1)}" if year_match else ""
    author = _first_author(citation) if citation else None
    if author:
        name, several = author
        return f"{name}{' et al.' if several else ''}{year}"
    if citation.startswith("Joint Task Force of the EFNS and PNS"):
        return "EFNS/PNS" + year
    if citation:
        return _lead_phrase(citation) + year
    if base == "pmid":
        return f"PMID {number}"
    if base == "nct":
        return number
    return ref_id if base in ("doi",) else ref_id.replace("_", " ").replace("cit:", "")


@lru_cache(maxsize=_TEXT_CACHE)
def full_citation(ref_id: str, citation: str) -> str:
    """The reference list's text for one reference (internal words rewritten)."""
    base, _, number = ref_id.partition(":")
    if base in _REVIEW_IDS and number and citation.lower().startswith("seed review"):
        # "Seed review, reference 10 (topic)" -> the review's own reference, by its number.
        topic = re.search(r"\((.*)\)", citation)
        about = f" ({clinical_text(topic.group(1))})" if topic else ""
        return f"Reference {number} cited in {REVIEW_SHORT}{about}."
    return clinical_text(citation)


# What a clinician calls a case field, where the file key is not already that.
_FIELD_LABELS: dict[str, str] = {
    "id": "Case identifier",
    "recorded": "Findings recorded on",
    "patient.age": "Age",
    "patient.sex": "Sex",
    "paraprotein.isotype": "Paraprotein isotype",
    "paraprotein.heavy_chains": "Heavy chains (biclonal)",
    "paraprotein.light_chain": "Light chain",
    "paraprotein.m_spike": "M-spike",
    "paraprotein.igm": "Serum IgM",
    "paraprotein.flc_kappa": "Free kappa light chain",
    "paraprotein.flc_lambda": "Free lambda light chain",
    "paraprotein.clone": "Clone",
    "paraprotein.marrow_plasma_cells": "Marrow plasma cells",
    "paraprotein.marrow_lymphoplasmacytic": "Lymphoplasmacytic marrow infiltration",
    "paraprotein.myd88_l265p": "MYD88 L265P",
    "history.diabetes": "Diabetes mellitus",
    "history.hba1c": "HbA1c",
    "history.alcohol_excess": "Alcohol excess",
    "history.neurotoxic_drugs": "Neurotoxic drugs",
    "history.b12": "Vitamin B12",
    "history.methylmalonic_acid": "Methylmalonic acid",
    "history.tsh": "TSH",
    "history.hypothyroidism": "Hypothyroidism",
    "history.hiv": "HIV test",
    "history.hepatitis_c": "Hepatitis C serology",
    "history.copper": "Serum copper",
    "history.family_history_neuropathy": "Family history of neuropathy",
    "history.spine_disease": "Spine disease (radiculopathy, stenosis, myelopathy)",
    "neuropathy.present": "Peripheral neuropathy present",
    "neuropathy.onset_months": "Months since first symptom",
    "neuropathy.large_fiber_sensory_loss": "Large-fibre sensory loss (vibration, joint position)",
    "neuropathy.small_fiber_features": "Small-fibre features (pinprick, temperature, burning)",
    "neuropathy.upper_limb_predominant": "Upper-limb predominant",
    "electrodiagnosis.performed": "NCS/EMG performed",
    "electrodiagnosis.pattern": "NCS pattern",
    "electrodiagnosis.disproportionate_distal_latency": "Disproportionately prolonged distal motor latency",
    "antibodies.anti_mag": "Anti-MAG titre",
    "antibodies.sgpg": "Anti-SGPG",
    "function.mrs": "Modified Rankin Scale",
    "function.progressing": "Worse over the last 6-12 months",
    "function.adl_impact": "Limits activities of daily living",
    "function.incat_arm": "INCAT disability, arm",
    "function.incat_leg": "INCAT disability, leg",
    "function.incat_sensory_sum": "INCAT sensory sum score",
    "function.mrc_sum": "MRC sum score",
    "function.i_rods": "I-RODS centile",
    "function.walk_10m": "10-metre walk time",
    "mrs": "Modified Rankin Scale",
    "incat_arm": "INCAT disability, arm",
    "incat_leg": "INCAT disability, leg",
    "incat_sensory_sum": "INCAT sensory sum score",
    "mrc_sum": "MRC sum score",
    "i_rods": "I-RODS centile",
    "walk_10m": "10-metre walk time",
    "date": "Visit date",
    "igm": "Serum IgM",
    "m_spike": "M-spike",
}


@lru_cache(maxsize=1)
def _descriptions() -> dict[str, str]:
    from mgpn.case import field_catalog

    return {d.path: d.description for d in field_catalog()}


@lru_cache(maxsize=_TEXT_CACHE)
def field_label(path: str, description: str = "") -> str:
    """What a clinician calls the field at ``path`` (the catalogue's description as fallback)."""
    row = re.match(r"^(visits|treatments)\[(\d+)\]\.(.+)$", path)
    if row:
        kind = "Visit" if row.group(1) == "visits" else "Treatment"
        return f"{kind} {int(row.group(2)) + 1}: {field_label(row.group(3))}"
    if path in _FIELD_LABELS:
        return _FIELD_LABELS[path]
    description = description or _descriptions().get(path, "")
    if description and len(description) <= 48 and "(" not in description:
        return description[:1].upper() + description[1:]
    inner = path.split(".", 1)[1] if "." in path else path
    text = " ".join(inner.replace(".", " ").split("_"))
    return text[:1].upper() + text[1:]


def choice_words(choice: str) -> str:
    """A vocabulary value as words: ``chronic_progressive`` -> "chronic progressive"."""
    return choice.replace("_", " ")


_REF_LIST = re.compile(r"\[((?:seed(?::\d+)?|pmid:\d+|pmc:PMC\d+|doi:10\.\S+?|url:\S+?)"
                       r"(?:,\s*(?:seed(?::\d+)?|pmid:\d+|pmc:PMC\d+|doi:10\.\S+?|url:\S+?))*)\]")  # fmt: skip


def cite_references(text: str, citations: Mapping[str, str]) -> str:
    """``"... [seed, pmid:15493038]."`` -> ``"... (Sarosiek, Doughty, Castillo 2025; Ghobrial et al. 2004)."``."""

    def replace(match: re.Match[str]) -> str:
        ids = [part.strip() for part in match.group(1).split(",")]
        shown = []
        for ref in ids:
            if ref.startswith("url:"):
                shown.append("secondary source")
            else:
                shown.append(short_citation(ref, citations.get(ref, "")))
        return "(" + "; ".join(dict.fromkeys(shown)) + ")"

    return clinical_text(_REF_LIST.sub(replace, text))


def cite_reference_lines(text: str, citations: Mapping[str, str]) -> str:
    """A multi-line text with ``reference: seed, pmid:1`` lines and ``[ids]`` lists cited
    as short citations, line by line (indentation kept)."""
    out = []
    for line in text.split("\n"):
        indent = line[: len(line) - len(line.lstrip())]
        body = line.strip()
        if body.startswith("reference: "):
            inner = cite_references(f"[{body[len('reference: ') :]}]", citations)
            body = f"reference: {inner.strip('()')}"
        elif body:
            body = cite_references(body, citations)
        out.append(indent + body)
    return "\n".join(out)
