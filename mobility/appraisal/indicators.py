"""Indicators: the catalogue's stars, the model's values and stars, and where they disagree.

The six guiding indicators have stable keys (:data:`mobility.schema.INDICATOR_KEYS`). The model
computes all six from the scenario's effects and its cost-benefit analysis
(docs/appraisal.md, "Indicators from the model"):

- ``socioeconomics``: the CBA's internal rate of return, on the catalogue's IRR scale;
- ``co2_operation``: net CO2 reduction over the appraisal period (yearly operating reduction
  times the period, minus the construction CO2; the payback is reported beside it);
- ``accessibility``: the user benefit (time benefits, million DKK per year);
- ``public_transport``: extra public-transport trips per day;
- ``public_health``: health (km walked and cycled) and accident benefits, million DKK per year;
- ``cross_municipal``: the share of the benefits that falls outside the host municipalities
  (those the initiative's geometry touches).

Thresholds (but socio-economics) come from the spread of the model's own results:
:func:`quantile_thresholds`.

Examples
--------
>>> from mobility.appraisal import indicator_table
>>> table = indicator_table(network=False)
>>> row = table[(table["id"] == 4) & (table["indicator"] == "accessibility")]
>>> int(row["catalogue_stars"].iloc[0])
4
"""

from __future__ import annotations

import functools
import logging
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .. import settings
from ..schema import INDICATOR_KEYS, Initiative, KeyFigure, stars_from_thresholds
from ._network import NetworkArg, NetworkEffects, effects_for
from ._util import InitiativesArg, resolve_initiatives

log = logging.getLogger(__name__)

__all__ = [
    "MODEL_INDICATORS",
    "MODEL_VALUE_COLUMNS",
    "STAR_SOURCES",
    "carbon_payback",
    "catalogue_stars",
    "disagreements",
    "host_municipalities",
    "indicator_table",
    "indicator_values",
    "inferred_mask",
    "model_stars",
    "model_values",
    "operating_co2_reduction_t_per_year",
    "outside_host_share",
    "quantile_thresholds",
    "star_frame",
]

#: The star sources accepted by ``stars=``.
STAR_SOURCES: tuple[str, ...] = ("catalogue", "model", "blend")
#: The indicators the model computes, with the unit of the model value.
MODEL_INDICATORS: dict[str, str] = {
    "cross_municipal": "share of benefits outside the host municipalities",
    "accessibility": "user benefit, million DKK per year",
    "co2_operation": "net CO2 reduction over the appraisal period, tonnes",
    "public_health": "health and accident benefits, million DKK per year",
    "public_transport": "extra public-transport trips per day",
    "socioeconomics": "internal rate of return, % (CBA)",
}

#: The column of :func:`model_values` holding the value of each model indicator.
MODEL_VALUE_COLUMNS: dict[str, str] = {
    "cross_municipal": "outside_host_share",
    "accessibility": "user_benefit_mdkk_per_year",
    "co2_operation": "co2_net_reduction_t",
    "public_health": "health_mdkk_per_year",
    "public_transport": "extra_pt_trips_per_day",
    "socioeconomics": "irr_pct",
}

#: Indicators whose star thresholds come from the spread of the model's own results.
QUANTILE_INDICATORS: tuple[str, ...] = (
    "cross_municipal", "accessibility", "co2_operation", "public_health", "public_transport")


def catalogue_stars(initiatives: Mapping[int, Initiative]) -> pd.DataFrame:
    """The catalogue's stars: one row per id, one float column per indicator (NaN = n/a)."""
    rows = {}
    for ident, init in initiatives.items():
        stars = init.stars
        rows[ident] = [np.nan if (v := stars[k]) is None else float(v) for k in INDICATOR_KEYS]
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(INDICATOR_KEYS))


def inferred_mask(initiatives: Mapping[int, Initiative]) -> pd.DataFrame:
    """True where the catalogue rating is our reading (``inferred_ratings``), not exact."""
    rows = {
        ident: [k in init.inferred_ratings for k in INDICATOR_KEYS]
        for ident, init in initiatives.items()
    }
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(INDICATOR_KEYS))


@functools.lru_cache(maxsize=256)
def _hosts_of_geometry(wkb: bytes) -> frozenset[int]:
    from shapely import wkb as shapely_wkb

    from ..geodata import load_municipalities

    geom = shapely_wkb.loads(wkb)
    munis = load_municipalities()
    hit = munis[munis.intersects(geom.buffer(1.0))]
    return frozenset(int(c) for c in hit["code"])


def host_municipalities(init: Initiative) -> frozenset[int]:
    """Codes of the municipalities the initiative's geometry touches (empty if unknown)."""
    geom = init.geom
    try:
        if geom is None:
            from ..catalogue import build_geometry

            geom = build_geometry(init.geometry)
        return _hosts_of_geometry(geom.wkb)
    except Exception:
        log.debug("no host municipalities for initiative %s", init.id, exc_info=True)
        return frozenset()


def outside_host_share(by_municipality: pd.Series | None, hosts: Iterable[int]) -> float:
    """Share of the positive benefits (person-minutes by municipality) outside ``hosts``; 0 when
    nobody gains; NaN when unknown (no incidence or no host municipality)."""
    hosts = set(hosts)
    if by_municipality is None or not hosts:
        return math.nan
    gains = by_municipality.astype(float).clip(lower=0.0)
    total = float(gains.sum())
    if total <= 0:
        return 0.0
    outside = float(gains[[c not in hosts for c in gains.index]].sum())
    return outside / total


def indicator_values(
    eff: Mapping[str, Any] | None, res: Any, by_municipality: pd.Series | None,
    hosts: Iterable[int], co2_construction_t: float | None, period_years: float,
) -> dict[str, float]:
    """Raw model values of the six indicators for one scenario (an initiative's increment or
    a bundle's own scenario), from its effects and its CBA (:class:`~.cba.CbaResult`)."""
    nan = math.nan
    if eff is None or res is None or res.effects_source == "not_modelled":
        return {"outside_host_share": nan, "user_benefit_mdkk_per_year": nan,
                "co2_net_reduction_t": nan, "co2_reduction_t_per_year": nan,
                "carbon_payback_years_model": nan, "health_mdkk_per_year": nan,
                "extra_pt_trips_per_day": nan, "irr_pct": nan, "bcr": nan, "npv_mdkk": nan,
                "npv_mdkk_co2_high": nan}
    first = res.first_year_benefits_mdkk
    legacy = eff.get("source") == "legacy"  # time savings only: the rest is not modelled
    reduction = nan if legacy else -float(eff.get("co2_t_per_year", 0.0))
    payback = (co2_construction_t / reduction
               if reduction > 0 and co2_construction_t is not None else nan)
    co2_construction_t = co2_construction_t or 0.0
    return {
        "outside_host_share": outside_host_share(by_municipality, hosts),
        "user_benefit_mdkk_per_year": sum(first.get(f"time_{p}", 0.0)
                                          for p in ("commute", "business", "other")),
        "co2_net_reduction_t": reduction * period_years - co2_construction_t,  # NaN if legacy
        "co2_reduction_t_per_year": reduction,
        "carbon_payback_years_model": payback,
        "health_mdkk_per_year": nan if legacy else first.get("health", 0.0) + first.get(
            "accidents", 0.0) + first.get("accidents_speed", 0.0),
        "extra_pt_trips_per_day": nan if legacy else float(eff.get("extra_pt_trips_per_day",
                                                                   0.0)),
        "irr_pct": nan if res.irr_pct is None else float(res.irr_pct),
        "bcr": nan if res.bcr is None else float(res.bcr),
        "npv_mdkk": nan if res.npv_mdkk is None else float(res.npv_mdkk),
        "npv_mdkk_co2_high": nan if res.npv_mdkk_co2_high is None else float(res.npv_mdkk_co2_high),
    }


def quantile_thresholds(values: Iterable[float]) -> tuple[float, ...]:
    """Star thresholds from the spread of the model's own results: any positive value earns 1
    star; the 20/40/60/80 % quantiles of the positive values earn 2-5 (so the positive results
    fall into five bands of equal size). No positive value: the thresholds are infinite."""
    arr = np.asarray([v for v in values if np.isfinite(v) and v > 0], dtype=float)
    if arr.size == 0:
        return (math.inf,) * 5
    qs = np.quantile(arr, [0.2, 0.4, 0.6, 0.8])
    return (float(np.nextafter(0.0, 1.0)), *(float(q) for q in qs))


def model_stars(key: str, value: float | None,
                thresholds: Mapping[str, Sequence[float]] | None = None,
                *, npv_mdkk: float | None = None) -> int | None:
    """Model stars of a model indicator's value.

    ``socioeconomics``: the catalogue's IRR thresholds
    (:data:`~mobility.settings.IRR_STAR_THRESHOLDS_PCT`), so that model and catalogue stars are
    on one scale; no IRR but a negative NPV is 0 stars. The others: ``thresholds[key]`` (from
    :func:`quantile_thresholds` over the catalogue's modelled initiatives); a value <= 0 earns 0.
    """
    if key == "socioeconomics":
        if (value is None or math.isnan(value)) and npv_mdkk is not None \
                and not math.isnan(npv_mdkk):
            return 0 if npv_mdkk < 0 else None
        return stars_from_thresholds(value, settings.IRR_STAR_THRESHOLDS_PCT)
    if thresholds is None or key not in thresholds:
        return None
    if value is None or math.isnan(value):
        return None
    return 0 if value <= 0 else stars_from_thresholds(value, thresholds[key])


def model_values(
    initiatives: InitiativesArg = None, *, network: NetworkArg = True,
    effects: NetworkEffects | None = None, prices: Any = None,
    hosts: Mapping[int, Iterable[int]] | None = None,
) -> pd.DataFrame:
    """Model values and model stars of each initiative, from its single-initiative scenario.

    Each initiative is appraised on its increment over its prerequisites: effects (through the
    one adapter :mod:`mobility.appraisal._effects`) and the CBA (:mod:`~.cba`). Star thresholds
    come from the spread of the results over the given initiatives (:func:`quantile_thresholds`;
    socio-economics uses the IRR scale), and are returned in ``attrs["thresholds"]``.

    Parameters
    ----------
    initiatives : mapping, optional
        Initiatives by id; default the shipped catalogue.
    network : bool or callable
        ``True`` = the real network engine, ``False`` = none (all values missing), or a
        callable with the contract of :func:`mobility.network.evaluate_scenario`.
    effects : NetworkEffects, optional
        An existing evaluation cache to reuse (overrides ``network``).
    prices : UnitPrices, optional
        Unit prices for the CBA; default ``geodata/unit_prices.yaml``.
    hosts : mapping, optional
        Host municipality codes by id; default from each initiative's geometry.

    Returns
    -------
    pandas.DataFrame
        Indexed by id: ``person_minutes_saved_per_day``, ``municipalities_gaining_n``, the
        columns of :data:`MODEL_VALUE_COLUMNS`, ``bcr``, ``npv_mdkk``, ``npv_mdkk_co2_high``,
        ``co2_reduction_t_per_year``, ``carbon_payback_years_model``, ``network_excluded`` (the
        reason, or None) and the model stars ``model_<indicator>`` (nullable integers). An
        initiative the network cannot represent has missing values, never zero.
    """
    from .cba import load_unit_prices
    from .economics import cba_ids, scenario_effects

    inits = resolve_initiatives(initiatives)
    effects = effects_for(network, inits, effects)
    prices = load_unit_prices() if prices is None else prices
    period = float(prices.raw("appraisal_period_years"))
    rows: dict[int, dict[str, Any]] = {}
    for ident, init in inits.items():
        pm = n_gain = math.nan
        excluded = None
        eff = res = by_muni = None
        if effects is not None:
            effect = effects.single(ident)
            if effect.person_minutes is None:
                excluded = effect.excluded.get(ident, "not representable in the network")
            else:
                pm = effect.person_minutes
                n_gain = float(len(effect.municipalities_gaining))
                by_muni = effect.by_municipality
                eff = scenario_effects([ident], effects, inits, prices, increment=True)
                res = cba_ids([ident], initiatives=inits, network=False, effects=effects,
                              prices=prices)
        co2 = init.co2_construction_t
        co2_mid = None if co2 is None else (co2.min + co2.max) / 2.0
        host = hosts.get(ident, ()) if hosts is not None else (
            host_municipalities(init) if eff is not None else ())
        row = {"person_minutes_saved_per_day": pm, "municipalities_gaining_n": n_gain}
        row.update(indicator_values(eff, res, by_muni, host, co2_mid, period))
        row["network_excluded"] = excluded
        rows[ident] = row
    frame = pd.DataFrame.from_dict(rows, orient="index")
    if frame.empty:
        frame = pd.DataFrame(columns=["person_minutes_saved_per_day", "municipalities_gaining_n",
                                      *MODEL_VALUE_COLUMNS.values(), "bcr", "npv_mdkk",
                                      "network_excluded"])
    thresholds = {k: quantile_thresholds(frame[MODEL_VALUE_COLUMNS[k]].astype(float))
                  for k in QUANTILE_INDICATORS}
    for key, col in MODEL_VALUE_COLUMNS.items():
        values = frame[col].astype(float)
        npv = frame["npv_mdkk"].astype(float)
        frame[f"model_{key}"] = pd.array(
            [model_stars(key, v, thresholds, npv_mdkk=n) for v, n in zip(values, npv, strict=True)],
            dtype="Int64")
    frame.attrs["thresholds"] = thresholds
    return frame


def _model_star_frame(model: pd.DataFrame, index: pd.Index) -> pd.DataFrame:
    out = pd.DataFrame(np.nan, index=index, columns=list(INDICATOR_KEYS))
    for key in MODEL_INDICATORS:
        out[key] = model[f"model_{key}"].astype("Float64").astype(float).reindex(index)
    return out


def star_frame(
    initiatives: Mapping[int, Initiative], stars: str = "catalogue",
    model: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The stars used for scoring: one row per id, one float column per indicator (NaN = n/a).

    Parameters
    ----------
    initiatives : mapping
        Initiatives by id.
    stars : {"catalogue", "model", "blend"}
        ``"catalogue"``: the catalogue's stars. ``"model"``: the model's stars where the model
        computes the indicator for the initiative, the catalogue's stars elsewhere.
        ``"blend"``: ``(1 - w) * catalogue + w * model`` where both exist (``w`` =
        :data:`~mobility.settings.BLEND_MODEL_WEIGHT`), whichever exists otherwise.
    model : DataFrame, optional
        :func:`model_values`; needed for ``"model"`` and ``"blend"``.
    """
    if stars not in STAR_SOURCES:
        msg = f"unknown star source {stars!r}; choose one of {', '.join(STAR_SOURCES)}"
        raise ValueError(msg)
    cat = catalogue_stars(initiatives)
    if stars == "catalogue":
        return cat
    if model is None:
        msg = f"stars={stars!r} needs model values (the network engine)"
        raise ValueError(msg)
    mod = _model_star_frame(model, cat.index)
    if stars == "model":
        return mod.where(mod.notna(), cat)
    w = settings.BLEND_MODEL_WEIGHT
    both = (1 - w) * cat + w * mod
    return both.where(both.notna(), cat.where(cat.notna(), mod))


# --------------------------------------------------------------------------------------------
# Carbon payback

_CO2_PER_YEAR = re.compile(
    r"(\d{1,3}(?:\.\d{3})+|\d+)\s*(?:tons?|tonnes?|t\.?)\s*(?:CO2e?\s*)?"
    r"(?:årligt|/\s*år|pr\.?\s*år|om året|per year|/\s*year)",
    re.IGNORECASE,
)
_INCREASE = re.compile(r"\b(?:øge[rs]?|øget|stige[rs]?|increase[sd]?)\b", re.IGNORECASE)


def operating_co2_reduction_t_per_year(init: Initiative) -> float | None:
    """The operating-phase CO2 reduction of an initiative in tonnes per year, where known.

    In order: :data:`mobility.settings.CO2_OPERATION_REDUCTION_T_PER_YEAR`; a ``key_figures``
    entry with a value and a unit in tonnes per year (``t/år``, ``t/year``); a figure such as
    "ca. 500 tons CO2 årligt" in the CO2 rating text (unless the text speaks of an increase).
    """
    override = settings.CO2_OPERATION_REDUCTION_T_PER_YEAR.get(init.id)
    if override is not None:
        return float(override)
    for fig in init.key_figures:
        if isinstance(fig, KeyFigure) and fig.value is not None and fig.unit:
            unit = fig.unit.replace(" ", "").lower()
            if unit in ("t/år", "t/year", "tco2/år", "tco2/year", "tco2e/år", "tco2e/year"):
                return float(fig.value)
    text = init.rating_texts.get("co2_operation", "")
    match = _CO2_PER_YEAR.search(text)
    if match is None or _INCREASE.search(text):
        return None
    return float(match.group(1).replace(".", ""))


def carbon_payback(initiatives: Mapping[int, Initiative]) -> pd.DataFrame:
    """Carbon payback in years: construction CO2 over the yearly operating reduction.

    Returns
    -------
    pandas.DataFrame
        Indexed by id: ``co2_operation_reduction_t_per_year``, ``carbon_payback_years`` (from
        the middle of the construction range), ``carbon_payback_years_min`` and ``_max``
        (from the range's ends). Missing where the construction CO2 or a positive reduction is
        unknown.
    """
    rows = {}
    for ident, init in initiatives.items():
        red = operating_co2_reduction_t_per_year(init)
        co2 = init.co2_construction_t
        if red is None or red <= 0 or co2 is None:
            rows[ident] = [np.nan if red is None else red, np.nan, np.nan, np.nan]
            continue
        rows[ident] = [red, (co2.min + co2.max) / 2 / red, co2.min / red, co2.max / red]
    return pd.DataFrame.from_dict(
        rows, orient="index",
        columns=["co2_operation_reduction_t_per_year", "carbon_payback_years",
                 "carbon_payback_years_min", "carbon_payback_years_max"],
    ).astype(float)


# --------------------------------------------------------------------------------------------
# The indicator table


def indicator_table(
    initiatives: InitiativesArg = None, *, network: NetworkArg = True,
    wide: bool = False,
) -> pd.DataFrame:
    """For each initiative and indicator: catalogue stars, inferred flag, model value and stars.

    Parameters
    ----------
    initiatives : mapping, optional
        Initiatives by id; default the shipped catalogue.
    network : bool or callable
        See :func:`model_values`.
    wide : bool
        False (default): long format, one row per (id, indicator). True: one row per id.

    Returns
    -------
    pandas.DataFrame
        Long: ``id, name, indicator, catalogue_stars`` (Int64, missing = not assessable),
        ``inferred`` (bool), ``model_value`` (float), ``model_unit``, ``model_stars`` (Int64),
        ``blend_stars`` (float), ``difference`` (model - catalogue stars, Int64). Wide: indexed
        by id with ``name`` and, per indicator key, ``<key>_catalogue``, ``<key>_inferred``,
        ``<key>_model_value``, ``<key>_model``.
    """
    inits = resolve_initiatives(initiatives)
    model = model_values(inits, network=network)
    cat = catalogue_stars(inits)
    inferred = inferred_mask(inits)
    blend = star_frame(inits, "blend", model)
    rows = []
    for ident, init in inits.items():
        for key in INDICATOR_KEYS:
            value = model_stars = np.nan
            unit = None
            if key in MODEL_INDICATORS:
                value = float(model.at[ident, MODEL_VALUE_COLUMNS[key]])
                unit = MODEL_INDICATORS[key]
                ms = model.at[ident, f"model_{key}"]
                model_stars = np.nan if ms is pd.NA else float(ms)
            rows.append({
                "id": ident, "name": init.name, "indicator": key,
                "catalogue_stars": cat.at[ident, key], "inferred": bool(inferred.at[ident, key]),
                "model_value": value, "model_unit": unit, "model_stars": model_stars,
                "blend_stars": blend.at[ident, key],
            })
    columns = ["id", "name", "indicator", "catalogue_stars", "inferred", "model_value",
               "model_unit", "model_stars", "blend_stars"]
    table = pd.DataFrame(rows, columns=columns)
    for col in ("catalogue_stars", "model_stars"):
        table[col] = table[col].astype(float).astype("Int64")
    table["difference"] = table["model_stars"] - table["catalogue_stars"]
    table["id"] = table["id"].astype(int)
    if not wide:
        return table
    out = pd.DataFrame(index=list(inits))
    out["name"] = [init.name for init in inits.values()]
    for key in INDICATOR_KEYS:
        part = table[table["indicator"] == key].set_index("id")
        out[f"{key}_catalogue"] = part["catalogue_stars"]
        out[f"{key}_inferred"] = part["inferred"]
        out[f"{key}_model_value"] = part["model_value"]
        out[f"{key}_model"] = part["model_stars"]
    return out


def disagreements(
    table: pd.DataFrame | None = None, *, initiatives: InitiativesArg = None,
    network: NetworkArg = True, min_stars: int | None = None,
) -> pd.DataFrame:
    """Where model stars and catalogue stars differ by ``min_stars`` or more.

    Parameters
    ----------
    table : DataFrame, optional
        A long :func:`indicator_table`; computed when not given.
    initiatives, network
        Passed to :func:`indicator_table` when ``table`` is not given.
    min_stars : int, optional
        Default :data:`mobility.settings.DISAGREEMENT_MIN_STARS` (2).

    Returns
    -------
    pandas.DataFrame
        The rows of the long indicator table that disagree, largest difference first.
    """
    if table is None:
        table = indicator_table(initiatives, network=network)
    limit = settings.DISAGREEMENT_MIN_STARS if min_stars is None else min_stars
    diff = table["difference"].abs()
    out = table[diff.fillna(-1) >= limit].copy()
    out["_order"] = -out["difference"].abs().astype(int)
    out = out.sort_values(["_order", "id", "indicator"], kind="stable").drop(columns="_order")
    return out.reset_index(drop=True)
