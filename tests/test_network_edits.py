"""check_network_spec: the edit vocabulary's validation (cheap, no network build)."""

from __future__ import annotations

from typing import Any

import pytest

from mobility.network import OPS, check_network_spec

OK: dict[str, Any] = {
    "representable": True,
    "edits": [
        {"op": "scale_running_time", "service": "Bus 5C Frederikssundsvej", "factor": 0.85,
         "corridor": ["Nørrebro St.", "Husum Torv (Frederikssundsvej)"]},
        {"op": "change_headway", "service": "RE Roskilde-Lufthavn", "headway_min": 15},
        {"op": "change_mode", "service": "RE Kystbanen", "mode": "s_train"},
        {"op": "add_service", "name": "M5", "mode": "metro", "headway_min": 4, "new_track": True,
         "stops": ["København Syd", "Hvidovre Hospital (Kettegård Allé)"], "speed_kmh": 40},
        {"op": "add_stop", "service": "M5", "stop": [12.47, 55.65], "after": "København Syd"},
        {"op": "add_road", "via": ["Køge Nord", [12.17, 55.6], "Hedehusene"],
         "road_class": "motorway", "area_type": "rural"},
        {"op": "upgrade_road", "from": "Hillerød", "to": "Frederiksværk", "speed_kmh": 90},
        {"op": "cap_speed", "road_classes": ["local"], "max_kmh": 30, "area_type": "urban",
         "speed_share": 0.85},
        {"op": "road_charge", "per_km_dkk": 1.0},
        {"op": "scale_capacity", "factor": 1.1, "road_classes": ["main_road"],
         "area_type": "urban"},
        {"op": "scale_capacity", "factor": 1.05, "links": [["Hillerød", "Allerød"]]},
        {"op": "fare_change", "max_zones": 6},
        {"op": "park_and_ride", "station": "Køge Nord St.", "spaces": 100},
        {"op": "change_access", "stations": ["Nørreport St."], "mode": "bike",
         "parking_min": 1},
    ],
    "effect": [{"from": "Farum St.", "to": "Hillerød St.", "change_pct": -35},
               {"services": ["RE Roskilde-Lufthavn"], "departures_per_hour": 4}],
}


def test_valid_spec_has_no_problems() -> None:
    assert check_network_spec(OK) == []


def test_every_op_is_in_the_valid_example() -> None:
    assert {e["op"] for e in OK["edits"]} == set(OPS)


def test_not_representable_needs_a_reason() -> None:
    assert check_network_spec({"representable": False, "reason": "no fares"}) == []
    assert check_network_spec({"representable": False}) == [
        ("network.reason", "is required when representable is false")]


def _with(edit: dict[str, Any]) -> dict[str, Any]:
    return {"representable": True, "edits": [edit]}


@pytest.mark.parametrize(
    ("spec", "field", "match"),
    [
        ("yes", "network", "mapping"),
        ({"edits": []}, "network.representable", "required"),
        ({"representable": True}, "network.edits", "required"),
        ({"representable": True, "edits": []}, "network.note", "empty edit list"),
        ({"representable": True, "edits": [], "note": "x", "colour": 1}, "network.colour",
         "unknown key"),
        ({"representable": False, "reason": "x", "edits": [{"op": "x"}]}, "network.edits",
         "must be empty"),
        (_with({"service": "Bus 200S"}), "network.edits[0]", "'op'"),
        (_with({"op": "teleport"}), "network.edits[0].op", "unknown op"),
        (_with({"op": "change_headway", "service": "Bus 200S"}),
         "network.edits[0].headway_min", "is required"),
        (_with({"op": "change_headway", "service": "Bus 200S", "headway_min": -5}),
         "network.edits[0].headway_min", "> 0"),
        (_with({"op": "change_headway", "service": "Bus 999", "headway_min": 5}),
         "network.edits[0].service", "unknown service"),
        (_with({"op": "scale_running_time", "service": "Bus 200S", "factor": 3}),
         "network.edits[0].factor", r"\(0, 2\]"),
        (_with({"op": "scale_running_time", "service": "Bus 200S", "factor": "fast"}),
         "network.edits[0].factor", "number"),
        (_with({"op": "scale_running_time", "service": "Bus 200S", "factor": 0.9,
                "corridor": ["Friheden St."]}), "network.edits[0].corridor", "two stops"),
        (_with({"op": "scale_running_time", "service": "Bus 200S", "factor": 0.9,
                "corridor": ["Friheden St.", "Atlantis St."]}),
         "network.edits[0].corridor", "unknown station"),
        (_with({"op": "add_service", "name": "X", "mode": "zeppelin", "headway_min": 5,
                "stops": ["Køge St.", "Roskilde St."]}), "network.edits[0].mode", "unknown mode"),
        (_with({"op": "add_service", "name": "X", "mode": "bus", "headway_min": 5,
                "stops": ["Køge St.", [200.0, 55.0]]}), "network.edits[0].stops",
         "not \\[lon, lat\\] in Denmark"),
        (_with({"op": "upgrade_road", "from": "Hillerød", "to": "Gotham",
                "road_class": "motorway"}), "network.edits[0].to", "unknown road node"),
        (_with({"op": "upgrade_road", "from": "Hillerød", "to": "Frederiksværk"}),
         "network.edits[0]", "road_class or speed_kmh"),
        (_with({"op": "cap_speed", "road_classes": ["bridleway"], "max_kmh": 30}),
         "network.edits[0].road_classes", "road classes"),
        (_with({"op": "change_access", "stations": ["Nørreport St."], "mode": "walk",
                "parking_min": 1}), "network.edits[0].mode", "bike"),
        (_with({"op": "road_charge", "per_km_dkk": 1, "per_litre": 2}),
         "network.edits[0].per_litre", "unknown field"),
        ({"representable": True, "edits": [
            {"op": "change_headway", "service": "Bus 200S", "headway_min": 5},
            {"op": "change_headway", "service": "Bus 200S", "headway_min": 7}]},
         "network.edits[1]", "conflicts with network.edits\\[0\\]"),
        (_with({"op": "change_mode", "service": "RE Kystbanen", "mode": "bus"}),
         "network.edits[0].mode", "unknown rail mode"),
        (_with({"op": "change_mode", "service": "RE Kystbanen"}),
         "network.edits[0].mode", "is required"),
        ({"representable": True, "edits": [
            {"op": "change_mode", "service": "RE Kystbanen", "mode": "s_train"},
            {"op": "change_mode", "service": "RE Kystbanen", "mode": "metro"}]},
         "network.edits[1]", "conflicts with network.edits\\[0\\]"),
        ({"representable": True, "edits": [], "note": "x", "effect": [{"from": "Køge St."}]},
         "network.effect[0]", "give from, to"),
        ({"representable": True, "edits": [], "note": "x", "effect": [
            {"from": "Køge St.", "to": "Roskilde St.", "change_pct": -5,
             "measure": "service_minutes"}]}, "network.effect[0]", "needs service"),
    ],
)
def test_problems(spec: Any, field: str, match: str) -> None:
    problems = check_network_spec(spec)
    hits = [m for f, m in problems if f == field]
    assert hits, problems
    assert any(__import__("re").search(match, m) for m in hits), hits
