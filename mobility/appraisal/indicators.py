"""Indicators: the catalogue's stars, the model's values and stars, and where they disagree.

The six guiding indicators have stable keys (:data:`mobility.schema.INDICATOR_KEYS`). The model
computes three of them from the network engine:

- ``accessibility``: person-minutes saved per day ->
  :data:`~mobility.settings.ACCESSIBILITY_STAR_THRESHOLDS_PERSON_MIN`;
- ``cross_municipal``: number of municipalities that gain ->
  :data:`~mobility.settings.CROSS_MUNICIPAL_STAR_THRESHOLDS`;
- ``socioeconomics``: a rough benefit-cost ratio (time savings valued at
  :data:`~mobility.settings.VALUE_OF_TIME_DKK_PER_HOUR` over the appraisal period, against the
  construction cost) -> BCR thresholds equivalent to the IRR thresholds.

Examples
--------
>>> from mobility.appraisal import indicator_table
>>> table = indicator_table(network=False)
>>> row = table[(table["id"] == 4) & (table["indicator"] == "accessibility")]
>>> int(row["catalogue_stars"].iloc[0])
4
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .. import settings
from ..schema import INDICATOR_KEYS, Initiative, KeyFigure, stars_from_thresholds
from ._network import NetworkArg, NetworkEffects, effects_for
from ._util import (
    InitiativesArg,
    bcr_thresholds,
    resolve_initiatives,
    time_savings_pv_mdkk,
)

__all__ = [
    "MODEL_INDICATORS",
    "MODEL_VALUE_COLUMNS",
    "STAR_SOURCES",
    "carbon_payback",
    "catalogue_stars",
    "disagreements",
    "indicator_table",
    "inferred_mask",
    "model_stars",
    "model_values",
    "operating_co2_reduction_t_per_year",
    "star_frame",
]

#: The star sources accepted by ``stars=``.
STAR_SOURCES: tuple[str, ...] = ("catalogue", "model", "blend")
#: The indicators the model computes, with the unit of the model value.
MODEL_INDICATORS: dict[str, str] = {
    "cross_municipal": "municipalities gaining",
    "accessibility": "person-minutes saved per day",
    "socioeconomics": "benefit-cost ratio (time savings)",
}

#: The column of :func:`model_values` holding the value of each model indicator.
MODEL_VALUE_COLUMNS: dict[str, str] = {
    "cross_municipal": "municipalities_gaining_n",
    "accessibility": "person_minutes_saved_per_day",
    "socioeconomics": "bcr",
}


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


def model_values(
    initiatives: InitiativesArg = None, *, network: NetworkArg = True,
    effects: NetworkEffects | None = None,
) -> pd.DataFrame:
    """Model values and model stars of each initiative, from its single-initiative scenario.

    Parameters
    ----------
    initiatives : mapping, optional
        Initiatives by id; default the shipped catalogue.
    network : bool or callable
        ``True`` = the real network engine, ``False`` = none (all values missing), or a
        callable with the contract of :func:`mobility.network.evaluate_scenario`.
    effects : NetworkEffects, optional
        An existing evaluation cache to reuse (overrides ``network``).

    Returns
    -------
    pandas.DataFrame
        Indexed by id: ``person_minutes_saved_per_day``, ``municipalities_gaining_n``, ``bcr``
        (missing where the cost is unknown), ``network_excluded`` (the reason, or None) and the
        model stars ``model_cross_municipal``, ``model_accessibility``,
        ``model_socioeconomics`` (nullable integers). An initiative the network cannot
        represent has missing values, never zero.
    """
    inits = resolve_initiatives(initiatives)
    effects = effects_for(network, inits, effects)
    rows: dict[int, dict[str, Any]] = {}
    for ident, init in inits.items():
        pm = n_gain = bcr = math.nan
        excluded = None
        if effects is not None:
            effect = effects.single(ident)
            if effect.person_minutes is None:
                excluded = effect.excluded.get(ident, "not representable in the network")
            else:
                pm = effect.person_minutes
                n_gain = float(len(effect.municipalities_gaining))
                if init.cost_mdkk is not None and init.cost_mdkk > 0:
                    bcr = time_savings_pv_mdkk(pm) / init.cost_mdkk
        rows[ident] = {
            "person_minutes_saved_per_day": pm,
            "municipalities_gaining_n": n_gain,
            "bcr": bcr,
            "network_excluded": excluded,
        }
    frame = pd.DataFrame.from_dict(rows, orient="index")
    if frame.empty:
        frame = pd.DataFrame(columns=[*MODEL_VALUE_COLUMNS.values(), "network_excluded"])
    for key, col in MODEL_VALUE_COLUMNS.items():
        frame[f"model_{key}"] = pd.array(
            [model_stars(key, v) for v in frame[col].astype(float)], dtype="Int64",
        )
    return frame


def model_stars(key: str, value: float | None) -> int | None:
    """Model stars of a model indicator's value, by the thresholds in the settings."""
    thresholds = {
        "cross_municipal": settings.CROSS_MUNICIPAL_STAR_THRESHOLDS,
        "accessibility": settings.ACCESSIBILITY_STAR_THRESHOLDS_PERSON_MIN,
        "socioeconomics": bcr_thresholds(),
    }[key]
    return stars_from_thresholds(value, thresholds)


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
