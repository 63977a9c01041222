"""The web app's settings, read once from the environment (``get_settings`` is cached)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from platformdirs import user_data_dir

DATABASE_URL_ENV = "MGPN_DATABASE_URL"
SITE_UNITS_ENV = "MGPN_SITE_UNITS"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def default_database_path() -> Path:
    """The embedded default: an SQLite file in the user's data directory."""
    return Path(user_data_dir("mgpn", appauthor=False)) / "mgpn.sqlite3"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


@dataclass(frozen=True)
class Settings:
    """What the app needs to run; build one directly in tests."""

    database_url: str
    database_is_default: bool = False


def settings_from_env(database_url: str | None = None) -> Settings:
    """Settings from an explicit URL, else ``MGPN_DATABASE_URL``, else the embedded default."""
    url = database_url or os.environ.get(DATABASE_URL_ENV) or None
    if url:
        return Settings(database_url=url)
    return Settings(database_url=sqlite_url(default_database_path()), database_is_default=True)


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
