"""OpenStreetMap importer: a small hand-written extract, read offline."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from mobility.errors import GeodataError
from mobility.network.osm_import import classify, read_osm, write_roads_yaml

SMALL = Path(__file__).parent / "data" / "osm" / "small.osm"


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def test_reads_the_small_extract() -> None:
    net = read_osm(SMALL)
    links = {(lk[0], lk[1]): lk for lk in net["links"]}
    # motorway carriageways: one-way, 3 lanes each, split at the junction with the primary road
    assert links[("osm:1", "osm:3")][2:4] == ["motorway", "rural"]
    assert links[("osm:1", "osm:3")][4] == {"lanes": 3.0, "circuity": 1.0, "name": "E20",
                                            "oneway": True}
    assert links[("osm:4", "osm:5")][4]["oneway"] is True  # motorways are one-way by default
    # the primary road is split at the motorway junction (node 3), 4 lanes -> 2 per direction
    assert links[("osm:7", "osm:3")][2:4] == ["main_road", "urban"]
    assert links[("osm:3", "osm:6")][4]["lanes"] == 2.0 and "oneway" not in links[("osm:3",
                                                                                    "osm:6")][4]
    # DK:rural secondary road; its shape point makes the link longer than the straight line
    rural = links[("osm:6", "osm:8")]
    assert rural[2:4] == ["main_road", "rural"]
    at = {k: tuple(v["at"]) for k, v in net["nodes"].items()}
    poly = _km((12.46, 55.72), (12.47, 55.735)) + _km((12.47, 55.735), (12.5, 55.73))
    assert rural[4]["circuity"] * _km(at["osm:6"], at["osm:8"]) == pytest.approx(poly, rel=1e-3)
    assert "osm:9" not in net["nodes"]  # a shape point, not a junction
    # trunk motor road mapped backwards (oneway=-1), its missing node dropped
    assert links[("osm:1", "osm:11")][2] == "expressway"
    # residential street not imported
    assert "osm:10" not in net["nodes"]
    assert len(net["links"]) == 6


@pytest.mark.parametrize(("tags", "want"), [
    ({"highway": "motorway"}, ("motorway", "rural", None)),
    ({"highway": "trunk", "maxspeed": "70"}, ("main_road", "rural", 70.0)),
    ({"highway": "primary", "maxspeed": "DK:urban"}, ("main_road", "urban", 50.0)),
    ({"highway": "secondary", "maxspeed": "30 mph"}, ("main_road", "urban", 48.28032)),
    ({"highway": "tertiary"}, None),
    ({"highway": "footway"}, None),
])
def test_classify(tags: dict[str, str], want: tuple | None) -> None:
    got = classify(tags)
    if want is None:
        assert got is None
    else:
        assert got[:2] == want[:2] and (got[2] == pytest.approx(want[2]) if want[2] else True)


def test_written_file_replaces_the_road_network(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from mobility.network import roads

    out = write_roads_yaml(read_osm(SMALL), tmp_path / "roads.yaml", source="test extract")
    assert out.read_text(encoding="utf-8").startswith("# Road network imported from OpenStreetMap")
    monkeypatch.setenv("MOBILITY_ROADS_FILE", str(out))
    roads._road_data.cache_clear()
    roads._skeleton.cache_clear()
    try:
        nodes, links = roads.road_skeleton()
        assert len(nodes) == 8 and len(links) == 6
        one = [lk for lk in links if lk.get("oneway")]
        assert len(one) == 3
        frame = roads.road_links_frame()
        assert frame["length_km"].gt(0).all()
    finally:
        monkeypatch.delenv("MOBILITY_ROADS_FILE")
        roads._road_data.cache_clear()
        roads._skeleton.cache_clear()


def test_bad_files_get_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(GeodataError, match="no such OSM file"):
        read_osm(tmp_path / "missing.osm")
    bad = tmp_path / "bad.osm"
    bad.write_text("<osm><node id='1'", encoding="utf-8")
    with pytest.raises(GeodataError, match="not a readable OSM XML"):
        read_osm(bad)
    empty = tmp_path / "empty.osm"
    empty.write_text("<osm version='0.6'></osm>", encoding="utf-8")
    with pytest.raises(GeodataError, match="no motorway"):
        read_osm(empty)


def test_osmium_reader_gives_the_same_network(tmp_path: Path) -> None:
    osmium = pytest.importorskip("osmium")
    pbf = tmp_path / "small.osm.pbf"
    with osmium.SimpleWriter(str(pbf)) as writer:
        for obj in osmium.FileProcessor(str(SMALL)):
            if obj.is_node():
                writer.add_node(obj)
            elif obj.is_way():
                writer.add_way(obj)
    assert read_osm(pbf) == read_osm(SMALL)


def test_a_bad_road_file_names_file_and_field(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from mobility.network import roads

    bad = tmp_path / "myroads.yaml"
    out = write_roads_yaml(read_osm(SMALL), bad, source="test")
    text = out.read_text(encoding="utf-8").replace("capacity_per_lane: 1900",
                                                  "capacity_per_lane: .inf", 1)
    bad.write_text(text, encoding="utf-8")
    monkeypatch.setenv("MOBILITY_ROADS_FILE", str(bad))
    roads._road_data.cache_clear()
    roads._skeleton.cache_clear()
    try:
        with pytest.raises(GeodataError, match=r"myroads\.yaml: classes\.motorway\.urban\."
                                               r"capacity_per_lane must be a positive number"):
            roads.road_skeleton()
    finally:
        monkeypatch.delenv("MOBILITY_ROADS_FILE")
        roads._road_data.cache_clear()
        roads._skeleton.cache_clear()
