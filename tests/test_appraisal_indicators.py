"""Indicators: model values and stars, the indicator table, disagreements, carbon payback."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mobility import settings
from mobility.appraisal import (
    disagreements,
    indicator_table,
    model_values,
    operating_co2_reduction_t_per_year,
)
from mobility.appraisal.indicators import model_stars, quantile_thresholds
from tests.appraisal_support import make_initiative, small_catalogue, small_network

HOSTS = {1: [101], 2: [101], 3: [101], 4: [151], 5: [101, 147, 151, 157, 219]}


def test_model_values_from_the_network() -> None:
    net = small_network()
    model = model_values(small_catalogue(), network=net, hosts=HOSTS)
    assert model.loc[1, "person_minutes_saved_per_day"] == 30_000
    assert model.loc[1, "municipalities_gaining_n"] == 2
    assert model.loc[3, "person_minutes_saved_per_day"] == 90_000  # increment over 2
    assert np.isnan(model.loc[6, "person_minutes_saved_per_day"])  # excluded: missing, not 0
    assert model.loc[6, "model_accessibility"] is pd.NA
    # user benefit of 1 by hand: 30,000 min/day split 40/10/50 % commute/business/other,
    # valued at 105/420/105 DKK per hour, 300 days: 6.3 + 6.3 + 7.875 million DKK per year
    assert model.loc[1, "user_benefit_mdkk_per_year"] == pytest.approx(20.475)
    assert model.loc[1, "extra_pt_trips_per_day"] == pytest.approx(600)
    # 1 reaches 101 and 147 equally, hosted by 101: half its benefit falls outside
    assert model.loc[1, "outside_host_share"] == pytest.approx(0.5)
    assert model.loc[4, "outside_host_share"] == 0 and model.loc[4, "model_cross_municipal"] == 0


def test_model_star_thresholds_from_the_spread_of_results() -> None:
    model = model_values(small_catalogue(), network=small_network(), hosts=HOSTS)
    th = model.attrs["thresholds"]["accessibility"]
    positive = model["user_benefit_mdkk_per_year"].dropna()
    assert th[1:] == pytest.approx(tuple(np.quantile(positive, [0.2, 0.4, 0.6, 0.8])))
    # the smallest positive result earns 1 star, the largest 5: the five results span the bands
    assert model.loc[1, "model_accessibility"] == 1 and model.loc[2, "model_accessibility"] == 5
    assert sorted(model["model_accessibility"].dropna().astype(int)) == [1, 2, 3, 4, 5]
    # socio-economics is on the catalogue's IRR scale: every fake initiative loses money -> 0
    assert (model["npv_mdkk"].dropna() < 0).all()
    assert (model["model_socioeconomics"].dropna() == 0).all()


def test_quantile_thresholds_and_socio_stars(monkeypatch: pytest.MonkeyPatch) -> None:
    assert quantile_thresholds([-1.0, 0.0]) == (np.inf,) * 5
    assert model_stars("accessibility", 0.0, {"accessibility": (1e-9, 1, 2, 3, 4)}) == 0
    assert model_stars("accessibility", 2.5, {"accessibility": (1e-9, 1, 2, 3, 4)}) == 3
    assert model_stars("socioeconomics", 5.0) == 2
    assert model_stars("socioeconomics", None, npv_mdkk=-5.0) == 0
    monkeypatch.setattr(settings, "IRR_STAR_THRESHOLDS_PCT", (1, 2, 3, 4, 5))
    assert model_stars("socioeconomics", 5.0) == 5  # read at call time


def test_no_network_no_model_values() -> None:
    model = model_values(small_catalogue(), network=False)
    assert model["person_minutes_saved_per_day"].isna().all()
    assert model["model_accessibility"].isna().all()


def test_indicator_table_long_and_wide() -> None:
    long = indicator_table(small_catalogue(), network=small_network())
    assert len(long) == 6 * 6
    row = long[(long["id"] == 1) & (long["indicator"] == "co2_operation")].iloc[0]
    assert row["inferred"] and row["catalogue_stars"] == 1
    wide = indicator_table(small_catalogue(), network=small_network(), wide=True)
    assert wide.loc[1, "accessibility_model_value"] == pytest.approx(20.475)
    assert wide.loc[1, "accessibility_catalogue"] == 4


def test_disagreements_two_or_more() -> None:
    table = disagreements(initiatives=small_catalogue(), network=small_network())
    assert (table["difference"].abs() >= 2).all()
    # 1: catalogue 4 accessibility stars, the model's smallest user benefit -> 1 star
    assert (1, "accessibility") in set(zip(table["id"], table["indicator"], strict=True))
    assert list(table["difference"].abs()) == sorted(table["difference"].abs(), reverse=True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Vil overflytte ca. 1000 bilture pr. hverdag, svarende til ca. 500 tons CO2 årligt.", 500),
        ("vil reducere CO2-udledningen med ca. 88.000 tons/år med den nuværende bilpark", 88_000),
        ("Indsatsen vil øge den samlede udledning af CO2 med 2.000 tons/år", None),
        ("Marginal effekt.", None),
    ],
)
def test_operating_co2_from_text(text: str, expected: float | None) -> None:
    init = make_initiative(1, [1] * 6, co2_text=text)
    assert operating_co2_reduction_t_per_year(init) == expected


def test_operating_co2_setting_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "CO2_OPERATION_REDUCTION_T_PER_YEAR", {1: 42.0})
    assert operating_co2_reduction_t_per_year(make_initiative(1, [1] * 6)) == 42.0


def test_shipped_catalogue_indicator_table_without_network() -> None:
    table = indicator_table(network=False)
    assert table["id"].nunique() == 33
    assert table["model_value"].isna().all()


def test_legacy_result_models_only_what_it_measures() -> None:
    """A scenario result without ``effects`` (the engine before the demand model) gives time
    savings only: CO2, health and public transport are not modelled (missing, not 0 stars)."""
    import dataclasses

    net = small_network()

    def legacy(ids):  # type: ignore[no-untyped-def]
        return dataclasses.replace(net(ids), effects={})

    model = model_values(small_catalogue(), network=legacy, hosts=HOSTS)
    assert model["model_co2_operation"].isna().all()
    assert model["model_public_health"].isna().all()
    assert model["model_public_transport"].isna().all()
    assert model.loc[1, "user_benefit_mdkk_per_year"] > 0
    assert model.loc[1, "model_accessibility"] is not pd.NA
