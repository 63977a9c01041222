"""The web layer's only door into the library: parse, evaluate, summarise a case.

Routers call these functions through :mod:`mgpn.web.deps`; nothing here knows HTTP.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property, lru_cache
from typing import Any

from fastapi.templating import Jinja2Templates

from mgpn.assessment import Assessment
from mgpn.case import Case, dump_case, field_catalog, parse_case
from mgpn.engine import evaluate
from mgpn.knowledge import KnowledgeBase, load_knowledge
from mgpn.report.deciding import deciding_fields
from mgpn.report.outcomes import outcomes_view
from mgpn.report.view import ReportDetails, ReportView, build_view


@dataclass(frozen=True)
class Evaluated:
    """A parsed case, its normalised form and what the engine said about it, and when."""

    case: Case
    assessment: Assessment
    assessed_at: datetime

    @cached_property
    def case_json(self) -> dict[str, Any]:
        """The normalised case (built when first asked for: the JSON API never needs it)."""
        return dump_case(self.case)


@dataclass(frozen=True)
class KnowledgeInfo:
    """What every page shows in its footer."""

    version: str
    disclaimer: str


def evaluate_mapping(data: Mapping[str, Any] | Any, source: str) -> Evaluated:
    """Parse ``data`` as a case (raises :class:`mgpn.errors.CaseError`) and evaluate it.

    Anything but a mapping (a JSON list, number or null body) is refused by the case
    reader, naming what was found and the fix.
    """
    case = parse_case(dict(data) if isinstance(data, Mapping) else data, source=source)
    assessment = evaluate(case, knowledge())
    return Evaluated(case, assessment, datetime.now(UTC))


@lru_cache(maxsize=1)
def knowledge() -> KnowledgeBase:
    """The bundled knowledge base, read once per process (:func:`warm` reads it at start-up)."""
    return load_knowledge()


def warm(templates: Jinja2Templates | None = None) -> None:
    """Read the knowledge base, build the field catalogue and compile the templates now.

    Called when the app is created, before the first request: otherwise the first
    requests arriving together would each do this work (each reading the knowledge base).
    """
    knowledge()
    knowledge_info()
    catalog()
    if templates is not None:
        for name in templates.env.list_templates(extensions=["html"]):
            templates.env.get_template(name)


@lru_cache(maxsize=1)
def knowledge_info() -> KnowledgeInfo:
    meta = knowledge().meta
    return KnowledgeInfo(version=str(meta.version), disclaimer=meta.disclaimer)


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
