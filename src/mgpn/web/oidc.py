"""OpenID Connect sign-in (the hospital's identity provider) through Authlib.

Authorization-code flow with PKCE and a nonce; Authlib fetches the provider's metadata
and keys, checks the ID token (issuer, audience, signature, expiry, nonce) and keeps the
state in a short-lived signed cookie (Starlette's session middleware, only for this flow).
"""

from __future__ import annotations

from typing import Any

from mgpn.web.settings import OidcSettings

CLIENT_NAME = "hospital"


def make_oauth(oidc: OidcSettings) -> Any:
    from authlib.integrations.starlette_client import OAuth

    oauth = OAuth()
    oauth.register(
        name=CLIENT_NAME,
        client_id=oidc.client_id,
        client_secret=oidc.client_secret,
        server_metadata_url=oidc.server_metadata_url,
        client_kwargs={"scope": oidc.scopes, "code_challenge_method": "S256"},
    )
    return oauth
