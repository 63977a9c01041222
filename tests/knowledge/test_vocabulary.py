"""Rule values must fit the field they name; every rule file is mutated to prove it.

A typo in a rule value (``in: [IgGG]``, ``is: ture``) used to load silently and make a
rule that can never be true, or, for ``is: ture``, a negative finding. The loader now
refuses it (mgpn.knowledge.vocabulary), refuses values pydantic would coerce
(``present: yes``; mgpn.knowledge.coercion) and duplicate keys (the strict reader).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from mgpn.case import field_catalog
from mgpn.errors import InputError, KnowledgeError
from mgpn.knowledge import read_knowledge
from mgpn.knowledge.care_gaps import read_care_gaps
from mgpn.knowledge.loader import DEFAULT_DIRECTORY, case_fields, catalog_units
from mgpn.knowledge.order_cautions import read_order_cautions
from mgpn.knowledge.predicates import Leaf
from mgpn.strict_reader import read_file

FIELDS = {entry.path: entry for entry in field_catalog()}
# Operators whose value is compared with the field (others name thresholds or paths).
VALUE_OPERATORS = {"is", "in", "contains_any", "present"}
RULE_FILES = sorted(
    str(path.relative_to(DEFAULT_DIRECTORY))
    for path in DEFAULT_DIRECTORY.rglob("*.yaml")
    if path.name not in ("references.yaml", "thresholds.yaml", "scales.yaml")
)
# Mutations per file in CI; MGPN_KB_MUTATIONS=all runs every leaf value of every file.
PER_FILE = 10**6 if os.environ.get("MGPN_KB_MUTATIONS") == "all" else 4


def _load(directory: Path) -> None:
    kb = read_knowledge(
        directory, known_paths=set(case_fields() or {}), known_units=catalog_units()
    )
    # The screening and CDS Hooks rule files have their own readers, held to the same rules.
    read_care_gaps(directory / "care_gaps.yaml", kb)
    read_order_cautions((directory / "order_cautions.yaml").read_text(encoding="utf-8"), kb)


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    target = tmp_path / "kb"
    shutil.copytree(DEFAULT_DIRECTORY, target)
    return target


def _replace_leaf(kb_copy: Path, file: str, old: str, new: str) -> None:
    path = kb_copy / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {file}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "path: paraprotein.isotype, in: [IgM]",
            "path: paraprotein.isotype, in: [IgGG]",
            "'IgGG' is not a value of paraprotein.isotype",
        ),
        (
            "path: neuropathy.sensory_ataxia, is: true",
            "path: neuropathy.sensory_ataxia, is: ture",
            "'ture' is not a value of neuropathy.sensory_ataxia",
        ),
        (
            "path: neuropathy.sensory_ataxia, is: true",
            "path: neuropathy.sensory_ataxia, is: yes",
            "'yes' is not a value of neuropathy.sensory_ataxia",
        ),
        (
            "path: neuropathy.sensory_ataxia, is: true",
            "path: neuropathy.sensory_ataxia, is: 1",
            "1 was read as true",
        ),
        (
            "path: neuropathy.sensory_ataxia, is: true",
            "path: neuropathy.sensory_ataxia, present: yes",
            "'yes' was read as true",
        ),
        (
            "path: neuropathy.sensory_ataxia, is: true",
            "path: neuropathy.sensory_ataxia, is: positive",
            "'positive' is not a value of neuropathy.sensory_ataxia",
        ),
        (
            "path: paraprotein.isotype, in: [IgM]",
            "path: paraprotein.isotype, is: true",
            "True is not a value of paraprotein.isotype",
        ),
        (
            "path: paraprotein.isotype, in: [IgM]",
            "path: paraprotein.isotype, in: [IgM], in: [IgG]",
            "given twice",
        ),
    ],
    ids=[
        "enum typo",
        "boolean typo",
        "yaml 1.1 yes",
        "number for boolean",
        "present: yes",
        "result word for a boolean",
        "boolean for an enum",
        "duplicate key",
    ],
)
def test_rule_value_outside_its_field_is_refused(
    kb_copy: Path, old: str, new: str, message: str
) -> None:
    _replace_leaf(kb_copy, "syndromes/anti_mag.yaml", old, new)
    with pytest.raises(KnowledgeError, match=re.escape(message)):
        _load(kb_copy)


def test_bundled_rules_fit_their_fields(kb_copy: Path) -> None:
    _load(kb_copy)  # the vocabulary check runs in the loader and finds nothing


# --- mutating every rule file --------------------------------------------------------------


def _leaves(
    node: Any, trail: tuple[Any, ...] = ()
) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    if isinstance(node, dict):
        if "path" in node and any(key in node for key in VALUE_OPERATORS):
            yield trail, node
            return
        for key, item in node.items():
            yield from _leaves(item, (*trail, key))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _leaves(item, (*trail, index))


def _typo(word: str) -> str:
    return word + "zz"


def _mutations(leaf: dict[str, Any]) -> Iterator[tuple[str, Any, bool]]:
    """(operator, mutated value, whether the field still accepts it) for one leaf."""
    field = FIELDS[leaf["path"]]
    words = set(field.choices) | set(field.vocabulary)
    free_text = field.kind == "string"
    for operator in VALUE_OPERATORS & set(leaf):
        value = leaf[operator]
        if isinstance(value, bool):
            yield operator, "ture" if value else "flase", False
            yield operator, int(value), False
        elif isinstance(value, str):
            yield operator, _typo(value), free_text or _typo(value) in words
        elif isinstance(value, list) and value and isinstance(value[0], str):
            yield operator, [_typo(value[0]), *value[1:]], free_text or _typo(value[0]) in words


def _cases() -> Iterator[Any]:
    for file in RULE_FILES:
        raw = read_file(DEFAULT_DIRECTORY / file, error=InputError)
        found = [
            (trail, op, new, ok) for trail, leaf in _leaves(raw) for op, new, ok in _mutations(leaf)
        ]
        step = max(1, len(found) // PER_FILE)  # spread the sample over the whole file
        for trail, op, new, ok in found[::step][:PER_FILE]:
            yield pytest.param(
                file, trail, op, new, ok, id=f"{file}:{'.'.join(map(str, trail))}.{op}"
            )


def test_every_rule_file_is_mutated() -> None:
    mutated = {case.values[0] for case in _cases()}
    with_leaves = {
        f for f in RULE_FILES if any(_leaves(read_file(DEFAULT_DIRECTORY / f, error=InputError)))
    }
    assert mutated == with_leaves and len(with_leaves) >= 10


@pytest.mark.parametrize(("file", "trail", "operator", "value", "still_valid"), list(_cases()))
def test_mutated_rule_value_is_refused(
    kb_copy: Path, file: str, trail: tuple[Any, ...], operator: str, value: Any, still_valid: bool
) -> None:
    path = kb_copy / file
    data = read_file(path, error=InputError)
    node = data
    for part in trail:
        node = node[part]
    assert set(VALUE_OPERATORS) <= {info.alias or name for name, info in Leaf.model_fields.items()}
    node[operator] = value
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    if still_valid:
        _load(kb_copy)
        return
    with pytest.raises(KnowledgeError) as caught:
        _load(kb_copy)
    culprit = value[0] if isinstance(value, list) else value
    assert str(culprit) in str(caught.value)  # the message names the bad value
