"""Compatibility module: the interactive maps live in :mod:`mobility.outputs.maps`.

This module only re-exports the public names of :mod:`mobility.outputs.maps`, so that code
written against ``mobility.maps`` (other branches, notebooks) keeps working. New code imports
from :mod:`mobility.outputs.maps`.
"""

from __future__ import annotations

from .outputs.maps import *  # noqa: F403
from .outputs.maps import __all__  # noqa: F401
