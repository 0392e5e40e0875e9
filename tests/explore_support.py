"""A fast, deterministic stand-in for the network engine for the explorer's tests.

Results carry everything the explorer reads from a ``ScenarioResult``: ``ids``, ``excluded``,
``person_minutes_saved_per_day``, ``municipalities``, ``municipalities_gaining`` and ``zones``
(per 1 km cell, with the real cell ids of the model), plus optionally ``effects`` (the demand
model's figures) to check that they appear once present.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .appraisal_support import FakeNetwork


@dataclass(frozen=True)
class FakeScenario:
    ids: tuple[int, ...]
    excluded: dict[int, str]
    person_minutes_saved_per_day: float
    municipalities: pd.DataFrame = field(repr=False)
    municipalities_gaining: list[str]
    zones: pd.DataFrame = field(repr=False)
    effects: dict[str, Any] | None = None


class FakeExplorerNetwork:
    """Each representable initiative ``i`` saves ``100 * i`` person-minutes per day and changes
    accessibility by ``0.1 * i`` percent in the first ``n_cells`` cells of the model.

    ``delay_s[ids]`` makes the evaluation of that set of ids sleep (to overlap requests);
    ``calls[ids]`` counts evaluations; ``effects=True`` adds demand-model style effects.
    """

    def __init__(self, initiatives: Mapping[int, Any], *, n_cells: int = 40,
                 delay_s: Mapping[tuple[int, ...], float] | None = None,
                 effects: bool = False) -> None:
        from mobility.network import study_zones

        excluded = [i for i, init in initiatives.items()
                    if not (getattr(init, "network", None) or {}).get("representable")]
        self._inner = FakeNetwork({i: 100.0 * i for i in initiatives}, excluded=excluded)
        self.cell_ids = list(study_zones()["cell_id"].astype(str)[:n_cells])
        self.delay_s = dict(delay_s or {})
        self.effects = effects
        self.calls: dict[tuple[int, ...], int] = {}
        self._lock = threading.Lock()

    def __call__(self, ids: Iterable[int]) -> FakeScenario:
        key = tuple(sorted(set(ids)))
        with self._lock:
            self.calls[key] = self.calls.get(key, 0) + 1
        if key in self.delay_s:
            time.sleep(self.delay_s[key])
        r = self._inner(key)
        change = 0.1 * sum(r.ids)
        zones = pd.DataFrame({"cell_id": self.cell_ids,
                              "accessibility_change_pct": [change] * len(self.cell_ids),
                              "mean_time_change_min": [-change] * len(self.cell_ids)})
        effects = ({"extra_pt_trips_per_day": 10.0 * sum(r.ids),
                    "co2_operation_t_per_year_change": -1.0 * sum(r.ids)}
                   if self.effects else None)
        return FakeScenario(r.ids, r.excluded, r.person_minutes_saved_per_day,
                            r.municipalities, r.municipalities_gaining, zones, effects)
