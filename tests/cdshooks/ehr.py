"""A test EHR: an ES384 key pair, its JWKS served on loopback, signed CDS Hooks calls, prefetch."""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

ISSUER = "https://ehr.test.example"
BASE = "http://testserver"


class JwksServer:
    """Serves one JWKS document at http://127.0.0.1:{port}/jwks.json (a real socket)."""

    def __init__(self, jwks: dict[str, Any]) -> None:
        body = json.dumps(jwks).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/jwks.json"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Ehr:
    """Signs tokens the way a CDS client must (ES384, kid, iss, aud, exp, iat, jti)."""

    def __init__(self, kid: str = "ehr-key-1") -> None:
        self.key = ec.generate_private_key(ec.SECP384R1())
        self.kid = kid
        public = json.loads(ECAlgorithm.to_jwk(self.key.public_key()))
        self.jwks = {"keys": [{**public, "kid": kid, "use": "sig", "alg": "ES384"}]}

    def token(
        self,
        path: str,
        *,
        iss: str = ISSUER,
        aud: str | None = None,
        exp_in: int = 300,
        iat_offset: int = 0,
        jti: str | None = None,
        headers: dict[str, Any] | None = None,
    ) -> str:
        now = int(time.time())
        claims = {"iss": iss, "aud": aud if aud is not None else BASE + path, "exp": now + exp_in,
                  "iat": now + iat_offset, "jti": jti or str(uuid.uuid4())}  # fmt: skip
        return jwt.encode(
            claims,
            self.key,
            algorithm="ES384",
            headers={"kid": self.kid, "typ": "JWT", **(headers or {})},
        )

    def auth(self, path: str, **kw: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(path, **kw)}"}


def _fresh_claims(path: str) -> dict[str, Any]:
    """The claims a valid EHR token carries for ``path``, valid for five minutes."""
    now = int(time.time())
    return {
        "iss": ISSUER,
        "aud": BASE + path,
        "exp": now + 300,
        "iat": now,
        "jti": str(uuid.uuid4()),
    }


def unsigned_token(path: str) -> str:
    claims = _fresh_claims(path)
    return jwt.encode(claims, key=None, algorithm="none", headers={"kid": "ehr-key-1"})


def hmac_token(path: str) -> str:
    claims = _fresh_claims(path)
    return jwt.encode(
        claims,
        "a-shared-secret-of-enough-length-32b",
        algorithm="HS256",
        headers={"kid": "ehr-key-1"},
    )


def split_bundle(
    bundle: dict[str, Any], patient_id: str = "p1"
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A case's Bundle as an EHR holds it: Patient/{id}, and resources referencing it."""
    resources = []
    for entry in bundle["entry"]:
        resource = dict(entry["resource"])
        if resource["resourceType"] == "Patient":
            resource["id"] = patient_id
        elif "subject" in resource:
            resource["subject"] = {"reference": f"Patient/{patient_id}"}
        resources.append(resource)
    return next(r for r in resources if r["resourceType"] == "Patient"), [
        r for r in resources if r["resourceType"] != "Patient"
    ]


def searchset(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "searchset", "total": len(resources),
            "entry": [{"resource": r} for r in resources]}  # fmt: skip


def prefetch(bundle: dict[str, Any], patient_id: str = "p1") -> dict[str, Any]:
    patient, others = split_bundle(bundle, patient_id)

    def of(*kinds: str) -> dict[str, Any]:
        return searchset([r for r in others if r["resourceType"] in kinds])

    return {
        "patient": patient,
        "observations": of("Observation"),
        "conditions": of("Condition"),
        "medicationStatements": of("MedicationStatement"),
        "medicationRequests": of("MedicationRequest"),
        "procedures": of("Procedure"),
    }


def hook_body(
    hook: str,
    prefetch_data: dict[str, Any] | None = None,
    *,
    patient_id: str = "p1",
    fhir_server: str | None = None,
    token: str | None = None,
    context: dict[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"hook": hook, "hookInstance": str(uuid.uuid4()),
                            "context": {"userId": "Practitioner/u1", "patientId": patient_id, **(context or {})}}  # fmt: skip
    if prefetch_data is not None:
        body["prefetch"] = prefetch_data
    if fhir_server is not None:
        body["fhirServer"] = fhir_server
        if token is not None:
            body["fhirAuthorization"] = {"access_token": token, "token_type": "Bearer", "expires_in": 300,
                                         "scope": "patient/*.read", "subject": "mgpn"}  # fmt: skip
    return body


def draft_medication(drug: str, rid: str) -> dict[str, Any]:
    return {"resourceType": "MedicationRequest", "id": rid, "status": "draft", "intent": "order",
            "medicationCodeableConcept": {"text": drug}, "subject": {"reference": "Patient/p1"}}  # fmt: skip
