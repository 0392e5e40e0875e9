"""Shipped geodata: one place to find, load and cache it.

All loaders return new GeoDataFrames in EPSG:25832 (ETRS89 / UTM 32N), the Danish standard for
measuring; maps reproject to EPSG:4326 themselves. Results are cached (read once per process)
and every call returns a copy, so callers may modify what they get.

Examples
--------
>>> from mobility import geodata
>>> munis = geodata.load_municipalities()
>>> len(munis)
35
>>> geodata.resolve_place("Buddinge St.").kind
'station'
"""

from __future__ import annotations

import difflib
import logging
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer
from shapely.geometry import Point, box

from ._paths import shipped_dir
from .errors import GeodataError, PlaceNotFoundError

__all__ = [
    "CRS",
    "CRS_MAP",
    "FILES",
    "FINGERPLAN_CODES",
    "STUDY_AREA_CODES",
    "Place",
    "get_path",
    "load_basemap_municipalities",
    "load_fare_zones",
    "load_municipalities",
    "load_municipality_stats",
    "load_places",
    "load_population_grid",
    "load_rail_nodes",
    "load_rail_segments",
    "load_stations",
    "load_stops",
    "lonlat_to_utm",
    "place_names",
    "read_csv",
    "resolve_place",
    "unserved_stations",
]

log = logging.getLogger(__name__)

#: CRS used for every computation (metres).
CRS = "EPSG:25832"
#: CRS used for drawing web maps.
CRS_MAP = "EPSG:4326"

#: The 35 municipality codes of the study area: Region Hovedstaden's 29 plus Greve, Køge, Lejre,
#: Roskilde, Solrød and Stevns.
STUDY_AREA_CODES: tuple[int, ...] = (
    101, 147, 151, 153, 155, 157, 159, 161, 163, 165, 167, 169, 173, 175, 183, 185, 187, 190,
    201, 210, 217, 219, 223, 230, 240, 250, 260, 270, 400, 253, 259, 265, 269, 336, 350,
)
#: The Fingerplan area: the study area without Bornholm (400).
FINGERPLAN_CODES: tuple[int, ...] = tuple(c for c in STUDY_AREA_CODES if c != 400)

#: Logical dataset name -> (file name in ``geodata/``, what it is).
FILES: dict[str, tuple[str, str]] = {
    "municipalities": (
        "hovedstad_kommuner_dagi_dawa2021_wgs84.geojson",
        "the 35 municipalities of the study area (DAGI 2021) with population 2021Q1",
    ),
    "stations": (
        "dk_rail_stations_tablesalt2021_wgs84.geojson",
        "rail, metro and light-rail stations in Denmark (Rejseplanen 2020-21)",
    ),
    "rail_segments": (
        "hovedstad_rail_segments_wgs84.geojson",
        "station-to-station rail links in the study area (+2 km)",
    ),
    "rail_nodes": (
        "hovedstad_rail_network_nodes_wgs84.geojson",
        "end points of the rail links",
    ),
    "stops": (
        "hovedstad_stops_rejseplanen_2020.csv",
        "all public transport stops in the 35 municipalities (Rejseplanen 2020)",
    ),
    "population_grid": (
        "pop_grid_1km_2021_capital_region.csv",
        "populated 1 km cells (Eurostat GEOSTAT census 2021, EPSG:3035 lower-left corners)",
    ),
    "municipality_stats": (
        "dk_kommune_attributes.csv",
        "municipal statistics (population, area, commuting, car access, PT access)",
    ),
    "basemap_municipalities": (
        "dk_kommuner_basemap_simplified_wgs84.geojson",
        "all 99 Danish municipalities, simplified for the maps' offline basemap",
    ),
    "fare_zones": (
        "sjaelland_takstzoner_2019_wgs84.geojson",
        "Zealand public transport fare zones 2019",
    ),
    "places": (
        "places.csv",
        "places added by this project (new stations, hospitals, road junctions), with sources",
    ),
    "aliases": (
        "aliases.csv",
        "alternative names for stations and places (e.g. København Syd = Ny Ellebjerg St.) and "
        "station complexes (e.g. Nørreport St. (Metro) = Nørreport St.)",
    ),
    "unserved_stations": (
        "unserved_stations.csv",
        "study-area stations no base service calls at, with the reason",
    ),
    "jobs_by_municipality": (
        "jobs_by_kommune_2022_dst.csv",
        "jobs and employed residents per municipality, November 2022 (DST AFSTA3/AFSTB3)",
    ),
    "zones_jobs": (
        "zones_jobs_2022.csv",
        "residents, employed residents and jobs per 1 km zone (derived, mobility.demand.zonedata)",
    ),
    "demand_parameters": (
        "demand_parameters.csv",
        "parameters of the demand model: value, low, high, unit, source",
    ),
}


@lru_cache(maxsize=1)
def _lonlat_transformer() -> Transformer:
    return Transformer.from_crs(CRS_MAP, CRS, always_xy=True)


def lonlat_to_utm(lon: float, lat: float) -> tuple[float, float]:
    """Transform WGS84 ``lon, lat`` to EPSG:25832 ``x, y`` (metres)."""
    x, y = _lonlat_transformer().transform(lon, lat)
    return float(x), float(y)


def get_path(name: str) -> Path:
    """Return the path of a shipped geodata file by its logical name.

    Parameters
    ----------
    name : str
        One of the keys of :data:`FILES`, or a file name inside ``geodata/``.

    Raises
    ------
    GeodataError
        If the name is unknown (the message lists the options) or the file is missing.
    """
    root = shipped_dir("geodata")
    if name in FILES:
        path = root / FILES[name][0]
    elif (root / name).is_file():
        return root / name
    else:
        msg = f"unknown geodata set {name!r}; choose one of: {', '.join(sorted(FILES))}"
        raise GeodataError(msg)
    if not path.is_file():
        msg = f"geodata file for {name!r} is missing: {path}"
        raise GeodataError(msg)
    return path


def _read_vector(name: str) -> gpd.GeoDataFrame:
    path = get_path(name)
    try:
        gdf = gpd.read_file(path)
    except Exception as err:  # pyogrio raises several types for corrupt files
        msg = f"cannot read geodata file {path}: {err}"
        raise GeodataError(msg) from err
    if gdf.crs is None or gdf.empty:
        msg = f"geodata file {path} has no CRS or no features"
        raise GeodataError(msg)
    return gdf.to_crs(CRS)


def read_csv(name: str, required: list[str] | tuple[str, ...], **read_kw: Any) -> pd.DataFrame:
    """Read the shipped CSV ``name`` (``pandas.read_csv`` options in ``read_kw``) and check
    that it has the ``required`` columns.

    Raises
    ------
    GeodataError
        The file cannot be read or lacks a column.
    """
    path = get_path(name)
    try:
        df = pd.read_csv(path, **read_kw)
    except Exception as err:
        msg = f"cannot read geodata file {path}: {err}"
        raise GeodataError(msg) from err
    missing = [c for c in required if c not in df.columns]
    if missing:
        msg = f"geodata file {path} lacks column(s) {', '.join(missing)}"
        raise GeodataError(msg)
    return df


@lru_cache(maxsize=1)
def _municipalities() -> gpd.GeoDataFrame:
    gdf = _read_vector("municipalities")
    gdf = gdf.rename(columns={"kode_int": "code", "navn": "name"})
    gdf["code"] = gdf["code"].astype(int)
    gdf = gdf[gdf["code"].isin(STUDY_AREA_CODES)]
    out = gdf[["code", "name", "regionsnavn", "population", "geometry"]].rename(
        columns={"regionsnavn": "region"}
    )
    out["population"] = out["population"].astype(int)
    out["fingerplan"] = out["code"].isin(FINGERPLAN_CODES)
    return out.sort_values("code").reset_index(drop=True)


def load_municipalities() -> gpd.GeoDataFrame:
    """The 35 municipalities of the study area.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``code`` (int), ``name``, ``region``, ``population`` (2021Q1), ``fingerplan``
        (bool), ``geometry`` (MultiPolygon, EPSG:25832), sorted by code.
    """
    return _municipalities().copy()


@lru_cache(maxsize=1)
def _basemap_municipalities() -> gpd.GeoDataFrame:
    gdf = _read_vector("basemap_municipalities")
    gdf["code"] = gdf["code"].astype(int)
    gdf["in_study_area"] = gdf["in_study_area"].astype(bool)
    cols = ["code", "name", "in_study_area", "geometry"]
    return gpd.GeoDataFrame(gdf[cols], geometry="geometry").to_crs(CRS).sort_values(
        "code").reset_index(drop=True)


def load_basemap_municipalities() -> gpd.GeoDataFrame:
    """All 99 Danish municipalities, simplified for drawing (the maps' offline basemap).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``code`` (int), ``name``, ``in_study_area`` (bool), ``geometry`` (EPSG:25832;
        simplified: 80 m inside the study area, 300 m outside; islands under 0.2 / 2 km²
        dropped).
    """
    return _basemap_municipalities().copy()


@lru_cache(maxsize=1)
def _stations() -> gpd.GeoDataFrame:
    gdf = _read_vector("stations")
    gdf = gdf.rename(columns={"kommune_kode": "municipality_code", "kommune_navn": "municipality"})
    gdf["municipality_code"] = gdf["municipality_code"].astype("Int64")
    gdf["source"] = "rejseplanen"
    added = _places()
    added = added[added["kind"] == "station"]
    if not added.empty:
        extra = added[["name", "lines", "modes", "municipality_code", "geometry"]].copy()
        extra["stop_id"] = pd.NA
        extra["municipality"] = pd.NA
        extra["in_study_area"] = True
        extra["source"] = "project"
        gdf = pd.concat([gdf, extra.to_crs(CRS)], ignore_index=True)
    cols = ["stop_id", "name", "lines", "modes", "municipality_code", "municipality",
            "in_study_area", "source", "geometry"]
    return gpd.GeoDataFrame(gdf[cols], geometry="geometry", crs=CRS).reset_index(drop=True)


def load_stations() -> gpd.GeoDataFrame:
    """Rail, metro and light-rail stations (all Denmark) plus stations added by the project.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``stop_id`` (UIC, missing for added stations), ``name``, ``lines`` (``;``-joined),
        ``modes``, ``municipality_code``, ``municipality``, ``in_study_area``, ``source``
        (``"rejseplanen"`` or ``"project"``), ``geometry`` (Point, EPSG:25832).
    """
    return _stations().copy()


@lru_cache(maxsize=1)
def _rail_segments() -> gpd.GeoDataFrame:
    gdf = _read_vector("rail_segments")
    gdf = gdf.rename(columns={"TSYSSET": "tsys", "FROMNODENO": "from_node", "TONODENO": "to_node"})
    cols = ["from_node", "to_node", "from_uic", "to_uic", "from_name", "to_name", "tsys",
            "length_km", "geometry"]
    return gdf[cols].reset_index(drop=True)


def load_rail_segments() -> gpd.GeoDataFrame:
    """Station-to-station rail links following the track (study area + 2 km).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``from_node``, ``to_node``, ``from_uic``, ``to_uic``, ``from_name``, ``to_name``
        (empty where the end is not a listed station), ``tsys`` (comma-joined transport systems:
        S, M, Lo, Let, IC, Lyn, RE, Ar, ...), ``length_km``, ``geometry`` (LineString).
    """
    return _rail_segments().copy()


@lru_cache(maxsize=1)
def _rail_nodes() -> gpd.GeoDataFrame:
    return _read_vector("rail_nodes").reset_index(drop=True)


def load_rail_nodes() -> gpd.GeoDataFrame:
    """End points of the rail links: ``uic``, ``name`` (may be empty), ``tsys``, ``geometry``."""
    return _rail_nodes().copy()


@lru_cache(maxsize=1)
def _stops() -> gpd.GeoDataFrame:
    df = read_csv("stops", ["stop_id", "name", "x_utm32", "y_utm32", "kommune_kode"])
    gdf = gpd.GeoDataFrame(
        df.rename(columns={"kommune_kode": "municipality_code", "kommune_navn": "municipality"}),
        geometry=gpd.points_from_xy(df["x_utm32"], df["y_utm32"]),
        crs=CRS,
    )
    return gdf[["stop_id", "name", "municipality_code", "municipality", "geometry"]]


def load_stops() -> gpd.GeoDataFrame:
    """All public transport stops (bus, rail, metro) in the 35 municipalities (Rejseplanen 2020).

    Bus stop names carry the street in brackets, e.g. ``"Husum Torv (Frederikssundsvej)"``; the
    two directions of a stop are usually two rows with the same name.
    """
    return _stops().copy()


@lru_cache(maxsize=1)
def _population_grid() -> gpd.GeoDataFrame:
    df = read_csv("population_grid", ["n_km", "e_km", "befolkning"])
    df = df[df["befolkning"] > 0]
    cells = [
        box(e * 1000.0, n * 1000.0, e * 1000.0 + 1000.0, n * 1000.0 + 1000.0)
        for e, n in zip(df["e_km"], df["n_km"], strict=True)
    ]
    gdf = gpd.GeoDataFrame(
        {
            "cell_id": [f"1kmN{n}E{e}" for e, n in zip(df["e_km"], df["n_km"], strict=True)],
            "population": df["befolkning"].astype(int).to_numpy(),
        },
        geometry=cells,
        crs="EPSG:3035",
    ).to_crs(CRS)
    centroids = gpd.GeoDataFrame(geometry=gdf.geometry.centroid, crs=CRS)
    munis = _municipalities()[["code", "name", "geometry"]]
    joined = gpd.sjoin(centroids, munis, how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    # cells whose centre lies in the sea: take the nearest municipality within 1.5 km
    missing = joined["code"].isna()
    if missing.any():
        near = gpd.sjoin_nearest(
            centroids[missing], munis, how="left", max_distance=1500.0
        )
        near = near[~near.index.duplicated(keep="first")]
        joined.loc[missing, "code"] = near["code"]
        joined.loc[missing, "name"] = near["name"]
    gdf["municipality_code"] = joined["code"].astype("Int64")
    gdf["municipality"] = joined["name"]
    gdf["in_study_area"] = gdf["municipality_code"].notna()
    return gdf.reset_index(drop=True)


def load_population_grid() -> gpd.GeoDataFrame:
    """Populated 1 km grid cells (census 2021), reprojected to EPSG:25832.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``cell_id`` (INSPIRE-style ``1kmN<n>E<e>``), ``population``,
        ``municipality_code`` and ``municipality`` (by cell centre; missing outside the 35
        municipalities), ``in_study_area``, ``geometry`` (the cell polygon).
    """
    return _population_grid().copy()


@lru_cache(maxsize=1)
def _municipality_stats() -> pd.DataFrame:
    df = read_csv("municipality_stats", ["kommune_kode", "navn"])
    return df.rename(columns={"kommune_kode": "code", "navn": "name"})


def load_municipality_stats() -> pd.DataFrame:
    """Municipal statistics for all 99 municipalities (``code``, ``name``, population, area...)."""
    return _municipality_stats().copy()


@lru_cache(maxsize=1)
def _fare_zones() -> gpd.GeoDataFrame:
    gdf = _read_vector("fare_zones")
    return gdf.rename(columns={"NAME": "name"})[["zone_nr", "name", "geometry"]]


def load_fare_zones() -> gpd.GeoDataFrame:
    """Zealand public transport fare zones (2019): ``zone_nr``, ``name``, ``geometry``."""
    return _fare_zones().copy()


@lru_cache(maxsize=1)
def _places() -> gpd.GeoDataFrame:
    df = read_csv("places", ["name", "kind", "lon", "lat", "source"])
    for col in ("lines", "modes", "municipality_code", "note"):
        if col not in df.columns:
            df[col] = pd.NA
    bad = df[~(df["lon"].between(7.0, 16.0) & df["lat"].between(54.0, 58.0))]
    if not bad.empty:
        msg = f"{get_path('places')}: coordinates outside Denmark for {', '.join(bad['name'])}"
        raise GeodataError(msg)
    gdf = gpd.GeoDataFrame(
        df, geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs=CRS_MAP
    ).to_crs(CRS)
    return gdf


def load_places() -> gpd.GeoDataFrame:
    """Places added by this project (``geodata/places.csv``): new stations, hospitals, junctions.

    Columns ``name``, ``kind`` (station, stop, landmark, junction), ``lon``, ``lat``, ``source``,
    ``note``, ``geometry`` (EPSG:25832).
    """
    return _places().copy()


@lru_cache(maxsize=1)
def _aliases() -> dict[str, str]:
    df = read_csv("aliases", ["alias", "name"])
    return dict(zip(df["alias"], df["name"], strict=True))


# --------------------------------------------------------------------------------------------
# Name resolution


@dataclass(frozen=True)
class Place:
    """A resolved place name: what it is, its canonical name and where it is (EPSG:25832)."""

    name: str
    kind: str  # "station", "stop", "place"
    x: float
    y: float

    @property
    def point(self) -> Point:
        """The place as a shapely Point in EPSG:25832."""
        return Point(self.x, self.y)


def _norm(name: str) -> str:
    s = unicodedata.normalize("NFC", str(name)).casefold().strip()
    s = re.sub(r"\s+", " ", s)
    s = re.sub(r"\bst\.?$", "", s).strip()  # "Farum St." == "Farum"
    return s.replace("station", "").strip()


@lru_cache(maxsize=1)
def _gazetteer() -> tuple[dict[str, Place], dict[str, str]]:
    """Exact-name and normalised-name indexes over stations, added places and stops."""
    exact: dict[str, Place] = {}
    stations = _stations()
    for name, grp in stations.groupby("name", sort=False):
        # prefer the station inside the study area when a name occurs twice
        inside = grp[grp["in_study_area"].fillna(False).astype(bool)]
        pt = (inside if not inside.empty else grp).geometry.iloc[0]
        exact[str(name)] = Place(str(name), "station", pt.x, pt.y)
    places = _places()
    for row in places.itertuples():
        if row.name not in exact:
            exact[row.name] = Place(row.name, "place", row.geometry.x, row.geometry.y)
    stops = _stops()
    xy = stops.assign(x=stops.geometry.x, y=stops.geometry.y)
    mean_xy = xy.groupby("name", sort=False)[["x", "y"]].mean()
    for name, rec in mean_xy.iterrows():
        if name not in exact:
            exact[str(name)] = Place(str(name), "stop", float(rec["x"]), float(rec["y"]))
    normalised: dict[str, str] = {}
    # stations win over stops for the same normalised name: insert stops first, then overwrite
    for kind in ("stop", "place", "station"):
        for name, place in exact.items():
            if place.kind == kind:
                normalised[_norm(name)] = name
    for alias, target in _aliases().items():
        normalised.setdefault(_norm(alias), target)
        exact.setdefault(alias, exact.get(target, Place(target, "place", np.nan, np.nan)))
    return exact, normalised


def place_names() -> list[str]:
    """All names :func:`resolve_place` accepts exactly (stations, added places, stops, aliases)."""
    return sorted(_resolvable_names())


def resolve_place(name: str) -> Place:
    """Resolve a station, stop or place name to its location.

    Stations win over bus stops. Matching is exact first, then by alias
    (``geodata/aliases.csv``), then ignoring case and a trailing ``St.``.

    Raises
    ------
    PlaceNotFoundError
        If nothing matches; the message suggests the closest names.
    """
    exact, normalised = _gazetteer()
    aliases = _aliases()
    if name in aliases:
        name = aliases[name]
    if name in exact and not np.isnan(exact[name].x):
        return exact[name]
    key = _norm(name)
    if key in normalised and normalised[key] in exact:
        return exact[normalised[key]]
    close = difflib.get_close_matches(name, _resolvable_names(), n=5, cutoff=0.6)
    hint = f"; closest matches: {', '.join(close)}" if close else ""
    msg = f"unknown station, stop or place {name!r}{hint}"
    raise PlaceNotFoundError(msg)


@lru_cache(maxsize=1)
def _resolvable_names() -> list[str]:
    """Names :func:`resolve_place` resolves to a location (suggestions offer only these)."""
    exact, _ = _gazetteer()
    aliases = _aliases()
    out = []
    for name, place in exact.items():
        target = exact.get(aliases.get(name, name), place)
        if np.isfinite(target.x):
            out.append(name)
    return out


@lru_cache(maxsize=1)
def _unserved() -> dict[str, str]:
    df = read_csv("unserved_stations", ["name", "reason"])
    return dict(zip(df["name"].astype(str), df["reason"].astype(str), strict=True))


def unserved_stations() -> dict[str, str]:
    """Study-area stations documented as unserved by the base network: name -> reason.

    From ``geodata/unserved_stations.csv``; every other study-area station of the station list
    resolves to a served place (tests check this).
    """
    return dict(_unserved())
