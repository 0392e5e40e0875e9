"""Compatibility module: the decision tables live in :mod:`mobility.outputs.tables` and the
Word decision paper in :mod:`mobility.outputs.paper`.

This module only re-exports their public names, so that code written against
``mobility.tables`` (other branches, notebooks) keeps working. New code imports from
:mod:`mobility.outputs.tables` and :mod:`mobility.outputs.paper`.
"""

from __future__ import annotations

from .outputs.paper import to_docx, write_docx
from .outputs.tables import (
    FORMATS,
    DecisionTable,
    bundle_table,
    incidence_table,
    ranking_table,
    star_table,
    to_csv,
    to_markdown,
    to_xlsx,
    write_csv,
    write_markdown,
    write_xlsx,
)

__all__ = [
    "FORMATS",
    "DecisionTable",
    "bundle_table",
    "incidence_table",
    "ranking_table",
    "star_table",
    "to_csv",
    "to_docx",
    "to_markdown",
    "to_xlsx",
    "write_csv",
    "write_docx",
    "write_markdown",
    "write_xlsx",
]
