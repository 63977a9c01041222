"""The assessment, format ``mgpn-assessment/1`` (see shared/spec/assessment-format.md).

This module only describes the output; the engine in :mod:`mgpn.engine` fills it and
every face of the program (terminal, HTML, PDF, web page, CDS Hooks, FHIR) renders it.
Keys and ids here are a contract: more may be added, none renamed or dropped.
"""


from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ASSESSMENT_FORMAT: Literal["mgpn-assessment/1"] = "mgpn-assessment/1"

SyndromeId = Literal[
    "anti_mag",
    "anti_ganglioside_igm",
    "canomad",
    "al_amyloidosis",
    "poems",
    "mmn",
    "cidp_mgus",
    "cryoglobulinemic",
    "neurolymphomatosis",
    "bing_neel",
    "igm_neuropathy_unclassified",
    "coincidental",
]
SYNDROME_IDS: tuple[str, ...] = SyndromeId.__args__  # type: ignore[attr-defined]

SyndromeStatus = Literal[
    "established", "probable", "possible", "unlikely", "excluded", "undetermined"
]

MimicId = Literal[
    "diabetes",
    "b12_deficiency",
    "alcohol",
    "neurotoxic_drugs",
    "hiv",
    "hypothyroidism",
    "hepatitis_c",
    "copper_deficiency",
    "hereditary",
    "radiculopathy",
    "myelopathy",
    "attr_amyloidosis",
]
MIMIC_IDS: tuple[str, ...] = MimicId.__args__  # type: ignore[attr-defined]
MimicStatus = Literal["present", "possible", "excluded", "not_assessed"]

LinkStatus = Literal["established", "probable", "uncertain", "unlikely", "undetermined"]

TestId = Literal[
    "ncs_emg",
    "anti_mag",
    "ganglioside_panel",
    "sgpg",
    "vegf",
    "cryoglobulins",
    "cold_agglutinins",
    "serum_flc",
    "immunofixation",
    "quantitative_igs",
    "bone_marrow_biopsy",
    "myd88",
    "fat_pad_biopsy",
    "organ_biopsy",
    "nerve_biopsy",
    "skin_biopsy",
    "amyloid_typing",
    "cardiac_biomarkers",
    "echocardiogram",
    "urine_protein",
    "bone_imaging",
    "mri_neuraxis",
    "lumbar_puncture",
    "pet_ct",
    "hba1c",
    "b12_mma",
    "tsh",
    "hiv",
    "hepatitis_c",
    "endocrine_panel",
    "ttr_genetics",
    "complement_rf",
    "neurology_referral",
    "hematology_referral",
]
TEST_IDS: tuple[str, ...] = TestId.__args__  # type: ignore[attr-defined]
TestPriority = Literal["now", "next", "consider"]

Indication = Literal["treat", "consider", "observe", "treat_other_cause", "undetermined"]


class _Out(BaseModel):
    # defer_build: a model's validator and serializer are built when first used, not at
    # import; a process that never validates or dumps one (the terminal view of
    # ``mgpn evaluate`` once the engine builds results without re-validating) skips it.
    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)


EvidenceKind = Literal[
    "mandatory",
    "major",
    "minor",
    "supportive",
    "atypical",
    "exclusion",
    "derived",
    "status",
    "test",
    "indication",
    "option",
    "safety",
]


class Evidence(_Out):
    """One line of an assessment with the knowledge-base item that produced it.

    ``criterion`` is a qualified id that ``mgpn kb show`` accepts (for example
    ``poems.vegf_high``, ``poems.status.established``, ``tests.vegf_poems``).
    """

    text: str
    criterion: str
    kind: EvidenceKind | None = None
    references: list[str] = Field(default_factory=list)
    verified: bool = True


class MimicResult(_Out):
    id: MimicId
    label: str
    status: MimicStatus
    evidence: list[str] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)
    references: list[str] = Field(default_factory=list)
    evidence_items: list[Evidence] = Field(
        default_factory=list, description="parallel to `evidence`, with the rule behind each line"
    )
    missing_evidence: list[Evidence] = Field(
        default_factory=list, description="parallel to `missing`"
    )


class SyndromeResult(_Out):
    id: SyndromeId
    label: str
    status: SyndromeStatus
    rank: int
    score: float
    for_: list[str] = Field(default_factory=list, alias="for")
    against: list[str] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)
    references: list[str] = Field(default_factory=list)
    unverified: list[str] = Field(
        default_factory=list,
        description="statements this result relies on that the knowledge base marks unverified",
    )
    status_reason: str | None = Field(default=None, description="the rule that set the status")
    notes: list[str] = Field(default_factory=list, description="e.g. a staging result")
    for_evidence: list[Evidence] = Field(default_factory=list, description="parallel to `for`")
    against_evidence: list[Evidence] = Field(
        default_factory=list, description="parallel to `against`"
    )
    missing_evidence: list[Evidence] = Field(
        default_factory=list, description="parallel to `missing`"
    )
    status_evidence: Evidence | None = Field(
        default=None, description="the rule (or criterion cap) that set the status"
    )


class LinkResult(_Out):
    status: LinkStatus
    reasons: list[str] = Field(default_factory=list)
    references: list[str] = Field(default_factory=list)
    reason_evidence: list[Evidence] = Field(
        default_factory=list, description="parallel to `reasons`"
    )


class TestRecommendation(_Out):
    id: TestId
    label: str
    priority: TestPriority
    reason: str
    for_: list[str] = Field(default_factory=list, alias="for")
    references: list[str] = Field(default_factory=list)
    rule: str | None = Field(default=None, description="qualified id of the test rule")
    reason_evidence: Evidence | None = None


class TreatmentOption(_Out):
    syndrome: str
    regimen: str
    evidence: str
    references: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    verified: bool = True
    rule: str | None = Field(default=None, description="qualified id of the option rule")
    status: SyndromeStatus | None = Field(default=None, description="the syndrome's status")
    if_confirmed: bool = Field(
        default=False,
        description="true while the syndrome is not established or probable: shown as "
        "'if confirmed', never as a recommendation",
    )


class Treatment(_Out):
    indication: Indication
    reasons: list[str] = Field(default_factory=list)
    options: list[TreatmentOption] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    references: list[str] = Field(default_factory=list)
    reason_evidence: list[Evidence] = Field(
        default_factory=list, description="parallel to `reasons`"
    )
    waiting_for: list[TestId] = Field(
        default_factory=list, description="tests that must come before a treatment decision"
    )


class Ranking(_Out):
    """Why the list is in this order (documented in docs/knowledge-base.md)."""

    rule: str
    first: SyndromeId | None = None
    second: SyndromeId | None = None
    why_first: str | None = None
    deciding_tests: list[TestId] = Field(default_factory=list)


class Biomarker(_Out):
    id: str
    label: str
    value: str | None
    interpretation: str
    research_only: Literal[True] = True
    references: list[str] = Field(default_factory=list)


class Reference(_Out):
    id: str
    citation: str
    url: str | None = None


class Assessment(_Out):
    format: Literal["mgpn-assessment/1"] = ASSESSMENT_FORMAT
    case_id: str | None
    knowledge_version: str
    knowledge_reviewed: str | None = None
    in_scope: bool
    scope_note: str | None = None
    mimics: list[MimicResult] = Field(default_factory=list)
    syndromes: list[SyndromeResult] = Field(default_factory=list)
    link: LinkResult
    tests: list[TestRecommendation] = Field(default_factory=list)
    treatment: Treatment
    biomarkers: list[Biomarker] = Field(default_factory=list)
    red_flags: list[str] = Field(default_factory=list)
    ranking: Ranking | None = None
    not_interpreted: list[str] = Field(default_factory=list)
    unverified: list[str] = Field(default_factory=list)
    references: list[Reference] = Field(default_factory=list)
    disclaimer: str

    def to_json_dict(self) -> dict[str, Any]:
        """The JSON form of the contract (``for`` spelled as in the spec)."""
        return self.model_dump(mode="json", by_alias=True)

    def syndrome(self, syndrome_id: str) -> SyndromeResult:
        for item in self.syndromes:
            if item.id == syndrome_id:
                return item
        raise KeyError(syndrome_id)

    def mimic(self, mimic_id: str) -> MimicResult:
        for item in self.mimics:
            if item.id == mimic_id:
                return item
        raise KeyError(mimic_id)
