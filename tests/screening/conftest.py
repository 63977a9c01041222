"""One small dense synthetic export per test session, screened once with DuckDB."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mgpn.screening.run import ScreenRun, screen
from mgpn.screening.synth import DENSE, generate

PATIENTS = 240
SEED = 11


@pytest.fixture(scope="session")
def synthetic_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("export")
    generate(directory, PATIENTS, SEED, defects=True, overrides=DENSE)
    return directory


@pytest.fixture(scope="session")
def truth(synthetic_export: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((synthetic_export / "truth.json").read_text())
    return data


@pytest.fixture(scope="session")
def duckdb_run(synthetic_export: Path, tmp_path_factory: pytest.TempPathFactory) -> ScreenRun:
    return screen(synthetic_export, tmp_path_factory.mktemp("out-duckdb"), workers=2)


def table(out: Path, name: str) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq

    rows: list[dict[str, Any]] = pq.read_table(str(out / f"{name}.parquet")).to_pylist()
    return rows
