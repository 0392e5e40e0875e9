"""Speed effects in the CBA: the power model's accident change and the noise change in dB of a
road scenario (``injury_accidents_change_pct``, ``noise_db_change_mean``) valued as
``accidents_speed`` and ``noise_speed`` (docs/appraisal.md, "Speed effects: accidents and
noise"). Synthetic effects only, except the slow test."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from mobility.appraisal import _effects
from mobility.appraisal._effects import (
    ASSIGNED_VKM_KEY,
    read_effects,
    speed_affected_vehicle_km,
    subtract_effects,
)
from mobility.appraisal.cba import (
    BENEFIT_COMPONENTS,
    COMPONENT_LABELS,
    Investment,
    cba,
    load_unit_prices,
)
from mobility.cli import cli

PRICES = load_unit_prices()
G = 1.02  # price_index_growth_pct: the 2022 per-km prices indexed two years to 2024
DAYS = 300.0
BASE_VKM = 26_000_000.0  # assigned roads, base weekday
LOCAL_VKM = 7_500_000.0  # local roads under a new speed cap
CAR_KM = -250_000.0  # the scenario's change in car vehicle-km
INV = [Investment(100.0, 1, 30.0)]  # opens in year 1, 50 years of operation


def _result(pct: float = 0.0, db: float = 0.0, *, local: float = 0.0, reassigned: bool = True,
            assigned: float | None = BASE_VKM, car_km: float = CAR_KM) -> Any:
    eff: dict[str, Any] = {
        "annualisation_days": DAYS, "car_vehicle_km_change_per_day": car_km,
        "injury_accidents_change_pct": pct, "fatal_accidents_change_pct": 2.0 * pct,
        "noise_db_change_mean": db, "speed_changed_vehicle_km_per_day": local,
        "congestion": {"reassigned": reassigned},
    }
    if assigned is not None:
        eff[ASSIGNED_VKM_KEY] = assigned
    return type("R", (), {"effects": eff})()


def _operation_pv() -> float:
    """Sum of the discount factors of years 1-50 (the stepped rates, by hand)."""
    return float(sum(1.035 ** -min(t, 35) * 1.025 ** -max(0, t - 35) for t in range(1, 51)))


@pytest.fixture(autouse=True)
def _no_network(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The synthetic effects must never build the network model (the slow test does)."""
    if request.node.get_closest_marker("slow"):
        return

    def fail() -> float:
        raise AssertionError("the network model was asked for the base assigned vehicle-km")

    monkeypatch.setattr(_effects, "_base_assigned_vehicle_km", fail)


def test_affected_vehicle_km_follow_the_engines_weights() -> None:
    # re-assigned, local roads too (initiative 28): local + base assigned + car-km change
    assert speed_affected_vehicle_km(_result(-1.0, local=LOCAL_VKM).effects) == pytest.approx(
        LOCAL_VKM + BASE_VKM + CAR_KM)
    # re-assigned only (29, 30): the assigned roads, scenario side
    assert speed_affected_vehicle_km(_result(-1.0).effects) == pytest.approx(BASE_VKM + CAR_KM)
    # local roads only, no re-assignment: the local vehicle-km
    assert speed_affected_vehicle_km(
        _result(-1.0, local=LOCAL_VKM, reassigned=False).effects) == pytest.approx(LOCAL_VKM)


def test_fewer_injury_accidents_give_the_hand_computed_accident_benefit() -> None:
    pct = -5.0
    res = cba(read_effects(_result(pct, local=LOCAL_VKM)), INV, PRICES)
    vkm = LOCAL_VKM + BASE_VKM + CAR_KM
    # -pct/100 x affected vehicle-km x 0.35 DKK/km (2022 prices) x 300 days
    first = 0.05 * vkm * 0.35 * G**2 * DAYS / 1e6
    assert first == pytest.approx(5.0 / 100 * 33_250_000 * 0.35 * 1.0404 * 300 / 1e6)
    assert res.first_year_benefits_mdkk["accidents_speed"] == pytest.approx(first)
    assert res.benefits_mdkk["accidents_speed"] == pytest.approx(first * _operation_pv())
    assert res.benefits_mdkk["accidents_speed"] > 0
    # the car-km term is unchanged by the speed term (no double counting of the km)
    assert res.benefits_mdkk["accidents"] == pytest.approx(
        -CAR_KM * DAYS * 0.35 * G**2 * _operation_pv() / 1e6)
    # more accidents per km (faster roads after congestion relief) are a cost
    worse = cba(read_effects(_result(+2.0)), INV, PRICES)
    assert worse.benefits_mdkk["accidents_speed"] < 0


def test_lower_noise_gives_the_hand_computed_noise_benefit() -> None:
    db = -0.4
    res = cba(read_effects(_result(db=db)), INV, PRICES)
    vkm = BASE_VKM + CAR_KM
    # 23 % of the noise cost of the affected car-km per dB, 0.25 DKK/km (2022 prices)
    first = 0.4 * 0.23 * vkm * 0.25 * G**2 * DAYS / 1e6
    assert res.first_year_benefits_mdkk["noise_speed"] == pytest.approx(first)
    assert res.benefits_mdkk["noise_speed"] == pytest.approx(first * _operation_pv())
    assert res.benefits_mdkk["noise_speed"] > 0
    assert res.benefits_mdkk["accidents_speed"] == 0.0


def test_no_speed_change_gives_no_speed_benefit() -> None:
    for result in (_result(), _result(local=LOCAL_VKM, assigned=None),
                   _result(-3.0, -0.5, reassigned=False)):  # no affected km: nothing to value
        eff = read_effects(result)
        assert eff["speed_accident_vehicle_km_per_day"] == 0.0
        assert eff["speed_noise_db_vehicle_km_per_day"] == 0.0
        res = cba(eff, INV, PRICES)
        assert res.benefits_mdkk["accidents_speed"] == 0.0
        assert res.benefits_mdkk["noise_speed"] == 0.0


def test_components_still_add_up_with_speed_effects() -> None:
    res = cba(read_effects(_result(-5.0, -0.4, local=LOCAL_VKM)), INV, PRICES)
    assert set(res.benefits_mdkk) == set(BENEFIT_COMPONENTS)
    total = sum(res.benefits_mdkk.values())
    assert res.npv_before_investment_mdkk == pytest.approx(total)
    assert res.npv_mdkk == pytest.approx(total - res.costs_mdkk)
    assert res.bcr == pytest.approx(total / res.costs_mdkk)
    assert res.to_dict()["benefits_mdkk"]["noise_speed"] == pytest.approx(
        res.benefits_mdkk["noise_speed"])


def test_every_component_has_danish_and_english_labels() -> None:
    assert set(COMPONENT_LABELS) == set(BENEFIT_COMPONENTS)
    assert COMPONENT_LABELS["accidents_speed"] == ("Uheld, ændret hastighed",
                                                   "Accidents, speed change")
    assert COMPONENT_LABELS["noise_speed"] == ("Støj, ændret hastighed", "Noise, speed change")


def test_the_noise_rule_is_an_assumption_in_the_sensitivity() -> None:
    entry = PRICES.entries["noise_cost_change_pct_per_db"]
    assert entry["assumption"] is True and entry["source"]
    assert PRICES.uncertain()["noise_cost_change_pct_per_db"] == (12.0, 30.0)
    # ln(10)/10: the first-order change of noise energy per dB
    assert PRICES.value("noise_cost_change_pct_per_db") == pytest.approx(
        100 * np.log(10) / 10, abs=0.05)
    eff = read_effects(_result(db=-0.4))
    low = cba(eff, INV, PRICES.with_overrides({"noise_cost_change_pct_per_db": 12.0}))
    mid = cba(eff, INV, PRICES)
    assert low.benefits_mdkk["noise_speed"] == pytest.approx(
        mid.benefits_mdkk["noise_speed"] * 12.0 / 23.0)


def test_increment_over_prerequisites_subtracts_the_speed_quantities() -> None:
    full = read_effects(_result(-5.0, -0.4))
    pre = read_effects(_result(-2.0, -0.1))
    inc = subtract_effects(full, pre)
    vkm = BASE_VKM + CAR_KM
    assert inc["speed_accident_vehicle_km_per_day"] == pytest.approx(-0.03 * vkm)
    assert inc["speed_noise_db_vehicle_km_per_day"] == pytest.approx(-0.3 * vkm)


def test_without_the_stated_key_the_base_assignment_is_read(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_effects, "_base_assigned_vehicle_km", lambda: BASE_VKM)
    eff = read_effects(_result(-1.0, assigned=None))
    assert eff["speed_accident_vehicle_km_per_day"] == pytest.approx(-0.01 * (BASE_VKM + CAR_KM))


def test_the_network_helpers_the_adapter_reads_exist() -> None:
    """The fallback reads the base assignment through these names (no model is built here)."""
    from mobility.network import scenario

    for name in ("_base_roads", "_daily_vkm", "_state"):
        assert callable(getattr(scenario, name)), name


@pytest.mark.slow
def test_cli_cba_28_values_the_speed_effects() -> None:
    """The real model (initiative 28: 30 km/h in towns): fewer injury accidents per km."""
    out = CliRunner().invoke(cli, ["cba", "28", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    benefits = data["benefits_mdkk"]
    assert benefits["accidents_speed"] > 0
    assert benefits["accidents"] + benefits["accidents_speed"] > benefits["accidents"] > 0
    assert benefits["noise_speed"] > 0
    assert data["unit_prices_version"] == PRICES.version
