"""Cohort tables (``mgpn-cohort/1``), their statistics and reports (REDCap exchange: mgpn.interop.redcap).

Research use; not for individual patient decisions.
"""

from __future__ import annotations

from mgpn.cohort.loading import Cohort, load_cohort, validate_frame
from mgpn.cohort.results import CohortAnalysis, NotComputed
from mgpn.cohort.statistics import analyze_cohort

__all__ = [
    "Cohort",
    "CohortAnalysis",
    "NotComputed",
    "analyze_cohort",
    "load_cohort",
    "validate_frame",
]
