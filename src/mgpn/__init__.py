"""mgpn: decision support for peripheral neuropathy with a monoclonal gammopathy.

It supports, and does not replace, clinical judgment. The public surface is small:

    >>> import mgpn
    >>> case = mgpn.load_case("case.yaml")        # doctest: +SKIP
    >>> assessment = mgpn.evaluate(case)           # doctest: +SKIP
    >>> for item in mgpn.evaluate_many(paths):     # doctest: +SKIP  (parallel, in order)
    ...     print(item.source, item.error or item.assessment.syndromes[0].label)

Follow-up (``mgpn.outcomes``) and cohort studies (``mgpn.cohort``) are sub-packages with
their own small APIs, imported on demand because they load plotting and statistics
libraries.

Every name below is imported on first use (PEP 562), not by ``import mgpn``: a command
that imports ``mgpn.cli.main`` (and so this package) pays only for the modules it uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mgpn.errors import (
    CaseError,
    CohortError,
    InputError,
    Issue,
    KnowledgeError,
    MgpnError,
    NotFoundError,
    StorageError,
)
from mgpn.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from mgpn.assessment import Assessment
    from mgpn.batch import evaluate_many
    from mgpn.case import Case, Quantity, dump_case, field_catalog, load_case, parse_case
    from mgpn.engine import evaluate
    from mgpn.knowledge import disclaimer, load_knowledge

__version__ = "0.1.0"

__all__ = [
    "Assessment",
    "Case",
    "CaseError",
    "CohortError",
    "InputError",
    "Issue",
    "KnowledgeError",
    "MgpnError",
    "NotFoundError",
    "Quantity",
    "StorageError",
    "__version__",
    "disclaimer",
    "dump_case",
    "evaluate",
    "evaluate_many",
    "field_catalog",
    "load_case",
    "load_knowledge",
    "parse_case",
]

# Public name -> the module that defines it (imported when the name is first used).
_LAZY: dict[str, str] = {
    "Assessment": "mgpn.assessment",
    "Case": "mgpn.case",
    "Quantity": "mgpn.case",
    "dump_case": "mgpn.case",
    "field_catalog": "mgpn.case",
    "load_case": "mgpn.case",
    "parse_case": "mgpn.case",
    "evaluate": "mgpn.engine",
    "evaluate_many": "mgpn.batch",
    "disclaimer": "mgpn.knowledge",
    "load_knowledge": "mgpn.knowledge",
}


__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
