"""The code map (``codes.yaml`` plus an optional site file) under a strict schema.

Unknown keys are refused and every path an entry names must be a case field, so a
misspelt line stops the import with its location instead of switching a code off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from mgpn.assessment import TestId
from mgpn.case.catalog import FieldDescriptor, field_catalog
from mgpn.errors import Issue, MappingError

Status = Literal["verified", "secondary", "unverified"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Coded(_Strict):
    system: str = Field(description="a key of `systems` or a full system URL")
    code: str
    display: str
    status: Status
    source: str
    note: str | None = None
    ignore: str | None = Field(default=None, description="why a known code is not used")


class ObservationCode(_Coded):
    path: str | None = None
    read: Literal["immunofixation"] | None = None
    values: dict[str, str] | None = Field(
        default=None, description="a positive/negative result -> the case field's own value"
    )
    export: bool = Field(default=True, description="offered as the code when writing FHIR")

    @model_validator(mode="after")
    def _path_or_ignore(self) -> ObservationCode:
        if (self.path is None) == (self.ignore is None):
            raise ValueError(f"{self.code}: give exactly one of 'path' or 'ignore'")
        return self


class ConditionCode(_Coded):
    set: dict[str, bool | str] | None = None
    refuted: Literal["negate", "ignore"] = Field(
        default="ignore",
        description="negate: a refuted diagnosis sets its yes/no fields to false; "
        "ignore: a refuted diagnosis says nothing about the fields",
    )

    @model_validator(mode="after")
    def _set_or_ignore(self) -> ConditionCode:
        if (self.set is None) == (self.ignore is None):
            raise ValueError(f"{self.code}: give exactly one of 'set' or 'ignore'")
        return self


class MedicationCode(_Coded):
    drug: str


class TestCode(_Coded):
    test: TestId


class CodeMapFile(_Strict):
    systems: dict[str, str] = Field(default_factory=dict)
    unit_aliases: dict[str, str] = Field(default_factory=dict)
    interpretation_results: dict[str, Literal["positive", "negative", "borderline"]] = Field(
        default_factory=dict
    )
    observations: list[ObservationCode] = Field(default_factory=list)
    conditions: list[ConditionCode] = Field(default_factory=list)
    medications: list[MedicationCode] = Field(default_factory=list)
    tests: list[TestCode] = Field(default_factory=list)
    treatment_names: dict[str, list[str]] = Field(default_factory=dict)


@dataclass(frozen=True)
class CodeMap:
    """The bundled map with a site's entries in front; lookups by (system URL, code)."""

    systems: dict[str, str]
    unit_aliases: dict[str, str]
    interpretation_results: dict[str, str]
    observations: dict[tuple[str, str], ObservationCode]
    conditions: dict[tuple[str, str], ConditionCode]
    medications: dict[tuple[str, str], MedicationCode]
    treatment_names: dict[str, tuple[str, ...]]
    tests: dict[str, TestCode]
    sources: tuple[str, ...]

    @property
    def project(self) -> str:
        return self.systems["project"]

    @property
    def project_value(self) -> str:
        return self.systems["project_value"]

    def system_url(self, key: str) -> str:
        return self.systems.get(key, key)

    def export_code(self, path: str) -> ObservationCode | None:
        """The standard code written for ``path`` (besides the project code), if one."""
        for entry in self.observations.values():
            if entry.path == path and entry.export and entry.read is None and entry.values is None:
                return entry
        return None

    def regimen_named(self, text: str) -> str | None:
        """The case's regimen name when ``text`` is exactly one of the known names."""
        words = " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())
        for regimen, names in self.treatment_names.items():
            if words in names or words == regimen.replace("_", " "):
                return regimen
        for entry in self.medications.values():
            if words == entry.drug:
                return entry.drug
        return None

    def single_drug_named(self, text: str) -> str | None:
        """The one known drug a product's words name ("Bortezomib 3.5 MG Injection"), if exactly one.

        Text that lists several drugs, or joins the name to another ("rituximab/hyaluronidase",
        "bortezomib-dexamethasone", "... and ..."), is a combination and names none: its
        parts are not guessed. A unit's slash ("10 MG/ML") is not a join.
        """
        from mgpn.case.model import NEUROTOXIC_DRUGS

        lowered = text.lower()
        known = {entry.drug for entry in self.medications.values()} | set(NEUROTOXIC_DRUGS)
        words = f" {re.sub(r'[^a-z0-9]+', ' ', lowered)} "
        named = [drug for drug in sorted(known) if f" {drug} " in words]
        if len(named) != 1:
            return None
        drug = re.escape(named[0])
        if re.search(rf"{drug}\s*[/+,&-]|[/+,&-]\s*{drug}|\band\b|\bwith\b", lowered):
            return None
        return named[0]

    def neurotoxic_named(self, text: str) -> list[str]:
        """The neurotoxic drugs of the case format named (as whole words) in ``text``."""
        from mgpn.case.model import NEUROTOXIC_DRUGS

        lowered = f" {re.sub(r'[^a-z0-9]+', ' ', text.lower())} "
        return [drug for drug in NEUROTOXIC_DRUGS if f" {drug} " in lowered]


@cache
def _case_fields() -> dict[str, FieldDescriptor]:
    return {item.path: item for item in field_catalog() if "[]" not in item.path}


def _check_paths(data: CodeMapFile, source: str) -> list[Issue]:
    fields = _case_fields()
    issues: list[Issue] = []
    for index, obs in enumerate(data.observations):
        if obs.path is not None and obs.path not in fields:
            issues.append(
                Issue(
                    f"observations[{index}].path",
                    f"{obs.path!r} is not a case field",
                    fix="use a dotted path of mgpn-case/1, e.g. labs.platelets",
                )
            )
    for index, cond in enumerate(data.conditions):
        for path in cond.set or {}:
            if path not in fields:
                issues.append(
                    Issue(
                        f"conditions[{index}].set",
                        f"{path!r} is not a case field",
                        fix="use a dotted path of mgpn-case/1",
                    )
                )
    return issues


def _read(text: str, source: str) -> CodeMapFile:
    try:
        raw = yaml.safe_load(text) or {}
        data = CodeMapFile.model_validate(raw)
    except yaml.YAMLError as exc:
        raise MappingError(
            source, [Issue("", f"not valid YAML: {exc}", fix="correct the syntax")]
        ) from None
    except ValidationError as exc:
        issues = [
            Issue(
                ".".join(str(p) for p in err["loc"]),
                err["msg"],
                fix="see docs/ehr.md for the layout",
            )
            for err in exc.errors(include_url=False)
        ]
        raise MappingError(source, issues) from None
    issues = _check_paths(data, source)
    if issues:
        raise MappingError(source, issues)
    return data


def _bundled() -> CodeMapFile:
    text = resources.files("mgpn.interop.fhir").joinpath("codes.yaml").read_text(encoding="utf-8")
    return _read(text, "mgpn/interop/fhir/codes.yaml")


@cache
def _cached(site: str | None) -> CodeMap:
    files = [(_bundled(), "bundled")]
    if site is not None:
        path = Path(site)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise MappingError(
                site, [Issue("", f"cannot read the site mapping file: {exc}", fix="check the path")]
            ) from None
        files.insert(0, (_read(text, site), site))
    systems: dict[str, str] = {}
    for data, _ in reversed(files):
        systems.update(data.systems)
    observations: dict[tuple[str, str], ObservationCode] = {}
    conditions: dict[tuple[str, str], ConditionCode] = {}
    medications: dict[tuple[str, str], MedicationCode] = {}
    aliases: dict[str, str] = {}
    interpretations: dict[str, str] = {}
    names: dict[str, tuple[str, ...]] = {}
    tests: dict[str, TestCode] = {}
    for data, _ in files:  # site first: its entries win
        for obs in data.observations:
            observations.setdefault((systems.get(obs.system, obs.system), obs.code), obs)
        for cond in data.conditions:
            conditions.setdefault((systems.get(cond.system, cond.system), cond.code), cond)
        for med in data.medications:
            medications.setdefault((systems.get(med.system, med.system), med.code), med)
        for key, value in data.unit_aliases.items():
            aliases.setdefault(key, value)
        for key, word in data.interpretation_results.items():
            interpretations.setdefault(key, word)
        for test in data.tests:
            tests.setdefault(test.test, test)
        for regimen, words in data.treatment_names.items():
            names.setdefault(regimen, tuple(w.lower() for w in words))
    for key in ("project", "project_value", "project_case_id", "loinc", "ucum"):
        if key not in systems:
            raise MappingError("codes.yaml", [Issue("systems", f"the system {key!r} is missing")])
    return CodeMap(
        systems=systems,
        unit_aliases=aliases,
        interpretation_results=interpretations,
        observations=observations,
        conditions=conditions,
        medications=medications,
        treatment_names=names,
        tests=tests,
        sources=tuple(source for _, source in files),
    )


def load_code_map(site_file: str | Path | None = None) -> CodeMap:
    """The bundled code map, with the entries of ``site_file`` (same YAML layout) taking precedence."""
    return _cached(None if site_file is None else str(site_file))


def raw_entries() -> CodeMapFile:
    """The bundled file as written (for tests that check every code)."""
    return _bundled()


def as_dict(entry: BaseModel) -> dict[str, Any]:
    return entry.model_dump(exclude_none=True)
