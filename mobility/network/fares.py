"""Public transport fares: Takst Sjælland zone counts and the rejsekort price table.

Every 1 km zone of the model is mapped to the fare zone its centre lies in
(``geodata/sjaelland_takstzoner_2019_wgs84.geojson``; a centre in no fare zone, e.g. on the
coast, takes the nearest). The number of zones travelled between two fare zones comes from the
Takst Sjælland zone-distance matrix (``geodata/takst_sjaelland_zone_distance_matrix.csv``,
codes 1000 + ``zone_nr``), and the fare from the price table of ``geodata/fares.yaml``
(rejsekort adult 2023, minimum 2 zones). A scenario may edit the table (initiative 33,
op ``fare_change``): ``factor`` scales all prices, ``max_zones`` caps the zones charged.
"""

from __future__ import annotations

import itertools
import math
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from .. import geodata
from ..errors import GeodataError
from ._data import read_yaml

__all__ = ["fare_dkk", "fare_matrix", "fare_table", "zone_fare_zones", "zones_travelled"]


@lru_cache(maxsize=1)
def fare_table() -> dict[str, Any]:
    """The parsed ``geodata/fares.yaml`` (checked: positive, increasing prices)."""
    data = read_yaml("fares.yaml", {"prices_dkk", "minimum_zones", "step_beyond_dkk"})
    prices = data["prices_dkk"]
    keys = sorted(prices) if isinstance(prices, dict) else []
    ok = (keys and all(isinstance(k, int) for k in keys)
          and all(isinstance(prices[k], int | float) and math.isfinite(prices[k])
                  and prices[k] > 0 for k in keys)
          and all(prices[a] < prices[b] for a, b in itertools.pairwise(keys)))
    if not ok:
        msg = "fares.yaml: prices_dkk must map zone counts to positive, increasing prices"
        raise GeodataError(msg)
    return data


def fare_dkk(zones: int | np.ndarray, edits: dict[str, float] | None = None) -> Any:
    """Fare (DKK) for a number of zones travelled, after the scenario's fare ``edits``."""
    data = fare_table()
    prices = data["prices_dkk"]
    top = max(prices)
    n = np.maximum(np.asarray(zones, dtype=np.int64), int(data["minimum_zones"]))
    if edits and edits.get("max_zones"):
        n = np.minimum(n, int(edits["max_zones"]))
    lookup = np.array([prices.get(k, np.nan) for k in range(top + 1)], dtype=np.float64)
    inside = np.minimum(n, top)
    out = lookup[inside] + np.maximum(n - top, 0) * float(data["step_beyond_dkk"])
    if edits and edits.get("factor"):
        out = out * float(edits["factor"])
    return out if out.ndim else float(out)


@lru_cache(maxsize=1)
def _matrix() -> pd.DataFrame:
    path = geodata.get_path("takst_sjaelland_zone_distance_matrix.csv")
    try:
        m = pd.read_csv(path, index_col=0)
    except (OSError, ValueError) as err:
        msg = f"cannot read {path}: {err}"
        raise GeodataError(msg) from err
    m.columns = m.columns.astype(int)
    return m


@lru_cache(maxsize=1)
def zone_fare_zones() -> np.ndarray:
    """Fare zone code (1000 + ``zone_nr``) of every model zone (order of ``study_zones``)."""
    import geopandas as gpd

    from .zones import study_zones

    z = study_zones()
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(z["x"], z["y"]), crs=geodata.CRS)
    fz = geodata.load_fare_zones().to_crs(geodata.CRS)[["zone_nr", "geometry"]]
    fz = fz[fz["zone_nr"].astype(int).add(1000).isin(_matrix().index)]
    hit = gpd.sjoin_nearest(pts, fz, how="left")
    hit = hit[~hit.index.duplicated(keep="first")]
    return (hit["zone_nr"].astype(int).to_numpy() + 1000).astype(np.int64)


@lru_cache(maxsize=1)
def zones_travelled() -> np.ndarray:
    """Zones travelled between every pair of model zones (int16, from the matrix)."""
    m = _matrix()
    codes = zone_fare_zones()
    sub = m.loc[codes, codes].to_numpy(dtype=np.float64)
    if np.isnan(sub).any():
        msg = "takst_sjaelland_zone_distance_matrix.csv has no zone count for some model zones"
        raise GeodataError(msg)
    out = sub.astype(np.int16)
    out.setflags(write=False)
    return out


def fare_matrix(edits: dict[str, float] | None = None) -> np.ndarray:
    """Fare per trip (DKK, float32) between every pair of model zones."""
    return _fare_matrix(tuple(sorted((edits or {}).items())))


@lru_cache(maxsize=4)
def _fare_matrix(edits: tuple[tuple[str, float], ...]) -> np.ndarray:
    out = fare_dkk(zones_travelled(), dict(edits)).astype(np.float32)
    out.setflags(write=False)
    return out
