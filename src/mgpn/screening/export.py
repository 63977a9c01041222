"""Find the files of a FHIR Bulk Data export.

A Bulk export writes one NDJSON file (or several, ``Observation.000.ndjson`` ...) per
resource type, optionally gzipped. Reading and parsing the lines is left to the engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

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
