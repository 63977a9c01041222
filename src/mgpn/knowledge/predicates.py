"""The predicate language the knowledge base writes its rules in.

A predicate is a small YAML mapping; which kind it is follows from its key:

``{path: neuropathy.sensory_ataxia, is: true}``     a leaf over one case field
``{all: [...]}`` / ``{any: [...]}`` / ``{not: ...}``  Kleene combinators
``{at_least_n: {n: 3, of: [...]}}``                   counting
``{any_known: [...]}``                                 alternatives measured by one test or another:
                                                      true if any is true, false if the known ones
                                                      are false, unknown only when none is known
``{unknown: ...}``                                    true when the inner result is unknown
``{not_true: ...}``                                   true unless the inner one is known true
``{criterion: id}``                                   a criterion of the same rule set
``{syndrome: [ids], status_in: [...]}``               an earlier syndrome result
``{mimic: [ids], status_in: [...]}``                  a mimic result
``{link_in: [...]}``                                  the paraprotein-neuropathy link

Numbers never appear here: numeric leaves name a threshold from ``thresholds.yaml``.
The engine (:mod:`mgpn.engine.logic`) evaluates these with three-valued logic.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

from mgpn.assessment import LinkStatus, MimicStatus, SyndromeStatus

NUMERIC_OPERATORS: tuple[str, ...] = ("at_least", "above", "below", "at_most")
LEAF_OPERATORS: tuple[str, ...] = (
    "is_",
    "in_",
    "contains_any",
    "mentions_any",
    "present",
    *NUMERIC_OPERATORS,
)


class _Strict(BaseModel):
    # defer_build: validators are built on the first validation, so a process that takes
    # the knowledge base from the cache (mgpn.knowledge.disk_cache) never builds them.
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


class Leaf(_Strict):
    """A test of one case field; exactly one operator.

    ``minus`` turns the value into a difference of two quantities (e.g. the free
    light-chain difference), computed with the censoring of both kept.
    """

    path: str
    minus: str | None = None
    is_: bool | str | None = Field(default=None, alias="is")
    in_: list[str] | None = Field(default=None, alias="in")
    contains_any: list[str] | None = None
    mentions_any: list[str] | None = Field(
        default=None,
        description="free-text match (case-insensitive substring) in a list of strings",
    )
    present: bool | None = None
    at_least: str | None = None
    above: str | None = None
    below: str | None = None
    at_most: str | None = None

    @model_validator(mode="after")
    def _one_operator(self) -> Leaf:
        used = [name for name in LEAF_OPERATORS if getattr(self, name) is not None]
        if len(used) != 1:
            names = ", ".join(op.rstrip("_") for op in LEAF_OPERATORS)
            raise ValueError(
                f"a leaf on {self.path!r} needs exactly one operator among {names}; "
                f"found {len(used)}"
            )
        if self.minus is not None and self.threshold_name is None:
            raise ValueError(f"'minus' on {self.path!r} only works with a numeric operator")
        return self

    @property
    def threshold_name(self) -> str | None:
        for name in NUMERIC_OPERATORS:
            value = getattr(self, name)
            if value is not None:
                return str(value)
        return None

    @property
    def numeric_operator(self) -> str | None:
        for name in NUMERIC_OPERATORS:
            if getattr(self, name) is not None:
                return name
        return None


class AllOf(_Strict):
    all: list[Predicate] = Field(min_length=1)


class AnyOf(_Strict):
    any: list[Predicate] = Field(min_length=1)


class AnyKnown(_Strict):
    """True if any part is true; false if none is true and some part is known false.

    For alternative measurements of one finding (serum or plasma VEGF): a normal plasma
    value decides "not raised" even when serum was not measured.
    """

    any_known: list[Predicate] = Field(min_length=1)


class NotOf(_Strict):
    not_: Predicate = Field(alias="not")


class CountSpec(_Strict):
    n: int = Field(ge=1)
    of: list[Predicate] = Field(min_length=1)

    @model_validator(mode="after")
    def _n_reachable(self) -> CountSpec:
        if self.n > len(self.of):
            raise ValueError(f"at_least_n asks for {self.n} of only {len(self.of)} items")
        return self


class AtLeastN(_Strict):
    at_least_n: CountSpec


class UnknownOf(_Strict):
    unknown: Predicate


class NotTrue(_Strict):
    """True unless the inner predicate is known to be true ("no such finding is known")."""

    not_true: Predicate


class CriterionRef(_Strict):
    criterion: str


class SyndromeRef(_Strict):
    syndrome: list[str] = Field(min_length=1)
    status_in: list[SyndromeStatus] = Field(min_length=1)


class MimicRef(_Strict):
    mimic: list[str] = Field(min_length=1)
    status_in: list[MimicStatus] = Field(min_length=1)


class LinkRef(_Strict):
    link_in: list[LinkStatus] = Field(min_length=1)


_KIND_BY_KEY: dict[str, str] = {
    "path": "leaf",
    "all": "all",
    "any": "any",
    "any_known": "any_known",
    "not": "not",
    "at_least_n": "at_least_n",
    "unknown": "unknown",
    "not_true": "not_true",
    "criterion": "criterion",
    "syndrome": "syndrome",
    "mimic": "mimic",
    "link_in": "link",
}
_KIND_BY_CLASS: dict[type, str] = {
    Leaf: "leaf",
    AllOf: "all",
    AnyOf: "any",
    AnyKnown: "any_known",
    NotOf: "not",
    AtLeastN: "at_least_n",
    UnknownOf: "unknown",
    NotTrue: "not_true",
    CriterionRef: "criterion",
    SyndromeRef: "syndrome",
    MimicRef: "mimic",
    LinkRef: "link",
}


def _kind(raw: Any) -> str | None:
    # Pick the model from the mapping's keys so a mistake gets one clear error,
    # not ten from every alternative of the union.
    if isinstance(raw, BaseModel):
        return _KIND_BY_CLASS.get(type(raw))
    if isinstance(raw, dict):
        for key, kind in _KIND_BY_KEY.items():
            if key in raw:
                return kind
    return None


Predicate = Annotated[
    Annotated[Leaf, Tag("leaf")]
    | Annotated[AllOf, Tag("all")]
    | Annotated[AnyOf, Tag("any")]
    | Annotated[AnyKnown, Tag("any_known")]
    | Annotated[NotOf, Tag("not")]
    | Annotated[AtLeastN, Tag("at_least_n")]
    | Annotated[UnknownOf, Tag("unknown")]
    | Annotated[NotTrue, Tag("not_true")]
    | Annotated[CriterionRef, Tag("criterion")]
    | Annotated[SyndromeRef, Tag("syndrome")]
    | Annotated[MimicRef, Tag("mimic")]
    | Annotated[LinkRef, Tag("link")],
    Discriminator(
        _kind,
        custom_error_type="predicate_kind",
        custom_error_message=(
            "a predicate must be a mapping with one of the keys: " + ", ".join(_KIND_BY_KEY)
        ),
    ),
]

# No model_rebuild() here: it would build every validator now, defer_build or not. The
# forward references to ``Predicate`` resolve from this module on the first validation.


def children(predicate: Predicate, *, negated: bool = True) -> list[Predicate]:
    """The predicates directly inside ``predicate``.

    ``negated=False`` leaves out those under ``not``, ``unknown`` and ``not_true``: the
    children that can make ``predicate`` true only by being true themselves.
    """
    if isinstance(predicate, AllOf):
        return list(predicate.all)
    if isinstance(predicate, AnyOf):
        return list(predicate.any)
    if isinstance(predicate, AnyKnown):
        return list(predicate.any_known)
    if isinstance(predicate, AtLeastN):
        return list(predicate.at_least_n.of)
    if not negated:
        return []
    if isinstance(predicate, NotOf):
        return [predicate.not_]
    if isinstance(predicate, UnknownOf):
        return [predicate.unknown]
    if isinstance(predicate, NotTrue):
        return [predicate.not_true]
    return []


def walk(predicate: Predicate) -> list[Predicate]:
    """Every predicate inside ``predicate`` (itself included), depth first."""
    found: list[Predicate] = [predicate]
    for child in children(predicate):
        found.extend(walk(child))
    return found
