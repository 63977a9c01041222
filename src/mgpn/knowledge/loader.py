"""Read the knowledge base from YAML, validate it, and refuse it whole if anything is wrong.

Layout of a knowledge directory::

    meta.yaml          version, review date, disclaimer, scope rules, syndrome order
    references.yaml    id -> citation, url, confidence tag
    thresholds.yaml    name -> value, unit, references, verified
    mimics.yaml        mimics: [...]
    syndromes/*.yaml   one syndrome per file
    link.yaml          the paraprotein-neuropathy link
    tests.yaml         tests: [...]
    treatment.yaml     indication rules, options, warnings
    biomarkers.yaml    biomarkers: [...], uninterpreted: [...]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from mgpn.errors import InputError, KnowledgeError
from mgpn.knowledge.coercion import coerced_values
from mgpn.knowledge.schema import (
    BiomarkerKnowledge,
    KnowledgeBase,
    LinkKnowledge,
    Meta,
    MimicKnowledge,
    Reference,
    SyndromeKnowledge,
    TestRule,
    Threshold,
    TreatmentKnowledge,
    UninterpretedField,
)
from mgpn.strict_reader import read_file

DEFAULT_DIRECTORY = Path(__file__).resolve().parent / "data"
ModelT = TypeVar("ModelT", bound=BaseModel)


def _read_yaml(path: Path) -> Any:
    # The same strict reader as case files (YAML 1.2 core schema, duplicate keys,
    # aliases and non-core tags refused): a typo must stop the program, not a rule.
    if not path.is_file():
        raise KnowledgeError(f"{path}: missing knowledge file")
    try:
        return read_file(path, error=InputError)
    except InputError as exc:
        raise KnowledgeError(str(exc)) from None


def _validate(adapter: TypeAdapter[Any], raw: Any, where: str) -> Any:
    try:
        validated = adapter.validate_python(raw)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            location = ".".join(str(part) for part in error["loc"])
            found = error.get("input")
            shown = "" if isinstance(found, dict | list) else f" (found {found!r:.60})"
            lines.append(f"  - {where}: {location or '<top>'}: {error['msg']}{shown}")
        raise KnowledgeError(
            f"{where}: the knowledge base breaks its schema; fix these keys:\n" + "\n".join(lines)
        ) from exc
    converted = coerced_values(adapter, raw, validated)  # `present: yes` is not `true`
    if converted:
        listing = "\n".join(f"  - {where}: {problem}" for problem in converted)
        raise KnowledgeError(f"{where}: values of the wrong type:\n{listing}")
    return validated


def read_rule_document(raw: Any, model: type[ModelT], where: str) -> ModelT:
    """A knowledge file outside the base (care gaps, order cautions), held to its rules.

    ``raw`` comes from the strict reader (:func:`read_rule_text`); the schema, the check
    against coerced values (``is: 1``) and the vocabulary check (``in: [IgGG]``) are the
    ones every file of the base passes.
    """
    from mgpn.knowledge.vocabulary import vocabulary_problems

    validated: ModelT = _validate(TypeAdapter(model), raw, where)
    problems = vocabulary_problems(validated)
    if problems:
        listing = "\n".join(f"  - {where}: {problem}" for problem in problems)
        raise KnowledgeError(f"{where}: rule values their fields cannot hold:\n{listing}")
    return validated


def read_rule_text(text: str, where: str) -> Any:
    """The strict reader over a knowledge file's text (duplicate keys, YAML 1.1 refused)."""
    from mgpn.strict_reader import read_yaml

    try:
        return read_yaml(text, where, error=InputError)
    except InputError as exc:
        raise KnowledgeError(str(exc)) from None


def _section(raw: Any, key: str, where: str) -> Any:
    if not isinstance(raw, dict) or key not in raw:
        raise KnowledgeError(f"{where}: expected a mapping with the key {key!r}")
    extra = set(raw) - {key}
    if extra:
        raise KnowledgeError(f"{where}: unknown top-level key(s) {sorted(extra)}; only {key!r}")
    return raw[key]


def read_knowledge(
    directory: Path,
    known_paths: Iterable[str] | None = None,
    known_units: Mapping[str, str] | None = None,
) -> KnowledgeBase:
    """Load and check the knowledge in ``directory`` (no caching)."""
    directory = Path(directory)
    meta = _validate(TypeAdapter(Meta), _read_yaml(directory / "meta.yaml"), "meta.yaml")
    references = _validate(
        TypeAdapter(dict[str, Reference]),
        _read_yaml(directory / "references.yaml"),
        "references.yaml",
    )
    thresholds = _validate(
        TypeAdapter(dict[str, Threshold]),
        _read_yaml(directory / "thresholds.yaml"),
        "thresholds.yaml",
    )
    mimics = _validate(
        TypeAdapter(list[MimicKnowledge]),
        _section(_read_yaml(directory / "mimics.yaml"), "mimics", "mimics.yaml"),
        "mimics.yaml",
    )
    syndrome_files = sorted((directory / "syndromes").glob("*.yaml"))
    if not syndrome_files:
        raise KnowledgeError(f"{directory / 'syndromes'}: no syndrome files")
    syndromes = [
        _validate(TypeAdapter(SyndromeKnowledge), _read_yaml(path), f"syndromes/{path.name}")
        for path in syndrome_files
    ]
    link = _validate(TypeAdapter(LinkKnowledge), _read_yaml(directory / "link.yaml"), "link.yaml")
    tests = _validate(
        TypeAdapter(list[TestRule]),
        _section(_read_yaml(directory / "tests.yaml"), "tests", "tests.yaml"),
        "tests.yaml",
    )
    treatment = _validate(
        TypeAdapter(TreatmentKnowledge), _read_yaml(directory / "treatment.yaml"), "treatment.yaml"
    )
    extras = _read_yaml(directory / "biomarkers.yaml")
    if not isinstance(extras, dict) or set(extras) - {"biomarkers", "uninterpreted"}:
        raise KnowledgeError(
            "biomarkers.yaml: expected only the keys 'biomarkers', 'uninterpreted'"
        )
    biomarkers = _validate(
        TypeAdapter(list[BiomarkerKnowledge]), extras.get("biomarkers", []), "biomarkers.yaml"
    )
    uninterpreted = _validate(
        TypeAdapter(list[UninterpretedField]), extras.get("uninterpreted", []), "biomarkers.yaml"
    )
    kb = KnowledgeBase(
        meta=meta,
        references=references,
        thresholds=thresholds,
        mimics=mimics,
        syndromes=syndromes,
        link=link,
        tests=tests,
        treatment=treatment,
        biomarkers=biomarkers,
        uninterpreted=uninterpreted,
    )
    # Imported here: a process that takes the knowledge base from the cache never checks it.
    from mgpn.knowledge.checks import check_knowledge

    problems = check_knowledge(kb, known_paths=known_paths, known_units=known_units)
    if problems:
        listing = "\n".join(f"  - {problem}" for problem in problems)
        raise KnowledgeError(
            f"{directory}: the knowledge base is inconsistent ({len(problems)} problem(s)):\n"
            f"{listing}"
        )
    return kb


def _read_checked(directory: Path) -> KnowledgeBase:
    catalog = case_fields()
    if catalog is None:
        return read_knowledge(directory)
    return read_knowledge(directory, known_paths=set(catalog), known_units=catalog_units())


@lru_cache(maxsize=8)
def _cached(directory: str) -> KnowledgeBase:
    # Once per process (lru_cache), and between processes through a cache keyed by the
    # files and mgpn's code (mgpn.knowledge.disk_cache): start-up need not re-read it.
    from mgpn.knowledge.disk_cache import cached_or_read

    return cached_or_read(Path(directory), _read_checked)


def load_knowledge(path: str | Path | None = None) -> KnowledgeBase:
    """The knowledge base at ``path`` (default: the bundled one), loaded once and cached.

    Raises :class:`mgpn.errors.KnowledgeError` listing every problem found.
    """
    if path is None:  # the common call (every evaluation): no path to resolve each time
        return _default()
    return _cached(str(Path(path).resolve()))


@lru_cache(maxsize=1)
def _default() -> KnowledgeBase:
    return _cached(str(DEFAULT_DIRECTORY.resolve()))


def case_fields() -> dict[str, str | None] | None:
    """Every case field's dotted path -> canonical unit, from the case model.

    None when the case model cannot be imported (then paths are not checked).
    """
    try:
        from mgpn.case import field_catalog
    except ImportError:  # pragma: no cover - the case model ships with the package
        return None
    return {entry.path: entry.unit for entry in field_catalog()}


def catalog_units() -> dict[str, str]:
    fields = case_fields() or {}
    return {path: unit for path, unit in fields.items() if unit}


def disclaimer() -> str:
    """The disclaimer every output carries."""
    return load_knowledge().meta.disclaimer


def dump_model(model: BaseModel) -> dict[str, Any]:
    """A knowledge item as plain data (for ``mgpn kb show``)."""
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)
