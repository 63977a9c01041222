"""Read a cohort table (CSV or Parquet) and check it against ``mgpn-cohort/1``.

Every problem in the file is collected before anything is raised, so a researcher
fixes a file in one pass: each :class:`~mgpn.errors.Issue` names the column, the
first bad rows (numbered from 1 after the header) and the fix. Blank cells are
unknown; nothing else is read as unknown, because a lab's "n.d." may mean "below
the detection limit", which is a low value, not a missing one.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl

from mgpn.cohort import columns as col
from mgpn.errors import CohortError, Issue

__all__ = ["Cohort", "load_cohort", "validate_frame"]


@dataclass(frozen=True)
class Cohort:
    """A validated cohort: typed columns, the markers to analyse, what was kept aside."""

    frame: pl.DataFrame
    markers: tuple[str, ...]
    source: str
    other_columns: tuple[str, ...] = ()
    """Columns with no meaning in mgpn-cohort/1 that are not numeric: kept, not analysed."""
    synthetic: bool = False
    notes: tuple[str, ...] = field(default=())

    @property
    def n(self) -> int:
        return self.frame.height


def load_cohort(path: str | Path, markers: Sequence[str] | None = None) -> Cohort:
    """Read ``path`` (``.csv`` or ``.parquet``) and validate it.

    ``markers`` restricts the analysis to these columns; by default every numeric
    column without a fixed meaning is a marker. Raises :class:`CohortError`.
    """
    path = Path(path)
    source = str(path)
    if not path.is_file():
        raise CohortError(
            source,
            [Issue("<file>", "file not found", fix="give the path of a .csv or .parquet file")],
        )
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            frame = pl.read_parquet(path)
        elif suffix in {".csv", ".txt"}:
            frame = _read_csv(path)
        else:
            raise CohortError(
                source,
                [
                    Issue(
                        "<file>",
                        "unsupported file type",
                        expected=".csv or .parquet",
                        found=suffix or "no extension",
                        fix="export the table as CSV (comma-separated, header row) or Parquet",
                    )
                ],
            )
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError) as exc:
        raise CohortError(
            source,
            [
                Issue(
                    "<file>",
                    f"the file could not be read as {suffix.lstrip('.') or 'a table'}",
                    found=str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
                    fix="check that it is a comma-separated file with one header row, in UTF-8",
                )
            ],
        ) from exc
    cohort = validate_frame(frame, source=source, markers=markers)
    sidecar = path.with_name(path.name + ".simulation.json")
    if sidecar.is_file():
        note = f"Simulation parameters and their provenance: {sidecar.name}."
        cohort = replace(cohort, notes=(*cohort.notes, note))
    return cohort


def _read_csv(path: Path) -> pl.DataFrame:
    """The CSV with typed columns when every cell reads as its type, else all as text.

    Typed first, without inference: the columns with words (id, group, sex) as text,
    the true/false columns as booleans and every other column as a number. That is one pass
    and half the memory of reading text and converting it. When any cell is not a
    number (a typing mistake, a censored '<2', a column of free text) or is NaN or
    infinite, the file is read again as text, which is what names the bad cells: type
    inference is never used, so a stray word cannot silently turn a marker into text.
    """
    header = pl.read_csv(path, n_rows=0, infer_schema=False).columns
    words = {col.ID, col.GROUP, col.SEX}
    schema: dict[str, pl.DataType] = {
        name: pl.String()
        if name in words
        else pl.Boolean()
        if name in col.BOOLEAN_COLUMNS
        else pl.Float64()
        for name in header
    }
    try:
        frame = pl.read_csv(path, schema=schema)
    except pl.exceptions.PolarsError:
        return pl.read_csv(path, infer_schema=False)
    numbers = [name for name, kind in schema.items() if kind == pl.Float64()]
    if numbers and frame.select(pl.any_horizontal(~pl.col(numbers).is_finite()).any()).item():
        return pl.read_csv(path, infer_schema=False)  # 'NaN'/'inf' are refused, with their rows
    return frame


def validate_frame(
    frame: pl.DataFrame, *, source: str = "cohort", markers: Sequence[str] | None = None
) -> Cohort:
    """Check a frame read from any source; returns a typed :class:`Cohort`."""
    issues: list[Issue] = []
    frame = frame.with_columns(pl.col(pl.String).str.strip_chars().replace("", None))
    names = list(frame.columns)

    for required in (col.ID, col.GROUP):
        if required not in names:
            close = difflib.get_close_matches(required, names, n=1)
            hint = f" (is '{close[0]}' meant to be '{required}'?)" if close else ""
            issues.append(
                Issue(
                    required,
                    f"required column is missing{hint}",
                    found=", ".join(names) or "no columns",
                    fix=f"add a column named '{required}'",
                )
            )
    if issues:
        raise CohortError(source, issues)

    typed: dict[str, pl.Series] = {}
    typed[col.ID] = _check_ids(frame[col.ID], issues)
    typed[col.GROUP] = _check_groups(frame[col.GROUP], issues)
    for name in col.BOOLEAN_COLUMNS:
        if name in names:
            typed[name] = _parse_boolean(frame[name], issues)
    if col.SEX in names:
        typed[col.SEX] = _check_sex(frame[col.SEX], issues)
    for name in col.NUMERIC_COLUMNS:
        if name in names:
            number = _parse_number(frame[name], issues, required=True)
            if number is not None:
                typed[name] = number

    candidates: list[str] = []
    other: list[str] = []
    for name in names:
        if name in col.KNOWN_COLUMNS:
            continue
        wanted = markers is not None and name in markers
        parsed = _parse_number(frame[name], issues, required=wanted)
        if parsed is None:
            other.append(name)
        else:
            typed[name] = parsed
            candidates.append(name)

    chosen = _choose_markers(candidates, other, names, markers, issues)
    if issues:
        raise CohortError(source, issues)

    kept = [typed.get(name, frame[name]) for name in names]
    result = pl.DataFrame(kept)
    synthetic = bool(col.SYNTHETIC in typed and typed[col.SYNTHETIC].any())
    notes: list[str] = []
    if other:
        notes.append(
            "Columns kept but not analysed (no meaning in mgpn-cohort/1 and not numeric): "
            + ", ".join(other)
            + "."
        )
    if col.ANTI_MAG not in names:
        notes.append("No 'anti_mag' column: the anti-MAG subgroup is unknown, not empty.")
    return Cohort(
        frame=result,
        markers=tuple(chosen),
        source=source,
        other_columns=tuple(other),
        synthetic=synthetic,
        notes=tuple(notes),
    )


def _rows(mask: pl.Series) -> tuple[str, int]:
    """The first bad rows (1-based data rows) as text, and how many there are."""
    positions = mask.arg_true()
    count = positions.len()
    shown = ", ".join(str(i + 1) for i in positions.head(col.ROWS_SHOWN).to_list())
    if count > col.ROWS_SHOWN:
        shown += f" and {count - col.ROWS_SHOWN} more"
    return shown, count


def _examples(series: pl.Series, mask: pl.Series) -> str:
    values = series.filter(mask).unique(maintain_order=True).head(col.ROWS_SHOWN).to_list()
    return ", ".join(repr(v) for v in values)


def _check_ids(ids: pl.Series, issues: list[Issue]) -> pl.Series:
    ids = ids.cast(pl.String)
    blank = ids.is_null()
    if blank.any():
        rows, _ = _rows(blank)
        issues.append(
            Issue(col.ID, f"blank identifier in rows {rows}", fix="give every participant an id")
        )
    duplicated = ids.is_duplicated() & ~blank
    if duplicated.any():
        rows, _ = _rows(duplicated)
        issues.append(
            Issue(
                col.ID,
                f"identifiers are not unique (rows {rows})",
                found=_examples(ids, duplicated),
                fix="give each participant one row and a unique id",
            )
        )
    return ids


def _check_groups(groups: pl.Series, issues: list[Issue]) -> pl.Series:
    groups = groups.cast(pl.String)
    blank = groups.is_null()
    if blank.any():
        rows, _ = _rows(blank)
        issues.append(
            Issue(
                col.GROUP,
                f"blank group in rows {rows}",
                expected=", ".join(col.NAMED_GROUPS) + " or a group name of your own",
                fix="give every participant a group",
            )
        )
    reserved = (col.ANTI_MAG_SUBGROUP,)
    for value in groups.drop_nulls().unique(maintain_order=True).to_list():
        if value in col.NAMED_GROUPS:
            continue
        folded = value.lower().replace("-", "_").replace(" ", "_")
        if folded in reserved:
            message = f"'{value}' is the anti-MAG subgroup, not a group value"
            fix = "write group igm_pnp and anti_mag true for these participants"
        else:
            close = difflib.get_close_matches(folded, col.NAMED_GROUPS, n=1, cutoff=0.75)
            if not close:
                continue  # a group of the researcher's own; analysed on its own
            message = f"group '{value}' looks like a misspelling of '{close[0]}'"
            fix = f"write '{close[0]}' exactly (lower case), or rename the group clearly"
        rows, _ = _rows(groups == value)
        issues.append(Issue(col.GROUP, f"{message} (rows {rows})", found=repr(value), fix=fix))
    return groups


def _parse_boolean(series: pl.Series, issues: list[Issue]) -> pl.Series:
    if series.dtype == pl.Boolean:
        return series
    text = series.cast(pl.String).str.to_lowercase()
    parsed = (
        pl.when(text.is_in(col.TRUE_SPELLINGS))
        .then(True)
        .when(text.is_in(col.FALSE_SPELLINGS))
        .then(False)
        .otherwise(None)
    )
    result = pl.select(parsed.alias(series.name)).to_series()
    bad = result.is_null() & series.is_not_null()
    if bad.any():
        rows, _ = _rows(bad)
        issues.append(
            Issue(
                series.name,
                f"values are not true/false in rows {rows}",
                expected="true or false (blank when unknown)",
                found=_examples(series.cast(pl.String), bad),
                fix="write true or false, and leave the cell blank when it is not known",
            )
        )
    return result


def _check_sex(series: pl.Series, issues: list[Issue]) -> pl.Series:
    text = series.cast(pl.String).str.to_lowercase()
    bad = ~text.is_in(col.SEX_VALUES) & text.is_not_null()
    if bad.any():
        rows, _ = _rows(bad)
        issues.append(
            Issue(
                col.SEX,
                f"unknown value in rows {rows}",
                expected=", ".join(col.SEX_VALUES) + " (blank when unknown)",
                found=_examples(series.cast(pl.String), bad),
                fix="use female or male, or leave the cell blank",
            )
        )
    return text


def _parse_number(series: pl.Series, issues: list[Issue], *, required: bool) -> pl.Series | None:
    """The column as Float64, or None for a text column that is not required to be numeric.

    A column where some cells are numbers and others are not is an error: it is a
    marker column with typing mistakes (or censored values such as '<2', which the
    contract does not allow).
    """
    name = series.name
    if series.dtype == pl.Boolean:
        return None
    if series.dtype.is_numeric():
        # NaN in a typed file is how pandas writes "unknown"; ranges are checked below
        # as for text cells (a typed CSV or a Parquet file is held to the same contract).
        values = series.cast(pl.Float64).fill_nan(None)
    else:
        text = series.cast(pl.String)
        values = text.cast(pl.Float64, strict=False)
        bad = (values.is_null() | ~values.is_finite().fill_null(True)) & text.is_not_null()
        present = text.is_not_null().sum()
        if present and bad.sum() == present and not required:
            return None  # a text column: kept and reported, not analysed
        if bad.any():
            rows, count = _rows(bad)
            issues.append(
                Issue(
                    name,
                    f"{count} value(s) are not numbers (rows {rows})",
                    expected="a number with '.' as decimal point, blank when unknown",
                    found=_examples(text, bad),
                    fix=(
                        "correct these cells; leave a cell blank when the value is unknown "
                        "(censored values such as '<2' are not supported: record them in a "
                        "separate column and state in your methods how they were handled)"
                    ),
                )
            )
            return None
    low_high = col.RANGES.get(name)
    if low_high is not None:
        low, high = low_high
        out = (values < low) | (values > high)
        if out.any():
            rows, _ = _rows(out.fill_null(False))
            issues.append(
                Issue(
                    name,
                    f"values outside {low:g}-{high:g} (rows {rows})",
                    found=_examples(values, out.fill_null(False)),
                    fix="check the unit and the typing of these cells",
                )
            )
    return values


def _choose_markers(
    candidates: list[str],
    other: list[str],
    names: list[str],
    markers: Sequence[str] | None,
    issues: list[Issue],
) -> list[str]:
    if markers is None:
        return candidates
    chosen: list[str] = []
    for marker in markers:
        if marker in candidates:
            chosen.append(marker)
        elif marker in col.KNOWN_COLUMNS:
            issues.append(
                Issue(
                    marker,
                    "this column has a fixed meaning and cannot be analysed as a marker",
                    fix="name marker columns only in --markers",
                )
            )
        elif marker not in names:
            close = difflib.get_close_matches(marker, candidates, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            issues.append(
                Issue(
                    marker,
                    f"no such column{hint}",
                    expected="one of: " + (", ".join(candidates) or "no numeric columns found"),
                    fix="check the spelling in --markers",
                )
            )
        elif marker in other:
            pass  # already reported by _parse_number as non-numeric
    return chosen
