"""Cross-file checks of the knowledge base; every problem is collected, none is fatal alone.

What is refused: unknown reference ids, unknown threshold names, case paths the case
model does not have, a rule that uses an unverified threshold without being marked
``verified: false`` itself, references to criteria or syndromes that do not exist (or
that are evaluated later), and a set of syndromes/mimics that differs from the
assessment contract.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from mgpn.assessment import MIMIC_IDS, SYNDROME_IDS
from mgpn.knowledge.predicates import (
    CriterionRef,
    Leaf,
    LinkRef,
    MimicRef,
    Predicate,
    SyndromeRef,
    children,
    walk,
)
from mgpn.knowledge.schema import (
    Criterion,
    KnowledgeBase,
    RuleSet,
    StagingSystem,
    StatusRule,
    _Sourced,
)
from mgpn.knowledge.vocabulary import vocabulary_problems

# Paths the engine computes from the case rather than reading one field
# (``treatments[].regimen`` is in the case catalog and read as the list of regimens):
# the regimens that started before / after the first neuropathic symptom
# (recorded date minus neuropathy.onset_months; unknown without both dates).
COMPUTED_PATHS: frozenset[str] = frozenset(
    {"treatments[].regimen_started_before_onset", "treatments[].regimen_started_after_onset"}
)


class _Checker:
    def __init__(
        self,
        kb: KnowledgeBase,
        known_paths: Iterable[str] | None,
        known_units: Mapping[str, str] | None = None,
    ) -> None:
        self.kb = kb
        self.known_units = dict(known_units or {})
        self.known_paths = None if known_paths is None else frozenset(known_paths) | COMPUTED_PATHS
        self.problems: list[str] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def expand(self, names: list[str]) -> list[str]:
        sets = self.kb.meta.sets
        return [member for name in names for member in sets.get(name, [name])]

    def _sets(self) -> None:
        for name, members in self.kb.meta.sets.items():
            where = f"meta.sets.{name}"
            if name in SYNDROME_IDS or name in MIMIC_IDS:
                self.problem(where, "a set may not be named like a syndrome or mimic id")
            syndromes = [m for m in members if m in SYNDROME_IDS]
            mimics = [m for m in members if m in MIMIC_IDS]
            unknown = [m for m in members if m not in SYNDROME_IDS and m not in MIMIC_IDS]
            if unknown:
                self.problem(where, f"ids not in the assessment contract: {unknown}")
            if syndromes and mimics:
                self.problem(where, "mixes syndrome and mimic ids")
            if len(set(members)) != len(members):
                self.problem(where, "lists an id twice")

    def _status_rule_kinds(self, where: str, rules: RuleSet) -> None:
        """Only exclusion criteria, or another result that explains the picture, may make a
        syndrome unlikely or excluded; an atypical finding never does (it lowers support)."""
        kinds = {c.id: c.effective_kind for c in rules.criteria}
        for index, rule in enumerate(rules.status_rules):
            if rule.status not in ("unlikely", "excluded"):
                continue
            positive = _positive_nodes(rule.when)
            refs = [n.criterion for n in positive if isinstance(n, CriterionRef)]
            atypical = [ref for ref in refs if kinds.get(ref) == "atypical"]
            if atypical:
                self.problem(
                    f"{where}.status_rules[{index}]",
                    f"atypical criteria {atypical} may not make the status {rule.status}",
                )
            explained = any(isinstance(n, SyndromeRef | MimicRef) for n in positive)
            if not explained and not any(kinds.get(ref) == "exclusion" for ref in refs):
                self.problem(
                    f"{where}.status_rules[{index}]",
                    f"a {rule.status!r} rule needs an exclusion criterion or another result "
                    "that explains the neuropathy",
                )

    def _examples(self, where: str, rules: RuleSet) -> None:
        for criterion in rules.criteria:
            for example in criterion.examples:
                for path in example.case:
                    if self.known_paths is not None and path not in self.known_paths:
                        self.problem(
                            f"{where}.{criterion.id}.examples", f"unknown case path {path!r}"
                        )

    # -- leaves -----------------------------------------------------------------
    def references(self, where: str, ids: Iterable[str]) -> None:
        for ref in ids:
            if ref not in self.kb.references:
                self.problem(where, f"unknown reference id {ref!r}; add it to references.yaml")

    def predicate(
        self,
        where: str,
        predicate: Predicate,
        *,
        criteria: set[str] | None,
        syndromes: set[str] | None,
        mimics_allowed: bool,
        link_allowed: bool,
    ) -> bool:
        """Check one predicate; return True when it uses an unverified threshold."""
        uses_unverified = False
        for node in walk(predicate):
            if isinstance(node, Leaf):
                uses_unverified |= self._leaf(where, node)
            elif isinstance(node, CriterionRef):
                if criteria is None or node.criterion not in criteria:
                    self.problem(where, f"refers to criterion {node.criterion!r}, not defined here")
            elif isinstance(node, SyndromeRef):
                for ident in self.expand(node.syndrome):
                    if ident not in SYNDROME_IDS:
                        self.problem(where, f"unknown syndrome id {ident!r}")
                    elif syndromes is None or ident not in syndromes:
                        self.problem(
                            where,
                            f"refers to syndrome {ident!r}, which is not evaluated before this rule",
                        )
            elif isinstance(node, MimicRef):
                if not mimics_allowed:
                    self.problem(where, "mimic results are not available here")
                for ident in self.expand(node.mimic):
                    if ident not in MIMIC_IDS:
                        self.problem(where, f"unknown mimic id {ident!r}")
            elif isinstance(node, LinkRef) and not link_allowed:
                self.problem(where, "the link is not available here (it is evaluated later)")
        return uses_unverified

    def _leaf(self, where: str, leaf: Leaf) -> bool:
        for path in (leaf.path, leaf.minus):
            if path is None or self.known_paths is None:
                continue
            if path not in self.known_paths:
                self.problem(where, f"unknown case path {path!r}; see mgpn.case.field_catalog()")
        name = leaf.threshold_name
        if name is None:
            return False
        threshold = self.kb.thresholds.get(name)
        if threshold is None:
            self.problem(where, f"unknown threshold {name!r}; add it to thresholds.yaml")
            return False
        if threshold.path is not None and threshold.path != leaf.path:
            self.problem(
                where,
                f"threshold {name!r} is for {threshold.path!r} (its unit), not {leaf.path!r}",
            )
        return not threshold.verified

    def sourced(self, where: str, item: _Sourced, uses_unverified: bool) -> None:
        self.references(where, item.references)
        if uses_unverified and item.verified:
            self.problem(
                where,
                "uses a threshold marked verified: false, so it must be marked verified: false too",
            )

    # -- rule sets --------------------------------------------------------------
    def rule_set(
        self, where: str, rules: RuleSet, *, syndromes: set[str] | None, mimics: bool, link: bool
    ) -> None:
        ids = [criterion.id for criterion in rules.criteria]
        duplicates = {ident for ident in ids if ids.count(ident) > 1}
        for ident in sorted(duplicates):
            self.problem(where, f"criterion id {ident!r} is used twice")
        self._examples(where, rules)
        for criterion in rules.criteria:
            self.criterion(f"{where}.{criterion.id}", criterion, set(ids), syndromes, mimics, link)
        for index, rule in enumerate(rules.status_rules):
            self.status_rule(
                f"{where}.status_rules[{index}]", rule, set(ids), syndromes, mimics, link
            )

    def criterion(
        self,
        where: str,
        criterion: Criterion,
        criteria: set[str],
        syndromes: set[str] | None,
        mimics: bool,
        link: bool,
    ) -> None:
        unverified = self.predicate(
            where,
            criterion.when,
            criteria=criteria - {criterion.id},
            syndromes=syndromes,
            mimics_allowed=mimics,
            link_allowed=link,
        )
        self.sourced(where, criterion, unverified)

    def status_rule(
        self,
        where: str,
        rule: StatusRule,
        criteria: set[str],
        syndromes: set[str] | None,
        mimics: bool,
        link: bool,
    ) -> None:
        unverified = self.predicate(
            where,
            rule.when,
            criteria=criteria,
            syndromes=syndromes,
            mimics_allowed=mimics,
            link_allowed=link,
        )
        self.sourced(where, rule, unverified)

    # -- whole base ------------------------------------------------------------
    def run(self) -> list[str]:
        kb = self.kb
        for name, threshold in kb.thresholds.items():
            self.references(f"thresholds.{name}", threshold.references)
            known = self.known_paths
            if threshold.path is not None and known is not None and threshold.path not in known:
                self.problem(f"thresholds.{name}", f"unknown case path {threshold.path!r}")
            unit = self.known_units.get(threshold.path or "")
            if unit is not None and unit != threshold.unit:
                self.problem(
                    f"thresholds.{name}",
                    f"unit {threshold.unit!r} differs from the case field's canonical unit {unit!r}",
                )
        self._coverage()
        self._sets()
        for index, rule in enumerate(kb.meta.scope):
            self.predicate(
                f"meta.scope[{index}]",
                rule.when,
                criteria=None,
                syndromes=None,
                mimics_allowed=False,
                link_allowed=False,
            )
        for mimic in kb.mimics:
            self.references(f"mimics.{mimic.id}", mimic.references)
            self.rule_set(f"mimics.{mimic.id}", mimic, syndromes=None, mimics=False, link=False)
        evaluated: set[str] = set()
        for syndrome in kb.ordered_syndromes():
            where = f"syndromes.{syndrome.id}"
            self.references(where, syndrome.references)
            self.rule_set(where, syndrome, syndromes=set(evaluated), mimics=True, link=False)
            self._status_rule_kinds(where, syndrome)
            for staging in syndrome.staging:
                self._staging(f"{where}.staging.{staging.id}", staging, evaluated)
            evaluated.add(syndrome.id)
        everything = set(SYNDROME_IDS)
        self.rule_set("link", kb.link, syndromes=everything, mimics=True, link=False)
        for index, test in enumerate(kb.tests):
            where = f"tests[{index}] ({test.test})"
            unverified = self._anywhere(where, test.when)
            if test.done_when is not None:
                unverified |= self._anywhere(where, test.done_when)
            self.sourced(where, test, unverified)
        for index, indication in enumerate(kb.treatment.indication_rules):
            where = f"treatment.indication_rules[{index}]"
            self.sourced(where, indication, self._anywhere(where, indication.when))
        for index, option in enumerate(kb.treatment.options):
            where = f"treatment.options[{index}] ({option.syndrome})"
            unverified = option.when is not None and self._anywhere(where, option.when)
            self.sourced(where, option, unverified)
        for warning in kb.treatment.warnings:
            where = f"treatment.warnings.{warning.id}"
            self.sourced(where, warning, self._anywhere(where, warning.when))
        for biomarker in kb.biomarkers:
            where = f"biomarkers.{biomarker.id}"
            self.references(where, biomarker.references)
            if self.known_paths is not None and biomarker.path not in self.known_paths:
                self.problem(where, f"unknown case path {biomarker.path!r}")
        if self.known_paths is not None:
            self.problems.extend(vocabulary_problems(kb))  # rule values fit their fields
            for field in kb.uninterpreted:
                if field.path not in self.known_paths:
                    self.problem("uninterpreted", f"unknown case path {field.path!r}")
        return self.problems

    def _anywhere(self, where: str, predicate: Predicate) -> bool:
        return self.predicate(
            where,
            predicate,
            criteria=None,
            syndromes=set(SYNDROME_IDS),
            mimics_allowed=True,
            link_allowed=True,
        )

    def _staging(self, where: str, staging: StagingSystem, evaluated: set[str]) -> None:
        self.references(where, staging.references)
        if len(staging.stages) != len(staging.markers) + 1:
            self.problem(where, "needs one stage label per number of markers met (markers + 1)")
        uses_unverified = False
        for marker in staging.markers:
            unverified = self.predicate(
                f"{where}.{marker.id}",
                marker.when,
                criteria=None,
                syndromes=set(evaluated),
                mimics_allowed=True,
                link_allowed=False,
            )
            self.sourced(f"{where}.{marker.id}", marker, unverified)
            uses_unverified |= unverified
        if uses_unverified and staging.verified:
            self.problem(where, "a marker is unverified, so the staging must be verified: false")

    def _coverage(self) -> None:
        kb = self.kb
        for kind, defined, contract in (
            ("syndrome", [str(s.id) for s in kb.syndromes], SYNDROME_IDS),
            ("mimic", [str(m.id) for m in kb.mimics], MIMIC_IDS),
        ):
            for ident in contract:
                count = defined.count(ident)
                if count != 1:
                    self.problem(
                        f"{kind}s", f"{ident!r} must be defined exactly once (found {count})"
                    )
            for ident in set(defined) - set(contract):
                self.problem(f"{kind}s", f"{ident!r} is not in the assessment contract")
        order = list(kb.meta.syndrome_order)
        if sorted(order) != sorted(SYNDROME_IDS):
            self.problem("meta.syndrome_order", "must list every syndrome id exactly once")


def _positive_nodes(predicate: Predicate) -> list[Predicate]:
    """The nodes that can make ``predicate`` true by being true (not under not/unknown)."""
    found: list[Predicate] = [predicate]
    for child in children(predicate, negated=False):
        found.extend(_positive_nodes(child))
    return found


def check_knowledge(
    kb: KnowledgeBase,
    known_paths: Iterable[str] | None = None,
    known_units: Mapping[str, str] | None = None,
) -> list[str]:
    """Every cross-reference problem in ``kb``; an empty list means it is consistent."""
    return _Checker(kb, known_paths, known_units).run()


def iter_leaves(predicate: Predicate) -> Iterator[Leaf]:
    for node in walk(predicate):
        if isinstance(node, Leaf):
            yield node
