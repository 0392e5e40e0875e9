"""Compatibility module: the interactive maps live in :mod:`mobility.outputs.maps`.

This module only re-exports the public names of :mod:`mobility.outputs.maps`, so that code
written against ``mobility.maps`` (other branches, notebooks) keeps working. New code imports
from :mod:`mobility.outputs.maps`.
"""

from __future__ import annotations

from .outputs.maps import (
    ATTRIBUTIONS,
    DEFAULT_TILES,
    LEAFLET_VERSION,
    SIMPLIFY_TOLERANCE_M,
    accessibility_map,
    bundle_comparison_map,
    catalogue_map,
    expected_paths,
    initiative_popup_html,
    render_html,
    score_map,
    write_map,
)

__all__ = [
    "ATTRIBUTIONS",
    "DEFAULT_TILES",
    "LEAFLET_VERSION",
    "SIMPLIFY_TOLERANCE_M",
    "accessibility_map",
    "bundle_comparison_map",
    "catalogue_map",
    "expected_paths",
    "initiative_popup_html",
    "render_html",
    "score_map",
    "write_map",
]
