"""Tests of mobility.outputs.charts: every chart renders to PNG and SVG, reproducibly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from mobility.errors import MobilityError
from mobility.outputs import charts


@pytest.fixture()
def scores():
    return pd.DataFrame({"score": [2.4, 2.8, 3.75, 1.0], "cost_mdkk": [1300, 3600, np.nan, 15],
                         "theme": ["public_transport", "public_transport", "pricing", "hubs"],
                         "rank": [3, 2, 1, 4]}, index=[1, 2, 3, 4])


def test_pareto_front_points():
    cost = pd.Series({1: 100, 2: 50, 3: 200, 4: 300, 5: np.nan})
    score = pd.Series({1: 2.0, 2: 1.0, 3: 1.5, 4: 3.0, 5: 5.0})
    assert charts.pareto_front_points(cost, score) == [2, 1, 4]


def test_all_charts_render(inits, scores):
    figs = [
        charts.indicators_chart(inits),
        charts.indicators_chart(inits, lang="en"),
        charts.cost_score_chart(scores, weights_label="equal"),
        charts.bundle_chart([{"name": "A", "initiatives": [1, 2], "cost_mdkk": 4900,
                              "score": 2.5, "person_minutes_saved_per_day": 1000,
                              "sum_of_singles_person_minutes": 900,
                              "synergy_person_minutes": 100,
                              "municipalities_gaining": ["a", "b"]},
                             {"name": "B", "initiatives": [4], "cost_mdkk": 15}]),
        charts.static_map(inits),
        charts.static_map(inits, scores=scores, title="Score"),
    ]
    for fig in figs:
        assert isinstance(fig, Figure)
        png = charts.figure_bytes(fig, "png")
        assert png.startswith(b"\x89PNG")
        svg = charts.figure_bytes(fig, "svg")
        assert b"<svg" in svg[:500]


def test_charts_reproducible(inits):
    fig = charts.indicators_chart(inits)
    assert charts.figure_bytes(fig, "svg") == charts.figure_bytes(fig, "svg")
    assert charts.figure_bytes(fig, "png") == charts.figure_bytes(charts.indicators_chart(inits),
                                                                  "png")


def test_cost_score_lists_unknown_cost(scores):
    fig = charts.cost_score_chart(scores)
    titles = [ax.get_title() for ax in fig.axes]
    assert any("Ukendt anlægsomkostning" in t and "3" in t for t in titles)
    with pytest.raises(MobilityError, match="cost_mdkk"):
        charts.cost_score_chart(scores.drop(columns="cost_mdkk"))


def test_write_figure(tmp_path, inits):
    paths = charts.write_figure(charts.indicators_chart(inits), tmp_path / "ind")
    assert [p.name for p in paths] == ["ind.png", "ind.svg"]
    assert all(p.stat().st_size > 1000 for p in paths)
    with pytest.raises(MobilityError, match="format"):
        charts.figure_bytes(charts.indicators_chart(inits), "gif")


def test_bundle_chart_needs_bundles():
    with pytest.raises(MobilityError, match="no bundles"):
        charts.bundle_chart([])
