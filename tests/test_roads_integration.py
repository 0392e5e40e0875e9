"""Issue 10 through the demand model: congestion in the scenario loop, money in the utilities,
and the road, price and fare initiatives acting through mode choice."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from mobility.network import apply_edits, params
from mobility.network.assignment import period_od


@pytest.fixture(scope="module")
def state() -> tuple[Any, Any, Any, Any]:
    from mobility.network.scenario import _base_roads, _state

    net, skims, dem, _ = _state()
    return net, skims, dem, _base_roads(dem)


def _edits(catalogue: dict[int, Any], *ids: int) -> list[tuple[int, list[dict[str, Any]]]]:
    return [(i, catalogue[i].network["edits"]) for i in ids]


def test_base_feedback_converges_and_conserves_the_car_trips(state) -> None:  # type: ignore[no-untyped-def]
    _, skims, _, roads = state
    fb = roads.feedback
    assert fb["base_feedback_loops"] == 1
    for p in ("peak", "offpeak"):
        assert roads.skim_assignment.gap[p] <= params.ASSIGNMENT_GAP
        res = roads.assignment
        assert res.gap[p] <= params.ASSIGNMENT_GAP
        # every vehicle of the period's OD is either assigned or on local roads
        total = float(period_od(roads.car, p).sum())
        got = res.demand_vph[p] + res.intranode_vph[p] + res.unassigned_vph[p]
        assert got == pytest.approx(total, rel=1e-6)
        assert res.unassigned_vph[p] == pytest.approx(0.0, abs=1e-6)
    # congestion lowers car use a little (one loop, documented)
    assert -5.0 < fb["car_trips_change_last_loop_pct"] < 0.0
    # the base skims carry the congested times: the peak is slower than the off-peak
    assert skims.car_time_peak.mean() > skims.car_time_offpeak.mean()


def test_money_enters_the_utilities(state) -> None:  # type: ignore[no-untyped-def]
    from mobility.demand import parameters as P
    from mobility.demand.model import car_cost_min, money_min_per_dkk, pt_cost_min

    _, skims, _, _ = state
    k = money_min_per_dkk()
    assert k == pytest.approx(P.value("MONEY_WEIGHT") / (P.value("VOT_COMMUTE_DKK_H") / 60.0))
    g = car_cost_min(skims)
    np.testing.assert_allclose(g, skims.car_time + skims.car_cost_dkk * np.float32(k),
                               rtol=1e-5)
    dear = replace(skims, pt_fare_dkk=skims.pt_fare_dkk + np.float32(10.0))
    with np.errstate(invalid="ignore"):  # inf - inf where PT is only walking
        d = pt_cost_min(dear) - pt_cost_min(skims)
    ok = np.isfinite(d)
    np.testing.assert_allclose(d[ok], 10.0 * k, rtol=1e-3)


def test_null_scenario_is_exactly_the_base(state) -> None:  # type: ignore[no-untyped-def]
    from mobility.network.scenario import congested_scenario

    net, skims, dem, _ = state
    scen, resp, info = congested_scenario(net, skims, dem, net.copy())
    assert resp.unchanged and not info["reassigned"]
    np.testing.assert_array_equal(scen.car, skims.car)


@pytest.mark.slow
def test_road_charge_32_lowers_car_vkm_and_raises_pt_through_the_demand_model(
        catalogue, state) -> None:  # type: ignore[no-untyped-def]
    from mobility.network.scenario import congested_scenario, evaluate_scenario

    net, skims, dem, roads = state
    res = evaluate_scenario([32], initiatives=catalogue, use_cache=False)
    eff = res.effects
    assert eff["car_vehicle_km_change_per_day"] < 0
    assert eff["extra_pt_trips_per_day"] > 0
    assert eff["trips_by_mode_scenario"]["car"] < eff["trips_by_mode_base"]["car"]
    assert eff["road_charge_revenue_change_dkk_per_day"] > 0
    assert eff["fare_revenue_change_dkk_per_day"] > 0
    assert eff["car_operating_cost_change_dkk_per_day"] < 0
    cong = eff["congestion"]
    assert cong["reassigned"] and max(cong["relative_gap"].values()) <= params.ASSIGNMENT_GAP
    # congestion relief on the roads (car minutes driven may still rise: the charge moves
    # drivers to shorter, slower routes)
    _, _, info = congested_scenario(net, skims, dem, apply_edits(net, _edits(catalogue, 32)))
    a0, a1 = roads.assignment, info["assignment"]
    assert a1.vehicle_km("peak") / a1.vehicle_hours("peak") > \
        a0.vehicle_km("peak") / a0.vehicle_hours("peak")


@pytest.mark.slow
def test_fare_reform_33_raises_pt_trips(catalogue) -> None:  # type: ignore[no-untyped-def]
    from mobility.network.scenario import evaluate_scenario

    res = evaluate_scenario([33], initiatives=catalogue, use_cache=False)
    eff = res.effects
    assert eff["extra_pt_trips_per_day"] > 0
    assert eff["fare_revenue_change_dkk_per_day"] < 0  # cheaper long trips
    assert eff["car_vehicle_km_change_per_day"] < 0
    assert res.person_minutes_saved_pt == 0.0  # fares are money, not PT minutes
    assert eff["user_benefit_mdkk_per_year"] > 0


@pytest.mark.slow
def test_its_26_lowers_peak_car_times_on_its_corridors(catalogue, state) -> None:  # type: ignore[no-untyped-def]
    from mobility.network.roads import road_links_frame
    from mobility.network.scenario import congested_scenario

    net, skims, dem, roads = state
    scen_net = apply_edits(net, _edits(catalogue, 26))
    scen, resp, info = congested_scenario(net, skims, dem, scen_net)
    assert info["reassigned"]
    a0, a1 = roads.assignment, info["assignment"]
    assert a0.keys == a1.keys
    frame = road_links_frame(net)
    corridor = {(r.a, r.b) for r in frame.itertuples()
                if r.area == "urban" and r.road_class in ("main_road", "motorway")}
    corridor |= {(b, a) for a, b in corridor}
    on = np.array([k in corridor for k in a0.keys])
    busy = on & (a0.flows["peak"] > 0.5 * a0.capacity_vph)
    assert busy.sum() > 10
    # peak link times on the busy corridor links fall on average (flows may grow there)
    assert a1.link_times["peak"][busy].mean() < a0.link_times["peak"][busy].mean()
    # and so do the peak car times in the skims where they change
    d = scen.car_time_peak - skims.car_time_peak
    assert d.min() < -0.5 and d.mean() < 0
    assert not resp.unchanged
