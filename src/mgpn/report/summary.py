"""Summary view model: the bottom line of an assessment, built once, rendered by every face.

A clinician in a hurry reads this first: on the web assessment panel, on page 1 of
the PDF and HTML report, in the first lines of ``mgpn evaluate`` (text and markdown)
and in CDS Hooks cards. It is built from an :class:`~mgpn.assessment.Assessment` and
nothing else; it adds no clinical judgement (every statement is the engine's, put in
clinical words by :mod:`mgpn.report.language`).

API
---
>>> summary = build_summary(assessment)                      # doctest: +SKIP
>>> summary.headline            # "Anti-MAG neuropathy: established"
>>> summary.leading             # tuple[LeadingSyndrome, ...]: 1 to 3, most likely first
>>> summary.cause               # CauseVerdict: is the paraprotein the likely cause?
>>> summary.next_tests          # tuple[NextTest, ...]: the 1 to 3 most useful, with why
>>> summary.indication          # Indication: code ("treat"...), words, one-line reason
>>> summary.red_flags           # tuple[str, ...]: "don't miss" findings, in words
>>> summary.would_change        # tuple[WouldChange, ...]: what would change the conclusion
>>> summary.disclaimer          # always shown: supports, does not replace, judgement
>>> summary.to_dict()           # plain JSON-ready dict of all of the above
>>> summary.lines()             # the summary as short plain-text lines (CDS card detail)

Fields
~~~~~~
``Summary``: ``case_id``, ``knowledge_version``, ``in_scope``, ``scope_note``,
``headline`` (one line), ``leading``, ``cause``, ``next_tests``, ``indication``,
``red_flags``, ``would_change``, ``relies_on_unverified`` (bool: the leading
conclusion uses a statement the knowledge base marks unverified), ``disclaimer``.

``LeadingSyndrome``: ``id`` (contract id, e.g. ``anti_mag``; for machines, never
shown), ``label``, ``status`` (contract id), ``status_words``, ``reason``,
``citations``.  ``CauseVerdict``: ``status`` (link id), ``words``, ``reason``,
``citations``.  ``NextTest``: ``id``, ``label``, ``priority`` (``now``/``next``/
``consider``), ``why``, ``citations``.  ``Indication``: ``code`` (treatment
indication id), ``words``, ``reason``, ``citations``.  ``WouldChange``: ``text``
(what to find out), ``syndrome`` (label of the syndrome it decides), ``fields``
(case-format paths that answer it, e.g. ``antibodies.anti_mag``; may be empty).
``Citation``: ``id`` (reference id), ``short`` ("Svahn et al. 2018"), ``anchor``
(the reference list's HTML anchor).

Cards: a CDS Hooks card can take ``headline`` as its summary (<=140 characters is
not guaranteed: truncate), ``indication.words`` + ``indication.reason`` and
``next_tests`` as detail, ``red_flags`` for the indicator ("critical" when non-empty).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

from mgpn.assessment import Assessment, SyndromeResult
from mgpn.report.language import clinical_text, short_citation, status_words

MAX_TESTS = 3
MAX_LEADING = 3
MAX_WOULD_CHANGE = 4
_STRONG = ("established", "probable")
_OPEN = ("probable", "possible", "undetermined")
_UNSAFE_ANCHOR = re.compile(r"[^A-Za-z0-9_-]+")


@lru_cache(maxsize=4096)  # the same few hundred ids on every page (about 180 calls a view)
def reference_anchor(ref_id: str) -> str:
    """The HTML anchor of a reference in a report's reference list."""
    return "ref-" + _UNSAFE_ANCHOR.sub("-", ref_id).strip("-")


@dataclass(frozen=True)
class Citation:
    id: str
    short: str
    anchor: str


@dataclass(frozen=True)
class LeadingSyndrome:
    id: str
    label: str
    status: str
    status_words: str
    reason: str
    citations: tuple[Citation, ...] = ()


@dataclass(frozen=True)
class CauseVerdict:
    status: str
    words: str
    reason: str
    citations: tuple[Citation, ...] = ()


@dataclass(frozen=True)
class NextTest:
    id: str
    label: str
    priority: str
    why: str
    citations: tuple[Citation, ...] = ()


@dataclass(frozen=True)
class Indication:
    code: str
    words: str
    reason: str
    citations: tuple[Citation, ...] = ()


@dataclass(frozen=True)
class WouldChange:
    text: str
    syndrome: str
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class Summary:
    case_id: str | None
    knowledge_version: str
    in_scope: bool
    scope_note: str | None
    headline: str
    leading: tuple[LeadingSyndrome, ...]
    cause: CauseVerdict
    next_tests: tuple[NextTest, ...]
    indication: Indication
    red_flags: tuple[str, ...]
    would_change: tuple[WouldChange, ...]
    relies_on_unverified: bool
    disclaimer: str

    def to_dict(self) -> dict[str, Any]:
        """The summary as plain data (JSON-ready)."""
        return asdict(self)

    def lines(self) -> list[str]:
        """The summary as short plain-text lines, most important first."""
        out = [self.headline]
        if not self.in_scope and self.scope_note:
            out.append(f"Outside the tool's scope: {clinical_text(self.scope_note)}")
        out += [f"Don't miss: {flag}" for flag in self.red_flags]
        out.append(f"Paraprotein the likely cause? {self.cause.words}. {self.cause.reason}".strip())
        out.append(f"Treatment: {self.indication.words}. {self.indication.reason}".strip())
        out += [f"Next: {t.label} ({t.priority}): {t.why}" for t in self.next_tests]
        out += [f"Would change it: {w.text}" for w in self.would_change]
        out.append(self.disclaimer)
        return out


def _citations(ids: Sequence[str], citations: Mapping[str, str]) -> tuple[Citation, ...]:
    return tuple(
        Citation(r, short_citation(r, citations.get(r, "")), reference_anchor(r))
        for r in dict.fromkeys(ids)
    )


def _leading(syndromes: Sequence[SyndromeResult]) -> list[SyndromeResult]:
    """Rank 1, plus any other syndrome that is established or probable (they can coexist)."""
    ranked = sorted(syndromes, key=lambda s: s.rank)
    if not ranked:
        return []
    chosen = [ranked[0]]
    chosen += [s for s in ranked[1:] if s.status in _STRONG]
    return chosen[:MAX_LEADING]


def _headline(leading: Sequence[LeadingSyndrome]) -> str:
    if not leading:
        return "No syndrome could be assessed"
    first = leading[0]
    if first.status in ("unlikely", "excluded"):
        return f"No paraprotein-related syndrome is likely (most likely: {first.label}, {first.status_words})"
    text = "; ".join(f"{s.label}: {s.status_words}" for s in leading)
    return text


def _would_change(
    leading: Sequence[SyndromeResult],
    ranked: Sequence[SyndromeResult],
    deciding: Mapping[str, Sequence[str]],
) -> list[WouldChange]:
    """What is missing for the leading syndrome(s), then for the closest open contender."""
    sources = list(leading)
    contender = next((s for s in ranked if s not in sources and s.status in _OPEN), None)
    if contender is not None and (not leading or leading[0].status != "established"):
        sources.append(contender)
    items: list[WouldChange] = []
    seen: set[str] = set()
    for syndrome in sources:
        for text in syndrome.missing:
            if text in seen:
                continue
            seen.add(text)
            items.append(
                WouldChange(clinical_text(text), syndrome.label, tuple(deciding.get(text, ())))
            )
    return items[:MAX_WOULD_CHANGE]


def build_summary(
    assessment: Assessment, *, deciding: Mapping[str, Sequence[str]] | None = None
) -> Summary:
    """The bottom line of ``assessment``.

    ``deciding`` maps a "missing" text of the assessment to the case-format paths that
    answer it (see :func:`mgpn.report.deciding.deciding_fields`); without it the
    ``WouldChange.fields`` stay empty.
    """
    a = assessment
    cites = {r.id: r.citation for r in a.references}
    ranked = sorted(a.syndromes, key=lambda s: s.rank)
    chosen = _leading(ranked)
    leading = tuple(
        LeadingSyndrome(
            id=s.id,
            label=s.label,
            status=s.status,
            status_words=status_words("syndrome", s.status),
            reason=clinical_text(s.status_reason or ""),
            citations=_citations(s.references, cites),
        )
        for s in chosen
    )
    cause = CauseVerdict(
        status=a.link.status,
        words=status_words("link", a.link.status),
        reason=clinical_text(a.link.reasons[0]) if a.link.reasons else "",
        citations=_citations(a.link.references, cites),
    )
    tests = tuple(
        NextTest(
            t.id, t.label, t.priority, clinical_text(t.reason), _citations(t.references, cites)
        )
        for t in a.tests[:MAX_TESTS]
    )
    indication = Indication(
        code=a.treatment.indication,
        words=status_words("indication", a.treatment.indication),
        reason=clinical_text(a.treatment.reasons[0]) if a.treatment.reasons else "",
        citations=_citations(a.treatment.references, cites),
    )
    return Summary(
        case_id=a.case_id,
        knowledge_version=a.knowledge_version,
        in_scope=a.in_scope,
        scope_note=a.scope_note,
        headline=_headline(leading),
        leading=leading,
        cause=cause,
        next_tests=tests,
        indication=indication,
        red_flags=tuple(clinical_text(f) for f in a.red_flags),
        would_change=tuple(_would_change(chosen, ranked, deciding or {})),
        relies_on_unverified=any(s.unverified for s in chosen),
        disclaimer=a.disclaimer,
    )
