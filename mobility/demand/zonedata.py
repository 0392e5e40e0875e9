"""Zone data: residents, employed residents and jobs per 1 km zone, and car availability.

Jobs and employed residents per municipality (Statistics Denmark AFSTA3/AFSTB3, November 2022,
``geodata/jobs_by_kommune_2022_dst.csv``) are spread over the municipality's zones (the
populated 1 km cells of :func:`mobility.network.zones.study_zones`):

- employed residents in proportion to residents;
- jobs in proportion to ``residents x w_urban x w_station``, with ``w_urban = JOB_URBAN_WEIGHT``
  for urban cells (at least ``params.URBAN_MIN_POPULATION`` residents) and 1 otherwise, and
  ``w_station = JOB_STATION_WEIGHT`` for cells whose centre lies within
  ``JOB_STATION_RADIUS_M`` of a rail, metro or light-rail station, 1 otherwise.

Both are rounded to whole persons by the largest-remainder rule, so municipal totals are kept
exactly. The derived table ships as ``geodata/zones_jobs_2022.csv``; regenerate it with
``python3 -m mobility.demand.zonedata`` after a change of the rule or its parameters.
Jobs in cells without residents (industrial estates) are assigned to populated cells of the
same municipality: the zones are the populated cells.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from .. import geodata
from ..errors import GeodataError
from . import parameters as P

__all__ = ["derive_zone_table", "largest_remainder", "load_zone_data", "municipal_jobs"]


def largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Split the integer ``total`` over ``weights`` into integers summing exactly to it."""
    w = np.asarray(weights, dtype=np.float64)
    if total < 0 or not np.isfinite(w).all() or (w < 0).any():
        msg = "largest_remainder needs a non-negative total and finite non-negative weights"
        raise ValueError(msg)
    if w.sum() <= 0:
        w = np.ones_like(w)
    exact = total * w / w.sum()
    out = np.floor(exact).astype(np.int64)
    rest = int(total - out.sum())
    if rest > 0:
        order = np.argsort(-(exact - out), kind="stable")[:rest]
        out[order] += 1
    return out


@lru_cache(maxsize=1)
def _municipal() -> pd.DataFrame:
    df = geodata.read_csv("jobs_by_municipality",
                           ["kommune_code", "kommune", "employed_by_workplace",
                            "employed_by_residence"])
    return df.set_index("kommune_code")


def municipal_jobs() -> pd.DataFrame:
    """Per municipality code: ``kommune``, ``employed_by_workplace`` (jobs),
    ``employed_by_residence`` (employed residents) and the distance bands (a copy)."""
    return _municipal().copy()


def derive_zone_table() -> pd.DataFrame:
    """The zone table by the rule of the module docstring (from the shipped inputs)."""
    from ..network import params as net_params
    from ..network.zones import study_zones

    z = study_zones()
    muni = _municipal()
    st = geodata.load_stations()
    if "in_study_area" in st.columns:
        st = st[st["in_study_area"].astype(bool)]
    xy = np.column_stack([st.geometry.x, st.geometry.y])
    d, _ = cKDTree(xy).query(np.column_stack([z["x"], z["y"]]), k=1)
    near = d <= P.value("JOB_STATION_RADIUS_M")
    urban = z["population"].to_numpy() >= net_params.URBAN_MIN_POPULATION
    pop = z["population"].to_numpy(dtype=np.float64)
    wjob = pop * np.where(urban, P.value("JOB_URBAN_WEIGHT"), 1.0) * np.where(
        near, P.value("JOB_STATION_WEIGHT"), 1.0)
    jobs = np.zeros(len(z), dtype=np.int64)
    emp = np.zeros(len(z), dtype=np.int64)
    codes = z["municipality_code"].to_numpy()
    for code in np.unique(codes):
        if code not in muni.index:
            msg = f"municipality {code} has no row in geodata/jobs_by_kommune_2022_dst.csv"
            raise GeodataError(msg)
        m = codes == code
        jobs[m] = largest_remainder(int(muni.at[code, "employed_by_workplace"]), wjob[m])
        emp[m] = largest_remainder(int(muni.at[code, "employed_by_residence"]), pop[m])
    return pd.DataFrame({
        "cell_id": z["cell_id"].to_numpy(), "municipality_code": codes,
        "population": z["population"].to_numpy(), "employed_residents": emp, "jobs": jobs,
        "urban": urban, "near_station": near})


@lru_cache(maxsize=1)
def _zone_data() -> pd.DataFrame:
    from ..network.zones import study_zones

    df = geodata.read_csv("zones_jobs", ["cell_id", "municipality_code", "employed_residents",
                                          "jobs"])
    z = study_zones()
    if len(df) != len(z) or not (df["cell_id"].to_numpy() == z["cell_id"].to_numpy()).all():
        msg = (f"{geodata.get_path('zones_jobs')} does not match the study zones "
               "(regenerate it: python3 -m mobility.demand.zonedata)")
        raise GeodataError(msg)
    stats = geodata.load_municipality_stats().set_index("code")
    car = stats["car_access_pct"].reindex(z["municipality_code"]).to_numpy(dtype=np.float64)
    if not np.isfinite(car).all():
        msg = "dk_kommune_attributes.csv: car_access_pct missing for a study municipality"
        raise GeodataError(msg)
    out = pd.DataFrame({
        "cell_id": z["cell_id"].to_numpy(),
        "municipality_code": z["municipality_code"].to_numpy(),
        "municipality": z["municipality"].to_numpy(),
        "population": z["population"].to_numpy(dtype=np.int64),
        "employed_residents": df["employed_residents"].to_numpy(dtype=np.int64),
        "jobs": df["jobs"].to_numpy(dtype=np.int64),
        "car_share": car / 100.0,
        "x": z["x"].to_numpy(), "y": z["y"].to_numpy(),
    })
    return out


def load_zone_data() -> pd.DataFrame:
    """Zone data in the order of the study zones (a copy).

    Columns: ``cell_id``, ``municipality_code``, ``municipality``, ``population``,
    ``employed_residents``, ``jobs``, ``car_share`` (persons with a car available: the
    municipality's ``car_access_pct`` / 100), ``x``, ``y``.
    """
    return _zone_data().copy()


def _main() -> None:  # pragma: no cover - maintenance script
    path = geodata.get_path("jobs_by_municipality").parent / "zones_jobs_2022.csv"
    derive_zone_table().to_csv(path, index=False)
    print(f"wrote {path}")


if __name__ == "__main__":  # pragma: no cover
    _main()
