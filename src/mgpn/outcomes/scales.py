"""The strict schema of ``knowledge/data/scales.yaml`` and its loader.

The scales' definitions (grades, items, ranges, MCIDs), the paraprotein markers,
the responder definitions and the follow-up warnings are clinical knowledge, so
they live in YAML with their references; this module only checks their shape
and cross-references, and refuses a malformed file at load time.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from mgpn.errors import InputError, KnowledgeError
from mgpn.strict_reader import read_yaml

__all__ = [
    "Grade",
    "Marker",
    "Mcid",
    "OutcomeKnowledge",
    "ResponderRule",
    "Scale",
    "load_scales",
    "parse_scales",
]

# A reference names its source: Sarosiek, Doughty, Castillo 2025 (`seed`, `seed:N`), PubMed, PMC,
# a DOI, or a secondary web page (`url:`), so every number can be traced back.
Reference = Annotated[
    str,
    StringConstraints(pattern=r"^(seed(:\d+)?|pmid:\d+|pmc:PMC\d+|doi:10\.\S+|url:https?://\S+)$"),
]
VisitField = Literal[
    "mrs", "incat_arm", "incat_leg", "incat_sensory_sum", "mrc_sum", "i_rods", "walk_10m"
]
MarkerField = Literal["igm", "m_spike", "anti_mag", "flc_kappa", "flc_lambda"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Grade(_Strict):
    value: int
    meaning: str = Field(min_length=1)


class Mcid(_Strict):
    """Minimal clinically important difference, in the scale's own unit."""

    value: float = Field(gt=0)
    verified: bool
    references: list[Reference] = Field(min_length=1)
    note: str = ""


class Scale(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str
    short: str
    fields: list[VisitField] = Field(min_length=1)
    components: list[str] = []
    unit: str
    minimum: float
    maximum: float
    better: Literal["lower", "higher"]
    summary: bool = True
    mcid: Mcid | None
    references: list[Reference] = Field(min_length=1)
    note: str = ""
    grades: list[Grade] = []
    items: list[str] = []

    @model_validator(mode="after")
    def _grades_in_range(self) -> Scale:
        if self.minimum >= self.maximum:
            raise ValueError(f"scale {self.id}: minimum must be below maximum")
        for grade in self.grades:
            if not self.minimum <= grade.value <= self.maximum:
                raise ValueError(f"scale {self.id}: grade {grade.value} outside its range")
        return self

    def meaning(self, value: float | None) -> str | None:
        """What a grade means, when the scale has graded levels."""
        for grade in self.grades:
            if value is not None and grade.value == value:
                return grade.meaning
        return None


class Marker(_Strict):
    id: MarkerField
    name: str
    unit: str
    references: list[Reference] = Field(min_length=1)


class ResponderRule(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    definition: str
    scales: list[str] = Field(min_length=1)
    min_improvement: float = Field(gt=0)
    min_scales: int = Field(ge=1)
    references: list[Reference] = Field(min_length=1)
    verified: bool
    note: str = ""

    @model_validator(mode="after")
    def _reachable(self) -> ResponderRule:
        if self.min_scales > len(self.scales):
            raise ValueError(f"responder {self.id}: min_scales exceeds the scales listed")
        return self


class FlareWarning(_Strict):
    regimen_contains: str = Field(min_length=1)
    window_months: float | None = Field(
        default=None,
        gt=0,
        description="months after the start during which a rise is read as a possible flare",
    )
    verified: bool = True
    note: str = ""
    references: list[Reference] = Field(min_length=1)


class FollowUpWarning(_Strict):
    months: float = Field(gt=0)
    verified: bool
    references: list[Reference] = Field(min_length=1)


class Warnings(_Strict):
    igm_flare: FlareWarning
    short_follow_up: FollowUpWarning


class OutcomeKnowledge(_Strict):
    format: Literal["mgpn-scales/1"]
    scales: list[Scale] = Field(min_length=1)
    markers: list[Marker] = Field(min_length=1)
    responders: list[ResponderRule] = Field(min_length=1)
    warnings: Warnings

    @model_validator(mode="after")
    def _references_resolve(self) -> OutcomeKnowledge:
        ids = [scale.id for scale in self.scales]
        if len(ids) != len(set(ids)):
            raise ValueError("scale ids must be unique")
        for scale in self.scales:
            for component in scale.components:
                if component not in ids:
                    raise ValueError(f"scale {scale.id}: unknown component {component!r}")
        for rule in self.responders:
            for scale_id in rule.scales:
                if scale_id not in ids:
                    raise ValueError(f"responder {rule.id}: unknown scale {scale_id!r}")
        return self

    def scale(self, scale_id: str) -> Scale:
        for scale in self.scales:
            if scale.id == scale_id:
                return scale
        raise KeyError(scale_id)

    @property
    def summary_scales(self) -> list[Scale]:
        """The scales reported on their own (components are shown inside their parent)."""
        return [scale for scale in self.scales if scale.summary]


def parse_scales(text: str, source: str = "scales.yaml") -> OutcomeKnowledge:
    """Validate the YAML text; raise :class:`KnowledgeError` naming each problem."""
    try:  # the strict reader of all knowledge files: duplicate keys, YAML 1.1 words refused
        data = read_yaml(text, source, error=InputError)
    except InputError as exc:
        raise KnowledgeError(str(exc)) from None
    try:
        return OutcomeKnowledge.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '<file>'}: {err['msg']}"
            for err in exc.errors()
        )
        raise KnowledgeError(f"{source}: {problems}") from exc


@functools.cache
def load_scales() -> OutcomeKnowledge:
    """The bundled scale knowledge, validated once per process."""
    resource = resources.files("mgpn") / "knowledge" / "data" / "scales.yaml"
    return parse_scales(resource.read_text(encoding="utf-8"), source="knowledge/data/scales.yaml")
