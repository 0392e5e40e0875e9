"""Rules for unassessed indicators (--missing), coverage, ties, and bundles from their scenario."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner

from mobility import settings
from mobility.appraisal import aggregate, evaluate_bundle, score_initiatives
from mobility.cli import cli
from tests.appraisal_support import make_initiative, small_catalogue, small_network

# three initiatives, one indicator unassessed for the first
STARS = np.array([[np.nan, 4.0, 4.0, 4.0, 4.0, 4.0],
                  [2.0, 2.0, 2.0, 2.0, 2.0, 2.0],
                  [5.0, 3.0, 3.0, 3.0, 3.0, 3.0]])
W = np.ones(6)


def test_exclude_rule_renormalises_over_the_assessed() -> None:
    assert aggregate(STARS, W, rule="exclude")[0] == pytest.approx(4.0)
    assert aggregate(STARS, W, rule="renormalise")[0] == pytest.approx(4.0)  # old name


def test_zero_rule_counts_unassessed_as_zero() -> None:
    assert aggregate(STARS, W, rule="zero")[0] == pytest.approx(20 / 6)


def test_mean_rule_counts_unassessed_as_the_indicators_mean() -> None:
    # the mean of the assessed on indicator 1 is (2 + 5) / 2 = 3.5
    assert aggregate(STARS, W, rule="mean")[0] == pytest.approx((3.5 + 20) / 6)
    # an indicator nobody is assessed on is left out for all
    none = STARS.copy()
    none[:, 0] = np.nan
    assert aggregate(none, W, rule="mean")[1] == pytest.approx(2.0)


def test_default_rule_is_mean_and_missing_no_longer_beats_bad() -> None:
    assert settings.NOT_ASSESSABLE_RULE == "mean"
    inits = {1: make_initiative(1, [4, 4, 4, 4, 4, None]),   # socio-economics not calculated
             2: make_initiative(2, [4, 4, 4, 4, 4, 0]),      # not profitable
             3: make_initiative(3, [3, 3, 3, 3, 3, 5])}
    table = score_initiatives(inits, network=False)
    # with "exclude", 1 scores 4.0 and beats 2 (3.33) by not being assessed; with "mean" the
    # gap closes to the mean socio-economics stars (2.5)
    old = score_initiatives(inits, network=False, rule="exclude")
    assert old.loc[1, "score"] == pytest.approx(4.0)
    assert table.loc[1, "score"] == pytest.approx((20 + 2.5) / 6)
    assert table.loc[1, "coverage"] == "5 of 6"


def test_low_coverage_never_ranked_first_under_any_rule() -> None:
    inits = small_catalogue()
    inits[7] = make_initiative(7, [5, None, None, None, None, None], cost_mdkk=10)
    for rule in ("mean", "zero", "exclude"):
        table = score_initiatives(inits, network=False, rule=rule)
        assert bool(table.loc[7, "low_coverage"])
        assert table.loc[7, "rank"] == len(inits)
        assert table.iloc[0]["id"] != 7


def test_ties_share_a_rank() -> None:
    inits = {i: make_initiative(i, [3, 3, 3, 3, 3, 3]) for i in (1, 2)}
    inits[3] = make_initiative(3, [1, 1, 1, 1, 1, 1])
    table = score_initiatives(inits, network=False)
    assert list(table["rank"]) == [1, 1, 3]
    assert list(table["tied"]) == [True, True, False]


def test_cli_missing_option() -> None:
    runner = CliRunner()
    out = {}
    for rule in ("mean", "zero", "exclude"):
        res = runner.invoke(cli, ["score", "--missing", rule, "--format", "json"])
        assert res.exit_code == 0, res.output
        out[rule] = res.output
    assert out["mean"] != out["exclude"]
    assert runner.invoke(cli, ["score", "--missing", "best"]).exit_code == 2


def test_bundle_indicators_come_from_the_bundle_scenario() -> None:
    inits, net = small_catalogue(), small_network()
    result = evaluate_bundle([1, 2], initiatives=inits, network=net)
    assert result.stars_source == "bundle_scenario"
    # the bundle's user benefit is that of its own scenario (160,000 person-minutes: 1 + 2 +
    # their 10,000 synergy), not the best member's
    per_min = 20.475 / 30_000  # million DKK per year per person-minute/day (the fake's split)
    assert result.model_values["user_benefit_mdkk_per_year"] == pytest.approx(160_000 * per_min)
    assert result.cba is not None and result.cba["npv_mdkk"] is not None
    assert result.synergy_mdkk_per_year is not None and result.synergy_mdkk_per_year > 0
    assert result.synergy_npv_mdkk == pytest.approx(
        result.cba["npv_mdkk"] - result.sum_of_singles_npv_mdkk)
    # a bundle that loses (4 and 5 compete) gets stars from its own (smaller) benefit
    from mobility.errors import MobilityWarning
    with pytest.warns(MobilityWarning):
        competing = evaluate_bundle([4, 5], initiatives=inits, network=net)
    assert competing.model_values["user_benefit_mdkk_per_year"] == pytest.approx(
        (40_000 + 50_000 - 15_000) * per_min)
    assert competing.synergy_npv_mdkk < 0


def test_prerequisite_chain_reported_with_and_without() -> None:
    result = evaluate_bundle([2, 3], initiatives=small_catalogue(), network=small_network())
    (chain,) = result.prerequisite_chains
    assert chain["id"] == 3 and chain["prerequisites"] == [2]
    # with its prerequisite, 3 also carries 2's cost (11 bn): a lower NPV
    assert chain["npv_with_prerequisites_mdkk"] < chain["npv_without_prerequisites_mdkk"]


def test_bundle_score_takes_the_mean_over_the_singles() -> None:
    """A bundle indicator the model cannot compute (legacy result: no CO2, health or PT)
    counts as the singles' mean under the default rule, not as a free pass."""
    import dataclasses

    net = small_network()

    def legacy(ids):  # type: ignore[no-untyped-def]
        return dataclasses.replace(net(ids), effects={})

    inits = small_catalogue()
    mean = evaluate_bundle([1, 2], initiatives=inits, network=legacy)
    assert mean.stars["co2_operation"] is None and mean.coverage == "3 of 6"
    table = score_initiatives(inits, network=legacy)
    field = {k: table[f"stars_{k}"].mean() for k in ("co2_operation", "public_health",
                                                      "public_transport")}
    known = [v for v in mean.stars.values() if v is not None]
    assert mean.score == pytest.approx((sum(known) + sum(field.values())) / 6)
