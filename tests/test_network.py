"""The network engine: base network, travel times, scenarios, reference equivalence, cache."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from mobility.errors import MobilityWarning, NetworkError, PlaceNotFoundError
from mobility.network import (
    ScenarioResult,
    apply_edits,
    base_network,
    evaluate_scenario,
    params,
    prefetch_scenarios,
    scenario_skims,
    study_zones,
    travel_time,
)
from mobility.network.scenario import cache_dir, clear_cache

ZONE_COLUMNS = ["cell_id", "municipality_code", "population", "accessibility_base",
                "accessibility_scenario", "accessibility_change_pct", "mean_time_change_min"]
MUNI_COLUMNS = ["name", "population", "accessibility_base", "accessibility_scenario",
                "accessibility_change_pct", "person_minutes_saved_per_day", "gains"]


def test_base_network_is_a_fresh_copy() -> None:
    net = base_network()
    net.services["S-tog A"].headway_min = 99.0
    net.stations.clear()
    again = base_network()
    assert again.services["S-tog A"].headway_min == 10.0
    assert "København H" in again.stations


def test_base_services_are_consistent() -> None:
    net = base_network()
    assert len(net.services) >= 30
    for svc in net.services.values():
        assert len(svc.run_min) == len(svc.stops) - 1
        assert all(r > 0 for r in svc.run_min), svc.name
        assert svc.headway_min > 0


def test_zones_are_the_fingerplan_cells() -> None:
    z = study_zones()
    assert 2500 < len(z) < 3500
    assert 400 not in set(z["municipality_code"])  # Bornholm left out
    assert z["cell_id"].is_unique


def test_travel_time_keys_and_meaning() -> None:
    res = travel_time("Nørreport St.", "CPH Lufthavn")
    assert set(res) == {"from", "to", "mode", "with", "minutes", "generalised_minutes", "period"}
    assert res["mode"] == "pt" and res["with"] == []
    # generalised adds the initial wait (half the 4-minute metro headway)
    assert res["generalised_minutes"] == pytest.approx(res["minutes"] + 2.0, abs=0.11)


def test_travel_time_transfer_counts_wait() -> None:
    # Hillerød -> Helsinge needs no transfer; Farum -> Helsinge needs at least one
    direct = travel_time("Hillerød St.", "Helsinge St.")
    with_transfer = travel_time("Farum St.", "Helsinge St.")
    assert with_transfer["minutes"] > direct["minutes"]
    gap = with_transfer["generalised_minutes"] - with_transfer["minutes"]
    assert gap >= params.TRANSFER_PENALTY_MIN


def test_travel_time_alias_and_car() -> None:
    a = travel_time("København Syd", "København H")
    b = travel_time("Ny Ellebjerg St.", "København H")
    assert a["minutes"] == b["minutes"]
    car = travel_time("Hillerød St.", "Køge St.", mode="car")
    assert 40 < car["minutes"] < 90


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        (("Hilerød St.", "Køge St."), {}, PlaceNotFoundError, "closest matches: Hillerød St."),
        (("Hillerød St.", "Nordsjællands Hospital - Hillerød (Psykiatrien)"), {},
         PlaceNotFoundError, "unknown"),
        (("Hillerød St.", "Ullerød Kirke (Frederiksværksgade)"), {}, NetworkError,
         "not served"),
        (("Hillerød St.", "Køge St."), {"mode": "bike"}, NetworkError, "mode must be"),
        (("Hillerød St.", "Køge St."), {"with_ids": [99]}, NetworkError, "not in the catalogue"),
    ],
)
def test_travel_time_errors(args, kwargs, error, match) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error, match=match):
        travel_time(*args, **kwargs)


def test_travel_time_warns_for_excluded(catalogue) -> None:  # type: ignore[no-untyped-def]
    with pytest.warns(MobilityWarning, match="not representable"):
        res = travel_time("Roskilde St.", "København H", with_ids=[9], initiatives=catalogue)
    assert res["with"] == []


@pytest.mark.parametrize("ids", [[], [4, 11, 27, 32]])
def test_compiled_skim_equals_networkx_reference(ids, catalogue) -> None:  # type: ignore[no-untyped-def]
    from mobility.network import scenario_network, select_edits

    net = scenario_network(select_edits(ids, catalogue)[0])
    origins = [0, 150, 700, 1500, 2900]
    fast = scenario_skims(net)
    ref = scenario_skims(net, engine="networkx", origins=origins)
    np.testing.assert_allclose(ref.pt, fast.pt[origins], atol=1e-3)
    np.testing.assert_allclose(ref.car, fast.car[origins], atol=1e-3)
    np.testing.assert_allclose(ref.car_time, fast.car_time[origins], atol=1e-3)
    assert fast.pt.dtype == np.float32


def test_unknown_engine() -> None:
    with pytest.raises(ValueError, match="unknown engine"):
        scenario_skims(base_network(), engine="igraph", origins=[0])


def test_scenario_result_shape(catalogue) -> None:  # type: ignore[no-untyped-def]
    res = evaluate_scenario([8, 9], initiatives=catalogue)
    assert isinstance(res, ScenarioResult)
    assert res.ids == (8,)
    assert 9 in res.excluded and "daytime" in res.excluded[9]
    assert list(res.zones.columns[: len(ZONE_COLUMNS)]) == ZONE_COLUMNS
    assert set(MUNI_COLUMNS) <= set(res.municipalities.columns)
    assert res.municipalities.index.name == "municipality_code"
    assert len(res.municipalities) == 34
    assert res.person_minutes_saved_pt > 0
    assert res.person_minutes_saved_car == 0
    assert res.person_minutes_saved_per_day == pytest.approx(
        res.person_minutes_saved_pt + res.person_minutes_saved_car)
    gaining = res.municipalities[res.municipalities["gains"]]
    assert sorted(res.municipalities_gaining) == sorted(gaining["name"])
    assert "Roskilde" in res.municipalities_gaining


def test_not_representable_only_is_base(catalogue) -> None:  # type: ignore[no-untyped-def]
    res = evaluate_scenario([9], initiatives=catalogue)
    assert res.ids == () and set(res.excluded) == {9}
    assert res.person_minutes_saved_per_day == 0
    assert (res.zones["accessibility_change_pct"] == 0).all()


@pytest.mark.parametrize(("iid", "sign_pt", "sign_car"),
                         [(4, 1, 0), (12, 1, 0), (25, 0, 1), (27, 0, 1), (28, 0, -1),
                          (29, 0, -1), (30, 0, -1), (31, 0, 0), (32, 0, 1), (24, 1, 0)])
def test_single_scenarios_have_the_expected_sign(iid, sign_pt, sign_car, catalogue) -> None:  # type: ignore[no-untyped-def]
    # 32: a per-km charge moves drivers to shorter, slower routes (fixed demand, free flow);
    # its congestion relief appears once the assignment runs in the scenario loop.
    res = evaluate_scenario([iid], initiatives=catalogue)
    assert np.sign(round(res.person_minutes_saved_pt)) == sign_pt
    assert np.sign(round(res.person_minutes_saved_car)) == sign_car


def test_road_charge_lowers_accessibility(catalogue) -> None:  # type: ignore[no-untyped-def]
    res = evaluate_scenario([32], initiatives=catalogue)
    assert (res.municipalities["accessibility_change_pct"] < 0).all()
    assert res.municipalities_gaining == []


def test_all_initiatives_scenario(catalogue) -> None:  # type: ignore[no-untyped-def]
    res = evaluate_scenario(sorted(catalogue), initiatives=catalogue)
    assert set(res.ids) | set(res.excluded) == set(catalogue)
    assert set(res.excluded) == {9, 18, 19, 20, 21, 22}
    assert res.person_minutes_saved_pt > evaluate_scenario([8], initiatives=catalogue
                                                           ).person_minutes_saved_pt


def test_cache_memory_and_disk(catalogue, network_cache) -> None:  # type: ignore[no-untyped-def]
    clear_cache()
    first = evaluate_scenario([16], initiatives=catalogue)
    assert evaluate_scenario([16], initiatives=catalogue) is first
    assert cache_dir() == network_cache / "network"
    assert (cache_dir() / f"{first.cache_key}.npz").is_file()
    clear_cache()  # memory only: the disk copy is read back
    again = evaluate_scenario([16], initiatives=catalogue)
    assert again.cache_key == first.cache_key
    pd.testing.assert_frame_equal(again.municipalities, first.municipalities)
    fresh = evaluate_scenario([16], initiatives=catalogue, use_cache=False)
    assert fresh.person_minutes_saved_per_day == pytest.approx(first.person_minutes_saved_per_day)


def test_prefetch_in_processes_equals_sequential(catalogue, network_cache) -> None:  # type: ignore[no-untyped-def]
    """Scenarios computed by forked workers are the ones evaluate_scenario computes, and are
    found in the memory and disk caches afterwards."""
    clear_cache(disk=True)
    n = prefetch_scenarios([[12], [13], [12], [9, 13]], initiatives=catalogue, workers=2)
    assert n == 2  # 12 and 13; the repeat and 9 (no edits, the same key as 13) are not again
    for iid in (12, 13):
        got = evaluate_scenario([iid], initiatives=catalogue)
        assert (cache_dir() / f"{got.cache_key}.npz").is_file()
        fresh = evaluate_scenario([iid], initiatives=catalogue, use_cache=False)
        assert got.person_minutes_saved_per_day == pytest.approx(
            fresh.person_minutes_saved_per_day, rel=1e-9)
        assert got.effects["extra_pt_trips_per_day"] == pytest.approx(
            fresh.effects["extra_pt_trips_per_day"], rel=1e-9)
    assert prefetch_scenarios([[12], [13]], initiatives=catalogue, workers=2) == 0


def test_cache_key_depends_on_parameters(catalogue, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    key = evaluate_scenario([16], initiatives=catalogue).cache_key
    monkeypatch.setattr(params, "GAIN_THRESHOLD_PCT", 0.5)
    assert evaluate_scenario([16], initiatives=catalogue).cache_key != key


# ---- edits on a copy, conflicts -------------------------------------------------------------


def test_apply_edits_does_not_touch_the_base() -> None:
    base = base_network()
    before = list(base.services["Bus 200S"].run_min)
    new = apply_edits(base, [(4, [{"op": "scale_running_time", "service": "Bus 200S",
                                   "factor": 0.5}])])
    assert base.services["Bus 200S"].run_min == before
    assert sum(new.services["Bus 200S"].run_min) == pytest.approx(sum(before) / 2)


def test_conflicting_headways_warn_and_take_the_shortest() -> None:
    edits = [(1, [{"op": "change_headway", "service": "Lo Lille Nord", "headway_min": 20}]),
             (2, [{"op": "change_headway", "service": "Lo Lille Nord", "headway_min": 10}])]
    with pytest.warns(MobilityWarning, match="different headways"):
        net = apply_edits(base_network(), edits)
    assert net.services["Lo Lille Nord"].headway_min == 10


def test_conflicting_factors_are_not_compounded() -> None:
    edits = [(1, [{"op": "scale_running_time", "service": "Bus 150S", "factor": 0.9}]),
             (2, [{"op": "scale_running_time", "service": "Bus 150S", "factor": 0.8,
                   "corridor": ["Kokkedal St.", "Nærum St."]}])]
    base = base_network().services["Bus 150S"].run_min
    with pytest.warns(MobilityWarning, match="not compounded"):
        net = apply_edits(base_network(), edits)
    run = net.services["Bus 150S"].run_min
    assert run[0] == pytest.approx(base[0] * 0.8)
    assert run[1] == pytest.approx(base[1] * 0.9)


def test_same_service_added_twice_is_an_error() -> None:
    add = {"op": "add_service", "name": "X", "mode": "bus", "headway_min": 10,
           "stops": ["Køge St.", "Roskilde St."]}
    with pytest.raises(NetworkError, match="already added by initiative 1"):
        apply_edits(base_network(), [(1, [add]), (2, [add])])


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        ({"op": "change_headway", "service": "Bus 999", "headway_min": 5}, "unknown service"),
        ({"op": "scale_running_time", "service": "Bus 200S", "factor": 0.9,
          "corridor": ["Friheden St.", "Køge St."]}, "not on service"),
        ({"op": "upgrade_road", "from": "Hillerød", "to": "Køge", "road_class": "motorway"},
         "no road link"),
        ({"op": "park_and_ride", "station": "Ullerød Kirke (Frederiksværksgade)", "spaces": 10},
         "no service serves"),
        ({"op": "add_service", "name": "Y", "mode": "metro", "headway_min": 4,
          "stops": ["Køge St.", "Roskilde St."]}, "new_track"),
    ],
)
def test_apply_edit_errors(edit, match) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NetworkError, match=match):
        apply_edits(base_network(), [(1, [edit])])


def test_metro_extension_joins_its_prerequisite(catalogue) -> None:  # type: ignore[no-untyped-def]
    from mobility.network import scenario_network, select_edits

    both = scenario_network(select_edits([12, 13], catalogue)[0])
    line = both.services["Metro København Syd-Hvidovre Hospital"]
    assert line.stops[0] == "Ny Ellebjerg St." and line.stops[-1] == "Rødovre Centrum (Tårnvej)"
    assert "Metro Hvidovre Hospital-Rødovre Centrum" not in both.services
    alone = scenario_network(select_edits([13], catalogue)[0])
    assert "Metro Hvidovre Hospital-Rødovre Centrum" in alone.services


def test_add_stop_splits_a_link() -> None:
    edit = {"op": "add_stop", "service": "Bus 200S", "stop": "Rødovre Rådhus (Tårnvej)",
            "after": "Rødovre St."}
    base = base_network().services["Bus 200S"]
    net = apply_edits(base_network(), [(1, [edit])])
    svc = net.services["Bus 200S"]
    assert svc.stops[3] == "Rødovre Rådhus (Tårnvej)"
    assert sum(svc.run_min) == pytest.approx(sum(base.run_min))


def test_fake_catalogue_scenario() -> None:
    spec = {"representable": True, "edits": [
        {"op": "change_headway", "service": "S-tog F", "headway_min": 2.5}]}
    cat = {1: SimpleNamespace(id=1, network=spec)}
    res = evaluate_scenario([1], initiatives=cat, use_cache=False)
    assert res.person_minutes_saved_pt > 0


@pytest.mark.parametrize("ident", [7, 12, 14])
def test_adding_links_never_lengthens_a_journey(ident: int) -> None:
    """A scenario that only adds services, stations or roads can only shorten shortest paths.

    Roads (27) are checked in ``tests/test_roads.py``: car routes minimise time plus operating
    cost, so a new road never raises the generalised cost, and never the minutes when routes
    are chosen by time alone, but a driver may accept a few seconds more for fewer km.

    Regression: the k nearest stations of a zone were chosen among base *and* new stations, so a
    new metro station could push an existing station out of a zone's access set and make
    thousands of zones' journeys longer.
    """
    res = evaluate_scenario([ident])
    assert res.person_minutes_saved_per_day > 0
    assert (res.zones["mean_time_change_min"] <= 1e-6).all()
    assert (res.zones["accessibility_change_pct"] >= -1e-9).all()
