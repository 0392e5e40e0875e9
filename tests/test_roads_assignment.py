"""Car assignment: BPR monotone, equilibrium against a networkx reference, trips conserved."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from mobility.network import params
from mobility.network.assignment import RoadGraph, all_or_nothing, equilibrium
from mobility.network.roads import AREA_TYPES, ROAD_CLASSES, bpr_time, class_spec


def _graph(links: list[tuple[int, int, float, float, float]], n: int) -> RoadGraph:
    """Directed links (a, b, free-flow minutes, capacity, alpha), beta 4, no money cost."""
    a = np.array([lk[0] for lk in links])
    b = np.array([lk[1] for lk in links])
    t0 = np.array([lk[2] for lk in links], dtype=float)
    edge_id = np.full((n, n), -1)
    edge_id[a, b] = np.arange(len(links))
    return RoadGraph([f"n{i}" for i in range(n)], a, b, t0, t0,
                     np.array([lk[3] for lk in links], dtype=float),
                     np.array([lk[4] for lk in links], dtype=float),
                     np.full(len(links), 4.0), np.zeros(len(links)), edge_id)


def _grid() -> tuple[RoadGraph, np.ndarray]:
    """A 3 x 3 grid, links both ways with mixed times and capacities, and an OD."""
    rng = np.random.default_rng(3)
    links = []
    for r in range(3):
        for c in range(3):
            i = 3 * r + c
            for j in ([i + 1] if c < 2 else []) + ([i + 3] if r < 2 else []):
                t, cap = rng.uniform(2, 6), rng.uniform(300, 900)
                links += [(i, j, t, cap, 0.5), (j, i, t, cap, 0.5)]
    od = np.zeros((9, 9))
    od[0, 8], od[8, 0], od[2, 6], od[6, 2], od[0, 5], od[3, 8] = 900, 500, 700, 300, 400, 350
    return _graph(links, 9), od


@pytest.mark.parametrize("cls", ROAD_CLASSES)
@pytest.mark.parametrize("area", AREA_TYPES)
def test_bpr_is_monotone_for_every_class(cls: str, area: str) -> None:
    spec = class_spec(cls, area)
    flow = np.linspace(0.0, 5000.0, 200)
    t = bpr_time(np.full_like(flow, 3.0), flow, np.full_like(flow, 1800.0),
                 np.full_like(flow, spec["bpr_alpha"]), np.full_like(flow, spec["bpr_beta"]))
    assert t[0] == pytest.approx(3.0)
    assert np.all(np.diff(t) > 0)


def test_two_parallel_routes_reach_equal_times() -> None:
    # route A: 0->1 direct (10 min, cap 1000); route B: 0->2->1 (6 + 6 min, cap 2000)
    rg = _graph([(0, 1, 10.0, 1000.0, 0.15), (0, 2, 6.0, 2000.0, 0.15),
                 (2, 1, 6.0, 2000.0, 0.15)], 3)
    od = np.zeros((3, 3))
    od[0, 1] = 3000.0
    run = equilibrium(rg, od, gap=1e-6)
    t = rg.times(run.flows)
    assert run.gap <= 1e-6
    assert run.flows[0] + run.flows[1] == pytest.approx(3000.0)
    assert run.flows[1] == pytest.approx(run.flows[2])
    assert t[0] == pytest.approx(t[1] + t[2], rel=1e-3)  # both routes used, equal times


@pytest.mark.parametrize(("conjugate", "tol"), [(True, 1e-4), (False, 1e-3)])
def test_equilibrium_matches_a_networkx_reference(conjugate: bool, tol: float) -> None:
    rg, od = _grid()
    run = equilibrium(rg, od, gap=tol, max_iter=3000, conjugate=conjugate)
    assert run.gap <= tol
    cost = rg.cost(run.flows)
    # reference: shortest paths at the equilibrium costs with networkx
    g = nx.DiGraph()
    for k, (i, j) in enumerate(zip(rg.a, rg.b, strict=True)):
        g.add_edge(int(i), int(j), w=float(cost[k]))
    sp = 0.0
    for o, d in zip(*np.nonzero(od), strict=True):
        sp += od[o, d] * nx.dijkstra_path_length(g, int(o), int(d), weight="w")
    total = float(np.dot(cost, run.flows))
    # Wardrop: the trips' total cost exceeds all-shortest-path cost by at most the gap
    assert sp <= total <= sp * (1 + tol) + 1e-9
    # the all-or-nothing step agrees with networkx shortest paths at free flow
    y, lost = all_or_nothing(rg, rg.cost(np.zeros(len(rg.a))), od)
    assert lost == 0.0
    g0 = nx.DiGraph()
    for k, (i, j) in enumerate(zip(rg.a, rg.b, strict=True)):
        g0.add_edge(int(i), int(j), w=float(rg.t0_min[k]))
    assert float(np.dot(rg.t0_min, y)) == pytest.approx(sum(
        od[o, d] * nx.dijkstra_path_length(g0, int(o), int(d), weight="w")
        for o, d in zip(*np.nonzero(od), strict=True)))


def test_assignment_conserves_trips_at_every_node() -> None:
    rg, od = _grid()
    run = equilibrium(rg, od)
    n = len(rg.nodes)
    net_out = np.bincount(rg.a, run.flows, n) - np.bincount(rg.b, run.flows, n)
    np.testing.assert_allclose(net_out, od.sum(axis=1) - od.sum(axis=0), atol=1e-6)
    assert run.gap <= params.ASSIGNMENT_GAP


@pytest.mark.slow
def test_base_network_peak_and_offpeak_converge() -> None:
    from mobility.network.assignment import assign_car_periods
    from mobility.network.scenario import _base_roads, _state

    net, _, dem, _ = _state()
    res = assign_car_periods(net, _base_roads(dem).car)  # the demand model's base car trips
    for p in ("peak", "offpeak"):
        assert res.gap[p] <= params.ASSIGNMENT_GAP
        assert res.unassigned_vph[p] == 0.0
        # conservation on the real network: vehicles leaving origins = assigned demand
        assert res.demand_vph[p] > 0
    assert res.vehicle_hours("peak") / res.vehicle_km("peak") > \
        res.vehicle_hours("offpeak") / res.vehicle_km("offpeak")
    assert (res.link_times["peak"] >= res.free_flow_min - 1e-9).all()


def test_zone_od_is_summed_to_node_od() -> None:
    from mobility.network.assignment import _aggregate

    rng = np.random.default_rng(1)
    od = rng.random((50, 50))
    zn = rng.integers(0, 7, 50)
    ref = np.zeros((7, 7))
    for i in range(50):
        for j in range(50):
            ref[zn[i], zn[j]] += od[i, j]
    np.testing.assert_allclose(_aggregate(od, zn, 7), ref)
