"""Optimiser: exactness against brute force, constraints, unknown costs, Pareto front."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from mobility.appraisal import optimise_bundle, pareto_front, solve_selection
from mobility.appraisal.optimise import solve_ratio
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
    result = optimise_bundle(budget, initiatives=inits, network=False, top=3,
                             objective="score")  # type: ignore[arg-type]
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
    result = optimise_bundle(15_000, initiatives=small_catalogue(), network=False, pareto=True,
                             objective="score")
    data = result.to_dict()
    assert set(data) >= OPTIMISE_KEYS
    assert data["left_out_unknown_cost"] == [6]
    assert isinstance(data["pareto"], list) and data["pareto"][0]["cost_mdkk"] == 0


def test_synergy_changes_the_final_ranking() -> None:
    # by score alone 1+4+5 wins; 4 and 5 compete in the network (-15,000 person-minutes)
    plain = optimise_bundle(4_500, initiatives=small_catalogue(), network=False,
                            objective="score")
    assert plain.selected == (1, 4, 5)
    net = optimise_bundle(4_500, initiatives=small_catalogue(), network=small_network(),
                          top=10, objective="score")
    assert net.synergy_person_minutes == pytest.approx(-15_000)
    assert net.score_with_synergy == pytest.approx(net.score - 15_000 / 40_000 / 6)
    assert list(net.candidates["score_with_synergy"]) == sorted(
        net.candidates["score_with_synergy"], reverse=True)


def test_must_exclude_and_cost_assumption() -> None:
    inits = small_catalogue()
    result = optimise_bundle(20_000, initiatives=inits, network=False, must=[3], exclude=[1],
                             cost_assumptions_mdkk={6: 100}, objective="score")
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
        optimise_bundle(initiatives=small_catalogue(), network=False, objective="score",
                        **kwargs)  # type: ignore[arg-type]


def test_pareto_front_is_monotone_and_exact() -> None:
    front = pareto_front(initiatives=small_catalogue())
    assert list(front["cost_mdkk"]) == sorted(front["cost_mdkk"])
    assert front["score"].is_monotonic_increasing
    assert front["score"].diff().dropna().gt(0).all()
    for row in front.itertuples():
        best = optimise_bundle(row.cost_mdkk, initiatives=small_catalogue(), network=False,
                               top=1, objective="score")
        assert best.score == pytest.approx(row.score)


# ------------------------------------------------------------------------------------------
# Each objective equals brute force on small instances


@given(inst=instances(), signs=st.lists(st.booleans(), min_size=8, max_size=8))
@hsettings(max_examples=200, deadline=None)
def test_npv_objective_with_negative_values_equals_brute_force(
    inst: dict[str, object], signs: list[bool],
) -> None:
    values = [v if keep else -v for v, keep in zip(inst["scores"], signs, strict=False)]  # type: ignore[call-overload]
    n = len(values)
    best = max(
        sum(values[i] for i in sel)
        for k in range(n + 1) for sel in map(set, itertools.combinations(range(n), k))
        if _feasible(sel, inst)
    )
    x = solve_selection(values, inst["costs"], inst["budget"],  # type: ignore[arg-type]
                        requires=inst["requires"], conflicts=inst["conflicts"])  # type: ignore[arg-type]
    assert x is not None
    chosen = set(np.flatnonzero(x).tolist())
    assert _feasible(chosen, inst)
    assert sum(values[i] for i in chosen) == pytest.approx(best, abs=1e-9)


@given(inst=instances())
@hsettings(max_examples=200, deadline=None)
def test_score_per_cost_objective_equals_brute_force(inst: dict[str, object]) -> None:
    scores = inst["scores"]
    costs = [c + 1 for c in inst["costs"]]  # type: ignore[attr-defined]
    case = {**inst, "costs": costs}
    n = len(scores)  # type: ignore[arg-type]
    ratios = [
        sum(scores[i] for i in sel) / sum(costs[i] for i in sel)  # type: ignore[index]
        for k in range(1, n + 1) for sel in map(set, itertools.combinations(range(n), k))
        if _feasible(sel, case)
    ]
    x = solve_ratio(scores, costs, inst["budget"], requires=inst["requires"],  # type: ignore[arg-type]
                    conflicts=inst["conflicts"])  # type: ignore[arg-type]
    if not ratios:
        assert x is None
        return
    assert x is not None
    chosen = set(np.flatnonzero(x).tolist())
    assert chosen and _feasible(chosen, case)
    got = sum(scores[i] for i in chosen) / sum(costs[i] for i in chosen)  # type: ignore[index]
    assert got == pytest.approx(max(ratios), rel=1e-9, abs=1e-12)


def _profitable_network() -> object:
    from tests.appraisal_support import FakeNetwork

    return FakeNetwork({1: 600_000, 2: 1_500_000, 3: 900_000, 4: 300_000, 5: 500_000},
                       excluded=[6], pairs={(1, 2): 200_000, (4, 5): -300_000},
                       reach={1: [101, 147], 4: [151]})


def _feasible_ids(sel: set[int], inits: dict, budget: float) -> bool:  # type: ignore[type-arg]
    if any(inits[i].cost_mdkk is None for i in sel):
        return False
    return (sum(inits[i].cost_mdkk for i in sel) <= budget
            and all(set(inits[i].prerequisites) <= sel for i in sel)
            and not any(r.id in sel for i in sel for r in inits[i].conflicts))


@pytest.mark.parametrize("budget", [3_000, 15_000, 30_000])
def test_optimise_npv_equals_brute_force(budget: float) -> None:
    from mobility.appraisal import model_values
    from mobility.appraisal.economics import cba_ids

    inits, net = small_catalogue(), _profitable_network()
    npv = model_values(inits, network=net)["npv_mdkk"]
    ids = [i for i in inits if not np.isnan(npv[i])]
    subsets = [set(c) for k in range(len(ids) + 1) for c in itertools.combinations(ids, k)
               if _feasible_ids(set(c), inits, budget)]
    # the MILP's first candidate maximises the sum of the singles' NPVs
    result = optimise_bundle(budget, initiatives=inits, network=net, top=64)
    first = result.candidates[result.candidates["candidate"] == 1].iloc[0]
    assert first["sum_of_singles_npv_mdkk"] == pytest.approx(
        max(sum(npv[i] for i in s) for s in subsets))
    # with every candidate re-evaluated, the final choice is the best bundle NPV of the
    # candidates with a positive sum (the others are never worth building)
    bundle_npv = {frozenset(s): cba_ids(s, initiatives=inits, network=net).npv_mdkk
                  for s in subsets if s}
    listed = {frozenset(int(i) for i in sel.split(";")) for sel in result.candidates["selected"]
              if sel}
    assert result.npv_mdkk == pytest.approx(max(bundle_npv[s] for s in listed))
    assert result.objective == "npv" and result.cost_mdkk <= budget


def test_optimise_score_per_cost_equals_brute_force() -> None:
    from mobility.appraisal import score_initiatives

    inits = small_catalogue()

    scores = score_initiatives(inits, network=False)["score"]
    ids = [i for i in inits if inits[i].cost_mdkk]
    best = max(sum(scores[i] for i in c) / sum(inits[i].cost_mdkk for i in c)
               for k in range(1, len(ids) + 1) for c in itertools.combinations(ids, k)
               if _feasible_ids(set(c), inits, 15_000))
    result = optimise_bundle(15_000, initiatives=inits, network=False,
                             objective="score-per-cost", top=1)
    assert result.score / result.cost_mdkk == pytest.approx(best)


def test_npv_objective_needs_the_network_and_binding_is_reported() -> None:
    with pytest.raises(BundleError, match="npv objective needs the network"):
        optimise_bundle(10_000, initiatives=small_catalogue(), network=False)
    result = optimise_bundle(3_000, initiatives=small_catalogue(), network=_profitable_network(),
                             top=3)
    assert result.binding  # at 3 bn, profitable items are left out for lack of money
    assert "budget" in result.binding
    assert result.left_out_no_model == (6,) or 6 in result.left_out_unknown_cost


def test_multi_objective_pareto_front_is_non_dominated() -> None:
    result = optimise_bundle(30_000, initiatives=small_catalogue(),
                             network=_profitable_network(), top=3, pareto=True)
    front = result.pareto
    assert front is not None and len(front) >= 2
    vals = np.array(front[["cost_mdkk", "npv_mdkk", "co2_reduction_t_per_year", "score"]],
                    dtype=float)
    vals[:, 0] = -vals[:, 0]
    for i in range(len(vals)):
        others = np.delete(vals, i, axis=0)
        assert not np.any(np.all(others >= vals[i], axis=1) & np.any(others > vals[i], axis=1))
