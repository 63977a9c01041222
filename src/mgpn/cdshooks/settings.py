"""Settings of the CDS Hooks service: who is trusted, the service's own URL, links, timeouts.

Read from a YAML file (``MGPN_CDS_CONFIG`` or ``--cds-config``); see docs/ehr.md. Without
one, the service has no trusted EHR and refuses every call with 401.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from mgpn.errors import InputError, Issue

CONFIG_ENV = "MGPN_CDS_CONFIG"


class TrustedIssuer(BaseModel):
    """An EHR whose signed calls are accepted, and where its public keys are."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    iss: str
    jwks_url: str | None = None
    jwks_file: Path | None = None
    jku_allowlist: list[str] = Field(
        default_factory=list, description="JWKS URLs a token's jku header may name"
    )

    @model_validator(mode="after")
    def _keys(self) -> TrustedIssuer:
        if self.jwks_url is None and self.jwks_file is None and not self.jku_allowlist:
            raise ValueError(f"issuer {self.iss}: give jwks_url, jwks_file or jku_allowlist")
        return self


class CdsSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str | None = Field(
        default=None,
        description="the service's public base URL; a token's aud must be "
        "{base_url}/cds-services[/{id}[/feedback]]",
    )
    issuers: list[TrustedIssuer] = Field(default_factory=list)
    web_app_url: str | None = Field(
        default=None, description="absolute URL of the web app (card links)"
    )
    smart_launch_url: str | None = Field(
        default=None, description="SMART app launch URL (a 'smart' card link)"
    )
    clock_skew_seconds: int = Field(default=60, ge=0, le=300)
    fhir_timeout_seconds: float = Field(default=5.0, gt=0, le=30)
    fhir_max_pages: int = Field(default=5, ge=1, le=50)
    jwks_timeout_seconds: float = Field(default=5.0, gt=0, le=30)
    save_cases: bool = Field(
        default=True, description="keep each patient's case in the web app for the card link"
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description="browser origins of CDS clients allowed by CORS ('*' for any)",
    )
    site_codes_file: str | None = Field(
        default=None, description="a site mapping file of local FHIR codes"
    )
    insecure_skip_auth: bool = Field(
        default=False,
        description="development only: no token checks; refused unless bound to 127.0.0.1",
    )

    def issuer(self, iss: object) -> TrustedIssuer | None:
        for item in self.issuers:
            if item.iss == iss:
                return item
        return None

    def audience(self, path: str) -> str | None:
        """The exact URL a token must name for ``path`` (``/cds-services/...``)."""
        if self.base_url is None:
            return None
        return self.base_url.rstrip("/") + path

    def app_url(self) -> str | None:
        return (self.web_app_url or self.base_url or "").rstrip("/") or None


def load_cds_settings(path: str | Path | None = None) -> CdsSettings:
    """Settings from ``path``, else from the file named by MGPN_CDS_CONFIG, else none trusted."""
    where = path or os.environ.get(CONFIG_ENV)
    if not where:
        return CdsSettings()
    source = str(where)
    try:
        raw = yaml.safe_load(Path(where).read_text(encoding="utf-8")) or {}
        return CdsSettings.model_validate(raw)
    except OSError as exc:
        raise InputError(
            source, [Issue("", f"cannot read the CDS Hooks settings: {exc}", fix="check the path")]
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(
            source, [Issue("", f"not valid YAML: {exc}", fix="correct the syntax")]
        ) from None
    except ValidationError as exc:
        raise InputError(
            source,
            [
                Issue(
                    ".".join(map(str, e["loc"])),
                    e["msg"],
                    fix="see docs/ehr.md, CDS Hooks settings",
                )
                for e in exc.errors(include_url=False)
            ],
        ) from None
