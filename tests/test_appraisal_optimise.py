"""Optimiser: exactness against brute force, constraints, unknown costs, Pareto front."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from mobility.appraisal import optimise_bundle, pareto_front, solve_selection
from mobility.errors import BundleError
from tests.appraisal_support import make_initiative, small_catalogue, small_network

OPTIMISE_KEYS = {"budget_mdkk", "selected", "cost_mdkk", "score", "left_out_unknown_cost",
                 "pareto"}


@st.composite
def instances(draw: st.DrawFn) -> dict[str, object]:
    n = draw(st.integers(1, 8))
    # scores to 1/1000 of a star (real scores are means of whole stars); the solver treats
    # differences below 1e-10 as ties
    scores = draw(st.lists(st.integers(0, 5000).map(lambda k: k / 1000), min_size=n,
                           max_size=n))
    costs = draw(st.lists(st.integers(0, 100), min_size=n, max_size=n))
    pairs = [(i, j) for i in range(n) for j in range(i)]
    requires = draw(st.lists(st.sampled_from(pairs), max_size=4, unique=True)) if pairs else []
    free = [p for p in pairs if p not in requires and (p[1], p[0]) not in requires]
    conflicts = draw(st.lists(st.sampled_from(free), max_size=3, unique=True)) if free else []
    budget = draw(st.integers(0, 300))
    return {"scores": scores, "costs": costs, "requires": requires, "conflicts": conflicts,
            "budget": budget}


def _feasible(sel: set[int], inst: dict[str, object]) -> bool:
    costs = inst["costs"]
    return (sum(costs[i] for i in sel) <= inst["budget"]  # type: ignore[index]
            and all(p in sel for i, p in inst["requires"] if i in sel)  # type: ignore[attr-defined]
            and not any(i in sel and j in sel for i, j in inst["conflicts"]))  # type: ignore[attr-defined]


@given(inst=instances())
@hsettings(max_examples=300, deadline=None)
def test_solver_equals_brute_force(inst: dict[str, object]) -> None:
    scores = inst["scores"]
    n = len(scores)  # type: ignore[arg-type]
    best = max(
        sum(scores[i] for i in sel)  # type: ignore[index]
        for k in range(n + 1) for sel in map(set, itertools.combinations(range(n), k))
        if _feasible(sel, inst)
    )
    x = solve_selection(scores, inst["costs"], inst["budget"],  # type: ignore[arg-type]
                        requires=inst["requires"], conflicts=inst["conflicts"])  # type: ignore[arg-type]
    assert x is not None
    chosen = set(np.flatnonzero(x).tolist())
    assert _feasible(chosen, inst)
    assert sum(scores[i] for i in chosen) == pytest.approx(best, abs=1e-9)  # type: ignore[index]


@st.composite
def catalogues(draw: st.DrawFn) -> dict[int, object]:
    n = draw(st.integers(2, 7))
    inits = {}
    for i in range(1, n + 1):
        stars = draw(st.lists(st.integers(0, 5), min_size=6, max_size=6))
        cost = draw(st.one_of(st.none(), st.integers(1, 5000)))
        pre = draw(st.lists(st.integers(1, i - 1), max_size=1)) if i > 1 else []
        conf = draw(st.lists(st.integers(1, i - 1), max_size=1)) if i > 1 else []
        conf = [c for c in conf if c not in pre]
        inits[i] = make_initiative(i, stars, cost_mdkk=cost, prerequisites=pre, conflicts=conf)
    for i, init in list(inits.items()):  # conflicts are symmetric in the catalogue
        for rel in init.conflicts:
            other = inits[rel.id]
            data = other.model_dump()
            data["conflicts"] = [*data["conflicts"], {"id": i, "note": None}]
            inits[rel.id] = type(other).model_validate(data)
    return inits


@given(inits=catalogues(), budget=st.integers(0, 12_000))
@hsettings(max_examples=40, deadline=None)
def test_optimiser_respects_budget_prerequisites_and_conflicts(
    inits: dict[int, object], budget: int,
) -> None:
    result = optimise_bundle(budget, initiatives=inits, network=False, top=3)  # type: ignore[arg-type]
    sel = set(result.selected)
    assert result.cost_mdkk <= budget
    assert result.cost_mdkk == pytest.approx(sum(inits[i].cost_mdkk for i in sel))  # type: ignore[attr-defined]
    for i in sel:
        assert set(inits[i].prerequisites) <= sel  # type: ignore[attr-defined]
        assert not {r.id for r in inits[i].conflicts} & sel  # type: ignore[attr-defined]
    unknown = {i for i, init in inits.items() if init.cost_mdkk is None}  # type: ignore[attr-defined]
    assert set(result.left_out_unknown_cost) == unknown
    assert not sel & unknown


def test_result_and_json_keys() -> None:
    result = optimise_bundle(15_000, initiatives=small_catalogue(), network=False, pareto=True)
    data = result.to_dict()
    assert set(data) >= OPTIMISE_KEYS
    assert data["left_out_unknown_cost"] == [6]
    assert isinstance(data["pareto"], list) and data["pareto"][0]["cost_mdkk"] == 0


def test_synergy_changes_the_final_ranking() -> None:
    # by score alone 1+4+5 wins; 4 and 5 compete in the network (-15,000 person-minutes)
    plain = optimise_bundle(4_500, initiatives=small_catalogue(), network=False)
    assert plain.selected == (1, 4, 5)
    net = optimise_bundle(4_500, initiatives=small_catalogue(), network=small_network(),
                          top=10)
    assert net.synergy_person_minutes == pytest.approx(-15_000)
    assert net.score_with_synergy == pytest.approx(net.score - 15_000 / 40_000 / 6)
    assert list(net.candidates["score_with_synergy"]) == sorted(
        net.candidates["score_with_synergy"], reverse=True)


def test_must_exclude_and_cost_assumption() -> None:
    inits = small_catalogue()
    result = optimise_bundle(20_000, initiatives=inits, network=False, must=[3], exclude=[1],
                             cost_assumptions_mdkk={6: 100})
    assert {2, 3} <= set(result.selected) and 1 not in result.selected
    assert result.left_out_unknown_cost == ()
    assert 5 not in result.selected or 6 not in result.selected


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"budget_mdkk": -1}, "budget must be a finite number of million DKK >= 0, got -1"),
        ({"budget_mdkk": float("nan")}, "budget must be a finite number"),
        ({"budget_mdkk": 100, "must": [99]}, r"\[initiative 99\] must: unknown initiative id 99"),
        ({"budget_mdkk": 100, "must": [1], "exclude": [1]}, "both must-include and must-exclude"),
        ({"budget_mdkk": 100, "must": [6]}, "must-include 6 needs 6 whose cost is unknown"),
        ({"budget_mdkk": 100, "must": [3], "exclude": [2]}, "must-include 3 needs excluded 2"),
        ({"budget_mdkk": 100, "must": [2]}, "no bundle within 100 million DKK"),
        ({"budget_mdkk": 100, "cost_assumptions_mdkk": {6: -5}}, "assumed cost must be >= 0"),
    ],
)
def test_bad_optimiser_input(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(BundleError, match=match):
        optimise_bundle(initiatives=small_catalogue(), network=False, **kwargs)  # type: ignore[arg-type]


def test_pareto_front_is_monotone_and_exact() -> None:
    front = pareto_front(initiatives=small_catalogue())
    assert list(front["cost_mdkk"]) == sorted(front["cost_mdkk"])
    assert front["score"].is_monotonic_increasing
    assert front["score"].diff().dropna().gt(0).all()
    for row in front.itertuples():
        best = optimise_bundle(row.cost_mdkk, initiatives=small_catalogue(), network=False,
                               top=1)
        assert best.score == pytest.approx(row.score)
