"""Fixtures: the test EHR with its JWKS on loopback, and the CDS Hooks app trusting it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from mgpn.cdshooks.app import create_cds_app
from mgpn.cdshooks.settings import CdsSettings, TrustedIssuer
from tests.cdshooks.ehr import BASE, ISSUER, Ehr, JwksServer


@pytest.fixture(scope="session")
def ehr() -> Ehr:
    return Ehr()


@pytest.fixture(scope="session")
def jwks_server(ehr: Ehr) -> Iterator[JwksServer]:
    server = JwksServer(ehr.jwks)
    yield server
    server.close()


@pytest.fixture
def cds_settings(jwks_server: JwksServer) -> CdsSettings:
    return CdsSettings(
        base_url=BASE,
        issuers=[TrustedIssuer(iss=ISSUER, jwks_url=jwks_server.url)],
        web_app_url="https://mgpn.hospital.example",
        smart_launch_url="https://mgpn.hospital.example/smart/launch",
    )


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cds.sqlite3'}"


@pytest.fixture
def make_client(database_url: str, cds_settings: CdsSettings) -> Callable[..., TestClient]:
    def make(settings: CdsSettings | None = None) -> TestClient:
        return TestClient(create_cds_app(database_url, settings or cds_settings))

    return make


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()
