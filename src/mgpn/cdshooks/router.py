"""The CDS Hooks 2.0 endpoints under ``/cds-services``: discovery, three services, feedback.

Every call, discovery included, must carry the EHR's signed JWT (``security.py``); a bad
or missing token gets 401 and nothing is read or evaluated. The router uses no session
cookie: the web app's login does not apply here, the token does. Logs name the hook,
its instance id and the outcome, never patient data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy import Engine

from mgpn.assessment import Assessment
from mgpn.case.loader import dump_case
from mgpn.case.model import Case
from mgpn.cdshooks.cards import caution_cards, patient_view_cards
from mgpn.cdshooks.cautions import fired, ordered_drugs
from mgpn.cdshooks.models import CardsResponse, FeedbackRequest, HookRequest
from mgpn.cdshooks.prefetch import PREFETCH, DataUnavailable, gather, resources_of
from mgpn.cdshooks.security import AuthFailure, TokenVerifier
from mgpn.cdshooks.settings import CdsSettings
from mgpn.cdshooks.store import CdsStore, patient_key
from mgpn.engine import evaluate
from mgpn.errors import FhirError, MgpnError
from mgpn.interop.fhir import load_code_map, resources_to_case
from mgpn.interop.fhir.codemap import CodeMap
from mgpn.interop.fhir.files import read_json_text
from mgpn.knowledge import load_knowledge
from mgpn.knowledge.order_cautions import OrderCautions, load_order_cautions
from mgpn.knowledge.schema import KnowledgeBase
from mgpn.web.db import session_factory
from mgpn.web.store import Actor, CaseStore

log = logging.getLogger("mgpn.cdshooks")
LOOPBACK = {"127.0.0.1", "::1", "localhost"}

SERVICES: dict[str, dict[str, Any]] = {
    "mgpn-patient-view": {
        "hook": "patient-view",
        "title": "mgpn: neuropathy with a monoclonal gammopathy",
        "description": "When the chart of a patient with a monoclonal gammopathy and a neuropathy opens: "
        "the leading explanation, 'don't miss' red flags and the next tests (decision support).",
    },
    "mgpn-order-select": {
        "hook": "order-select",
        "title": "mgpn: cautions on selected orders",
        "description": "Cautions on drugs being ordered for a patient with a monoclonal gammopathy or a "
        "neuropathy (rituximab alone with high IgM or an IgM neuropathy; neurotoxic drugs; "
        "BTK inhibitors first line in IgM-related AL amyloidosis).",
    },
    "mgpn-order-sign": {
        "hook": "order-sign",
        "title": "mgpn: cautions before signing orders",
        "description": "The same cautions as order-select, on every draft order about to be signed.",
    },
}
USAGE = (
    "Needs read access to the patient's Patient, Observation, Condition, MedicationStatement, "
    "MedicationRequest and Procedure resources (prefetch, or fhirServer with a bearer token). "
    "Calls must be signed (ES384 or RS384) by an EHR on the service's trusted-issuer list."
)


@dataclass
class CdsRuntime:
    settings: CdsSettings
    store: CdsStore
    verifier: TokenVerifier
    kb: KnowledgeBase
    codemap: CodeMap
    cautions: OrderCautions
    cases: CaseStore | None = None
    # patient key -> (case id, digest of the case last kept): skips the database when unchanged
    kept: dict[str, tuple[str, str]] = field(default_factory=dict)


def _outcome(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = {"resourceType": "OperationOutcome",
            "issue": [{"severity": "error", "code": code, "diagnostics": message}]}  # fmt: skip
    return JSONResponse(status_code=status, content=body, headers=headers)


def _runtime(request: Request) -> CdsRuntime:
    runtime: CdsRuntime = request.app.state.cds
    return runtime


def _cors(request: Request, response: Response, settings: CdsSettings) -> Response:
    origin = request.headers.get("origin")
    if origin and ("*" in settings.cors_origins or origin in settings.cors_origins):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Vary"] = "Origin"
        response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    return response


def _authenticate(request: Request, runtime: CdsRuntime) -> dict[str, Any] | JSONResponse:
    settings = runtime.settings
    if settings.insecure_skip_auth:
        host = request.client.host if request.client else ""
        if host in LOOPBACK:
            return {"iss": "development"}
        return _outcome(
            401,
            "security",
            "token checking is off (development), so only calls from this machine are answered",
        )
    try:
        return runtime.verifier.verify(
            request.headers.get("authorization"), settings.audience(request.url.path)
        )
    except AuthFailure as exc:
        log.warning("refused a call to %s: %s", request.url.path, exc.reason)
        return _outcome(
            401, "security", exc.reason, {"WWW-Authenticate": 'Bearer realm="cds-services"'}
        )
    except MgpnError as exc:
        return _outcome(503, "transient", str(exc))


router = APIRouter(prefix="/cds-services", include_in_schema=False)


@router.options("")
@router.options("/{service_id}")
@router.options("/{service_id}/feedback")
async def preflight(request: Request) -> Response:
    return _cors(request, Response(status_code=204), _runtime(request).settings)


@router.get("")
async def discovery(request: Request) -> Response:
    runtime = _runtime(request)
    claims = _authenticate(request, runtime)
    if isinstance(claims, JSONResponse):
        return _cors(request, claims, runtime.settings)
    services = [
        {**meta, "id": ident, "prefetch": PREFETCH, "usageRequirements": USAGE}
        for ident, meta in SERVICES.items()
    ]
    return _cors(request, JSONResponse({"services": services}), runtime.settings)


def _relevant(case: Case) -> bool:
    # Cards only for a known monoclonal gammopathy with a known neuropathy: the hook fires on
    # every chart opened, and a card on every other patient would be noise.
    has_clone = case.paraprotein.isotype not in (None, "none") or case.paraprotein.clone not in (
        None,
        "unknown",
    )
    return has_clone and case.neuropathy.present is True


def _case_url(
    runtime: CdsRuntime,
    claims: dict[str, Any],
    body: HookRequest,
    case: Case,
    assessment: Assessment,
) -> str | None:
    base = runtime.settings.app_url()
    patient = str(body.context.get("patientId") or "")
    if base is None or runtime.cases is None or not runtime.settings.save_cases or not patient:
        return None
    issuer, server = str(claims.get("iss") or ""), body.fhirServer or ""
    data = dump_case(case)
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
    key = patient_key(issuer, server, patient)
    known = runtime.kept.get(key)
    if known is not None and known[1] == digest:
        return f"{base}/cases/{known[0]}"
    result = assessment.to_json_dict()
    try:
        case_id = runtime.store.case_for(issuer, server, patient)
        if case_id is None:
            case_id = runtime.cases.create(data, result, assessment.knowledge_version).case_id
            runtime.store.link_case(issuer, server, patient, case_id)
        else:
            kept = runtime.cases.get(case_id)
            if kept.case != data:
                # A ConflictError (a clinician saved meanwhile) is a MgpnError: the card
                # then goes out without the link rather than overwrite their version.
                runtime.cases.add_version(
                    case_id, data, result, assessment.knowledge_version,
                    base_version=kept.version, actor=Actor(username=f"cds-hooks:{issuer}"),
                )  # fmt: skip
        runtime.kept[key] = (case_id, digest)
    except MgpnError:
        log.warning("could not keep the case for the card link (hook %s)", body.hookInstance)
        return None
    return f"{base}/cases/{case_id}"


def _orders(body: HookRequest) -> list[dict[str, Any]]:
    orders = resources_of(body.context.get("draftOrders"))
    selections = body.context.get("selections")
    if body.hook == "order-select" and isinstance(selections, list) and selections:
        wanted = {str(s) for s in selections}
        orders = [o for o in orders if f"{o.get('resourceType')}/{o.get('id')}" in wanted]
    return orders


def _orders_a_caution_drug(runtime: CdsRuntime, body: HookRequest) -> bool:
    try:
        orders = _orders(body)
    except DataUnavailable:
        return True  # a malformed draftOrders is answered by the full path (412)
    names = {d for c in runtime.cautions.cautions for d in c.drugs}
    return bool(ordered_drugs(orders, runtime.codemap, names))


_BodyT = TypeVar("_BodyT", bound=BaseModel)


async def _accept(
    request: Request, runtime: CdsRuntime, service_id: str, model: type[_BodyT], what: str
) -> Response | tuple[dict[str, Any], _BodyT]:
    """The checks every call passes first: a known service, a valid token, a strict body.

    Nothing is evaluated or stored before all three hold; each refusal is an
    OperationOutcome with CORS headers, as the EHR expects.
    """
    if service_id not in SERVICES:
        return _cors(
            request, _outcome(404, "not-found", f"no CDS service {service_id!r}"), runtime.settings
        )
    claims = _authenticate(request, runtime)
    if isinstance(claims, JSONResponse):
        return _cors(request, claims, runtime.settings)
    try:
        body = model.model_validate(read_json_text(await request.body(), "the request body"))
    except FhirError as exc:
        return _cors(
            request,
            _outcome(400, "invalid", f"the request body is not strict JSON: {exc}"),
            runtime.settings,
        )
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors(include_url=False)[:5]
        )
        return _cors(request, _outcome(400, "invalid", f"not {what}: {problems}"), runtime.settings)
    return claims, body


@router.post("/{service_id}")
async def call_service(service_id: str, request: Request) -> Response:
    runtime = _runtime(request)
    accepted = await _accept(request, runtime, service_id, HookRequest, "a CDS Hooks request")
    if isinstance(accepted, Response):
        return accepted
    claims, body = accepted
    hook = SERVICES[service_id]["hook"]
    if body.hook != hook:
        return _cors(
            request,
            _outcome(400, "invalid", f"this service answers {hook!r}, not {body.hook!r}"),
            runtime.settings,
        )
    if hook != "patient-view" and not _orders_a_caution_drug(runtime, body):
        # Nothing ordered that a caution is about: no card, and the patient's data is not read.
        log.info(
            "hook %s instance %s: 0 card(s) (no caution drug ordered)", hook, body.hookInstance
        )
        return _cors(request, JSONResponse(CardsResponse().body()), runtime.settings)
    try:
        if body.prefetch is not None and all(key in body.prefetch for key in PREFETCH):
            resources = await gather(body, runtime.settings, None)
        else:
            async with httpx.AsyncClient(follow_redirects=False) as client:
                resources = await gather(body, runtime.settings, client)
        imported = resources_to_case(
            resources,
            as_of=dt.datetime.now(dt.UTC).date(),
            site_codes=runtime.settings.site_codes_file,
        )
    except DataUnavailable as exc:
        log.info("hook %s instance %s: 412 (%s)", hook, body.hookInstance, exc.reason)
        return _cors(request, _outcome(412, "incomplete", exc.reason), runtime.settings)
    except MgpnError as exc:
        return _cors(
            request,
            _outcome(400, "invalid", f"the patient's FHIR data cannot be read: {exc}"),
            runtime.settings,
        )
    case = imported.case
    cards: list[Any] = []
    subject = next((f"Patient/{r['id']}" for r in resources if r.get("resourceType") == "Patient" and r.get("id")),
                   f"Patient/{body.context.get('patientId')}")  # fmt: skip
    if hook == "patient-view":
        if _relevant(case):
            assessment = evaluate(case, runtime.kb)
            url = _case_url(runtime, claims, body, case, assessment)
            cards = patient_view_cards(
                assessment, subject, runtime.codemap, url, runtime.settings.smart_launch_url
            )
    else:
        orders = _orders(body)
        if orders:
            assessment = evaluate(case, runtime.kb)
            hits = fired(
                runtime.cautions, hook, orders, case, assessment, runtime.kb, runtime.codemap
            )
            if hits:
                url = _case_url(runtime, claims, body, case, assessment)
                cards = caution_cards(hits, assessment, runtime.kb, subject, runtime.codemap, url)
    log.info("hook %s instance %s: %d card(s)", hook, body.hookInstance, len(cards))
    return _cors(request, JSONResponse(CardsResponse(cards=cards).body()), runtime.settings)


@router.post("/{service_id}/feedback")
async def feedback(service_id: str, request: Request) -> Response:
    runtime = _runtime(request)
    accepted = await _accept(request, runtime, service_id, FeedbackRequest, "CDS Hooks feedback")
    if isinstance(accepted, Response):
        return accepted
    claims, body = accepted
    try:
        runtime.store.add_feedback(service_id, body.feedback, str(claims.get("iss") or "") or None)
    except MgpnError as exc:
        return _cors(request, _outcome(503, "transient", str(exc)), runtime.settings)
    log.info("feedback for %s: %d item(s)", service_id, len(body.feedback))
    return _cors(request, Response(status_code=200), runtime.settings)


def install(
    app: FastAPI, engine: Engine, settings: CdsSettings, cases: CaseStore | None = None
) -> CdsRuntime:
    """Mount ``/cds-services`` on ``app`` with its state; warns at every start when checks are off."""
    store = CdsStore(session_factory(engine))
    runtime = CdsRuntime(
        settings=settings,
        store=store,
        verifier=TokenVerifier(settings, store.claim_token),
        kb=load_knowledge(),
        codemap=load_code_map(settings.site_codes_file),
        cautions=load_order_cautions(),
        cases=cases,
    )
    app.state.cds = runtime
    app.include_router(router)
    if settings.insecure_skip_auth:
        log.warning(
            "CDS Hooks token checking is OFF (development switch): only calls from 127.0.0.1 are answered"
        )
    elif not settings.issuers:
        log.warning(
            "CDS Hooks: no trusted EHR is configured (MGPN_CDS_CONFIG); every call will get 401"
        )
    return runtime
