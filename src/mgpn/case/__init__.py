"""The case file, format ``mgpn-case/1``: model, units, loading and validation."""

from mgpn.case.catalog import FieldDescriptor, field_catalog, known_paths
from mgpn.case.loader import dump_case, load_case, parse_case, read_document
from mgpn.case.model import CASE_FORMAT, Case, TreatmentGiven, Visit
from mgpn.case.quantity import Quantity

__all__ = [
    "CASE_FORMAT",
    "Case",
    "FieldDescriptor",
    "Quantity",
    "TreatmentGiven",
    "Visit",
    "dump_case",
    "field_catalog",
    "known_paths",
    "load_case",
    "parse_case",
    "read_document",
]
