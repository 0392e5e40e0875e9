"""Public transport supply: regional and S-bus lines, the Ringsted line, stop coverage (issue 9)."""

from __future__ import annotations

import numpy as np
import pytest

from mobility.errors import NetworkError
from mobility.network import base_network
from mobility.network.base import build_service
from mobility.network.coverage import stop_coverage
from mobility.network.scenario import pt_route, travel_time
from mobility.network.services import load_service_data
from mobility.network.validation import timetable_errors
from mobility.network.zones import study_zones

NEW_BUS_LINES = ("Bus 250S", "Bus 350S", "Bus 500S Ørestad-Kokkedal", "Bus 600S", "Bus 310R",
                 "Bus 375R", "Bus 365R", "Bus R Frederikssund-Hillerød", "Bus 201A Roskilde",
                 "Bus 202A Roskilde")


def test_regional_and_s_bus_lines_are_in_the_base() -> None:
    net = base_network()
    for name in NEW_BUS_LINES:
        svc = net.services[name]
        assert svc.mode == "bus"
        assert 5 <= svc.headway_min <= 30
        assert all(m > 0 for m in svc.run_min)
        speed_kmh = _speed(name)
        assert 15 <= speed_kmh <= 40, (name, speed_kmh)


def _speed(name: str) -> float:
    spec = next(s for s in load_service_data()["services"] if s["name"] == name)
    return float(spec["speed_kmh"])


def test_frederikssund_hilleroed_by_bus_not_via_copenhagen() -> None:
    res = travel_time("Frederikssund St.", "Hillerød St.")
    assert 30 <= res["minutes"] <= 45  # was 70-75 min via København H without the bus
    route = pt_route("Frederikssund St.", "Hillerød St.")
    assert route and all(s.startswith("Bus") for s in route)


def test_ringsted_line_uses_published_running_times() -> None:
    svc = base_network().services["RE Køge Nord-København"]
    assert svc.minutes_between("København H", "Ringsted St.") == pytest.approx(31.0)
    # the generic regional speed would give a clearly slower trip (about 44 min)
    data = load_service_data()
    spec = next(s for s in data["services"] if s["name"] == "RE Køge Nord-København")
    generic = {k: v for k, v in spec.items() if k != "run_min"}
    slow = build_service(generic, data["modes"], {})
    assert slow.minutes_between("København H", "Ringsted St.") > 38.0
    assert travel_time("København H", "Ringsted St.")["minutes"] == pytest.approx(31.0)


def test_validation_covers_pairs_that_need_a_bus() -> None:
    table = timetable_errors()
    bus_rows = table[table["note"].fillna("").str.contains("needs a bus")]
    assert len(bus_rows) >= 4
    for row in bus_rows.itertuples():
        assert "Bus" in row.model_services, (row.__dict__)
    assert table["ok"].all(), table.loc[~table["ok"], ["from", "to", "model_min"]]


def test_coverage_counts_people_beyond_the_threshold() -> None:
    net = base_network()
    res = stop_coverage(net)
    z = study_zones()
    assert res["population"] == pytest.approx(float(z["population"].sum()))
    assert 0.0 < res["share_population_uncovered"] < 1.0
    mun = res["by_municipality"]
    assert mun["population_uncovered"].sum() == pytest.approx(res["population_uncovered"])
    # a threshold beyond every distance covers everyone; zero covers (almost) nobody
    assert stop_coverage(net, max_m=1e7)["population_uncovered"] == 0.0
    assert stop_coverage(net, max_m=0.0)["share_population_uncovered"] > 0.99


def test_coverage_against_a_hand_computed_case() -> None:
    net = base_network()
    z = study_zones()
    biggest = z.sort_values("population").iloc[-1]
    net.services = {"one": net.services["Bus 202A Roskilde"]}
    net.services["one"].stops = ["A", "B"]
    net.stations = {"A": (float(biggest["x"]), float(biggest["y"])),
                    "B": (float(biggest["x"]) + 50_000.0, float(biggest["y"]))}
    res = stop_coverage(net, max_m=1200.0)
    d_a = np.hypot(z["x"] - biggest["x"], z["y"] - biggest["y"])
    d_b = np.hypot(z["x"] - biggest["x"] - 50_000.0, z["y"] - biggest["y"])
    covered = z.loc[(d_a <= 1200.0) | (d_b <= 1200.0), "population"].sum()
    assert res["population_uncovered"] == pytest.approx(z["population"].sum() - covered)
    assert res["stops"] == 2


def test_bus_lines_improve_coverage() -> None:
    net = base_network()
    with_bus = stop_coverage(net)["share_population_uncovered"]
    without = net.copy()
    without.services = {k: v for k, v in without.services.items() if k not in NEW_BUS_LINES}
    without.stations = {s: xy for s, xy in without.stations.items()
                        if s in set(without.station_keys())}
    before = stop_coverage(without)["share_population_uncovered"]
    assert with_bus < before - 0.02
    assert with_bus < 0.25  # 27.4 % of residents were beyond 1.2 km before the added lines


def test_coverage_rejects_a_bad_threshold() -> None:
    with pytest.raises(NetworkError, match="max_m"):
        stop_coverage(base_network(), max_m=float("nan"))
