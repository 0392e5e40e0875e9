"""The base network: the services of ``pt_services.yaml`` and the road skeleton."""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from ..errors import GeodataError, NetworkError, PlaceNotFoundError
from .roads import road_skeleton
from .services import MODES, Network, Service, load_service_data, resolve_stop, running_times

__all__ = ["base_network", "build_service"]

log = logging.getLogger(__name__)


def build_service(spec: dict[str, Any], modes: dict[str, dict[str, Any]],
                  stations: dict[str, tuple[float, float]]) -> Service:
    """Build a :class:`Service` from its spec; adds its stops to ``stations`` (mutated)."""
    for key in ("name", "mode", "headway_min", "stops"):
        if key not in spec:
            msg = f"service {spec.get('name', '?')!r} lacks {key!r}"
            raise NetworkError(msg)
    if spec["mode"] not in MODES:
        msg = f"service {spec['name']!r}: unknown mode {spec['mode']!r}; choose one of {MODES}"
        raise NetworkError(msg)
    if len(spec["stops"]) < 2:
        msg = f"service {spec['name']!r} needs at least two stops"
        raise NetworkError(msg)
    resolved = [resolve_stop(s) for s in spec["stops"]]
    for key, x, y in resolved:
        stations.setdefault(key, (x, y))
    run = running_times(spec, modes, resolved)
    return Service(name=str(spec["name"]), mode=str(spec["mode"]),
                   headway_min=float(spec["headway_min"]),
                   stops=[r[0] for r in resolved], run_min=run)


@lru_cache(maxsize=1)
def _base() -> Network:
    data = load_service_data()
    modes = data["modes"]
    stations: dict[str, tuple[float, float]] = {}
    services: dict[str, Service] = {}
    problems = []
    for spec in data["services"]:
        try:
            svc = build_service(spec, modes, stations)
        except (NetworkError, PlaceNotFoundError) as err:
            problems.append(str(err))
            continue
        if svc.name in services:
            problems.append(f"service {svc.name!r} is defined twice")
        services[svc.name] = svc
    if problems:
        msg = "pt_services.yaml: " + "; ".join(problems)
        raise GeodataError(msg)
    nodes, links = road_skeleton()
    log.info("base network: %d services, %d stations, %d road links",
             len(services), len(stations), len(links))
    return Network(stations=stations, services=services, road_nodes=nodes, road_links=links)


def base_network() -> Network:
    """The base network (a fresh copy: edit it freely).

    Examples
    --------
    >>> from mobility.network import base_network
    >>> net = base_network()
    >>> net.services["S-tog A"].stops[0]
    'Hillerød St.'
    """
    return _base().copy()
