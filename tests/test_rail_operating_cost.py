"""Rail operating costs by mode: the ``change_mode`` edit (regional trains run as S-trains,
initiative 1), the train-km change by rail mode in the effects, and its price per mode in the
CBA (docs/appraisal.md, "PT operating costs")."""

from __future__ import annotations

from typing import Any

import pytest

from mobility.appraisal._effects import read_effects
from mobility.appraisal.cba import Investment, cba, load_unit_prices
from mobility.demand.effects import rail_km_by_mode, service_km
from mobility.errors import NetworkError
from mobility.network import apply_edits, base_network

PRICES = load_unit_prices()
DAYS = 300.0
INV = [Investment(100.0, 1, 30.0)]
TO_S_TRAIN = {"op": "change_mode", "service": "RE Kystbanen", "mode": "s_train"}


def test_change_mode_moves_the_train_km_to_the_new_mode() -> None:
    base = base_network()
    net = apply_edits(base, [(1, [TO_S_TRAIN])])
    assert net.services["RE Kystbanen"].mode == "s_train"
    assert base.services["RE Kystbanen"].mode == "regional"  # the base is not touched
    km = service_km(base)["RE Kystbanen"][1]
    assert km > 0
    assert rail_km_by_mode(base, net) == pytest.approx({"regional": -km, "s_train": km}, abs=0.1)
    # with twice the departures the S-trains run twice the base train-km
    twice = apply_edits(base, [(1, [TO_S_TRAIN, {"op": "change_headway",
                                                 "service": "RE Kystbanen",
                                                 "headway_min": 10}])])
    by_mode = rail_km_by_mode(base, twice)
    assert by_mode["s_train"] == pytest.approx(2 * km, abs=0.1)
    assert sum(by_mode.values()) == pytest.approx(km, abs=0.2)  # the total change
    assert rail_km_by_mode(base, base) == {}


def test_change_mode_of_a_bus_is_refused_with_the_initiative() -> None:
    with pytest.raises(NetworkError, match=r"initiative 7: change_mode applies to rail"):
        apply_edits(base_network(),
                    [(7, [{"op": "change_mode", "service": "Bus 200S", "mode": "metro"}])])


def _effects(by_mode: dict[str, float] | None) -> Any:
    eff: dict[str, Any] = {"annualisation_days": DAYS,
                           "rail_train_km_change_per_day": sum((by_mode or {}).values())}
    if by_mode is not None:
        eff["rail_train_km_change_by_mode_per_day"] = by_mode
    return type("R", (), {"effects": eff})()


def test_regional_trains_run_as_s_trains_save_the_price_difference() -> None:
    regional = PRICES.value("rail_operating_cost_per_train_km_regional")
    s_tog = PRICES.value("rail_operating_cost_per_train_km")
    assert regional > s_tog
    res = cba(read_effects(_effects({"regional": -1000.0, "s_train": 1000.0})), INV, PRICES)
    naf = PRICES.value("net_tax_factor")
    expected = 1000.0 * DAYS * (regional - s_tog) * naf / 1e6
    assert res.first_year_benefits_mdkk["pt_operating_costs"] == pytest.approx(expected)
    # the same km change without the modes: no change of total train-km, no cost
    flat = cba(read_effects(_effects(None)), INV, PRICES)
    assert flat.first_year_benefits_mdkk["pt_operating_costs"] == pytest.approx(0.0)
    # one mode only: the total at that mode's price
    more = cba(read_effects(_effects({"s_train": 500.0})), INV, PRICES)
    assert more.first_year_benefits_mdkk["pt_operating_costs"] == pytest.approx(
        -500.0 * DAYS * s_tog * naf / 1e6)


def test_increment_over_a_prerequisite_keeps_every_mode() -> None:
    """A mode that only the prerequisite's scenario has still counts in the increment."""
    from mobility.appraisal._effects import subtract_effects

    full = read_effects(_effects({"s_train": 1000.0}))
    pre = read_effects(_effects({"regional": 400.0, "s_train": 200.0}))
    inc = subtract_effects(full, pre)
    assert inc["train_km_by_mode_per_day"] == pytest.approx({"s_train": 800.0,
                                                             "regional": -400.0})
