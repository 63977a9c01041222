"""The web layer's only door into the library: parse, evaluate, summarise a case.

Routers call these functions through :mod:`mgpn.web.deps`; nothing here knows HTTP.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from mgpn.assessment import Assessment
from mgpn.case import Case, dump_case, field_catalog, parse_case
from mgpn.engine import evaluate
from mgpn.knowledge import disclaimer, load_knowledge
from mgpn.report.deciding import deciding_fields
from mgpn.report.outcomes import outcomes_view
from mgpn.report.view import ReportDetails, ReportView, build_view


@dataclass(frozen=True)
class Evaluated:
    """A parsed case, its normalised form and what the engine said about it, and when."""

    case: Case
    case_json: dict[str, Any]
    assessment: Assessment
    assessed_at: datetime


@dataclass(frozen=True)
class KnowledgeInfo:
    """What every page shows in its footer."""

    version: str
    disclaimer: str


def evaluate_mapping(data: Mapping[str, Any], source: str) -> Evaluated:
    """Parse ``data`` as a case (raises :class:`mgpn.errors.CaseError`) and evaluate it."""
    case = parse_case(dict(data), source=source)
    assessment = evaluate(case)
    return Evaluated(case, dump_case(case), assessment, datetime.now(UTC))


@lru_cache(maxsize=1)
def knowledge_info() -> KnowledgeInfo:
    return KnowledgeInfo(version=str(load_knowledge().meta.version), disclaimer=disclaimer())


@lru_cache(maxsize=1)
def catalog() -> tuple[object, ...]:
    """The case format's field catalogue (the form is generated from it)."""
    return tuple(field_catalog())


def stored_view(
    case_json: Mapping[str, Any],
    assessment_json: Mapping[str, Any],
    assessed_at: datetime,
    *,
    details: Mapping[str, str] | None = None,
    entered: Mapping[str, str] | None = None,
) -> ReportView:
    """The report view of a stored version: what the program said then, not now.

    ``details`` are the optional report fields stored with the version; ``entered``
    the quantities as typed.
    """
    assessment = Assessment.model_validate(dict(assessment_json))
    case = parse_case(dict(case_json), source="stored case")
    return build_view(
        assessment,
        case_json,
        assessed_at=assessed_at,
        outcomes=outcomes_view(case),
        details=ReportDetails(
            **{k: v for k, v in (details or {}).items() if k in ReportDetails.__dataclass_fields__}
        ),
        entered=entered,
        deciding=deciding_fields(),
    )


def live_view(evaluated: Evaluated, entered: Mapping[str, str] | None = None) -> ReportView:
    return build_view(
        evaluated.assessment,
        evaluated.case_json,
        assessed_at=evaluated.assessed_at,
        outcomes=outcomes_view(evaluated.case),
        entered=entered,
        deciding=deciding_fields(),
    )
