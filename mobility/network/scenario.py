"""Scenarios: the base network plus the edits of a set of initiatives, and their metrics.

Results are cached in memory and on disk (``mobility.settings.CACHE_DIR``, overridden by the
environment variable ``MOBILITY_CACHE_DIR``; default ``~/.cache/mobility``) under a SHA-256
hash of the network inputs (the shipped files the model reads), the model parameters
(:mod:`mobility.network.params`), the model version and the edits. Only successes are cached.
The disk cache (:mod:`mobility._cache`) stores no pickle: each entry is an ``.npz`` file with
its key and a content hash inside, checked on every load; a damaged or swapped entry is
discarded and recomputed.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import logging
import os
import warnings
from collections.abc import Iterable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy.sparse import csgraph

from .. import _cache, geodata
from ..errors import MobilityWarning, NetworkError, PlaceNotFoundError
from . import params
from .assignment import AssignmentResult, road_graph
from .base import base_network
from .edits import apply_edits
from .graph import car_graph, compile_graph, pt_graph
from .metrics import municipality_metrics, zone_frame
from .roads import link_speed_kmh
from .services import Network, resolve_stop
from .skim import CAR_FIELDS, Skims, car_skims, direct_drive, scenario_skims
from .zones import study_zones

if TYPE_CHECKING:
    from ..demand.model import BaseDemand
    from ..demand.pt_assign import PtLoads, PtState

__all__ = [
    "MODEL_VERSION",
    "ScenarioResult",
    "cache_dir",
    "clear_cache",
    "evaluate_scenario",
    "prefetch_scenarios",
    "pt_route",
    "scenario_network",
    "select_edits",
    "travel_time",
]

log = logging.getLogger(__name__)

#: Bumped whenever the model's code changes its results (part of the cache key).
MODEL_VERSION = "8"

#: Files whose content the network depends on.
_INPUTS = ("pt_services.yaml", "roads.yaml", "stations", "rail_segments", "rail_nodes", "stops",
           "population_grid", "municipalities", "places", "aliases", "zones_jobs",
           "jobs_by_municipality", "municipality_stats", "demand_parameters", "fares.yaml",
           "takst_sjaelland_zone_distance_matrix.csv", "sjaelland_takstzoner_2019_wgs84.geojson")


@dataclass(frozen=True)
class ScenarioResult:
    """Metrics of one scenario against the base network.

    Attributes
    ----------
    ids : tuple of int
        Initiatives whose edits are in the scenario.
    excluded : dict
        Initiative id -> reason, for the requested ids the network cannot represent (they are
        left out of the metrics, never counted as zero).
    person_minutes_saved_per_day : float
        Person-minutes saved per weekday by the rule of half over the base and scenario trips
        (demand responds): PT generalised minutes + car minutes driven (negative = lost).
    person_minutes_saved_pt, person_minutes_saved_car : float
        The same by mode.
    zones : pandas.DataFrame
        Per zone: ``cell_id``, ``municipality_code``, ``population``, ``accessibility_base``,
        ``accessibility_scenario`` (jobs reachable, weighted by the demand model's commute
        destination weight), ``accessibility_change_pct``, ``mean_time_change_min``
        (minutes saved per trip of the zone, negated: negative is faster),
        ``person_minutes_saved_per_day``, ``jobs``, ``trips_per_day``, ``pt_trips_base``,
        ``pt_trips_change``.
    municipalities : pandas.DataFrame
        Indexed by municipality code: ``name``, ``population``, ``accessibility_base``,
        ``accessibility_scenario``, ``accessibility_change_pct``,
        ``person_minutes_saved_per_day`` (by origin zone), ``pt_trips_change_per_day``,
        ``gains`` (change at least ``params.GAIN_THRESHOLD_PCT`` percent).
    municipalities_gaining : list of str
        Names of the municipalities that gain, largest gain first.
    cache_key : str
        The hash the result is cached under.
    effects : dict
        Weekday effects of the demand model (keys in ``mobility.demand.effects.EFFECT_KEYS``;
        see ``docs/model.md``).
    lines : pandas.DataFrame
        Per PT service: ``service``, ``mode``, ``boardings_base``, ``boardings_scenario``,
        ``new_or_changed`` (no rows until the PT assignment exists).
    """

    ids: tuple[int, ...]
    excluded: dict[int, str]
    person_minutes_saved_per_day: float
    person_minutes_saved_pt: float
    person_minutes_saved_car: float
    zones: pd.DataFrame = field(repr=False)
    municipalities: pd.DataFrame = field(repr=False)
    municipalities_gaining: list[str]
    cache_key: str = ""
    effects: dict[str, Any] = field(default_factory=dict)
    lines: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)


# --------------------------------------------------------------------------------------------
# cache


def cache_dir() -> Path:
    """Folder of the on-disk scenario cache (created on first write)."""
    env = os.environ.get("MOBILITY_CACHE_DIR")
    if env:
        return Path(env) / "network"
    from .. import settings

    root = getattr(settings, "CACHE_DIR", None)
    return (Path(root) if root else Path.home() / ".cache" / "mobility") / "network"


_MEMORY: dict[str, ScenarioResult] = {}


def clear_cache(*, disk: bool = False) -> None:
    """Forget cached scenario results (in memory; on disk too with ``disk=True``)."""
    _MEMORY.clear()
    _base_state.cache_clear()
    _base_pt_state.cache_clear()
    _scenario_net.cache_clear()
    if disk and cache_dir().is_dir():
        for pattern in (f"*{_cache.SUFFIX}", "*.pkl"):  # *.pkl: entries of old versions
            for p in cache_dir().glob(pattern):
                p.unlink(missing_ok=True)


@lru_cache(maxsize=32)
def _file_digest(path: str, size: int, mtime_ns: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _inputs_digest() -> str:
    h = hashlib.sha256(MODEL_VERSION.encode())
    from .roads import roads_path

    for name in _INPUTS:
        p = roads_path() if name == "roads.yaml" else geodata.get_path(name)
        st = p.stat()
        h.update(_file_digest(str(p), st.st_size, st.st_mtime_ns).encode())
    h.update(json.dumps(params.snapshot(), sort_keys=True).encode())
    from ..demand import parameters as demand_parameters  # late: demand imports network

    h.update(json.dumps(demand_parameters.snapshot(), sort_keys=True).encode())
    return h.hexdigest()


def _key(edits: list[tuple[int, list[dict[str, Any]]]]) -> str:
    h = hashlib.sha256(_inputs_digest().encode())
    h.update(json.dumps(edits, sort_keys=True, default=str).encode())
    return h.hexdigest()[:32]


# --------------------------------------------------------------------------------------------
# scenarios


def select_edits(ids: Iterable[int], initiatives: Mapping[int, Any] | None = None
                 ) -> tuple[list[tuple[int, list[dict[str, Any]]]], dict[int, str]]:
    """Split ``ids`` into (id, edits) of representable initiatives and excluded id -> reason.

    Raises
    ------
    NetworkError
        An id is not in the catalogue.
    """
    if initiatives is None:
        from ..catalogue import read_initiatives

        initiatives = read_initiatives()
    chosen, excluded = [], {}
    for iid in sorted(set(int(i) for i in ids)):
        if iid not in initiatives:
            msg = f"initiative {iid} is not in the catalogue (ids: {sorted(initiatives)})"
            raise NetworkError(msg)
        spec = getattr(initiatives[iid], "network", None)
        if not spec:
            excluded[iid] = "no network: key in the initiative file"
        elif not spec.get("representable", False):
            excluded[iid] = str(spec.get("reason", "not representable"))
        else:
            chosen.append((iid, list(spec.get("edits") or [])))
    return chosen, excluded


@dataclass
class RoadState:
    """The base's congestion (see ``docs/model.md (section 9)``, "Integration").

    ``skim_assignment``: the assignment whose link times the base skims carry (the car trips
    of the demand on free-flow skims); ``assignment``: the assignment of the base demand's car
    trips (what a scenario's re-assignment is compared with); ``car``: the base weekday car
    person trips; ``fare_revenue_dkk``: PT fares paid per weekday; ``feedback``: figures of the
    feedback loop (loops, gaps, the change of car trips and link times in the last loop).
    """

    skim_assignment: AssignmentResult
    assignment: AssignmentResult
    car: np.ndarray
    fare_revenue_dkk: float
    feedback: dict[str, Any]


def _base_roads(dem: BaseDemand) -> RoadState:
    return dem._roads  # type: ignore[attr-defined,no-any-return]


@lru_cache(maxsize=1)
def _base_state(digest: str) -> tuple[Network, Skims, BaseDemand, np.ndarray]:
    """Base network, skims, demand and accessibility with one congestion feedback loop:
    free-flow skims -> demand -> equilibrium assignment of its car trips (peak and off-peak
    hour) -> congested skims -> the base demand; its car trips are assigned again (the
    reference of every scenario's re-assignment)."""
    from dataclasses import replace

    from ..demand.model import base_demand, clear_static
    from ..demand.pivot import mode_trip_matrix, prepare
    from .assignment import assign_car_periods

    net = base_network()
    free = scenario_skims(net)
    clear_static()
    dem0 = base_demand(free)
    car0 = mode_trip_matrix(dem0, "car")
    del dem0
    ares0 = assign_car_periods(net, car0)
    rows = np.arange(free.pt.shape[0])
    skims = replace(free, **car_skims(net, rows, car_link_times=ares0.link_times_by_pair()))
    dem = base_demand(skims)
    car = mode_trip_matrix(dem, "car")
    ares = assign_car_periods(net, car)
    dt = {p: float(np.max(np.abs(ares.link_times[p] - ares0.link_times[p])))
          for p in ares.link_times}
    pt = mode_trip_matrix(dem, "pt")
    fare = skims.pt_fare_dkk
    revenue = 0.0 if fare is None else float(np.vdot(pt.ravel(), fare.ravel()))
    del pt
    feedback = {
        "base_feedback_loops": 1,
        "car_trips_free_flow": round(float(car0.sum(dtype=np.float64)), 1),
        "car_trips_congested": round(float(car.sum(dtype=np.float64)), 1),
        "car_trips_change_last_loop_pct": round(
            (float(car.sum(dtype=np.float64)) / float(car0.sum(dtype=np.float64)) - 1) * 100, 3),
        "link_time_change_last_loop_max_min": {p: round(v, 3) for p, v in dt.items()},
        "relative_gap": {p: float(g) for p, g in ares.gap.items()},
        "relative_gap_skims": {p: float(g) for p, g in ares0.gap.items()},
        "iterations": dict(ares.iterations),
    }
    object.__setattr__(dem, "_roads", RoadState(ares0, ares, car, revenue, feedback))
    prepare(dem)
    return net, skims, dem, dem.accessibility


@lru_cache(maxsize=1)
def _base_pt_state(digest: str) -> tuple[PtState, PtLoads]:
    """The base network's PT assignment state and the base PT trips loaded on it (once)."""
    from ..demand.pivot import pt_trip_matrix
    from ..demand.pt_assign import assign_pt, pt_state

    net, _, dem, _ = _base_state(digest)
    state = pt_state(net, paths=True)
    return state, assign_pt(net, pt_trip_matrix(dem), skims_state=state)


def _base_pt() -> tuple[PtState, PtLoads]:
    return _base_pt_state(_inputs_digest())


def scenario_pt(net: Network, edits: list[tuple[int, list[dict[str, Any]]]] | None = None,
                engine: str = "csgraph") -> tuple[PtState | None, np.ndarray | None]:
    """The PT assignment state of a scenario network and its PT skim (the min-plus done once,
    shared by the skims and the PT assignment).

    Without edits the base state and skim are returned (nothing is recomputed). With the
    networkx reference engine both are ``None`` (the skims compute the PT skim themselves and
    :func:`compute_result` builds the state).
    """
    from ..demand.pt_assign import pt_state

    if edits is not None and not edits:
        return _base_pt()[0], _state()[1].pt
    if engine != "csgraph":
        return None, None
    state = pt_state(net, paths=True)
    return state, state.pt_skim()


def _state() -> tuple[Network, Skims, BaseDemand, np.ndarray]:
    """The base network, its skims, the base demand and the base accessibility (cached)."""
    return _base_state(_inputs_digest())


def scenario_network(edits: list[tuple[int, list[dict[str, Any]]]]) -> Network:
    """The network of a scenario (a new object)."""
    return apply_edits(_state()[0], edits)


def _compute(edits: list[tuple[int, list[dict[str, Any]]]], excluded: dict[int, str],
             key: str, engine: str = "csgraph") -> ScenarioResult:
    base_net, base, dem, _ = _state()
    net = apply_edits(base_net, edits)
    pt, scen, resp, roads = pt_and_congested(base_net, base, dem, net, edits, engine)
    return compute_result(base_net, base, dem, net, scen, tuple(i for i, _ in edits),
                          excluded, key, pt=pt, resp=resp, roads=roads)


def pt_and_congested(base_net: Network, base: Skims, dem: BaseDemand, net: Network,
                     edits: list[tuple[int, list[dict[str, Any]]]],
                     engine: str = "csgraph") -> tuple[PtState | None, Skims, Any, dict[str, Any]]:
    """:func:`scenario_pt` and :func:`congested_scenario` of a scenario network.

    When the scenario changes the roads, the PT state is built in a second thread while the
    first car skims run (both spend their time in numpy and scipy, which release the GIL);
    the results are those of calling the two in turn.
    """
    if engine != "csgraph" or not edits or not _roads_changed(base_net, net):
        pt, pt_skim = scenario_pt(net, edits, engine)
        return (pt, *congested_scenario(base_net, base, dem, net, engine=engine,
                                        pt_skim=pt_skim))
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as ex:
        fut = ex.submit(scenario_pt, net, edits, engine)
        scen, resp, roads = congested_scenario(base_net, base, dem, net, engine=engine,
                                               pt_skim=fut)
        pt = fut.result()[0]
    return pt, scen, resp, roads


def _access_km(loads: PtLoads) -> dict[str, float]:
    """Street km of the station legs (access + egress) by mode: walk, bike."""
    acc = loads.access.groupby("mode")["km"].sum()
    return {m: float(acc.get(m, 0.0)) for m in ("walk", "bike")}


def _roads_changed(base_net: Network, net: Network) -> bool:
    """Whether the scenario edits roads, capacities, speed limits or road charges."""
    return (net.road_links != base_net.road_links or net.road_nodes != base_net.road_nodes
            or net.speed_caps != base_net.speed_caps or net.road_cost != base_net.road_cost)


def _scenario_link_times(net: Network, rs: RoadState, ares_s: AssignmentResult | None
                         ) -> dict[str, dict[tuple[str, str], float]]:
    """Link times of a scenario for its car skims, by period.

    Without a scenario assignment: the scenario's volume-delay functions at the flows of the
    base skims' assignment (new links empty). With one: the base skims' link times plus the
    change the scenario's assignment makes against the base demand's assignment (so a
    scenario that changes nothing has exactly the base times), at least the free-flow time.
    """
    rg = road_graph(net)
    ref = rs.skim_assignment
    idx = {k: i for i, k in enumerate(ref.keys)}
    pos = np.array([idx.get(k, -1) for k in rg.keys])
    have = pos >= 0
    out = {}
    for p in ref.flows:
        if ares_s is None:
            flow = np.where(have, ref.flows[p][np.maximum(pos, 0)], 0.0)
            t = rg.times(flow)
        else:
            s_idx = {k: i for i, k in enumerate(ares_s.keys)}
            ts = ares_s.link_times[p][[s_idx[k] for k in rg.keys]]
            b_idx = {k: i for i, k in enumerate(rs.assignment.keys)}
            tb = np.array([rs.assignment.link_times[p][b_idx[k]] if k in b_idx else np.nan
                           for k in rg.keys])
            t0 = ref.link_times[p][np.maximum(pos, 0)]
            t = np.where(have & np.isfinite(tb), t0 + ts - tb, ts)
            t = np.maximum(t, rg.t0_min)
        out[p] = dict(zip(rg.keys, map(float, t), strict=True))
    return out


def _snap_car(base: Skims, fields: dict[str, np.ndarray | None]) -> dict[str, Any]:
    """Keep the base values of car cells that change by less than ``CAR_SKIM_SNAP_MIN``
    (in place: ``fields`` are the scenario's own new arrays)."""
    from . import skim

    if skim.KERNELS == "numba" and all(
            a is not None and a.flags.c_contiguous and getattr(base, f) is not None
            for f, a in fields.items()):
        from ._kernels import snap_cells

        flat = {f: (a.ravel(), getattr(base, f).ravel())  # type: ignore[union-attr]
                for f, a in fields.items()}
        snap_cells(*flat["car_time"], *flat["car_km"], *flat["car_cost_dkk"],
                   float(params.CAR_SKIM_SNAP_MIN), 0.01, *flat["car"],
                   *flat["car_time_peak"], *flat["car_time_offpeak"])
        return fields
    tol = np.float32(params.CAR_SKIM_SNAP_MIN)
    diff = fields["car_time"] - base.car_time  # type: ignore[operator]
    keep = np.abs(diff, out=diff) < tol
    np.subtract(fields["car_km"], base.car_km, out=diff)  # type: ignore[arg-type]
    keep &= np.abs(diff, out=diff) < np.float32(0.01)
    np.subtract(fields["car_cost_dkk"], base.car_cost_dkk, out=diff)  # type: ignore[arg-type]
    keep &= np.abs(diff, out=diff) < np.float32(0.01)
    del diff
    for name, arr in fields.items():
        b = getattr(base, name)
        if arr is not None and b is not None:
            np.copyto(arr, b, where=keep)
    return fields


def congested_scenario(base_net: Network, base: Skims, dem: BaseDemand, net: Network, *,
                       engine: str = "csgraph", pt_skim: np.ndarray | Future | None = None
                       ) -> tuple[Skims, Any, dict[str, Any]]:
    """A scenario's skims at its congested car times and the demand response on them.

    1. Roads unchanged (no road, capacity, speed or charge edit): the car skims are the
       base's; the PT skims and fares are the scenario's; pivot. If the car vehicle-km then
       change by less than ``params.CONGESTION_REASSIGN_MIN_SHARE`` of the base, stop.
       Roads changed: car skims at the scenario's link times under the base flows (cells
       changing less than ``params.CAR_SKIM_SNAP_MIN`` keep their base values); the first
       demand's car trips only (``mobility.demand.pivot.scenario_mode_matrix``).
    2. Assign the scenario's car trips (peak and off-peak hour, equilibrium), car skims at
       the resulting link times (:func:`_scenario_link_times`), cells changing less than
       ``params.CAR_SKIM_SNAP_MIN`` keep their base values; pivot again (the final response).

    ``pt_skim``: the scenario network's PT skim if already computed (:func:`scenario_pt`), or
    a future of :func:`scenario_pt` that is awaited after the first car skims
    (:func:`pt_and_congested`).

    Returns the final skims, the response (``mobility.demand.pivot.Response``) and a dict with
    ``reassigned``, ``roads_changed``, ``assignment`` (scenario, or None), ``relative_gap``,
    ``iterations`` and ``car_trips_assigned``.
    """
    from dataclasses import replace

    from ..demand.pivot import mode_trip_matrix, prepare, respond, scenario_mode_matrix
    from .assignment import assign_car_periods

    rs = _base_roads(dem)
    changed = _roads_changed(base_net, net)
    info: dict[str, Any] = {"roads_changed": changed, "reassigned": False, "assignment": None}
    rows = np.arange(base.pt.shape[0])
    direct = None
    if not changed:
        if isinstance(pt_skim, Future):
            pt_skim = pt_skim.result()[1]
        scen = scenario_skims(net, engine=engine, pt=pt_skim,
                              car_fields={f: getattr(base, f) for f in CAR_FIELDS})
        resp = respond(dem, base, scen)
        km0 = prepare(dem).km["car"]
        if resp.unchanged or abs(resp.km["car"] - km0) < (
                params.CONGESTION_REASSIGN_MIN_SHARE * km0):
            return scen, resp, info
    else:
        direct = direct_drive(net, rows)  # both car skims of the loop share it
        first = car_skims(net, rows, engine, _scenario_link_times(net, rs, None), direct)
        if isinstance(pt_skim, Future):  # the PT state built beside the car skims
            pt_skim = pt_skim.result()[1]
        scen = scenario_skims(net, engine=engine, pt=pt_skim,
                              car_fields=_snap_car(base, first))
        resp = None  # the first demand needs only its car trips
    car_s = (scenario_mode_matrix(dem, "car", base, scen) if resp is None
             else mode_trip_matrix(dem, "car", base, scen, resp))
    ares_s = assign_car_periods(net, car_s)
    fields = car_skims(net, rows, engine, _scenario_link_times(net, rs, ares_s), direct)
    del direct
    scen = replace(scen, **_snap_car(base, fields))
    resp = respond(dem, base, scen)
    info.update(reassigned=True, assignment=ares_s,
                relative_gap={p: float(g) for p, g in ares_s.gap.items()},
                iterations=dict(ares_s.iterations),
                car_trips_assigned=round(float(car_s.sum(dtype=np.float64)), 1))
    return scen, resp, info


def _line_boardings(base_net: Network, net: Network, dem: BaseDemand, base: Skims,
                    scen: Skims, resp: Any, pt: PtState | None = None
                    ) -> tuple[float, pd.DataFrame, dict[str, float]]:
    """Boardings on new and changed lines, the ``lines`` frame and the change in walk and
    bike km of the station legs (scenario minus base).

    The base PT trips (``mobility.demand.pivot.pt_trip_matrix(dem)``) are loaded once on the
    base network (:func:`_base_pt`); the scenario's (``pt_trip_matrix(dem, base, scen,
    resp)``) on the scenario network with ``mobility.demand.pt_assign.assign_pt``. The
    services added or changed are ``mobility.demand.effects.changed_services(base_net, net)``;
    the boardings are the scenario's boardings on them (all-or-nothing assignment).
    """
    from ..demand.effects import changed_services
    from ..demand.pivot import pt_trip_matrix
    from ..demand.pt_assign import assign_pt, new_line_boardings, pt_state

    base_state, base_loads = _base_pt()
    changed = changed_services(base_net, net)
    if resp.unchanged and not changed and (pt is None or pt is base_state):
        scen_loads = base_loads
    else:
        if pt is None:
            pt = pt_state(net, paths=True)
        scen_loads = assign_pt(net, pt_trip_matrix(dem, base, scen, resp), skims_state=pt)
    b = base_loads.lines.set_index("service")
    lines = scen_loads.lines.rename(columns={"boardings": "boardings_scenario"})
    lines = pd.DataFrame({
        "service": lines["service"].astype(str), "mode": lines["mode"].astype(str),
        "boardings_base": lines["service"].map(b["boardings"]).fillna(0.0).astype(float),
        "boardings_scenario": lines["boardings_scenario"].astype(float),
        "new_or_changed": lines["service"].isin(set(changed)),
    }).reset_index(drop=True)
    a0, a1 = _access_km(base_loads), _access_km(scen_loads)
    return (new_line_boardings(base_loads, scen_loads, changed), lines,
            {m: a1[m] - a0[m] for m in a0})


def compute_result(base_net: Network, base: Skims, dem: BaseDemand, net: Network,
                   scen: Skims, ids: tuple[int, ...], excluded: dict[int, str],
                   key: str = "", *, pt: PtState | None = None, resp: Any = None,
                   roads: dict[str, Any] | None = None) -> ScenarioResult:
    """Demand response, effects and metrics of a scenario's skims against the base.

    ``pt``: the scenario network's PT assignment state if already built (:func:`scenario_pt`;
    otherwise it is built here); ``resp``: the response already computed on ``scen`` (default:
    computed here); ``roads``: the congestion information of :func:`congested_scenario` (road
    effects of a re-assigned scenario).
    """
    from ..demand.effects import scenario_effects
    from ..demand.pivot import respond

    if resp is None:
        resp = respond(dem, base, scen)
    boardings, lines, access_km = _line_boardings(base_net, net, dem, base, scen, resp, pt)
    effects, zone = scenario_effects(dem, resp, base_net, net, boardings,
                                     access_km_change=access_km)
    effects.update(_road_effects(base_net, base, dem, net, scen, resp, roads or {}, effects))
    zones = zone_frame(dem.accessibility, resp.accessibility,
                       dem.zones["jobs"].to_numpy(), zone)
    munis = municipality_metrics(zones)
    gaining = munis[munis["gains"]].sort_values("accessibility_change_pct", ascending=False)
    s_pt, s_car = float(zone["saved_pt"].sum()), float(zone["saved_car"].sum())
    return ScenarioResult(
        ids=ids, excluded=dict(excluded),
        person_minutes_saved_per_day=s_pt + s_car, person_minutes_saved_pt=s_pt,
        person_minutes_saved_car=s_car, zones=zones, municipalities=munis,
        municipalities_gaining=[str(n) for n in gaining["name"]], cache_key=key,
        effects=effects, lines=lines)


def _road_effects(base_net: Network, base: Skims, dem: BaseDemand, net: Network, scen: Skims,
                  resp: Any, roads: dict[str, Any], eff: dict[str, Any]) -> dict[str, Any]:
    """Money, speed and congestion effects of a scenario (see ``docs/model.md (section 9)``).

    Money per weekday, scenario minus base: PT fares (dense PT trips x fare), car operating
    cost (car vehicle-km x ``CAR_OPERATING_COST_DKK_PER_KM``), road charges (vehicle-km x
    per-km charge + vehicle trips x per-trip charge). Speed effects (CO2 by the speed curve,
    fuel, accidents by the power model, noise) from the assigned roads of a re-assigned
    scenario (``road_effects.road_effects``) plus the local roads whose speed caps change
    (``road_effects.local_road_effects``); the speed part of the CO2 change (at constant
    vehicle-km) is added to ``co2_operation_t_per_year_change``. The accident and noise
    changes are set only when the scenario changes speed limits (the power model describes
    speed-limit changes, not congestion relief). ``assigned_base_vehicle_km_per_day``: the
    weekday vehicle-km of the base assignment (the appraisal's weight of those changes).
    """
    from ..demand import parameters as P
    from ..demand.effects import ROAD_EFFECT_KEYS
    from ..demand.pivot import mode_trip_matrix, prepare
    from .road_effects import local_road_effects, road_effects

    rs = _base_roads(dem)
    pre = prepare(dem)
    occ = P.value("CAR_OCCUPANCY")
    days = P.value("ANNUALISATION_DAYS")
    out: dict[str, Any] = dict.fromkeys(ROAD_EFFECT_KEYS[:-1], 0.0)
    if resp.unchanged:
        fare_rev = 0.0
    else:
        pt1 = mode_trip_matrix(dem, "pt", base, scen, resp)
        fare_rev = float(np.vdot(pt1.ravel(), scen.pt_fare_dkk.ravel())) - rs.fare_revenue_dkk
        del pt1
    vkm0 = pre.km["car"] / occ
    vkm1 = resp.km["car"] / occ
    veh0, veh1 = pre.trips["car"] / occ, resp.trips["car"] / occ
    op = params.CAR_OPERATING_COST_DKK_PER_KM
    charge = (net.road_cost["per_km_dkk"] * vkm1 + net.road_cost["per_trip_dkk"] * veh1
              - base_net.road_cost["per_km_dkk"] * vkm0
              - base_net.road_cost["per_trip_dkk"] * veh0)
    eff["fare_revenue_change_dkk_per_day"] = round(fare_rev, 1)
    eff["car_operating_cost_change_dkk_per_day"] = round(op * (vkm1 - vkm0), 1)
    eff["road_charge_revenue_change_dkk_per_day"] = round(charge, 1)
    co2_speed = 0.0
    caps_changed = net.speed_caps != base_net.speed_caps
    out["assigned_base_vehicle_km_per_day"] = _daily_vkm(rs.assignment)
    ares_s = roads.get("assignment")
    if ares_s is not None:
        r = road_effects(rs.assignment, ares_s)
        base_vkm = _daily_vkm(rs.assignment)
        base_co2 = _assigned_co2_t(rs.assignment)
        co2_speed += r["co2_t_per_day_change"] - r["car_vehicle_km_change_per_day"] * (
            base_co2 / base_vkm if base_vkm > 0 else 0.0)
        out["car_vehicle_hours_change_per_day"] = r["car_vehicle_hours_change_per_day"]
        out["fuel_litres_change_per_day"] = r["fuel_litres_per_day_change"]
        if caps_changed:
            # the power model relates accidents (and the noise curve noise) to changes of
            # the speed limit; speed changes from congestion alone are not valued this way
            out["injury_accidents_change_pct"] = r["injury_accidents_change_pct"]
            out["fatal_accidents_change_pct"] = r["fatal_accidents_change_pct"]
            out["noise_db_change_mean"] = r["noise_db_change_mean"]
    if caps_changed:
        loc = local_road_effects(base_net, net, rs.car)
        if abs(loc["local_noise_db_change_mean"]) > 0 or loc["local_co2_t_per_day_change"]:
            co2_speed += loc["local_co2_t_per_day_change"]
            out["speed_changed_vehicle_km_per_day"] = loc["local_vehicle_km_per_day"]
            # assigned and local roads: vehicle-km weighted
            w_loc = loc["local_vehicle_km_per_day"]
            w_net = _daily_vkm(rs.assignment) if ares_s is not None else 0.0
            tot = w_loc + w_net or 1.0
            for k, lk in (("injury_accidents_change_pct", "local_injury_accidents_change_pct"),
                          ("fatal_accidents_change_pct", "local_fatal_accidents_change_pct"),
                          ("noise_db_change_mean", "local_noise_db_change_mean")):
                out[k] = (out[k] * w_net + loc[lk] * w_loc) / tot
    out["co2_speed_t_per_year_change"] = co2_speed * days
    eff["co2_operation_t_per_year_change"] = round(
        eff["co2_operation_t_per_year_change"] + co2_speed * days, 2)
    out = {k: round(float(v), 3) for k, v in out.items()}
    out["congestion"] = {k: v for k, v in roads.items() if k != "assignment"}
    return out


def _daily_vkm(res: AssignmentResult) -> float:
    return sum(res.vehicle_km(p) * (params.PEAK_HOURS if p == "peak" else params.OFFPEAK_HOURS)
               for p in res.flows)


def _assigned_co2_t(res: AssignmentResult) -> float:
    """Weekday CO2 (t) of the assigned roads at their congested speeds."""
    from .road_effects import co2_g_per_km

    tot = 0.0
    for p in res.flows:
        speed = res.length_km / np.maximum(res.link_times[p], 1e-9) * 60.0
        hours = params.PEAK_HOURS if p == "peak" else params.OFFPEAK_HOURS
        tot += float(np.sum(res.flows[p] * res.length_km * co2_g_per_km(speed))) * hours
    return tot / 1e6


def evaluate_scenario(ids: Iterable[int], *, initiatives: Mapping[int, Any] | None = None,
                      use_cache: bool = True) -> ScenarioResult:
    """Evaluate the base network plus the edits of initiatives ``ids``.

    Parameters
    ----------
    ids : iterable of int
        Initiative ids; those the network cannot represent are listed in ``excluded``.
    initiatives : mapping of id -> Initiative, optional
        Default: :func:`mobility.catalogue.read_initiatives`.
    use_cache : bool
        Read and write the memory and disk caches (default True).

    Returns
    -------
    ScenarioResult

    Raises
    ------
    NetworkError
        Unknown id, or an edit that cannot be applied.
    """
    edits, excluded = select_edits(ids, initiatives)
    key = _key(edits)
    if use_cache:
        if key in _MEMORY:
            return _with_excluded(_MEMORY[key], excluded)
        res = _cache.load(cache_dir(), key, ScenarioResult)
        if res is not None:
            _MEMORY[key] = res
            return _with_excluded(res, excluded)
    res = _compute(edits, excluded, key)
    if use_cache:
        _MEMORY[key] = res
        _cache.save(cache_dir(), key, res)  # never raises; a read-only cache warns once
    return res


#: The catalogue the forked workers of :func:`prefetch_scenarios` select edits from.
_PREFETCH_INITIATIVES: Mapping[int, Any] | None = None


def _prefetch_one(ids: list[int]) -> tuple[str, ScenarioResult]:
    """Worker of :func:`prefetch_scenarios` (a forked process: the base state is inherited)."""
    edits, excluded = select_edits(ids, _PREFETCH_INITIATIVES)
    key = _key(edits)
    return key, _compute(edits, excluded, key)


def prefetch_scenarios(id_sets: Iterable[Iterable[int]], *,
                       initiatives: Mapping[int, Any] | None = None,
                       workers: int | None = None) -> int:
    """Evaluate the scenarios of ``id_sets`` that neither cache holds, in parallel, and put
    them in the memory and disk caches (later :func:`evaluate_scenario` calls find them).

    The base state is built here once; ``workers`` processes forked from this one inherit it
    (copy-on-write, not rebuilt) and compute one scenario each at a time; the results come
    back through the pool and are saved by this process, so a read-only cache still works.
    Default workers: ``mobility.settings.SCENARIO_WORKERS`` (the CPUs, at most 2). Sequential
    in this process when fewer than two scenarios are missing, with one worker, or where
    processes cannot be forked. Returns the number of scenarios computed.

    Raises
    ------
    NetworkError
        As :func:`evaluate_scenario` (unknown id, an edit that cannot be applied).
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _PREFETCH_INITIATIVES
    todo: dict[str, list[int]] = {}
    for ids in id_sets:
        ids = sorted(set(ids))
        edits, _ = select_edits(ids, initiatives)
        key = _key(edits)
        if key in _MEMORY or key in todo:
            continue
        res = _cache.load(cache_dir(), key, ScenarioResult)
        if res is not None:
            _MEMORY[key] = res
            continue
        todo[key] = ids
    from .. import settings

    n = settings.SCENARIO_WORKERS if workers is None else int(workers)
    if len(todo) < 2 or n < 2 or "fork" not in multiprocessing.get_all_start_methods():
        for ids in todo.values():
            evaluate_scenario(ids, initiatives=initiatives)
        return len(todo)
    _state()
    _base_pt()
    _PREFETCH_INITIATIVES = initiatives
    try:
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=min(n, len(todo)), mp_context=ctx) as ex:
            for key, res in ex.map(_prefetch_one, todo.values()):
                _MEMORY[key] = res
                _cache.save(cache_dir(), key, res)  # never raises
    finally:
        _PREFETCH_INITIATIVES = None
    return len(todo)


def _with_excluded(res: ScenarioResult, excluded: dict[int, str]) -> ScenarioResult:
    if res.excluded == excluded:
        return res
    from dataclasses import replace

    return replace(res, excluded=dict(excluded))


# --------------------------------------------------------------------------------------------
# station-to-station travel time


@lru_cache(maxsize=8)
def _scenario_net(key: str, edits_json: str) -> Network:
    return apply_edits(_state()[0], [(int(i), e) for i, e in json.loads(edits_json)])


def _served_names(net: Network) -> list[str]:
    """Names that work as FROM/TO of a PT travel time: served stops and their aliases."""
    served = net.station_keys()
    keys = set(served)
    aliases = [a for a, target in geodata._aliases().items() if target in keys]
    return served + sorted(aliases)


def _served(net: Network, name: str, what: str) -> str:
    """The served stop ``name`` stands for; errors suggest only names that work."""
    try:
        ref = resolve_stop(name)
    except PlaceNotFoundError:
        close = difflib.get_close_matches(name, _served_names(net), n=5, cutoff=0.6)
        hint = f"; closest matches: {', '.join(close)}" if close else ""
        msg = f"unknown station, stop or place {name!r}{hint}"
        raise PlaceNotFoundError(msg) from None
    key, x, y = ref
    served = net.station_keys()
    if key not in served:
        close = difflib.get_close_matches(key, _served_names(net), n=5, cutoff=0.5)
        hints = []
        reason = geodata.unserved_stations().get(key)
        if reason:
            hints.append(f"documented as unserved: {reason}")
        if close:
            hints.append(f"served stations with similar names: {', '.join(close)}")
        xy = np.array([net.stations[s] for s in served])
        dist = np.hypot(xy[:, 0] - x, xy[:, 1] - y)
        near = [f"{served[i]} ({dist[i] / 1000.0:.1f} km)" for i in np.argsort(dist)[:3]
                if dist[i] <= 5000.0]
        if near:
            hints.append(f"nearest served stops: {', '.join(near)}")
        hint = "; " + "; ".join(hints) if hints else ""
        msg = f"{what} {name!r} is not served by any public transport service of the network{hint}"
        raise NetworkError(msg)
    return key


def _pt_path(net: Network, a: str, b: str) -> tuple[float, float, list[str]]:
    """Minutes, generalised minutes and the services used (in order) from ``a`` to ``b``."""
    if a == b:
        return 0.0, 0.0, []
    graph = pt_graph(net)
    comp = compile_graph(graph)
    src, dst = comp.index[("D", a)], comp.index[("A", b)]
    dist, pred = csgraph.dijkstra(comp.g, indices=src, return_predecessors=True)
    if not np.isfinite(dist[dst]):
        msg = f"no public transport path from {a!r} to {b!r}"
        raise NetworkError(msg)
    minutes, node, used = 0.0, dst, []
    while node != src:
        prev = pred[node]
        minutes += graph[comp.nodes[prev]][comp.nodes[node]]["t"]
        here = comp.nodes[node]
        if here[0] == "P" and (not used or used[-1] != here[2]):
            used.append(here[2])
        node = prev
    return minutes, float(dist[dst]), used[::-1]


def _pt_time(net: Network, a: str, b: str) -> tuple[float, float]:
    minutes, gen, _ = _pt_path(net, a, b)
    return minutes, gen


def pt_route(from_name: str, to_name: str) -> list[str]:
    """Services of the fastest base PT path between two served places, in travel order."""
    net = _scenario_net(_key([]), "[]")
    return _pt_path(net, _served(net, from_name, "FROM"), _served(net, to_name, "TO"))[2]


@lru_cache(maxsize=8)
def _link_times(key: str, edits_json: str) -> dict[str, dict[tuple[str, str], float]]:
    """Congested link times of a scenario: the base skims' link times for the base network;
    with edits, the scenario's car trips (demand model response, re-assigned as in
    :func:`congested_scenario`)."""
    base_net, base, dem, _ = _state()
    if edits_json == "[]":
        return _base_roads(dem).skim_assignment.link_times_by_pair()
    net = _scenario_net(key, edits_json)
    _, _, info = congested_scenario(base_net, base, dem, net)
    return _scenario_link_times(net, _base_roads(dem), info["assignment"])


def _car_time(net: Network, a: str, b: str,
              link_times: dict[tuple[str, str], float] | None = None) -> tuple[float, float]:
    graph = car_graph(net, link_times)
    comp = compile_graph(graph)
    names = sorted(net.road_nodes)
    xy = np.array([net.road_nodes[n] for n in names])
    pa, pb = resolve_stop(a), resolve_stop(b)
    per_km = (params.CAR_OPERATING_COST_DKK_PER_KM + net.road_cost["per_km_dkk"]) \
        / params.VALUE_OF_TIME_DKK_PER_MIN
    zones = study_zones()
    zx, zy = zones["x"].to_numpy(), zones["y"].to_numpy()
    urban = zones["urban"].to_numpy()

    def legs(p: tuple[str, float, float]) -> list[tuple[str, float, float]]:
        # as the zones' car legs (zones.car_access): local roads at the urban or rural speed
        # of the 1 km cell the place lies in, at least 250 m; no terminal minutes (a
        # driving time between two places)
        cell = int(np.argmin(np.hypot(zx - p[1], zy - p[2])))
        speed = link_speed_kmh("local", "urban" if urban[cell] else "rural", net.speed_caps)
        d = np.hypot(xy[:, 0] - p[1], xy[:, 1] - p[2])
        out = []
        for i in np.argsort(d)[:params.CAR_ACCESS_NODES_K]:
            km = max(d[i], 250.0) / 1000.0 * params.ACCESS_CIRCUITY
            t = km / speed * 60.0
            out.append((names[i], t, t + km * per_km))
        return out

    la, lb = legs(pa), legs(pb)
    src = [comp.index[n] for n, _, _ in la]
    dg, pred = csgraph.dijkstra(comp.g, indices=src, return_predecessors=True)
    best = (np.inf, np.inf)
    for i, (_, ta, ga) in enumerate(la):
        for nb, tb, gb in lb:
            j = comp.index[nb]
            gen = ga + dg[i, j] + gb
            if gen < best[1]:
                minutes, node = 0.0, j
                while node != src[i] and node >= 0:
                    prev = pred[i, node]
                    minutes += graph[comp.nodes[prev]][comp.nodes[node]]["t"]
                    node = prev
                best = (ta + minutes + tb, gen)
    per_trip = net.road_cost["per_trip_dkk"] / params.VALUE_OF_TIME_DKK_PER_MIN
    return best[0], best[1] + per_trip


def travel_time(from_name: str, to_name: str, *, with_ids: Iterable[int] = (),
                mode: str = "pt", initiatives: Mapping[int, Any] | None = None,
                period: str = "offpeak") -> dict[str, Any]:
    """Travel time between two stations in the base network or with initiatives.

    Parameters
    ----------
    from_name, to_name : str
        Station or stop names as in the geodata (aliases accepted).
    with_ids : iterable of int
        Initiatives whose edits to apply; non-representable ones are ignored with a
        :class:`MobilityWarning`.
    mode : {"pt", "car"}
    period : {"offpeak", "peak", "free"}
        Car: the link times of the equilibrium assignment of the base weekday car trips for
        an off-peak or the morning peak hour on the scenario's roads, or free-flow. PT
        timetables are frequency-based and the same in both periods.

    Returns
    -------
    dict
        ``from``, ``to``, ``mode``, ``with`` (ids applied), ``minutes`` (PT: from departure at
        FROM to arrival at TO: in-vehicle, dwell, transfer walks and waits, no initial wait;
        car: driving time), ``generalised_minutes`` (PT: plus the initial wait and transfer
        penalties; car: plus operating cost and road charges in minutes), ``period``.

    Raises
    ------
    PlaceNotFoundError
        Unknown name (with suggestions).
    NetworkError
        Station not served, or no path.

    Examples
    --------
    >>> r = travel_time("Nørreport St.", "CPH Lufthavn")
    >>> 10 < r["minutes"] < 20
    True
    """
    if mode not in ("pt", "car"):
        msg = f"mode must be 'pt' or 'car', not {mode!r}"
        raise NetworkError(msg)
    if period not in ("offpeak", "peak", "free"):
        msg = f"period must be 'peak', 'offpeak' or 'free', not {period!r}"
        raise NetworkError(msg)
    edits, excluded = select_edits(with_ids, initiatives) if with_ids else ([], {})
    if excluded:
        warnings.warn(f"initiatives left out (not representable): {excluded}",
                      MobilityWarning, stacklevel=2)
    edits_json = json.dumps(edits, sort_keys=True, default=str)
    net = _scenario_net(_key(edits), edits_json)
    if mode == "pt":
        minutes, gen = _pt_time(net, _served(net, from_name, "FROM"),
                                _served(net, to_name, "TO"))
    else:
        times = None if period == "free" else _link_times(_key(edits), edits_json)[period]
        minutes, gen = _car_time(net, from_name, to_name, times)
    return {"from": from_name, "to": to_name, "mode": mode, "with": [i for i, _ in edits],
            "minutes": round(float(minutes), 1), "generalised_minutes": round(float(gen), 1),
            "period": period}
