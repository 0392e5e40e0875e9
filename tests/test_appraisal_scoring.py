"""Scores: aggregation rules, ranking, cost-effectiveness, payback, and property tests."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from mobility import settings
from mobility.appraisal import aggregate, score_initiatives
from mobility.schema import INDICATOR_KEYS
from tests.appraisal_support import make_initiative, small_catalogue, small_network

FIRST_COLUMNS = ["rank", "id", "name", "score", "coverage", "cost_mdkk", "score_per_bn_dkk"]

star = st.one_of(st.none(), st.integers(0, 5))
# a weight is 0 or at least 1e-6 (a subnormal weight times a factor can underflow to 0)
weight_vectors = st.lists(st.one_of(st.just(0.0), st.floats(1e-6, 10)), min_size=6,
                          max_size=6).filter(lambda w: sum(w) > 0.01)


def test_columns_and_renormalised_score() -> None:
    table = score_initiatives(small_catalogue(), network=False, rule="exclude")
    assert list(table.columns[:7]) == FIRST_COLUMNS
    assert {"name_en", "theme", "coverage_n", "carbon_payback_years"} <= set(table.columns)
    assert [f"stars_{k}" for k in INDICATOR_KEYS] == [c for c in table if c.startswith("stars_")]
    row = table.loc[1]  # 3,4,1,1,4 and socio-economics not assessable
    assert row["score"] == pytest.approx((3 + 4 + 1 + 1 + 4) / 5)
    assert row["coverage"] == "5 of 6"
    assert row["score_per_bn_dkk"] == pytest.approx(row["score"] / 1.3)
    # 1 and 5 both score 13/5: a tie, shown as a shared rank
    assert list(table["rank"]) == [1, 2, 2, 4, 5, 6]
    assert list(table["id"][1:3]) == [1, 5]
    assert table["tied"].tolist()[:4] == [False, True, True, False]


def test_unknown_cost_has_no_cost_effectiveness() -> None:
    table = score_initiatives(small_catalogue(), network=False)
    assert np.isnan(table.loc[6, "cost_mdkk"]) and np.isnan(table.loc[6, "score_per_bn_dkk"])


def test_zero_rule_counts_not_assessable_as_zero() -> None:
    table = score_initiatives(small_catalogue(), network=False, rule="zero")
    assert table.loc[1, "score"] == pytest.approx((3 + 4 + 1 + 1 + 4) / 6)


def test_carbon_payback_from_rating_text() -> None:
    table = score_initiatives(small_catalogue(), network=False)
    assert table.loc[1, "co2_operation_reduction_t_per_year"] == 500
    assert table.loc[1, "carbon_payback_years"] == pytest.approx(100)
    assert table.loc[1, "carbon_payback_years_min"] == pytest.approx(80)
    assert np.isnan(table.loc[2, "carbon_payback_years"])


def test_low_coverage_ranked_last(monkeypatch: pytest.MonkeyPatch) -> None:
    inits = small_catalogue()
    inits[7] = make_initiative(7, [5, None, None, None, None, None], cost_mdkk=10)
    table = score_initiatives(inits, network=False, rule="exclude")
    assert table.loc[7, "score"] == 5 and table.loc[7, "rank"] == 7
    assert bool(table.loc[7, "low_coverage"])
    monkeypatch.setattr(settings, "RANK_MIN_COVERAGE", 0)
    assert score_initiatives(inits, network=False, rule="exclude").loc[7, "rank"] == 1


def test_topsis_in_unit_interval() -> None:
    table = score_initiatives(small_catalogue(), network=False, method="topsis")
    assert table["score"].between(0, 1).all()


def test_model_stars_replace_catalogue_where_computed() -> None:
    inits = small_catalogue()
    table = score_initiatives(inits, network=small_network(), stars="model")
    # 1 has the smallest user benefit of the five modelled initiatives -> 1 model star
    # (catalogue: 4); every indicator is now a model indicator
    assert table.loc[1, "stars_accessibility"] == 1
    assert table.loc[1, "stars_co2_operation"] == 0  # more CO2 built than saved in 50 years
    # 6 is not representable: catalogue stars, never zero
    assert np.isnan(table.loc[6, "stars_accessibility"])
    assert table.loc[6, "network_excluded"] == "not representable (fake)"
    blend = score_initiatives(inits, network=small_network(), stars="blend")
    assert blend.loc[1, "stars_accessibility"] == pytest.approx(2.5)


def test_input_not_mutated() -> None:
    inits = small_catalogue()
    before = {i: init.model_dump() for i, init in inits.items()}
    score_initiatives(inits, network=small_network(), stars="blend")
    assert {i: init.model_dump() for i, init in inits.items()} == before


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"stars": "expert"}, "unknown star source 'expert'"),
        ({"method": "ahp"}, "unknown method 'ahp'"),
        ({"rule": "ignore"}, "unknown not-assessable rule 'ignore'"),
        ({"stars": "model", "network": False}, "needs the network engine"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        score_initiatives(small_catalogue(), **kwargs)  # type: ignore[arg-type]


@given(
    stars=st.lists(st.lists(star, min_size=6, max_size=6), min_size=1, max_size=8),
    weights=weight_vectors, method=st.sampled_from(["weighted", "topsis"]),
    rule=st.sampled_from(["renormalise", "exclude", "zero", "mean"]), data=st.data(),
)
@hsettings(max_examples=300, deadline=None)
def test_raising_one_rating_never_lowers_a_score(
    stars: list[list[int | None]], weights: list[float], method: str, rule: str,
    data: st.DataObject,
) -> None:
    matrix = np.array([[np.nan if s is None else s for s in row] for row in stars], dtype=float)
    cells = [(i, j) for i in range(len(stars)) for j in range(6)
             if not np.isnan(matrix[i, j]) and matrix[i, j] < 5]
    if not cells:
        return
    i, j = data.draw(st.sampled_from(cells))
    raised = matrix.copy()
    raised[i, j] = data.draw(st.integers(int(matrix[i, j]) + 1, 5))
    before = aggregate(matrix, np.array(weights), method=method, rule=rule)[i]
    after = aggregate(raised, np.array(weights), method=method, rule=rule)[i]
    if np.isnan(before):
        return
    assert after >= before - 1e-12


@given(
    stars=st.lists(st.lists(star, min_size=6, max_size=6), min_size=2, max_size=6),
    weights=weight_vectors, factor=st.floats(1e-3, 1e3),
    method=st.sampled_from(["weighted", "topsis"]),
)
@hsettings(max_examples=60, deadline=None)
def test_scaling_weights_leaves_ranking_unchanged(
    stars: list[list[int | None]], weights: list[float], factor: float, method: str,
) -> None:
    inits = {i + 1: make_initiative(i + 1, row) for i, row in enumerate(stars)}
    w = dict(zip(INDICATOR_KEYS, weights, strict=True))
    scaled = {k: v * factor for k, v in w.items()}
    a = score_initiatives(inits, weights=w, method=method, network=False)
    b = score_initiatives(inits, weights=scaled, method=method, network=False)
    assert list(a["id"]) == list(b["id"])
    assert list(a["rank"]) == list(b["rank"])


@given(row=st.lists(star, min_size=6, max_size=6), data=st.data())
@hsettings(max_examples=40, deadline=None)
def test_raising_a_catalogue_rating_never_lowers_the_initiatives_score(
    row: list[int | None], data: st.DataObject,
) -> None:
    table_keys = [k for k in INDICATOR_KEYS[:5] if row[INDICATOR_KEYS.index(k)] not in (None, 5)]
    if not table_keys:
        return
    key = data.draw(st.sampled_from(table_keys))
    j = INDICATOR_KEYS.index(key)
    raised = list(row)
    raised[j] = data.draw(st.integers(int(row[j]) + 1, 5))  # type: ignore[arg-type]
    others = {2: make_initiative(2, [3, 3, 3, 3, 3, 3])}
    before = score_initiatives({1: make_initiative(1, row), **others}, network=False)
    after = score_initiatives({1: make_initiative(1, raised), **others}, network=False)
    assert after.loc[1, "score"] >= before.loc[1, "score"] - 1e-12
