"""Compatibility module: the static charts live in :mod:`mobility.outputs.charts`.

This module only re-exports the public names of :mod:`mobility.outputs.charts`, so that code
written against ``mobility.charts`` (other branches, notebooks) keeps working. New code imports
from :mod:`mobility.outputs.charts`.
"""

from __future__ import annotations

from .outputs.charts import *  # noqa: F403
from .outputs.charts import __all__  # noqa: F401
