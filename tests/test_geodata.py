"""Tests of the shipped geodata loaders and place-name resolution."""

from __future__ import annotations

import pytest

from mobility import geodata
from mobility.errors import GeodataError, MobilityError, PlaceNotFoundError


def test_municipalities_are_the_35_of_the_study_area() -> None:
    munis = geodata.load_municipalities()
    assert len(munis) == 35
    assert set(munis["code"]) == set(geodata.STUDY_AREA_CODES)
    assert munis.crs.to_epsg() == 25832
    assert {"Greve", "Køge", "Lejre", "Roskilde", "Solrød", "Stevns", "Bornholm"} <= set(
        munis["name"]
    )
    assert munis.set_index("code")["fingerplan"].sum() == 34
    assert not munis.set_index("code").loc[400, "fingerplan"]  # Bornholm
    # real population figures, 2021Q1: Copenhagen ~638,000
    assert munis.loc[munis["code"] == 101, "population"].item() == pytest.approx(638117)


def test_loaders_return_copies() -> None:
    a = geodata.load_municipalities()
    a["name"] = "x"
    assert geodata.load_municipalities()["name"].iloc[0] != "x"


def test_stations_rail_and_stops_are_in_utm() -> None:
    stations = geodata.load_stations()
    assert stations.crs.to_epsg() == 25832
    assert "Favrholm St." in set(stations["name"])  # added by the project
    segs = geodata.load_rail_segments()
    assert len(segs) == 317 and segs.crs.to_epsg() == 25832
    stops = geodata.load_stops()
    assert len(stops) == 8936
    # Buddinge St. in Gladsaxe lies around (721 km E, 6184 km N) in UTM 32N
    bud = geodata.resolve_place("Buddinge St.")
    assert 715_000 < bud.x < 725_000 and 6_180_000 < bud.y < 6_190_000


def test_population_grid_sums_to_census() -> None:
    grid = geodata.load_population_grid()
    inside = grid[grid["in_study_area"]]
    total = inside["population"].sum()
    official = geodata.load_municipalities()["population"].sum()
    assert total == pytest.approx(official, rel=0.03)  # cells by centre: within 3 %
    assert grid.crs.to_epsg() == 25832
    assert grid.geometry.area.median() == pytest.approx(1e6, rel=0.01)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Buddinge St.", "Buddinge St."),
        ("buddinge", "Buddinge St."),
        ("København Syd", "Ny Ellebjerg St."),
        ("Husum Torv (Frederikssundsvej)", "Husum Torv (Frederikssundsvej)"),
    ],
)
def test_resolve_place(name: str, expected: str) -> None:
    assert geodata.resolve_place(name).name == expected


def test_unknown_place_suggests_closest() -> None:
    with pytest.raises(PlaceNotFoundError, match=r"Frederikssund St\."):
        geodata.resolve_place("Frederikssund Stn")
    with pytest.raises(MobilityError):
        geodata.resolve_place("Atlantis St.")


def test_unknown_dataset_lists_options() -> None:
    with pytest.raises(GeodataError, match=r"choose one of: .*municipalities"):
        geodata.get_path("roads_of_atlantis")


def test_missing_and_corrupt_files(tmp_path, monkeypatch) -> None:
    import mobility.geodata as g

    monkeypatch.setattr(g, "shipped_dir", lambda name: tmp_path)
    with pytest.raises(GeodataError, match="missing"):
        g.get_path("municipalities")
    (tmp_path / g.FILES["municipalities"][0]).write_text("{ not json", encoding="utf-8")
    with pytest.raises(GeodataError, match="cannot read"):
        g._read_vector("municipalities")
    (tmp_path / g.FILES["stops"][0]).write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(GeodataError, match="lacks column"):
        g.read_csv("stops", ["stop_id", "name"])
