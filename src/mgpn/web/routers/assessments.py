"""``POST /api/v1/assessments``: a case in, the assessment out (as ``mgpn evaluate``)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

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
async def create_assessment(case: CaseIn, evaluate: EvaluatorDep) -> Response:
    def assess() -> str:
        # Serialised once by pydantic's JSON serialiser (the same bytes as to_json_dict()),
        # not dumped to a dict, re-validated against the response model and encoded again.
        return evaluate(case, "request body").assessment.model_dump_json(by_alias=True)

    # Evaluation is CPU work: off the event loop, in one hop to the thread pool (a plain
    # ``def`` endpoint would take the same hop, plus one per dependency).
    return Response(await run_in_threadpool(assess), media_type="application/json")
