"""Tests of mobility.outputs.maps: layers, popups, offline rendering, sizes."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import folium
import numpy as np
import pandas as pd
import pytest

from mobility import geodata
from mobility.catalogue import read_initiatives
from mobility.errors import MobilityError, OutputError
from mobility.outputs import maps

DATA_DIR = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def inits():
    return read_initiatives(DATA_DIR / "catalogue_ok")


def fake_scenario(ids=(1, 2), scale=1.0):
    """A scenario result in the network engine's shape, with made-up numbers."""
    grid = geodata.load_population_grid()
    grid = grid[grid["in_study_area"]].head(300)
    rng = np.random.default_rng(1)
    zones = pd.DataFrame({
        "cell_id": grid["cell_id"].to_numpy(),
        "municipality_code": grid["municipality_code"].to_numpy(),
        "population": grid["population"].to_numpy(),
        "accessibility_change_pct": rng.uniform(-1, 5, len(grid)) * scale,
        "mean_time_change_min": rng.uniform(-4, 0.5, len(grid)) * scale,
    })
    munis = geodata.load_municipalities().set_index("code")
    mun = pd.DataFrame({
        "name": munis["name"],
        "population": munis["population"],
        "accessibility_change_pct": np.linspace(0, 3, len(munis)) * scale,
        "mean_time_change_min": -np.linspace(0, 2, len(munis)) * scale,
        "person_minutes_saved_per_day": np.linspace(0, 9000, len(munis)) * scale,
    }, index=munis.index)
    mun["gains"] = mun["person_minutes_saved_per_day"] > 0
    return SimpleNamespace(ids=tuple(ids), excluded={}, zones=zones, municipalities=mun,
                           person_minutes_saved_per_day=float(mun[
                               "person_minutes_saved_per_day"].sum()),
                           municipalities_gaining=tuple(mun.loc[mun["gains"], "name"]))


def layer_names(m):
    return [c.layer_name for c in m._children.values() if isinstance(c, folium.map.Layer)]


def test_catalogue_map_layers_per_theme(inits):
    m = maps.catalogue_map(inits, tiles=None)
    assert isinstance(m, folium.Map)
    names = layer_names(m)
    assert "Kommuner" in names
    assert "Kollektiv trafik (2)" in names
    assert "Knudepunkter (1)" in names
    assert "Priser og afgifter (1)" in names
    assert any(n.startswith("Stationer") for n in names)


def test_catalogue_map_counts_features(inits):
    m = maps.catalogue_map(inits, tiles=None)
    counts = maps.expected_paths(m)
    assert counts["mob-muni"] == 35
    # 2 lines + 1 area + 2 points of a multipoint; the area also has a numbered badge
    assert counts["mob-initiative"] == 5
    assert counts["mob-initiative-badge"] == 1
    assert counts["mob-station"] > 100


def test_popup_has_star_bars_and_marks(inits):
    html = maps.initiative_popup_html(inits[2])
    assert html.count('class="mob-star on"') == sum(v or 0 for v in inits[2].stars.values())
    assert "CO2e driftsfase*" in html  # inferred rating marked
    assert "udledt" in html
    area = maps.initiative_popup_html(inits[3])
    assert "mob-star-na" in area and "kan ikke vurderes" in area
    en = maps.initiative_popup_html(inits[1], "en")
    assert "Construction cost" in en and "1,300 DKK m" in en
    assert "1.300 mio. kr." in maps.initiative_popup_html(inits[1])
    assert "40.000–60.000 t" in maps.initiative_popup_html(inits[1])


def test_offline_page_is_self_contained(inits):
    page = maps.render_html(maps.catalogue_map(inits, tiles=None), offline=True)
    assert "Leaflet 1.9.4" in page
    assert not re.search(r"""<script[^>]+src=["']?https?:""", page)
    assert not re.search(r"""<link[^>]+href=["']?https?:""", page)
    assert "L.tileLayer(" not in page
    assert "url(data:image/png;base64," in page
    for source in ("Klimadatastyrelsen (DAGI)", "Rejseplanen", "KKR Hovedstaden"):
        assert source in page


def test_offline_refuses_tiles(inits):
    m = maps.catalogue_map(inits, tiles="OpenStreetMap")
    page = maps.render_html(m)  # online mode: tiles allowed, Leaflet still inlined
    assert "L.tileLayer(" in page and "Leaflet 1.9.4" in page
    with pytest.raises(OutputError, match="tiles=None"):
        maps.render_html(m, offline=True)


def test_render_is_reproducible(inits):
    a = maps.render_html(maps.catalogue_map(inits, tiles=None), offline=True)
    b = maps.render_html(maps.catalogue_map(inits, tiles=None), offline=True)
    assert a == b
    assert not re.search(r"_[0-9a-f]{32}", a)


def test_english_labels(inits):
    page = maps.render_html(maps.catalogue_map(inits, tiles=None, lang="en"), offline=True)
    assert "Public transport (2)" in page and "Municipalities" in page


def test_stacking_on_existing_map(inits):
    m = maps.catalogue_map(inits, tiles=None)
    scores = pd.DataFrame({"score": [2.5, 3.0, 4.0, 1.0], "rank": [3, 2, 1, 4]},
                          index=[1, 2, 3, 4])
    m2 = maps.score_map(scores, inits, m=m, tiles=None)
    assert m2 is m
    assert sum(1 for k in m._children if k == "mobility_basemap") == 1
    page = maps.render_html(m, offline=True)
    assert len(re.findall(r"createPane\(\s*\"mob-", page)) == len(maps._PANES)


def test_score_map_colours_and_popup(inits):
    scores = pd.DataFrame({"score": [2.5, 3.0, np.nan, 1.0], "rank": [2, 1, 4, 3],
                           "coverage": ["6 of 6", "5 of 6", "4 of 6", "5 of 6"]},
                          index=[1, 2, 3, 4])
    before = scores.copy()
    m = maps.score_map(scores, inits, tiles=None, weights_label="equal")
    pd.testing.assert_frame_equal(scores, before)  # input not mutated
    page = maps.render_html(m, offline=True)
    assert "ingen score" in page and "5 af 6" in page and "Vægte: equal" in page


def test_score_map_needs_score_column(inits):
    with pytest.raises(MobilityError, match="score"):
        maps.score_map(pd.DataFrame({"x": [1]}), inits, tiles=None)


def test_accessibility_map(inits):
    result = fake_scenario()
    m = maps.accessibility_map(result, [inits[1], inits[2]], tiles=None, title="Test")
    counts = maps.expected_paths(m)
    assert counts["mob-cell"] == len(result.zones)
    assert counts["mob-initiative"] == 2
    page = maps.render_html(m, offline=True)
    assert "Eurostat" in page and "Danmarks Statistik" in page
    assert "Ændring i rejsetid, min." in page
    with pytest.raises(MobilityError, match="unknown value"):
        maps.accessibility_map(result, value="nonsense", tiles=None)


def test_bundle_comparison_map(inits):
    result = fake_scenario()
    bundles = [
        {"name": "A", "initiatives": [1, 2], "cost_mdkk": 4900, "score": 2.5,
         "person_minutes_saved_per_day": 120000, "synergy_person_minutes": 2000,
         "municipalities_gaining": ["København", "Gentofte"]},
        {"name": "B", "initiatives": [3, 4], "cost_mdkk": 15, "score": None},
    ]
    m = maps.bundle_comparison_map(bundles, inits, tiles=None,
                                   incidence={"A": result.municipalities})
    names = layer_names(m)
    assert any("A" in n for n in names) and any("B" in n for n in names)
    page = maps.render_html(m, offline=True)
    assert "120.000" in page and "4.900" in page and "Resumé" in page
    with pytest.raises(MobilityError, match="not in the catalogue"):
        maps.bundle_comparison_map([{"name": "X", "initiatives": [99]}], inits, tiles=None)


def test_write_map(tmp_path, inits):
    path = maps.write_map(maps.catalogue_map(inits, tiles=None), tmp_path / "m.html",
                          offline=True)
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert list(tmp_path.iterdir()) == [path]


def test_shipped_catalogue_map_is_small():
    m = maps.catalogue_map(tiles=None)
    size = len(maps.render_html(m, offline=True).encode("utf-8"))
    assert size < 2_000_000  # well under the 5 MB limit


def test_catalogue_map_draws_the_model_road_network() -> None:
    """The road network of the model (issue 10) is a switchable, schematic layer."""
    from mobility.network.roads import road_links_frame
    from mobility.outputs import maps as out_maps

    n_links = len(road_links_frame())
    html = out_maps.render_html(out_maps.catalogue_map(tiles=None), offline=True)
    assert html.count('"className":"mob-road"') == n_links > 100
    assert "Vejnet i modellen (skematisk)" in html
    assert "motorvej:" in html and "km/t" in html
    en = out_maps.render_html(out_maps.catalogue_map(tiles=None, lang="en"), offline=True)
    assert "Road network of the model (schematic)" in en and "motorway:" in en
