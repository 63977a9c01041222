"""The web app's settings, read once from the environment (``get_settings`` is cached)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from platformdirs import user_data_dir

DATABASE_URL_ENV = "MGPN_DATABASE_URL"
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
