"""The patient's data for a hook call: from prefetch, else from the EHR's FHIR server.

The templates are advertised in discovery. Keys the EHR left out are fetched from
``fhirServer`` with ``fhirAuthorization.access_token`` (httpx, with timeouts, following
``next`` pages up to a bound). When a key can be had neither way the call is answered
412 Precondition Failed, as CDS Hooks 2.0 requires. A key sent as ``null`` means the
query found nothing, which is not missing.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from mgpn.cdshooks.models import HookRequest
from mgpn.cdshooks.settings import CdsSettings

PREFETCH: dict[str, str] = {
    "patient": "Patient/{{context.patientId}}",
    "observations": "Observation?patient={{context.patientId}}",
    "conditions": "Condition?patient={{context.patientId}}",
    "medicationStatements": "MedicationStatement?patient={{context.patientId}}",
    "medicationRequests": "MedicationRequest?patient={{context.patientId}}",
    "procedures": "Procedure?patient={{context.patientId}}",
}
_TOKEN = re.compile(r"\{\{context\.(\w+)\}\}")
_FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class DataUnavailable(Exception):
    """Required data is neither prefetched nor fetchable; ``reason`` names what and why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def render(template: str, context: dict[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        item = context.get(match.group(1))
        if not isinstance(item, str) or not _FHIR_ID.match(item):
            raise DataUnavailable(f"context.{match.group(1)} is missing or not a FHIR id")
        return item

    return _TOKEN.sub(value, template)


def resources_of(value: Any) -> list[dict[str, Any]]:
    """The resources in a prefetch value: a Bundle's entries, one resource, or none (null)."""
    if value is None:
        return []
    if not isinstance(value, dict) or not isinstance(value.get("resourceType"), str):
        raise DataUnavailable("a prefetch value is not a FHIR resource or Bundle")
    if value["resourceType"] != "Bundle":
        return [value]
    out = []
    for entry in value.get("entry") or []:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if isinstance(resource, dict) and resource.get("resourceType") != "OperationOutcome":
            out.append(resource)
    return out


def _check_server(server: str) -> str:
    parts = urlsplit(server)
    if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOOPBACK):
        return server.rstrip("/") + "/"
    raise DataUnavailable("fhirServer must be an https URL (plain http only on this machine)")


async def _fetch(
    client: httpx.AsyncClient, url: str, token: str | None, settings: CdsSettings
) -> list[dict[str, Any]]:
    headers = {"Accept": "application/fhir+json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    origin = urlsplit(url)[:2]
    resources: list[dict[str, Any]] = []
    for _page in range(settings.fhir_max_pages):
        try:
            response = await client.get(url, headers=headers, timeout=settings.fhir_timeout_seconds)
        except httpx.TimeoutException:
            raise DataUnavailable("the FHIR server did not answer in time") from None
        except httpx.HTTPError as exc:
            raise DataUnavailable(
                f"the FHIR server could not be reached ({exc.__class__.__name__})"
            ) from None
        if response.status_code == 404 and "?" not in url:
            return []
        if response.status_code != 200:
            raise DataUnavailable(f"the FHIR server answered {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            raise DataUnavailable("the FHIR server's answer is not JSON") from None
        resources += resources_of(body)
        links = body.get("link") if isinstance(body, dict) else None
        following = next(
            (
                link.get("url")
                for link in links or []
                if isinstance(link, dict) and link.get("relation") == "next"
            ),
            None,
        )
        if not following:
            return resources
        url = urljoin(url, str(following))
        if urlsplit(url)[:2] != origin:  # never send the token to another host
            raise DataUnavailable("the FHIR server's next page is on another host")
    raise DataUnavailable(f"more than {settings.fhir_max_pages} pages of results")


async def gather(
    request: HookRequest, settings: CdsSettings, client: httpx.AsyncClient | None
) -> list[dict[str, Any]]:
    """Every resource of the patient, prefetched or fetched; raises DataUnavailable (412)."""
    prefetch = request.prefetch or {}
    resources: list[dict[str, Any]] = []
    for key in PREFETCH:
        if key in prefetch:
            resources += resources_of(prefetch[key])
    missing = [key for key in PREFETCH if key not in prefetch]
    if missing:
        if request.fhirServer is None or client is None:
            raise DataUnavailable(
                f"prefetch {', '.join(missing)} not given and no fhirServer to fetch it from"
            )
        base = _check_server(request.fhirServer)
        token = request.fhirAuthorization.access_token if request.fhirAuthorization else None
        for key in missing:
            resources += await _fetch(
                client, base + render(PREFETCH[key], request.context), token, settings
            )
    if not any(r.get("resourceType") == "Patient" for r in resources):
        raise DataUnavailable("the patient resource could not be had")
    return resources
