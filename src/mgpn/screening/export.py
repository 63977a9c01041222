"""Find the files of a FHIR Bulk Data export and stream their lines with their numbers.

A Bulk export writes one NDJSON file (or several, ``Observation.000.ndjson`` ...) per
resource type, optionally gzipped. Lines are read by Arrow's streaming CSV reader with a
delimiter JSON can never contain unescaped (the unit separator, 0x1F), so every line
stays one text value and keeps its line number; parsing is left to the engine.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mgpn.errors import Issue, ScreeningError

#: The resource types screening reads, in the order it reads them (patients first).
RESOURCE_TYPES = (
    "Patient", "Condition", "Observation", "MedicationRequest", "Procedure", "DiagnosticReport",
)  # fmt: skip
_NAME = re.compile(r"^(?P<type>[A-Za-z]+)(?:[._-][^/]*)?\.ndjson(?:\.gz)?$")


@dataclass(frozen=True)
class ExportFile:
    resource_type: str
    path: Path

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class Export:
    root: Path
    files: tuple[ExportFile, ...]
    ignored: tuple[str, ...]

    def of_type(self, resource_type: str) -> list[ExportFile]:
        return [item for item in self.files if item.resource_type == resource_type]


def find_export(root: str | Path) -> Export:
    """The NDJSON files under ``root`` by resource type; other files are listed as ignored."""
    directory = Path(root)
    if not directory.is_dir():
        raise ScreeningError(
            str(directory),
            [
                Issue(
                    "EXPORT_DIR", "not a directory", fix="give the folder a FHIR Bulk export wrote"
                )
            ],
        )
    files: list[ExportFile] = []
    ignored: list[str] = []
    for path in sorted(directory.iterdir()):
        match = _NAME.match(path.name)
        if match is None or not path.is_file():
            if path.is_file():
                ignored.append(path.name)
            continue
        resource_type = match.group("type")
        if resource_type not in RESOURCE_TYPES:
            ignored.append(path.name)
            continue
        files.append(ExportFile(resource_type, path))
    if not any(item.resource_type == "Patient" for item in files):
        raise ScreeningError(
            str(directory),
            [
                Issue(
                    "Patient.ndjson",
                    "no Patient file (Patient.ndjson, Patient.*.ndjson or .ndjson.gz)",
                    fix="export the Patient resources too: patients are assembled from them",
                )
            ],
        )
    order = {name: index for index, name in enumerate(RESOURCE_TYPES)}
    files.sort(key=lambda item: (order[item.resource_type], item.name))
    return Export(directory, tuple(files), tuple(ignored))


def iter_line_batches(path: Path, batch_bytes: int = 8 << 20) -> Iterator[Any]:
    """Arrow tables of (line, raw) for one NDJSON file, in file order; blank lines dropped."""
    import pyarrow as pa
    import pyarrow.compute as pc
    from pyarrow import csv

    compression = "gzip" if path.name.endswith(".gz") else None
    if path.stat().st_size == 0:
        return  # an empty file (a type with no resources) has no lines
    stream = pa.input_stream(str(path), compression=compression)
    try:
        reader = csv.open_csv(
            stream,
            read_options=csv.ReadOptions(column_names=["raw"], block_size=batch_bytes),
            parse_options=csv.ParseOptions(
                delimiter="\x1f", quote_char=False, escape_char=False, ignore_empty_lines=False
            ),
            convert_options=csv.ConvertOptions(
                column_types={"raw": pa.string()}, strings_can_be_null=False
            ),
        )
    except pa.ArrowInvalid as exc:
        if "Empty CSV file" in str(exc):
            return  # a gzip file holding nothing
        raise
    first = 1
    for batch in reader:
        count = batch.num_rows
        numbers = pa.array(range(first, first + count), type=pa.int64())
        first += count
        table = pa.table({"line": numbers, "raw": batch.column(0)})
        keep = pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(table["raw"])), 0)
        yield table.filter(keep)
