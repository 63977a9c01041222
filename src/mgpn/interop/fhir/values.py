"""Reading values out of FHIR R4 elements: dates, codings, Observation value[x].

Each reader returns what the case format accepts (a quantity mapping, a result word,
an enum value) or raises :class:`NotUsed` with the reason, which the mapping report
shows. Units are not converted here: the case model converts them (or refuses them)
with its own table, so a FHIR value and a typed value follow the same rules.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from mgpn.case.catalog import FieldDescriptor
from mgpn.case.quantity import RESULT_VALUES
from mgpn.interop.fhir.codemap import CodeMap

UCUM = "http://unitsofmeasure.org"


class NotUsed(Exception):
    """A resource or element that is read but not used; ``reason`` goes in the report."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_date(raw: Any) -> dt.date | None:
    """The calendar date of a FHIR date/dateTime/instant (partial dates: their first day)."""
    if not isinstance(raw, str) or not raw:
        return None
    text = raw.strip()
    for length, suffix in ((10, ""), (7, "-01"), (4, "-01-01")):
        if len(text) >= length:
            try:
                return dt.date.fromisoformat(text[:length] + suffix)
            except ValueError:
                continue
    return None


def effective(resource: dict[str, Any]) -> tuple[dt.date | None, str | None]:
    """When a clinical resource applies (its date, and the raw text it came from)."""
    keys = (
        "effectiveDateTime", "effectiveInstant", "effectivePeriod", "onsetDateTime",
        "onsetPeriod", "recordedDate", "performedDateTime", "performedPeriod", "authoredOn",
        "occurrenceDateTime", "issued", "dateAsserted",
    )  # fmt: skip
    for key in keys:
        value = resource.get(key)
        if isinstance(value, dict):
            value = value.get("start") or value.get("end")
        when = parse_date(value)
        if when is not None:
            return when, str(value)
    return None, None


def period(resource: dict[str, Any]) -> tuple[dt.date | None, dt.date | None]:
    """Start and end of a treatment resource (a period, or one date as both start and none)."""
    for key in ("effectivePeriod", "performedPeriod"):
        value = resource.get(key)
        if isinstance(value, dict):
            return parse_date(value.get("start")), parse_date(value.get("end"))
    start, _ = effective(resource)
    return start, None


def codings(concept: Any) -> list[tuple[str, str, str]]:
    """(system, code, display) of each coding in a CodeableConcept."""
    if not isinstance(concept, dict):
        return []
    out = []
    for coding in concept.get("coding") or []:
        if isinstance(coding, dict) and coding.get("code") is not None:
            out.append(
                (
                    str(coding.get("system") or ""),
                    str(coding["code"]),
                    str(coding.get("display") or ""),
                )
            )
    return out


def concept_text(concept: Any) -> str:
    """The words of a CodeableConcept: its text, else its codings' displays."""
    if not isinstance(concept, dict):
        return ""
    if concept.get("text"):
        return str(concept["text"])
    return "; ".join(display for _, _, display in codings(concept) if display)


def code_label(concept: Any) -> str:
    """``system|code`` of the first coding (for the report), or the text."""
    found = codings(concept)
    if found:
        return "; ".join(f"{system}|{code}" for system, code, _ in found)
    return concept_text(concept) or "(no code)"


def interpretations(element: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for concept in element.get("interpretation") or []:
        out.extend(code for _, code, _ in codings(concept))
        if not codings(concept) and concept_text(concept):
            out.append(concept_text(concept))
    return out


def reference_ranges(element: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for item in element.get("referenceRange") or []:
        if not isinstance(item, dict):
            continue
        low, high = item.get("low") or {}, item.get("high") or {}
        parts = []
        if "value" in low:
            parts.append(f">= {low['value']} {low.get('unit') or low.get('code') or ''}".strip())
        if "value" in high:
            parts.append(f"<= {high['value']} {high.get('unit') or high.get('code') or ''}".strip())
        if item.get("text"):
            parts.append(str(item["text"]))
        if parts:
            out.append(", ".join(parts))
    return out


def _value_key(element: dict[str, Any]) -> str | None:
    for key in element:
        if key.startswith("value") and key != "valueSet":
            return key
    return None


def _quantity(element: dict[str, Any], codemap: CodeMap) -> dict[str, Any]:
    raw = element.get("valueQuantity")
    if not isinstance(raw, dict):
        raise NotUsed("expected valueQuantity")
    number = raw.get("value")
    if isinstance(number, bool) or not isinstance(number, int | float):
        raise NotUsed("valueQuantity has no number")
    unit = raw.get("code") if raw.get("system") in (UCUM, None) and raw.get("code") else None
    unit = unit or raw.get("unit")
    if not unit:
        raise NotUsed("valueQuantity has no unit: a bare number is not guessed into a unit")
    unit = codemap.unit_aliases.get(str(unit), str(unit))
    out: dict[str, Any] = {"value": number, "unit": unit}
    if raw.get("comparator"):
        out["comparator"] = raw["comparator"]
    return out


def _words(text: str) -> str | None:
    word = text.strip().lower()
    aliases = {
        "pos": "positive", "neg": "negative", "detected": "positive",
        "not detected": "negative", "equivocal": "borderline", "indeterminate": "borderline",
        "true": "positive", "false": "negative",
    }  # fmt: skip
    word = aliases.get(word, word)
    return word if word in RESULT_VALUES else None


def result(element: dict[str, Any], codemap: CodeMap) -> str:
    """A positive/negative/borderline result from value[x], else from the interpretation."""
    if isinstance(element.get("valueBoolean"), bool):
        return "positive" if element["valueBoolean"] else "negative"
    concept = element.get("valueCodeableConcept")
    if isinstance(concept, dict):
        for system, code, display in codings(concept):
            if system == codemap.project_value and code in RESULT_VALUES:
                return code
            for text in (code, display):
                found = _words(text)
                if found:
                    return found
        found = _words(concept_text(concept))
        if found:
            return found
    if isinstance(element.get("valueString"), str):
        found = _words(element["valueString"])
        if found:
            return found
    for code in interpretations(element):
        if code in codemap.interpretation_results:
            return codemap.interpretation_results[code]
    raise NotUsed(
        "no positive/negative result in value[x] or interpretation "
        "(a number alone is not read: the cut-off is the laboratory's)"
    )


def _enum_word(element: dict[str, Any], codemap: CodeMap) -> str | None:
    concept = element.get("valueCodeableConcept")
    if isinstance(concept, dict):
        for system, code, _ in codings(concept):
            if system == codemap.project_value:
                return code
        return concept_text(concept) or None
    if isinstance(element.get("valueString"), str):
        return str(element["valueString"]).strip()
    return None


def field_value(
    element: dict[str, Any], field: FieldDescriptor, codemap: CodeMap, values: dict[str, str] | None
) -> Any:
    """The case value of ``field`` held by an Observation (or a component)."""
    if element.get("dataAbsentReason") is not None and _value_key(element) is None:
        reason = concept_text(element["dataAbsentReason"]) or code_label(
            element["dataAbsentReason"]
        )
        raise NotUsed(f"no value ({reason}): stays unknown")
    kind = field.kind
    if values is not None:
        word = result(element, codemap)
        if word not in values:
            raise NotUsed(f"result {word!r} has no meaning for {field.path}")
        return values[word]
    if kind == "quantity":
        if isinstance(element.get("valueString"), str):
            return element["valueString"]
        return _quantity(element, codemap)
    if kind == "quantity_or_result":
        if "valueQuantity" in element:
            return _quantity(element, codemap)
        return result(element, codemap)
    if kind == "result":
        return result(element, codemap)
    if kind == "boolean":
        if not isinstance(element.get("valueBoolean"), bool):
            raise NotUsed("expected valueBoolean (true: present, false: assessed and absent)")
        return element["valueBoolean"]
    if kind in ("integer", "number"):
        number = element.get("valueInteger")
        if number is None and isinstance(element.get("valueQuantity"), dict):
            number = element["valueQuantity"].get("value")
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise NotUsed("expected valueInteger or valueQuantity with a number")
        if kind == "integer":
            if float(number) != int(number):
                raise NotUsed(f"{number} is not a whole number")
            return int(number)
        return float(number)
    if kind == "enum":
        name = _enum_word(element, codemap)
        if name is None:
            raise NotUsed("expected valueCodeableConcept or valueString naming a value")
        lookup = {choice.lower(): choice for choice in field.choices}
        if name.lower() not in lookup:
            raise NotUsed(f"{name!r} is not one of {', '.join(field.choices)}")
        return lookup[name.lower()]
    if kind == "list":
        if element.get("valueBoolean") is False:
            return []
        item = _enum_word(element, codemap)
        if not item:
            raise NotUsed("expected valueString or valueCodeableConcept naming an item")
        return [item]
    raise NotUsed(f"{field.path} ({kind}) is not read from an Observation")


_HEAVY = re.compile(r"\big\s*-?\s*([mgade])\b", re.IGNORECASE)
_NEGATIVE = (
    "no monoclonal",
    "negative",
    "not detected",
    "no paraprotein",
    "no m-protein",
    "no m protein",
)


def immunofixation(element: dict[str, Any]) -> dict[str, Any]:
    """Isotype, light chain and heavy chains from an immunofixation result's words."""
    text = " ".join(
        part
        for part in (
            concept_text(element.get("valueCodeableConcept")),
            str(element.get("valueString") or ""),
        )
        if part
    )
    lowered = text.lower().replace("κ", " kappa ").replace("λ", " lambda ")
    heavy = list(dict.fromkeys(f"Ig{m.upper()}" for m in _HEAVY.findall(lowered)))
    light = [name for name in ("kappa", "lambda") if name in lowered]
    if not heavy and not light:
        if any(phrase in lowered for phrase in _NEGATIVE):
            return {"paraprotein.isotype": "none"}
        raise NotUsed(f"could not read the immunofixation result {text!r}")
    out: dict[str, Any] = {}
    if len(heavy) >= 2:
        out["paraprotein.isotype"] = "biclonal"
        out["paraprotein.heavy_chains"] = heavy
    elif heavy:
        out["paraprotein.isotype"] = heavy[0]
    else:
        out["paraprotein.isotype"] = "light_chain_only"
    if light:
        out["paraprotein.light_chain"] = light[0] if len(light) == 1 else "both"
    return out
