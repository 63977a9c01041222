"""The output model of ``mgpn outcomes``: format ``mgpn-outcomes/1``.

One result object; renderers (text, JSON, plot) only format it. Numbers that are
unknown stay ``None`` and print as ``null`` or "not measured".
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

__all__ = [
    "DISCLAIMER",
    "ComponentReading",
    "MarkerChange",
    "Outcomes",
    "ResponderResult",
    "ScaleChange",
    "TreatmentContext",
]

# The house disclaimer (docs/architecture.md); kept here until
# mgpn.knowledge.disclaimer() exists, with the same text.
DISCLAIMER = "Decision support only: it supports, and does not replace, clinical judgment."

Number = int | float
Direction = Literal["improved", "worsened", "stable"]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ComponentReading(_Out):
    """A part of a summed scale (INCAT arm, INCAT leg) with what its grades mean."""

    name: str
    baseline: Number | None
    latest: Number | None
    baseline_meaning: str | None = None
    latest_meaning: str | None = None


class ScaleChange(_Out):
    name: str
    unit: str
    baseline: Number | None
    latest: Number | None
    change: Number | None
    mcid: Number | None
    mcid_verified: bool | None
    better: Literal["lower", "higher"]
    direction: Direction | None
    reference: str
    baseline_meaning: str | None = None
    latest_meaning: str | None = None
    components: dict[str, ComponentReading] = {}


class MarkerChange(_Out):
    name: str
    baseline: Number | None
    latest: Number | None
    change_percent: float | None
    unit: str
    censored: bool = False
    baseline_comparator: str | None = None
    latest_comparator: str | None = None


class TreatmentContext(_Out):
    regimen: str
    start: dt.date
    months_since_start: float | None


class ResponderResult(_Out):
    id: str
    definition: str
    reference: str
    verified: bool
    value: bool | None
    scales_improved: list[str]
    scales_not_measured: list[str]
    note: str = ""


class Outcomes(_Out):
    format: Literal["mgpn-outcomes/1"] = "mgpn-outcomes/1"
    case_id: str | None
    since_treatment: bool
    baseline: dt.date | None
    latest: dt.date | None
    treatment: TreatmentContext | None
    scales: dict[str, ScaleChange]
    markers: dict[str, MarkerChange]
    responder: list[ResponderResult]
    warnings: list[str]
    notes: list[str]
    disclaimer: str = DISCLAIMER

    def to_json_dict(self) -> dict[str, Any]:
        """A JSON-able dict following ``shared/spec/outcomes-format.md``."""
        return self.model_dump(mode="json")

    def render_text(self) -> str:
        """The terminal view (see :mod:`mgpn.outcomes.text`)."""
        from mgpn.outcomes.text import render_text

        return render_text(self)
