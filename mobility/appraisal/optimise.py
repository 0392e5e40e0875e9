"""Budget optimiser: the best bundle under a budget; Pareto fronts.

Formulation (docs/appraisal.md, section 4): binary ``x_i`` per eligible initiative; maximise
``sum(v_i x_i)`` (a tiny cost term breaks ties towards the cheaper bundle) subject to
``sum(cost_i x_i) <= budget``, ``x_i <= x_p`` for every prerequisite ``p`` of ``i``,
``x_i + x_j <= 1`` for every conflict, ``x_i = 1`` for must-include and ``x_i = 0`` for
must-exclude; solved exactly with :func:`scipy.optimize.milp` (HiGHS, zero gap). ``v_i`` is the
initiative's NPV (``objective="npv"``, the default), its score (``"score"``), or the objective is
the ratio of the sums of scores and costs (``"score-per-cost"``, by Dinkelbach's method). The
best ``top`` bundles (found one by one, each new one cut off the previous) are then evaluated
with the network/demand model as whole scenarios (their own CBA and synergy) and ranked again.

Initiatives with unknown cost are left out unless a cost assumption is given; the result says
which were left out, and which constraints bind.

Examples
--------
>>> from mobility.appraisal import optimise_bundle
>>> result = optimise_bundle(30_000, network=False, objective="score")
>>> result.cost_mdkk <= 30_000
True
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import math
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

from .. import settings
from ..errors import BundleError, Issue
from ..schema import Initiative
from ._network import NetworkArg, effects_for
from ._util import (
    InitiativesArg,
    ids_text,
    jsonable,
    prerequisite_closure,
    progress_bar,
    resolve_initiatives,
)
from .economics import cba_ids
from .scoring import score_initiatives
from .weights import WeightsArg, load_weights

__all__ = ["OBJECTIVES", "OptimiseResult", "binding_constraints", "optimise_bundle",
           "pareto_front", "pareto_front_multi", "solve_ratio", "solve_selection"]

log = logging.getLogger(__name__)

_WHERE = "optimiser input"


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Send C-level standard output to the debug log while HiGHS runs.

    HiGHS as bundled with scipy 1.17 prints debug lines (``HighsMipSolverData::...``) straight
    to file descriptor 1 on some problems, which would corrupt ``--json`` output.
    """
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # stdout replaced (pytest capture, Jupyter)
        yield
        return
    sys.stdout.flush()
    saved = os.dup(fd)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), fd)
        try:
            yield
        finally:
            _libc_flush()
            os.dup2(saved, fd)
            os.close(saved)
            sink.seek(0)
            text = sink.read().decode(errors="replace").strip()
            if text:
                log.debug("HiGHS output: %s", text)


def _libc_flush() -> None:
    with contextlib.suppress(OSError, AttributeError):  # no C library handle (Windows)
        ctypes.CDLL(None).fflush(None)


def solve_selection(
    scores: Sequence[float] | np.ndarray, costs: Sequence[float] | np.ndarray, budget: float, *,
    requires: Iterable[tuple[int, int]] = (), conflicts: Iterable[tuple[int, int]] = (),
    must: Iterable[int] = (), exclude: Iterable[int] = (),
    cuts: Iterable[Iterable[int]] = (), min_items: int = 0,
) -> np.ndarray | None:
    """Solve the selection problem on plain arrays (positions, not ids).

    Parameters
    ----------
    scores, costs : sequence of float
        Per item; costs non-negative.
    budget : float
        Upper bound on the total cost.
    requires : iterable of (i, p)
        Item ``i`` may only be chosen with item ``p``.
    conflicts : iterable of (i, j)
        Items ``i`` and ``j`` are never chosen together.
    must, exclude : iterable of int
        Items forced in / out.
    cuts : iterable of iterables of int
        Selections (sets of positions) that may not be returned again.
    min_items : int
        Choose at least this many items.

    Returns
    -------
    ndarray of bool or None
        The selection with the highest total score (cheapest among equals), or None when no
        selection satisfies the constraints.
    """
    s = np.asarray(scores, dtype=float)
    c = np.asarray(costs, dtype=float)
    n = len(s)
    if n == 0:
        return (np.zeros(0, dtype=bool) if budget >= 0 and not list(must) and min_items <= 0
                else None)
    # scores are scaled so that HiGHS's absolute gap (1e-6) is 1e-12 score units; the cost term
    # (at most 1e-4 scaled, i.e. 1e-10 score units, in total) breaks ties towards the cheaper
    # selection, so score differences below 1e-10 count as ties
    scale = 1e6
    eps = 1e-4 / max(1.0, float(c.sum()))
    rows: list[np.ndarray] = []
    lo: list[float] = []
    hi: list[float] = []
    rows.append(c)
    lo.append(-np.inf)
    hi.append(budget)
    for i, p in requires:
        row = np.zeros(n)
        row[i], row[p] = 1.0, -1.0
        rows.append(row)
        lo.append(-np.inf)
        hi.append(0.0)
    for i, j in conflicts:
        row = np.zeros(n)
        row[i] = row[j] = 1.0
        rows.append(row)
        lo.append(-np.inf)
        hi.append(1.0)
    if min_items > 0:
        rows.append(np.ones(n))
        lo.append(float(min_items))
        hi.append(np.inf)
    extra_cuts = [set(cut) for cut in cuts]
    lb, ub = np.zeros(n), np.ones(n)
    lb[list(must)] = 1.0
    ub[list(exclude)] = 0.0
    if (lb > ub).any():
        return None
    for _ in range(n + 2):  # re-solve only if rounding pushed a solution over the budget
        cut_rows = []
        for cut in extra_cuts:
            row = -np.ones(n)
            row[list(cut)] = 1.0
            cut_rows.append((row, len(cut) - 1.0))
        a = np.vstack(rows + [r for r, _ in cut_rows])
        with _quiet_stdout():
            res = milp(
                -scale * s + eps * c,
                constraints=LinearConstraint(a, np.array(lo + [-np.inf] * len(cut_rows)),
                                             np.array(hi + [u for _, u in cut_rows])),
                integrality=np.ones(n), bounds=Bounds(lb, ub), options={"mip_rel_gap": 0.0},
            )
        if res.x is None:
            return None
        x = np.round(res.x).astype(bool)
        if float(c[x].sum()) <= budget:
            return x
        extra_cuts.append(set(np.flatnonzero(x).tolist()))
    return None  # pragma: no cover - the loop always ends above


def solve_ratio(
    scores: Sequence[float] | np.ndarray, costs: Sequence[float] | np.ndarray, budget: float, *,
    requires: Iterable[tuple[int, int]] = (), conflicts: Iterable[tuple[int, int]] = (),
    must: Iterable[int] = (), exclude: Iterable[int] = (),
    cuts: Iterable[Iterable[int]] = (),
) -> np.ndarray | None:
    """The non-empty selection with the highest ``sum(scores) / sum(costs)`` (exact, by
    Dinkelbach's method: repeatedly maximise ``sum(scores - ratio * costs)`` with the MILP of
    :func:`solve_selection` until no selection beats the current ratio). Costs must be > 0.
    Among selections with the best ratio, the one the last MILP returns (highest score minus
    ratio times cost, cheapest among equals). None when no non-empty selection is feasible."""
    s = np.asarray(scores, dtype=float)
    c = np.asarray(costs, dtype=float)
    kw = {"requires": list(requires), "conflicts": list(conflicts), "must": list(must),
          "exclude": list(exclude), "cuts": [set(cut) for cut in cuts], "min_items": 1}
    ratio = 0.0
    x = solve_selection(s - ratio * c, c, budget, **kw)
    for _ in range(100):
        if x is None or not x.any():
            return None
        ratio = float(s[x].sum() / c[x].sum())
        nxt = solve_selection(s - ratio * c, c, budget, **kw)
        if nxt is None:
            return x
        gain = float((s - ratio * c)[nxt].sum())
        if gain <= 1e-9 * max(1.0, abs(ratio)):
            return x
        x = nxt
    return x  # pragma: no cover - Dinkelbach converges in a few steps


#: Objectives of the optimiser.
OBJECTIVES: tuple[str, ...] = ("npv", "score", "score-per-cost")


@dataclass(frozen=True)
class _Problem:
    ids: list[int]
    scores: np.ndarray
    costs: np.ndarray
    requires: list[tuple[int, int]]
    conflicts: list[tuple[int, int]]
    must: list[int]
    exclude: list[int]
    left_out_unknown_cost: tuple[int, ...]
    left_out_no_score: tuple[int, ...]
    assumptions: dict[int, float]
    table: pd.DataFrame = field(repr=False)
    objective: str = "score"
    left_out_no_model: tuple[int, ...] = ()


def _build(
    inits: Mapping[int, Initiative], *, budget: float | None, must: Iterable[int],
    exclude: Iterable[int], cost_assumptions_mdkk: Mapping[int, float] | None,
    table: pd.DataFrame, objective: str = "score",
) -> _Problem:
    must_ids = [int(i) for i in must]
    exclude_ids = [int(i) for i in exclude]
    assumptions = {int(k): float(v) for k, v in (cost_assumptions_mdkk or {}).items()}
    issues: list[Issue] = []
    if budget is not None and (not math.isfinite(budget) or budget < 0):
        issues.append(Issue(_WHERE, "budget_mdkk",
                            f"budget must be a finite number of million DKK >= 0, got {budget:g}"))
    for label, ids in (("must", must_ids), ("exclude", exclude_ids),
                       ("cost_assumptions_mdkk", list(assumptions))):
        for ident in ids:
            if ident not in inits:
                issues.append(Issue(_WHERE, label, f"unknown initiative id {ident}", str(ident)))
    for ident in sorted(set(must_ids) & set(exclude_ids)):
        issues.append(Issue(_WHERE, "must", "id is both must-include and must-exclude",
                            str(ident)))
    for ident, value in assumptions.items():
        if not math.isfinite(value) or value < 0:
            issues.append(Issue(_WHERE, "cost_assumptions_mdkk",
                                f"assumed cost must be >= 0, got {value:g}", str(ident)))
    if issues:
        raise BundleError.from_issues(issues, "cannot optimise")
    cost = {i: (assumptions.get(i, init.cost_mdkk))
            for i, init in inits.items()}
    unknown = tuple(i for i in inits if cost[i] is None)
    if objective == "npv":
        npv = table["npv_mdkk"].reindex(list(inits)).astype(float)
        no_model = tuple(i for i in inits if np.isnan(npv[i]) and i not in unknown)
        score = npv.fillna(0.0)
    else:
        no_model = ()
        score = table["score"].reindex(list(inits)).fillna(0.0).clip(lower=0.0)
    if objective == "score-per-cost":  # a cost of 0 has no ratio: leave such items out
        unknown = unknown + tuple(i for i in inits if cost[i] is not None and cost[i] <= 0)
    blocked = set(unknown) | set(exclude_ids) | set(no_model)
    for ident in must_ids:
        nomodel = sorted(prerequisite_closure(ident, inits) & set(no_model))
        if nomodel:
            issues.append(Issue(
                _WHERE, "must",
                f"must-include {ident} needs {ids_text(nomodel)} that the model cannot "
                "appraise (no NPV); use --objective score", str(ident)))
        missing = sorted(prerequisite_closure(ident, inits) & set(unknown))
        if missing:
            issues.append(Issue(
                _WHERE, "must",
                f"must-include {ident} needs {ids_text(missing)} whose cost is unknown; "
                "give a cost assumption (--assume-cost ID=MDKK)", str(ident)))
        for pre in sorted(prerequisite_closure(ident, inits) & set(exclude_ids)):
            issues.append(Issue(_WHERE, "must", f"must-include {ident} needs excluded {pre}",
                                str(ident)))
    if issues:
        raise BundleError.from_issues(issues, "cannot optimise")
    # items worth nothing are left out, unless forced or needed by an item that is worth something
    needed = set(must_ids)
    for ident in inits:
        if score[ident] > 0 and ident not in blocked:
            needed |= prerequisite_closure(ident, inits)
    no_score = () if objective == "pareto" else tuple(
        i for i in inits if i not in blocked and i not in needed)
    ids = [i for i in inits if i not in blocked and i not in no_score]
    pos = {i: k for k, i in enumerate(ids)}
    requires, conflicts, exclude_pos = [], set(), []
    for i in ids:
        for p in inits[i].prerequisites:
            if p in pos:
                requires.append((pos[i], pos[p]))
            else:  # its prerequisite cannot be chosen, so neither can it
                exclude_pos.append(pos[i])
        for rel in inits[i].conflicts:
            if rel.id in pos:
                conflicts.add((min(pos[i], pos[rel.id]), max(pos[i], pos[rel.id])))
    return _Problem(
        ids=ids, scores=score.reindex(ids).to_numpy(dtype=float),
        costs=np.array([cost[i] for i in ids], dtype=float), requires=requires,
        conflicts=sorted(conflicts), must=[pos[i] for i in must_ids],
        exclude=exclude_pos, left_out_unknown_cost=tuple(i for i in unknown),
        left_out_no_score=no_score, assumptions=assumptions, table=table,
        objective=objective, left_out_no_model=no_model,
    )


def _solve(problem: _Problem, budget: float, cuts: Sequence[set[int]] = ()) -> list[int] | None:
    values = problem.scores
    if problem.objective == "npv" and values.size:  # normalised: the solver's gap is absolute
        values = values / max(1.0, float(np.abs(values).max()))
    solver = solve_ratio if problem.objective == "score-per-cost" else solve_selection
    x = solver(values, problem.costs, budget, requires=problem.requires,
               conflicts=problem.conflicts, must=problem.must,
               exclude=problem.exclude, cuts=cuts)
    if x is None:
        return None
    return [problem.ids[k] for k in np.flatnonzero(x)]


@dataclass(frozen=True)
class OptimiseResult:
    """The optimiser's answer; :meth:`to_dict` gives the JSON of ``bundle optimise``.

    ``objective`` is what the MILP maximised: ``npv`` (sum of the members' NPVs, each an
    increment over its prerequisites), ``score`` (sum of member scores) or ``score-per-cost``
    (sum of scores over sum of costs). ``candidates`` lists the best bundles, each re-evaluated
    with the network/demand model as one scenario (``npv_bundle_mdkk``: the bundle's own CBA;
    the synergy), in final order; ``binding`` names the constraints that stop the best bundle
    from taking more; ``pareto`` the front (when asked for): over cost, NPV, CO2 and score with
    the network, over cost and score without it.
    """

    budget_mdkk: float
    selected: tuple[int, ...]
    selected_names: tuple[str, ...]
    cost_mdkk: float
    score: float
    score_with_synergy: float | None
    person_minutes_saved_per_day: float | None
    synergy_person_minutes: float | None
    must: tuple[int, ...]
    exclude: tuple[int, ...]
    cost_assumptions_mdkk: dict[int, float]
    left_out_unknown_cost: tuple[int, ...]
    left_out_no_score: tuple[int, ...]
    network_used: bool
    candidates: pd.DataFrame = field(repr=False, compare=False)
    pareto: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    objective: str = "score"
    npv_mdkk: float | None = None
    sum_of_singles_npv_mdkk: float | None = None
    left_out_no_model: tuple[int, ...] = ()
    binding: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types. Keys: ``objective, budget_mdkk, selected, selected_names,
        cost_mdkk, npv_mdkk, sum_of_singles_npv_mdkk, score, score_with_synergy,
        person_minutes_saved_per_day, synergy_person_minutes, binding, must, exclude,
        cost_assumptions_mdkk, left_out_unknown_cost, left_out_no_model, left_out_no_score,
        network_used, candidates, pareto`` (null unless asked for)."""
        out = {k: getattr(self, k) for k in (
            "objective", "budget_mdkk", "selected", "selected_names", "cost_mdkk", "npv_mdkk",
            "sum_of_singles_npv_mdkk", "score", "score_with_synergy",
            "person_minutes_saved_per_day", "synergy_person_minutes", "binding", "must",
            "exclude", "cost_assumptions_mdkk", "left_out_unknown_cost", "left_out_no_model",
            "left_out_no_score", "network_used", "candidates", "pareto",
        )}
        return jsonable(out)  # type: ignore[no-any-return]


def _synergy_score(synergy_pm: float, weights: Mapping[str, float], method: str) -> float:
    """Score value of a synergy: accessibility stars it is worth times the weight share."""
    share = weights["accessibility"] / sum(weights.values())
    value = share * synergy_pm / settings.SYNERGY_PERSON_MINUTES_PER_STAR
    return value / 5.0 if method == "topsis" else value


def binding_constraints(problem: _Problem, selected: Iterable[int], budget: float,
                        inits: Mapping[int, Initiative]) -> tuple[str, ...]:
    """The constraints that keep a worthwhile item out of the selection.

    For every eligible item not selected whose value is positive: ``budget`` if it (with its
    missing prerequisites) costs more than the money left; ``conflict A-B`` if it conflicts with
    a selected item. Empty when no item of positive value is left out: then the objective, not
    a constraint, stops the selection (with ``npv``: every item left out loses money).
    """
    sel = set(selected)
    value = dict(zip(problem.ids, problem.scores, strict=True))
    cost = dict(zip(problem.ids, problem.costs, strict=True))
    left = budget - sum(cost[i] for i in sel if i in cost)
    out: list[str] = []
    for i in problem.ids:
        if i in sel or value[i] <= 0:
            continue
        clash = [r.id for r in inits[i].conflicts if r.id in sel]
        if clash:
            out.extend(f"conflict {min(i, c)}-{max(i, c)}" for c in clash)
            continue
        need = [p for p in prerequisite_closure(i, inits) if p not in sel]
        extra = sum(cost.get(p, math.inf) for p in need)
        if extra > left:
            out.append("budget")
    return tuple(dict.fromkeys(out))


def optimise_bundle(
    budget_mdkk: float, *, must: Iterable[int] = (), exclude: Iterable[int] = (),
    initiatives: InitiativesArg = None, weights: WeightsArg = "equal",
    stars: str = "catalogue", method: str = "weighted",
    cost_assumptions_mdkk: Mapping[int, float] | None = None, top: int | None = None,
    network: NetworkArg = True, pareto: bool = False, progress: bool = False,
    objective: str = "npv", rule: str | None = None,
) -> OptimiseResult:
    """The best bundle under a budget, re-evaluated with the network/demand model.

    Parameters
    ----------
    budget_mdkk : float
        Budget in million DKK (>= 0).
    must, exclude : iterable of int
        Ids that must be in / out. A must-include brings its prerequisites.
    initiatives : mapping, optional
        Initiatives by id; default the shipped catalogue.
    weights, stars, method, rule
        Scoring, as in :func:`~mobility.appraisal.score_initiatives`.
    cost_assumptions_mdkk : mapping, optional
        Assumed costs (million DKK) for initiatives whose cost is unknown (or to override one).
    top : int, optional
        Number of best bundles re-evaluated with the network; default
        :data:`mobility.settings.OPTIMISER_TOP_CANDIDATES`.
    network : bool or callable
        The network engine, none (rank by the MILP objective only), or an evaluator.
    pareto : bool
        Also compute the Pareto front (:func:`pareto_front_multi` with the network,
        :func:`pareto_front` without).
    progress : bool
        Show a progress bar while re-evaluating candidates.
    objective : {"npv", "score", "score-per-cost"}
        What to maximise (default ``npv``: needs the network/demand model).

    Returns
    -------
    OptimiseResult

    Raises
    ------
    BundleError
        Negative budget, unknown ids, an id both in and out, a must-include with an unknown
        cost (no assumption), ``npv`` without the network, or no bundle satisfies the
        constraints.
    """
    if objective not in OBJECTIVES:
        msg = f"unknown objective {objective!r}; choose one of {', '.join(OBJECTIVES)}"
        raise BundleError.from_issues([Issue(_WHERE, "objective", msg)], "cannot optimise")
    inits = resolve_initiatives(initiatives)
    w = load_weights(weights)
    effects = effects_for(network, inits)
    if effects is not None:
        effects.prefetch(effects.single_sets(inits))
    table = score_initiatives(inits, weights=w, stars=stars, method=method, network=False,
                              effects=effects, rule=rule)
    if objective == "npv" and effects is None:
        _build(inits, budget=float(budget_mdkk), must=must, exclude=exclude,  # input errors first
               cost_assumptions_mdkk=cost_assumptions_mdkk, table=table, objective="score")
        msg = ("the npv objective needs the network/demand model; use --network, or "
               "--objective score")
        raise BundleError.from_issues([Issue(_WHERE, "objective", msg)], "cannot optimise")
    problem = _build(inits, budget=float(budget_mdkk), must=must, exclude=exclude,
                     cost_assumptions_mdkk=cost_assumptions_mdkk, table=table,
                     objective=objective)
    n_top = settings.OPTIMISER_TOP_CANDIDATES if top is None else int(top)
    found: list[list[int]] = []
    cuts: list[set[int]] = []
    pos = {i: k for k, i in enumerate(problem.ids)}
    for _ in range(max(1, n_top)):
        sel = _solve(problem, float(budget_mdkk), cuts)
        if sel is None or (not sel and found):  # the empty bundle only if nothing else fits
            break
        found.append(sel)
        cuts.append({pos[i] for i in sel})
    if not found:
        msg = (f"no bundle within {budget_mdkk:g} million DKK satisfies the constraints "
               f"(must-include {ids_text(must) or 'none'})")
        raise BundleError.from_issues([Issue(_WHERE, "budget_mdkk", msg)], "cannot optimise")
    if effects is not None:
        effects.prefetch(found)
    cost_of = dict(zip(problem.ids, problem.costs, strict=True))
    npv_of = table["npv_mdkk"].astype(float)
    rows = []
    with progress_bar(len(found), "Evaluating candidate bundles", enabled=progress) as advance:
        for k, sel in enumerate(found, start=1):
            cost = float(sum(cost_of[i] for i in sel))
            score = float(table.loc[sel, "score"].fillna(0).clip(lower=0).sum())
            singles_npv = float(npv_of.reindex(sel).sum()) if sel else 0.0
            row: dict[str, Any] = {
                "candidate": k, "selected": ids_text(sel), "n_selected": len(sel),
                "cost_mdkk": cost, "score": score,
                "score_per_bn_dkk": score / (cost / 1000.0) if cost > 0 else np.nan,
                "sum_of_singles_npv_mdkk": singles_npv if effects is not None else np.nan,
                "npv_bundle_mdkk": np.nan, "co2_reduction_t_per_year": np.nan,
                "person_minutes_saved_per_day": np.nan,
                "sum_of_singles_person_minutes": np.nan, "synergy_person_minutes": np.nan,
                "synergy_score": np.nan, "score_with_synergy": np.nan,
            }
            if effects is not None and sel:
                whole = effects.effect(sel)
                singles = [effects.single(i).person_minutes for i in sel
                           if i not in whole.excluded]
                if whole.person_minutes is not None:
                    total = float(sum(s for s in singles if s is not None))
                    syn = whole.person_minutes - total
                    row.update(person_minutes_saved_per_day=whole.person_minutes,
                               sum_of_singles_person_minutes=total, synergy_person_minutes=syn,
                               synergy_score=_synergy_score(syn, w, method))
                res = cba_ids(sel, initiatives=inits, network=False, effects=effects,
                              cost_assumptions_mdkk=problem.assumptions)
                if res.npv_mdkk is not None:
                    row["npv_bundle_mdkk"] = res.npv_mdkk
                    row["co2_reduction_t_per_year"] = -res.co2_t_per_year_change
            row["score_with_synergy"] = row["score"] + (
                0.0 if np.isnan(row["synergy_score"]) else row["synergy_score"])
            rows.append(row)
            advance()
    cands = pd.DataFrame(rows)
    if objective == "npv":
        cands["_key"] = cands["npv_bundle_mdkk"].fillna(cands["sum_of_singles_npv_mdkk"])
    elif objective == "score-per-cost":
        base = cands["score_with_synergy"] if effects is not None else cands["score"]
        cands["_key"] = base / cands["cost_mdkk"].where(cands["cost_mdkk"] > 0)
    else:
        key = "score_with_synergy" if effects is not None else "score"
        cands["_key"] = cands[key]
    cands = cands.sort_values(["_key", "score", "cost_mdkk", "candidate"],
                              ascending=[False, False, True, True], kind="stable")
    cands = cands.drop(columns="_key")
    cands.insert(0, "final_rank", range(1, len(cands) + 1))
    cands = cands.reset_index(drop=True)
    best = cands.iloc[0]
    selected = tuple(int(i) for i in best["selected"].split(";")) if best["selected"] else ()
    front = None
    if pareto:
        if effects is not None:
            every = _build(inits, budget=float(budget_mdkk), must=must, exclude=exclude,
                           cost_assumptions_mdkk=cost_assumptions_mdkk, table=table,
                           objective="pareto")
            front = pareto_front_multi(every, table, inits, float(budget_mdkk))
        else:
            front = pareto_front(initiatives=inits, weights=w, stars=stars, method=method,
                                 must=must, exclude=exclude,
                                 cost_assumptions_mdkk=cost_assumptions_mdkk, _table=table)
    return OptimiseResult(
        budget_mdkk=float(budget_mdkk), selected=selected,
        selected_names=tuple(inits[i].name for i in selected),
        cost_mdkk=float(best["cost_mdkk"]), score=float(best["score"]),
        score_with_synergy=float(best["score_with_synergy"]) if effects is not None else None,
        person_minutes_saved_per_day=_num(best["person_minutes_saved_per_day"]),
        synergy_person_minutes=_num(best["synergy_person_minutes"]),
        must=tuple(int(i) for i in must), exclude=tuple(int(i) for i in exclude),
        cost_assumptions_mdkk=problem.assumptions,
        left_out_unknown_cost=problem.left_out_unknown_cost,
        left_out_no_score=problem.left_out_no_score, network_used=effects is not None,
        candidates=cands, pareto=front, objective=objective,
        npv_mdkk=_num(best["npv_bundle_mdkk"]),
        sum_of_singles_npv_mdkk=_num(best["sum_of_singles_npv_mdkk"]),
        left_out_no_model=problem.left_out_no_model,
        binding=binding_constraints(problem, selected, float(budget_mdkk), inits),
    )


def pareto_front_multi(problem: _Problem, table: pd.DataFrame,
                       inits: Mapping[int, Initiative], max_budget: float,
                       n_budgets: int = 12) -> pd.DataFrame:
    """Bundles on the Pareto front over cost (min), NPV, CO2 reduction and score (max).

    Candidates are the exact optima of weighted sums of the normalised NPV, CO2 reduction and
    score (the supported points of the front; weights on a simplex grid) at ``n_budgets``
    budgets up to ``max_budget``, plus the cost-score front; the dominated ones are dropped.
    Values are the sums of the singles' (the MILP's view); the chosen bundle is re-evaluated
    as one scenario by :func:`optimise_bundle`.

    Returns
    -------
    pandas.DataFrame
        Cheapest first: ``cost_mdkk, npv_mdkk, co2_reduction_t_per_year, score, n_selected,
        selected``.
    """
    ids = problem.ids
    npv = table["npv_mdkk"].reindex(ids).astype(float).fillna(0.0).to_numpy()
    co2 = table["co2_reduction_t_per_year"].reindex(ids).astype(float).fillna(0.0).to_numpy()
    score = table["score"].reindex(ids).astype(float).fillna(0.0).clip(lower=0).to_numpy()

    def norm(v: np.ndarray) -> np.ndarray:
        m = float(np.abs(v).max()) if v.size else 0.0
        return v / m if m > 0 else v

    objs = [norm(npv), norm(co2), norm(score)]
    grid = [(a, b, 4 - a - b) for a in range(5) for b in range(5 - a)]
    seen: dict[tuple[int, ...], None] = {}
    for budget in np.linspace(max_budget / n_budgets, max_budget, n_budgets):
        for a, b, c in grid:
            values = (a * objs[0] + b * objs[1] + c * objs[2]) / 4.0
            x = solve_selection(values, problem.costs, float(budget), requires=problem.requires,
                                conflicts=problem.conflicts, must=problem.must,
                                exclude=problem.exclude)
            if x is not None:
                seen[tuple(int(k) for k in np.flatnonzero(x))] = None
    rows = []
    for sel in seen:
        idx = list(sel)
        rows.append({"cost_mdkk": float(problem.costs[idx].sum()),
                     "npv_mdkk": float(npv[idx].sum()), "co2_reduction_t_per_year":
                     float(co2[idx].sum()), "score": float(score[idx].sum()),
                     "n_selected": len(idx), "selected": ids_text(ids[k] for k in idx)})
    front = pd.DataFrame(rows, columns=["cost_mdkk", "npv_mdkk", "co2_reduction_t_per_year",
                                        "score", "n_selected", "selected"])
    vals = np.array(front[["cost_mdkk", "npv_mdkk", "co2_reduction_t_per_year", "score"]],
                    dtype=float)
    vals[:, 0] = -vals[:, 0]
    keep = []
    for i in range(len(vals)):
        dominated = np.any(np.all(vals >= vals[i] - 1e-9, axis=1)
                           & np.any(vals > vals[i] + 1e-9, axis=1))
        keep.append(not dominated)
    return front[keep].sort_values(["cost_mdkk", "npv_mdkk"]).reset_index(drop=True)


def _num(value: Any) -> float | None:
    return None if value is None or np.isnan(value) else float(value)


def pareto_front(
    *, initiatives: InitiativesArg = None, weights: WeightsArg = "equal",
    stars: str = "catalogue", method: str = "weighted", must: Iterable[int] = (),
    exclude: Iterable[int] = (), cost_assumptions_mdkk: Mapping[int, float] | None = None,
    network: NetworkArg = False, max_budget_mdkk: float | None = None,
    _table: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The exact cost-score Pareto front over all budgets.

    Swept downward from the full cost (or ``max_budget_mdkk``): solve for the best bundle at
    budget ``B``, record it, set ``B`` just below its cost, repeat until nothing (beyond the
    must-includes) fits. Each point is the highest score for its cost and the cheapest bundle
    with that score. Scores as in :func:`optimise_bundle` (no network re-evaluation; ``network``
    is only needed for model or blended stars).

    Returns
    -------
    pandas.DataFrame
        One row per Pareto-optimal bundle, cheapest first: ``cost_mdkk``, ``score``,
        ``n_selected``, ``selected`` (``;``-joined ids), ``score_per_bn_dkk``.
    """
    inits = resolve_initiatives(initiatives)
    if _table is None:
        effects = effects_for(network, inits)
        _table = score_initiatives(inits, weights=weights, stars=stars, method=method,
                                   network=False, effects=effects)
    problem = _build(inits, budget=max_budget_mdkk, must=must, exclude=exclude,
                     cost_assumptions_mdkk=cost_assumptions_mdkk, table=_table)
    budget = float(problem.costs.sum()) if max_budget_mdkk is None else float(max_budget_mdkk)
    cost_of = dict(zip(problem.ids, problem.costs, strict=True))
    score_of = dict(zip(problem.ids, problem.scores, strict=True))
    rows = []
    last_cost = math.inf
    for _ in range(10_000):
        sel = _solve(problem, budget)
        if sel is None:
            break
        cost = float(sum(cost_of[i] for i in sel))
        if cost >= last_cost:  # solver tolerance: step further down
            budget = last_cost - max(1e-3, 1e-6 * last_cost)
            continue
        rows.append({"cost_mdkk": cost, "score": float(sum(score_of[i] for i in sel)),
                     "n_selected": len(sel), "selected": ids_text(sel)})
        last_cost = cost
        if cost <= 0:
            break
        budget = cost - max(1e-6, 1e-9 * cost)
    front = pd.DataFrame(rows, columns=["cost_mdkk", "score", "n_selected", "selected"])
    front = front.iloc[::-1].reset_index(drop=True)
    # drop points another point dominates (equal score at a lower cost, within solver tolerance)
    best_before = front["score"].cummax().shift(fill_value=-math.inf)
    front = front[front["score"] > best_before + 1e-9].reset_index(drop=True)
    front["score_per_bn_dkk"] = front["score"] / (front["cost_mdkk"].where(front["cost_mdkk"] > 0)
                                                  / 1000.0)
    return front
