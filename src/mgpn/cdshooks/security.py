"""Verifying the JWT the EHR signs on every call (CDS Hooks 2.0, "Trusting CDS Clients").

Checks, in order: a Bearer token is present; its header names ES384 or RS384 (``none``
and every HMAC algorithm are refused) and a ``kid``; its ``iss`` is a trusted issuer;
a ``jku`` header, if any, is on that issuer's allowlist; the signature verifies with the
issuer's public key (from its JWKS URL or file, or the allowlisted ``jku``); ``aud`` is
this endpoint's exact URL; ``exp`` and ``iat`` hold within the configured clock skew;
``jti`` has not been seen before (the replay cache is a database table, so it survives a
restart). The cryptography is PyJWT's.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import jwt
from jwt import PyJWK, PyJWKClient, PyJWKSet

from mgpn.cdshooks.settings import CdsSettings, TrustedIssuer

ALGORITHMS: tuple[str, ...] = ("ES384", "RS384")


class AuthFailure(Exception):
    """The call is not authenticated; ``reason`` is safe to return (no patient data)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class KeyStore:
    """Public keys per issuer: JWKS URLs (cached by PyJWKClient) and JWKS files (read once)."""

    def __init__(self, timeout: float) -> None:
        self._timeout = timeout
        self._clients: dict[str, PyJWKClient] = {}
        self._files: dict[str, PyJWKSet] = {}
        self._lock = threading.Lock()

    def _client(self, url: str) -> PyJWKClient:
        with self._lock:
            if url not in self._clients:
                self._clients[url] = PyJWKClient(
                    url, cache_keys=True, lifespan=300, timeout=int(max(1, self._timeout))
                )
            return self._clients[url]

    def _file(self, path: str) -> PyJWKSet:
        with self._lock:
            if path not in self._files:
                with open(path, encoding="utf-8") as handle:
                    self._files[path] = PyJWKSet.from_dict(json.load(handle))
            return self._files[path]

    def key(self, issuer: TrustedIssuer, kid: str, jku: str | None) -> PyJWK:
        try:
            if jku is not None:
                return self._client(jku).get_signing_key(kid)
            if issuer.jwks_file is not None:
                for candidate in self._file(str(issuer.jwks_file)).keys:
                    if candidate.key_id == kid:
                        return candidate
                raise AuthFailure(f"no key {kid!r} in the issuer's JWKS file")
            if issuer.jwks_url is not None:
                return self._client(issuer.jwks_url).get_signing_key(kid)
        except AuthFailure:
            raise
        except (jwt.PyJWKClientError, jwt.InvalidKeyError, OSError, ValueError) as exc:
            raise AuthFailure(
                f"the issuer's key {kid!r} could not be had: {exc.__class__.__name__}"
            ) from None
        raise AuthFailure(
            "the issuer has no JWKS configured (jwks_url or jwks_file), and the token names no jku"
        )


class TokenVerifier:
    """Verifies one Authorization header for one endpoint URL."""

    def __init__(
        self, settings: CdsSettings, claim_jti: Callable[[str, str, datetime], bool]
    ) -> None:
        self.settings = settings
        self._claim = claim_jti
        self.keys = KeyStore(settings.jwks_timeout_seconds)

    def verify(self, authorization: str | None, audience: str | None) -> dict[str, Any]:
        if (
            not authorization
            or not authorization.startswith("Bearer ")
            or not authorization[7:].strip()
        ):
            raise AuthFailure("missing 'Authorization: Bearer <JWT>' header")
        if audience is None:
            raise AuthFailure(
                "the service has no base_url configured, so no token can name it as aud"
            )
        token = authorization[7:].strip()
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise AuthFailure("the bearer token is not a JWT") from None
        alg = header.get("alg")
        if alg not in ALGORITHMS:
            raise AuthFailure(
                f"algorithm {alg!r} refused: only {' or '.join(ALGORITHMS)} are accepted"
            )
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise AuthFailure("the JWT header has no kid")
        issuer = self.settings.issuer(unverified.get("iss"))
        if issuer is None:
            raise AuthFailure("the token's issuer is not a trusted EHR")
        jku = header.get("jku")
        if jku is not None and jku not in issuer.jku_allowlist:
            raise AuthFailure("the token's jku is not on the issuer's allowlist")
        key = self.keys.key(issuer, kid, jku)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key.key,
                algorithms=[alg],
                audience=audience,
                issuer=issuer.iss,
                leeway=self.settings.clock_skew_seconds,
                options={"require": ["iss", "aud", "exp", "iat", "jti"]},
            )
        except jwt.ExpiredSignatureError:
            raise AuthFailure("the token has expired") from None
        except jwt.InvalidAudienceError:
            raise AuthFailure("the token's aud is not this endpoint's URL") from None
        except jwt.ImmatureSignatureError:
            raise AuthFailure("the token's iat is in the future") from None
        except jwt.MissingRequiredClaimError as exc:
            raise AuthFailure(f"the token has no {exc.claim} claim") from None
        except jwt.PyJWTError as exc:
            raise AuthFailure(f"the token does not verify: {exc.__class__.__name__}") from None
        expires = datetime.fromtimestamp(float(claims["exp"]), UTC)
        if not self._claim(issuer.iss, str(claims["jti"]), expires):
            raise AuthFailure("the token's jti was used before (replay)")
        return claims
