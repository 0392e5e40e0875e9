"""Weights: presets, files, mappings, and every bad input."""

from __future__ import annotations

import pytest

from mobility import settings
from mobility.appraisal import WEIGHT_PRESETS, load_weights
from mobility.errors import WeightsError
from mobility.schema import INDICATOR_KEYS
from tests.conftest import DATA_DIR

APPRAISAL_DATA = DATA_DIR / "appraisal"


@pytest.mark.parametrize("preset", sorted(WEIGHT_PRESETS))
def test_presets_cover_every_indicator(preset: str) -> None:
    weights = load_weights(preset)
    assert list(weights) == list(INDICATOR_KEYS)
    assert all(w >= 0 for w in weights.values()) and any(weights.values())


def test_file_with_weights_key_and_missing_keys_zero() -> None:
    weights = load_weights(APPRAISAL_DATA / "weights-ok.yaml")
    assert weights["accessibility"] == 2.0
    assert weights["socioeconomics"] == 0.0


def test_mapping_is_not_mutated() -> None:
    given = {"accessibility": 1}
    load_weights(given)
    assert given == {"accessibility": 1}


def test_presets_are_read_at_call_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "WEIGHT_PRESETS", {"mine": {"public_health": 1.0}})
    assert load_weights("mine")["public_health"] == 1.0


@pytest.mark.parametrize(
    ("weights", "match"),
    [
        ({k: 0 for k in INDICATOR_KEYS}, "all weights are zero"),
        (APPRAISAL_DATA / "weights-zero.yaml", "all weights are zero"),
        ({"accessibility": -1, "co2_operation": 1}, "must not be negative, got -1"),
        (APPRAISAL_DATA / "weights-negative.yaml", r"weights-negative.yaml.*must not be negative"),
        ("no_such_preset", "unknown weight preset or file 'no_such_preset'; presets: equal"),
        ({"acessibility": 1}, "unknown indicator 'acessibility'"),
        ({"accessibility": "high"}, "weight must be a number, got 'high'"),
        ({"accessibility": float("nan")}, "must be finite"),
        (APPRAISAL_DATA / "weights-malformed.yaml", "malformed YAML"),
    ],
)
def test_bad_weights(weights: object, match: str) -> None:
    with pytest.raises(WeightsError, match=match):
        load_weights(weights)  # type: ignore[arg-type]


def test_all_problems_reported_at_once() -> None:
    with pytest.raises(WeightsError, match=r"unknown indicator 'x'.*must not be negative"):
        load_weights({"x": 1, "accessibility": -2})
