"""The services: discovery, patient-view cards, order cautions, 412, feedback stored and listed."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from mgpn.cdshooks.models import Card
from mgpn.engine import evaluate
from mgpn.interop.fhir import case_to_bundle
from mgpn.report.summary import build_summary
from tests.cdshooks.cases import example, example_prefetch, igm_al_case
from tests.cdshooks.ehr import Ehr, draft_medication, hook_body, prefetch, searchset

PV = "/cds-services/mgpn-patient-view"


def _post(client: TestClient, ehr: Ehr, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, json=body, headers=ehr.auth(path))


def _cards(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    cards: list[dict[str, Any]] = response.json()["cards"]
    for card in cards:
        Card.model_validate(card)  # the spec's constraints, as our model states them
        assert len(card["summary"]) < 140
        assert card["indicator"] in ("info", "warning", "critical") and card["source"]["label"]
        assert "seed" not in card["summary"] + card.get("detail", "")
        assert "null" not in str(card) and "None" not in str(card)
    return cards


def test_discovery_lists_the_services_with_prefetch(client: TestClient, ehr: Ehr) -> None:
    body = client.get("/cds-services", headers=ehr.auth("/cds-services")).json()
    hooks = {s["hook"]: s for s in body["services"]}
    assert set(hooks) == {"patient-view", "order-select", "order-sign"}
    for service in body["services"]:
        assert (
            service["id"]
            and service["description"]
            and service["prefetch"]["patient"] == "Patient/{{context.patientId}}"
        )


def test_patient_view_gives_the_leading_syndrome_tests_and_a_link(
    client: TestClient, ehr: Ehr
) -> None:
    case = example("anti-mag-neuropathy.yaml")
    case = case.model_copy(update={"recorded": None})
    assessment = evaluate(case)
    cards = _cards(
        _post(client, ehr, PV, hook_body("patient-view", prefetch(case_to_bundle(case))))
    )
    summary = build_summary(assessment)
    leading = cards[0]
    assert leading["summary"] == summary.headline[:139] or leading["summary"].endswith("…")
    assert assessment.syndromes[0].label in leading["summary"]
    assert (
        summary.cause.words in leading["detail"] and summary.indication.words in leading["detail"]
    )
    links = {link["type"]: link["url"] for link in leading["links"]}
    assert links["absolute"].startswith("https://mgpn.hospital.example/cases/")
    assert links["smart"] == "https://mgpn.hospital.example/smart/launch"
    case_id = links["absolute"].rsplit("/", 1)[1]
    stored = client.app.state.cds.cases.get(case_id)  # type: ignore[attr-defined]
    assert stored.assessment["syndromes"][0]["id"] == assessment.syndromes[0].id
    assert leading["overrideReasons"] and all(r["display"] for r in leading["overrideReasons"])
    if summary.next_tests:
        tests = next(c for c in cards if c.get("suggestions"))
        assert tests["selectionBehavior"] == "any"
        resources = [a["resource"] for s in tests["suggestions"] for a in s["actions"]]
        assert [r["code"]["coding"][-1]["code"] for r in resources] == [
            t.id for t in summary.next_tests
        ]
        assert all(
            r["resourceType"] == "ServiceRequest" and r["intent"] == "proposal" for r in resources
        )
        assert all(r["subject"]["reference"] == "Patient/p1" for r in resources)
        r4b = pytest.importorskip("fhir.resources.R4B")
        for resource in resources:
            r4b.get_fhir_model_class("ServiceRequest").model_validate(resource)
    # the same patient again: the same case in the web app, no new case
    again = _cards(
        _post(client, ehr, PV, hook_body("patient-view", prefetch(case_to_bundle(case))))
    )
    assert again[0]["links"][0]["url"] == links["absolute"]


def test_red_flags_become_warning_cards(client: TestClient, ehr: Ehr) -> None:
    case = example("al-amyloid-red-flags.yaml")
    flags = build_summary(evaluate(case)).red_flags
    assert flags
    cards = _cards(
        _post(
            client,
            ehr,
            PV,
            hook_body("patient-view", example_prefetch("al-amyloid-red-flags.yaml")),
        )
    )
    warnings = [c for c in cards if c["indicator"] == "warning"]
    assert len(warnings) == len(flags) and all(
        c["summary"].startswith("Do not miss") for c in warnings
    )


def test_no_cards_for_a_patient_without_a_known_gammopathy(client: TestClient, ehr: Ehr) -> None:
    data = {"patient": {"resourceType": "Patient", "id": "p1", "gender": "female"}, "observations": None,
            "conditions": None, "medicationStatements": None, "medicationRequests": None, "procedures": None}  # fmt: skip
    assert _cards(_post(client, ehr, PV, hook_body("patient-view", data))) == []


def test_missing_prefetch_without_a_fhir_server_is_412(client: TestClient, ehr: Ehr) -> None:
    data = example_prefetch()
    del data["observations"]
    response = _post(client, ehr, PV, hook_body("patient-view", data))
    assert response.status_code == 412
    assert "observations" in response.json()["issue"][0]["diagnostics"]


def test_an_unreachable_fhir_server_is_412(client: TestClient, ehr: Ehr) -> None:
    body = hook_body("patient-view", None, fhir_server="http://127.0.0.1:9", token="t")
    assert _post(client, ehr, PV, body).status_code == 412


def test_a_plain_http_fhir_server_elsewhere_is_refused(client: TestClient, ehr: Ehr) -> None:
    body = hook_body("patient-view", None, fhir_server="http://fhir.hospital.example", token="t")
    response = _post(client, ehr, PV, body)
    assert response.status_code == 412 and "https" in response.json()["issue"][0]["diagnostics"]


def test_a_wrong_hook_for_the_service_is_400(client: TestClient, ehr: Ehr) -> None:
    assert _post(client, ehr, PV, hook_body("order-sign", example_prefetch())).status_code == 400


def _order(
    client: TestClient, ehr: Ehr, hook: str, case_prefetch: dict[str, Any], *drugs: str
) -> list[dict[str, Any]]:
    orders = [draft_medication(drug, f"o{i}") for i, drug in enumerate(drugs)]
    context = {"draftOrders": searchset(orders)}
    if hook == "order-select":
        context["selections"] = [f"MedicationRequest/{o['id']}" for o in orders]
    path = f"/cds-services/mgpn-{hook}"
    return _cards(_post(client, ehr, path, hook_body(hook, case_prefetch, context=context)))


@pytest.mark.parametrize("hook", ["order-select", "order-sign"])
def test_rituximab_alone_in_anti_mag_neuropathy(client: TestClient, ehr: Ehr, hook: str) -> None:
    data = example_prefetch("anti-mag-neuropathy.yaml")
    assert evaluate(example("anti-mag-neuropathy.yaml")).syndrome("anti_mag").status in (
        "established",
        "probable",
    )
    cards = _order(client, ehr, hook, data, "Rituximab 375 mg/m2 IV")
    assert (
        len(cards) == 1
        and "IgM flare" in cards[0]["summary"]
        and cards[0]["indicator"] == "warning"
    )
    if (
        example("anti-mag-neuropathy.yaml").paraprotein.igm is None
    ):  # IgM unknown: propose measuring it
        (suggestion,) = cards[0]["suggestions"]
        assert (
            suggestion["actions"][0]["resource"]["code"]["coding"][-1]["code"] == "quantitative_igs"
        )
    # with chemotherapy it is not rituximab alone
    assert _order(client, ehr, hook, data, "Rituximab", "Bendamustine") == []


def test_rituximab_alone_with_high_igm_plasmapheresis_first(client: TestClient, ehr: Ehr) -> None:
    case = example("igg-mgus-diabetes.yaml").model_copy(deep=True)
    case.paraprotein.isotype = "IgM"
    case.paraprotein.igm = case.paraprotein.igm or None
    bundle = case_to_bundle(case)
    bundle["entry"].append({"resource": {
        "resourceType": "Observation", "status": "final", "code": {"coding": [{"system": "http://loinc.org", "code": "2472-9"}]},
        "valueQuantity": {"value": 4500, "unit": "mg/dL", "system": "http://unitsofmeasure.org", "code": "mg/dL"},
        "subject": {"reference": "x"}}})  # fmt: skip
    cards = _order(client, ehr, "order-sign", prefetch(bundle), "rituximab")
    assert any("plasmapheresis" in c["summary"] for c in cards)


def test_neurotoxic_drug_in_a_neuropathy(client: TestClient, ehr: Ehr) -> None:
    data = example_prefetch("igg-mgus-diabetes.yaml")
    assert example("igg-mgus-diabetes.yaml").neuropathy.present is True
    for drug in ("Bortezomib 1.3 mg/m2 SC", "thalidomide", "VinCRIStine"):
        cards = _order(client, ehr, "order-select", data, drug)
        assert any("Neurotoxic drug" in c["summary"] for c in cards), drug
    assert _order(client, ehr, "order-select", data, "Paracetamol") == []


def test_btk_inhibitor_first_line_in_igm_al(client: TestClient, ehr: Ehr) -> None:
    case = igm_al_case()
    assert evaluate(case).syndrome("al_amyloidosis").status in ("established", "probable")
    cards = _order(client, ehr, "order-sign", prefetch(case_to_bundle(case)), "Zanubrutinib 160 mg")
    assert any("BTK inhibitor" in c["summary"] for c in cards)
    data = case.model_dump(mode="json", exclude_none=True)
    treated = type(case).model_validate(
        {**data, "treatments": [{"regimen": "bendamustine-rituximab", "start": "2024-01-01"}]}
    )
    assert not any(
        "BTK" in c["summary"]
        for c in _order(
            client, ehr, "order-sign", prefetch(case_to_bundle(treated)), "zanubrutinib"
        )
    )


def test_feedback_is_stored_and_listed(database_url: str, cds_settings: Any, ehr: Ehr) -> None:
    from mgpn.web.main import create_app
    from mgpn.web.settings import Settings

    app = create_app(Settings(database_url=database_url), cds=cds_settings)
    client = TestClient(app)
    path = "/cds-services/mgpn-patient-view/feedback"
    body = {"feedback": [
        {"card": "card-1", "outcome": "accepted", "acceptedSuggestions": [{"id": "s-1"}], "outcomeTimestamp": "2026-12-01T10:00:00Z"},
        {"card": "card-2", "outcome": "overridden", "outcomeTimestamp": "2026-12-01T10:01:00Z",
         "overrideReason": {"reason": {"code": "disagree", "system": "x", "display": "Disagree with the assessment"},
                            "userComment": "known CIDP"}},
    ]}  # fmt: skip
    assert client.post(path, json=body, headers=ehr.auth(path)).status_code == 200
    stored = app.state.cds.store.feedback()
    assert {(f.card_uuid, f.outcome) for f in stored} == {
        ("card-1", "accepted"),
        ("card-2", "overridden"),
    }
    page = client.get("/cds/feedback")
    assert page.status_code == 200
    assert (
        "1 accepted, 1 overridden" in page.text
        and "Disagree with the assessment" in page.text
        and "known CIDP" in page.text
    )
    bad = client.post(
        path, json={"feedback": [{"card": "x", "outcome": "maybe"}]}, headers=ehr.auth(path)
    )
    assert bad.status_code == 400


def test_serve_mounts_the_cds_services(database_url: str, cds_settings: Any, ehr: Ehr) -> None:
    from mgpn.web.main import create_app
    from mgpn.web.settings import Settings

    client = TestClient(create_app(Settings(database_url=database_url), cds=cds_settings))
    assert client.get("/cds-services", headers=ehr.auth("/cds-services")).status_code == 200
    assert client.get("/cds-services").status_code == 401


def test_cors_for_configured_browser_clients(make_client: Any, cds_settings: Any, ehr: Ehr) -> None:
    client = make_client(
        cds_settings.model_copy(update={"cors_origins": ["https://sandbox.example"]})
    )
    pre = client.options(
        "/cds-services/mgpn-patient-view", headers={"Origin": "https://sandbox.example"}
    )
    assert pre.status_code == 204
    assert "Authorization" in pre.headers["Access-Control-Allow-Headers"]
    other = client.get(
        "/cds-services",
        headers={"Origin": "https://elsewhere.example", **ehr.auth("/cds-services")},
    )
    assert "Access-Control-Allow-Origin" not in other.headers


def test_an_order_no_caution_is_about_reads_no_patient_data(client: TestClient, ehr: Ehr) -> None:
    # no prefetch and no fhirServer: answering would need 412 if the data were read at all
    context = {"draftOrders": searchset([draft_medication("Paracetamol 500 mg", "o1")])}
    body = hook_body("order-sign", None, context=context)
    path = "/cds-services/mgpn-order-sign"
    assert _cards(client.post(path, json=body, headers=ehr.auth(path))) == []
    context = {"draftOrders": searchset([draft_medication("Rituximab", "o1")])}
    assert (
        client.post(
            path, json=hook_body("order-sign", None, context=context), headers=ehr.auth(path)
        ).status_code
        == 412
    )
