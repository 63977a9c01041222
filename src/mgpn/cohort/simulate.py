"""A synthetic cohort shaped like the design of Stork et al. 2019 (serum cytokines in IgM neuropathy).

Every number that shapes the data is a parameter read from
``data/simulation.yaml`` (with its provenance) and can be overridden; most are
assumptions marked ``verified: false`` because the study summary reports only the
design and the direction of the differences. Each row carries ``synthetic = true``
and a sidecar ``<file>.simulation.json`` records the parameters, the seed and their
provenance, so the file can never pass for study data.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import polars as pl
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mgpn.cohort import columns as col
from mgpn.errors import InputError, Issue

__all__ = [
    "SIDECAR_SUFFIX",
    "MarkerAssumption",
    "SimulationParameters",
    "default_parameters",
    "load_parameters",
    "simulate_cohort",
    "write_cohort",
]

SIDECAR_SUFFIX: Final = ".simulation.json"
SIMULATION_NOTE: Final = (
    "SYNTHETIC data made by 'mgpn cohort simulate': shaped like the design of Stork et al., "
    "Muscle Nerve 2019 (doi:10.1002/mus.26462) and the direction of its reported differences; "
    "every distribution is an assumption (verified: false). Not evidence."
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MarkerAssumption(_Strict):
    """A log-normal marker: controls have median 1 (arbitrary units); groups differ by ``fold``."""

    column: str
    log_sd: float = Field(gt=0, description="standard deviation of the natural log")
    fold: dict[str, float] = Field(
        description="median relative to controls for igm_pnp, anti_mag (the anti-MAG "
        "participants of igm_pnp) and mmn"
    )


class SimulationParameters(_Strict):
    group_sizes: dict[str, int]
    anti_mag_fraction: float = Field(ge=0, le=1)
    blank_fraction: float = Field(ge=0, lt=1)
    markers: list[MarkerAssumption]
    odss_mean: float
    odss_sd: float = Field(ge=0)
    progression_mean: float
    progression_sd: float = Field(ge=0)
    rituximab_treated_fraction: float = Field(ge=0, le=1)
    rituximab_response_probability: float = Field(ge=0, le=1)


def _defaults_document() -> dict[str, Any]:
    text = resources.files("mgpn.cohort").joinpath("data/simulation.yaml").read_text("utf-8")
    document: dict[str, Any] = yaml.safe_load(text)
    return document


def default_parameters() -> SimulationParameters:
    return SimulationParameters.model_validate(_defaults_document()["parameters"])


def load_parameters(path: str | Path | None) -> SimulationParameters:
    """Defaults, with the top-level keys given in the YAML file ``path`` replaced."""
    values = dict(_defaults_document()["parameters"])
    source = str(path) if path is not None else "defaults"
    if path is not None:
        try:
            override = yaml.safe_load(Path(path).read_text("utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise InputError(source, [Issue("<file>", f"cannot read parameters: {exc}")]) from exc
        if not isinstance(override, dict):
            raise InputError(source, [Issue("<file>", "expected a mapping of parameter names")])
        values.update(override)
    try:
        return SimulationParameters.model_validate(values)
    except ValidationError as exc:
        issues = [
            Issue(
                ".".join(str(part) for part in error["loc"]),
                error["msg"],
                fix="see the keys and types in mgpn/cohort/data/simulation.yaml",
            )
            for error in exc.errors()
        ]
        raise InputError(source, issues) from exc


def simulate_cohort(seed: int, parameters: SimulationParameters | None = None) -> pl.DataFrame:
    """One row per participant, following ``mgpn-cohort/1``, reproducible from ``seed``."""
    params = parameters or default_parameters()
    rng = np.random.default_rng(seed)
    groups = np.concatenate(
        [np.full(n, name, dtype=object) for name, n in params.group_sizes.items()]
    )
    size = groups.size
    is_igm = groups == col.IGM_PNP
    anti_mag = np.where(is_igm, rng.random(size) < params.anti_mag_fraction, False)

    data: dict[str, Any] = {
        col.ID: [f"SYN-{i + 1:05d}" for i in range(size)],
        col.GROUP: groups.astype(str),
        # anti-MAG is only tested in the neuropathy groups; controls stay unknown.
        col.ANTI_MAG: _known_where(is_igm, anti_mag),
    }
    for marker in params.markers:
        fold = np.ones(size)
        for name, factor in marker.fold.items():
            if name == col.ANTI_MAG_SUBGROUP:
                fold[anti_mag] = factor
            else:
                fold[(groups == name) & ~anti_mag] = factor
        values = np.exp(np.log(fold) + rng.normal(0.0, marker.log_sd, size))
        values[rng.random(size) < params.blank_fraction] = np.nan
        data[marker.column] = pl.Series(values).fill_nan(None)

    odss = np.clip(np.rint(rng.normal(params.odss_mean, params.odss_sd, size)), 0, 10)
    change = np.rint(rng.normal(params.progression_mean, params.progression_sd, size))
    followup = np.clip(odss + change, 0, 10)
    treated = is_igm & (rng.random(size) < params.rituximab_treated_fraction)
    responded = rng.random(size) < params.rituximab_response_probability
    data[col.ODSS] = pl.Series(np.where(is_igm, odss, np.nan)).fill_nan(None)
    data[col.ODSS_FOLLOWUP] = pl.Series(np.where(is_igm, followup, np.nan)).fill_nan(None)
    data[col.RITUXIMAB_RESPONSE] = _known_where(treated, responded)
    data[col.SYNTHETIC] = pl.Series([True] * size, dtype=pl.Boolean)
    return pl.DataFrame(data)


def _known_where(known: npt.NDArray[np.bool_], values: npt.NDArray[np.bool_]) -> pl.Series:
    """Booleans where ``known``, blank (unknown) elsewhere."""
    return pl.Series(
        [bool(v) if k else None for k, v in zip(known, values, strict=True)], dtype=pl.Boolean
    )


def write_cohort(
    frame: pl.DataFrame, path: str | Path, *, seed: int, parameters: SimulationParameters
) -> Path:
    """Write the cohort (CSV or Parquet by extension) and its sidecar; returns the sidecar."""
    path = Path(path)
    if path.suffix.lower() == ".parquet":
        frame.write_parquet(path)
    else:
        frame.write_csv(path)
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    document = {
        "synthetic": True,
        "note": SIMULATION_NOTE,
        "generator": "mgpn cohort simulate",
        "seed": seed,
        "parameters": parameters.model_dump(mode="json"),
        "provenance": _defaults_document()["provenance"],
    }
    sidecar.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return sidecar
