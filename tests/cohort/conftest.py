"""Fixtures for the cohort tests: small cohorts written as real CSV files."""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pytest

Row = Mapping[str, object]


def write_csv(path: Path, rows: Sequence[Row]) -> Path:
    """Write rows (dicts) as CSV; None becomes a blank cell (unknown)."""
    fields: list[str] = []
    for row in rows:
        fields.extend(key for key in row if key not in fields)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return path


@pytest.fixture
def cohort_csv(tmp_path: Path) -> Callable[[Sequence[Row]], Path]:
    counter = iter(range(1000))

    def make(rows: Sequence[Row]) -> Path:
        return write_csv(tmp_path / f"cohort-{next(counter)}.csv", rows)

    return make
