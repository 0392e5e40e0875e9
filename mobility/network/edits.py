"""Initiatives as network edits: the edit vocabulary, its validation and its application.

An initiative's YAML ``network:`` key is either::

    network:
      representable: true
      edits:
        - {op: scale_running_time, service: Bus 200S, factor: 0.8}
        - ...
      effect:            # optional: what the catalogue states, checked by the tests
        - {from: Friheden St., to: Buddinge St., mode: pt, measure: minutes, change_pct: -20}

or ``{representable: false, reason: "..."}``. The operations (``op``) and their fields are in
:data:`OPS` and ``docs/network.md``. :func:`check_network_spec` validates a spec cheaply
(schema and names, no network build); :func:`apply_edits` applies the edits of several
initiatives to a copy of a network.

Conflicts between initiatives (two headways for one service, two factors on one link, two
road charges, two park-and-rides at one station) raise a :class:`MobilityWarning` and are
resolved by taking the strongest value (shortest headway, smallest factor, highest charge,
most spaces); factors are never compounded. Two initiatives adding a service of the same name
raise :class:`NetworkError`. Conflicts inside one initiative are reported by
:func:`check_network_spec`.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from functools import lru_cache
from itertools import pairwise
from typing import Any

from .._area import MARGIN_KM, outside_study_area
from .._input import is_finite_number
from ..errors import MobilityWarning, NetworkError
from .base import build_service
from .roads import AREA_TYPES, ROAD_CLASSES, link_length_km, load_road_data
from .services import MODES, RAIL_MODES, Network, load_service_data, resolve_stop

__all__ = ["EFFECT_FIELDS", "OPS", "apply_edits", "check_network_spec"]

_NUM = (int, float)

#: op -> {field: (required, kind)}; kinds: str, num, int, bool, place, places, service,
#: road_node, road_nodes, list, classes, any
OPS: dict[str, dict[str, tuple[bool, str]]] = {
    "scale_running_time": {"service": (True, "service"), "factor": (True, "factor"),
                           "corridor": (False, "corridor")},
    "change_headway": {"service": (True, "service"), "headway_min": (True, "pos")},
    "change_mode": {"service": (True, "service"), "mode": (True, "rail_mode")},
    "add_service": {"name": (True, "str"), "mode": (True, "mode"), "stops": (True, "places"),
                    "headway_min": (True, "pos"), "speed_kmh": (False, "pos"),
                    "run_min": (False, "run"), "dwell_min": (False, "nonneg"),
                    "new_track": (False, "bool"), "systems": (False, "strs"),
                    "join": (False, "str")},
    "add_stop": {"service": (True, "service"), "stop": (True, "place"),
                 "after": (True, "place")},
    "add_road": {"via": (True, "road_via"), "road_class": (True, "road_class"),
                 "area_type": (True, "area")},
    "upgrade_road": {"from": (True, "road_node"), "to": (True, "road_node"),
                     "road_class": (False, "road_class"), "speed_kmh": (False, "pos")},
    "cap_speed": {"road_classes": (True, "road_classes"), "max_kmh": (True, "pos"),
                  "area_type": (False, "area_any"), "speed_share": (False, "share")},
    "road_charge": {"per_km_dkk": (False, "nonneg"), "per_trip_dkk": (False, "nonneg")},
    "scale_capacity": {"factor": (True, "factor"), "road_classes": (False, "road_classes"),
                       "area_type": (False, "area_any"), "links": (False, "road_links")},
    "fare_change": {"factor": (False, "factor"), "max_zones": (False, "zones")},
    "park_and_ride": {"station": (True, "place"), "spaces": (True, "pos"),
                      "catchment_km": (False, "pos")},
    "change_access": {"stations": (True, "places"), "mode": (True, "access_mode"),
                      "parking_min": (True, "nonneg")},
}
#: Fields of an ``effect`` entry (a stated effect the tests reproduce).
#: Either a trip (``from``, ``to``, ``change_pct`` or ``change_min``; ``measure`` minutes,
#: generalised_minutes or service_minutes with ``service``) or a frequency (``services``,
#: ``departures_per_hour``: the departures an hour of those services together).
EFFECT_FIELDS: dict[str, tuple[bool, str]] = {
    "from": (False, "place"), "to": (False, "place"), "mode": (False, "travel_mode"),
    "measure": (False, "measure"), "service": (False, "service"),
    "services": (False, "service_list"), "departures_per_hour": (False, "pos"),
    "change_pct": (False, "num"), "change_min": (False, "num"),
    "tolerance_pct": (False, "nonneg"), "tolerance_min": (False, "nonneg"),
    "note": (False, "str"),
}
_TOP = {"representable", "edits", "reason", "effect", "note"}


@lru_cache(maxsize=1)
def _base_service_stops() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for spec in load_service_data()["services"]:
        keys = set()
        for s in spec["stops"]:
            try:
                keys.add(resolve_stop(s)[0])
            except LookupError:
                keys.add(str(s))
        out[str(spec["name"])] = keys
    return out


def _coordinates_problem(item: Any) -> str | None:
    """A message for [lon, lat] (or a new stop's ``at``) that are not finite numbers."""
    if isinstance(item, dict):
        item = item.get("at")
    if isinstance(item, list | tuple) and not all(is_finite_number(v) for v in item):
        return f"coordinates must be two finite numbers [lon, lat], got {item!r}"
    return None


def _check_value(kind: str, value: Any, added: dict[str, set[str]]) -> str | None:
    """A problem message for ``value`` of ``kind``, or None."""
    if kind in ("pos", "nonneg", "factor", "share", "num"):
        if isinstance(value, bool) or not isinstance(value, _NUM):
            return f"must be a number, got {value!r}"
        if not is_finite_number(value):
            return f"must be a finite number, got {value!r}"
        bounds = {"pos": value > 0, "nonneg": value >= 0, "factor": 0 < value <= 2,
                  "share": 0 < value <= 1, "num": True}
        return None if bounds[kind] else {
            "pos": "must be > 0", "nonneg": "must be >= 0", "factor": "must be in (0, 2]",
            "share": "must be in (0, 1]"}[kind]
    if kind in ("str", "service"):
        if not isinstance(value, str) or not value.strip():
            return "must be a non-empty string"
        if kind == "service" and value not in _base_service_stops() and value not in added:
            close = ", ".join(sorted(_base_service_stops()))
            return f"unknown service {value!r}; base services: {close}"
        return None
    if kind == "bool":
        return None if isinstance(value, bool) else "must be true or false"
    if kind == "mode":
        return None if value in MODES else f"unknown mode {value!r}; choose one of {MODES}"
    if kind == "rail_mode":
        rail = sorted(RAIL_MODES)
        return None if value in RAIL_MODES else f"unknown rail mode {value!r}; choose one of {rail}"
    if kind in ("place", "places", "road_via"):
        items = [value] if kind == "place" else value
        least = 2 if kind == "road_via" else 1
        if not isinstance(items, list) or len(items) < least:
            return f"must be a list of at least {least} place{'s' * (least > 1)}"
        nodes = load_road_data()["nodes"] if kind == "road_via" else {}
        for item in items:
            if isinstance(item, str) and item in nodes:
                continue
            msg = _coordinates_problem(item)
            if msg:
                return msg
            try:
                _, x, y = resolve_stop(item)
            except (LookupError, NetworkError) as err:
                return str(err)
            if outside_study_area(x, y):
                return (f"{item!r} lies outside the study area (the 35 municipalities plus "
                        f"{MARGIN_KM:.0f} km)")
        return None
    if kind == "corridor":
        if not isinstance(value, list) or len(value) != 2:
            return "must be a list of two stops [from, to]"
        return _check_value("places", value, added)
    if kind == "run":
        values = value if isinstance(value, list) else [value]
        ok = bool(values) and all(is_finite_number(v) and v > 0 for v in values)
        return None if ok else ("must be a finite positive number (total) or a list of them "
                                "(per link)")
    if kind in ("strs", "ints"):
        typ = str if kind == "strs" else int
        ok = isinstance(value, list) and all(
            isinstance(v, typ) and not isinstance(v, bool) for v in value)
        return None if ok else f"must be a list of {typ.__name__}"
    if kind == "road_node":
        nodes = load_road_data()["nodes"]
        return None if value in nodes else f"unknown road node {value!r}; see geodata/roads.yaml"
    if kind == "road_links":
        nodes = load_road_data()["nodes"]
        ok = isinstance(value, list) and value and all(
            isinstance(p, list) and len(p) == 2 and all(n in nodes for n in p) for p in value)
        return None if ok else "must be a list of [from, to] road nodes of geodata/roads.yaml"
    if kind == "zones":
        ok = isinstance(value, int) and not isinstance(value, bool) and 2 <= value <= 30
        return None if ok else "must be a whole number of zones from 2 to 30"
    if kind == "road_class":
        return None if value in ROAD_CLASSES else f"unknown road class {value!r}"
    if kind == "road_classes":
        ok = isinstance(value, list) and value and all(v in ROAD_CLASSES for v in value)
        return None if ok else f"must be a list of road classes from {ROAD_CLASSES}"
    if kind in ("area", "area_any"):
        allowed = AREA_TYPES + (("any",) if kind == "area_any" else ())
        return None if value in allowed else f"must be one of {allowed}"
    if kind == "access_mode":
        return None if value == "bike" else "only 'bike' access can be changed"
    if kind == "travel_mode":
        return None if value in ("pt", "car") else "must be 'pt' or 'car'"
    if kind == "measure":
        ok = value in ("minutes", "generalised_minutes", "service_minutes")
        return None if ok else "must be 'minutes', 'generalised_minutes' or 'service_minutes'"
    if kind == "service_list":
        if not isinstance(value, list) or not value:
            return "must be a non-empty list of services"
        msgs = [m for v in value if (m := _check_value("service", v, added))]
        return msgs[0] if msgs else None
    return f"unknown field kind {kind!r}"  # pragma: no cover


def _check_fields(item: Any, fields: dict[str, tuple[bool, str]], where: str,
                  added: dict[str, set[str]]) -> list[tuple[str, str]]:
    problems = []
    for name, (required, kind) in fields.items():
        if name not in item:
            if required:
                problems.append((f"{where}.{name}", "is required"))
            continue
        msg = _check_value(kind, item[name], added)
        if msg:
            problems.append((f"{where}.{name}", msg))
    for name in item:
        if name not in fields and name != "op":
            problems.append((f"{where}.{name}", f"unknown field; allowed: {', '.join(fields)}"))
    return problems


def check_network_spec(spec: Any) -> list[tuple[str, str]]:
    """Problems with an initiative's ``network:`` value, without building the network.

    Parameters
    ----------
    spec : dict
        The raw ``network:`` mapping of an initiative file.

    Returns
    -------
    list of (field, message)
        Field paths like ``"network.edits[2].factor"``; empty if the spec is valid.

    Examples
    --------
    >>> check_network_spec({"representable": False, "reason": "fares are not modelled"})
    []
    >>> check_network_spec({"representable": True, "edits": [{"op": "fly"}]})[0][1][:10]
    'unknown op'
    """
    if not isinstance(spec, dict):
        return [("network", "must be a mapping with 'representable'")]
    problems: list[tuple[str, str]] = []
    for key in spec:
        if key not in _TOP:
            problems.append((f"network.{key}", f"unknown key; allowed: {', '.join(sorted(_TOP))}"))
    rep = spec.get("representable")
    if not isinstance(rep, bool):
        return [*problems, ("network.representable", "is required: true or false")]
    if not rep:
        if not isinstance(spec.get("reason"), str) or not spec["reason"].strip():
            problems.append(("network.reason", "is required when representable is false"))
        if spec.get("edits"):
            problems.append(("network.edits", "must be empty when representable is false"))
        return problems
    edits = spec.get("edits")
    if not isinstance(edits, list):
        return [*problems, ("network.edits", "is required (a list, may be empty with a note)")]
    if not edits and not spec.get("note"):
        problems.append(("network.note", "an empty edit list needs a note saying why"))
    added = {e.get("name"): set() for e in edits
             if isinstance(e, dict) and e.get("op") == "add_service"}
    seen: dict[tuple, tuple[int, Any]] = {}
    for i, edit in enumerate(edits):
        where = f"network.edits[{i}]"
        if not isinstance(edit, dict) or "op" not in edit:
            problems.append((where, "must be a mapping with an 'op'"))
            continue
        op = edit["op"]
        if op not in OPS:
            problems.append((f"{where}.op", f"unknown op {op!r}; choose one of {', '.join(OPS)}"))
            continue
        problems += _check_fields(edit, OPS[op], where, added)
        if op == "upgrade_road" and "road_class" not in edit and "speed_kmh" not in edit:
            problems.append((where, "give road_class or speed_kmh"))
        if op == "fare_change" and "factor" not in edit and "max_zones" not in edit:
            problems.append((where, "give factor or max_zones"))
        if op == "scale_capacity" and "road_classes" not in edit and "links" not in edit:
            problems.append((where, "give road_classes or links"))
        # conflicts inside the initiative
        key = value = None
        if op == "change_headway":
            key, value = ("headway", edit.get("service")), edit.get("headway_min")
        elif op == "change_mode":
            key, value = ("mode", edit.get("service")), edit.get("mode")
        elif op == "scale_running_time":
            key = ("scale", edit.get("service"), tuple(map(str, edit.get("corridor") or [])))
            value = edit.get("factor")
        if key is not None:
            if key in seen and seen[key][1] != value:
                problems.append((where, f"conflicts with network.edits[{seen[key][0]}] "
                                        f"({value} vs {seen[key][1]})"))
            seen.setdefault(key, (i, value))
    for j, eff in enumerate(spec.get("effect") or []):
        where = f"network.effect[{j}]"
        if not isinstance(eff, dict):
            problems.append((where, "must be a mapping"))
            continue
        problems += _check_fields(eff, EFFECT_FIELDS, where, added)
        if "departures_per_hour" in eff:
            if "services" not in eff:
                problems.append((where, "departures_per_hour needs services"))
        elif not {"from", "to"} <= set(eff) or not {"change_pct", "change_min"} & set(eff):
            problems.append((where, "give from, to and change_pct or change_min "
                                    "(or services and departures_per_hour)"))
        elif eff.get("measure") == "service_minutes" and "service" not in eff:
            problems.append((where, "measure service_minutes needs service"))
    return problems


# --------------------------------------------------------------------------------------------
# application


def _warn(msg: str) -> None:
    warnings.warn(msg, MobilityWarning, stacklevel=3)


def _join(net: Network, new: Any, target: str) -> bool:
    """Append/prepend ``new`` to service ``target`` if they share an end stop."""
    old = net.services.get(target)
    if old is None:
        return False
    a, b = old.stops, new.stops
    if a[-1] == b[0]:
        old.stops, old.run_min = a + b[1:], old.run_min + new.run_min
    elif a[0] == b[-1]:
        old.stops, old.run_min = b[:-1] + a, new.run_min + old.run_min
    elif a[-1] == b[-1]:
        old.stops, old.run_min = a + b[::-1][1:], old.run_min + new.run_min[::-1]
    elif a[0] == b[0]:
        old.stops, old.run_min = b[::-1][:-1] + a, new.run_min[::-1] + old.run_min
    else:
        return False
    return True


def apply_edits(base: Network, edits: Iterable[tuple[int, list[dict[str, Any]]]]) -> Network:
    """Apply the edits of several initiatives to a copy of ``base``.

    Parameters
    ----------
    base : Network
        Not modified.
    edits : iterable of (initiative id, list of edit dicts)
        Applied in this order: new services and stops first (so that others may refer to
        them), then running times and headways, roads, access and charges.

    Raises
    ------
    NetworkError
        An edit refers to an unknown service, stop or road link, or two initiatives add a
        service of the same name.

    Warns
    -----
    MobilityWarning
        Conflicting edits from different initiatives (resolved by the strongest value).
    """
    net = base.copy()
    items = [(iid, e) for iid, lst in edits for e in lst]
    modes = load_service_data()["modes"]
    alias: dict[str, str] = {}
    added_by: dict[str, int] = {}
    for iid, e in items:
        if e["op"] != "add_service":
            continue
        name = e["name"]
        if name in net.services:
            who = f"initiative {added_by[name]}" if name in added_by else "the base network"
            msg = f"initiative {iid} adds service {name!r}, already added by {who}"
            raise NetworkError(msg)
        spec = {k: v for k, v in e.items() if k not in ("op", "join")}
        svc = build_service(spec, modes, net.stations)
        if e.get("join") and _join(net, svc, e["join"]):
            alias[name] = e["join"]
        else:
            net.services[name] = svc
        added_by[name] = iid

    def service(iid: int, name: str) -> Any:
        name = alias.get(name, name)
        if name not in net.services:
            msg = f"initiative {iid}: unknown service {name!r}"
            raise NetworkError(msg)
        return net.services[name]

    for iid, e in items:
        if e["op"] == "add_stop":
            svc = service(iid, e["service"])
            key, x, y = resolve_stop(e["stop"])
            after = resolve_stop(e["after"])[0]
            if after not in svc.stops or after == svc.stops[-1]:
                msg = f"initiative {iid}: {after!r} is not an inner or first stop of {svc.name!r}"
                raise NetworkError(msg)
            i = svc.stops.index(after)
            nxt = net.stations[svc.stops[i + 1]]
            prv = net.stations[after]
            d1 = ((x - prv[0]) ** 2 + (y - prv[1]) ** 2) ** 0.5
            d2 = ((nxt[0] - x) ** 2 + (nxt[1] - y) ** 2) ** 0.5
            dwell = float(modes[svc.mode].get("dwell_min", 0.0))
            run = svc.run_min[i]
            share = d1 / (d1 + d2) if d1 + d2 > 0 else 0.5
            svc.run_min[i:i + 1] = [run * share + dwell, run * (1 - share)]
            svc.stops.insert(i + 1, key)
            net.stations.setdefault(key, (x, y))

    factors: dict[tuple[str, int], dict[int, float]] = {}
    headways: dict[str, dict[int, float]] = {}
    for iid, e in items:
        op = e["op"]
        if op == "scale_running_time":
            svc = service(iid, e["service"])
            if e.get("corridor"):
                a, b = (resolve_stop(s)[0] for s in e["corridor"])
                lo, hi = svc.link_index(a, b)
            else:
                lo, hi = 0, len(svc.run_min)
            for k in range(lo, hi):
                factors.setdefault((svc.name, k), {})[iid] = float(e["factor"])
        elif op == "change_headway":
            svc = service(iid, e["service"])
            headways.setdefault(svc.name, {})[iid] = float(e["headway_min"])
    for (name, k), by_id in factors.items():
        if len(set(by_id.values())) > 1:
            _warn(f"initiatives {sorted(by_id)} scale service {name!r} link "
                  f"{net.services[name].stops[k]!r} by different factors {by_id}; "
                  "the smallest is used (not compounded)")
        net.services[name].run_min[k] *= min(by_id.values())
    for name, by_id in headways.items():
        if len(set(by_id.values())) > 1:
            _warn(f"initiatives {sorted(by_id)} set different headways on {name!r} {by_id}; "
                  "the shortest is used")
        net.services[name].headway_min = min(by_id.values())
    modes: dict[str, dict[int, str]] = {}
    for iid, e in items:
        if e["op"] == "change_mode":
            svc = service(iid, e["service"])
            if svc.mode not in RAIL_MODES:
                msg = (f"initiative {iid}: change_mode applies to rail services; "
                       f"{svc.name!r} is {svc.mode}")
                raise NetworkError(msg)
            modes.setdefault(svc.name, {})[iid] = str(e["mode"])
    for name, by_mode in modes.items():
        if len(set(by_mode.values())) > 1:
            _warn(f"initiatives {sorted(by_mode)} set different modes on {name!r} {by_mode}; "
                  f"that of initiative {min(by_mode)} is used")
        net.services[name].mode = by_mode[min(by_mode)]

    charges: dict[int, dict[str, float]] = {}
    pr: dict[str, dict[int, dict[str, Any]]] = {}
    capacity: dict[int, dict[int, float]] = {}
    fares: dict[int, dict[str, float]] = {}
    for iid, e in items:
        op = e["op"]
        if op == "add_road":
            keys = []
            for ref in e["via"]:
                if isinstance(ref, str) and ref in net.road_nodes:
                    keys.append(ref)
                    continue
                key, x, y = resolve_stop(ref)
                net.road_nodes.setdefault(key, (x, y))
                keys.append(key)
            for a, b in pairwise(keys):
                net.road_links.append({
                    "a": a, "b": b, "road_class": e["road_class"], "area": e["area_type"],
                    "length_km": link_length_km(net.road_nodes[a], net.road_nodes[b])})
        elif op == "upgrade_road":
            ends = {e["from"], e["to"]}
            hit = [lk for lk in net.road_links if {lk["a"], lk["b"]} == ends]
            if not hit:
                msg = f"initiative {iid}: no road link between {e['from']!r} and {e['to']!r}"
                raise NetworkError(msg)
            for lk in hit:
                if "road_class" in e:
                    lk["road_class"] = e["road_class"]
                if "speed_kmh" in e:
                    lk["speed_kmh"] = float(e["speed_kmh"])
        elif op == "cap_speed":
            net.speed_caps.append({
                "road_classes": list(e["road_classes"]), "max_kmh": float(e["max_kmh"]),
                "area_type": e.get("area_type", "any"),
                "speed_share": float(e.get("speed_share", 1.0)), "initiative": iid})
        elif op == "scale_capacity":
            pairs = {frozenset(p) for p in e.get("links") or []}
            found = set()
            for k, lk in enumerate(net.road_links):
                pair = frozenset((lk["a"], lk["b"]))
                if e.get("road_classes") and lk["road_class"] not in e["road_classes"]:
                    continue
                if e.get("area_type", "any") not in ("any", lk["area"]):
                    continue
                if pairs and pair not in pairs:
                    continue
                found.add(pair)
                capacity.setdefault(k, {})[iid] = float(e["factor"])
            missing = pairs - found
            if missing or not found:
                what = sorted(sorted(p) for p in missing) if missing else "any road link"
                msg = f"initiative {iid}: scale_capacity matches no link for {what}"
                raise NetworkError(msg)
        elif op == "fare_change":
            fares[iid] = {k: float(e[k]) for k in ("factor", "max_zones") if k in e}
        elif op == "road_charge":
            charges[iid] = {k: float(e.get(k, 0.0)) for k in ("per_km_dkk", "per_trip_dkk")}
        elif op == "park_and_ride":
            key = resolve_stop(e["station"])[0]
            if key not in net.station_keys():
                msg = f"initiative {iid}: park-and-ride at {key!r}, which no service serves"
                raise NetworkError(msg)
            pr.setdefault(key, {})[iid] = {"station": key, "spaces": float(e["spaces"]),
                                            "catchment_km": float(e.get("catchment_km", 10.0))}
        elif op == "change_access":
            for ref in e["stations"]:
                key = resolve_stop(ref)[0]
                old = net.bike_parking_min.get(key, float("inf"))
                net.bike_parking_min[key] = min(old, float(e["parking_min"]))
    if charges:
        if len(charges) > 1:
            _warn(f"initiatives {sorted(charges)} all add road charges; the highest is used")
        for k in ("per_km_dkk", "per_trip_dkk"):
            net.road_cost[k] = max(c[k] for c in charges.values())
    for k, by_id in capacity.items():
        lk = net.road_links[k]
        if len(set(by_id.values())) > 1:
            _warn(f"initiatives {sorted(by_id)} scale the capacity of {lk['a']!r}-{lk['b']!r} "
                  f"by different factors {by_id}; the largest is used (not compounded)")
        lk["capacity_factor"] = max(by_id.values())
    if fares:
        if len(fares) > 1:
            _warn(f"initiatives {sorted(fares)} all change the fare table; the lowest factor "
                  "and zone cap are used")
        for key in ("factor", "max_zones"):
            vals = [f[key] for f in fares.values() if key in f]
            if vals:
                net.fares[key] = min(vals)
    for key, by_id in pr.items():
        if len(by_id) > 1:
            _warn(f"initiatives {sorted(by_id)} all add a park-and-ride at {key!r}; "
                  "the largest is used")
        net.park_and_ride.append(max(by_id.values(), key=lambda d: d["spaces"]))
    return net
