"""Bundles: reading, validation, totals, synergy with a fake network, incidence, comparison."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from mobility.appraisal import (
    Bundle,
    bundle_incidence,
    compare_bundles,
    evaluate_bundle,
    read_bundle,
    read_bundles,
)
from mobility.errors import BundleError, CatalogueError, MobilityError, MobilityWarning
from tests.appraisal_support import make_initiative, small_catalogue, small_network
from tests.conftest import DATA_DIR

APPRAISAL_DATA = DATA_DIR / "appraisal"
JSON_KEYS = {"name", "initiatives", "cost_mdkk", "co2_construction_t_min",
             "co2_construction_t_max", "person_minutes_saved_per_day",
             "sum_of_singles_person_minutes", "synergy_person_minutes",
             "municipalities_gaining", "score", "warnings"}


def test_read_ok() -> None:
    bundle = read_bundle(APPRAISAL_DATA / "bundle-ok.yaml", small_catalogue())
    assert bundle.name == "Testpakke" and bundle.initiatives == (1, 2)
    assert bundle.warnings == ()


@pytest.mark.parametrize(
    ("file", "match"),
    [
        ("bundle-unknown-id.yaml", r"bundle-unknown-id.yaml \[initiative 99\] initiatives\[1\]: "
                                   "unknown initiative id 99"),
        ("bundle-missing-prerequisite.yaml", r"initiative 3 \(Indsats 3\) requires 2"),
        ("bundle-no-description.yaml", "description: required field is missing"),
        ("does-not-exist.yaml", "cannot read bundle file"),
    ],
)
def test_bad_bundle_files(file: str, match: str) -> None:
    with pytest.raises(BundleError, match=match):
        read_bundle(APPRAISAL_DATA / file, small_catalogue())


def test_repeated_id_is_an_error() -> None:
    with pytest.raises(BundleError, match="id 1 is listed twice"):
        evaluate_bundle(Bundle("x", (1, 2, 1)), initiatives=small_catalogue(), network=False)


def test_missing_prerequisite_added_with_warning() -> None:
    with pytest.warns(MobilityWarning, match=r"added prerequisite 2 \(Indsats 2\) of 3"):
        bundle = read_bundle(APPRAISAL_DATA / "bundle-missing-prerequisite.yaml",
                             small_catalogue(), add_prerequisites=True)
    assert bundle.initiatives == (1, 3, 2)


def test_overlap_warns_with_the_catalogue_note() -> None:
    with pytest.warns(MobilityWarning, match="4 \\(Indsats 4\\) overlaps with 5 .*: overlap 4-5"):
        bundle = read_bundle(APPRAISAL_DATA / "bundle-overlap.yaml", small_catalogue())
    result = evaluate_bundle(bundle, initiatives=small_catalogue(), network=False)
    assert any("overlap 4-5" in w for w in result.warnings)


def test_conflict_warns() -> None:
    with pytest.warns(MobilityWarning, match="5 \\(Indsats 5\\) conflicts with 6"):
        evaluate_bundle([5, 6], initiatives=small_catalogue(), network=False)


def test_prerequisite_cycle_is_an_error() -> None:
    inits = {1: make_initiative(1, [1] * 6, prerequisites=[2]),
             2: make_initiative(2, [1] * 6, prerequisites=[1])}
    with pytest.raises(CatalogueError, match=r"cycle of prerequisites: 1 -> 2 -> 1"):
        evaluate_bundle([1, 2], initiatives=inits, network=False)


def test_totals_and_json_keys() -> None:
    result = evaluate_bundle([1, 2, 6], initiatives=small_catalogue(), network=False)
    assert result.cost_mdkk == 12_300 and result.cost_unknown == (6,)
    assert (result.co2_construction_t_min, result.co2_construction_t_max) == (160_000, 260_000)
    assert result.extra_passengers_per_day == 3000 and result.passengers_unknown == (2, 6)
    data = result.to_dict()
    assert set(data) >= JSON_KEYS
    assert data["person_minutes_saved_per_day"] is None  # no network: missing, not zero


def test_unknown_everywhere_is_missing_not_zero() -> None:
    result = evaluate_bundle([6], initiatives=small_catalogue(), network=False)
    assert result.cost_mdkk is None and result.extra_passengers_per_day is None


def test_bundle_stars_best_member() -> None:
    result = evaluate_bundle([1, 6], initiatives=small_catalogue(), network=False)
    assert result.stars["cross_municipal"] == 5 and result.stars["accessibility"] == 4
    assert result.stars["socioeconomics"] == 0
    assert result.coverage == "6 of 6"


def test_synergy_measured_with_the_network() -> None:
    net = small_network()
    result = evaluate_bundle([1, 2], initiatives=small_catalogue(), network=net)
    assert result.person_minutes_saved_per_day == pytest.approx(160_000)
    assert result.sum_of_singles_person_minutes == pytest.approx(150_000)
    assert result.synergy_person_minutes == pytest.approx(10_000)
    with pytest.warns(MobilityWarning, match="overlaps with"):
        competing = evaluate_bundle(Bundle("c", (4, 5)), initiatives=small_catalogue(),
                                    network=net)
    assert competing.synergy_person_minutes == pytest.approx(-15_000)


def test_prerequisite_is_not_synergy() -> None:
    result = evaluate_bundle([2, 3], initiatives=small_catalogue(), network=small_network())
    assert result.synergy_person_minutes == pytest.approx(0)


def test_unrepresentable_member_left_out_not_zero() -> None:
    result = evaluate_bundle([1, 6], initiatives=small_catalogue(), network=small_network())
    assert result.network_excluded == {6: "not representable (fake)"}
    assert result.sum_of_singles_person_minutes == pytest.approx(30_000)
    assert any("not representable" in w for w in result.warnings)


def test_incidence() -> None:
    table = bundle_incidence([1, 2, 4], initiatives=small_catalogue(), network=small_network())
    assert table["person_minutes_saved_per_day"].sum() == pytest.approx(200_000)
    assert table["synergy_person_minutes"].sum() == pytest.approx(10_000)
    assert table["share_of_gain_pct"].sum() == pytest.approx(100)
    assert table.iloc[0]["name"] == "Ballerup"  # 4 only reaches Ballerup
    with pytest.raises(MobilityError, match="needs the network"):
        bundle_incidence([1], initiatives=small_catalogue(), network=False)


def test_compare(tmp_path: Path) -> None:
    for name in ("bundle-ok.yaml", "bundle-overlap.yaml"):
        shutil.copy(APPRAISAL_DATA / name, tmp_path / name)
    with pytest.warns(MobilityWarning):
        bundles = read_bundles(tmp_path, small_catalogue())
    table = compare_bundles(bundles.values(), initiatives=small_catalogue(),
                            network=small_network())
    assert list(table["bundle"]) == ["bundle-ok.yaml", "bundle-overlap.yaml"]
    assert list(table["synergy_person_minutes"]) == pytest.approx([10_000, -15_000])
    assert list(table["n_warnings"]) == [0, 1]


def test_shipped_bundles_are_valid() -> None:
    bundles = read_bundles()
    assert {"brt-network", "metro-package", "climate-package", "within-30-billion"} <= set(bundles)
    costs = {k: evaluate_bundle(b, network=False).cost_mdkk for k, b in bundles.items()}
    assert costs["brt-network"] == 7070
    assert costs["metro-package"] == 44_000
    assert costs["within-30-billion"] <= 30_000


@given(members=st.lists(st.integers(1, 6), min_size=1, max_size=6, unique=True),
       costs=st.lists(st.one_of(st.none(), st.floats(0, 50_000)), min_size=6, max_size=6))
@hsettings(max_examples=50, deadline=None)
def test_bundle_cost_is_sum_of_known_member_costs(
    members: list[int], costs: list[float | None],
) -> None:
    inits = {i: make_initiative(i, [1] * 6, cost_mdkk=costs[i - 1]) for i in range(1, 7)}
    result = evaluate_bundle(members, initiatives=inits, network=False)
    known = [costs[i - 1] for i in members if costs[i - 1] is not None]
    if known:
        assert result.cost_mdkk == pytest.approx(sum(known))
    else:
        assert result.cost_mdkk is None
    assert set(result.cost_unknown) == {i for i in members if costs[i - 1] is None}
