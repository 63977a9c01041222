"""``/api/v1/cases``: save a case (with its assessment), list, read, add a version."""

from __future__ import annotations

from fastapi import APIRouter, status

from mgpn.web.deps import EvaluatorDep, StoreDep
from mgpn.web.routers.links import case_links
from mgpn.web.schemas import (
    CaseIn,
    CaseListItem,
    CaseListOut,
    CaseOut,
    CaseSaved,
    InputErrorOut,
    MessageOut,
    VersionOut,
)
from mgpn.web.store import StoredVersion
from mgpn.web.strict_json import StrictJSONRoute

router = APIRouter(prefix="/api/v1/cases", tags=["cases"], route_class=StrictJSONRoute)

_ERRORS: dict[int | str, dict[str, object]] = {
    422: {
        "model": InputErrorOut,
        "description": "every problem, with its field path; nothing saved",
    },
    503: {"model": MessageOut, "description": "the database failed; nothing saved"},
}
_NOT_FOUND: dict[int | str, dict[str, object]] = {404: {"model": MessageOut}}


def _saved(stored: StoredVersion) -> CaseSaved:
    return CaseSaved(
        id=stored.case_id,
        version=stored.version,
        knowledge_version=stored.knowledge_version,
        assessed_at=stored.assessed_at,
        links=case_links(stored.case_id),
    )


@router.post("", status_code=status.HTTP_201_CREATED, responses=_ERRORS, summary="Save a new case")
def create_case(case: CaseIn, store: StoreDep, evaluate: EvaluatorDep) -> CaseSaved:
    evaluated = evaluate(case, "request body")
    stored = store.create(
        evaluated.case_json,
        evaluated.assessment.to_json_dict(),
        evaluated.assessment.knowledge_version,
        evaluated.assessed_at,
    )
    return _saved(stored)


@router.get("", summary="List saved cases, most recently changed first")
def list_cases(store: StoreDep) -> CaseListOut:
    return CaseListOut(
        cases=[
            CaseListItem(
                id=c.case_id,
                label=c.label,
                latest_version=c.latest_version,
                created_at=c.created_at,
                updated_at=c.updated_at,
            )
            for c in store.list_cases()
        ]
    )


@router.get("/{case_id}", responses=_NOT_FOUND, summary="A saved case (latest or given version)")
def read_case(case_id: str, store: StoreDep, version: int | None = None) -> CaseOut:
    stored = store.get(case_id, version)
    return CaseOut(
        id=stored.case_id,
        version=stored.version,
        label=stored.label,
        knowledge_version=stored.knowledge_version,
        assessed_at=stored.assessed_at,
        case=stored.case,
        assessment=stored.assessment,
        versions=[
            VersionOut(
                version=v.version, knowledge_version=v.knowledge_version, assessed_at=v.assessed_at
            )
            for v in store.versions(case_id)
        ],
    )


@router.put(
    "/{case_id}",
    responses={**_ERRORS, **_NOT_FOUND},
    summary="Save a new version of a case (earlier versions are kept)",
)
def update_case(case_id: str, case: CaseIn, store: StoreDep, evaluate: EvaluatorDep) -> CaseSaved:
    store.get(case_id)  # 404 before any work when the case does not exist
    evaluated = evaluate(case, "request body")
    stored = store.add_version(
        case_id,
        evaluated.case_json,
        evaluated.assessment.to_json_dict(),
        evaluated.assessment.knowledge_version,
        evaluated.assessed_at,
    )
    return _saved(stored)
