"""The web app's settings, read once from the environment (``get_settings`` is cached).

Every setting a deployer may set is an ``MGPN_*`` environment variable (docs/web.md lists
them). Two defaults differ on purpose: ``settings_from_env`` (what ``mgpn serve`` uses)
turns sign-in **on** and accepts only the loopback and configured host names, while a
:class:`Settings` built directly in Python (tests, embedding) leaves sign-in off and also
accepts Starlette's test host name unless told; either way ``mgpn serve`` refuses to
listen beyond the loopback interface without sign-in.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from platformdirs import user_data_dir

from mgpn.errors import SettingsError

DATABASE_URL_ENV = "MGPN_DATABASE_URL"
SITE_UNITS_ENV = "MGPN_SITE_UNITS"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
DEFAULT_MAX_BODY_BYTES = 1_048_576  # a case file is a few kilobytes; 1 MiB leaves room
DEFAULT_SESSION_HOURS = 12  # one clinical day; then sign in again
# Paths that carry their own authentication (the CDS Hooks services check the EHR's JWT):
# no session sign-in and no CSRF token there. Nothing else may be exempted.
DEFAULT_EXEMPT_PREFIXES = ("/cds-services",)
# Prefixes the app's own pages and API live under: exempting them would switch sign-in off.
_PROTECTED_PREFIXES = ("/api", "/cases", "/ui", "/docs", "/openapi.json", "/auth", "/login")


def default_database_path() -> Path:
    """The embedded default: an SQLite file in the user's data directory."""
    return Path(user_data_dir("mgpn", appauthor=False)) / "mgpn.sqlite3"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def is_loopback(host: str) -> bool:
    return host in LOOPBACK_HOSTS or host.startswith("127.")


@dataclass(frozen=True)
class OidcSettings:
    """An OpenID Connect provider (the hospital's identity service)."""

    issuer: str
    client_id: str
    client_secret: str
    scopes: str = "openid email profile"
    # The provider's metadata; default: the issuer's /.well-known/openid-configuration.
    metadata_url: str | None = None

    @property
    def server_metadata_url(self) -> str:
        return self.metadata_url or (self.issuer.rstrip("/") + "/.well-known/openid-configuration")


@dataclass(frozen=True)
class Settings:
    """What the app needs to run; build one directly in tests."""

    database_url: str
    database_is_default: bool = False
    # Sign-in: on means every page and API call needs a signed-in user (local or OIDC).
    auth_required: bool = False
    oidc: OidcSettings | None = None
    # Host header values accepted (DNS rebinding defence); "*" accepts any (not advised).
    # Built in Python the default also accepts "testserver" (Starlette's TestClient);
    # ``settings_from_env`` (what ``mgpn serve`` uses) accepts only loopback and the
    # configured names.
    allowed_hosts: tuple[str, ...] = (*LOOPBACK_HOSTS, "testserver")
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    session_hours: int = DEFAULT_SESSION_HOURS
    # Secure cookies are sent over HTTPS only; None = on unless the server is on loopback.
    cookie_secure: bool | None = None
    bind_host: str = DEFAULT_HOST
    exempt_prefixes: tuple[str, ...] = DEFAULT_EXEMPT_PREFIXES
    # Signs the short-lived OIDC sign-in state cookie; random per process when unset.
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    def __post_init__(self) -> None:
        for prefix in self.exempt_prefixes:
            if not prefix.startswith("/") or prefix.rstrip("/") == "":
                raise SettingsError(
                    f"exempt path prefix {prefix!r} must start with '/' and name a sub-path. "
                    "Fix: e.g. MGPN_AUTH_EXEMPT_PREFIXES=/cds-services"
                )
            if any(
                p.startswith(prefix.rstrip("/")) or prefix.startswith(p)
                for p in _PROTECTED_PREFIXES
            ):
                raise SettingsError(
                    f"exempt path prefix {prefix!r} would switch sign-in off for the app's "
                    "own pages or API. Fix: exempt only services with their own checks, "
                    "e.g. /cds-services"
                )
        if self.max_body_bytes < 1024:
            raise SettingsError(
                f"MGPN_MAX_BODY_BYTES={self.max_body_bytes} is too small for a case form. "
                "Fix: give at least 1024 (default 1048576)"
            )
        if self.session_hours < 1:
            raise SettingsError("MGPN_SESSION_HOURS must be at least 1. Fix: e.g. 12")

    @property
    def secure_cookies(self) -> bool:
        if self.cookie_secure is not None:
            return self.cookie_secure
        return not is_loopback(self.bind_host)


def _bool(name: str, default: bool | None) -> bool | None:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "on", "yes"):
        return True
    if value in ("0", "false", "off", "no"):
        return False
    raise SettingsError(f"{name}={raw!r} is not on or off. Fix: set {name}=on or {name}=off")


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw.strip(), 10)
    except ValueError as exc:
        raise SettingsError(f"{name}={raw!r} is not a whole number. Fix: e.g. {default}") from exc


def _list(name: str) -> tuple[str, ...] | None:
    raw = os.environ.get(name)
    if raw is None:
        return None
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def _oidc_from_env() -> OidcSettings | None:
    issuer = os.environ.get("MGPN_OIDC_ISSUER", "").strip()
    if not issuer:
        return None
    client_id = os.environ.get("MGPN_OIDC_CLIENT_ID", "").strip()
    secret = os.environ.get("MGPN_OIDC_CLIENT_SECRET", "").strip()
    if not client_id or not secret:
        raise SettingsError(
            "MGPN_OIDC_ISSUER is set but MGPN_OIDC_CLIENT_ID or MGPN_OIDC_CLIENT_SECRET is "
            "not. Fix: set both to the client registered for mgpn at your identity provider"
        )
    return OidcSettings(
        issuer=issuer,
        client_id=client_id,
        client_secret=secret,
        scopes=os.environ.get("MGPN_OIDC_SCOPES", "").strip() or "openid email profile",
        metadata_url=os.environ.get("MGPN_OIDC_METADATA_URL", "").strip() or None,
    )


def settings_from_env(
    database_url: str | None = None,
    *,
    bind_host: str = DEFAULT_HOST,
    auth_required: bool | None = None,
) -> Settings:
    """Settings from explicit values, else ``MGPN_*`` variables, else the safe defaults.

    Sign-in defaults to on (``MGPN_AUTH=off`` switches it off; ``mgpn serve`` allows that
    on 127.0.0.1 only). The Host names accepted are the loopback names, the bind address
    when it is a name or address, and ``MGPN_ALLOWED_HOSTS``.
    """
    url = database_url or os.environ.get(DATABASE_URL_ENV) or None
    auth = auth_required if auth_required is not None else _bool("MGPN_AUTH", True)
    hosts = list(LOOPBACK_HOSTS)
    if bind_host not in ("0.0.0.0", "::", "") and bind_host not in hosts:
        hosts.append(bind_host)
    hosts.extend(h for h in (_list("MGPN_ALLOWED_HOSTS") or ()) if h not in hosts)
    exempt = _list("MGPN_AUTH_EXEMPT_PREFIXES")
    secret = os.environ.get("MGPN_SECRET_KEY", "").strip()
    common: dict[str, object] = {
        "auth_required": bool(auth),
        "oidc": _oidc_from_env(),
        "allowed_hosts": tuple(hosts),
        "max_body_bytes": _int("MGPN_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES),
        "session_hours": _int("MGPN_SESSION_HOURS", DEFAULT_SESSION_HOURS),
        "cookie_secure": _bool("MGPN_COOKIE_SECURE", None),
        "bind_host": bind_host,
        "exempt_prefixes": DEFAULT_EXEMPT_PREFIXES if exempt is None else exempt,
    }
    if secret:
        common["secret_key"] = secret
    if url:
        return Settings(database_url=url, **common)  # type: ignore[arg-type]
    return Settings(
        database_url=sqlite_url(default_database_path()),
        database_is_default=True,
        **common,  # type: ignore[arg-type]
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached; the FastAPI dependency of the same name uses it)."""
    return settings_from_env()


def parse_site_units(text: str) -> dict[str, str]:
    """``"paraprotein.igm=g/L; history.hba1c=mmol/mol"`` -> {path: unit}.

    The site's laboratory units, set once: the form then shows the unit beside the
    field instead of asking for it each time. A malformed entry is refused loudly.
    """
    units: dict[str, str] = {}
    for item in (part.strip() for part in text.replace(",", ";").split(";")):
        if not item:
            continue
        path, sep, unit = (x.strip() for x in item.partition("="))
        if not sep or not path or not unit:
            raise ValueError(
                f"{SITE_UNITS_ENV}: cannot read {item!r}; write field=unit, "
                "e.g. paraprotein.igm=g/L; history.hba1c=mmol/mol"
            )
        units[path] = unit
    return units


@lru_cache(maxsize=1)
def site_units() -> dict[str, str]:
    """The site's default units from ``MGPN_SITE_UNITS`` (cached; empty when unset).

    Each path must be a quantity of the case format and the unit one it accepts.
    """
    from mgpn.case import field_catalog

    units = parse_site_units(os.environ.get(SITE_UNITS_ENV, ""))
    accepted = {d.path: (d.unit, *d.accepted_units) for d in field_catalog()}
    for path, unit in units.items():
        if unit not in accepted.get(path, ()):
            raise ValueError(
                f"{SITE_UNITS_ENV}: {path}={unit} is not a unit that field accepts "
                f"(accepted: {', '.join(u for u in accepted.get(path, ()) if u) or 'none'})"
            )
    return units
