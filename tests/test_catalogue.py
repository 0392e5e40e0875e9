"""Tests of the catalogue loader: validation errors, geometry building, tables, export."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from mobility import catalogue as cat
from mobility.errors import CatalogueError
from tests.conftest import DATA_DIR


def _issues(directory: Path) -> list[str]:
    return [str(i) for i in cat.validate_catalogue(directory)]


def test_fixture_catalogue_is_valid() -> None:
    found = cat.read_initiatives(DATA_DIR / "catalogue_ok")
    assert list(found) == [1, 2, 3, 4]
    assert found[1].geom.geom_type == "LineString"
    assert found[2].geom.geom_type == "LineString"  # follows the rail segments
    assert found[3].geom.geom_type == "MultiPolygon"
    assert found[4].geom.geom_type == "MultiPoint"


def test_rail_route_follows_the_track() -> None:
    found = cat.read_initiatives(DATA_DIR / "catalogue_ok")
    line = found[2].geom  # Klampenborg St. -> Helsingør St. along Kystbanen
    from mobility.geodata import resolve_place

    a, b = resolve_place("Klampenborg St.").point, resolve_place("Helsingør St.").point
    straight = a.distance(b)
    assert straight * 1.02 < line.length < straight * 1.4  # longer than a straight line
    assert line.distance(resolve_place("Humlebæk St.").point) < 200  # passes the stations


# (file to edit, old text, new text, expected message fragments: field and message)
BAD_CASES = [
    ("01-line.yaml", "theme: public_transport", "theme: spaceships",
     ["01-line.yaml", "[initiative 1]", "theme"]),
    ("01-line.yaml", "public_transport: 4}", "public_transport: 7}",
     ["[initiative 1]", "ratings.public_transport", "0-5 or 'n/a', got 7"]),
    ("01-line.yaml", "cost_mdkk: 1300", "cost_mdkk: -5",
     ["[initiative 1]", "cost_mdkk", "greater than or equal to 0"]),
    ("01-line.yaml", "{min: 40000, max: 60000}", "{min: 60000, max: 40000}",
     ["[initiative 1]", "co2_construction_t", "min (60000) is greater than max (40000)"]),
    ("01-line.yaml", "name_en: Test line\n", "",
     ["[initiative 1]", "name_en", "required field is missing"]),
    ("03-area.yaml", "id: 3", "id: 1", ["03-area.yaml", "duplicate id 1 (also in 01-line.yaml)"]),
    ("01-line.yaml", "Buddinge St.]", "Budinge St.]",
     ["[initiative 1]", "geometry", "unknown station, stop or place 'Budinge St.'",
      "closest matches: Buddinge St."]),
    ("01-line.yaml", 'via: [Friheden St., "Husum Torv (Frederikssundsvej)", Buddinge St.]',
     "via: [Friheden St., Friheden St.]",
     ["[initiative 1]", "geometry", "invalid"]),
    ("03-area.yaml", "municipalities: fingerplan", "municipalities: []",
     ["[initiative 3]", "geometry.municipalities", "empty"]),
    ("03-area.yaml", "municipalities: fingerplan", "municipalities: [Atlantis]",
     ["[initiative 3]", "geometry", "unknown municipality 'Atlantis'"]),
    ("02-rail.yaml", "prerequisites: [1]", "prerequisites: [99]",
     ["[initiative 2]", "prerequisites[0]", "unknown initiative id 99"]),
    ("01-line.yaml", "socioeconomics:", "prerequisites: [2]\nsocioeconomics:",
     ["prerequisites", "cycle of prerequisites: 1 -> 2 -> 1"]),
    ("01-line.yaml", "kind: brt", "kind: brt\nfavourite_colour: red",
     ["[initiative 1]", "favourite_colour", "unknown field"]),
]


@pytest.mark.parametrize(("file", "old", "new", "fragments"), BAD_CASES,
                         ids=[c[3][-1][:40] for c in BAD_CASES])
def test_each_validation_error_names_file_initiative_and_field(
    good_catalogue: Path, edit_file, file: str, old: str, new: str, fragments: list[str]
) -> None:
    edit_file(good_catalogue / file, old, new)
    with pytest.raises(CatalogueError) as info:
        cat.read_initiatives(good_catalogue)
    text = str(info.value)
    for fragment in fragments:
        assert fragment in text, f"{fragment!r} not in:\n{text}"
    assert isinstance(info.value, ValueError)  # builtin base, for callers


def test_malformed_yaml_is_reported_with_its_line(good_catalogue: Path) -> None:
    (good_catalogue / "05-broken.yaml").write_text("id: 5\nname: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"05-broken.yaml: malformed YAML at line \d+"):
        cat.read_initiatives(good_catalogue)


def test_every_problem_is_reported_at_once(good_catalogue: Path, edit_file) -> None:
    edit_file(good_catalogue / "01-line.yaml", "cost_mdkk: 1300", "cost_mdkk: -1")
    edit_file(good_catalogue / "03-area.yaml", "cross_municipal: 5", "cross_municipal: 9")
    edit_file(good_catalogue / "04-points.yaml", "Favrholm St.", "Favrholmm St.")
    (good_catalogue / "05-broken.yaml").write_text(": : :\n  - [", encoding="utf-8")
    issues = _issues(good_catalogue)
    joined = "\n".join(issues)
    assert len(issues) == 4, joined
    for needle in ("01-line.yaml", "03-area.yaml", "04-points.yaml", "05-broken.yaml"):
        assert needle in joined


def test_empty_or_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="no initiative files"):
        cat.read_initiatives(tmp_path)
    with pytest.raises(CatalogueError, match="does not exist"):
        cat.read_initiatives(tmp_path / "nope")


def test_cache_sees_edits(good_catalogue: Path, edit_file) -> None:
    assert cat.read_initiatives(good_catalogue)[1].cost_mdkk == 1300
    edit_file(good_catalogue / "01-line.yaml", "cost_mdkk: 1300", "cost_mdkk: 1400.5")
    assert cat.read_initiatives(good_catalogue)[1].cost_mdkk == 1400.5


def test_frame_keeps_unknowns_empty() -> None:
    frame = cat.load_catalogue(DATA_DIR / "catalogue_ok")
    assert frame.crs.to_epsg() == 25832
    assert pd.isna(frame.loc[3, "cost_mdkk"])  # unknown, not 0
    assert frame.loc[4, "rating_public_health"] == 0  # a real zero
    assert pd.isna(frame.loc[3, "rating_accessibility"])  # "n/a"
    assert frame.loc[2, "rating_socioeconomics"] == 2  # IRR 5 % -> 2 stars
    assert frame.loc[3, "rating_socioeconomics"] == 0  # not profitable
    assert pd.isna(frame.loc[1, "rating_socioeconomics"])  # not calculated


def test_socioeconomics_threshold_is_a_setting(monkeypatch) -> None:
    from mobility import settings

    found = cat.read_initiatives(DATA_DIR / "catalogue_ok")
    assert found[2].stars["socioeconomics"] == 2
    monkeypatch.setattr(settings, "IRR_STAR_THRESHOLDS_PCT", (1.0, 2.0, 3.0, 4.0, 5.0))
    assert found[2].stars["socioeconomics"] == 5


def test_csv_export_contract(tmp_path: Path) -> None:
    frame = cat.load_catalogue(DATA_DIR / "catalogue_ok")
    out = cat.export_catalogue(frame, "csv", tmp_path / "c.csv")
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join(cat.CSV_COLUMNS)
    assert lines[0].startswith("id,name,theme,cost_mdkk,co2_construction_t_min")
    row1 = dict(zip(cat.CSV_COLUMNS, lines[1].split(","), strict=True))
    assert row1["cost_mdkk"] == "1300" and row1["irr_pct"] == ""
    assert row1["rating_accessibility"] == "4" and row1["geometry_type"] == "LineString"
    row3 = dict(zip(cat.CSV_COLUMNS, lines[3].split(","), strict=True))
    assert row3["rating_accessibility"] == "" and row3["cost_mdkk"] == ""
    row2 = dict(zip(cat.CSV_COLUMNS, lines[2].split(","), strict=True))
    assert row2["inferred_ratings"] == "co2_operation" and row2["irr_pct"] == "5"


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "xlsx"])
def test_other_exports_roundtrip(tmp_path: Path, fmt: str) -> None:
    import geopandas as gpd

    frame = cat.load_catalogue(DATA_DIR / "catalogue_ok")
    out = cat.export_catalogue(frame, fmt, tmp_path / f"c.{fmt}")
    if fmt == "xlsx":
        back = pd.read_excel(out)
        assert list(back.columns) == list(cat.CSV_COLUMNS)
        assert back["cost_mdkk"].tolist()[:2] == [1300, 3600]
    else:
        back = gpd.read_file(out)
        assert len(back) == 4
        assert back.crs.to_epsg() == (4326 if fmt == "geojson" else 25832)
    if fmt == "geojson":
        data = json.loads(out.read_text(encoding="utf-8"))
        assert data["features"][0]["properties"]["name"] == "Testbane"


def test_export_is_atomic(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "c.csv"
    target.write_text("old", encoding="utf-8")
    frame = cat.load_catalogue(DATA_DIR / "catalogue_ok")

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", boom)
    with pytest.raises(RuntimeError):
        cat.export_catalogue(frame, "csv", target)
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["c.csv"]  # no temporary left behind


@pytest.mark.parametrize(
    ("network", "fragments"),
    [
        ("network: {representable: true, edits: [{op: fly_faster}]}",
         ["[initiative 1] network.edits[0]", "unknown op"]),
        ("network: {representable: false}",
         ["[initiative 1] network.reason"]),
        ("network: {representable: true, edits: [{op: scale_running_time, service: Bus 200S,"
         " factor: -2}]}",
         ["[initiative 1] network.edits[0].factor"]),
    ],
)
def test_bad_network_edits_are_catalogue_errors(good_catalogue: Path, network: str,
                                                fragments: list[str]) -> None:
    path = good_catalogue / "01-line.yaml"
    path.write_text(path.read_text(encoding="utf-8") + network + "\n", encoding="utf-8")
    with pytest.raises(CatalogueError) as info:
        cat.read_initiatives(good_catalogue)
    text = str(info.value)
    assert "01-line.yaml" in text
    for fragment in fragments:
        assert fragment in text, text
