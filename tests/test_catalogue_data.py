"""Spot checks of the shipped catalogue (initiatives/*.yaml) against the seed catalogue text.

Every expected value below is copied from shared/seeds/mobility_catalogue_excerpt.txt (the
catalogue page of the initiative, or the summary table "Indsats/Pejlemærker") or from the
reading table for incomplete table rows in shared/seeds/README.md.
"""

from __future__ import annotations

import pytest

from mobility.catalogue import read_initiatives
from mobility.schema import TABLE_INDICATOR_KEYS

ALL_FIVE = set(TABLE_INDICATOR_KEYS)


@pytest.fixture(scope="module")
def cat():
    return read_initiatives()


def test_loads_33_initiatives(cat):
    assert len(cat) == 33
    assert sorted(cat) == list(range(1, 34))
    assert all(init.geom is not None and not init.geom.is_empty for init in cat.values())


def test_themes_follow_the_format_doc(cat):
    expected = {
        **dict.fromkeys(range(1, 19), "public_transport"),
        19: "cycling",
        **dict.fromkeys(range(20, 25), "hubs"),
        **dict.fromkeys(range(25, 28), "roads"),
        **dict.fromkeys(range(28, 32), "speed_noise"),
        32: "pricing",
        33: "pricing",
    }
    assert {i: init.theme for i, init in cat.items()} == expected


def test_01_kystbanen(cat):
    k = cat[1]
    assert k.name == "S-togsdrift på Kystbanen"
    assert k.cost_mdkk == 3600
    assert k.cost_text == "Ca. 3,6 mia. kr."
    assert (k.co2_construction_t.min, k.co2_construction_t.max) == (25000, 25000)
    assert k.passengers.extra_per_day == 7000
    assert k.passengers.extra_pct == 20
    assert k.passengers.potential_per_day == 42000
    assert k.travel_time.reduction_pct == 7
    assert k.socioeconomics.status == "irr"
    assert k.socioeconomics.irr_pct == 5
    # table row "*** *** * ** ****" (TR, SF, CO2, FS, AKT): exact
    assert k.ratings.cross_municipal == 3
    assert k.ratings.accessibility == 3
    assert k.ratings.co2_operation == 1
    assert k.ratings.public_health == 2
    assert k.ratings.public_transport == 4
    assert k.inferred_ratings == []
    assert k.stars["socioeconomics"] == 2  # 5 % reaches the 3.5 and 5 % thresholds
    assert "Metrodrift på Kystbanen" in k.sources[0]
    assert set(k.end_stations) == {"Klampenborg St.", "Helsingør St."}
    assert k.geom.geom_type == "LineString"
    assert 30_000 < k.geom.length < 36_000  # Klampenborg - Helsingør along the track


def test_02_frederikssundsvej_daily_passengers_not_increase(cat):
    b = cat[2]
    assert b.cost_mdkk == 800
    assert (b.co2_construction_t.min, b.co2_construction_t.max) == (20000, 30000)
    assert b.passengers.daily_passengers == 28000
    assert b.passengers.extra_per_day is None  # "Stigning i antal passagerer kendes ikke."
    assert b.travel_time.reduction_pct == 15
    assert b.travel_time.corridor == "Nørrebro St. - Husum"
    assert b.socioeconomics.status == "not_calculated"
    assert b.stars["socioeconomics"] is None
    assert any("Stigning i antal passagerer kendes ikke" in c for c in b.caveats)
    assert b.end_stations == ["Nørrebro St.", "Gladsaxe Trafikplads"]


def test_04_brt_200s_overlaps_metro_13(cat):
    b = cat[4]
    assert b.cost_mdkk == 1300
    assert (b.co2_construction_t.min, b.co2_construction_t.max) == (40000, 60000)
    assert (b.passengers.extra_per_day, b.passengers.extra_pct) == (3000, 30)
    assert b.passengers.potential_per_day == 12000
    assert b.travel_time.reduction_pct == 20
    assert [r.id for r in b.overlaps] == [13]
    assert "Rødovre Centrum" in b.overlaps[0].note
    assert b.caveats[0].startswith("Der er et overlap til indsatsen")
    assert b.sources == ["Movias mulighedsstudie for ”BRT linje 200S”, 2020"]
    assert b.end_stations == ["Friheden St.", "Buddinge St."]
    assert b.geom.geom_type == "LineString"


def test_06_two_town_blocks_and_inferred_zero_ratings(cat):
    b = cat[6]
    assert b.cost_mdkk == 70
    assert (b.co2_construction_t.min, b.co2_construction_t.max) == (2000, 4000)
    parts = b.passengers.parts
    assert [(p.extra_per_day, p.extra_pct, p.potential_per_day) for p in parts] == [
        (300, 3, 15000),
        (400, 9, 7000),
    ]
    assert [p.label for p in parts] == ["Helsingør", "Hillerød"]
    assert b.passengers.extra_per_day is None
    # README reading for the incomplete row "** * *": 0, 2, 0, 1, 1
    assert b.ratings.cross_municipal == 0
    assert b.ratings.accessibility == 2
    assert b.ratings.co2_operation == 0
    assert set(b.inferred_ratings) == ALL_FIVE
    assert b.geom.geom_type == "MultiLineString"
    assert len(b.geom.geoms) == 2


def test_07_express_tunnel_co2_range(cat):
    t = cat[7]
    assert t.cost_mdkk == 26000
    assert (t.co2_construction_t.min, t.co2_construction_t.max) == (650_000, 1_000_000)
    assert (t.passengers.extra_per_day, t.passengers.extra_pct) == (23000, 79)
    assert t.passengers.potential_per_day == 52000
    assert t.travel_time.reduction_pct == 18
    assert t.ratings.cross_municipal == 5
    assert t.ratings.co2_operation == 2


def test_08_operation_only_cost_is_unknown_not_zero(cat):
    r = cat[8]
    assert r.cost_mdkk is None
    assert "udelukkende om drift ikke anlæg" in r.cost_note
    assert r.co2_construction_t is None
    assert r.passengers.extra_per_day == 17000
    assert r.travel_time.reduction_pct is None
    assert r.geom.geom_type == "LineString"


def test_10_local_railways_four_blocks_and_minutes(cat):
    lr = cat[10]
    assert lr.cost_mdkk == 180
    assert lr.co2_construction_t is None
    assert lr.travel_time.reduction_min == 6
    assert lr.travel_time.reduction_pct is None
    parts = lr.passengers.parts
    assert len(parts) == 4
    assert [p.label for p in parts] == [None] * 4
    assert [(p.extra_per_day, p.extra_pct, p.potential_per_day) for p in parts] == [
        (220, 6, 4000),
        (140, 3, 5000),
        (100, 5, 2000),
        (150, 5, 3000),
    ]
    assert lr.passengers.parts[2].extra_per_day == 100
    assert set(lr.inferred_ratings) == ALL_FIVE
    assert (lr.ratings.cross_municipal, lr.ratings.accessibility) == (2, 3)
    assert lr.geom.geom_type == "MultiLineString"


def test_11_farum_hilleroed_page_attribution(cat):
    f = cat[11]
    assert f.name == "S-togsforbindelse mellem Farum og Hillerød"
    assert f.travel_time.reduction_pct == 35
    assert f.travel_time.corridor == "Farum - Hillerød"
    assert f.passengers.daily_passengers == 6000
    assert f.cost_mdkk == 2600
    assert (f.co2_construction_t.min, f.co2_construction_t.max) == (20000, 35000)
    assert f.ratings.accessibility == 5
    assert f.inferred_ratings == []


def test_12_13_metro_not_profitable_and_prerequisite(cat):
    m12, m13 = cat[12], cat[13]
    assert m12.cost_mdkk == 11000
    assert m12.passengers.daily_passengers == 18000
    assert m12.travel_time.reduction_pct == 60
    assert m12.socioeconomics.status == "not_profitable"
    assert m12.stars["socioeconomics"] == 0
    assert m13.cost_mdkk == 8000
    assert (m13.co2_construction_t.min, m13.co2_construction_t.max) == (90000, 140000)
    assert m13.passengers.daily_passengers == 16000
    assert m13.travel_time.reduction_pct == 70
    assert m13.prerequisites == [12]
    assert [r.id for r in m13.overlaps] == [4]
    assert any("forudsætter" in c for c in m13.caveats)
    assert m13.sources == ["notat fra Rødovre kommune"]


def test_18_demand_responsive_na_rating(cat):
    d = cat[18]
    assert d.cost_mdkk is None
    assert d.cost_text == "Kendes ikke"
    assert d.ratings.public_health == "n/a"
    assert d.stars["public_health"] is None
    assert d.ratings.cross_municipal == 4
    assert set(d.inferred_ratings) == ALL_FIVE
    assert d.geom.geom_type in ("Polygon", "MultiPolygon")


def test_19_cycle_superhighways_irr(cat):
    c = cat[19]
    assert c.theme == "cycling"
    assert c.cost_mdkk == 2500
    assert c.socioeconomics.status == "irr"
    assert c.socioeconomics.irr_pct == 23
    assert c.stars["socioeconomics"] == 5
    assert (c.ratings.cross_municipal, c.ratings.public_health) == (5, 5)
    assert c.geom.geom_type == "MultiLineString"
    assert len(c.geom.geoms) == 5


def test_20_park_and_ride_point(cat):
    p = cat[20]
    assert p.cost_mdkk == 50
    assert p.cost_note == "fladeparkering"
    assert p.co2_construction_t is None
    assert "2000 flere parkeringspladser" in p.key_figures
    assert (p.ratings.cross_municipal, p.ratings.public_health) == (2, 0)
    assert set(p.inferred_ratings) == ALL_FIVE
    assert p.geom.geom_type == "Point"


def test_23_park_and_ride_requires_metro(cat):
    p = cat[23]
    assert p.cost_mdkk == 530
    assert p.cost_note == "konstruktion"
    assert p.prerequisites == [12]
    assert p.geom.geom_type == "Point"


def test_24_cycle_parking_seven_stations(cat):
    c = cat[24]
    assert c.cost_mdkk == 130
    assert c.inferred_ratings == []
    assert (c.ratings.public_health, c.ratings.public_transport) == (3, 1)
    assert c.geom.geom_type == "MultiPoint"
    assert len(c.geom.geoms) == 7


def test_25_route_16_car_travel_time_and_op_til_irr(cat):
    r = cat[25]
    assert r.cost_mdkk == 670
    assert (r.co2_construction_t.min, r.co2_construction_t.max) == (15000, 25000)
    assert r.travel_time.reduction_pct == 16
    assert r.travel_time.applies_to == "car"
    assert r.socioeconomics.status == "irr"
    assert r.socioeconomics.irr_pct == 20
    assert "op til" in r.socioeconomics.text
    assert set(r.inferred_ratings) == ALL_FIVE


def test_27_ring_5_irr_below_5_and_na(cat):
    r = cat[27]
    assert r.cost_mdkk == 8000
    assert (r.co2_construction_t.min, r.co2_construction_t.max) == (200_000, 320_000)
    assert r.socioeconomics.irr_pct == 4.7
    assert r.stars["socioeconomics"] == 1
    assert r.ratings.public_transport == "n/a"
    assert set(r.inferred_ratings) == ALL_FIVE


def test_28_29_speed_limits_overlap_each_other(cat):
    s28, s29 = cat[28], cat[29]
    assert s28.cost_mdkk is None and s29.cost_mdkk is None
    assert s28.socioeconomics.status == "not_profitable"
    assert s28.travel_time.change == "increase"
    assert 29 in [r.id for r in s28.overlaps]
    assert 28 in [r.id for r in s29.overlaps]
    assert s28.ratings.public_health == 4 and s29.ratings.public_health == 2
    assert "politiets godkendelse" in s28.caveats[0]
    assert s28.geom.geom_type in ("Polygon", "MultiPolygon")


def test_30_unknown_cost(cat):
    s = cat[30]
    assert s.cost_mdkk is None
    assert s.cost_text == "Kan ikke oplyses"
    assert s.socioeconomics.status == "not_profitable"
    assert s.geom.geom_type == "MultiLineString"


def test_32_road_pricing_operating_cost(cat):
    r = cat[32]
    assert r.cost_mdkk == 2800
    assert "til opstart og drift" in r.cost_note
    assert r.ratings.public_health == 4
    assert r.inferred_ratings == []


def test_33_fare_reform_row_is_exact(cat):
    f = cat[33]  # table row "***** - - - -": five entries, exact
    assert f.inferred_ratings == []
    assert f.ratings.cross_municipal == 5
    for key in ("accessibility", "co2_operation", "public_health", "public_transport"):
        assert getattr(f.ratings, key) == "n/a"
        assert f.stars[key] is None
    assert f.geom.geom_type in ("Polygon", "MultiPolygon")


def test_unknown_is_never_zero(cat):
    for init in cat.values():
        assert init.cost_mdkk != 0, init.id
        if init.co2_construction_t is not None:
            assert init.co2_construction_t.max > 0, init.id


def test_inferred_rows_list_all_five_keys(cat):
    inferred = {i for i, init in cat.items() if init.inferred_ratings}
    assert inferred == {6, 9, 10, 15, 16, 17, 18, 20, 21, 22, 23, 25, 27, 28, 29, 30, 31}
    for i in inferred:
        assert set(cat[i].inferred_ratings) == ALL_FIVE, i
