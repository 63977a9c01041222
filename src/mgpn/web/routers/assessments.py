"""``POST /api/v1/assessments``: a case in, the assessment out (as ``mgpn evaluate``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from mgpn.assessment import Assessment
from mgpn.web.deps import EvaluatorDep
from mgpn.web.schemas import CaseIn, InputErrorOut
from mgpn.web.strict_json import StrictJSONRoute

router = APIRouter(prefix="/api/v1/assessments", tags=["assessments"], route_class=StrictJSONRoute)


@router.post(
    "",
    response_model=Assessment,
    response_model_by_alias=True,
    responses={422: {"model": InputErrorOut, "description": "every problem, with its field path"}},
    summary="Evaluate a case (nothing is stored)",
)
def create_assessment(case: CaseIn, evaluate: EvaluatorDep) -> dict[str, Any]:
    return evaluate(case, "request body").assessment.to_json_dict()
