"""The appraisal on the real network engine and the shipped data (slow: builds the base)."""

from __future__ import annotations

import pytest

from mobility.appraisal import evaluate_bundle, score_initiatives
from mobility.appraisal._network import NetworkEffects, effects_for
from mobility.catalogue import read_initiatives
from tests.appraisal_support import small_catalogue, small_network

pytestmark = pytest.mark.filterwarnings("ignore::mobility.errors.MobilityWarning")


def test_effects_are_cached_per_set_of_ids() -> None:
    net = small_network()
    effects = effects_for(net, small_catalogue())
    assert isinstance(effects, NetworkEffects)
    effects.effect([2, 1])
    effects.effect([1, 2])
    assert net.calls == 1


@pytest.mark.slow
def test_real_network_on_shipped_data(tmp_path: pytest.TempPathFactory,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOBILITY_CACHE_DIR", str(tmp_path))
    inits = read_initiatives()
    table = score_initiatives(inits, network=True, stars="blend")
    assert len(table) == 33
    represented = table["network_excluded"].isna()
    # what the network cannot represent is missing, never zero
    assert table.loc[~represented, "person_minutes_saved_per_day"].isna().all()
    result = evaluate_bundle("brt-network", initiatives=inits, network=True)
    assert result.cost_mdkk == 7070
    members = set(result.initiatives) - set(result.network_excluded)
    if members:
        assert result.synergy_person_minutes == pytest.approx(
            result.person_minutes_saved_per_day - result.sum_of_singles_person_minutes)
        assert result.incidence is not None and len(result.incidence) > 0
    else:
        assert result.person_minutes_saved_per_day is None
