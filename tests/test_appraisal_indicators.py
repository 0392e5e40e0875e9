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
from mobility.appraisal.indicators import model_stars
from tests.appraisal_support import make_initiative, small_catalogue, small_network


def test_model_values_from_the_network() -> None:
    net = small_network()
    model = model_values(small_catalogue(), network=net)
    assert model.loc[1, "person_minutes_saved_per_day"] == 30_000
    assert model.loc[1, "municipalities_gaining_n"] == 2
    assert model.loc[1, "model_accessibility"] == 3
    assert model.loc[3, "person_minutes_saved_per_day"] == 90_000  # increment over 2
    assert np.isnan(model.loc[6, "person_minutes_saved_per_day"])  # excluded: missing, not 0
    assert model.loc[6, "model_accessibility"] is pd.NA


def test_bcr_thresholds_match_irr_thresholds() -> None:
    assert model_stars("socioeconomics", 1.0) == 1
    assert model_stars("socioeconomics", 0.99) == 0
    assert model_stars("socioeconomics", 3.6) == 5


def test_thresholds_read_at_call_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "ACCESSIBILITY_STAR_THRESHOLDS_PERSON_MIN", (1, 2, 3, 4, 5))
    assert model_stars("accessibility", 5) == 5


def test_no_network_no_model_values() -> None:
    model = model_values(small_catalogue(), network=False)
    assert model["person_minutes_saved_per_day"].isna().all()


def test_indicator_table_long_and_wide() -> None:
    long = indicator_table(small_catalogue(), network=small_network())
    assert len(long) == 6 * 6
    row = long[(long["id"] == 1) & (long["indicator"] == "co2_operation")].iloc[0]
    assert row["inferred"] and row["catalogue_stars"] == 1
    wide = indicator_table(small_catalogue(), network=small_network(), wide=True)
    assert wide.loc[1, "accessibility_model_value"] == 30_000
    assert wide.loc[1, "accessibility_catalogue"] == 4


def test_disagreements_two_or_more() -> None:
    table = disagreements(initiatives=small_catalogue(), network=small_network())
    assert set(zip(table["id"], table["indicator"], strict=True)) == {
        (1, "cross_municipal"), (4, "cross_municipal")}
    assert (table["difference"].abs() >= 2).all()


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
