"""Robustness: Monte Carlo over weights and inferred ratings; probability of the top k, rank
intervals.

Each run draws (1) weights ``w_j * exp(sigma * z_j)`` with ``z_j ~ N(0, 1)``
(:data:`~mobility.settings.ROBUSTNESS_WEIGHT_SIGMA`), around the chosen weights, and (2) for
every inferred rating a shift of ``-spread..+spread`` whole stars
(:data:`~mobility.settings.ROBUSTNESS_INFERRED_STAR_SPREAD`), clipped to 0-5; exact ratings
and not-assessable ones stay. The runs are vectorised in chunks; a given seed gives the same
answer whatever the chunk size.

Examples
--------
>>> from mobility.appraisal import robustness
>>> table = robustness(runs=200, seed=1, top_k=5, network=False)
>>> float(table["p_top_k"].sum())
5.0
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import settings
from ..schema import INDICATOR_KEYS
from ._network import NetworkArg, effects_for
from ._util import InitiativesArg, progress_bar, resolve_initiatives
from .scoring import aggregate, rank_scores, score_initiatives
from .weights import WeightsArg, load_weights

__all__ = ["robustness"]

_CHUNK = 2_000


def robustness(
    initiatives: InitiativesArg = None, *, runs: int | None = None,
    seed: int | None = None, top_k: int | None = None, weights: WeightsArg = "equal",
    stars: str = "catalogue", method: str = "weighted", network: NetworkArg = False,
    progress: bool = False,
) -> pd.DataFrame:
    """How stable the ranking is when the weights and the inferred ratings vary.

    Parameters
    ----------
    initiatives : mapping, optional
        Initiatives by id; default the shipped catalogue.
    runs, seed, top_k : int, optional
        Defaults :data:`mobility.settings.ROBUSTNESS_RUNS`, ``ROBUSTNESS_SEED``,
        ``ROBUSTNESS_TOP_K``.
    weights, stars, method
        The chosen scoring, around which the runs vary (see
        :func:`~mobility.appraisal.score_initiatives`).
    network : bool or callable
        Needed only for model or blended stars (default False).
    progress : bool
        Show a progress bar.

    Returns
    -------
    pandas.DataFrame
        Indexed by id, most robust first: ``id``, ``name``, ``base_rank``, ``base_score``,
        ``p_top_k`` (share of runs in the top k), ``rank_median``, ``rank_low`` and
        ``rank_high`` (the interval of
        :data:`~mobility.settings.ROBUSTNESS_RANK_INTERVAL_PCT`), ``rank_min``,
        ``rank_max``, ``n_inferred`` (inferred ratings that varied). ``attrs`` holds runs,
        seed, top_k, weights and the perturbation sizes.
    """
    inits = resolve_initiatives(initiatives)
    runs = settings.ROBUSTNESS_RUNS if runs is None else int(runs)
    seed = settings.ROBUSTNESS_SEED if seed is None else int(seed)
    top_k = settings.ROBUSTNESS_TOP_K if top_k is None else int(top_k)
    if runs < 1:
        msg = f"runs must be at least 1, got {runs}"
        raise ValueError(msg)
    if top_k < 1:
        msg = f"top k must be at least 1, got {top_k}"
        raise ValueError(msg)
    w = load_weights(weights)
    effects = effects_for(network, inits)
    base = score_initiatives(inits, weights=w, stars=stars, method=method, network=False,
                             effects=effects)
    ids = np.array(list(inits), dtype=int)
    stars0 = base.loc[ids, [f"stars_{k}" for k in INDICATOR_KEYS]].to_numpy(dtype=float)
    used_inferred = base.loc[ids, "inferred"]
    # the inferred ratings in use (model stars replace some with stars="model")
    vary = np.array([[k in str(used_inferred[i]).split(";") for k in INDICATOR_KEYS]
                     for i in ids]) & ~np.isnan(stars0)
    w0 = np.array([w[k] for k in INDICATOR_KEYS])
    demote = base.loc[ids, "coverage_n"].to_numpy() < settings.RANK_MIN_COVERAGE
    sigma = settings.ROBUSTNESS_WEIGHT_SIGMA
    spread = settings.ROBUSTNESS_INFERRED_STAR_SPREAD
    rng = np.random.default_rng(seed)
    n = len(ids)
    all_ranks = np.empty((runs, n), dtype=np.int32)
    done = 0
    with progress_bar(runs, "Robustness runs", enabled=progress) as advance:
        while done < runs:
            m = min(_CHUNK, runs - done)
            wr = w0 * np.exp(sigma * rng.standard_normal((m, w0.size)))
            shift = rng.integers(-spread, spread + 1, size=(m, n, w0.size))
            sr = np.where(vary, np.clip(stars0 + shift, 0, 5), stars0)
            scores = aggregate(sr, wr, method=method, rule=base.attrs["rule"])
            all_ranks[done:done + m] = rank_scores(scores, ids, demote)
            done += m
            advance(m)
    lo_pct, hi_pct = settings.ROBUSTNESS_RANK_INTERVAL_PCT
    out = pd.DataFrame(index=ids)
    out["id"] = ids
    out["name"] = [inits[i].name for i in ids]
    out["base_rank"] = base.loc[ids, "rank"].to_numpy()
    out["base_score"] = base.loc[ids, "score"].to_numpy()
    out["p_top_k"] = (all_ranks <= top_k).mean(axis=0)
    out["rank_median"] = np.median(all_ranks, axis=0)
    out["rank_low"] = np.percentile(all_ranks, lo_pct, axis=0, method="lower")
    out["rank_high"] = np.percentile(all_ranks, hi_pct, axis=0, method="higher")
    out["rank_min"] = all_ranks.min(axis=0)
    out["rank_max"] = all_ranks.max(axis=0)
    out["n_inferred"] = vary.sum(axis=1)
    out = out.sort_values(["p_top_k", "base_rank"], ascending=[False, True], kind="stable")
    out.attrs = {"runs": runs, "seed": seed, "top_k": top_k, "weights": w, "stars": stars,
                 "method": method, "weight_sigma": sigma, "inferred_star_spread": spread}
    return out
