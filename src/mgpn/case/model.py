"""The case model, format ``mgpn-case/1`` (shared/spec/case-format.md), as pydantic models.

Every field defaults to ``None``, which means *unknown* (not assessed), never
negative. Unknown keys are refused (``extra="forbid"``) so a misspelled finding is
never dropped in silence; ``extensions`` mappings, allowed on every section, are kept
but not interpreted. Each field carries a ``kind`` in its JSON-schema extras, from
which :func:`mgpn.case.catalog.field_catalog` describes the format to other tools
(web form, REDCap dictionary, knowledge-base path checks).
"""


import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
)
from pydantic_core import PydanticCustomError, core_schema

from mgpn.case.quantity import AntiMagValue, Quantity, QuantityField, ResultValue

CASE_FORMAT = "mgpn-case/1"

# Vocabularies of list fields: names outside them are kept and reported as not interpreted.
NEUROTOXIC_DRUGS = (
    "bortezomib", "thalidomide", "lenalidomide", "pomalidomide", "vincristine", "cisplatin",
    "oxaliplatin", "carboplatin", "paclitaxel", "docetaxel", "brentuximab", "metronidazole",
    "nitrofurantoin", "isoniazid", "amiodarone", "colchicine", "phenytoin", "linezolid",
)  # fmt: skip
AUTONOMIC = (
    "orthostatic_hypotension", "early_satiety", "diarrhea", "constipation",
    "erectile_dysfunction", "bladder", "sweating",
)  # fmt: skip
ENDOCRINOPATHY = ("adrenal", "gonadal", "thyroid", "pituitary", "parathyroid", "pancreatic")
SKIN_CHANGES = (
    "hyperpigmentation", "hypertrichosis", "glomeruloid_hemangioma", "plethora",
    "acrocyanosis", "flushing", "white_nails",
)  # fmt: skip
NERVE_BIOPSY = (
    "amyloid", "igm_deposits_on_myelin", "widened_myelin_lamellae", "vasculitis",
    "lymphoma_infiltration", "demyelination", "axonal_loss", "normal",
)  # fmt: skip
SKIN_BIOPSY = (
    "igm_deposits", "amyloid", "reduced_nerve_fiber_density", "lymphoplasmacytic_infiltrate",
    "normal",
)  # fmt: skip


def _none_to_empty(raw: Any) -> Any:
    # `labs:` with nothing under it is YAML null: an empty (all-unknown) section.
    return {} if raw is None else raw


EMPTY_IF_NONE = BeforeValidator(_none_to_empty)
# `extensions: {}` holds nothing: the same as no extensions, so that a case round-trips.
NONE_IF_EMPTY = BeforeValidator(lambda raw: None if raw == {} else raw)


@dataclass(frozen=True)
class Vocabulary:
    """Annotated metadata for a list of names: known names spelled canonically, others kept."""

    names: tuple[str, ...]

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        lookup = {name.lower(): name for name in self.names}

        def _normalise(raw: Any) -> Any:
            if isinstance(raw, list):
                return [lookup.get(i.strip().lower(), i) if isinstance(i, str) else i for i in raw]
            return raw

        return core_schema.no_info_before_validator_function(_normalise, handler(source))


def _date(raw: Any) -> Any:
    if raw is None or (isinstance(raw, dt.date) and not isinstance(raw, dt.datetime)):
        return raw
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, str):
        try:
            return dt.date.fromisoformat(raw.strip())
        except ValueError:
            pass
    raise PydanticCustomError(
        "mgpn_date",
        "{found} is not an ISO 8601 date",
        {
            "found": repr(raw),
            "expected": "a date like 2025-03-14",
            "fix": "write the date as YYYY-MM-DD",
        },
    )


DateValue = Annotated[dt.date | None, BeforeValidator(_date)]


def _f(kind: str, description: str = "", **extra: Any) -> Any:
    """A field that defaults to unknown, with its kind recorded for the catalogue."""
    return Field(default=None, description=description, json_schema_extra={"kind": kind, **extra})


def _num(low: float, high: float, description: str = "", unit: str | None = None) -> Any:
    return Field(
        default=None,
        ge=low,
        le=high,
        description=description,
        json_schema_extra={"kind": "number", "unit": unit},
    )


def _int(low: int, high: int, description: str = "") -> Any:
    return Field(
        default=None,
        ge=low,
        le=high,
        description=description,
        json_schema_extra={"kind": "integer"},
    )


def _vocab(vocabulary: tuple[str, ...], description: str = "") -> Any:
    return _f("list", description, vocabulary=list(vocabulary))


class Section(BaseModel):
    """A mapping of the case file: unknown keys refused, ``extensions`` kept."""

    # defer_build: the sections are validated inside Case, whose validator includes them;
    # each builds its own validator only when used alone (a default or a direct call).
    model_config = ConfigDict(extra="forbid", validate_default=False, defer_build=True)

    extensions: Annotated[dict[str, Any] | None, NONE_IF_EMPTY] = _f(
        "extensions", "kept, not interpreted"
    )


class Patient(Section):
    age: StrictFloat | None = _num(0, 120, "age in years", "a")
    sex: Literal["female", "male", "other", "unknown"] | None = _f("enum", "sex")


Isotype = Literal["IgM", "IgG", "IgA", "IgD", "IgE", "light_chain_only", "biclonal", "none"]
HeavyChain = Literal["IgM", "IgG", "IgA", "IgD", "IgE"]


class Paraprotein(Section):
    isotype: Isotype | None = _f(
        "enum", "heavy-chain isotype of the M-protein ('none': no M-protein found)"
    )
    heavy_chains: list[HeavyChain] | None = _f("list", "for biclonal: the heavy chains")
    light_chain: Literal["kappa", "lambda", "both"] | None = _f("enum", "light chain")
    m_spike: Annotated[Quantity | None, QuantityField("paraprotein.m_spike")] = _f(
        "quantity", "M-spike"
    )
    igm: Annotated[Quantity | None, QuantityField("paraprotein.igm")] = _f("quantity", "serum IgM")
    flc_kappa: Annotated[Quantity | None, QuantityField("paraprotein.flc_kappa")] = _f(
        "quantity", "serum free kappa"
    )
    flc_lambda: Annotated[Quantity | None, QuantityField("paraprotein.flc_lambda")] = _f(
        "quantity", "serum free lambda"
    )
    clone: (
        Literal[
            "MGUS",
            "smoldering_WM",
            "WM",
            "smoldering_myeloma",
            "myeloma",
            "plasmacytoma",
            "CLL",
            "marginal_zone",
            "MBL",
            "other_lymphoma",
            "unknown",
        ]
        | None
    ) = _f("enum", "the clone behind the M-protein")
    marrow_plasma_cells: Annotated[
        Quantity | None, QuantityField("paraprotein.marrow_plasma_cells")
    ] = _f("quantity", "marrow plasma cells, percent of marrow cells")
    marrow_lymphoplasmacytic: StrictBool | None = _f(
        "boolean", "lymphoplasmacytic infiltration in the marrow"
    )
    myd88_l265p: ResultValue = _f("result", "MYD88 L265P in marrow or blood")


class History(Section):
    diabetes: StrictBool | None = _f("boolean", "known diabetes mellitus")
    hba1c: Annotated[Quantity | None, QuantityField("history.hba1c")] = _f("quantity", "HbA1c")
    alcohol_excess: StrictBool | None = _f("boolean", "alcohol excess")
    neurotoxic_drugs: Annotated[list[StrictStr] | None, Vocabulary(NEUROTOXIC_DRUGS)] = _vocab(
        NEUROTOXIC_DRUGS, "neurotoxic drugs taken"
    )
    b12: Annotated[Quantity | None, QuantityField("history.b12")] = _f(
        "quantity", "serum vitamin B12"
    )
    methylmalonic_acid: Annotated[Quantity | None, QuantityField("history.methylmalonic_acid")] = (
        _f("quantity", "methylmalonic acid")
    )
    tsh: Annotated[Quantity | None, QuantityField("history.tsh")] = _f("quantity", "TSH")
    hypothyroidism: StrictBool | None = _f("boolean", "hypothyroidism")
    hiv: ResultValue = _f("result", "HIV test")
    hepatitis_c: ResultValue = _f("result", "hepatitis C antibody or RNA")
    copper: Annotated[Quantity | None, QuantityField("history.copper")] = _f(
        "quantity", "serum copper"
    )
    family_history_neuropathy: StrictBool | None = _f("boolean", "family history of neuropathy")
    spine_disease: StrictBool | None = _f(
        "boolean", "known radiculopathy, spinal stenosis or myelopathy"
    )


class Neuropathy(Section):
    present: StrictBool | None = _f("boolean", "a peripheral neuropathy is present")
    onset_months: StrictFloat | None = _num(0, 1200, "months since the first symptom", "mo")
    course: (
        Literal["acute", "subacute", "chronic_progressive", "chronic_stable", "relapsing"] | None
    ) = _f("enum", "course: acute <4 weeks to nadir, subacute 4-8 weeks, chronic, relapsing")
    symmetry: Literal["symmetric", "asymmetric"] | None = _f("enum", "symmetry")
    distribution: (
        Literal["length_dependent", "proximal_and_distal", "multifocal", "non_length_dependent"]
        | None
    ) = _f("enum", "distribution")
    upper_limb_predominant: StrictBool | None = _f("boolean", "upper-limb predominant")
    sensory_loss: StrictBool | None = _f("boolean", "sensory loss on examination")
    large_fiber_sensory_loss: StrictBool | None = _f("boolean", "vibration or joint-position loss")
    small_fiber_features: StrictBool | None = _f(
        "boolean", "pinprick/temperature loss, burning pain"
    )
    neuropathic_pain: StrictBool | None = _f("boolean", "neuropathic pain")
    sensory_ataxia: StrictBool | None = _f("boolean", "sensory ataxia (Romberg sign, ataxic gait)")
    tremor: StrictBool | None = _f("boolean", "tremor")
    weakness: Literal["none", "distal", "proximal_and_distal", "focal"] | None = _f(
        "enum", "weakness"
    )
    atrophy: StrictBool | None = _f("boolean", "atrophy")
    reflexes: Literal["normal", "reduced", "absent", "brisk"] | None = _f("enum", "tendon reflexes")
    ophthalmoplegia: StrictBool | None = _f(
        "boolean", "ophthalmoplegia (diplopia from eye-movement weakness)"
    )
    bulbar: StrictBool | None = _f("boolean", "dysphagia, dysarthria")
    other_cranial_nerves: StrictBool | None = _f("boolean", "other cranial nerve involvement")
    autonomic: Annotated[list[StrictStr] | None, Vocabulary(AUTONOMIC)] = _vocab(
        AUTONOMIC, "autonomic features"
    )
    carpal_tunnel: StrictBool | None = _f("boolean", "carpal tunnel syndrome")


class Electrodiagnosis(Section):
    performed: StrictBool | None = _f("boolean", "nerve conduction studies/EMG performed")
    pattern: Literal["demyelinating", "axonal", "mixed", "normal", "inexcitable"] | None = _f(
        "enum", "pattern"
    )
    disproportionate_distal_latency: StrictBool | None = _f(
        "boolean", "distal motor latencies prolonged out of proportion to conduction velocity"
    )
    terminal_latency_index: StrictFloat | None = _num(0, 1, "median nerve terminal latency index")
    conduction_block: StrictBool | None = _f(
        "boolean", "motor conduction block outside entrapment sites"
    )
    sensory_responses: Literal["normal", "reduced", "absent"] | None = _f(
        "enum", "sensory responses"
    )
    small_fiber_study: Literal["normal", "abnormal"] | None = _f(
        "enum", "skin biopsy, QSART or similar"
    )


class Gangliosides(Section):
    GM1: ResultValue = _f("result", "IgM anti-GM1")
    GM2: ResultValue = _f("result", "IgM anti-GM2")
    GD1a: ResultValue = _f("result", "IgM anti-GD1a")
    GD1b: ResultValue = _f("result", "IgM anti-GD1b")
    GD3: ResultValue = _f("result", "IgM anti-GD3")
    GT1b: ResultValue = _f("result", "IgM anti-GT1b")
    GQ1b: ResultValue = _f("result", "IgM anti-GQ1b")
    asialo_GM1: ResultValue = _f("result", "IgM anti-asialo-GM1")
    disialosyl: ResultValue = _f("result", "IgM anti-disialosyl")


class Antibodies(Section):
    anti_mag: AntiMagValue = _f("quantity_or_result", "anti-MAG, Bühlmann titre units (BTU)")
    sgpg: ResultValue = _f("result", "anti-SGPG")
    gangliosides: Annotated[Gangliosides, BeforeValidator(_none_to_empty)] = Field(
        default_factory=Gangliosides, json_schema_extra={"kind": "section"}
    )
    sulfatide: ResultValue = _f("result", "anti-sulfatide")
    cold_agglutinins: ResultValue = _f("result", "cold agglutinins")
    cryoglobulins: (
        Literal["negative", "type_I", "type_II", "type_III", "positive_untyped"] | None
    ) = _f("enum", "cryoglobulins")
    rheumatoid_factor: ResultValue = _f("result", "rheumatoid factor")
    complement_c4_low: StrictBool | None = _f("boolean", "low complement C4")


class Labs(Section):
    vegf_serum: Annotated[Quantity | None, QuantityField("labs.vegf_serum")] = _f(
        "quantity", "serum VEGF"
    )
    vegf_plasma: Annotated[Quantity | None, QuantityField("labs.vegf_plasma")] = _f(
        "quantity", "plasma VEGF"
    )
    platelets: Annotated[Quantity | None, QuantityField("labs.platelets")] = _f(
        "quantity", "platelet count"
    )
    hemoglobin: Annotated[Quantity | None, QuantityField("labs.hemoglobin")] = _f(
        "quantity", "haemoglobin"
    )
    hematocrit: Annotated[Quantity | None, QuantityField("labs.hematocrit")] = _f(
        "quantity", "haematocrit"
    )
    nt_probnp: Annotated[Quantity | None, QuantityField("labs.nt_probnp")] = _f(
        "quantity", "NT-proBNP"
    )
    troponin_t: Annotated[Quantity | None, QuantityField("labs.troponin_t")] = _f(
        "quantity", "troponin T"
    )
    urine_protein_24h: Annotated[Quantity | None, QuantityField("labs.urine_protein_24h")] = _f(
        "quantity", "24-hour urine protein"
    )
    egfr: Annotated[Quantity | None, QuantityField("labs.egfr")] = _f("quantity", "eGFR")
    creatinine: Annotated[Quantity | None, QuantityField("labs.creatinine")] = _f(
        "quantity", "serum creatinine"
    )
    alkaline_phosphatase_x_uln: StrictFloat | None = _num(
        0, 100, "alkaline phosphatase, multiple of ULN", "xULN"
    )
    il6: Annotated[Quantity | None, QuantityField("labs.il6")] = _f(
        "quantity", "serum IL-6 (research)"
    )
    il10: Annotated[Quantity | None, QuantityField("labs.il10")] = _f(
        "quantity", "serum IL-10 (research)"
    )
    csf_protein: Annotated[Quantity | None, QuantityField("labs.csf_protein")] = _f(
        "quantity", "CSF protein"
    )
    csf_cells: Annotated[Quantity | None, QuantityField("labs.csf_cells")] = _f(
        "quantity", "CSF cells"
    )
    csf_clonal_b_cells: ResultValue = _f("result", "clonal B cells in CSF")
    csf_myd88_l265p: ResultValue = _f("result", "MYD88 L265P in CSF")


class Systemic(Section):
    weight_loss: StrictBool | None = _f("boolean", "weight loss")
    hepatomegaly: StrictBool | None = _f("boolean", "hepatomegaly")
    splenomegaly: StrictBool | None = _f("boolean", "splenomegaly")
    lymphadenopathy: StrictBool | None = _f("boolean", "lymphadenopathy")
    volume_overload: StrictBool | None = _f("boolean", "oedema, pleural effusion or ascites")
    endocrinopathy: Annotated[list[StrictStr] | None, Vocabulary(ENDOCRINOPATHY)] = _vocab(
        ENDOCRINOPATHY, "endocrinopathy"
    )
    skin_changes: Annotated[list[StrictStr] | None, Vocabulary(SKIN_CHANGES)] = _vocab(
        SKIN_CHANGES, "skin changes"
    )
    papilledema: StrictBool | None = _f("boolean", "papilloedema")
    sclerotic_bone_lesions: StrictBool | None = _f("boolean", "sclerotic bone lesions")
    lytic_bone_lesions: StrictBool | None = _f("boolean", "lytic bone lesions")
    castleman_disease: StrictBool | None = _f("boolean", "Castleman disease")
    clubbing: StrictBool | None = _f("boolean", "clubbing")
    cardiac_involvement: StrictBool | None = _f(
        "boolean", "heart failure or infiltrative cardiomyopathy"
    )
    renal_involvement: StrictBool | None = _f("boolean", "renal involvement")
    macroglossia: StrictBool | None = _f("boolean", "macroglossia")
    periorbital_purpura: StrictBool | None = _f("boolean", "periorbital purpura")
    palpable_purpura: StrictBool | None = _f("boolean", "palpable purpura")
    arthralgia: StrictBool | None = _f("boolean", "arthralgia")
    raynaud: StrictBool | None = _f("boolean", "Raynaud phenomenon")
    hyperviscosity: StrictBool | None = _f("boolean", "symptoms of hyperviscosity")
    cns_signs: StrictBool | None = _f(
        "boolean", "cognitive change, headache, seizures, long-tract signs"
    )


class Imaging(Section):
    mri_neuraxis: (
        Literal[
            "normal",
            "leptomeningeal_enhancement",
            "root_or_plexus_enhancement",
            "parenchymal_lesion",
        ]
        | None
    ) = _f("enum", "MRI of brain and spine")
    pet_nerve_uptake: StrictBool | None = _f("boolean", "FDG uptake along nerves, roots or plexus")
    lv_wall_thickness: Annotated[Quantity | None, QuantityField("imaging.lv_wall_thickness")] = _f(
        "quantity", "LV wall thickness"
    )


class Pathology(Section):
    fat_pad: Literal["amyloid", "no_amyloid"] | None = _f("enum", "fat pad aspirate/biopsy")
    marrow_amyloid: StrictBool | None = _f("boolean", "amyloid in the marrow")
    organ_biopsy_amyloid: StrictBool | None = _f("boolean", "amyloid in an organ biopsy")
    amyloid_type: (
        Literal["AL_lambda", "AL_kappa", "AH", "ATTR", "AA", "other", "untyped"] | None
    ) = _f("enum", "amyloid type")
    nerve_biopsy: Annotated[list[StrictStr] | None, Vocabulary(NERVE_BIOPSY)] = _vocab(
        NERVE_BIOPSY, "nerve biopsy findings"
    )
    skin_biopsy: Annotated[list[StrictStr] | None, Vocabulary(SKIN_BIOPSY)] = _vocab(
        SKIN_BIOPSY, "skin biopsy findings"
    )


class FunctionScores(Section):
    """Disability and its course (the case's ``function``; also the scales of each visit)."""

    mrs: StrictInt | None = _int(0, 6, "modified Rankin scale")
    progressing: StrictBool | None = _f("boolean", "worse over the last 6-12 months")
    adl_impact: StrictBool | None = _f("boolean", "limits activities of daily living")
    incat_arm: StrictInt | None = _int(0, 5, "INCAT disability, arm grade")
    incat_leg: StrictInt | None = _int(0, 5, "INCAT disability, leg grade")
    incat_sensory_sum: StrictInt | None = _int(0, 20, "INCAT sensory sumscore")
    mrc_sum: StrictInt | None = _int(0, 60, "MRC sum score")
    i_rods: StrictFloat | None = _num(0, 100, "I-RODS centile")
    walk_10m: Annotated[Quantity | None, QuantityField("function.walk_10m")] = _f(
        "quantity", "seconds for 10 metres"
    )


class TreatmentGiven(Section):
    regimen: StrictStr = Field(
        description="e.g. rituximab, bendamustine-rituximab, ivig",
        json_schema_extra={"kind": "string"},
    )
    start: DateValue = _f("date", "start date")
    end: DateValue = _f("date", "end date")
    notes: StrictStr | None = _f("string", "notes")


class Visit(FunctionScores):
    """One follow-up measurement: a date, any function scale, and paraprotein markers."""

    date: Annotated[dt.date, BeforeValidator(_date)] = Field(json_schema_extra={"kind": "date"})
    igm: Annotated[Quantity | None, QuantityField("paraprotein.igm")] = _f("quantity", "serum IgM")
    m_spike: Annotated[Quantity | None, QuantityField("paraprotein.m_spike")] = _f(
        "quantity", "M-spike"
    )
    anti_mag: AntiMagValue = _f("quantity_or_result", "anti-MAG titre")
    flc_kappa: Annotated[Quantity | None, QuantityField("paraprotein.flc_kappa")] = _f(
        "quantity", "serum free kappa"
    )
    flc_lambda: Annotated[Quantity | None, QuantityField("paraprotein.flc_lambda")] = _f(
        "quantity", "serum free lambda"
    )


class Case(BaseModel):
    """What is known about one patient at one point in time, plus follow-up."""

    model_config = ConfigDict(extra="forbid", title="mgpn case (mgpn-case/1)")

    format: Literal["mgpn-case/1"] = Field(json_schema_extra={"kind": "enum"})
    id: Annotated[
        StrictStr | None,
        BeforeValidator(lambda v: str(v) if isinstance(v, int) and not isinstance(v, bool) else v),
    ] = _f("string", "the case's identifier (need not identify a person)")
    recorded: DateValue = _f("date", "when these findings were current")
    patient: Annotated[Patient, EMPTY_IF_NONE] = Field(default_factory=Patient)
    paraprotein: Annotated[Paraprotein, EMPTY_IF_NONE] = Field(default_factory=Paraprotein)
    history: Annotated[History, EMPTY_IF_NONE] = Field(default_factory=History)
    neuropathy: Annotated[Neuropathy, EMPTY_IF_NONE] = Field(default_factory=Neuropathy)
    electrodiagnosis: Annotated[Electrodiagnosis, EMPTY_IF_NONE] = Field(
        default_factory=Electrodiagnosis
    )
    antibodies: Annotated[Antibodies, EMPTY_IF_NONE] = Field(default_factory=Antibodies)
    labs: Annotated[Labs, EMPTY_IF_NONE] = Field(default_factory=Labs)
    systemic: Annotated[Systemic, EMPTY_IF_NONE] = Field(default_factory=Systemic)
    imaging: Annotated[Imaging, EMPTY_IF_NONE] = Field(default_factory=Imaging)
    pathology: Annotated[Pathology, EMPTY_IF_NONE] = Field(default_factory=Pathology)
    function: Annotated[FunctionScores, EMPTY_IF_NONE] = Field(default_factory=FunctionScores)
    treatments: Annotated[
        list[TreatmentGiven], BeforeValidator(lambda v: [] if v is None else v)
    ] = Field(default_factory=list)
    visits: Annotated[list[Visit], BeforeValidator(lambda v: [] if v is None else v)] = Field(
        default_factory=list
    )
    extensions: Annotated[dict[str, Any] | None, NONE_IF_EMPTY] = _f(
        "extensions", "kept, not interpreted"
    )

    def get(self, path: str) -> Any:
        """The value at a dotted path (``antibodies.gangliosides.GQ1b``); ``None`` when unknown."""
        node: Any = self
        for part in path.split("."):
            if node is None:
                return None
            node = getattr(node, part, None) if isinstance(node, BaseModel) else None
        return node

    def not_interpreted(self) -> list[str]:
        """Items kept but not interpreted: unlisted names in list fields, and extensions."""
        from mgpn.case.catalog import not_interpreted

        return not_interpreted(self)
