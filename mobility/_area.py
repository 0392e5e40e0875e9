"""The study area: the bounds of the 35 municipalities (shipped geodata) plus a margin.

Places and geometries of initiatives and network edits must lie inside it; coordinates
anywhere else on Earth are a typing error (swapped lon/lat, a missing digit).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from . import geodata

__all__ = ["MARGIN_KM", "geometry_outside", "outside_study_area", "study_area_bounds"]

#: Margin around the municipalities' bounding box, km. ASSUMPTION (low 5, high 50): a
#: validation tolerance, not a model parameter; it admits places just outside the region's
#: edge (a terminus in a neighbouring municipality) and rejects anything further away.
MARGIN_KM = 20.0


@lru_cache(maxsize=1)
def study_area_bounds() -> tuple[float, float, float, float]:
    """(xmin, ymin, xmax, ymax) in EPSG:25832: the municipalities' bounds plus the margin."""
    xmin, ymin, xmax, ymax = (float(v) for v in geodata.load_municipalities().total_bounds)
    m = MARGIN_KM * 1000.0
    return xmin - m, ymin - m, xmax + m, ymax + m


def outside_study_area(x: float, y: float) -> bool:
    """True if EPSG:25832 point ``x, y`` lies outside :func:`study_area_bounds`."""
    xmin, ymin, xmax, ymax = study_area_bounds()
    return not (xmin <= x <= xmax and ymin <= y <= ymax)


def geometry_outside(geom: Any) -> str | None:
    """A message if shapely geometry ``geom`` (EPSG:25832) is not within the study area."""
    if geom is None or geom.is_empty:
        return None
    gx0, gy0, gx1, gy1 = geom.bounds
    if outside_study_area(gx0, gy0) or outside_study_area(gx1, gy1):
        return ("geometry lies outside the study area (the 35 municipalities plus "
                f"{MARGIN_KM:.0f} km); check the coordinates ([lon, lat] in WGS84)")
    return None
