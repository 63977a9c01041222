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
"""

from mgpn.assessment import Assessment
from mgpn.batch import evaluate_many
from mgpn.case import Case, Quantity, dump_case, field_catalog, load_case, parse_case
from mgpn.engine import evaluate
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
