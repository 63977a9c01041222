"""The one exception tree of mgpn.

Every error the program raises on purpose derives from :class:`MgpnError`, so the
command line, the web app and the EHR services can turn any of them into a clear
message without a traceback::

    MgpnError
     ├── InputError            bad input from a user; carries field-level issues
     │    ├── CaseError         a case file that breaks mgpn-case/1
     │    ├── CohortError       a cohort table that breaks mgpn-cohort/1
     │    ├── FhirError         FHIR input (a Bundle, a resource) that cannot be read
     │    └── MappingError      a FHIR code-mapping file that breaks its schema
     ├── KnowledgeError         the knowledge base failed its schema at start-up
     ├── NotFoundError          a stored case or a knowledge id that does not exist
     ├── StorageError           the database could not store or read a case
     │    └── ConflictError     a save named a version that is no longer the latest
     └── SettingsError          a deployment setting (MGPN_*) is missing or wrong

Messages are sentences that name the field, what was expected, what was found and
the fix.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CaseError",
    "CohortError",
    "ConflictError",
    "FhirError",
    "InputError",
    "Issue",
    "KnowledgeError",
    "MappingError",
    "MgpnError",
    "NotFoundError",
    "SettingsError",
    "StorageError",
]


@dataclass(frozen=True)
class Issue:
    """One problem in one field of an input.

    ``path`` is the field's full dotted path (``neuropathy.sensory_ataxai``,
    ``visits[0].date``); ``expected``/``found`` say what the contract wants and
    what the input had; ``fix`` tells the user what to change.
    """

    path: str
    message: str
    expected: str | None = None
    found: str | None = None
    fix: str | None = None

    def __str__(self) -> str:
        parts = [f"{self.path or '<file>'}: {self.message}"]
        if self.expected:
            parts.append(f"expected {self.expected}")
        if self.found is not None:
            parts.append(f"found {self.found}")
        text = "; ".join(parts)
        if self.fix:
            text += f". Fix: {self.fix}"
        return text

    def as_dict(self) -> dict[str, str | None]:
        return {
            "path": self.path,
            "message": self.message,
            "expected": self.expected,
            "found": self.found,
            "fix": self.fix,
        }


class MgpnError(Exception):
    """Base of every error mgpn raises on purpose."""


class InputError(MgpnError):
    """User input that cannot be read; ``issues`` lists every problem found."""

    def __init__(self, source: str, issues: list[Issue]) -> None:
        self.source = source
        self.issues = list(issues)
        lines = "\n".join(f"  - {issue}" for issue in self.issues)
        super().__init__(f"{source}: {len(self.issues)} problem(s)\n{lines}")


class CaseError(InputError):
    """A case file that does not follow mgpn-case/1."""


class CohortError(InputError):
    """A cohort table that does not follow mgpn-cohort/1."""


class FhirError(InputError):
    """FHIR input (a Bundle or resources for one patient) that cannot be read."""


class MappingError(InputError):
    """A FHIR code-mapping file (bundled or a site's) that breaks its schema."""


class KnowledgeError(MgpnError):
    """The knowledge base is malformed; raised at load time, never mid-evaluation."""


class NotFoundError(MgpnError):
    """A requested object (stored case, knowledge id) does not exist."""


class StorageError(MgpnError):
    """The database refused or failed an operation; nothing was stored half-way."""


class ConflictError(StorageError):
    """A save edited version ``base_version`` but ``latest_version`` is newer; nothing saved.

    Optimistic concurrency: the newer version is never overwritten, and the caller is
    told to reload it.
    """

    def __init__(self, case_id: str, base_version: int, latest_version: int) -> None:
        self.case_id = case_id
        self.base_version = base_version
        self.latest_version = latest_version
        super().__init__(
            f"case {case_id} has changed: this save edits version {base_version}, but version "
            f"{latest_version} is the latest. Nothing was saved. Fix: reload the latest "
            "version, then enter the change again"
        )


class SettingsError(MgpnError):
    """A deployment setting is missing, contradictory or unsafe; raised at start-up."""


class ScreeningError(InputError):
    """A screening run that cannot start: the export folder, the engine, or its runtime (Java)."""
