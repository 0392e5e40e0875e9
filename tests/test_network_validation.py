"""Validation: timetable journey times, and each initiative's stated effect on its corridor."""

from __future__ import annotations

from typing import Any

import pytest

from mobility.catalogue import read_initiatives
from mobility.network.validation import measure_effect, timetable_errors

EXCLUDED = {9, 18, 19, 20, 21, 22}  # 26 and 33 representable since issue 10


def _effects() -> list[tuple[int, int, dict[str, Any]]]:
    out = []
    for iid, init in sorted(read_initiatives().items()):
        for k, eff in enumerate((init.network or {}).get("effect") or []):
            out.append((iid, k, eff))
    return out


def test_timetable_pairs_within_tolerance() -> None:
    table = timetable_errors()
    assert len(table) >= 15
    bad = table[~table["ok"]]
    assert bad.empty, bad[["from", "to", "timetable_min", "model_min"]].to_string()
    assert table["error_pct"].abs().mean() < 10.0


def test_every_initiative_says_whether_it_is_representable(catalogue) -> None:  # type: ignore[no-untyped-def]
    assert len(catalogue) == 33
    excluded = {i for i, init in catalogue.items() if not init.network["representable"]}
    assert excluded == EXCLUDED
    for i in excluded:
        assert len(catalogue[i].network["reason"]) > 20


def test_every_travel_time_initiative_states_an_effect(catalogue) -> None:  # type: ignore[no-untyped-def]
    with_effect = {iid for iid, _, _ in _effects()}
    # those with a number on the catalogue page (travel time or departures an hour)
    assert {1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 15, 16, 17, 25} <= with_effect


@pytest.mark.parametrize(("iid", "k", "effect"), _effects(),
                         ids=[f"{i}-{k}" for i, k, _ in _effects()])
def test_stated_effect_is_reproduced(iid: int, k: int, effect: dict[str, Any],
                                     catalogue) -> None:  # type: ignore[no-untyped-def]
    res = measure_effect(iid, effect, catalogue)
    assert res["ok"], res
