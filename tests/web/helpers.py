"""Helpers of the web tests: the base URL, CSRF and sign-in as a browser does them."""

from __future__ import annotations

from fastapi.testclient import TestClient

# The app answers only to its configured host names (DNS-rebinding defence): loopback.
BASE_URL = "http://127.0.0.1"


def with_csrf(test_client: TestClient) -> TestClient:
    """Fetch a page once and send its CSRF token with every later request, as HTMX does."""
    test_client.get("/")
    test_client.headers["X-CSRF-Token"] = test_client.cookies.get("mgpn_csrf", "")
    return test_client


PASSWORD = "correct horse battery"


def sign_in(test_client: TestClient, username: str, password: str = PASSWORD) -> TestClient:
    """Sign in through the login form, as a browser would; keeps the new CSRF token."""
    form = test_client.get("/login")
    assert form.status_code == 200, form.text
    token = test_client.cookies.get("mgpn_csrf", "")
    response = test_client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    test_client.headers["X-CSRF-Token"] = test_client.cookies.get("mgpn_csrf", "")
    return test_client
