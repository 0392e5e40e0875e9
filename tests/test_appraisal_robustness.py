"""Robustness: deterministic with a seed, probabilities, rank intervals, inferred ratings."""

from __future__ import annotations

import pytest

from mobility.appraisal import robustness
from tests.appraisal_support import make_initiative, small_catalogue


def test_deterministic_with_seed() -> None:
    a = robustness(small_catalogue(), runs=500, seed=7, top_k=2)
    b = robustness(small_catalogue(), runs=500, seed=7, top_k=2)
    assert a.equals(b)
    assert a.attrs["runs"] == 500 and a.attrs["seed"] == 7


def test_probabilities_and_intervals() -> None:
    table = robustness(small_catalogue(), runs=800, seed=1, top_k=2)
    assert table["p_top_k"].sum() == pytest.approx(2.0)
    assert table["p_top_k"].between(0, 1).all()
    assert (table["rank_low"] <= table["rank_median"]).all()
    assert (table["rank_median"] <= table["rank_high"]).all()
    assert (table["rank_min"] >= 1).all() and (table["rank_max"] <= len(table)).all()
    assert table.loc[1, "n_inferred"] == 1


def test_without_uncertainty_ranks_do_not_move(monkeypatch: pytest.MonkeyPatch) -> None:
    from mobility import settings

    monkeypatch.setattr(settings, "ROBUSTNESS_WEIGHT_SIGMA", 0.0)
    inits = {i: make_initiative(i, [i, i, i, i, i, None]) for i in range(1, 5)}
    table = robustness(inits, runs=50, seed=3, top_k=1)
    assert (table["rank_min"] == table["rank_max"]).all()
    assert table.loc[4, "p_top_k"] == 1.0


def test_only_inferred_ratings_vary(monkeypatch: pytest.MonkeyPatch) -> None:
    from mobility import settings

    monkeypatch.setattr(settings, "ROBUSTNESS_WEIGHT_SIGMA", 0.0)
    inits = {1: make_initiative(1, [3, 3, 3, 3, 3, None], inferred=["accessibility"]),
             2: make_initiative(2, [3, 3, 3, 3, 3, None])}
    table = robustness(inits, runs=400, seed=5, top_k=1)
    # 1 moves by -1..+1 on one indicator: ahead of 2 in a third of the runs, tied (id 1 first)
    # in another third
    assert table.loc[1, "p_top_k"] == pytest.approx(2 / 3, abs=0.08)


@pytest.mark.parametrize(("kwargs", "match"), [({"runs": 0}, "runs must be at least 1"),
                                               ({"top_k": 0}, "top k must be at least 1")])
def test_bad_arguments(kwargs: dict[str, int], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        robustness(small_catalogue(), **kwargs)
