"""Access and egress mode choice of the PT legs (mobility.network.zones.pt_legs)."""

from __future__ import annotations

import numpy as np
import pytest

from mobility.network import params
from mobility.network.base import base_network
from mobility.network.edits import apply_edits
from mobility.network.zones import ACCESS_MODES, _access_options, mode_choice, pt_legs


def test_mode_choice_shares_logsum_and_missing_modes() -> None:
    costs = np.array([[5.0, 10.0, 12.0], [np.inf, 8.0, 8.0], [np.inf, np.inf, np.inf]])
    times = costs.copy()
    logsum, shares, time = mode_choice(costs, times, 0.2)
    np.testing.assert_allclose(shares[:2].sum(axis=1), 1.0)
    assert (shares[2] == 0).all() and np.isinf(logsum[2]) and np.isinf(time[2])
    assert shares[1, 0] == 0.0 and shares[1, 1] == pytest.approx(0.5)
    # logsum: at most the cheapest option, at least the cheapest minus ln(n)/scale
    assert (logsum[:2] <= costs[:2].min(axis=1)).all()
    assert logsum[1] == pytest.approx(8.0 - np.log(2) / 0.2)
    e = np.exp(-0.2 * np.array([5.0, 10.0, 12.0]))
    np.testing.assert_allclose(shares[0], e / e.sum(), rtol=1e-12)
    assert time[0] == pytest.approx(float((e / e.sum() * [5, 10, 12]).sum()))
    with pytest.raises(ValueError, match="scale"):
        mode_choice(costs, times, 0.0)


def _shares(dist_m: float, parking: float = params.BIKE_PARKING_MIN) -> dict[str, float]:
    times, costs, _ = _access_options(np.array([dist_m]), np.array([parking]))
    _, shares, _ = mode_choice(costs, times, params.ACCESS_LOGIT_SCALE_PER_MIN)
    return dict(zip(ACCESS_MODES, shares[0], strict=False))


@pytest.mark.parametrize("dist_m", [100.0, 300.0, 500.0])
def test_walking_wins_for_short_distances(dist_m: float) -> None:
    sh = _shares(dist_m)
    assert sh["walk"] > 0.7
    assert sh["walk"] > sh["bike"] + sh["feeder"]


def test_cycling_share_stays_plausible_and_grows_with_distance() -> None:
    bike = [_shares(d)["bike"] for d in (250.0, 1000.0, 2000.0, 4000.0)]
    assert all(b < 0.6 for b in bike)
    assert bike[:3] == sorted(bike[:3])  # beyond walking range the feeder bus takes over
    assert _shares(6000.0)["bike"] == 0.0  # beyond BIKE_MAX_M
    # cheaper bicycle parking raises cycling's share
    assert _shares(2000.0, parking=1.0)["bike"] > _shares(2000.0)["bike"]


@pytest.fixture(scope="module")
def base_legs():  # type: ignore[no-untyped-def]
    net = base_network()
    return net, pt_legs(net, net.station_keys())


def test_pt_legs_shares_sum_to_one_and_logsum_below_options(base_legs) -> None:  # type: ignore[no-untyped-def]
    _, legs = base_legs
    ok = np.isfinite(legs.access_g)
    np.testing.assert_allclose(legs.access_share.sum(axis=-1)[ok], 1.0, atol=1e-5)
    assert (legs.access_share.sum(axis=-1)[~ok] == 0).all()
    np.testing.assert_allclose(legs.egress_share.sum(axis=-1)[np.isfinite(legs.egress_g)], 1.0,
                               atol=1e-5)
    assert (legs.egress_share[..., ACCESS_MODES.index("bike")] == 0).all()
    # the logsum never exceeds the cheapest option (costs incl. constants)
    from mobility.network.zones import _base_names, _near_kept

    net, _ = base_legs
    stations = net.station_keys()
    xy = np.array([net.stations[s] for s in stations])
    dist, _ = _near_kept(xy, stations, _base_names()[0], params.ACCESS_STATIONS_K)
    _, costs, _ = _access_options(dist, params.BIKE_PARKING_MIN)
    assert (legs.access_g <= costs.min(axis=-1) + 1e-4).all()
    # share-weighted time lies between the fastest and the slowest available option
    t = legs.access_t[ok]
    assert (t > 0).all() and np.isfinite(t).all()


def test_bike_parking_lowers_the_leg_cost_of_its_station_only(base_legs) -> None:  # type: ignore[no-untyped-def]
    net, legs = base_legs
    station = "Hillerød St."
    scen = apply_edits(net, [(99, [{"op": "change_access", "stations": [station],
                                      "parking_min": 1.0}])])
    new = pt_legs(scen, scen.station_keys())
    pos = scen.station_keys().index(station)
    at = legs.access_idx == pos
    assert at.any()
    bike = ACCESS_MODES.index("bike")
    assert (new.access_g[at] <= legs.access_g[at]).all()
    assert (new.access_g[at] < legs.access_g[at]).any()
    assert (new.access_share[at][:, bike] >= legs.access_share[at][:, bike] - 1e-6).all()
    np.testing.assert_array_equal(new.access_g[~at], legs.access_g[~at])
    np.testing.assert_array_equal(new.egress_g, legs.egress_g)


def test_scenario_legs_keep_the_base_legs(catalogue) -> None:  # type: ignore[no-untyped-def]
    from mobility.network.scenario import scenario_network, select_edits

    net = base_network()
    base = pt_legs(net, net.station_keys())
    scen = scenario_network(select_edits([12], catalogue)[0])
    st = scen.station_keys()
    legs = pt_legs(scen, st)
    names = np.array(net.station_keys())
    snames = np.array(st)
    for i in range(0, base.access_idx.shape[0], 97):
        old = dict(zip(names[base.access_idx[i]], base.access_g[i], strict=True))
        new = dict(zip(snames[legs.access_idx[i]], legs.access_g[i], strict=True))
        for s, g in old.items():
            assert new[s] == pytest.approx(g)


def test_park_and_ride_legs_are_car_legs(catalogue) -> None:  # type: ignore[no-untyped-def]
    net = base_network()
    st = net.station_keys()
    scen = apply_edits(net, [(98, [{"op": "park_and_ride", "station": "Hillerød St.",
                                     "spaces": 500, "catchment_km": 8}])])
    legs = pt_legs(scen, scen.station_keys())
    base = pt_legs(net, st)
    extra = legs.access_idx.shape[1] - base.access_idx.shape[1]
    assert extra == 1
    car = legs.access_share[:, -1, :]
    reach = np.isfinite(legs.access_g[:, -1])
    assert reach.any() and (~reach).any()
    assert (car[reach, ACCESS_MODES.index("car")] == 1).all()
    assert (car[~reach] == 0).all()
    assert (legs.access_km[reach, -1] > 0).all()
