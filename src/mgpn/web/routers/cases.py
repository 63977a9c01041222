"""``/api/v1/cases``: save a case (with its assessment), list, read, add a version.

Adding a version names the version it edits (``If-Match: "N"``, the ETag of a read, or
``?base_version=N``); a stale one gets 409 and nothing is saved, none names it 428.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Header, Query, Response, status
from starlette.exceptions import HTTPException

from mgpn.web.deps import ActorDep, EvaluatorDep, StoreDep
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
from mgpn.web.store import MAX_VERSION, StoredVersion
from mgpn.web.strict_json import StrictJSONRoute

VersionQuery = Annotated[
    int | None, Query(ge=1, le=MAX_VERSION, description="a version number (default: the latest)")
]
_ETAG = re.compile(r'\s*(?:W/)?"?(\d{1,10})"?\s*')


def base_version_of(if_match: str | None, base_version: int | None) -> int:
    """The version a save edits, from ``If-Match`` or ``base_version``; 428 when neither."""
    if base_version is not None:
        return base_version
    if if_match is not None:
        match = _ETAG.fullmatch(if_match)
        if match and 1 <= int(match.group(1)) <= MAX_VERSION:
            return int(match.group(1))
        raise HTTPException(
            400,
            f"If-Match {if_match[:40]!r} does not name a version. Fix: send the ETag of the "
            'version you edited, e.g. If-Match: "3"',
        )
    raise HTTPException(
        428,
        "A new version must name the version it edits, so that a newer save is never "
        'overwritten. Fix: send If-Match: "N" (the ETag of GET /api/v1/cases/{id}) or '
        "?base_version=N",
    )


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
def create_case(
    case: CaseIn, store: StoreDep, evaluate: EvaluatorDep, actor: ActorDep, response: Response
) -> CaseSaved:
    evaluated = evaluate(case, "request body")
    stored = store.create(
        evaluated.case_json,
        evaluated.assessment.to_json_dict(),
        evaluated.assessment.knowledge_version,
        evaluated.assessed_at,
        actor=actor,
    )
    response.headers["ETag"] = f'"{stored.version}"'
    return _saved(stored)


@router.get("", summary="List saved cases, most recently changed first")
def list_cases(store: StoreDep, actor: ActorDep) -> CaseListOut:
    store.record(actor, "list", None, None)
    return CaseListOut(
        cases=[
            CaseListItem(
                id=c.case_id,
                label=c.label,
                latest_version=c.latest_version,
                created_at=c.created_at,
                updated_at=c.updated_at,
                leading_syndrome=c.leading,
                status=c.status,
                treatment_indication=c.indication,
                last_visit=c.last_visit,
            )
            for c in store.list_cases()
        ]
    )


@router.get("/{case_id}", responses=_NOT_FOUND, summary="A saved case (latest or given version)")
def read_case(
    case_id: str,
    store: StoreDep,
    actor: ActorDep,
    response: Response,
    version: VersionQuery = None,
) -> CaseOut:
    stored = store.get(case_id, version)
    store.record(actor, "view", stored.case_id, stored.version)
    response.headers["ETag"] = f'"{stored.version}"'
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
    responses={
        **_ERRORS,
        **_NOT_FOUND,
        409: {"model": MessageOut, "description": "another save came first; nothing saved"},
        428: {"model": MessageOut, "description": "the version edited was not named"},
    },
    summary="Save a new version of a case (earlier versions are kept)",
)
def update_case(
    case_id: str,
    case: CaseIn,
    store: StoreDep,
    evaluate: EvaluatorDep,
    actor: ActorDep,
    response: Response,
    if_match: Annotated[str | None, Header(max_length=100)] = None,
    base_version: Annotated[int | None, Query(ge=1, le=MAX_VERSION)] = None,
) -> CaseSaved:
    edits = base_version_of(if_match, base_version)
    store.latest_version(case_id)  # 404 before any work when the case does not exist
    evaluated = evaluate(case, "request body")
    stored = store.add_version(
        case_id,
        evaluated.case_json,
        evaluated.assessment.to_json_dict(),
        evaluated.assessment.knowledge_version,
        evaluated.assessed_at,
        base_version=edits,
        actor=actor,
    )
    response.headers["ETag"] = f'"{stored.version}"'
    return _saved(stored)
