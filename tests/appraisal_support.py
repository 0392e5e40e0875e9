"""Helpers for the appraisal tests: a fast fake network engine and initiatives built in code."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from mobility import settings
from mobility.schema import INDICATOR_KEYS, TABLE_INDICATOR_KEYS, Initiative

MUNICIPALITIES = {101: "København", 147: "Frederiksberg", 151: "Ballerup", 157: "Gentofte",
                  219: "Hillerød"}


@dataclass(frozen=True)
class FakeResult:
    """The parts of mobility.network.ScenarioResult the appraisal reads."""

    ids: tuple[int, ...]
    excluded: dict[int, str]
    person_minutes_saved_per_day: float
    municipalities: pd.DataFrame = field(repr=False)
    municipalities_gaining: list[str]
    effects: dict[str, Any] = field(default_factory=dict)


#: Effects of a fake initiative per person-minute saved per day (the demand contract's keys):
#: a fixed, simple scaling so that the CBA of a fake scenario can be computed by hand.
FAKE_EFFECTS_PER_MINUTE: dict[str, float] = {
    "extra_pt_trips_per_day": 0.02,
    "car_vehicle_km_change_per_day": -0.1,
    "bus_vehicle_km_change_per_day": 0.0,
    "rail_train_km_change_per_day": 0.001,
    "walk_km_change_per_day": 0.01,
    "bike_km_change_per_day": 0.02,
    "co2_operation_t_per_year_change": -0.005,
    "fare_revenue_change_dkk_per_day": 0.05,
    "car_operating_cost_change_dkk_per_day": -0.15,
    "road_charge_revenue_change_dkk_per_day": 0.0,
}
#: Purpose split of the fake person-minutes.
FAKE_PURPOSE_SHARES: dict[str, float] = {"commute": 0.4, "business": 0.1, "other": 0.5}


def fake_effects(person_minutes: float, annualisation_days: float = 300.0) -> dict[str, Any]:
    """``ScenarioResult.effects`` of a fake scenario saving ``person_minutes`` per day."""
    out: dict[str, Any] = {k: v * person_minutes for k, v in FAKE_EFFECTS_PER_MINUTE.items()}
    out["annualisation_days"] = annualisation_days
    out["person_minutes_saved_per_day"] = person_minutes
    out["person_minutes_saved_by_purpose"] = {
        p: s * person_minutes for p, s in FAKE_PURPOSE_SHARES.items()}
    out["new_line_boardings_per_day"] = 0.02 * person_minutes
    base = {"walk": 1e6, "bike": 1e6, "pt": 1e6, "car": 2e6}
    extra = out["extra_pt_trips_per_day"]
    out["trips_by_mode_base"] = base
    out["trips_by_mode_scenario"] = {**base, "pt": base["pt"] + extra,
                                     "car": base["car"] - extra}
    out["user_benefit_mdkk_per_year"] = person_minutes / 60 * 105 * annualisation_days / 1e6
    return out


class FakeNetwork:
    """Deterministic stand-in for ``mobility.network.evaluate_scenario``.

    Each representable initiative saves ``base[id]`` person-minutes per day, spread over the
    municipalities ``reach[id]`` (default: all). ``pairs[(a, b)]`` is added (synergy, or
    subtracted if negative) when both are in the scenario, spread over all municipalities.
    ``calls`` counts evaluations.
    """

    def __init__(
        self, base: Mapping[int, float], *, excluded: Iterable[int] = (),
        pairs: Mapping[tuple[int, int], float] | None = None,
        reach: Mapping[int, Sequence[int]] | None = None,
    ) -> None:
        self.base = dict(base)
        self.excluded = set(excluded)
        self.pairs = dict(pairs or {})
        self.reach = dict(reach or {})
        self.calls = 0

    def __call__(self, ids: Iterable[int]) -> FakeResult:
        self.calls += 1
        ids = tuple(sorted(set(ids)))
        excluded = {i: "not representable (fake)" for i in ids if i in self.excluded}
        used = [i for i in ids if i not in excluded]
        codes = list(MUNICIPALITIES)
        per = dict.fromkeys(codes, 0.0)
        for i in used:
            where = list(self.reach.get(i, codes))
            for code in where:
                per[code] += self.base.get(i, 0.0) / len(where)
        for (a, b), extra in self.pairs.items():
            if a in used and b in used:
                for code in codes:
                    per[code] += extra / len(codes)
        frame = pd.DataFrame({
            "name": [MUNICIPALITIES[c] for c in codes],
            "population": [100_000.0] * len(codes),
            "accessibility_base": [1.0] * len(codes),
            "accessibility_scenario": [1.0 + per[c] / 1e6 for c in codes],
            "accessibility_change_pct": [per[c] / 1e4 for c in codes],
            "person_minutes_saved_per_day": [per[c] for c in codes],
            "gains": [per[c] > 0 for c in codes],
        }, index=pd.Index(codes, name="municipality_code"))
        gaining = frame[frame["gains"]].sort_values("person_minutes_saved_per_day",
                                                    ascending=False)
        total = float(sum(per.values()))
        return FakeResult(tuple(used), excluded, total, frame, list(gaining["name"]),
                          fake_effects(total))


def make_initiative(
    ident: int, stars: Mapping[str, int | None] | Sequence[int | None], *,
    cost_mdkk: float | None = 100.0, prerequisites: Sequence[int] = (),
    conflicts: Sequence[int] = (), overlaps: Sequence[int] = (),
    inferred: Sequence[str] = (), co2: tuple[float, float] | None = None,
    co2_text: str | None = None, passengers: float | None = None,
) -> Initiative:
    """A valid Initiative built in code (geometry spec only: no geodata needed)."""
    if not isinstance(stars, Mapping):
        stars = dict(zip(INDICATOR_KEYS, stars, strict=True))
    socio = stars.get("socioeconomics")
    if socio is None:
        socioeconomics: dict[str, Any] = {"status": "not_calculated"}
    elif socio == 0:
        socioeconomics = {"status": "not_profitable"}
    else:
        socioeconomics = {"status": "irr",
                          "irr_pct": settings.IRR_STAR_THRESHOLDS_PCT[int(socio) - 1]}
    data: dict[str, Any] = {
        "id": ident, "name": f"Indsats {ident}", "name_en": f"Initiative {ident}",
        "theme": "public_transport", "kind": "brt", "description": "Test.",
        "cost_mdkk": cost_mdkk, "socioeconomics": socioeconomics,
        "ratings": {k: ("n/a" if stars.get(k) is None else int(stars[k]))
                    for k in TABLE_INDICATOR_KEYS},
        "inferred_ratings": list(inferred),
        "prerequisites": list(prerequisites),
        "conflicts": [{"id": c, "note": f"konflikt {ident}-{c}"} for c in conflicts],
        "overlaps": [{"id": o, "note": f"overlap {ident}-{o}"} for o in overlaps],
        "geometry": {"type": "points", "at": [[12.5, 55.7]]},
    }
    if co2 is not None:
        data["co2_construction_t"] = {"min": co2[0], "max": co2[1]}
    if co2_text is not None:
        data["rating_texts"] = {"co2_operation": co2_text}
    if passengers is not None:
        data["passengers"] = {"extra_per_day": passengers}
    return Initiative.model_validate(data)


def small_catalogue() -> dict[int, Initiative]:
    """Six initiatives: a prerequisite chain (3 needs 2), an overlap (4-5), a conflict (5-6),
    one unknown cost (6), inferred ratings (1) and a known CO2 payback (1)."""
    return {
        1: make_initiative(1, [3, 4, 1, 1, 4, None], cost_mdkk=1300, inferred=["co2_operation"],
                           co2=(40_000, 60_000), co2_text="ca. 500 tons CO2 årligt",
                           passengers=3000),
        2: make_initiative(2, [2, 5, 1, 1, 4, 0], cost_mdkk=11_000, co2=(120_000, 200_000)),
        3: make_initiative(3, [2, 4, 1, 1, 4, 0], cost_mdkk=8000, prerequisites=[2],
                           co2=(90_000, 140_000), passengers=16_000),
        4: make_initiative(4, [2, 4, 1, 1, 4, None], cost_mdkk=800, overlaps=[5]),
        5: make_initiative(5, [3, 4, 1, 1, 4, None], cost_mdkk=2400, overlaps=[4],
                           conflicts=[6]),
        6: make_initiative(6, [5, None, 3, 4, 3, 0], cost_mdkk=None, conflicts=[5]),
    }


def small_network() -> FakeNetwork:
    """A fake network for :func:`small_catalogue`: 6 cannot be represented; 4 and 5 compete
    (negative synergy); 1 and 2 reinforce each other."""
    return FakeNetwork(
        {1: 30_000, 2: 120_000, 3: 90_000, 4: 40_000, 5: 50_000},
        excluded=[6], pairs={(1, 2): 10_000, (4, 5): -15_000},
        reach={1: [101, 147], 4: [151]},
    )
