"""Reading and writing case files: YAML or JSON in, a validated :class:`Case` out.

Every problem in a file is reported, each naming the field's full path, what was
expected, what was found and the fix; nothing is evaluated from a file that has any.
"""

from __future__ import annotations

import datetime as dt
import difflib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from mgpn.case.catalog import model_of
from mgpn.case.model import CASE_FORMAT, Case
from mgpn.errors import CaseError, Issue
from mgpn.strict_reader import YAML11_BOOLEANS, check_tree, read_file
from mgpn.strict_reader import read_document as read_document


def load_case(path: str | Path) -> Case:
    """Load and validate a case file (``.yaml``, ``.yml`` or ``.json``).

    The file is read by :mod:`mgpn.strict_reader` (YAML 1.2 core schema, duplicate
    keys, aliases and non-core tags refused; strict JSON), so nothing in it can be
    read two ways.
    """
    data = read_file(path)
    return _validate(data, str(path))


def parse_case(data: Any, source: str = "<input>") -> Case:
    """Validate a mapping (parsed YAML/JSON) as a case; raise :class:`CaseError` with every issue.

    ``data`` parsed elsewhere (an API body, a form, a Python caller) is first held to
    the strict reader's value rules: text keys, finite numbers, no lone surrogates,
    bounded nesting.
    """
    check_tree(data, source)
    return _validate(data, source)


def _validate(data: Any, source: str) -> Case:
    if not isinstance(data, dict):
        found = "an empty document" if data is None else type(data).__name__
        raise CaseError(
            source,
            [
                Issue(
                    "",
                    "a case must be a mapping of sections",
                    expected="a mapping (key: value)",
                    found=found,
                    fix=f"start the file with 'format: {CASE_FORMAT}'",
                )
            ],
        )
    issues: list[Issue] = []
    case: Case | None = None
    try:
        case = Case.model_validate(data)
    except ValidationError as exc:
        issues.extend(_issue_from_error(error) for error in exc.errors(include_url=False))
    issues.extend(_order_issues(data))
    if issues:
        raise CaseError(source, _unique(issues))
    assert case is not None
    return case


def dump_case(case: Case) -> dict[str, Any]:
    """The normalised case: canonical units, censoring kept, unknown (absent) keys left out."""
    data = case.model_dump(mode="json", exclude_none=True)
    pruned = _prune(data)
    assert isinstance(pruned, dict)
    return {
        key: item
        for key, item in pruned.items()
        if not (key in ("visits", "treatments") and item == [])
    }


def _prune(value: Any) -> Any:
    # Empty mappings are all-unknown sections and are left out; an empty list is kept,
    # because `autonomic: []` says "assessed, none" (only the default-empty `visits`
    # and `treatments` lists are dropped, at the top level).
    if isinstance(value, dict):
        kept = {key: _prune(item) for key, item in value.items()}
        return {key: item for key, item in kept.items() if item != {}}
    if isinstance(value, list):
        return [_prune(item) for item in value]
    return value


def _unique(issues: list[Issue]) -> list[Issue]:
    seen: set[tuple[str, str]] = set()
    out: list[Issue] = []
    for issue in issues:
        key = (issue.path, issue.message)
        if key not in seen:
            seen.add(key)
            out.append(issue)
    return out


def _path(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _found(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _known_keys(parent: tuple[int | str, ...]) -> list[str]:
    model: type[BaseModel] | None = Case
    for part in parent:
        if isinstance(part, int) or model is None:
            continue
        info = model.model_fields.get(part)
        model = model_of(info.annotation) if info is not None else None
    return list(model.model_fields) if model is not None else []


def _suggest(word: str, options: list[str]) -> str | None:
    lowered = {option.lower(): option for option in options}
    if word.lower() in lowered:
        return lowered[word.lower()]
    close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[close[0]] if close else None


_TYPE_WORDS = {
    "bool_type": "true or false",
    "int_type": "a whole number",
    "float_type": "a number",
    "string_type": "text",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}


def _issue_from_error(error: Any) -> Issue:
    loc = tuple(error["loc"])
    path = _path(loc)
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if kind == "extra_forbidden":
        key = str(loc[-1])
        known = [k for k in _known_keys(loc[:-1]) if k != "extensions"]
        suggestion = _suggest(key, known)
        fix = f"did you mean '{suggestion}'?" if suggestion else "remove it or spell a known key."
        return Issue(
            path,
            f"unknown key '{key}'",
            expected="one of " + ", ".join(known) if known else None,
            found=f"'{key}'",
            fix=fix + " Free additions belong under 'extensions:'",
        )
    if kind == "missing":
        if path == "format":
            return Issue(
                path,
                "the required key 'format' is missing",
                expected=f"'{CASE_FORMAT}'",
                fix=f"add 'format: {CASE_FORMAT}' at the top",
            )
        return Issue(path, "a required key is missing", fix=f"add '{loc[-1]}'")
    if kind == "literal_error":
        allowed = [
            part.strip().strip("'")
            for part in str(ctx.get("expected", "")).replace(" or ", ", ").split(",")
        ]
        suggestion = _suggest(str(value), allowed) if isinstance(value, str) else None
        fix = f"did you mean '{suggestion}'?" if suggestion else "use one of the listed values"
        return Issue(
            path,
            f"{_found(value)} is not an allowed value",
            expected="one of " + ", ".join(allowed),
            found=_found(value),
            fix=fix,
        )
    if kind.startswith("mgpn_"):
        return Issue(
            path,
            str(error["msg"]),
            expected=ctx.get("expected"),
            found=ctx.get("found"),
            fix=ctx.get("fix"),
        )
    if kind in ("less_than_equal", "greater_than_equal", "less_than", "greater_than"):
        limit = next(iter(ctx.values()), "")
        words = {
            "less_than_equal": "at most",
            "greater_than_equal": "at least",
            "less_than": "below",
            "greater_than": "above",
        }
        return Issue(
            path,
            "value outside the allowed range",
            expected=f"{words[kind]} {limit}",
            found=_found(value),
            fix="check the number against the scale's range",
        )
    if kind == "bool_type" and isinstance(value, str) and value.strip() in YAML11_BOOLEANS:
        return Issue(
            path,
            f"{value!r} is text, not true or false",
            expected="true or false",
            found=_found(value),
            fix="write true or false (YAML 1.2 reads yes/no/on/off as words)",
        )
    if kind in _TYPE_WORDS:
        return Issue(
            path,
            f"expected {_TYPE_WORDS[kind]}",
            expected=_TYPE_WORDS[kind],
            found=_found(value),
            fix=f"give {_TYPE_WORDS[kind]} here",
        )
    return Issue(path, str(error["msg"]), found=_found(value))


def _as_date(raw: Any) -> dt.date | None:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str):
        try:
            return dt.date.fromisoformat(raw.strip())
        except ValueError:
            return None
    return None


def _order_issues(data: dict[str, Any]) -> list[Issue]:
    """Visits in strictly increasing date order; treatments oldest first, none ending before it starts."""
    issues: list[Issue] = []
    visits = data.get("visits")
    if isinstance(visits, list):
        previous: tuple[int, dt.date] | None = None
        for index, visit in enumerate(visits):
            when = _as_date(visit.get("date")) if isinstance(visit, dict) else None
            if when is None:
                continue
            if previous is not None and when == previous[1]:
                issues.append(
                    Issue(
                        f"visits[{index}].date",
                        f"duplicated visit date {when}, the same as visits[{previous[0]}]",
                        expected="one visit per date",
                        found=str(when),
                        fix="merge the two visits into one",
                    )
                )
            elif previous is not None and when < previous[1]:
                issues.append(
                    Issue(
                        f"visits[{index}].date",
                        f"visits are out of date order: {when} comes after visits[{previous[0]}] ({previous[1]})",
                        expected="visits listed oldest first",
                        found=str(when),
                        fix="sort the visits by date, oldest first",
                    )
                )
            if previous is None or when > previous[1]:
                previous = (index, when)
    treatments = data.get("treatments")
    if isinstance(treatments, list):
        last_start: tuple[int, dt.date] | None = None
        for index, item in enumerate(treatments):
            if not isinstance(item, dict):
                continue
            start, end = _as_date(item.get("start")), _as_date(item.get("end"))
            if start and end and end < start:
                issues.append(
                    Issue(
                        f"treatments[{index}].end",
                        f"the treatment ends ({end}) before it starts ({start})",
                        expected="end on or after start",
                        found=str(end),
                        fix="check the two dates",
                    )
                )
            if start and last_start and start < last_start[1]:
                issues.append(
                    Issue(
                        f"treatments[{index}].start",
                        f"treatments are out of order: {start} is before treatments[{last_start[0]}] ({last_start[1]})",
                        expected="treatments listed oldest first",
                        found=str(start),
                        fix="sort the treatments by start date",
                    )
                )
            if start and (last_start is None or start >= last_start[1]):
                last_start = (index, start)
    return issues
