"""A labelled-synthetic FHIR Bulk Data export with known answers (``mgpn synth ehr``).

Shape: mostly unrelated patients with ordinary records (about 30 laboratory Observations
and 5 Conditions each, about 28 KB per patient), and monoclonal gammopathies planted at
the source review's prevalence and isotype mix. Each planted patient gets a neuropathy at
the review's rate, a syndrome picture and a work-up that is complete or not, item by item;
the gaps that follow are written to ``truth.json`` by an oracle that works from what was
planted, not from the engine, so a screening test can fail. Optional defects (a malformed
line, a resource for an unknown patient, an unknown code system, a wrong unit) are planted
and listed with their file and line.

Every resource carries the meta tag SYNTHETIC; no real person is in it.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import random
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import IO, Any

import orjson
import yaml

LOINC = "http://loinc.org"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
UCUM = "http://unitsofmeasure.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SYNTHETIC_TAG = {"system": "https://mgpn.example/synthetic", "code": "SYNTHETIC"}
PARAMETERS = Path(__file__).resolve().parent / "data" / "synth_ehr.yaml"

# Ordinary laboratory panels for the unrelated part of every record (LOINC, UCUM, normal range).
_FILLER_LABS: tuple[tuple[str, str, str, float, float], ...] = (
    ("718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL", 12.0, 16.5),
    ("6690-2", "Leukocytes [#/volume] in Blood by Automated count", "10*3/uL", 4.0, 10.5),
    ("777-3", "Platelets [#/volume] in Blood by Automated count", "10*3/uL", 160.0, 380.0),
    ("2951-2", "Sodium [Moles/volume] in Serum or Plasma", "mmol/L", 136.0, 145.0),
    ("2823-3", "Potassium [Moles/volume] in Serum or Plasma", "mmol/L", 3.6, 5.0),
    ("2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "mg/dL", 0.6, 1.2),
    ("2345-7", "Glucose [Mass/volume] in Serum or Plasma", "mg/dL", 75.0, 105.0),
    ("1742-6", "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma", "U/L", 10.0, 40.0),
    ("2093-3", "Cholesterol [Mass/volume] in Serum or Plasma", "mg/dL", 150.0, 230.0),
    ("2571-8", "Triglyceride [Mass/volume] in Serum or Plasma", "mg/dL", 70.0, 170.0),
)  # fmt: skip
_FILLER_CONDITIONS: tuple[tuple[str, str], ...] = (
    ("I10", "Essential (primary) hypertension"),
    ("E78.5", "Hyperlipidemia, unspecified"),
    ("J45.909", "Unspecified asthma, uncomplicated"),
    ("M17.11", "Unilateral primary osteoarthritis, right knee"),
    ("K21.9", "Gastro-esophageal reflux disease without esophagitis"),
    ("F41.1", "Generalized anxiety disorder"),
    ("N40.0", "Benign prostatic hyperplasia without lower urinary tract symptoms"),
    ("H52.4", "Presbyopia"),
)  # fmt: skip
_FILLER_DRUGS: tuple[tuple[str, str], ...] = (
    ("860975", "metformin"), ("314076", "lisinopril"), ("617312", "atorvastatin"),
    ("197361", "amlodipine"), ("310965", "ibuprofen"),
)  # fmt: skip
_DRUGS = {"rituximab": "121191", "bortezomib": "358258"}
#: A dense export for tests and demos: half the patients carry a gammopathy and most of those a
#: neuropathy, so every kind of gap occurs in a few hundred patients (not a realistic prevalence).
DENSE: dict[str, float] = {"mg_share": 0.5, "neuropathy_with_mg": 0.6, "igm_clone_wm": 0.4}


@dataclass
class Planted:
    """What the generator put in one patient's record, and the gaps that follow from it."""

    patient: str
    age: int
    isotype: str
    light_chain: str
    clone: str
    neuropathy: bool = False
    pattern: str | None = None
    done: dict[str, bool] = field(default_factory=dict)
    stale_screen: bool = False
    igm_mg_dl: float | None = None
    rituximab: bool = False
    plasmapheresis: bool = False
    bortezomib: bool = False
    anti_mag_btu: float | None = None

    def expected_gaps(self) -> list[str]:
        """The oracle: the gaps the planted facts call for (independent of the engine).

        Where a gap rule names a syndrome, the oracle applies that syndrome's own criteria
        (knowledge/data/syndromes) to what was planted: nothing here reads the engine's output.
        """
        gaps: list[str] = []
        lam = self.light_chain == "lambda"
        demyelinating_or_mixed = self.pattern in ("demyelinating", "mixed")
        # Anti-MAG neuropathy is at least probable with an IgM clone and a titre at or above
        # the laboratory positive cut-off; CIDP with a paraprotein is then capped at unlikely
        # (its `explained_by_other` exclusion).
        anti_mag_explains = (
            self.isotype == "IgM"
            and self.anti_mag_btu is not None
            and self.anti_mag_btu >= _threshold("anti_mag_lab_positive_btu")
        )
        # CIDP with a paraprotein: possible once the studies are demyelinating or mixed (its
        # mandatory criterion), unless explained by anti-MAG neuropathy.
        cidp_possible = demyelinating_or_mixed and not anti_mag_explains
        # POEMS: a planted VEGF is raised exactly for a lambda clone with a demyelinating or
        # mixed neuropathy (a major criterion, so at least possible); without it, a lambda
        # clone with such a neuropathy is possible only if the clone is not IgM (POEMS
        # `possible` rule). The generator plants no minor criterion and no sclerotic lesion.
        vegf_raised = self.done.get("vegf", False) and lam and demyelinating_or_mixed
        poems_possible = vegf_raised or (lam and demyelinating_or_mixed and self.isotype != "IgM")
        if self.neuropathy:
            screen = self.done["flc"] and self.done["cardiac"] and self.done["urine"]
            if not screen or self.stale_screen:
                gaps.append("amyloid_screen")
            if (
                self.isotype == "IgM"
                and self.pattern in ("demyelinating", "mixed")
                and not self.done["anti_mag"]
            ):
                gaps.append("anti_mag_test")
            if lam and (self.pattern == "demyelinating" or cidp_possible) and not self.done["vegf"]:
                gaps.append("vegf_before_cidp")
            if poems_possible and not self.done["bone"]:
                gaps.append("poems_bone_imaging")
        if (
            self.rituximab
            and (self.igm_mg_dl or 0) >= _threshold("igm_plasmapheresis_mg_dl")
            and not self.plasmapheresis
        ):
            gaps.append("plasmapheresis_before_rituximab")
        if self.neuropathy and self.bortezomib:
            gaps.append("neurotoxic_drug_with_neuropathy")
        return gaps


@cache
def _threshold(name: str) -> float:
    """A number from the knowledge base's thresholds, so the oracle uses the rules' own cut-offs."""
    from mgpn.knowledge import load_knowledge

    return load_knowledge().thresholds[name].value


def load_parameters(path: Path | None = None) -> dict[str, Any]:
    raw = yaml.safe_load((path or PARAMETERS).read_text(encoding="utf-8"))
    params: dict[str, Any] = dict(raw["parameters"])
    params["as_of"] = raw["as_of"]
    return params


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class _Writer:
    """One NDJSON file per resource type, with line counters for the defect list."""

    def __init__(self, directory: Path, compress: bool, part: str = "") -> None:
        self.directory = directory
        self.compress = compress
        self.part = part  # "" for one file per type, ".003" for the fourth part of a split export
        self.handles: dict[str, IO[str]] = {}
        self.lines: dict[str, int] = {}

    def name(self, resource_type: str) -> str:
        return f"{resource_type}{self.part}.ndjson" + (".gz" if self.compress else "")

    def write(self, resource_type: str, text: str) -> int:
        handle = self.handles.get(resource_type)
        if handle is None:
            path = self.directory / self.name(resource_type)
            handle = (
                gzip.open(path, "wt", encoding="utf-8", compresslevel=1)  # noqa: SIM115 - closed in close()
                if self.compress
                else path.open("w", encoding="utf-8")
            )
            self.handles[resource_type] = handle
            self.lines[resource_type] = 0
        handle.write(text)
        handle.write("\n")
        self.lines[resource_type] += 1
        return self.lines[resource_type]

    def close(self) -> None:
        for handle in self.handles.values():
            handle.close()


def _dump(resource: dict[str, Any]) -> str:
    # orjson: compact UTF-8 JSON about ten times faster than json.dumps (half the run time of
    # a large export went into json.dumps); the same bytes for the same resource every time.
    return orjson.dumps(resource).decode("utf-8")


class Generator:
    def __init__(self, params: dict[str, Any], seed: int, shard: int = 0) -> None:
        self.p = params
        # Shard 0 draws from the seed itself (an export of one shard is what it always was);
        # shard k from its own stream derived from the seed, so shards can run in parallel.
        self.rng = random.Random(seed if shard == 0 else f"{seed}/{shard}")
        self.as_of: dt.date = params["as_of"]
        self.counter = shard * 10**9  # resource ids stay unique across shards
        from mgpn.interop.fhir import PROJECT_SYSTEM, PROJECT_VALUE_SYSTEM

        self.field_system = PROJECT_SYSTEM
        self.value_system = PROJECT_VALUE_SYSTEM

    # -- resource builders ---------------------------------------------------------------
    def _id(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter:09d}"

    def _meta(self) -> dict[str, Any]:
        return {"versionId": "1", "lastUpdated": f"{self.as_of.isoformat()}T02:00:00Z",
                "tag": [SYNTHETIC_TAG]}  # fmt: skip

    def patient(self, pid: str, age: int, sex: str) -> dict[str, Any]:
        born = self.as_of - dt.timedelta(days=int(age * 365.25) + self.rng.randint(1, 300))
        return {
            "resourceType": "Patient", "id": pid, "meta": self._meta(),
            "identifier": [{"system": "https://mgpn.example/synthetic-mrn", "value": f"MRN{pid}"}],
            "active": True,
            "name": [{"use": "official", "family": "Synthetic", "given": [f"Patient {pid}"]}],
            "gender": sex, "birthDate": born.isoformat(),
            "address": [{"use": "home", "city": "Synthville", "postalCode": "00000", "country": "XX"}],
        }  # fmt: skip

    def observation(
        self,
        pid: str,
        code: str,
        display: str,
        when: dt.date,
        *,
        value: Any = None,
        unit: str | None = None,
        system: str = LOINC,
        low: float | None = None,
        high: float | None = None,
    ) -> dict[str, Any]:
        resource: dict[str, Any] = {
            "resourceType": "Observation", "id": self._id("obs"), "meta": self._meta(),
            "status": "final",
            "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                      "code": "laboratory", "display": "Laboratory"}]}],
            "code": {"coding": [{"system": system, "code": code, "display": display}]},
            "subject": {"reference": f"Patient/{pid}"},
            "effectiveDateTime": f"{when.isoformat()}T09:30:00Z",
            "issued": f"{when.isoformat()}T15:00:00Z",
        }  # fmt: skip
        if isinstance(value, str):
            resource["valueCodeableConcept"] = {"text": value}
        elif value is not None:
            resource["valueQuantity"] = {"value": value, "unit": unit, "system": UCUM, "code": unit}
        if low is not None and high is not None:
            resource["referenceRange"] = [{"low": {"value": low, "unit": unit},
                                           "high": {"value": high, "unit": unit}}]  # fmt: skip
        return resource

    def condition(self, pid: str, code: str, display: str, onset: dt.date) -> dict[str, Any]:
        return {
            "resourceType": "Condition", "id": self._id("cond"), "meta": self._meta(),
            "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active"}]},
            "verificationStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-ver-status", "code": "confirmed"}]},
            "code": {"coding": [{"system": ICD10, "code": code, "display": display}], "text": display},
            "subject": {"reference": f"Patient/{pid}"},
            "onsetDateTime": onset.isoformat(), "recordedDate": onset.isoformat(),
        }  # fmt: skip

    def medication(self, pid: str, name: str, code: str, when: dt.date) -> dict[str, Any]:
        return {
            "resourceType": "MedicationRequest", "id": self._id("med"), "meta": self._meta(),
            "status": "active", "intent": "order",
            "medicationCodeableConcept": {"coding": [{"system": RXNORM, "code": code, "display": name}], "text": name},
            "subject": {"reference": f"Patient/{pid}"}, "authoredOn": when.isoformat(),
        }  # fmt: skip

    def finding(
        self, pid: str, path: str, display: str, when: dt.date, value: dict[str, Any]
    ) -> dict[str, Any]:
        """A finding with no standard code, under the project code system (the case field's path)."""
        return {
            "resourceType": "Observation", "id": self._id("obs"), "meta": self._meta(), "status": "final",
            "code": {"coding": [{"system": self.field_system, "code": path, "display": display}]},
            "subject": {"reference": f"Patient/{pid}"}, "effectiveDateTime": f"{when.isoformat()}T09:30:00Z",
            **value,
        }  # fmt: skip

    def procedure(self, pid: str, text: str, when: dt.date) -> dict[str, Any]:
        # No procedure code is verified in the team's code table: the name travels as text.
        return {
            "resourceType": "Procedure", "id": self._id("proc"), "meta": self._meta(),
            "status": "completed",
            "code": {"text": text},
            "subject": {"reference": f"Patient/{pid}"}, "performedDateTime": when.isoformat(),
        }  # fmt: skip

    # -- patients ------------------------------------------------------------------------
    def _day(self, years_back: float) -> dt.date:
        return self.as_of - dt.timedelta(days=int(years_back * 365.25) + self.rng.randint(0, 60))

    def filler(self, pid: str) -> list[dict[str, Any]]:
        rng = self.rng
        out: list[dict[str, Any]] = []
        visits = max(1, self.p["filler_observations"] // len(_FILLER_LABS))
        for visit in range(visits):
            when = self._day(visit * 1.3 + rng.random())
            for code, display, unit, low, high in _FILLER_LABS:
                value = round(rng.uniform(low, high), 1)  # inside the reference range: unrelated
                out.append(
                    self.observation(
                        pid, code, display, when, value=value, unit=unit, low=low, high=high
                    )
                )
        for code, display in rng.sample(_FILLER_CONDITIONS, self.p["filler_conditions"]):
            out.append(self.condition(pid, code, display, self._day(rng.uniform(1, 15))))
        for rx, name in rng.sample(_FILLER_DRUGS, 2):
            out.append(self.medication(pid, name, rx, self._day(rng.uniform(0, 5))))
        return out

    def has_mg(self, age: int) -> bool:
        p = self.p
        if "mg_share" in p:  # a dense test export: a fixed share of everyone
            return bool(self.rng.random() < p["mg_share"])
        if age < 50:
            return False
        hi = p["adult_age_range"][1]
        over_70 = (hi - 70) / (hi - 50)  # share of the over-50s who are over 70 (uniform ages)
        rate_50_69 = (p["mg_prevalence_over_50"] - p["mg_prevalence_over_70"] * over_70) / (
            1 - over_70
        )
        return bool(self.rng.random() < (p["mg_prevalence_over_70"] if age >= 70 else rate_50_69))

    def plant(self, pid: str, age: int) -> tuple[Planted, list[dict[str, Any]]]:
        rng, p = self.rng, self.p
        isotype = _pick(rng, p["isotype_mix"])
        light = "lambda" if rng.random() < p["lambda_fraction"] else "kappa"
        if isotype == "biclonal":
            light = "kappa"
        clone = "MGUS"
        if isotype == "IgM" and rng.random() < p["igm_clone_wm"]:
            clone = "WM"
        elif isotype in ("IgG", "IgA") and rng.random() < p["igg_iga_clone_myeloma"]:
            clone = "myeloma"
        planted = Planted(pid, age, isotype, light, clone)
        diagnosed = self._day(rng.uniform(0.2, 6))
        out: list[dict[str, Any]] = []
        code, display = {"MGUS": ("D47.2", "Monoclonal gammopathy"),
                         "WM": ("C88.0", "Waldenstrom macroglobulinemia"),
                         "myeloma": ("C90.00", "Multiple myeloma not having achieved remission")}[clone]  # fmt: skip
        out.append(self.condition(pid, code, display, diagnosed))
        ife = {"IgG": f"IgG {light}", "IgM": f"IgM {light}", "IgA": f"IgA {light}", "IgD": f"IgD {light}",
               "light_chain_only": f"free {light} light chain only",
               "biclonal": "biclonal: IgG kappa and IgA kappa"}[isotype]  # fmt: skip
        out.append(
            self.observation(
                pid, "25700-6", "Immunofixation for Serum or Plasma", diagnosed, value=ife
            )
        )
        if isotype != "light_chain_only":
            spike = round(rng.uniform(0.2, 2.5), 2)
            out.append(self.observation(pid, "33358-3", "Protein.monoclonal [Mass/volume] in Serum or Plasma by Electrophoresis",
                                        diagnosed, value=spike, unit="g/dL"))  # fmt: skip
        if isotype == "IgM":
            igm = round(
                rng.uniform(4200, 7000)
                if clone == "WM" and rng.random() < 0.5
                else rng.uniform(300, 3500)
            )
            planted.igm_mg_dl = igm
            out.append(
                self.observation(
                    pid,
                    "2472-9",
                    "IgM [Mass/volume] in Serum or Plasma",
                    diagnosed,
                    value=igm,
                    unit="mg/dL",
                )
            )
        if clone == "WM" and rng.random() < p["wm_rituximab"]:
            planted.rituximab = True
            start = diagnosed + dt.timedelta(days=30)
            out.append(self.medication(pid, "rituximab", _DRUGS["rituximab"], start))
            if rng.random() < 0.5:
                planted.plasmapheresis = True
                out.append(self.procedure(pid, "Plasmapheresis", start - dt.timedelta(days=3)))
        if clone == "myeloma" and rng.random() < p["myeloma_bortezomib"]:
            planted.bortezomib = True
            out.append(
                self.medication(
                    pid, "bortezomib", _DRUGS["bortezomib"], diagnosed + dt.timedelta(days=20)
                )
            )
        if rng.random() < p["neuropathy_with_mg"]:
            planted.neuropathy = True
            out.extend(self._neuropathy(planted, diagnosed))
        return planted, out

    def _neuropathy(self, planted: Planted, diagnosed: dt.date) -> list[dict[str, Any]]:
        rng, p, pid = self.rng, self.p, planted.patient
        weights = p["ncs_pattern_igm"] if planted.isotype == "IgM" else p["ncs_pattern_other"]
        planted.pattern = _pick(rng, weights)
        out = [
            self.condition(
                pid, "G62.9", "Polyneuropathy, unspecified", diagnosed - dt.timedelta(days=90)
            )
        ]
        out.append(self.finding(pid, "electrodiagnosis.pattern", "Nerve conduction study pattern", diagnosed,
                                {"valueCodeableConcept": {"coding": [{"system": self.value_system, "code": planted.pattern}]}}))  # fmt: skip
        done = {
            key: rng.random() < p["test_done"]
            for key in ("flc", "cardiac", "urine", "anti_mag", "vegf", "bone")
        }
        planted.done = done
        when = diagnosed + dt.timedelta(days=14)
        if all(done[k] for k in ("flc", "cardiac", "urine")) and rng.random() < p["screen_stale"]:
            planted.stale_screen = True
            when = diagnosed - dt.timedelta(days=3 * 365)
        if done["flc"]:
            out.append(
                self.observation(
                    pid,
                    "36916-5",
                    "Kappa light chains.free [Mass/volume] in Serum",
                    when,
                    value=round(rng.uniform(5, 40), 1),
                    unit="mg/L",
                )
            )
            out.append(
                self.observation(
                    pid,
                    "33944-0",
                    "Lambda light chains.free [Mass/volume] in Serum",
                    when,
                    value=round(rng.uniform(5, 40), 1),
                    unit="mg/L",
                )
            )
        if done["cardiac"]:
            out.append(
                self.observation(
                    pid,
                    "33762-6",
                    "Natriuretic peptide.B prohormone N-Terminal [Mass/volume] in Serum or Plasma",
                    when,
                    value=round(rng.uniform(40, 300)),
                    unit="pg/mL",
                )
            )
        if done["urine"]:
            out.append(
                self.observation(
                    pid,
                    "2889-4",
                    "Protein [Mass/time] in 24 hour Urine",
                    when,
                    value=round(rng.uniform(0.05, 0.3), 2),
                    unit="g/(24.h)",
                )
            )
        if done["anti_mag"]:
            planted.anti_mag_btu = round(rng.uniform(200, 90000))
            out.append(
                self.observation(
                    pid,
                    "39087-2",
                    "Myelin associated glycoprotein IgM Ab [Units/volume] in Serum",
                    when,
                    value=planted.anti_mag_btu,
                    unit="{BTU}",
                )
            )
        if done["vegf"]:
            # The LOINC code does not say serum or plasma, which the case needs: plasma VEGF
            # travels under the project code for the case field, as a laboratory would map it.
            # A POEMS-like picture (lambda clone, demyelinating or mixed neuropathy) gets a raised
            # VEGF, every other patient one within the Mayo plasma reference (<=96.2 pg/mL).
            raised = planted.light_chain == "lambda" and planted.pattern in (
                "demyelinating",
                "mixed",
            )
            number = round(rng.uniform(300, 1500) if raised else rng.uniform(20, 96))
            value = {"value": number, "unit": "pg/mL", "system": UCUM, "code": "pg/mL"}
            out.append(
                self.finding(
                    pid, "labs.vegf_plasma", "VEGF, plasma", when, {"valueQuantity": value}
                )
            )
        if done["bone"]:
            out.append(self.finding(pid, "systemic.sclerotic_bone_lesions", "Low-dose whole-body CT: sclerotic bone lesions",
                                    when, {"valueBoolean": False}))  # fmt: skip
        return out  # fmt: skip


@dataclass
class SynthResult:
    directory: Path
    patients: int
    planted: int
    files: list[str]


#: Patients per shard of a large export: each shard is generated on its own (in parallel with
#: ``jobs``) from a stream derived from the seed, so the export depends on the seed alone,
#: never on the number of jobs. An export of more than one shard is split, as Bulk export
#: writes large exports: ``Observation.000.ndjson``, ``Observation.001.ndjson``, ...
SHARD_PATIENTS = 50_000


@dataclass
class _Shard:
    planted: list[Planted]
    defects: list[dict[str, Any]]
    files: list[str]


def _write_shard(
    directory: Path,
    params: dict[str, Any],
    seed: int,
    shard: int,
    shards: int,
    patients: int,
    compress: bool,
    defects: bool,
    size: int,
) -> _Shard:
    """Write one shard's patients (indexes ``shard * size`` on) into its files."""
    gen = Generator(params, seed, shard)
    writer = _Writer(directory, compress, f".{shard:03d}" if shards > 1 else "")
    planted_list: list[Planted] = []
    lo, hi = params["adult_age_range"]
    first = shard * size
    try:
        for index in range(first, min(patients, first + size)):
            pid = f"pt{seed:03d}{index:08d}"
            age = gen.rng.randint(lo, hi)
            sex = gen.rng.choice(("female", "male"))
            resources = [gen.patient(pid, age, sex), *gen.filler(pid)]
            if gen.has_mg(age):
                planted, extra = gen.plant(pid, age)
                planted_list.append(planted)
                resources.extend(extra)
            elif gen.rng.random() < params["neuropathy_without_mg"]:
                resources.append(
                    gen.condition(pid, "G62.9", "Polyneuropathy, unspecified", gen._day(2))
                )
            for resource in resources:
                writer.write(resource["resourceType"], _dump(resource))
        # The bad input goes into the last shard, after its last patient.
        planted_defects = (
            _plant_defects(gen, writer, planted_list) if defects and shard == shards - 1 else []
        )
    finally:
        writer.close()
    return _Shard(planted_list, planted_defects, sorted(writer.handles))


def generate(
    directory: Path,
    patients: int,
    seed: int,
    *,
    compress: bool = False,
    defects: bool = False,
    parameters: Path | None = None,
    overrides: dict[str, Any] | None = None,
    jobs: int = 1,
    shard_patients: int = SHARD_PATIENTS,
) -> SynthResult:
    """Write the export and ``truth.json`` (planted gaps and defects) into ``directory``.

    ``overrides`` replaces parameters (e.g. a dense test export with many planted patients);
    they are recorded in ``truth.json``. ``jobs`` processes write the shards at once; the
    output is the same for any number of jobs.
    """
    params = {**load_parameters(parameters), **(overrides or {})}
    directory.mkdir(parents=True, exist_ok=True)
    shards = max(1, -(-patients // shard_patients))
    arguments = [
        (directory, params, seed, shard, shards, patients, compress, defects, shard_patients)
        for shard in range(shards)
    ]
    if jobs > 1 and shards > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=min(jobs, shards)) as pool:
            parts = list(pool.map(_write_shard, *zip(*arguments, strict=True)))
    else:
        parts = [_write_shard(*item) for item in arguments]
    planted_list = [item for part in parts for item in part.planted]
    truth = {
        "synthetic": True,
        "seed": seed,
        "patients": patients,
        "as_of": params["as_of"].isoformat(),
        "overrides": {k: v for k, v in (overrides or {}).items() if k != "as_of"},
        "planted": [
            {"patient": f"Patient/{item.patient}", "isotype": item.isotype,
             "light_chain": item.light_chain, "clone": item.clone, "neuropathy": item.neuropathy,
             "pattern": item.pattern, "gaps": item.expected_gaps()}
            for item in planted_list
        ],
        "defects": [item for part in parts for item in part.defects],
    }  # fmt: skip
    (directory / "truth.json").write_text(json.dumps(truth, indent=1), encoding="utf-8")
    files = sorted({name for part in parts for name in part.files})
    return SynthResult(directory, patients, len(planted_list), files)


def _plant_defects(gen: Generator, writer: _Writer, planted: list[Planted]) -> list[dict[str, Any]]:
    """One of each kind of bad input, appended to the files, with file and line."""
    defects: list[dict[str, Any]] = []
    name = writer.name("Observation")
    line = writer.write("Observation", '{"resourceType": "Observation", "id": "broken", "status": ')
    defects.append({"file": name, "line": line, "kind": "malformed line"})
    orphan = gen.observation(
        "does-not-exist",
        "718-7",
        "Hemoglobin [Mass/volume] in Blood",
        gen.as_of,
        value=13.1,
        unit="g/dL",
    )
    line = writer.write("Observation", _dump(orphan))
    defects.append({"file": name, "line": line, "kind": "unknown patient"})
    screened = [item for item in planted if item.neuropathy] or planted
    if screened:
        pid = screened[0].patient
        local = gen.observation(pid, "LOCAL-42", "Local laboratory code", gen.as_of, value=1.0, unit="mg/dL",
                                system="http://hospital.example/local-codes")  # fmt: skip
        line = writer.write("Observation", _dump(local))
        defects.append(
            {"file": name, "line": line, "kind": "unknown code system", "patient": f"Patient/{pid}"}
        )
        wrong = gen.observation(
            pid, "777-3", "Platelets [#/volume] in Blood by Automated count", gen.as_of,
            value=250.0, unit="g/dL",
        )  # fmt: skip
        line = writer.write("Observation", _dump(wrong))
        defects.append(
            {"file": name, "line": line, "kind": "wrong unit", "patient": f"Patient/{pid}"}
        )
    return defects
