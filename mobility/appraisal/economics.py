"""The CBA of initiatives and bundles from scenario results (the network/demand engine).

A single initiative is appraised on its increment over its prerequisites (the scenario with the
initiative and its prerequisites minus the scenario of the prerequisites alone), with its own
investment only. A bundle (several ids) is appraised on the bundle's own scenario with all
members' investments. Initiatives the network cannot represent have no CBA (``None`` results,
``effects_source = "not_modelled"``), never a CBA of zero effects.

Examples
--------
>>> from mobility.appraisal.economics import cba_table
>>> table = cba_table(network=False)
>>> int(table.loc[1, "catalogue_irr_pct"])
5
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from ..errors import Issue, MobilityError
from ..schema import Initiative
from ._effects import read_effects, subtract_effects
from ._network import NetworkArg, NetworkEffects, effects_for
from ._util import InitiativesArg, prerequisite_closure, resolve_initiatives
from .cba import CbaResult, UnitPrices, cba, investment_for, load_unit_prices

__all__ = ["cba_ids", "cba_table", "scenario_effects"]


def _legacy_shares(prices: UnitPrices) -> dict[str, float]:
    return {"commute": prices.raw("legacy_purpose_share_commute"),
            "business": prices.raw("legacy_purpose_share_business")}


def scenario_effects(
    ids: Iterable[int], effects: NetworkEffects, initiatives: Mapping[int, Initiative],
    prices: UnitPrices, *, increment: bool = False,
) -> dict[str, Any] | None:
    """The CBA effects of a scenario (None when none of its ids can be represented).

    ``increment=True`` with one id: the increment over its prerequisites.
    """
    ids = sorted(set(ids))
    shares = _legacy_shares(prices)
    if increment and len(ids) == 1:
        ident = ids[0]
        closure = prerequisite_closure(ident, initiatives)
        full = effects.scenario(closure)
        if ident in (getattr(full, "excluded", None) or {}):
            return None
        eff = read_effects(full, legacy_shares=shares)
        base_ids = closure - {ident}
        if base_ids:
            eff = subtract_effects(eff, read_effects(effects.scenario(base_ids),
                                                     legacy_shares=shares))
        return eff
    r = effects.scenario(ids)
    excluded = getattr(r, "excluded", None) or {}
    if set(ids) <= set(excluded):
        return None
    return read_effects(r, legacy_shares=shares)


def _not_modelled(res: CbaResult) -> CbaResult:
    return replace(res, npv_mdkk=None, bcr=None, irr_pct=None, first_year_return_pct=None,
                   npv_mdkk_co2_high=None, bcr_co2_high=None, npv_per_public_krone=None,
                   effects_source="not_modelled")


def cba_ids(
    ids: Iterable[int], *, initiatives: InitiativesArg = None, network: NetworkArg = True,
    effects: NetworkEffects | None = None, prices: UnitPrices | None = None,
    cost_assumptions_mdkk: Mapping[int, float] | None = None,
) -> CbaResult:
    """CBA of one initiative (its increment over its prerequisites) or of a bundle (several ids,
    the bundle's own scenario).

    Raises
    ------
    MobilityError
        An unknown id, or no id given.
    """
    inits = resolve_initiatives(initiatives)
    ids = sorted({int(i) for i in ids})
    unknown = [i for i in ids if i not in inits]
    if not ids or unknown:
        what = "no initiative id given" if not ids else (
            "unknown initiative id(s) " + ", ".join(map(str, unknown)))
        raise MobilityError(str(Issue("cba", "ids", what)))
    prices = load_unit_prices() if prices is None else prices
    effects = effects_for(network, inits, effects)
    assumed = cost_assumptions_mdkk or {}
    investments = [investment_for(inits[i], prices, cost_mdkk=assumed.get(i)) for i in ids]
    eff = None if effects is None else scenario_effects(ids, effects, inits, prices,
                                                        increment=len(ids) == 1)
    if eff is None:
        from ._effects import empty_effects

        return _not_modelled(cba(empty_effects(), investments, prices))
    return cba(eff, investments, prices)


def cba_table(
    initiatives: InitiativesArg = None, *, network: NetworkArg = True,
    effects: NetworkEffects | None = None, prices: UnitPrices | None = None,
) -> pd.DataFrame:
    """One row per initiative: the model's CBA beside the catalogue's stated IRR.

    Columns: ``id, name, kind, cost_mdkk, npv_mdkk, bcr, irr_pct, first_year_return_pct,
    npv_mdkk_co2_high, npv_per_public_krone, catalogue_irr_pct, catalogue_socioeconomics``
    (the catalogue's status: irr / not_profitable / not_calculated / unknown),
    ``irr_difference_pp`` (model minus catalogue), ``effects_source``, and
    ``benefit_<component>_mdkk`` for every component. ``attrs['unit_prices_version']``.
    """
    inits = resolve_initiatives(initiatives)
    prices = load_unit_prices() if prices is None else prices
    effects = effects_for(network, inits, effects)
    if effects is not None:
        effects.prefetch(effects.single_sets(inits))
    rows = []
    for ident, init in inits.items():
        res = cba_ids([ident], initiatives=inits, network=False, effects=effects,
                      prices=prices)
        if effects is None:
            res = _not_modelled(res)
        socio = init.socioeconomics
        row: dict[str, Any] = {
            "id": ident, "name": init.name, "kind": init.kind, "cost_mdkk": init.cost_mdkk,
            "npv_mdkk": res.npv_mdkk, "bcr": res.bcr, "irr_pct": res.irr_pct,
            "first_year_return_pct": res.first_year_return_pct,
            "npv_mdkk_co2_high": res.npv_mdkk_co2_high,
            "npv_per_public_krone": res.npv_per_public_krone,
            "catalogue_irr_pct": socio.irr_pct, "catalogue_socioeconomics": socio.status,
            "effects_source": res.effects_source,
        }
        for key, value in res.benefits_mdkk.items():
            row[f"benefit_{key}_mdkk"] = value if res.effects_source != "not_modelled" else None
        rows.append(row)
    table = pd.DataFrame(rows).set_index("id", drop=False)
    for col in ("npv_mdkk", "bcr", "irr_pct", "first_year_return_pct", "npv_mdkk_co2_high",
                "npv_per_public_krone", "catalogue_irr_pct", "cost_mdkk"):
        table[col] = pd.to_numeric(table[col], errors="coerce").astype(float)
    table["irr_difference_pp"] = table["irr_pct"] - table["catalogue_irr_pct"]
    table.index.name = None
    table.attrs["unit_prices_version"] = prices.version
    return table


def _finite_or_nan(value: Any) -> float:
    return float(value) if value is not None and np.isfinite(value) else np.nan
