"""Shared test helpers: where ../shared is, and skipping cleanly when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture
def shared_dir() -> Path:
    """The team's shared folder beside the repo; tests that need it skip without it."""
    if not (SHARED / "cases").is_dir():
        pytest.skip("../shared is not present (it is in CI; a user's clone has none)")
    return SHARED
