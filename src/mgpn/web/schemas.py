"""Request and response bodies of the JSON API (kept apart from the database models)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Body
from pydantic import BaseModel, Field

CASE_EXAMPLE: dict[str, Any] = {
    "format": "mgpn-case/1",
    "id": "example",
    "paraprotein": {"isotype": "IgM", "m_spike": "0.6 g/dL"},
    "neuropathy": {"present": True, "sensory_ataxia": True},
    "antibodies": {"anti_mag": ">70000 BTU"},
}

# Typed Any, documented as an object: a body that is not a mapping (a list, a number,
# null) reaches the case reader, which refuses it in the project's error format (422
# with the path and the fix), instead of FastAPI's own "valid dictionary" message.
CaseIn = Annotated[
    Any,
    Body(
        description="A case in the mgpn-case/1 format, as JSON. Absent fields are unknown.",
        examples=[CASE_EXAMPLE],
        json_schema_extra={"type": "object"},
    ),
]


class IssueOut(BaseModel):
    """One problem in the input; ``loc`` follows FastAPI's convention, ``path`` the case format's."""

    loc: list[str | int]
    msg: str
    type: str = "case_error"
    path: str
    expected: str | None = None
    found: str | None = None
    fix: str | None = None


class InputErrorOut(BaseModel):
    detail: list[IssueOut]


class MessageOut(BaseModel):
    detail: str


class Links(BaseModel):
    self_: str = Field(alias="self", serialization_alias="self")
    page: str
    report_pdf: str
    report_html: str


class CaseSaved(BaseModel):
    id: str
    version: int
    knowledge_version: str
    assessed_at: datetime
    links: Links


class VersionOut(BaseModel):
    version: int
    knowledge_version: str
    assessed_at: datetime


class CaseListItem(BaseModel):
    id: str
    label: str | None
    latest_version: int
    created_at: datetime
    updated_at: datetime
    leading_syndrome: str | None = Field(None, description="rank 1 of the latest assessment")
    status: str | None = Field(None, description="its status, in words")
    treatment_indication: str | None = Field(None, description="in words")
    last_visit: str | None = Field(None, description="date of the latest follow-up visit")


class CaseListOut(BaseModel):
    cases: list[CaseListItem]


class CaseOut(BaseModel):
    id: str
    version: int
    label: str | None
    knowledge_version: str
    assessed_at: datetime
    case: dict[str, Any]
    assessment: dict[str, Any]
    versions: list[VersionOut]
