"""Cost-benefit analysis: discounting, IRR, components, the worked example, CLI and bundles."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from mobility.appraisal._effects import empty_effects, read_effects, subtract_effects
from mobility.appraisal.cba import (
    BENEFIT_COMPONENTS,
    Investment,
    UnitPriceError,
    cba,
    discount_factors,
    irr,
    load_unit_prices,
    npv_at_flat_rate,
)
from mobility.appraisal.economics import cba_ids, cba_table
from mobility.cli import cli
from tests.appraisal_support import (
    fake_effects,
    make_initiative,
    small_catalogue,
    small_network,
)

PRICES = load_unit_prices()


def test_discounting_against_hand_computed_factors() -> None:
    df = discount_factors(80, PRICES)
    assert df[0] == 1.0
    assert df[1] == pytest.approx(1 / 1.035)
    assert df[35] == pytest.approx(1.035 ** -35)
    assert df[36] == pytest.approx(1.035 ** -35 / 1.025)
    assert df[70] == pytest.approx(1.035 ** -35 * 1.025 ** -35)
    assert df[71] == pytest.approx(1.035 ** -35 * 1.025 ** -35 / 1.015)
    # by hand: 1 krone in year 40 is worth 1.035^-35 * 1.025^-5 = 0.26514 today
    assert df[40] == pytest.approx(0.265136, abs=1e-6)


def test_irr_is_where_npv_is_zero() -> None:
    stream = [-100.0, -50.0] + [12.0] * 30
    r = irr(stream)
    assert r is not None
    assert npv_at_flat_rate(stream, r) == pytest.approx(0.0, abs=1e-8)
    assert npv_at_flat_rate(stream, r - 0.01) > 0 > npv_at_flat_rate(stream, r + 0.01)
    assert irr([1.0, 2.0]) is None  # no sign change: no IRR


def test_irr_of_a_cba_makes_its_flat_rate_npv_zero() -> None:
    eff = read_effects(type("R", (), {"effects": fake_effects(200_000)})())
    res = cba(eff, [Investment(1000.0, 3, 50.0)], PRICES)
    assert res.irr_pct is not None
    # the yearly net stream discounted at the IRR (one flat rate) is worth nothing
    assert npv_at_flat_rate(res.net_stream_mdkk, res.irr_pct / 100) == pytest.approx(0, abs=1e-6)
    assert npv_at_flat_rate(res.net_stream_mdkk, res.irr_pct / 100 - 0.005) > 0
    # and the stream discounted with the state's stepped rates is the NPV
    df = discount_factors(len(res.net_stream_mdkk), PRICES)
    assert float(np.dot(res.net_stream_mdkk, df)) == pytest.approx(res.npv_mdkk)
    assert res.bcr is not None and res.bcr > 1 and res.irr_pct > 3.5


def test_bcr_components_add_up() -> None:
    eff = read_effects(type("R", (), {"effects": fake_effects(50_000)})())
    res = cba(eff, [Investment(800.0, 3, 50.0, co2_construction_t=20_000)], PRICES)
    assert set(res.benefits_mdkk) == set(BENEFIT_COMPONENTS)
    total = sum(res.benefits_mdkk.values())
    assert res.npv_mdkk == pytest.approx(total - res.costs_mdkk)
    assert res.bcr == pytest.approx(total / res.costs_mdkk)
    assert res.npv_before_investment_mdkk == pytest.approx(total)
    # fares are a transfer: users' loss is the operator's gain
    assert res.benefits_mdkk["fares_users"] == pytest.approx(-res.benefits_mdkk["fares_operator"])
    # the high CO2 price only changes the CO2 lines
    co2 = res.benefits_mdkk["co2_operation"] + res.benefits_mdkk["co2_construction"]
    ratio = PRICES.value("co2_price_high") / PRICES.value("co2_price_low")
    assert res.npv_mdkk_co2_high == pytest.approx(res.npv_mdkk + co2 * (ratio - 1))


def test_unknown_investment_gives_no_npv() -> None:
    eff = read_effects(type("R", (), {"effects": fake_effects(50_000)})())
    res = cba(eff, [None], PRICES)
    assert res.npv_mdkk is None and res.bcr is None and res.irr_pct is None
    assert res.npv_before_investment_mdkk > 0


def _worked_example_effects() -> dict[str, object]:
    eff = empty_effects()
    eff.update(minutes_by_purpose={"commute": 3000.0, "business": 0.0, "other": 3000.0},
               bike_km_per_day=2000.0, car_km_per_day=-1000.0, co2_t_per_year=-50.0,
               annualisation_days=300.0, source="worked example")
    return eff


def test_worked_example_of_the_docs() -> None:
    """docs/appraisal.md, 'Worked example': the figures there, recomputed by hand here."""
    eff = _worked_example_effects()
    inv = Investment(100.0, 1, 30.0)  # cycle parking: built in 1 year, 30-year life
    res = cba(eff, [inv], PRICES)
    g = 1.02  # price_index_growth_pct
    df = np.array([1.0] + [1.035 ** -min(t, 35) * 1.025 ** -max(0, min(t, 70) - 35)
                           for t in range(1, 51)])
    op = df[1:51]  # opening at year 1, 50 years of operation
    growth = 1.01 ** np.arange(50)
    # time: 6,000 min/day at 105 DKK/h (2024 prices), 300 days, growing 1 % a year
    time_year = 6000 / 60 * 105 * 300
    assert res.first_year_benefits_mdkk["time_commute"] + res.first_year_benefits_mdkk[
        "time_other"] == pytest.approx(time_year / 1e6)
    time_pv = time_year * float(np.sum(op * growth)) / 1e6
    assert res.benefits_mdkk["time_commute"] + res.benefits_mdkk["time_other"] == pytest.approx(
        time_pv)
    # health: 2,000 bike-km/day at 5 DKK (2023) -> 5 * 1.02 DKK (2024)
    health_pv = 2000 * 300 * 5.0 * g * float(np.sum(op)) / 1e6
    assert res.benefits_mdkk["health"] == pytest.approx(health_pv)
    # fewer car-km: operating costs 1.5 (2023), accidents .35, noise .25, air .10 (2022)
    car = 1000 * 300 * float(np.sum(op)) / 1e6
    assert res.benefits_mdkk["vehicle_operating_costs"] == pytest.approx(car * 1.5 * g)
    assert res.benefits_mdkk["accidents"] == pytest.approx(car * 0.35 * g**2)
    # CO2: 50 t/year at 300 DKK/t (2021 prices)
    assert res.benefits_mdkk["co2_operation"] == pytest.approx(
        50 * 300 * g**3 * float(np.sum(op)) / 1e6)
    # investment: 100 million in year 0 times the net tax factor 1.28, minus nothing left
    # after 50 years of a 30-year asset
    assert res.costs_mdkk == pytest.approx(128.0)
    assert res.npv_mdkk == pytest.approx(sum(res.benefits_mdkk.values()) - 128.0)
    assert res.opening_year == 1
    # the figures quoted in docs/appraisal.md (rounded to 0.1 million DKK / 0.01)
    assert round(time_pv, 1) == 90.2
    assert round(health_pv, 1) == 72.6
    assert round(res.npv_mdkk, 1) == 51.2
    assert round(res.bcr, 2) == 1.40
    assert round(res.irr_pct, 1) == 5.4
    assert round(res.first_year_return_pct, 1) == 5.4


def test_residual_value_and_reinvestment() -> None:
    eff = empty_effects()
    long_life = cba(eff, [Investment(100.0, 1, 100.0)], PRICES)
    # half the asset's life is left after 50 years: residual 64 discounted from year 50
    df = discount_factors(51, PRICES)
    assert long_life.costs_mdkk == pytest.approx(128.0 - 128.0 * 0.5 * df[50])
    again = cba(eff, [Investment(100.0, 1, 15.0, reinvest_share=1.0, reinvest_every=15)], PRICES)
    assert again.costs_mdkk > 128.0 * (1 + df[16] + df[31]) - 1e-6 - 128.0 * df[50]


def test_subtract_effects_is_the_increment() -> None:
    a = read_effects(type("R", (), {"effects": fake_effects(300)})())
    b = read_effects(type("R", (), {"effects": fake_effects(100)})())
    d = subtract_effects(a, b)
    assert d["person_minutes_per_day"] == pytest.approx(200)
    assert d["minutes_by_purpose"]["commute"] == pytest.approx(80)


def test_legacy_result_uses_assumed_purpose_shares() -> None:
    legacy = type("R", (), {"person_minutes_saved_per_day": 1000.0})()
    eff = read_effects(legacy, legacy_shares={"commute": 0.35, "business": 0.05})
    assert eff["source"] == "legacy"
    assert eff["minutes_by_purpose"] == pytest.approx({"commute": 350, "business": 50,
                                                       "other": 600})


def test_unit_prices_every_assumption_has_a_range(tmp_path: Path) -> None:
    for key, entry in PRICES.entries.items():
        assert entry.get("source"), key
        if entry.get("assumption"):
            assert entry["low"] <= entry["value"] <= entry["high"], key
    bad = tmp_path / "u.yaml"
    bad.write_text("version: x\nvalues:\n  net_tax_factor: {value: 1.28}\nkinds: {default: {}}\n")
    with pytest.raises(UnitPriceError, match=r"u\.yaml"):
        load_unit_prices(bad)


def test_cba_of_a_bundle_uses_the_bundle_scenario() -> None:
    inits, net = small_catalogue(), small_network()
    both = cba_ids([1, 2], initiatives=inits, network=net)
    one = cba_ids([1], initiatives=inits, network=net)
    two = cba_ids([2], initiatives=inits, network=net)
    # 1 and 2 reinforce each other (+10,000 person-minutes in the fake): the bundle's time
    # benefits exceed the sum of the singles'
    t = lambda r: sum(v for k, v in r.benefits_mdkk.items() if k.startswith("time_"))  # noqa: E731
    assert t(both) > t(one) + t(two)
    assert both.costs_mdkk == pytest.approx(one.costs_mdkk + two.costs_mdkk, rel=0.05)


def test_not_modelled_initiative_has_no_cba() -> None:
    res = cba_ids([6], initiatives=small_catalogue(), network=small_network())
    assert res.effects_source == "not_modelled" and res.npv_mdkk is None


def test_cba_table_has_the_catalogue_irr_beside() -> None:
    inits = small_catalogue()
    inits[7] = make_initiative(7, [3, 3, 3, 3, 3, 3], cost_mdkk=50)  # catalogue IRR 7 %
    net = small_network()
    net.base[7] = 20_000
    table = cba_table(inits, network=net)
    assert list(table["id"]) == [1, 2, 3, 4, 5, 6, 7]
    assert table.loc[7, "catalogue_socioeconomics"] == "irr"
    assert table.loc[7, "catalogue_irr_pct"] == 7.0
    assert table.loc[7, "irr_difference_pp"] == pytest.approx(table.loc[7, "irr_pct"] - 7.0)
    assert table.loc[2, "catalogue_socioeconomics"] == "not_profitable"


def test_cli_cba_json_and_all_csv(tmp_path: Path) -> None:
    runner = CliRunner()
    out = runner.invoke(cli, ["cba", "1", "--json", "--no-network"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert {"npv_mdkk", "bcr", "irr_pct", "first_year_return_pct", "costs_mdkk",
            "benefits_mdkk", "unit_prices_version"} <= set(data)
    assert data["unit_prices_version"] == PRICES.version
    out = runner.invoke(cli, ["cba", "--all", "--format", "csv", "--no-network"])
    assert out.exit_code == 0, out.output
    rows = list(csv.DictReader(io.StringIO(out.output)))
    assert len(rows) == 33 and rows[0]["catalogue_irr_pct"] == "5"
    target = tmp_path / "cba.xlsx"
    out = runner.invoke(cli, ["cba", "--all", "--format", "xlsx", "--output", str(target),
                              "--no-network"])
    assert out.exit_code == 0 and target.stat().st_size > 0
    assert runner.invoke(cli, ["cba", "--no-network"]).exit_code == 2
    assert runner.invoke(cli, ["cba", "99", "--no-network"]).exit_code == 1


def test_text_cells_never_become_formulas(tmp_path: Path) -> None:
    import pandas as pd
    from openpyxl import load_workbook

    from mobility.cli.appraisal import _cba_csv, _cba_xlsx

    frame = pd.DataFrame({"name": ["=HYPERLINK(\"x\")", "+1", "ok"], "npv_mdkk": [-5.0, 1.0, 2.0]})
    text = _cba_csv(frame)
    assert "'=HYPERLINK" in text and "'+1" in text and "\n-5" in text.replace(",-5", "\n-5")
    path = tmp_path / "x.xlsx"
    path.write_bytes(_cba_xlsx(frame))
    ws = load_workbook(path).active
    assert ws.cell(row=2, column=1).data_type == "s"
    assert ws.cell(row=2, column=1).value == "=HYPERLINK(\"x\")"
    assert ws.cell(row=2, column=2).value == -5.0


def test_sensitivity_on_cached_effects() -> None:
    from mobility.appraisal.sensitivity import NEEDS_FULL_RERUN, sensitivity

    net = small_network()
    table = sensitivity(small_catalogue(), network=net, runs=60, seed=3, top_k=2)
    calls = net.calls
    again = sensitivity(small_catalogue(), network=net, runs=60, seed=3, top_k=2)
    # the same seed gives the same answer; every run reuses the cached scenario effects
    # (one evaluation per scenario, not one per run)
    assert table.equals(again) and net.calls - calls <= 7
    row = table.loc[4]
    assert row["npv_p5_mdkk"] <= row["npv_median_mdkk"] <= row["npv_p95_mdkk"]
    assert 0 <= row["p_bcr_above_1"] <= 1
    assert table["p_top_k"].sum() == pytest.approx(2.0)  # two places in each run
    assert np.isnan(table.loc[6, "p_bcr_above_1"])  # not representable: no CBA
    assert table.attrs["needs_full_rerun"] == list(NEEDS_FULL_RERUN)
    assert "value_of_time_commute" in table.attrs["varied"]
    # the unit-price spread moves the NPV: the interval is not a point
    assert row["npv_p95_mdkk"] > row["npv_p5_mdkk"]


def test_cli_sensitivity() -> None:
    out = CliRunner().invoke(cli, ["sensitivity", "--runs", "5", "--no-network", "--format",
                                   "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["runs"] == 5 and len(data["rows"]) == 33 and data["needs_full_rerun"]


def test_money_by_the_rule_of_half_not_by_money_spent() -> None:
    """With the demand model's rule-of-half money terms, the users' side of car costs, road
    charges and fares is that rule of half (a road charge that deters trips is not a gain of
    the operating cost the deterred trips no longer spend); the public side is the revenue."""
    days = 300.0
    eff = empty_effects()
    eff.update(annualisation_days=days, source="model", car_km_per_day=-100_000.0,
               road_charge_revenue_dkk_per_day=50_000.0, fare_revenue_dkk_per_day=4_000.0)
    spent = cba(eff, [Investment(10.0, 1, 50.0)], PRICES).first_year_benefits_mdkk
    # without the rule-of-half terms: operating cost saved on every car-km given up
    assert spent["vehicle_operating_costs"] > 0 and spent["fares_users"] < 0
    eff.update(money_rule_of_half=True, car_money_user_benefit_dkk_per_day=-60_000.0,
               fare_user_benefit_dkk_per_day=-1_000.0)
    res = cba(eff, [Investment(10.0, 1, 50.0)], PRICES)
    first = res.first_year_benefits_mdkk
    growth = first["road_charges_public"] / (50_000.0 * days / 1e6)  # price index, year 1
    # users: car money (operating cost + charges) adds up to the rule of half
    car_users = first["vehicle_operating_costs"] + first["road_charges_users"]
    assert car_users == pytest.approx(-60_000.0 * days / 1e6 * growth)
    assert first["road_charges_users"] == pytest.approx(-first["road_charges_public"])
    assert first["fares_users"] == pytest.approx(-1_000.0 * days / 1e6 * growth)
    assert first["fares_operator"] == pytest.approx(4_000.0 * days / 1e6 * growth)
    assert first["vehicle_operating_costs"] < spent["vehicle_operating_costs"]


def test_money_rule_of_half_reaches_the_cba_from_a_real_result_shape() -> None:
    keys = {"user_money_benefit_car_dkk_per_day": -5.0, "user_money_benefit_pt_dkk_per_day": 2.0}
    eff = read_effects(type("R", (), {"effects": {**fake_effects(1000), **keys}})())
    assert eff["money_rule_of_half"] is True
    assert eff["car_money_user_benefit_dkk_per_day"] == -5.0
    assert eff["fare_user_benefit_dkk_per_day"] == 2.0
    assert read_effects(type("R", (), {"effects": fake_effects(1000)})())[
        "money_rule_of_half"] is False


def test_cba_exports_never_carry_formulas() -> None:
    import io as _io

    import openpyxl
    import pandas as pd

    from mobility.cli.appraisal import _cba_csv, _cba_xlsx

    frame = pd.DataFrame({"id": [1, 2], "name": ['=HYPERLINK("http://x","y")', "@cmd"],
                          "npv_mdkk": [-12.5, 3.0]})
    rows = list(csv.reader(io.StringIO(_cba_csv(frame))))
    assert rows[1][1].startswith("'=") and rows[2][1] == "'@cmd"
    assert rows[1][2] == "-12.5"  # numbers untouched
    ws = openpyxl.load_workbook(_io.BytesIO(_cba_xlsx(frame))).active
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    assert ws.cell(row=2, column=2).value == '=HYPERLINK("http://x","y")'
    assert ws.cell(row=2, column=3).value == -12.5
