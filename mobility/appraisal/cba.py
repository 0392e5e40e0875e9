"""Cost-benefit analysis in the Danish method (Finansministeriet / Transportministeriet, TERESA).

Pure functions from per-year quantities to NPV, BCR, IRR, first-year return and NPV per krone of
public money; the method and a worked example are in ``docs/appraisal.md`` ("Cost-benefit
analysis"). Every unit price comes from one versioned data file, ``geodata/unit_prices.yaml``
(:func:`load_unit_prices`), with its source and price year, or marked as an assumption with a
low/high range.

Time line: year 0 is the first construction year and the base year of discounting; the
investment is spent evenly over the construction years; the initiative opens at year ``C``
(the longest construction period of the members) and is appraised for
``appraisal_period_years`` years of operation, with the residual value (linear depreciation
over the asset's lifetime) counted in the last year.

Examples
--------
>>> from mobility.appraisal.cba import discount_factors, load_unit_prices
>>> prices = load_unit_prices()
>>> round(float(discount_factors(37, prices)[36]), 6)  # 35 years at 3.5 %, 1 at 2.5 %
0.29266
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from scipy.optimize import brentq

from ..errors import MobilityError
from ._effects import PURPOSES

__all__ = [
    "BENEFIT_COMPONENTS",
    "COMPONENT_LABELS",
    "CbaResult",
    "Investment",
    "UnitPrices",
    "cba",
    "discount_factors",
    "investment_for",
    "load_unit_prices",
    "npv_at_flat_rate",
]

#: Benefit components, in report order (positive = a gain to society, in million DKK PV).
BENEFIT_COMPONENTS: tuple[str, ...] = (
    "time_commute", "time_business", "time_other", "vehicle_operating_costs",
    "fares_users", "fares_operator", "road_charges_users", "road_charges_public",
    "pt_operating_costs", "co2_operation", "co2_construction", "accidents", "accidents_speed",
    "noise", "noise_speed", "air_pollution", "bus_external_costs", "health", "tax_distortion",
)


class UnitPriceError(MobilityError):
    """The unit-price file is missing, unreadable or incomplete."""


_REQUIRED = (
    "appraisal_period_years", "discount_rate_pct_0_35", "discount_rate_pct_36_70",
    "discount_rate_pct_after_70", "net_tax_factor", "tax_distortion_factor",
    "price_index_growth_pct", "value_of_time_commute", "value_of_time_business",
    "value_of_time_other", "value_of_time_real_growth_pct", "legacy_purpose_share_commute",
    "legacy_purpose_share_business", "annualisation_days", "car_operating_cost_per_km",
    "bus_operating_cost_per_km", "rail_operating_cost_per_train_km",
    "rail_operating_cost_per_train_km_regional", "co2_price_low",
    "co2_price_high", "car_accident_cost_per_km", "car_noise_cost_per_km",
    "noise_cost_change_pct_per_db",
    "car_air_pollution_cost_per_km", "bus_external_cost_per_km", "health_benefit_per_bike_km",
    "health_benefit_per_walk_km", "cost_price_year", "cost_overrun_factor",
)


@dataclass(frozen=True)
class UnitPrices:
    """The unit prices: raw entries, kinds, version; ``value(key)`` at the base price level."""

    version: str
    price_year_base: int
    entries: Mapping[str, Mapping[str, Any]]
    kinds: Mapping[str, Mapping[str, Any]]
    path: str = ""
    overrides: Mapping[str, float] = field(default_factory=dict)

    def raw(self, key: str) -> float:
        """The value as stated in the file (or overridden), at its own price year."""
        if key in self.overrides:
            return float(self.overrides[key])
        try:
            return float(self.entries[key]["value"])
        except KeyError as err:
            msg = f"{self.path}: unit price {key!r} is missing"
            raise UnitPriceError(msg) from err

    def value(self, key: str) -> float:
        """The value at the base price level (money values are indexed from their price year
        with ``price_index_growth_pct``)."""
        v = self.raw(key)
        year = self.entries.get(key, {}).get("price_year")
        money = isinstance(year, (int, float)) and not isinstance(year, bool)
        if money and key != "cost_price_year":
            g = self.raw("price_index_growth_pct") / 100.0
            v *= (1.0 + g) ** (self.price_year_base - int(year))
        return v

    def uncertain(self) -> dict[str, tuple[float, float]]:
        """The entries with a low/high range: key -> (low, high)."""
        return {k: (float(e["low"]), float(e["high"])) for k, e in self.entries.items()
                if "low" in e and "high" in e}

    def kind(self, kind: str) -> Mapping[str, Any]:
        """Construction period, lifetime and reinvestment of an initiative kind."""
        return self.kinds.get(kind) or self.kinds["default"]

    def with_overrides(self, overrides: Mapping[str, float]) -> UnitPrices:
        """A copy with some raw values replaced (sensitivity runs)."""
        return replace(self, overrides={**self.overrides, **overrides})


def _default_path() -> Path:
    from ..geodata import get_path

    return get_path("unit_prices.yaml")


@lru_cache(maxsize=8)
def _load(path: str) -> UnitPrices:
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except (OSError, yaml.YAMLError) as err:
        msg = f"cannot read unit prices {path}: {err}"
        raise UnitPriceError(msg) from err
    if not isinstance(data, dict) or not isinstance(data.get("values"), dict):
        msg = f"{path}: expected a mapping with 'version' and 'values'"
        raise UnitPriceError(msg)
    values = data["values"]
    problems = []
    for key in _REQUIRED:
        entry = values.get(key)
        if not isinstance(entry, dict) or not _finite(entry.get("value")):
            problems.append(f"{key}: missing or not a number")
            continue
        if not entry.get("source"):
            problems.append(f"{key}: no source")
        ranged = _finite(entry.get("low")) and _finite(entry.get("high"))
        if entry.get("assumption") and not ranged:
            problems.append(f"{key}: an assumption needs low and high")
    kinds = data.get("kinds") or {}
    if "default" not in kinds:
        problems.append("kinds: no 'default' entry")
    if "version" not in data:
        problems.append("version: missing")
    if problems:
        msg = f"{path}: invalid unit prices: " + "; ".join(problems)
        raise UnitPriceError(msg)
    return UnitPrices(str(data["version"]), int(data.get("price_year_base", 2024)), values,
                      kinds, str(path))


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def load_unit_prices(path: str | Path | None = None) -> UnitPrices:
    """Read (and check) the unit-price file; default ``geodata/unit_prices.yaml``.

    Raises
    ------
    UnitPriceError
        Unreadable file, a required value missing, a value without a source, or an assumption
        without a low/high range.
    """
    return _load(str(path if path is not None else _default_path()))


# --------------------------------------------------------------------------------------------
# Discounting


def discount_factors(n_years: int, prices: UnitPrices) -> np.ndarray:
    """Discount factors for years ``0..n_years-1`` (year 0 = 1): year ``t`` is discounted with
    the rate in force in year ``t`` (3.5 % in years 1-35, 2.5 % in 36-70, 1.5 % after)."""
    rates = np.empty(max(n_years - 1, 0))
    t = np.arange(1, n_years)
    rates[:] = np.where(t <= 35, prices.raw("discount_rate_pct_0_35"),
                        np.where(t <= 70, prices.raw("discount_rate_pct_36_70"),
                                 prices.raw("discount_rate_pct_after_70"))) / 100.0
    return np.concatenate([[1.0], np.cumprod(1.0 / (1.0 + rates))])


def npv_at_flat_rate(stream: Sequence[float] | np.ndarray, rate: float) -> float:
    """Present value of ``stream`` (year 0 first) at one flat rate (a fraction)."""
    s = np.asarray(stream, dtype=float)
    return float(np.sum(s / (1.0 + rate) ** np.arange(len(s))))


def irr(stream: Sequence[float] | np.ndarray) -> float | None:
    """Internal rate of return (a fraction): the flat rate at which the stream's NPV is 0.

    None when the stream does not change sign or no root lies between -90 % and +1000 %.
    """
    s = np.asarray(stream, dtype=float)
    if not (np.any(s > 0) and np.any(s < 0)):
        return None
    grid = np.concatenate([np.linspace(-0.9, 0.3, 121), np.linspace(0.31, 10.0, 200)])
    # the NPV at every grid rate in one array operation (as npv_at_flat_rate, row by row)
    values = np.sum(s[None, :] / (1.0 + grid[:, None]) ** np.arange(len(s))[None, :], axis=1)
    # the root nearest to zero from the left of the usual (costs first) shape
    sign = np.sign(values)
    idx = np.flatnonzero(sign[:-1] * sign[1:] < 0)
    if idx.size == 0:
        return None
    k = int(idx[0])
    return float(brentq(lambda r: npv_at_flat_rate(s, r), grid[k], grid[k + 1], xtol=1e-12))


# --------------------------------------------------------------------------------------------
# Investments


@dataclass(frozen=True)
class Investment:
    """One construction: cost (million DKK, catalogue prices), years to build, asset lifetime,
    and reinvestment (a share of the cost every ``reinvest_every`` years of operation)."""

    cost_mdkk: float
    construction_years: int
    lifetime_years: float
    reinvest_share: float = 0.0
    reinvest_every: int = 0
    co2_construction_t: float = 0.0


def investment_for(init: Any, prices: UnitPrices, *,
                   cost_mdkk: float | None = None) -> Investment | None:
    """The investment of an initiative from the catalogue (None when its cost is unknown)."""
    cost = init.cost_mdkk if cost_mdkk is None else cost_mdkk
    if cost is None:
        return None
    k = prices.kind(init.kind)
    co2 = init.co2_construction_t
    return Investment(
        cost_mdkk=float(cost),
        construction_years=int(prices.overrides.get(f"kind.{init.kind}.construction_years",
                                                    k["construction_years"])),
        lifetime_years=float(prices.overrides.get(f"kind.{init.kind}.lifetime_years",
                                                  k["lifetime_years"])),
        reinvest_share=float(k.get("reinvest_share", 0.0)),
        reinvest_every=int(k.get("reinvest_every", 0)),
        co2_construction_t=0.0 if co2 is None else (co2.min + co2.max) / 2.0,
    )


# --------------------------------------------------------------------------------------------
# The CBA


@dataclass(frozen=True)
class CbaResult:
    """The outcome of :func:`cba` (money in million DKK, present values at year 0).

    ``benefits_mdkk`` holds every non-investment component (:data:`BENEFIT_COMPONENTS`; costs
    such as PT operation are negative benefits); ``costs_mdkk`` the investment (construction
    plus reinvestment minus residual value, market prices). ``npv_mdkk = sum(benefits) -
    costs`` and ``bcr = sum(benefits) / costs``. ``*_co2_high`` use the high CO2 price path.
    Where the investment is unknown, ``npv_mdkk``, ``bcr``, ``irr_pct`` and
    ``first_year_return_pct`` are None and ``npv_before_investment_mdkk`` holds the rest.
    """

    npv_mdkk: float | None
    bcr: float | None
    irr_pct: float | None
    first_year_return_pct: float | None
    costs_mdkk: float | None
    benefits_mdkk: dict[str, float]
    npv_before_investment_mdkk: float
    npv_mdkk_co2_high: float | None
    bcr_co2_high: float | None
    public_money_mdkk: float
    npv_per_public_krone: float | None
    opening_year: int
    investment_known: bool
    effects_source: str
    unit_prices_version: str
    first_year_benefits_mdkk: dict[str, float] = field(default_factory=dict)
    net_stream_mdkk: tuple[float, ...] = field(default=(), repr=False)
    co2_t_per_year_change: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types (the keys of ``mobility cba --json``)."""
        from ._util import jsonable

        return jsonable({k: getattr(self, k) for k in (
            "npv_mdkk", "bcr", "irr_pct", "first_year_return_pct", "costs_mdkk",
            "benefits_mdkk", "npv_before_investment_mdkk", "npv_mdkk_co2_high",
            "bcr_co2_high", "public_money_mdkk", "npv_per_public_krone", "opening_year",
            "investment_known", "effects_source", "unit_prices_version",
            "first_year_benefits_mdkk")})  # type: ignore[no-any-return]


#: Rail modes with their own operating-cost price (``rail_operating_cost_per_train_km_<mode>``);
#: every other rail mode is priced at ``rail_operating_cost_per_train_km`` (S-tog).
RAIL_COST_MODES: tuple[str, ...] = ("regional",)


def _rail_operating_cost(effects: Mapping[str, Any], train_km: float, days: float,
                         prices: UnitPrices) -> float:
    """Yearly rail operating cost change (DKK, factor prices): train-km by mode at the mode's
    price where the effects state the modes, else all train-km at the default (S-tog) price."""
    default = prices.value("rail_operating_cost_per_train_km")
    by_mode = effects.get("train_km_by_mode_per_day") or {}
    if not by_mode:
        return train_km * default
    return sum(float(km) * days * (prices.value(f"rail_operating_cost_per_train_km_{m}")
                                   if m in RAIL_COST_MODES else default)
               for m, km in by_mode.items())


def _per_year(effects: Mapping[str, Any], prices: UnitPrices,
              co2_price: float) -> tuple[dict[str, float], dict[str, float]]:
    """Yearly benefit components in DKK (first year of operation), and the public-money parts
    (DKK per year: operating costs and revenues, market prices)."""
    days = effects.get("annualisation_days") or prices.value("annualisation_days")
    naf = prices.value("net_tax_factor")
    v: dict[str, float] = dict.fromkeys(BENEFIT_COMPONENTS, 0.0)
    mins = effects.get("minutes_by_purpose") or {}
    for p in PURPOSES:
        v[f"time_{p}"] = float(mins.get(p, 0.0)) / 60.0 * prices.value(f"value_of_time_{p}") * days
    car_km = float(effects.get("car_km_per_day", 0.0)) * days
    bus_km = float(effects.get("bus_km_per_day", 0.0)) * days
    train_km = float(effects.get("train_km_per_day", 0.0)) * days
    fares = float(effects.get("fare_revenue_dkk_per_day", 0.0)) * days
    charges = float(effects.get("road_charge_revenue_dkk_per_day", 0.0)) * days
    v["vehicle_operating_costs"] = -car_km * prices.value("car_operating_cost_per_km")
    v["fares_users"] = -fares
    v["fares_operator"] = fares
    v["road_charges_users"] = -charges
    v["road_charges_public"] = charges
    if effects.get("money_rule_of_half"):
        # The demand model's rule of half on the money costs: travellers who keep their trip
        # pay the whole change, deterred and attracted trips count half. The change in money
        # SPENT (car-km x cost, fares paid) is not the users' loss or gain: a trip given up
        # saves its car cost but loses the trip's benefit. Road charges: the users' side is the
        # revenue (paid by those who keep driving); the rest of the car money benefit is the
        # operating cost (and parking) line, so the two add up to the rule of half.
        car_money = float(effects.get("car_money_user_benefit_dkk_per_day", 0.0)) * days
        v["fares_users"] = float(effects.get("fare_user_benefit_dkk_per_day", 0.0)) * days
        v["vehicle_operating_costs"] = car_money + charges
    op_cost = (bus_km * prices.value("bus_operating_cost_per_km")
               + _rail_operating_cost(effects, train_km, days, prices)) * naf
    v["pt_operating_costs"] = -op_cost
    v["co2_operation"] = -float(effects.get("co2_t_per_year", 0.0)) * co2_price
    accident_price = prices.value("car_accident_cost_per_km")
    noise_price = prices.value("car_noise_cost_per_km")
    v["accidents"] = -car_km * accident_price
    v["noise"] = -car_km * noise_price
    # speed (power model, docs/appraisal.md): the change in risk and in noise emission on the
    # km that remain, at the same per-km prices (the car-km terms above hold the risk constant)
    v["accidents_speed"] = -float(effects.get("speed_accident_vehicle_km_per_day", 0.0)) * (
        days * accident_price)
    v["noise_speed"] = -float(effects.get("speed_noise_db_vehicle_km_per_day", 0.0)) * (
        days * noise_price * prices.value("noise_cost_change_pct_per_db") / 100.0)
    v["air_pollution"] = -car_km * prices.value("car_air_pollution_cost_per_km")
    v["bus_external_costs"] = -bus_km * prices.value("bus_external_cost_per_km")
    bike = float(effects.get("bike_km_per_day", 0.0))
    walk = float(effects.get("walk_km_per_day", 0.0))
    v["health"] = (bike * prices.value("health_benefit_per_bike_km")
                   + walk * prices.value("health_benefit_per_walk_km")) * days
    public = {"operating": op_cost, "revenue": fares + charges}
    return v, public


def cba(
    effects: Mapping[str, Any], investments: Sequence[Investment | None],
    prices: UnitPrices | None = None, *, with_irr: bool = True,
) -> CbaResult:
    """Cost-benefit analysis of one scenario.

    Parameters
    ----------
    effects : mapping
        The scenario's effects as read by :func:`mobility.appraisal._effects.read_effects`
        (weekday quantities; zero = no change).
    investments : sequence of Investment or None
        One per member; None = unknown cost (then NPV, BCR and IRR are None).
    prices : UnitPrices, optional
        Default :func:`load_unit_prices`.
    with_irr : bool
        Compute the IRR (the slow part; the sensitivity runs skip it).
    """
    prices = load_unit_prices() if prices is None else prices
    known = [i for i in investments if i is not None]
    investment_known = len(known) == len(investments) and bool(investments)
    n_op = int(prices.raw("appraisal_period_years"))
    c_years = max([i.construction_years for i in known], default=0)
    horizon = c_years + n_op
    df = discount_factors(horizon, prices)
    naf = prices.value("net_tax_factor")
    index = (1.0 + prices.raw("price_index_growth_pct") / 100.0) ** (
        prices.price_year_base - prices.raw("cost_price_year"))
    overrun = prices.raw("cost_overrun_factor")
    # investment stream (DKK, market prices): construction, reinvestment, minus residual value
    inv = np.zeros(horizon)
    co2_built = np.zeros(horizon)
    for i in known:
        total = i.cost_mdkk * 1e6 * overrun * index * naf
        start = c_years - i.construction_years
        if i.construction_years > 0:
            inv[start:c_years] += total / i.construction_years
            co2_built[start:c_years] += i.co2_construction_t / i.construction_years
        else:
            co2_built[0] += i.co2_construction_t
        vintages = [(c_years, 1.0)]
        if i.reinvest_every > 0 and i.reinvest_share > 0:
            y = c_years + i.reinvest_every
            while y < horizon:
                inv[y] += total * i.reinvest_share
                vintages.append((y, i.reinvest_share))
                y += i.reinvest_every
        residual = sum(share * max(0.0, 1.0 - (horizon - y) / i.lifetime_years)
                       for y, share in vintages)
        inv[horizon - 1] -= total * residual
    growth = 1.0 + prices.raw("value_of_time_real_growth_pct") / 100.0
    op_years = np.arange(n_op)
    time_growth = growth ** op_years

    def streams(co2_price: float) -> tuple[dict[str, np.ndarray], dict[str, float], np.ndarray]:
        per, public = _per_year(effects, prices, co2_price)
        out = {}
        for key in BENEFIT_COMPONENTS:
            s = np.zeros(horizon)
            s[c_years:] = per[key] * (time_growth if key.startswith("time_") else 1.0)
            out[key] = s
        out["co2_construction"] = -co2_built * co2_price
        pub = inv.copy()
        pub[c_years:] += public["operating"] - public["revenue"]
        tdf = prices.value("tax_distortion_factor")
        out["tax_distortion"] = -(tdf - 1.0) * pub
        return out, per, pub

    price_low = prices.value("co2_price_low")
    s_low, first, pub = streams(price_low)
    benefits = {k: float(np.dot(s_low[k], df)) / 1e6 for k in BENEFIT_COMPONENTS}
    total_b = sum(benefits.values())
    costs = float(np.dot(inv, df)) / 1e6
    public_pv = float(np.dot(pub, df)) / 1e6
    s_high, _, _ = streams(prices.value("co2_price_high"))
    total_b_high = sum(float(np.dot(s_high[k], df)) / 1e6 for k in BENEFIT_COMPONENTS)
    first_year = {k: first[k] / 1e6 for k in BENEFIT_COMPONENTS if k != "tax_distortion"}
    first_year["tax_distortion"] = float(s_low["tax_distortion"][c_years]) / 1e6 if n_op else 0.0
    npv = bcr = irr_pct = fyr = npv_high = bcr_high = None
    net = sum(s_low.values()) - inv
    if investment_known:
        npv = total_b - costs
        npv_high = total_b_high - costs
        if costs > 0:
            bcr = total_b / costs
            bcr_high = total_b_high / costs
            construction = float(inv[:c_years].sum()) if c_years else float(inv[0])
            if construction > 0:
                fyr = 100.0 * sum(first_year.values()) * 1e6 / construction
        r = irr(net) if with_irr else None
        irr_pct = None if r is None else 100.0 * r
    per_krone = npv / public_pv if npv is not None and public_pv > 0 else None
    return CbaResult(
        npv_mdkk=npv, bcr=bcr, irr_pct=irr_pct, first_year_return_pct=fyr,
        costs_mdkk=costs if investment_known else None, benefits_mdkk=benefits,
        npv_before_investment_mdkk=total_b, npv_mdkk_co2_high=npv_high,
        bcr_co2_high=bcr_high, public_money_mdkk=public_pv, npv_per_public_krone=per_krone,
        opening_year=c_years, investment_known=investment_known,
        effects_source=str(effects.get("source", "")), unit_prices_version=prices.version,
        first_year_benefits_mdkk=first_year,
        net_stream_mdkk=tuple(float(x) / 1e6 for x in net),
        co2_t_per_year_change=float(effects.get("co2_t_per_year", 0.0)),
    )


#: Labels of the benefit components (Danish, English).
COMPONENT_LABELS: dict[str, tuple[str, str]] = {
    "time_commute": ("Tidsgevinster, pendling", "Time benefits, commuting"),
    "time_business": ("Tidsgevinster, erhverv", "Time benefits, business"),
    "time_other": ("Tidsgevinster, øvrige ture", "Time benefits, other trips"),
    "vehicle_operating_costs": ("Kørselsomkostninger", "Vehicle operating costs"),
    "fares_users": ("Billetindtægter, trafikanter", "Fares, users"),
    "fares_operator": ("Billetindtægter, operatør", "Fares, operator"),
    "road_charges_users": ("Vejafgifter, trafikanter", "Road charges, users"),
    "road_charges_public": ("Vejafgifter, det offentlige", "Road charges, public"),
    "pt_operating_costs": ("Driftsomkostninger, kollektiv trafik", "PT operating costs"),
    "co2_operation": ("CO2, drift", "CO2, operation"),
    "co2_construction": ("CO2, anlæg", "CO2, construction"),
    "accidents": ("Uheld", "Accidents"),
    "accidents_speed": ("Uheld, ændret hastighed", "Accidents, speed change"),
    "noise": ("Støj", "Noise"),
    "noise_speed": ("Støj, ændret hastighed", "Noise, speed change"),
    "air_pollution": ("Luftforurening", "Air pollution"),
    "bus_external_costs": ("Eksterne omkostninger, bus", "External costs, buses"),
    "health": ("Sundhed (gang og cykel)", "Health (walking and cycling)"),
    "tax_distortion": ("Skatteforvridning", "Tax distortion"),
}
