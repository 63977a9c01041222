"""The reasoning engine: evaluates the knowledge base's rules against a case.

It knows no medicine. Every status, test and option comes from a rule in
:mod:`mgpn.knowledge`, evaluated with three-valued logic (absent = unknown).
"""

from mgpn.engine.assess import evaluate_case as evaluate

__all__ = ["evaluate"]
