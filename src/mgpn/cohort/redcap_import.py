"""Turn a REDCap records export (CSV, raw values) into ``mgpn-case/1`` case files.

The data dictionary says which case field each REDCap variable holds (its
``mgpn-path=`` annotation); the case model's field catalogue says how to read the
value. Blank cells are unknown and are left out of the case. Every case is checked
with :func:`mgpn.case.parse_case` before anything is written, and all problems of
all records are reported together; nothing is written unless every record is valid.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import yaml

from mgpn.case import CASE_FORMAT, FieldDescriptor, dump_case, field_catalog, parse_case
from mgpn.cohort.redcap_cohort import COHORT_ANNOTATION_PREFIX, cases_to_cohort
from mgpn.cohort.redcap_dictionary import (
    ANNOTATION_PREFIX,
    COLUMNS,
    OTHER_SUFFIX,
    RECORD_ID,
    RESULT_SUFFIX,
)
from mgpn.errors import CaseError, InputError, Issue
from mgpn.strict_reader import decimal_number

__all__ = ["Variable", "import_records", "read_dictionary", "records_to_cases"]

REPEAT_INSTRUMENT: Final = "redcap_repeat_instrument"
REPEAT_INSTANCE: Final = "redcap_repeat_instance"
_REDCAP_OWN = re.compile(r"^(redcap_.*|.*_complete)$")
_CHECKBOX = re.compile(r"^(?P<variable>.+)___(?P<code>[A-Za-z0-9_]+)$")
_LIST_SECTIONS: Final = ("visits", "treatments")
_YES: Final = {"1": True, "0": False}


@dataclass(frozen=True)
class Variable:
    """A REDCap variable and the case field it holds."""

    name: str
    path: str
    kind: str
    choices: dict[str, str]


def _read_csv(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            return list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(
            str(path), [Issue("<file>", f"cannot read the CSV: {exc}", fix="check the path")]
        ) from exc


def _choices(text: str) -> dict[str, str]:
    pairs = (item.split(",", 1) for item in text.split("|") if item.strip())
    return {code.strip(): label.strip() for code, label in pairs}


def read_dictionary(path: str | Path) -> dict[str, Variable]:
    """Variables of a dictionary written by ``mgpn redcap dictionary``, by name."""
    path = Path(path)
    rows = _read_csv(path)
    if not rows or list(rows[0])[: len(COLUMNS)] != list(COLUMNS):
        raise InputError(
            str(path),
            [
                Issue(
                    "<file>",
                    "not a REDCap data dictionary with the 18 standard columns",
                    expected=", ".join(COLUMNS[:3]) + ", ...",
                    fix="give the dictionary made by 'mgpn redcap dictionary'",
                )
            ],
        )
    catalog: dict[str, FieldDescriptor] = {d.path: d for d in field_catalog()}
    variables: dict[str, Variable] = {}
    issues: list[Issue] = []
    for row in rows:
        name = row[COLUMNS[0]]
        annotation = row[COLUMNS[17]]
        study = re.search(re.escape(COHORT_ANNOTATION_PREFIX) + r"(\S+)", annotation)
        if study is not None:
            variables[name] = Variable(name, study.group(1), "cohort", _choices(row[COLUMNS[5]]))
            continue
        match = re.search(re.escape(ANNOTATION_PREFIX) + r"(\S+)", annotation)
        if match is None:
            continue  # a variable the registry added for itself: not part of the case
        field_path = match.group(1)
        descriptor = catalog.get(field_path)
        if descriptor is None:
            issues.append(
                Issue(
                    name,
                    f"annotation names an unknown case field '{field_path}'",
                    fix="regenerate the dictionary with this version of mgpn",
                )
            )
            continue
        kind = descriptor.kind
        if kind == "quantity_or_result":
            kind = "result" if name.endswith(RESULT_SUFFIX) else "quantity"
        elif kind == "list" and name.endswith(OTHER_SUFFIX):
            kind = "list_other"
        variables[name] = Variable(name, field_path, kind, _choices(row[COLUMNS[5]]))
    if issues:
        raise InputError(str(path), issues)
    return variables


def _value(variable: Variable, text: str) -> Any:
    """The case value for one non-blank cell (left as text when it does not parse,
    so the case validator reports it with the field's path)."""
    if variable.kind == "boolean":
        return _YES.get(text, text)
    # The strict reader's number rules: float() would also take 1_000, nan or inf.
    if variable.kind in ("number", "quantity"):
        number = decimal_number(text)
        return text if number is None else float(number)
    if variable.kind == "integer":
        number = decimal_number(text)
        return number if isinstance(number, int) else text
    if variable.kind in ("enum", "result"):
        return variable.choices.get(text, text)
    return text


def _assign(target: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, leaf = dotted.split(".")
    for part in parents:
        target = target.setdefault(part, {})
    target[leaf] = value


def _fill(target: dict[str, Any], row: dict[str, str], variables: dict[str, Variable]) -> None:
    """Copy the non-blank cells of one export row into a (sub-)case mapping."""
    lists: dict[str, list[str]] = {}
    for column, raw in row.items():
        text = (raw or "").strip()
        checkbox = _CHECKBOX.match(column)
        if checkbox and checkbox.group("variable") in variables:
            variable = variables[checkbox.group("variable")]
            if text == "1":
                label = variable.choices.get(checkbox.group("code"), checkbox.group("code"))
                lists.setdefault(variable.path, []).append(label)
            continue
        found = variables.get(column)
        if found is None or not text or column == RECORD_ID or found.kind == "cohort":
            continue  # cohort-study answers are not case fields: see study_answers()
        variable = found
        if variable.kind == "list_other":
            lists.setdefault(variable.path, []).extend(
                name.strip() for name in text.split(",") if name.strip()
            )
        elif variable.kind == "result" and variable.path in _flat_keys(target):
            continue  # a titre was given; the result is only used without one
        else:
            _assign(target, _relative(variable.path), _value(variable, text))
    for field_path, names in lists.items():
        _assign(target, _relative(field_path), names)


def _relative(field_path: str) -> str:
    """``visits[].date`` -> ``date``; other paths unchanged."""
    return field_path.split("[].", 1)[1] if "[]." in field_path else field_path


def _flat_keys(target: dict[str, Any], prefix: str = "") -> set[str]:
    keys: set[str] = set()
    for key, value in target.items():
        keys.add(prefix + key)
        if isinstance(value, dict):
            keys |= _flat_keys(value, prefix + key + ".")
    return keys


def _unknown_columns(header: Iterable[str], variables: dict[str, Variable]) -> list[str]:
    unknown = []
    for column in header:
        checkbox = _CHECKBOX.match(column)
        base = checkbox.group("variable") if checkbox else column
        if base in variables or column == RECORD_ID or _REDCAP_OWN.match(column):
            continue
        unknown.append(column)
    return unknown


def records_to_cases(
    records: list[dict[str, str]], variables: dict[str, Variable], source: str
) -> dict[str, dict[str, Any]]:
    """Case mappings (normalised by the case model) by record id; raises CaseError."""
    issues: list[Issue] = []
    if records and RECORD_ID not in records[0]:
        raise InputError(source, [Issue(RECORD_ID, "column missing", fix="export record_id")])
    unknown = _unknown_columns(records[0] if records else [], variables)
    if unknown:
        raise InputError(
            source,
            [
                Issue(
                    column,
                    "column is not in the data dictionary",
                    fix="export raw data with the dictionary made by 'mgpn redcap dictionary'",
                )
                for column in unknown
            ],
        )
    cases: dict[str, dict[str, Any]] = {}
    for number, row in enumerate(records, start=1):
        record = (row.get(RECORD_ID) or "").strip()
        if not record:
            issues.append(Issue(f"row {number}", "blank record_id", fix="give each row its record"))
            continue
        case = cases.setdefault(record, {"format": CASE_FORMAT, "id": record})
        instrument = (row.get(REPEAT_INSTRUMENT) or "").strip()
        if not instrument:
            _fill(case, row, variables)
        elif instrument in _LIST_SECTIONS:
            item: dict[str, Any] = {}
            _fill(item, row, variables)
            instance = (row.get(REPEAT_INSTANCE) or "").strip()
            case.setdefault(instrument, []).append((int(instance or 0), item))
        else:
            issues.append(
                Issue(
                    f"row {number}",
                    f"unknown repeating instrument '{instrument}'",
                    expected=" or ".join(_LIST_SECTIONS),
                )
            )
    normalised: dict[str, dict[str, Any]] = {}
    for record, case in cases.items():
        for section in _LIST_SECTIONS:
            if section in case:
                case[section] = [item for _, item in sorted(case[section], key=lambda p: p[0])]
        try:
            normalised[record] = dump_case(parse_case(case, source=f"{source} record {record}"))
        except CaseError as exc:
            issues.extend(
                Issue(f"record {record}: {i.path}", i.message, i.expected, i.found, i.fix)
                for i in exc.issues
            )
    if issues:
        raise CaseError(source, issues)
    return normalised


def _file_name(record: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", record) + ".yaml"


def study_answers(
    records: list[dict[str, str]], variables: dict[str, Variable]
) -> dict[str, dict[str, str]]:
    """Cohort-study answers (column -> raw value) by record, from the non-repeating rows."""
    study = [v for v in variables.values() if v.kind == "cohort"]
    answers: dict[str, dict[str, str]] = {}
    for row in records:
        if (row.get(REPEAT_INSTRUMENT) or "").strip():
            continue
        record = (row.get(RECORD_ID) or "").strip()
        for variable in study:
            text = (row.get(variable.name) or "").strip()
            if text:
                answers.setdefault(record, {})[variable.path] = text
    return answers


def import_records(
    records_path: str | Path,
    dictionary_path: str | Path,
    out_dir: str | Path | None = None,
    cohort_path: str | Path | None = None,
) -> tuple[list[Path], list[str]]:
    """Write one YAML case per record into ``out_dir`` and/or a cohort table to
    ``cohort_path`` (.csv or .parquet); returns the files written and notes."""
    variables = read_dictionary(dictionary_path)
    records_path = Path(records_path)
    records = _read_csv(records_path)
    cases = records_to_cases(records, variables, str(records_path))
    written: list[Path] = []
    notes: list[str] = []
    if cohort_path is not None:
        if not any(v.kind == "cohort" and v.path == "group" for v in variables.values()):
            raise InputError(
                str(dictionary_path),
                [
                    Issue(
                        "cohort_group",
                        "the dictionary has no cohort-study form, so the study group is unknown",
                        fix="make the project with 'mgpn redcap dictionary --cohort-study'",
                    )
                ],
            )
        cohort, notes = cases_to_cohort(cases, study_answers(records, variables), str(records_path))
        target = Path(cohort_path)
        if target.suffix.lower() == ".parquet":
            cohort.frame.write_parquet(target)
        else:
            cohort.frame.write_csv(target)
        written.append(target)
    if out_dir is not None:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        for record, case in cases.items():
            target = out / _file_name(record)
            target.write_text(yaml.safe_dump(case, sort_keys=False, allow_unicode=True), "utf-8")
            written.append(target)
    return written, notes
