"""Station complexes, unserved stations and name suggestions (issue 12, item 7)."""

from __future__ import annotations

import re

import pytest

from mobility import geodata
from mobility.errors import NetworkError, PlaceNotFoundError
from mobility.network import base_network
from mobility.network.scenario import travel_time


def _study_area_station_names() -> list[str]:
    st = geodata.load_stations()
    inside = st[st["in_study_area"].fillna(False).astype(bool)]
    return sorted(set(inside["name"].astype(str)))


def test_every_study_area_station_is_served_or_documented() -> None:
    names = _study_area_station_names()
    assert len(names) >= 219
    unserved = geodata.unserved_stations()
    failures = []
    for name in names:
        if name in unserved:
            with pytest.raises(NetworkError, match="documented as unserved"):
                travel_time(name, "København H")
            continue
        try:
            res = travel_time(name, "København H")
        except (NetworkError, PlaceNotFoundError) as err:
            failures.append(f"{name}: {err}")
            continue
        assert res["minutes"] >= 0.0
    assert not failures, "\n".join(failures)


def test_unserved_file_lists_only_real_unserved_stations() -> None:
    names = set(_study_area_station_names())
    served = set(base_network().station_keys())
    for name, reason in geodata.unserved_stations().items():
        assert name in names, f"{name} is not a study-area station"
        assert reason.strip(), f"{name} has no reason"
        assert geodata.resolve_place(name).name not in served, f"{name} is served: remove it"


@pytest.mark.parametrize(("platform", "complex_name"), [
    ("Nørreport St. (Metro)", "Nørreport St."),
    ("Lufthavnen St. (Metro)", "CPH Lufthavn"),
    ("København H (Metro)", "København H"),
    ("Østerport St. (Metro)", "Østerport St."),
    ("Nørrebro St. (Metro)", "Nørrebro St."),
    ("Flintholm St. (Metro)", "Flintholm St."),
    ("Vanløse St. (Metro)", "Vanløse St."),
    ("Ørestad St. (Metro)", "Ørestad St."),
    ("Nordhavn St. (Metro)", "Nordhavn St."),
])
def test_complex_names_resolve_to_one_served_place(platform: str, complex_name: str) -> None:
    assert geodata.resolve_place(platform).name == complex_name
    assert travel_time(platform, complex_name)["minutes"] == 0.0
    a = travel_time(platform, "Roskilde St.")
    b = travel_time(complex_name, "Roskilde St.")
    assert a["minutes"] == b["minutes"]


@pytest.mark.parametrize(("station", "mode"), [
    ("Hedehusene St.", "regional"),
    ("Trekroner St.", "regional"),
    ("Herfølge St.", "regional"),
    ("Tureby St.", "regional"),
    ("Li.Linde St.", "local_rail"),
])
def test_formerly_unserved_stations_have_their_real_lines(station: str, mode: str) -> None:
    net = base_network()
    modes = {svc.mode for svc in net.services.values() if station in svc.stops}
    assert mode in modes, (station, modes)
    assert travel_time(station, "København H")["minutes"] < 75.0


def _suggestions(message: str) -> list[str]:
    m = re.search(r"closest matches: (.*)$", message)
    return [s.strip() for s in m.group(1).split(", ")] if m else []


@pytest.mark.parametrize("typo", ["Hilerød St.", "Norreport St. (Metro)", "Kobenhavn H",
                                  "Trekronr St.", "Lufthavn St. Metro", "Herfolge St."])
def test_travel_time_suggestions_all_work(typo: str) -> None:
    with pytest.raises(PlaceNotFoundError) as info:
        travel_time(typo, "København H")
    names = _suggestions(str(info.value))
    assert names, str(info.value)
    for name in names:
        travel_time(name, "København H")  # raises if a suggestion does not work


def test_place_lookup_suggestions_all_resolve() -> None:
    for typo in ("Budinge St.", "Husum Torv (Frederiksundsvej)", "Nørreport St (Metro"):
        with pytest.raises(PlaceNotFoundError) as info:
            geodata.resolve_place(typo)
        names = _suggestions(str(info.value))
        assert names
        for name in names:
            geodata.resolve_place(name)


def test_place_lookup_never_suggests_a_broken_alias(monkeypatch: pytest.MonkeyPatch) -> None:
    aliases = dict(geodata._aliases())
    aliases["Buddinge Stationsplads"] = "No Such Place At All"
    monkeypatch.setattr(geodata, "_aliases", lambda: aliases)
    geodata._gazetteer.cache_clear()
    geodata._resolvable_names.cache_clear()
    try:
        with pytest.raises(PlaceNotFoundError) as info:
            geodata.resolve_place("Buddinge Stationspladsen")
        assert "Buddinge Stationsplads," not in str(info.value) + ","
    finally:
        geodata._gazetteer.cache_clear()
        geodata._resolvable_names.cache_clear()


def test_unserved_message_gives_reason_and_nearest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(geodata, "unserved_stations",
                        lambda: {"Ullerød Kirke (Frederiksværksgade)": "a test reason"})
    with pytest.raises(NetworkError) as info:
        travel_time("Ullerød Kirke (Frederiksværksgade)", "København H")
    msg = str(info.value)
    assert "documented as unserved: a test reason" in msg
    assert "nearest served stops: " in msg
    near = msg.split("nearest served stops: ")[1].split(", ")
    served = set(base_network().station_keys())
    for item in near:
        assert re.sub(r" \([0-9.]+ km\)$", "", item) in served
