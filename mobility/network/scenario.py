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
from .base import base_network
from .edits import apply_edits
from .graph import car_graph, compile_graph, pt_graph
from .metrics import municipality_metrics, zone_frame
from .roads import link_speed_kmh
from .services import Network, resolve_stop
from .skim import Skims, scenario_skims

if TYPE_CHECKING:
    from ..demand.model import BaseDemand
    from ..demand.pt_assign import PtLoads, PtState

__all__ = [
    "MODEL_VERSION",
    "ScenarioResult",
    "cache_dir",
    "clear_cache",
    "evaluate_scenario",
    "pt_route",
    "scenario_network",
    "select_edits",
    "travel_time",
]

log = logging.getLogger(__name__)

#: Bumped whenever the model's code changes its results (part of the cache key).
MODEL_VERSION = "4"

#: Files whose content the network depends on.
_INPUTS = ("pt_services.yaml", "roads.yaml", "stations", "rail_segments", "rail_nodes", "stops",
           "population_grid", "municipalities", "places", "aliases", "zones_jobs",
           "jobs_by_municipality", "municipality_stats", "demand_parameters")


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
    for name in _INPUTS:
        p = geodata.get_path(name)
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


@lru_cache(maxsize=1)
def _base_state(digest: str) -> tuple[Network, Skims, BaseDemand, np.ndarray]:
    from ..demand.model import base_demand, clear_static
    from ..demand.pivot import prepare

    net = base_network()
    skims = scenario_skims(net)
    clear_static()
    dem = base_demand(skims)
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


def network_skims(net: Network, edits: list[tuple[int, list[dict[str, Any]]]] | None = None,
                  engine: str = "csgraph") -> tuple[Skims, PtState | None]:
    """Skims of a scenario network and its PT assignment state (the PT min-plus done once).

    Without edits the base skims and state are returned (nothing is recomputed). With the
    networkx reference engine the state is ``None`` (:func:`compute_result` builds it).
    """
    from ..demand.pt_assign import pt_state

    if edits is not None and not edits:
        return _state()[1], _base_pt()[0]
    if engine != "csgraph":
        return scenario_skims(net, engine=engine), None
    state = pt_state(net, paths=True)
    return scenario_skims(net, pt=state.pt_skim()), state


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
    scen, pt = network_skims(net, edits, engine)
    return compute_result(base_net, base, dem, net, scen, tuple(i for i, _ in edits),
                          excluded, key, pt=pt)


def _access_km(loads: PtLoads) -> dict[str, float]:
    """Street km of the station legs (access + egress) by mode: walk, bike."""
    acc = loads.access.groupby("mode")["km"].sum()
    return {m: float(acc.get(m, 0.0)) for m in ("walk", "bike")}


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
                   key: str = "", *, pt: PtState | None = None) -> ScenarioResult:
    """Demand response, effects and metrics of a scenario's skims against the base.

    ``pt`` is the scenario network's PT assignment state if already built
    (:func:`network_skims`); otherwise it is built here.
    """
    from ..demand.effects import scenario_effects
    from ..demand.pivot import respond

    resp = respond(dem, base, scen)
    boardings, lines, access_km = _line_boardings(base_net, net, dem, base, scen, resp, pt)
    effects, zone = scenario_effects(dem, resp, base_net, net, boardings,
                                     access_km_change=access_km)
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
    """Congested link times of a scenario: the base weekday car trips assigned for the peak
    and off-peak hour on the scenario's roads."""
    from .assignment import assign_car_periods

    net = _scenario_net(key, edits_json)
    return assign_car_periods(net, _state()[2].car).link_times_by_pair()


def _car_time(net: Network, a: str, b: str,
              link_times: dict[tuple[str, str], float] | None = None) -> tuple[float, float]:
    graph = car_graph(net, link_times)
    comp = compile_graph(graph)
    names = sorted(net.road_nodes)
    xy = np.array([net.road_nodes[n] for n in names])
    pa, pb = resolve_stop(a), resolve_stop(b)
    speed = link_speed_kmh("local", "urban", net.speed_caps)
    per_km = (params.CAR_OPERATING_COST_DKK_PER_KM + net.road_cost["per_km_dkk"]) \
        / params.VALUE_OF_TIME_DKK_PER_MIN

    def legs(p: tuple[str, float, float]) -> list[tuple[str, float, float]]:
        d = np.hypot(xy[:, 0] - p[1], xy[:, 1] - p[2])
        out = []
        for i in np.argsort(d)[:params.CAR_ACCESS_NODES_K]:
            km = d[i] / 1000.0 * params.ACCESS_CIRCUITY
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
