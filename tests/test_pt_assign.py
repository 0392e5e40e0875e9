"""PT assignment (mobility.demand.pt_assign): a hand-computed example, conservation, new lines."""

from __future__ import annotations

import numpy as np
import pytest

from mobility.demand.pt_assign import (
    assign_pt,
    changed_services,
    new_line_boardings,
    pt_state,
)
from mobility.errors import NetworkError
from mobility.network import params
from mobility.network.services import Network, Service
from mobility.network.zones import Legs

INF = np.inf


def _tiny(split: bool) -> Network:
    """Stations X, Y, Z on a line at 0, 3 and 7 km; one service X-Y-Z or two, X-Y and Y-Z."""
    stations = {"X": (0.0, 0.0), "Y": (3000.0, 0.0), "Z": (7000.0, 0.0)}
    if split:
        services = {"L1": Service("L1", "s_train", 10.0, ["X", "Y"], [4.0]),
                    "L2": Service("L2", "s_train", 10.0, ["Y", "Z"], [5.0])}
    else:
        services = {"L1": Service("L1", "s_train", 10.0, ["X", "Y", "Z"], [4.0, 5.0])}
    return Network(stations, services, {}, [])


def _legs(egress_cost: float = 2.0) -> Legs:
    """Zone i reaches station i only, on foot, 0.3 km, 2 generalised minutes each way."""
    idx = np.arange(3, dtype=np.int32)[:, None]
    t = np.full((3, 1), 2.0, dtype=np.float32)
    share = np.zeros((3, 1, 4), dtype=np.float32)
    share[..., 0] = 1.0
    km = np.full((3, 1), 0.3, dtype=np.float32)
    egr = t.copy()
    egr[2] = egress_cost
    egr_share = share.copy()
    if not np.isfinite(egress_cost):
        egr_share[2] = 0.0
    return Legs(idx, t, t, idx, egr, egr, share, km, egr_share, km)


#: Trips per day between the three zones; 0->0 walks (direct 5 min beats 2 + 5 + 2).
TRIPS = np.array([[7.0, 100.0, 50.0], [20.0, 0.0, 30.0], [0.0, 10.0, 0.0]])
DIRECT = np.array([[5.0, INF, INF], [INF, 5.0, INF], [INF, INF, 5.0]], dtype=np.float32)


def _assign(split: bool, egress_cost: float = 2.0):  # type: ignore[no-untyped-def]
    net = _tiny(split)
    state = pt_state(net, legs=_legs(egress_cost), direct=DIRECT)
    return assign_pt(net, TRIPS, skims_state=state)


def test_hand_example_one_line() -> None:
    loads = _assign(split=False)
    k = params.NEW_RAIL_CIRCUITY
    # every OD pair boards once; passenger-km = trips x straight-line km x rail circuity
    assert loads.lines.set_index("service").loc["L1", "boardings"] == pytest.approx(210.0)
    pkm = (100 * 3 + 50 * 7 + 20 * 3 + 30 * 4 + 10 * 4) * k
    assert loads.lines.set_index("service").loc["L1", "passenger_km"] == pytest.approx(pkm)
    st = loads.stations.set_index("station")["boardings"]
    assert st.to_dict() == pytest.approx({"X": 150.0, "Y": 50.0, "Z": 10.0})
    assert loads.trips_walk_only == pytest.approx(7.0)
    assert loads.trips_assigned == pytest.approx(210.0)
    assert loads.trips_no_path == 0.0
    np.testing.assert_allclose(loads.station_trips, [[0, 100, 50], [20, 0, 30], [0, 10, 0]])
    acc = loads.access.set_index(["leg", "mode"])
    assert acc.loc[("access", "walk"), "trips"] == pytest.approx(210.0)
    assert acc.loc[("access", "walk"), "km"] == pytest.approx(210.0 * 0.3)
    assert acc.loc[("access", "bike"), "trips"] == 0.0
    assert acc.loc[("egress", "walk"), "km"] == pytest.approx(210.0 * 0.3)


def test_hand_example_transfer_boards_twice() -> None:
    loads = _assign(split=True)
    k = params.NEW_RAIL_CIRCUITY
    lines = loads.lines.set_index("service")
    # L1 X-Y: X->Y 100, X->Z 50, Y->X 20; L2 Y-Z: X->Z 50 (transfer at Y), Y->Z 30, Z->Y 10
    assert lines.loc["L1", "boardings"] == pytest.approx(170.0)
    assert lines.loc["L2", "boardings"] == pytest.approx(90.0)
    assert lines.loc["L1", "passenger_km"] == pytest.approx(170 * 3 * k)
    assert lines.loc["L2", "passenger_km"] == pytest.approx(90 * 4 * k)
    st = loads.stations.set_index("station")["boardings"]
    assert st.to_dict() == pytest.approx({"X": 150.0, "Y": 100.0, "Z": 10.0})


def test_trips_without_a_path_are_reported() -> None:
    loads = _assign(split=False, egress_cost=INF)  # zone 2 cannot be left on foot or bus
    assert loads.trips_no_path == pytest.approx(80.0)  # 50 + 30 to zone 2
    assert loads.trips_assigned == pytest.approx(130.0)
    total = loads.trips_assigned + loads.trips_walk_only + loads.trips_no_path
    assert total == pytest.approx(loads.trips_total)


@pytest.mark.parametrize("bad", [np.zeros((2, 2)), -TRIPS, TRIPS * np.nan])
def test_bad_trip_matrix_is_a_clear_error(bad: np.ndarray) -> None:
    net = _tiny(False)
    state = pt_state(net, legs=_legs(), direct=DIRECT)
    with pytest.raises(NetworkError, match="pt_trips"):
        assign_pt(net, bad, skims_state=state)


@pytest.fixture(scope="module")
def base():  # type: ignore[no-untyped-def]
    from mobility.demand.pivot import pt_trip_matrix
    from mobility.network.scenario import _state

    net, _, dem, _ = _state()
    trips = pt_trip_matrix(dem)  # the demand model's base PT trips
    return net, trips, assign_pt(net, trips)


def test_conservation_on_the_base_network(base) -> None:  # type: ignore[no-untyped-def]
    net, trips, loads = base
    total = loads.trips_assigned + loads.trips_walk_only + loads.trips_no_path
    assert total == pytest.approx(float(trips.sum()), rel=1e-6)
    assert loads.trips_assigned > 0.8 * total
    # every assigned trip boards at least once; transfers add boardings
    assert loads.lines["boardings"].sum() >= loads.trips_assigned * (1 - 1e-9)
    assert loads.stations["boardings"].sum() == pytest.approx(loads.lines["boardings"].sum())
    assert loads.station_trips.sum() == pytest.approx(loads.trips_assigned)
    # access and egress legs carry every assigned trip once
    acc = loads.access.groupby("leg")["trips"].sum()
    assert acc["access"] == pytest.approx(loads.trips_assigned, rel=1e-5)
    assert acc["egress"] == pytest.approx(loads.trips_assigned, rel=1e-5)
    assert (loads.lines["passenger_km"] >= 0).all()
    assert set(loads.lines["service"]) == set(net.services)


def test_paths_precomputed_give_the_same_loads(base) -> None:  # type: ignore[no-untyped-def]
    net, trips, loads = base
    again = assign_pt(net, trips, skims_state=pt_state(net, paths=True))
    np.testing.assert_allclose(again.lines["boardings"], loads.lines["boardings"])


def test_assignment_skim_equals_the_scenario_skim(base) -> None:  # type: ignore[no-untyped-def]
    from mobility.network.scenario import _state

    net, _, _ = base
    state = pt_state(net, paths=True)
    np.testing.assert_allclose(state.pt_skim(), _state()[1].pt, rtol=1e-6)


def test_a_new_line_gets_boardings(base, catalogue) -> None:  # type: ignore[no-untyped-def]
    from mobility.network.scenario import scenario_network, select_edits

    net, trips, loads = base
    scen = scenario_network(select_edits([12], catalogue)[0])
    changed = changed_services(net, scen)
    assert changed
    assert not changed_services(net, net)
    scen_loads = assign_pt(scen, trips)
    new = new_line_boardings(loads, scen_loads, changed)
    assert new > 1000.0
    assert new_line_boardings(loads, scen_loads, changed, increment=True) <= new
    # the same trips, now partly on the new line: the other lines lose boardings
    old = set(net.services) - set(changed)
    b0 = loads.lines.set_index("service").loc[sorted(old), "boardings"].sum()
    b1 = scen_loads.lines.set_index("service").loc[sorted(old), "boardings"].sum()
    assert b1 < b0


def test_park_and_ride_trips_are_car_access(base) -> None:  # type: ignore[no-untyped-def]
    from mobility.network.edits import apply_edits

    net, trips, loads = base
    scen = apply_edits(net, [(98, [{"op": "park_and_ride", "station": "Hillerød St.",
                                     "spaces": 500, "catchment_km": 15}])])
    pr = assign_pt(scen, trips)
    acc = pr.access.set_index(["leg", "mode"])["trips"]
    assert loads.access.set_index(["leg", "mode"]).loc[("access", "car"), "trips"] == 0.0
    assert acc[("access", "car")] > 0.0
    assert acc["access"].sum() == pytest.approx(pr.trips_assigned, rel=1e-5)
    assert pr.trips_assigned >= loads.trips_assigned - 1e-6 * loads.trips_total
