"""Sensitivity of the CBA: Monte Carlo over the uncertain unit prices and appraisal parameters.

Every value of ``geodata/unit_prices.yaml`` with a low/high range (the assumptions, and the
published values with a documented alternative) is drawn from a triangular distribution
(low, value, high) in each run, independently; so are the construction period and lifetime of
each kind of initiative. The scenario effects (trips, km, minutes) do not depend on these
prices, so they are computed once per initiative and reused: each run is only a CBA.

Model parameters of the demand model (the distance decay of trip distribution, the mode-choice
coefficients) change the network result itself: varying them needs a full scenario re-run per
draw. They are listed in ``attrs["needs_full_rerun"]`` and not varied here.

Examples
--------
>>> from mobility.appraisal.sensitivity import sensitivity
>>> table = sensitivity(network=False, runs=10)
>>> bool(table["p_bcr_above_1"].isna().all())
True
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._effects import _split
from ._network import NetworkArg, NetworkEffects, effects_for
from ._util import InitiativesArg, progress_bar, resolve_initiatives
from .cba import UnitPrices, cba, investment_for, load_unit_prices
from .economics import scenario_effects

__all__ = ["NEEDS_FULL_RERUN", "sensitivity"]

#: Parameters whose variation changes the network/demand result (not varied on cached effects).
NEEDS_FULL_RERUN: tuple[str, ...] = (
    "demand model: distance decay of trip distribution",
    "demand model: mode-choice coefficients (time, cost, constants)",
    "demand model: value of time used in generalised cost (route and mode choice)",
)


def _draw(rng: np.random.Generator, low: float, mode: float, high: float) -> float:
    if high <= low:
        return float(mode)
    mode = min(max(mode, low), high)
    return float(rng.triangular(low, mode, high))


def _draw_prices(rng: np.random.Generator, prices: UnitPrices) -> UnitPrices:
    over: dict[str, float] = {}
    for key, (low, high) in prices.uncertain().items():
        over[key] = _draw(rng, low, float(prices.entries[key]["value"]), high)
    for kind, k in prices.kinds.items():
        if "low" in k and "high" in k:
            over[f"kind.{kind}.construction_years"] = round(
                _draw(rng, k["low"], k["construction_years"], k["high"]))
        if "lifetime_low" in k and "lifetime_high" in k:
            over[f"kind.{kind}.lifetime_years"] = _draw(
                rng, k["lifetime_low"], k["lifetime_years"], k["lifetime_high"])
    return prices.with_overrides(over)


def sensitivity(
    initiatives: InitiativesArg = None, *, network: NetworkArg = True, runs: int = 300,
    seed: int = 20_240, top_k: int = 5, effects: NetworkEffects | None = None,
    prices: UnitPrices | None = None, progress: bool = False,
) -> pd.DataFrame:
    """Monte Carlo over the uncertain unit prices on cached scenario effects.

    Returns
    -------
    pandas.DataFrame
        Indexed by id, by ``p_bcr_above_1`` then base NPV: ``id, name, npv_mdkk`` (central
        prices), ``p_bcr_above_1``, ``npv_p5_mdkk``, ``npv_median_mdkk``, ``npv_p95_mdkk``,
        ``p_top_k`` (share of runs among the ``top_k`` highest NPVs), ``bcr_p5``, ``bcr_p95``.
        Missing where the model cannot appraise the initiative. ``attrs``: ``runs``, ``seed``,
        ``top_k``, ``varied`` (the unit prices drawn), ``needs_full_rerun``,
        ``unit_prices_version``.
    """
    if runs < 1:
        msg = f"runs must be at least 1, got {runs}"
        raise ValueError(msg)
    inits = resolve_initiatives(initiatives)
    prices = load_unit_prices() if prices is None else prices
    effects = effects_for(network, inits, effects)
    cached: dict[int, dict[str, Any]] = {}
    if effects is not None:
        for ident in inits:
            if inits[ident].cost_mdkk is None:
                continue
            eff = scenario_effects([ident], effects, inits, prices, increment=True)
            if eff is not None:
                cached[ident] = eff
    ids = list(inits)
    npv = np.full((runs, len(ids)), np.nan)
    bcr = np.full((runs, len(ids)), np.nan)
    rng = np.random.default_rng(seed)
    with progress_bar(runs, "Sensitivity runs", enabled=progress) as advance:
        for r in range(runs):
            p = _draw_prices(rng, prices)
            for k, ident in enumerate(ids):
                eff = cached.get(ident)
                if eff is None:
                    continue
                if eff.get("source") == "legacy":  # the purpose split is an assumption too
                    eff = {**eff, "minutes_by_purpose": _split(
                        eff["person_minutes_per_day"],
                        {"commute": p.raw("legacy_purpose_share_commute"),
                         "business": p.raw("legacy_purpose_share_business")})}
                res = cba(eff, [investment_for(inits[ident], p)], p, with_irr=False)
                npv[r, k] = np.nan if res.npv_mdkk is None else res.npv_mdkk
                bcr[r, k] = np.nan if res.bcr is None else res.bcr
            advance()
    central = {i: cba(cached[i], [investment_for(inits[i], prices)], prices).npv_mdkk
               for i in cached}
    # rank by NPV in each run among the appraised initiatives
    key = np.where(np.isnan(npv), -np.inf, npv)
    order = np.argsort(-key, axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, len(ids) + 1)[None, :].repeat(runs, 0), axis=1)
    known = ~np.isnan(npv)
    out = pd.DataFrame(index=ids)
    out["id"] = ids
    out["name"] = [inits[i].name for i in ids]
    out["npv_mdkk"] = [central.get(i, np.nan) for i in ids]
    with np.errstate(invalid="ignore"):
        any_known = known.any(axis=0)
        above = np.where(known, (bcr > 1).astype(float), np.nan)
        out["p_bcr_above_1"] = [float(np.nanmean(above[:, k])) if any_known[k] else np.nan
                                for k in range(len(ids))]
        out["npv_p5_mdkk"] = _pct(npv, 5)
        out["npv_median_mdkk"] = _pct(npv, 50)
        out["npv_p95_mdkk"] = _pct(npv, 95)
        out["p_top_k"] = np.where(any_known, ((ranks <= top_k) & known).mean(axis=0), np.nan)
        out["bcr_p5"] = _pct(bcr, 5)
        out["bcr_p95"] = _pct(bcr, 95)
    out = out.sort_values(["p_bcr_above_1", "npv_mdkk"], ascending=[False, False],
                          na_position="last", kind="stable")
    out.attrs = {"runs": runs, "seed": seed, "top_k": top_k,
                 "varied": [*sorted(prices.uncertain()), "kind construction_years",
                            "kind lifetime_years"],
                 "needs_full_rerun": list(NEEDS_FULL_RERUN),
                 "unit_prices_version": prices.version}
    return out


def _pct(values: np.ndarray, q: float) -> np.ndarray:
    out = np.full(values.shape[1], np.nan)
    for k in range(values.shape[1]):
        col = values[:, k]
        col = col[~np.isnan(col)]
        if col.size:
            out[k] = float(np.percentile(col, q))
    return out

