"""Stop coverage: how many residents live farther than a walk from a modelled stop.

A zone (1 km population cell of the study area) is *covered* when its centre lies within
``max_m`` metres (straight line) of a stop or station of at least one service of the network.
The default threshold is the model's walking limit ``params.WALK_MAX_M`` (1.2 km).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from ..errors import NetworkError
from . import params
from .services import Network
from .zones import study_zones

__all__ = ["stop_coverage"]


def stop_coverage(net: Network | None = None, max_m: float | None = None) -> dict[str, Any]:
    """Share of residents (and of zones) farther than ``max_m`` from a served stop.

    Parameters
    ----------
    net : Network, optional
        The network to measure (default: the base network).
    max_m : float, optional
        Threshold in metres (default ``params.WALK_MAX_M``).

    Returns
    -------
    dict
        ``max_m``, ``stops`` (served stops counted), ``population``, ``population_uncovered``,
        ``share_population_uncovered`` (0-1), ``zones``, ``zones_uncovered``,
        ``share_zones_uncovered`` (0-1) and ``by_municipality`` (a DataFrame:
        ``municipality_code``, ``municipality``, ``population``, ``population_uncovered``,
        ``share_uncovered``).

    Raises
    ------
    NetworkError
        ``max_m`` is not a non-negative finite number.
    """
    if net is None:
        from .base import base_network

        net = base_network()
    limit = float(params.WALK_MAX_M if max_m is None else max_m)
    if not np.isfinite(limit) or limit < 0:
        msg = f"max_m must be a non-negative number of metres, not {max_m!r}"
        raise NetworkError(msg)
    stops = net.station_keys()
    xy = np.array([net.stations[s] for s in stops], dtype=float)
    z = study_zones()
    dist, _ = cKDTree(xy).query(np.column_stack([z["x"], z["y"]]))
    far = dist > limit
    pop = z["population"].to_numpy(dtype=float)
    frame = pd.DataFrame({"municipality_code": z["municipality_code"],
                          "municipality": z["municipality"], "population": pop,
                          "population_uncovered": np.where(far, pop, 0.0)})
    by_mun = frame.groupby(["municipality_code", "municipality"], as_index=False).sum()
    by_mun["share_uncovered"] = by_mun["population_uncovered"] / by_mun["population"]
    total = float(pop.sum())
    return {
        "max_m": limit,
        "stops": len(stops),
        "population": total,
        "population_uncovered": float(pop[far].sum()),
        "share_population_uncovered": float(pop[far].sum()) / total if total else 0.0,
        "zones": len(z),
        "zones_uncovered": int(far.sum()),
        "share_zones_uncovered": float(far.mean()) if len(z) else 0.0,
        "by_municipality": by_mun.sort_values("share_uncovered", ascending=False,
                                              ignore_index=True),
    }
