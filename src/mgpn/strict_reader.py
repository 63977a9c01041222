"""The one strict reader for every way a case (or the knowledge base) comes in.

A decision tool that misreads one value gives a confident wrong answer, so text is
read by one set of rules wherever it enters (case files, the API, web uploads,
REDCap, FHIR, the knowledge base), and everything that could be read two ways is
refused with the field's path and the fix instead of being guessed.

API (stable; other modules and branches build on it)::

    read_yaml(text, source, *, error=CaseError, limits=LIMITS) -> Any
    read_json(text, source, *, error=CaseError, limits=LIMITS) -> Any
    read_document(text, source, *, json_only=False, error=CaseError, limits=LIMITS) -> Any
    read_file(path, *, error=CaseError, limits=LIMITS) -> Any     # .json as JSON, else YAML
    check_tree(data, source, *, error=CaseError, limits=LIMITS) -> None
    decimal_number(text) -> int | float | None    # a form or CSV cell, same number rules
    Limits(max_bytes=4 MiB, max_depth=64)      LIBYAML: bool (whether libyaml is used)

``text`` may be ``str`` or UTF-8 ``bytes``. Every problem is raised as ``error(source,
issues)`` (a subclass of :class:`mgpn.errors.InputError`, default
:class:`mgpn.errors.CaseError`) whose issues name the dotted field path
(``visits[0].date``), what was found, and the fix. ``check_tree`` applies the same
value rules to data that was parsed elsewhere (a FastAPI body, a form, Python callers).

YAML is read by the YAML 1.2 core schema, with these deliberate choices:

* ``true``/``false`` (also ``True``, ``TRUE`` ...) are booleans; ``yes``, ``no``,
  ``on``, ``off``, ``y``, ``n`` are text (YAML 1.1 read them as booleans), so a
  boolean field refuses them instead of taking a guess.
* Decimal numbers are numbers (``12``, ``-3``, ``0.5``, ``1e3``). Numbers the two YAML
  versions read differently stay text, so a number field refuses them: a leading
  zero (``010``: 8 in YAML 1.1, 10 in 1.2, and an identifier ``007`` keeps its
  zeros), hexadecimal and octal (``0x1F``, ``0o17``), sexagesimal (``1:30``) and
  digit groups (``1_000``).
* ``.inf``, ``.nan`` and numbers beyond a float's range are refused: no clinical
  value is infinite.
* Dates and times stay text (YAML 1.2 has no timestamps); the case model reads
  them as ISO 8601 and names the field when one is not a real date (``2024-13-40``).
* Tags: only the core ones (``!!str``, ``!!int``, ``!!float``, ``!!bool``,
  ``!!null``, ``!!seq``, ``!!map``), and their content must fit them (``!!int abc``
  is refused); ``!!timestamp``, ``!!binary``, ``!!set``, ``!!python/...`` and local
  tags are refused.
* Aliases (``*name``) are refused, which rules out alias bombs; an anchor alone is
  harmless and allowed. Merge keys (``<<``) are plain keys, so a case refuses them.
* Keys must be text (quote ``"2024":``); a key given twice is refused.
* One document per file; a ``%YAML`` directive other than 1.2 is refused.

JSON follows RFC 8259 strictly: duplicate keys, ``NaN``, ``Infinity`` and numbers
beyond a float's range are refused. It is read by orjson when a few C-speed checks show
that orjson's reading is the exact one, and otherwise by the standard library's parser
and a walk of every value (which also words every refusal); both give the same result.

Both refuse lone UTF-16 surrogates (which cannot be written out again as UTF-8),
nesting deeper than ``Limits.max_depth`` and input larger than ``Limits.max_bytes``.
YAML parsing uses libyaml when PyYAML was built with it (about ten times faster than
the pure-Python parser) and falls back to the pure-Python parser with the same rules.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import yaml
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.scanner import Scanner

from mgpn.errors import CaseError, InputError, Issue

try:  # libyaml, when PyYAML was built with it
    from yaml._yaml import CParser as _CParser

    LIBYAML = True
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    LIBYAML = False

__all__ = [
    "LIBYAML",
    "LIMITS",
    "Limits",
    "check_tree",
    "decimal_number",
    "read_document",
    "read_file",
    "read_json",
    "read_yaml",
]


@dataclass(frozen=True)
class Limits:
    """Bounds on what one document may be; both are far above any real case or rule file."""

    max_bytes: int = 4 * 1024 * 1024
    """Largest input, in bytes of UTF-8 (characters when given a ``str``)."""
    max_depth: int = 64
    """Deepest nesting of mappings and lists (a case needs 4; the knowledge base about 12)."""


LIMITS = Limits()

_ErrorType = type[InputError]

# Integers beyond this cannot become a float (every measured value is a float).
_FLOAT_MAX = sys.float_info.max
_MAX_INT_DIGITS = 400  # longer digit strings are refused before int() is asked to read them
_SURROGATE = re.compile("[\ud800-\udfff]")
# Control characters (tab, newline and carriage return aside) and lone surrogates: never
# part of a clinical value, and a NUL cannot even be stored by PostgreSQL.
_BAD_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")

# YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution), minus the
# forms marked in the module docstring.
_CORE = "tag:yaml.org,2002:"
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")
_LEADING_ZERO = re.compile(r"[-+]?0[0-9]+\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_NOT_FINITE = re.compile(r"[-+]?\.(?:inf|Inf|INF)\Z|\.(?:nan|NaN|NAN)\Z")
_NUMBER_START = frozenset("0123456789+-.")
_MAYBE_SPECIAL = frozenset("0123456789+-.~nNtTfF")  # first letters of non-text plain scalars
# YAML 1.1 words that some readers take as booleans: named in the fix when a field refuses them.
YAML11_BOOLEANS = frozenset(
    w for base in ("yes", "no", "on", "off", "y", "n") for w in (base, base.title(), base.upper())
)


class _Refusal(Exception):
    """One problem found while reading; turned into an :class:`Issue` with its path."""

    def __init__(
        self, message: str, *, found: str | None = None, fix: str, expected: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.found = found
        self.fix = fix
        self.expected = expected


def _path_text(parts: list[str | int]) -> str:
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def _shown(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# -- text ---------------------------------------------------------------------


def _as_text(data: str | bytes, source: str, error: _ErrorType, limits: Limits) -> str:
    if len(data) > limits.max_bytes:
        raise error(
            source,
            [
                Issue(
                    "",
                    f"the input is {len(data):,} bytes, more than the limit of {limits.max_bytes:,}",
                    fix="split it, or leave out what the case does not need",
                )
            ],
        )
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise error(
                source,
                [
                    Issue(
                        "",
                        f"not UTF-8 text (byte {exc.start} cannot be read)",
                        fix="save the file as UTF-8",
                    )
                ],
            ) from None
    else:
        text = data
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.isascii():
        match = _SURROGATE.search(text)
        if match is not None:
            line = text.count("\n", 0, match.start()) + 1
            raise error(
                source,
                [
                    Issue(
                        "",
                        f"a lone UTF-16 surrogate ({ord(match.group()):#06x}) at line {line}",
                        fix="remove the broken character (the text was damaged in a copy)",
                    )
                ],
            )
    return text


# -- YAML ---------------------------------------------------------------------


class _PyParser(Reader, Scanner, Parser):
    """The pure-Python event parser (used when libyaml is absent)."""

    def __init__(self, text: str) -> None:
        Reader.__init__(self, text)
        Scanner.__init__(self)
        Parser.__init__(self)


def _events(text: str, use_libyaml: bool) -> Iterator[Event]:
    parser: Any = _CParser(text) if use_libyaml else _PyParser(text)
    try:
        while True:
            event = parser.get_event()
            yield event
            if isinstance(event, StreamEndEvent):
                return
    finally:
        parser.dispose()


def _too_deep(limits: Limits) -> _Refusal:
    return _Refusal(
        f"nested deeper than {limits.max_depth} levels",
        fix="flatten the structure (a case needs only a few levels)",
    )


def _depth_path(path: list[str | int]) -> list[str | int]:
    """The field that holds a too-deep structure: the path up to its last key (at most 8 parts)."""
    keys = [index for index, part in enumerate(path[:8]) if isinstance(part, str)]
    return path[: keys[-1] + 1] if keys else []


def _tag_name(tag: str) -> str:
    return "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag


def _number(text: str) -> int | float:
    if _INT.match(text):
        if len(text) > _MAX_INT_DIGITS:
            raise _refuse_large(text)
        value: int | float = int(text)
        if abs(value) > _FLOAT_MAX:
            raise _refuse_large(text)
        return value
    number = float(text)
    if math.isinf(number):
        raise _refuse_large(text)
    return number


def _refuse_large(text: str) -> _Refusal:
    size = (
        f"the number has {len(text.lstrip('+-'))} digits"
        if text.lstrip("+-").isdigit()
        else f"the number {_shown(text)} is too large"
    )
    return _Refusal(
        f"{size}, beyond what any measured value can hold",
        found=_shown(text),
        fix="check the value; quote it if it is an identifier",
    )


def _refuse_not_finite(text: str) -> _Refusal:
    return _Refusal(
        "infinite or not-a-number values are not clinical values",
        found=_shown(text),
        fix="give the measured number, or leave the field out when it is unknown",
    )


def _plain(text: str) -> Any:
    """A plain (unquoted, untagged) scalar by the YAML 1.2 core schema, as chosen above."""
    if not text:
        return None
    if text[0] not in _MAYBE_SPECIAL:
        return text
    if text in _NULLS:
        return None
    flag = _BOOLS.get(text)
    if flag is not None:
        return flag
    if text[0] in _NUMBER_START:
        if _LEADING_ZERO.match(text):
            return text
        if _INT.match(text) or _FLOAT.match(text):
            return _number(text)
        if _NOT_FINITE.match(text):
            raise _refuse_not_finite(text)
    return text


def _scalar(event: ScalarEvent) -> Any:
    text = event.value
    if _BAD_CHARACTER.search(text):
        # Escapes can write them ("\0", "\x07"; "\ud800" in the pure-Python scanner).
        raise _character_refusal(text)
    tag = event.tag
    if tag is None and event.implicit[0]:
        return _plain(text)
    if tag is None or tag == "!":
        return text
    return _tagged(tag, text)


def _tagged(tag: str, text: str) -> Any:
    """A scalar with an explicit core tag; its content must fit the tag."""
    kind = tag[len(_CORE) :] if tag.startswith(_CORE) else None
    if kind == "str":
        return text
    if kind == "null" and text in _NULLS:
        return None
    if kind == "bool" and text in _BOOLS:
        return _BOOLS[text]
    if kind == "int" and _INT.match(text.strip()):
        return _number(text.strip())
    if kind == "float" and (_INT.match(text.strip()) or _FLOAT.match(text.strip())):
        return float(_number(text.strip()))
    if kind == "float" and _NOT_FINITE.match(text.strip()):
        raise _refuse_not_finite(text)
    if kind in ("null", "bool", "int", "float"):
        wanted = {
            "null": "null or ~",
            "bool": "true or false",
            "int": "a whole decimal number",
            "float": "a decimal number",
        }[kind]
        raise _Refusal(
            f"the tag {_tag_name(tag)} holds {_shown(text)}, which is not {wanted}",
            found=_shown(text),
            expected=wanted,
            fix=f"write {wanted}, or remove the tag",
        )
    raise _refuse_tag(tag)


def _refuse_tag(tag: str) -> _Refusal:
    return _Refusal(
        f"the tag {_tag_name(tag)} is not accepted (only the YAML 1.2 core tags are)",
        found=_tag_name(tag),
        fix="remove the tag and write the value plainly (dates as YYYY-MM-DD)",
    )


class _YamlBuilder:
    """Builds Python data from parser events with an explicit stack (no recursion)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.path: list[str | int] = []
        self.where = ""

    def build(self, events: Iterator[Event]) -> Any:
        documents = 0
        result: Any = None
        # Each frame: [container, is_mapping, pending key or _NO_KEY, key line]
        stack: list[list[Any]] = []
        for event in events:
            mark = event.start_mark
            self.where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            if isinstance(event, StreamStartEvent | DocumentEndEvent):
                continue
            if isinstance(event, StreamEndEvent):
                break
            if isinstance(event, DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise _Refusal(
                        "the file holds more than one YAML document ('---' again)",
                        fix="keep one case per file",
                    )
                version = getattr(event, "version", None)
                if version is not None and tuple(version) != (1, 2):
                    raise _Refusal(
                        f"the file declares YAML {'.'.join(map(str, version))}; mgpn reads YAML 1.2",
                        found=f"%YAML {'.'.join(map(str, version))}",
                        fix="remove the %YAML line",
                    )
                continue
            if isinstance(event, AliasEvent):
                self._enter(stack)
                raise _Refusal(
                    f"an alias (*{event.anchor}) repeats another part of the file",
                    found=f"*{event.anchor}",
                    fix="write the value out in full (aliases are not accepted)",
                )
            if isinstance(event, MappingEndEvent | SequenceEndEvent):
                frame = stack.pop()
                value = frame[0]
                if stack:
                    self.path.pop()
                    self._add(stack, value)
                else:
                    result = value
                continue
            if isinstance(event, ScalarEvent):
                try:
                    value = _scalar(event)
                except _Refusal:
                    self._enter(stack)
                    raise
                if stack and stack[-1][1] and stack[-1][2] is _NO_KEY:
                    self._key(stack[-1], value)
                elif stack:
                    self._add(stack, value)
                else:
                    result = value
                continue
            if isinstance(event, MappingStartEvent | SequenceStartEvent):
                is_mapping = isinstance(event, MappingStartEvent)
                if stack and stack[-1][1] and stack[-1][2] is _NO_KEY:
                    raise _Refusal(
                        "a key is itself a mapping or a list",
                        fix="keys must be text: write 'name: value'",
                    )
                self._enter(stack)
                tag = event.tag
                core = _CORE + ("map" if is_mapping else "seq")
                if tag is not None and tag not in ("!", core):
                    raise _refuse_tag(tag)
                if len(stack) >= self.limits.max_depth:
                    self.path = _depth_path(self.path)
                    raise _too_deep(self.limits)
                stack.append([{} if is_mapping else [], is_mapping, _NO_KEY, {}])
        return result

    def _enter(self, stack: list[list[Any]]) -> None:
        """Extend the path to the node that starts now (a mapping's value or a list item)."""
        if stack:
            frame = stack[-1]
            if not frame[1]:
                self.path.append(len(frame[0]))
            elif frame[2] is not _NO_KEY:
                self.path.append(frame[2])

    def _key(self, frame: list[Any], key: Any) -> None:
        if not isinstance(key, str):
            raise _Refusal(
                f"the key {_shown(key)} is read as {_KIND_WORDS.get(type(key), 'a value')}, not text",
                found=_shown(key),
                fix=f'quote the key: "{key}":' if key is not None else "give the key a name",
            )
        if key in frame[0]:
            self.path.append(key)
            raise _Refusal(
                f"the key {key!r} is given twice in the same mapping (first at {frame[3].get(key, 'an earlier line')})",
                found=key,
                fix="keep one of the two; a repeated key would silently replace the first",
            )
        frame[2] = key
        frame[3][key] = self.where

    def _add(self, stack: list[list[Any]], value: Any) -> None:
        frame = stack[-1]
        if frame[1]:
            frame[0][frame[2]] = value
            frame[2] = _NO_KEY
        else:
            frame[0].append(value)


_NO_KEY = object()
_KIND_WORDS = {int: "a number", float: "a number", bool: "true/false", type(None): "empty (null)"}


def read_yaml(
    text: str | bytes,
    source: str,
    *,
    error: _ErrorType = CaseError,
    limits: Limits = LIMITS,
    use_libyaml: bool | None = None,
) -> Any:
    """Parse one YAML document by the rules above; raise ``error`` naming the field and the fix.

    ``use_libyaml`` None means: libyaml when available (the module's ``LIBYAML``).
    """
    decoded = _as_text(text, source, error, limits)
    builder = _YamlBuilder(limits)
    try:
        return builder.build(_events(decoded, LIBYAML if use_libyaml is None else use_libyaml))
    except _Refusal as refusal:
        raise _as_error(error, source, builder.path, refusal, builder.where) from None
    except yaml.YAMLError as exc:
        raise error(source, [_syntax_issue(exc)]) from None


def _syntax_issue(exc: yaml.YAMLError) -> Issue:
    mark = getattr(exc, "problem_mark", None)
    where = (
        f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "an unknown line"
    )
    problem = getattr(exc, "problem", None) or str(exc)
    return Issue(
        "",
        f"not valid YAML at {where}: {problem}",
        fix="correct the syntax there (check brackets, colons, quotes and indentation)",
    )


def _as_error(
    error: _ErrorType, source: str, path: list[str | int], refusal: _Refusal, where: str = ""
) -> InputError:
    message = refusal.message + (f" (at {where})" if where else "")
    return error(
        source,
        [
            Issue(
                _path_text(path),
                message,
                expected=refusal.expected,
                found=refusal.found,
                fix=refusal.fix,
            )
        ],
    )


# -- JSON ---------------------------------------------------------------------


class _Marker:
    """Stands in for a JSON value that must be refused, so the walk can name its path."""

    def __init__(self, refusal: _Refusal) -> None:
        self.refusal = refusal


def _json_int(text: str) -> int | _Marker:
    if len(text) > _MAX_INT_DIGITS:
        return _Marker(_refuse_large(text))
    return int(text)


def _json_float(text: str) -> float | _Marker:
    number = float(text)
    return _Marker(_refuse_large(text)) if math.isinf(number) else number


def _json_constant(text: str) -> _Marker:
    return _Marker(_refuse_not_finite(text))


def read_json(
    text: str | bytes,
    source: str,
    *,
    error: _ErrorType = CaseError,
    limits: Limits = LIMITS,
) -> Any:
    """Parse JSON strictly (RFC 8259; duplicate keys, NaN and Infinity refused)."""
    decoded = _as_text(text, source, error, limits)
    fast = _fast_json(decoded, limits)
    if fast is not _UNSURE:
        return fast
    return _exact_json(decoded, source, error, limits)


# Text the fast reader leaves to the exact one: escapes that write a control character
# (\b, \f, \u0000-\u001f, \u007f), a surrogate or a colon (the duplicate check below
# counts colons), a raw DEL, and runs of 19 or more digits (orjson reads an integer
# beyond 64 bits as a float). An escaped backslash before such a letter (``\\b``) is
# also sent on: a false alarm costs time only. (Digit runs are found by mapping every
# digit to 0 and looking for nineteen zeros: a regular expression is 15 times slower.)
_NOT_FAST_ESCAPE = re.compile(r"\\(?:[bf]|u00[01]|u007[fF]|u003[aA]|u[dD][89a-fA-F])")
_DIGITS_TO_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_DIGITS = b"0" * 19
_UNSURE = object()


def _fast_json(text: str, limits: Limits) -> Any:
    """orjson's reading of ``text`` when it is surely the exact reader's; else ``_UNSURE``.

    The exact reader (:func:`_exact_json`) walks every value in Python: about 5 ms for a
    20 KB CDS Hooks body, against 0.1 ms here. orjson (C) already refuses what RFC 8259
    refuses (NaN, Infinity, numbers that overflow a double, lone surrogates, raw control
    characters); what it would let through is caught without a Python walk:

    * a key given twice: orjson keeps the last, so the document written out again has
      fewer colons than the text (colons in strings are the same in both, and a colon
      written as an escape is sent to the exact reader);
    * nesting: written out indented, a value at depth ``d`` starts its line with ``2 d``
      spaces (strings never hold a raw newline), so no such line at ``max_depth - 1``
      means no container as deep as the exact reader refuses.

    Anything else unusual, or any error, goes to the exact reader, which words the refusal.
    """
    if ("\\" in text and _NOT_FAST_ESCAPE.search(text)) or "\x7f" in text:
        return _UNSURE
    if _LONG_DIGITS in text.encode("utf-8").translate(_DIGITS_TO_ZERO):
        return _UNSURE
    try:
        data = orjson.loads(text)
        written = orjson.dumps(data, option=orjson.OPT_INDENT_2)
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):
        return _UNSURE
    if written.count(b":") != text.count(":"):
        return _UNSURE
    if b"\n" + b" " * (2 * max(0, limits.max_depth - 1)) in written:
        return _UNSURE
    return data


def _exact_json(decoded: str, source: str, error: _ErrorType, limits: Limits) -> Any:
    """The reference reading: the standard library's parser, then a walk of every value."""
    duplicates: dict[int, str] = {}

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        mapping = dict(items)
        if len(mapping) != len(items):
            seen: set[str] = set()
            for key, _ in items:
                if key in seen:
                    duplicates[id(mapping)] = key
                    break
                seen.add(key)
        return mapping

    try:
        data = json.loads(
            decoded,
            object_pairs_hook=pairs,
            parse_int=_json_int,
            parse_float=_json_float,
            parse_constant=_json_constant,
        )
    except json.JSONDecodeError as exc:
        raise error(
            source,
            [
                Issue(
                    "",
                    f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
                    fix="correct the syntax there",
                )
            ],
        ) from None
    except RecursionError:
        raise error(
            source,
            [
                Issue(
                    "",
                    f"nested deeper than {limits.max_depth} levels",
                    fix="flatten the structure (a case needs only a few levels)",
                )
            ],
        ) from None
    _walk(data, source, error, limits, duplicates)
    return data


# -- data parsed elsewhere -------------------------------------------------------

_DIGITS = re.compile(r"[-+]?[0-9]+\Z")
_DECIMAL = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")


def decimal_number(text: str) -> int | float | None:
    """A form field's or CSV cell's text as a number, or None when it is not a plain one.

    Only ASCII decimal notation is a number (``12``, ``-0.5``, ``1e3``, ``010`` is 10:
    outside YAML a leading zero has one reading). Python's own ``float()`` would also
    take ``1_000``, ``nan``, ``inf`` and other scripts' digits; those stay text, so the
    case validator names the field.
    """
    candidate = text.strip()
    if not _DECIMAL.match(candidate) or len(candidate) > _MAX_INT_DIGITS:
        return None
    if _DIGITS.match(candidate):
        value = int(candidate)
        return value if abs(value) <= _FLOAT_MAX else None
    number = float(candidate)
    return None if math.isinf(number) else number


def check_tree(
    data: Any, source: str, *, error: _ErrorType = CaseError, limits: Limits = LIMITS
) -> None:
    """Apply the reader's value rules to data parsed elsewhere (API bodies, forms, Python).

    Refused: keys that are not text, ``NaN``/infinite floats, integers beyond a float,
    lone surrogates, nesting deeper than ``limits.max_depth``, and values that are
    not JSON-like (``date``/``datetime`` objects are allowed for Python callers).
    """
    if not _plainly_clean(data, limits.max_depth):
        _walk(data, source, error, limits, {})  # finds the problem and names its path


def _plainly_clean(data: Any, max_depth: int) -> bool:
    """True when ``data`` surely passes :func:`_walk` (False: let the walk decide and word it).

    The same rules without building a path per value (the walk's cost), and the text
    checked in one search over all strings joined: about 4 times faster on a case.
    """
    texts: list[str] = []
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        container, depth = stack.pop()
        kind = type(container)
        if kind is dict:
            if depth >= max_depth:
                return False
            items = container.values()
            for key in container:
                if type(key) is not str:
                    return False
                texts.append(key)
        elif kind is list or kind is tuple:
            if depth >= max_depth:
                return False
            items = container
        else:
            items = (container,)
            depth -= 1  # a scalar at the top: not a level of nesting
        for item in items:
            kind = type(item)
            if kind is str:
                texts.append(item)
            elif kind is dict or kind is list or kind is tuple:
                stack.append((item, depth + 1))
            elif kind is float:
                if item - item != 0.0:  # NaN or infinite
                    return False
            elif kind is int:
                if not -_FLOAT_MAX <= item <= _FLOAT_MAX:
                    return False
            elif not (item is None or kind is bool or kind is dt.date or kind is dt.datetime):
                return False
    return _BAD_CHARACTER.search("\n".join(texts)) is None


_SCALARS = (str, bool, int, float, type(None), dt.date)


def _walk(
    data: Any, source: str, error: _ErrorType, limits: Limits, duplicates: dict[int, str]
) -> None:
    stack: list[tuple[Any, list[str | int]]] = [(data, [])]
    while stack:
        value, path = stack.pop()
        refusal = _value_refusal(value)
        if refusal is not None:
            raise _as_error(error, source, path, refusal)
        if isinstance(value, dict | list | tuple) and len(path) >= limits.max_depth:
            raise _as_error(error, source, _depth_path(path), _too_deep(limits))
        if isinstance(value, dict):
            if id(value) in duplicates:
                key = duplicates[id(value)]
                raise _as_error(
                    error,
                    source,
                    [*path, key],
                    _Refusal(
                        f"the key {key!r} is given twice in the same object",
                        found=key,
                        fix="keep one of the two; a repeated key would silently replace the first",
                    ),
                )
            for key, item in value.items():
                if not isinstance(key, str):
                    raise _as_error(
                        error,
                        source,
                        path,
                        _Refusal(
                            f"the key {_shown(key)} is not text",
                            found=_shown(key),
                            fix="keys must be text",
                        ),
                    )
                if _BAD_CHARACTER.search(key):
                    raise _as_error(error, source, path, _character_refusal(key))
                stack.append((item, [*path, key]))
        elif isinstance(value, list | tuple):
            stack.extend((item, [*path, index]) for index, item in enumerate(value))


def _character_refusal(text: str) -> _Refusal:
    match = _BAD_CHARACTER.search(text)
    code = ord(match.group()) if match else 0
    if 0xD800 <= code <= 0xDFFF:
        return _Refusal(
            f"the text holds a lone UTF-16 surrogate ({code:#06x}), a broken character",
            found=_shown(text),
            fix="remove the broken character (the text was damaged in a copy)",
        )
    return _Refusal(
        f"the text holds the control character {code:#04x}, which no clinical value contains",
        found=_shown(text),
        fix="remove the control character (it may come from a copy out of another program)",
    )


def _value_refusal(value: Any) -> _Refusal | None:
    if isinstance(value, str):
        return _character_refusal(value) if _BAD_CHARACTER.search(value) else None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return _refuse_not_finite(repr(value))
        return None
    if isinstance(value, int):
        if abs(value) > _FLOAT_MAX:
            return _refuse_large(str(value) if value.bit_length() < 4000 else "1" + "0" * 400)
        return None
    if isinstance(value, _Marker):
        return value.refusal
    if isinstance(value, dict | list | tuple | dt.date):
        return None
    return _Refusal(
        f"a {type(value).__name__} is not a value a document can hold",
        found=type(value).__name__,
        fix="give text, a number, true/false, a list or a mapping",
    )


# -- either ---------------------------------------------------------------------


def read_document(
    text: str | bytes,
    source: str,
    json_only: bool = False,
    *,
    error: _ErrorType = CaseError,
    limits: Limits = LIMITS,
) -> Any:
    """JSON when ``json_only`` (a ``.json`` file or a JSON body), else YAML (JSON is YAML too)."""
    if json_only:
        return read_json(text, source, error=error, limits=limits)
    return read_yaml(text, source, error=error, limits=limits)


def read_file(path: str | Path, *, error: _ErrorType = CaseError, limits: Limits = LIMITS) -> Any:
    """Read a ``.json`` file as JSON and anything else as YAML, within ``limits``."""
    file = Path(path)
    source = str(path)
    try:
        with file.open("rb") as handle:
            data = handle.read(limits.max_bytes + 1)
    except FileNotFoundError:
        raise error(source, [Issue("", "file not found", fix="check the path")]) from None
    except OSError as exc:
        raise error(
            source,
            [
                Issue(
                    "",
                    f"cannot read the file: {exc.strerror or exc}",
                    fix="check the path and its permissions",
                )
            ],
        ) from None
    return read_document(
        data, source, json_only=file.suffix.lower() == ".json", error=error, limits=limits
    )
