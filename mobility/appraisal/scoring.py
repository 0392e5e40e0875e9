"""Scores: weighted aggregation or TOPSIS over the six indicators, cost-effectiveness, payback.

Both methods work on arrays with any number of leading dimensions (the robustness runs use a
leading run axis). A not-assessable rating is NaN; the rule in
:data:`mobility.settings.NOT_ASSESSABLE_RULE` (``--missing``) decides what happens to it:

- ``"mean"`` (default): the indicator's mean over the initiatives assessed on it (an unknown
  counts as average: it neither beats a bad rating nor loses to one);
- ``"zero"``: 0 stars (an unknown counts as the worst);
- ``"exclude"``: left out, the weights renormalised over the assessed indicators (the old
  default; it lets missing data beat bad data). ``"renormalise"`` is an alias.

Equal scores share a rank (``rank`` 1, 1, 3; ``tied`` marks them).

Examples
--------
>>> from mobility.appraisal import score_initiatives
>>> table = score_initiatives(network=False)
>>> list(table.columns[:7])
['rank', 'id', 'name', 'score', 'coverage', 'cost_mdkk', 'score_per_bn_dkk']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import settings
from ..schema import INDICATOR_KEYS
from ._network import NetworkArg, NetworkEffects, effects_for
from ._util import InitiativesArg, resolve_initiatives
from .indicators import (
    MODEL_INDICATORS,
    MODEL_VALUE_COLUMNS,
    carbon_payback,
    model_values,
    star_frame,
)
from .weights import WeightsArg, load_weights, weights_label

__all__ = ["METHODS", "NOT_ASSESSABLE_RULES", "aggregate", "rank_scores", "score_initiatives"]

#: Aggregation methods accepted by ``method=``.
METHODS: tuple[str, ...] = ("weighted", "topsis")
#: Rules for not-assessable ratings accepted by ``rule=`` (CLI ``--missing``).
NOT_ASSESSABLE_RULES: tuple[str, ...] = ("mean", "zero", "exclude")
#: Old names of the rules.
_RULE_ALIASES: dict[str, str] = {"renormalise": "exclude"}

#: Scores are rounded to this many decimals before ranking, so that floating-point noise never
#: reorders equal scores.
_RANK_DECIMALS = 9


def _check_rule(rule: str | None) -> str:
    rule = settings.NOT_ASSESSABLE_RULE if rule is None else rule
    rule = _RULE_ALIASES.get(rule, rule)
    if rule not in NOT_ASSESSABLE_RULES:
        choices = ", ".join(NOT_ASSESSABLE_RULES)
        msg = f"unknown not-assessable rule {rule!r}; choose one of {choices}"
        raise ValueError(msg)
    return rule


def _prepare(stars: np.ndarray, rule: str) -> tuple[np.ndarray, np.ndarray]:
    """Stars with NaN filled (by 0, or by the indicator's mean over the assessed initiatives),
    and the mask of ratings that count (1.0 / 0.0)."""
    assessed = ~np.isnan(stars)
    if rule == "mean":
        count = assessed.sum(axis=-2, keepdims=True)
        total = np.where(assessed, stars, 0.0).sum(axis=-2, keepdims=True)
        mean = np.divide(total, count, out=np.zeros_like(total), where=count > 0)
        filled = np.where(assessed, stars, mean)
        # an indicator nobody is assessed on is left out for all
        mask = np.broadcast_to(count > 0, stars.shape).astype(float)
        return filled, mask
    filled = np.where(assessed, stars, 0.0)
    mask = assessed.astype(float) if rule == "exclude" else np.ones_like(filled)
    return filled, mask


def _weighted(stars: np.ndarray, mask: np.ndarray, w: np.ndarray) -> np.ndarray:
    wb = w[..., None, :]
    num = np.sum(wb * stars * mask, axis=-1)
    den = np.sum(wb * mask, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def _topsis(stars: np.ndarray, mask: np.ndarray, w: np.ndarray) -> np.ndarray:
    # vector normalisation per indicator over the ratings that count
    norm = np.sqrt(np.sum(mask * stars**2, axis=-2, keepdims=True))
    r = np.divide(stars, norm, out=np.zeros_like(stars), where=norm > 0)
    big = np.where(mask > 0, r, -np.inf).max(axis=-2, keepdims=True)
    small = np.where(mask > 0, r, np.inf).min(axis=-2, keepdims=True)
    best = np.where(np.isfinite(big), big, 0.0)
    worst = np.where(np.isfinite(small), small, 0.0)
    # weights renormalised per initiative over its ratings that count
    wm = w[..., None, :] * mask
    total = wm.sum(axis=-1, keepdims=True)
    wn = np.divide(wm, total, out=np.zeros_like(wm), where=total > 0)
    d_best = np.sqrt(np.sum((wn * (best - r)) ** 2, axis=-1))
    d_worst = np.sqrt(np.sum((wn * (r - worst)) ** 2, axis=-1))
    span = d_best + d_worst
    closeness = np.divide(d_worst, span, out=np.full_like(span, 0.5), where=span > 0)
    return np.where(total[..., 0] > 0, closeness, np.nan)


def aggregate(
    stars: np.ndarray, weights: np.ndarray, *, method: str = "weighted", rule: str | None = None,
) -> np.ndarray:
    """Aggregate stars into scores.

    Parameters
    ----------
    stars : ndarray, shape (..., n, 6)
        Stars per initiative and indicator; NaN = not assessable.
    weights : ndarray, shape (..., 6)
        Non-negative weights (only ratios matter).
    method : {"weighted", "topsis"}
        ``"weighted"``: the weighted mean of the stars (0-5). ``"topsis"``: closeness to the
        ideal initiative (0-1) after vector normalisation per indicator.
    rule : {"mean", "zero", "exclude"}, optional
        Not-assessable rule; default :data:`mobility.settings.NOT_ASSESSABLE_RULE`.

    Returns
    -------
    ndarray, shape (..., n)
        Scores; NaN where no weighted indicator is assessed.
    """
    if method not in METHODS:
        msg = f"unknown method {method!r}; choose one of {', '.join(METHODS)}"
        raise ValueError(msg)
    filled, mask = _prepare(np.asarray(stars, dtype=float), _check_rule(rule))
    w = np.asarray(weights, dtype=float)
    return _weighted(filled, mask, w) if method == "weighted" else _topsis(filled, mask, w)


def rank_scores(
    scores: np.ndarray, ids: np.ndarray, demote: np.ndarray | None = None,
) -> np.ndarray:
    """Ranks 1..n by score (highest first), ties by id, NaN scores last.

    ``scores`` has shape (..., n); the ranks have the same shape. Items where ``demote`` (shape
    (n,)) is True are ranked after all the others (see
    :data:`mobility.settings.RANK_MIN_COVERAGE`).
    """
    key = np.round(np.nan_to_num(np.asarray(scores, dtype=float), nan=-np.inf), _RANK_DECIMALS)
    by_id = np.argsort(ids, kind="stable")
    order = by_id[np.argsort(-key[..., by_id], axis=-1, kind="stable")]
    if demote is not None and np.any(demote):
        late = np.asarray(demote, dtype=bool)[order]
        order = np.take_along_axis(order, np.argsort(late, axis=-1, kind="stable"), axis=-1)
    ranks = np.empty(order.shape, dtype=int)
    np.put_along_axis(ranks, order, np.arange(1, len(ids) + 1), axis=-1)
    return ranks


def tie_ranks(scores: np.ndarray, positions: np.ndarray,
              demote: np.ndarray | None = None) -> np.ndarray:
    """Competition ranks (1, 1, 3) for one ranking: equal scores (to
    :data:`_RANK_DECIMALS` decimals) in the same coverage group share the best position."""
    key = np.round(np.nan_to_num(np.asarray(scores, dtype=float), nan=-np.inf), _RANK_DECIMALS)
    group = np.zeros(len(key), dtype=bool) if demote is None else np.asarray(demote, dtype=bool)
    out = np.asarray(positions, dtype=int).copy()
    for k in range(len(key)):
        same = (key == key[k]) & (group == group[k])
        out[k] = int(np.min(positions[same]))
    return out


def score_initiatives(
    initiatives: InitiativesArg = None, *, weights: WeightsArg = "equal",
    stars: str = "catalogue", method: str = "weighted", network: NetworkArg = True,
    rule: str | None = None, effects: NetworkEffects | None = None,
) -> pd.DataFrame:
    """Score and rank every initiative.

    Parameters
    ----------
    initiatives : mapping, optional
        Initiatives by id; default the shipped catalogue.
    weights : str, path or mapping
        See :func:`~mobility.appraisal.load_weights`.
    stars : {"catalogue", "model", "blend"}
        Star source, see :func:`~mobility.appraisal.indicators.star_frame`.
    method : {"weighted", "topsis"}
        Aggregation, see :func:`aggregate`.
    network : bool or callable
        The network engine (``True``), none (``False``: model columns missing; not allowed with
        model or blended stars), or an evaluator with its contract.
    rule : {"mean", "zero", "exclude"}, optional
        Not-assessable rule (CLI ``--missing``); default
        :data:`mobility.settings.NOT_ASSESSABLE_RULE`.
    effects : NetworkEffects, optional
        An evaluation cache to reuse (overrides ``network``).

    Returns
    -------
    pandas.DataFrame
        Indexed by id, sorted by rank. Columns: ``rank`` (1 = best; equal scores share a rank
        and are marked ``tied``, listed by id; initiatives
        with fewer than :data:`~mobility.settings.RANK_MIN_COVERAGE` assessed indicators last),
        ``id``,
        ``name``, ``score`` (weighted: 0-5 stars; TOPSIS: 0-1), ``coverage`` ("4 of 6":
        assessed among the indicators with a positive weight), ``cost_mdkk`` (missing =
        unknown), ``score_per_bn_dkk`` (score per billion DKK, only where the cost is known and
        positive), ``name_en``, ``theme``, ``coverage_n``, ``low_coverage`` (ranked after the
        others: never shown as the best), ``tied``, ``carbon_payback_years`` (and
        ``_min``/``_max``), ``co2_operation_reduction_t_per_year``, ``stars_<indicator>`` for
        the six indicators (the stars used), ``inferred`` (the inferred indicators used,
        ``;``-joined), ``person_minutes_saved_per_day``, ``municipalities_gaining_n``, ``bcr``,
        ``npv_mdkk``, ``irr_pct``, ``co2_reduction_t_per_year`` (the model's CBA and effects)
        and ``network_excluded`` (model values; missing without the network). ``attrs`` holds
        ``weights``, ``weights_name``, ``stars``, ``method`` and ``rule``.

    Raises
    ------
    WeightsError
        Invalid weights.
    ValueError
        Unknown star source, method or rule; model or blended stars without a network.
    """
    inits = resolve_initiatives(initiatives)
    w = load_weights(weights)
    rule = _check_rule(rule)
    if method not in METHODS:
        msg = f"unknown method {method!r}; choose one of {', '.join(METHODS)}"
        raise ValueError(msg)
    effects = effects_for(network, inits, effects)
    model = model_values(inits, network=False, effects=effects)
    if effects is None and stars != "catalogue":
        msg = f"stars={stars!r} needs the network engine (network=True or an evaluator)"
        raise ValueError(msg)
    used = star_frame(inits, stars, model if effects is not None else None)
    ids = np.array(list(inits), dtype=int)
    wvec = np.array([w[k] for k in INDICATOR_KEYS])
    scores = aggregate(used.to_numpy(), wvec, method=method, rule=rule)
    weighted = wvec > 0
    coverage_n = (used.notna().to_numpy() & weighted).sum(axis=1)
    out = pd.DataFrame(index=ids)
    demote = coverage_n < settings.RANK_MIN_COVERAGE
    positions = rank_scores(scores, ids, demote)
    out["rank"] = tie_ranks(scores, positions, demote)
    out["id"] = ids
    out["name"] = [inits[i].name for i in ids]
    out["score"] = scores
    out["coverage"] = [f"{n} of {int(weighted.sum())}" for n in coverage_n]
    cost = pd.Series([inits[i].cost_mdkk for i in ids], index=ids, dtype=float)
    out["cost_mdkk"] = cost
    out["score_per_bn_dkk"] = out["score"] / (cost.where(cost > 0) / 1000.0)
    out["name_en"] = [inits[i].name_en for i in ids]
    out["theme"] = [inits[i].theme for i in ids]
    out["coverage_n"] = coverage_n
    out["low_coverage"] = demote
    out["tied"] = pd.Series(out["rank"]).duplicated(keep=False).to_numpy()
    payback = carbon_payback(inits)
    out = out.join(payback[["carbon_payback_years", "carbon_payback_years_min",
                            "carbon_payback_years_max", "co2_operation_reduction_t_per_year"]])
    for key in INDICATOR_KEYS:
        out[f"stars_{key}"] = used[key].reindex(ids)
    from_model = set(MODEL_INDICATORS) if stars != "catalogue" else set()
    out["inferred"] = [
        ";".join(k for k in inits[i].inferred_ratings
                 if not (k in from_model and not np.isnan(model.at[i, MODEL_VALUE_COLUMNS[k]])))
        for i in ids
    ]
    for col in ("person_minutes_saved_per_day", "municipalities_gaining_n", "bcr",
                "npv_mdkk", "irr_pct", "co2_reduction_t_per_year", "network_excluded"):
        out[col] = model[col].reindex(ids)
    out["_pos"] = positions
    out = out.sort_values("_pos", kind="stable").drop(columns="_pos")
    out.attrs = {"weights": w, "weights_name": weights_label(weights), "stars": stars,
                 "method": method, "rule": rule}
    return out

