"""The demand model: zone data, generation, Furness, logit and pivot, scenario effects."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from mobility import geodata
from mobility.demand import EFFECT_KEYS, LINE_COLUMNS, load_zone_data, municipal_jobs
from mobility.demand import parameters as P
from mobility.demand.effects import car_g_per_km
from mobility.demand.model import (
    MODES,
    PURPOSES,
    furness,
    logit_shares,
    pivot_shares,
    summary_base,
)
from mobility.demand.model import respond as dense_respond
from mobility.demand.pivot import (
    mode_trip_matrix,
    prepare,
    pt_trip_matrix,
    respond,
    scenario_mode_matrix,
)
from mobility.demand.zonedata import derive_zone_table, largest_remainder
from mobility.errors import GeodataError
from mobility.network import evaluate_scenario
from mobility.network.params import CAR_OPERATING_COST_DKK_PER_KM
from mobility.network.scenario import _state
from mobility.network.skim import Skims

# ---- zone data ------------------------------------------------------------------------------


def test_zone_data_keeps_municipal_totals_exactly() -> None:
    z = load_zone_data()
    muni = municipal_jobs()
    sums = z.groupby("municipality_code")[["jobs", "employed_residents"]].sum()
    assert len(sums) == 34
    for code, row in sums.iterrows():
        assert row["jobs"] == muni.at[code, "employed_by_workplace"], code
        assert row["employed_residents"] == muni.at[code, "employed_by_residence"], code
    assert (z["jobs"] >= 0).all() and (z["employed_residents"] >= 0).all()
    assert z["car_share"].between(0.2, 0.95).all()


def test_shipped_zone_table_is_what_the_rule_derives() -> None:
    shipped = pd.read_csv(geodata.get_path("zones_jobs"))
    derived = derive_zone_table()
    pd.testing.assert_frame_equal(shipped.reset_index(drop=True),
                                  derived.reset_index(drop=True), check_dtype=False)
    # jobs concentrate in urban cells near stations more than residents do
    z = derived
    cph = z[z["municipality_code"] == 101]
    near = cph["near_station"]
    assert (cph.loc[near, "jobs"].sum() / cph.loc[near, "population"].sum()
            > cph.loc[~near, "jobs"].sum() / max(cph.loc[~near, "population"].sum(), 1))


@pytest.mark.parametrize("total", [0, 1, 7, 1000, 446847])
def test_largest_remainder_keeps_the_total(total: int) -> None:
    w = np.array([0.1, 3.0, 0.0, 2.5, 1e-6])
    out = largest_remainder(total, w)
    assert out.sum() == total and (out >= 0).all()
    assert out[2] == 0 or w.sum() == 0
    assert np.all(np.abs(out - total * w / w.sum()) < 1.0)


# ---- parameters -----------------------------------------------------------------------------


def test_every_parameter_has_a_range_and_a_source() -> None:
    for name, p in P.parameters().items():
        assert p.low <= p.value <= p.high, name
        assert p.source.strip(), name


def test_bad_parameter_file_names_file_line_and_field(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "demand_parameters.csv"
    bad.write_text("name,value,low,high,unit,source\nBETA_TIME_PER_MIN,abc,0,1,x,ASSUMPTION\n",
                   encoding="utf-8")
    real = geodata.get_path
    monkeypatch.setattr(geodata, "get_path",
                        lambda n: bad if n == "demand_parameters" else real(n))
    P.reset()
    try:
        with pytest.raises(GeodataError, match=r"line 2 \(BETA_TIME_PER_MIN\).*'value'"):
            P.value("BETA_TIME_PER_MIN")
    finally:
        monkeypatch.undo()
        P.reset()


# ---- Furness, logit, pivot ------------------------------------------------------------------


def test_furness_converges_to_both_margins() -> None:
    rng = np.random.default_rng(3)
    w = rng.uniform(0.01, 1.0, size=(60, 60)).astype(np.float32)
    rows = rng.uniform(10, 100, size=60)
    cols = rng.uniform(10, 100, size=60)
    cols *= rows.sum() / cols.sum()
    a, b, it, err = furness(w, rows, cols, tol=1e-6, max_iter=500)
    t = a[:, None] * w.astype(np.float64) * b[None, :]
    assert err < 1e-6 and it < 500
    np.testing.assert_allclose(t.sum(axis=1), rows, rtol=1e-5)
    np.testing.assert_allclose(t.sum(axis=0), cols, rtol=1e-5)


def test_logit_shares_sum_to_one_and_pivot_correctly() -> None:
    """Hand example: 3 zone pairs, 4 modes; car unavailable on the third pair."""
    v = {"walk": np.array([0.0, -2.0, -6.0]), "bike": np.array([-0.5, -1.0, -3.0]),
         "pt": np.array([-1.0, -1.5, -2.0]), "car": np.array([-0.2, -0.8, -np.inf])}
    p = logit_shares(v)
    total = sum(p.values())
    np.testing.assert_allclose(total, 1.0)
    # first pair by hand: exp(0), exp(-0.5), exp(-1), exp(-0.2)
    den = 1 + np.exp(-0.5) + np.exp(-1.0) + np.exp(-0.2)
    assert p["walk"][0] == pytest.approx(1 / den)
    assert p["car"][2] == 0.0
    # pivot: base shares x exp(dV), renormalised = logit of the new utilities
    dv = {"pt": np.array([0.3, -0.4, 1.0]), "car": np.array([-0.2, 0.0, 0.5])}
    piv = pivot_shares(p, dv)
    direct = logit_shares({m: v[m] + dv.get(m, 0.0) for m in v})
    for m in v:
        np.testing.assert_allclose(piv[m], direct[m], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(sum(piv.values()), 1.0)
    assert piv["car"][2] == 0.0  # unavailable stays unavailable


@pytest.fixture(scope="module")
def state():  # type: ignore[no-untyped-def]
    return _state()


def test_base_statistics_match_the_targets(state) -> None:  # type: ignore[no-untyped-def]
    s = summary_base(state[2])
    assert s["trips_per_person_per_day"] == pytest.approx(P.value("TRIPS_PER_PERSON_DAY"),
                                                          abs=0.01)
    # calibrated on the base skims; after a change of the skims (road network, PT services)
    # re-run ``python3 -m mobility.demand.calibrate --write``
    for m in MODES:
        assert s["mode_shares"][m] == pytest.approx(
            P.value(f"SHARE_TARGET_{m.upper()}"), abs=0.02), m
    stats = geodata.load_municipality_stats().set_index("name")["commute_distance_km"]
    model = pd.Series(s["mean_commute_km_by_municipality"])
    r = np.corrcoef(model, stats.reindex(model.index))[0, 1]
    assert r > 0.9
    assert s["furness_max_rel_error"] < P.value("FURNESS_TOL")
    # every segment's shares sum to one
    for seg in (0, 1):
        tot = sum(state[2].shares[seg].values())
        np.testing.assert_allclose(tot[::97, ::89], 1.0, rtol=1e-5)


def _scaled(base: Skims, **factor: float) -> Skims:
    kw = {k: getattr(base, k) * np.float32(f) for k, f in factor.items()}
    return replace(base, **kw)


@pytest.mark.parametrize(("mode", "factor"), [("pt", {"pt": 1.2}),
                                              ("car", {"car": 1.2, "car_time": 1.2})])
def test_no_mode_gains_trips_when_only_its_own_time_gets_worse(state, mode, factor) -> None:  # type: ignore[no-untyped-def]
    _, base, dem, _ = state
    r = respond(dem, base, _scaled(base, **factor))
    before = prepare(dem).trips
    assert r.trips[mode] < before[mode]
    for other in MODES:
        if other != mode:
            assert r.trips[other] >= before[other] - 1e-3 * before[other], other
    assert sum(r.trips.values()) == pytest.approx(sum(before.values()), rel=1e-4)
    if mode == "pt":
        assert (r.pt_zone <= prepare(dem).pt_zone + 1e-3).all()
    # rule of half: everybody loses time
    assert (r.saved_pt + r.saved_car).sum() < 0


def test_sparse_response_equals_the_dense_pivot(state) -> None:  # type: ignore[no-untyped-def]
    _, base, dem, _ = state
    scen = replace(base, pt=np.where(np.arange(base.pt.shape[1])[None, :] % 7 == 0,
                                     base.pt * np.float32(0.8), base.pt).astype(np.float32))
    r = respond(dem, base, scen)
    d = dense_respond(dem, scen)
    for m in MODES:
        tot = 0.0
        for seg in (0, 1):
            if m in d.shares[seg]:
                t = sum(d.trips[p][seg] for p in PURPOSES)
                tot += float((t * d.shares[seg][m]).sum(dtype=np.float64))
        assert r.trips[m] == pytest.approx(tot, rel=1e-5), m
    np.testing.assert_allclose(r.accessibility, d.accessibility, rtol=1e-5)
    assert 0 < r.changed_cells < base.pt.size


def test_pt_trip_matrix_adds_up_to_the_pt_trips(state) -> None:  # type: ignore[no-untyped-def]
    _, base, dem, _ = state
    m0 = pt_trip_matrix(dem)
    assert float(m0.sum(dtype=np.float64)) == pytest.approx(prepare(dem).trips["pt"], rel=1e-5)
    scen = _scaled(base, pt=0.9)
    r = respond(dem, base, scen)
    m1 = pt_trip_matrix(dem, base, scen, r)
    assert float(m1.sum(dtype=np.float64)) == pytest.approx(r.trips["pt"], rel=1e-5)
    np.testing.assert_allclose(m1.sum(axis=1, dtype=np.float64), r.pt_zone, rtol=1e-4,
                               atol=1e-3)
    assert m1.sum() > m0.sum()
    # the changed cells kept by respond equal the recomputed ones
    m2 = pt_trip_matrix(dem, base, scen, replace(r, pt_cells=None))
    np.testing.assert_allclose(m1, m2, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("mode", ["car", "pt"])
def test_scenario_mode_matrix_equals_the_full_response(state, mode) -> None:  # type: ignore[no-untyped-def]
    """The congestion loop's first demand (balancing factors and changed cells only) is the
    matrix of the full response, for a sparse and a dense change."""
    _, base, dem, _ = state
    sparse_change = replace(base, car=np.where(
        np.arange(base.car.shape[1])[None, :] % 5 == 0, base.car * np.float32(1.3),
        base.car).astype(np.float32))
    for scen in (sparse_change, _scaled(base, car=1.1, car_time=1.1, pt=0.95)):
        full = mode_trip_matrix(dem, mode, base, scen, respond(dem, base, scen))
        quick = scenario_mode_matrix(dem, mode, base, scen)
        np.testing.assert_allclose(quick, full, rtol=2e-5, atol=1e-6)
    np.testing.assert_array_equal(scenario_mode_matrix(dem, mode, base, base),
                                  mode_trip_matrix(dem, mode))


# ---- scenarios ------------------------------------------------------------------------------


@pytest.mark.parametrize("ident", [7, 11, 12])
def test_an_added_line_never_loses_pt_trips(ident: int) -> None:
    res = evaluate_scenario([ident])
    eff = res.effects
    assert eff["extra_pt_trips_per_day"] > 0
    assert eff["trips_by_mode_scenario"]["car"] <= eff["trips_by_mode_base"]["car"]
    assert eff["car_vehicle_km_change_per_day"] < 0
    assert eff["rail_train_km_change_per_day"] > 0
    assert eff["person_minutes_saved_per_day"] > 0
    assert eff["user_benefit_mdkk_per_year"] > 0


def test_new_line_boardings_are_the_boardings_of_the_added_line() -> None:
    """Initiative 12 (a new metro line): the PT assignment loads riders on it, the effect is
    the sum over the new or changed services of the ``lines`` frame, and base boardings of
    a service that does not exist in the base are zero."""
    res = evaluate_scenario([12])
    lines = res.lines
    new = lines[lines["new_or_changed"]]
    assert len(new) >= 1
    assert res.effects["new_line_boardings_per_day"] > 0
    assert res.effects["new_line_boardings_per_day"] == pytest.approx(
        new["boardings_scenario"].sum(), rel=1e-6, abs=0.1)
    base_net = _state()[0]
    added = new[~new["service"].isin(list(base_net.services))]
    assert len(added) >= 1
    assert (added["boardings_base"] == 0).all()
    # the lines not touched by the scenario keep their base services
    assert set(lines["service"]) >= set(base_net.services)


def test_effects_carry_exactly_the_contract_keys() -> None:
    res = evaluate_scenario([1])
    assert tuple(res.effects) == EFFECT_KEYS
    json.dumps(res.effects)  # JSON-able
    eff = res.effects
    assert eff["annualisation_days"] == P.value("ANNUALISATION_DAYS")
    assert set(eff["trips_by_mode_base"]) == set(MODES)
    assert set(eff["person_minutes_saved_by_purpose"]) == set(PURPOSES)
    assert eff["person_minutes_saved_per_day"] == pytest.approx(
        res.person_minutes_saved_per_day, rel=1e-6, abs=0.1)
    assert sum(eff["person_minutes_saved_by_purpose"].values()) == pytest.approx(
        eff["person_minutes_saved_per_day"], rel=1e-4)
    assert isinstance(eff["new_line_boardings_per_day"], float)
    # a new PT service: more fares paid, fewer car-km, no road charge
    assert eff["fare_revenue_change_dkk_per_day"] > 0
    assert eff["car_operating_cost_change_dkk_per_day"] == pytest.approx(
        eff["car_vehicle_km_change_per_day"] * CAR_OPERATING_COST_DKK_PER_KM, abs=1.0)
    assert eff["road_charge_revenue_change_dkk_per_day"] == 0.0
    assert tuple(res.lines.columns) == LINE_COLUMNS
    assert res.lines["service"].is_unique
    assert res.lines["new_or_changed"].dtype == bool
    assert res.lines["boardings_base"].sum() > 0
    assert (res.lines[["boardings_base", "boardings_scenario"]] >= 0).all().all()
    assert "person_minutes_saved_per_day" in res.municipalities.columns
    assert res.municipalities["person_minutes_saved_per_day"].sum() == pytest.approx(
        res.person_minutes_saved_per_day, rel=1e-6)


def test_a_scenario_without_change_has_zero_effects() -> None:
    eff = evaluate_scenario([31]).effects
    assert eff["trips_by_mode_scenario"] == eff["trips_by_mode_base"]
    for key in ("extra_pt_trips_per_day", "car_vehicle_km_change_per_day",
                "co2_operation_t_per_year_change", "person_minutes_saved_per_day",
                "user_benefit_mdkk_per_year", "new_line_boardings_per_day",
                "walk_km_change_per_day", "bike_km_change_per_day"):
        assert eff[key] == 0.0, key


def test_road_charge_moves_trips_off_the_car_and_costs_users() -> None:
    eff = evaluate_scenario([32]).effects
    assert eff["car_vehicle_km_change_per_day"] < 0
    assert eff["extra_pt_trips_per_day"] > 0
    assert eff["co2_operation_t_per_year_change"] < 0
    # a charge is money: no PT minutes; car minutes change only through congestion relief
    # and route choice (the congestion loop), whose sign the charge level decides
    res = evaluate_scenario([32])
    assert res.person_minutes_saved_pt == 0.0
    assert eff["road_charge_revenue_change_dkk_per_day"] > 0
    assert eff["user_benefit_mdkk_per_year"] < 0


def test_car_emission_factor_follows_the_electrification_path() -> None:
    assert car_g_per_km(2025) > car_g_per_km(2030) > car_g_per_km(2035)
    assert car_g_per_km(2020) == car_g_per_km(2025)
    assert P.value("CAR_EV_G_PER_KM") < car_g_per_km() < P.value("CAR_FOSSIL_G_PER_KM")


@pytest.mark.slow
def test_implied_pt_in_vehicle_time_elasticity_is_in_the_published_range() -> None:
    from mobility.demand.elasticities import implied_elasticities

    el = implied_elasticities()
    assert -0.7 <= el["pt_in_vehicle_time"] <= -0.3
    assert el["pt_headway"] < 0 and el["pt_fare"] < 0 and el["car_time"] < 0


def test_the_appraisal_reads_the_model_effects_of_a_real_scenario() -> None:
    """The CBA's adapter maps every contract key of a real result (no key silently 0)."""
    from mobility.appraisal._effects import EFFECT_KEYS as CBA_KEYS
    from mobility.appraisal._effects import read_effects

    res = evaluate_scenario([12])
    out = read_effects(res)
    assert out["source"] == "model"
    for key, name in CBA_KEYS.items():
        assert key in res.effects, key  # the adapter's names exist in the model's effects
        assert out[name] == pytest.approx(float(res.effects[key] or 0.0)), key
    assert out["extra_pt_trips_per_day"] > 0
    assert out["new_line_boardings_per_day"] > 0
    assert out["minutes_by_purpose"] == res.effects["person_minutes_saved_by_purpose"]
