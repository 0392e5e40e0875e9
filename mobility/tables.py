"""Compatibility module: the decision tables live in :mod:`mobility.outputs.tables` and the
Word decision paper in :mod:`mobility.outputs.paper`.

This module only re-exports their public names, so that code written against
``mobility.tables`` (other branches, notebooks) keeps working. New code imports from
:mod:`mobility.outputs.tables` and :mod:`mobility.outputs.paper`.
"""

from __future__ import annotations

from .outputs import paper as _paper
from .outputs import tables as _tables
from .outputs.paper import *  # noqa: F403
from .outputs.tables import *  # noqa: F403

__all__ = sorted({*_tables.__all__, *_paper.__all__} - {"render", "build_tables"})
