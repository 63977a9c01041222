"""CDS Hooks 2.0 request and response bodies as pydantic models (the spec is the oracle).

Responses are dumped with ``exclude_none``: the spec forbids nulls and empty strings.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class FhirAuthorization(_Model):
    access_token: str
    token_type: str = "Bearer"
    expires_in: int | None = None
    scope: str | None = None
    subject: str | None = None


class HookRequest(_Model):
    hook: str
    hookInstance: str
    fhirServer: str | None = None
    fhirAuthorization: FhirAuthorization | None = None
    context: dict[str, Any]
    prefetch: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _server_with_token(self) -> HookRequest:
        if self.fhirAuthorization is not None and self.fhirServer is None:
            raise ValueError("fhirAuthorization is given without fhirServer")
        return self


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Coding(_Out):
    system: str | None = None
    code: str
    display: str


class Source(_Out):
    label: str
    url: str | None = None
    topic: Coding | None = None


class Action(_Out):
    type: Literal["create", "update", "delete"]
    description: str
    resource: dict[str, Any] | None = None
    resourceId: str | None = None


class Suggestion(_Out):
    label: str
    uuid: str | None = None
    isRecommended: bool | None = None
    actions: list[Action] | None = None


class Link(_Out):
    label: str
    url: str
    type: Literal["absolute", "smart"]
    appContext: str | None = None

    @model_validator(mode="after")
    def _app_context_smart_only(self) -> Link:
        if self.appContext is not None and self.type != "smart":
            raise ValueError("appContext is only for smart links")
        return self


class Card(_Out):
    uuid: str | None = None
    summary: str = Field(min_length=1, max_length=139)
    detail: str | None = None
    indicator: Literal["info", "warning", "critical"]
    source: Source
    suggestions: list[Suggestion] | None = None
    selectionBehavior: Literal["at-most-one", "any"] | None = None
    overrideReasons: list[Coding] | None = None
    links: list[Link] | None = None

    @model_validator(mode="after")
    def _selection_with_suggestions(self) -> Card:
        if self.suggestions and self.selectionBehavior is None:
            raise ValueError("selectionBehavior is required when suggestions are present")
        return self


class CardsResponse(_Out):
    cards: list[Card] = Field(default_factory=list)

    def body(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class FeedbackItem(_Model):
    card: str
    outcome: Literal["accepted", "overridden"]
    acceptedSuggestions: list[dict[str, Any]] | None = None
    overrideReason: dict[str, Any] | None = None
    outcomeTimestamp: str


class FeedbackRequest(_Model):
    feedback: list[FeedbackItem] = Field(min_length=1)
