"""``mobility network ...`` and ``mobility bench network`` (the benchmark itself is slow)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from mobility.cli import cli


def test_travel_time_json() -> None:
    res = CliRunner().invoke(cli, ["network", "travel-time", "Farum St.", "Hillerød St.",
                                   "--with", "11", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert set(data) == {"from", "to", "mode", "with", "minutes", "generalised_minutes",
                         "period"}
    assert data["with"] == [11] and data["minutes"] < 25


def test_travel_time_text_car() -> None:
    res = CliRunner().invoke(cli, ["network", "travel-time", "Hillerød St.",
                                   "Frederiksværk St.", "--mode", "car"])
    assert res.exit_code == 0, res.output
    assert "min" in res.output and "offpeak" in res.output


def test_travel_time_car_period_json() -> None:
    out = {}
    for period in ("peak", "offpeak"):
        res = CliRunner().invoke(cli, ["network", "travel-time", "Hillerød St.", "København H",
                                       "--mode", "car", "--period", period, "--json"])
        assert res.exit_code == 0, res.output
        out[period] = json.loads(res.output)
        assert out[period]["period"] == period
    assert out["peak"]["minutes"] > out["offpeak"]["minutes"]


def test_bad_period_is_a_usage_error() -> None:
    res = CliRunner().invoke(cli, ["network", "travel-time", "A", "B", "--mode", "car",
                                   "--period", "night"])
    assert res.exit_code == 2


def test_unknown_station_exits_1_with_suggestions() -> None:
    res = CliRunner().invoke(cli, ["network", "travel-time", "Hilerød St.", "Køge St."])
    assert res.exit_code == 1
    assert "Hillerød St." in res.output


def test_bad_mode_is_a_usage_error() -> None:
    res = CliRunner().invoke(cli, ["network", "travel-time", "A", "B", "--mode", "boat"])
    assert res.exit_code == 2


def test_scenario_writes_metrics(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "metrics.csv"
    res = CliRunner().invoke(cli, ["network", "scenario", "--with", "8", "--with", "9",
                                   "--output", str(out)])
    assert res.exit_code == 0, res.output
    assert "excluded 9" in res.output
    frame = pd.read_csv(out, index_col="municipality_code")
    assert {"name", "accessibility_change_pct", "gains"} <= set(frame.columns)
    assert len(frame) == 34


def test_base_json_has_the_statistics() -> None:
    res = CliRunner().invoke(cli, ["network", "base", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert {"trips_per_person_per_day", "mean_trip_km", "mode_shares",
            "mean_commute_km_by_municipality"} <= set(data)
    assert set(data["mode_shares"]) == {"walk", "bike", "pt", "car"}
    assert sum(data["mode_shares"].values()) == pytest.approx(1.0, abs=1e-3)
    assert len(data["mean_commute_km_by_municipality"]) == 34


def test_scenario_json_summary() -> None:
    res = CliRunner().invoke(cli, ["network", "scenario", "--with", "17", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert {"with", "extra_pt_trips_per_day", "new_line_boardings_per_day",
            "car_vehicle_km_change_per_day", "co2_operation_t_per_year_change",
            "person_minutes_saved_per_day", "user_benefit_mdkk_per_year", "mode_shares_base",
            "mode_shares_scenario"} <= set(data)
    assert data["with"] == [17]
    assert data["extra_pt_trips_per_day"] > 0
    assert data["mode_shares_scenario"]["pt"] > data["mode_shares_base"]["pt"]


def test_bench_network_help() -> None:
    res = CliRunner().invoke(cli, ["bench", "network", "--help"])
    assert res.exit_code == 0 and "--json" in res.output


@pytest.mark.slow
def test_bench_network_json() -> None:
    res = CliRunner().invoke(cli, ["bench", "network", "--json", "--reference-origins", "10"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    for key in ("zones", "scenarios", "engine_total_s", "engine_per_scenario_s",
                "reference_per_scenario_s", "speedup", "peak_rss_mb"):
        assert key in data
    assert data["scenarios"] == 34
