"""The scenario response, computed on the changed cells only (sparse pivot).

A scenario changes the PT or car costs of a subset ``C`` of the zone pairs (typically 0-30 %).
Off ``C`` the mode shares and destination weights stay as in the base; only the balancing
factors move (commute: ``a_i b_j`` of the Furness re-balance; other purposes: one factor per
origin). So every total is a base total, re-weighted by those factors through precomputed
base matrices (matrix-vector products), plus a correction summed over ``C``. The result is
exactly that of the dense pivot of :mod:`mobility.demand.model` (tested against it), at a
fraction of the work.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from ..network import params as net_params
from ..network.skim import Skims
from . import parameters as P
from .model import (
    MODES,
    PURPOSES,
    BaseDemand,
    _walk_skim_min,
    car_g,
    furness,
    money_min_per_dkk,
    pt_g,
    skim_money_and_distance,
    street_km,
)

__all__ = ["Response", "mode_trip_matrix", "prepare", "pt_trip_matrix", "respond",
           "scenario_mode_matrix"]

F32 = np.float32
T = TypeVar("T")
_KM_MODES = ("walk", "bike", "car")
_SEGMODES: tuple[tuple[int, str], ...] = ((1, "walk"), (1, "bike"), (1, "pt"), (1, "car"),
                                          (0, "walk"), (0, "bike"), (0, "pt"))


@dataclass
class _Prepared:
    t0c: np.ndarray                      # commute trips, both segments
    rs: dict[tuple[str, int, str], np.ndarray]  # row sums of T0_ps x share (business, other)
    rsk: dict[tuple[str, int, str], np.ndarray]  # ... x km
    r0: dict[tuple[str, int], np.ndarray]   # row sums of T0_ps
    rows: np.ndarray
    cols: np.ndarray
    trips: dict[str, float]
    km: dict[str, float]
    pt_zone: np.ndarray
    trips_zone: np.ndarray


def _dist(base: BaseDemand, mode: str) -> np.ndarray:
    return base.car_km if mode == "car" else street_km()


def _commute_sums(base: BaseDemand, b: np.ndarray
                  ) -> tuple[dict[tuple[int, str], np.ndarray], dict[tuple[int, str], np.ndarray]]:
    """Per segment and mode, the row sums of the commute trips x share with the columns
    weighted by ``b`` (float32), and the same x distance (walk, bike, car); float64 rows.
    One work matrix (commute trips x ``b``) per segment; the products are not stored
    (``numpy.einsum`` sums them without a full-size temporary)."""
    tc = base.trips["commute"]
    buf = np.empty_like(tc[1])
    rows: dict[tuple[int, str], np.ndarray] = {}
    km: dict[tuple[int, str], np.ndarray] = {}
    for s in (1, 0):
        np.multiply(tc[s], b[None, :], out=buf)
        for s2, mode in _SEGMODES:
            if s2 != s:
                continue
            share = base.shares[s][mode]
            rows[(s, mode)] = np.einsum("ij,ij->i", buf, share).astype(np.float64)
            if mode in _KM_MODES:
                km[(s, mode)] = np.einsum("ij,ij,ij->i", buf, share,
                                          _dist(base, mode)).astype(np.float64)
    return rows, km


def prepare(base: BaseDemand) -> _Prepared:
    """The base quantities the sparse response re-weights (cached on ``base``)."""
    cached = getattr(base, "_prepared", None)
    if cached is not None:
        return cached
    tc = base.trips["commute"]
    t0c = tc[1] + tc[0]
    rs, rsk, r0 = {}, {}, {}
    for p in ("business", "other"):
        for s in (1, 0):
            r0[(p, s)] = base.trips[p][s].sum(axis=1).astype(np.float64)
            for s2, mode in _SEGMODES:
                if s2 != s:
                    continue
                x = base.trips[p][s] * base.shares[s][mode]
                rs[(p, s, mode)] = x.sum(axis=1).astype(np.float64)
                if mode in _KM_MODES:
                    x *= _dist(base, mode)
                    rsk[(p, s, mode)] = x.sum(axis=1).astype(np.float64)
    rows = t0c.sum(axis=1).astype(np.float64)
    cols = t0c.sum(axis=0).astype(np.float64)
    nz = len(rows)
    trips = dict.fromkeys(MODES, 0.0)
    kms = dict.fromkeys(_KM_MODES, 0.0)
    pt_zone = np.zeros(nz)
    commute_rows, commute_km = _commute_sums(base, np.ones(nz, dtype=F32))
    for (s, mode), r in commute_rows.items():
        for p in ("business", "other"):
            r = r + rs[(p, s, mode)]
        trips[mode] += float(r.sum())
        if mode == "pt":
            pt_zone += r
        if mode in _KM_MODES:
            k = float(commute_km[(s, mode)].sum())
            k += sum(float(rsk[(p, s, mode)].sum()) for p in ("business", "other"))
            kms[mode] += k
    trips_zone = rows.copy()
    for v in r0.values():
        trips_zone = trips_zone + v
    out = _Prepared(t0c, rs, rsk, r0, rows, cols, trips, kms, pt_zone, trips_zone)
    object.__setattr__(base, "_prepared", out)
    return out


@dataclass
class Response:
    """Aggregates of a scenario's demand response (weekday)."""

    unchanged: bool
    changed_cells: int
    trips: dict[str, float]            # by mode
    km: dict[str, float]               # person-km: walk, bike, car (car: person-km)
    pt_zone: np.ndarray                # PT trips per origin zone
    saved_pt: np.ndarray               # rule-of-half minutes per origin zone
    saved_car: np.ndarray
    saved_by_purpose: dict[str, float]
    benefit_dkk: float                 # minutes x VOT by purpose + money
    accessibility: np.ndarray
    furness_iterations: int
    #: balancing factors (commute rows ``a``, columns ``b``; other purposes per origin)
    factors: dict[str, Any] | None = None
    #: the changed cells (flat indices) and their scenario PT trips (float32), kept for
    #: :func:`pt_trip_matrix` so that the assignment does not recompute them
    pt_cells: tuple[np.ndarray, np.ndarray] | None = None
    #: rule-of-half money benefit by mode (DKK per weekday; part of ``benefit_dkk``): ``car``
    #: operating cost, road charges and parking; ``pt`` fares
    money_dkk: dict[str, float] | None = None


def _changed(base_skims: Skims, scen_skims: Skims) -> np.ndarray:
    mask = base_skims.pt != scen_skims.pt
    mask |= base_skims.car != scen_skims.car
    mask |= base_skims.car_time != scen_skims.car_time
    for name in ("car_km", "car_cost_dkk", "pt_fare_dkk"):
        a, b = getattr(base_skims, name, None), getattr(scen_skims, name, None)
        if a is None and b is None:
            continue
        if a is None or b is None:
            mask[:] = True
            continue
        mask |= np.broadcast_to(np.asarray(a) != np.asarray(b), mask.shape)
    return np.flatnonzero(mask.ravel())


def _run(idx: np.ndarray) -> slice | None:
    """The slice of ``idx`` when it is a run of consecutive cells (sorted flat indices)."""
    if idx.size and int(idx[-1]) - int(idx[0]) + 1 == idx.size:
        return slice(int(idx[0]), int(idx[-1]) + 1)
    return None


def _at(x: np.ndarray | float, idx: np.ndarray) -> np.ndarray | float:
    if isinstance(x, float):
        return x
    arr = np.asarray(x)
    if arr.ndim == 0:
        return float(arr)
    run = _run(idx)
    return arr.ravel()[idx if run is None else run]  # a run of cells: a view


def _put(flat: np.ndarray, idx: np.ndarray, values: np.ndarray, *, add: bool = False) -> None:
    """``flat[idx] = values`` (or ``+=``), as a slice when ``idx`` is a run of cells."""
    run = _run(idx)
    if run is not None:
        target = flat[run]
        if add:
            target += values
        else:
            target[...] = values
    elif add:
        flat[idx] += values
    else:
        flat[idx] = values


def _money(skims: Skims, idx: np.ndarray) -> tuple[np.ndarray | float, np.ndarray | float]:
    """(car money per trip, PT fare per trip) at ``idx``: ``car_cost_dkk`` (operating cost,
    charges, parking) when the skims carry it, else the charges inside the generalised skim."""
    _, cost, fare = skim_money_and_distance(skims)
    if getattr(skims, "car_cost_dkk", None) is not None:
        return _at(cost, idx), _at(fare, idx)
    charge = (_at(skims.car, idx) - _at(skims.car_time, idx)) * F32(
        net_params.VALUE_OF_TIME_DKK_PER_MIN)
    return charge, _at(fare, idx)


#: Changed cells are processed in chunks of about this many (bounds the memory of big
#: scenarios); a chunk holds whole rows' worth of cells.
CHUNK_CELLS = 1_000_000
#: Above this share of changed cells the commute re-balance runs on a dense matrix.
DENSE_FURNESS_SHARE = 0.1


def _cells(base: BaseDemand, base_skims: Skims, scen_skims: Skims, idx: np.ndarray,
           light: bool = False, mode_p1: str | None = None) -> dict[str, Any]:
    """Per changed cell: shares before and after, destination factors, base trips
    (``light``: only the destination factors and base trips, and the shares after of
    ``mode_p1`` if given)."""
    nz = base.g_pt.shape[1]
    ri, cj = np.divmod(idx, nz)
    b = F32(P.value("BETA_TIME_PER_MIN"))
    _, _, fare1 = skim_money_and_distance(scen_skims)
    pt1 = _at(scen_skims.pt, idx)
    fare_at = fare1 if isinstance(fare1, float) else _at(fare1, idx)
    g_pt1 = pt_g(pt1, fare_at, _at(_walk_skim_min(), idx))
    raw_cost = getattr(scen_skims, "car_cost_dkk", None)
    g_car1 = car_g(_at(scen_skims.car, idx), _at(scen_skims.car_time, idx),
                   None if raw_cost is None else _at(raw_cost, idx))
    with np.errstate(invalid="ignore"):
        d = _at(base.g_pt, idx) - g_pt1
        d[np.isnan(d)] = 0.0  # PT unavailable before and after
        np.clip(d, -net_params.MAX_TIME_MIN, net_params.MAX_TIME_MIN, out=d)
        e = {"pt": np.exp(b * d).astype(F32)}
        d = _at(base.g_car, idx) - g_car1
        d[np.isnan(d)] = 0.0
        e["car"] = np.exp(b * d).astype(F32)
    del d, g_pt1, g_car1
    p0: dict[int, dict[str, np.ndarray]] = {1: {}, 0: {}}
    p1: dict[int, dict[str, np.ndarray]] = {1: {}, 0: {}}
    den: dict[int, np.ndarray] = {}
    for s in (1, 0):
        for mode in base.shares[s]:
            if not light or mode in e:
                p0[s][mode] = _at(base.shares[s][mode], idx)
        dd = F32(1.0) + p0[s]["pt"] * (e["pt"] - F32(1.0))
        if s == 1:
            dd += p0[s]["car"] * (e["car"] - F32(1.0))
        den[s] = dd
        if not light:
            for mode, p in p0[s].items():
                p1[s][mode] = p * e.get(mode, F32(1.0)) / dd
        elif mode_p1 is not None and mode_p1 in base.shares[s]:
            p = p0[s][mode_p1] if mode_p1 in p0[s] else _at(base.shares[s][mode_p1], idx)
            p1[s][mode_p1] = p * e.get(mode_p1, F32(1.0)) / dd
    th = base.thetas
    f = {(p, s): np.power(den[s], F32(th[p])) for p in PURPOSES for s in (1, 0)}
    t0 = {(p, s): _at(base.trips[p][s], idx) for p in PURPOSES for s in (1, 0)}
    return {"ri": ri, "cj": cj, "pt1": pt1, "p0": p0, "p1": p1, "f": f, "t0": t0}


def _chunks(idx: np.ndarray, nz: int) -> list[np.ndarray]:
    step = max(nz, CHUNK_CELLS // nz * nz)
    return [idx[k:k + step] for k in range(0, idx.size, step)]


#: The per-cell arithmetic of the changed cells: ``"numba"``, the compiled kernels of
#: :mod:`mobility.demand._kernels` (one pass, no temporaries), or ``"numpy"``, the array
#: version below (the reference the kernels are tested against). Environment variable
#: ``MOBILITY_PIVOT_KERNELS``. The kernels need skims that carry the money and km fields (every
#: skim of the road network does); older skims take the numpy path.
KERNELS = os.environ.get("MOBILITY_PIVOT_KERNELS", "numba")
_R1_KEYS = (("business", 1), ("business", 0), ("other", 1), ("other", 0))
_MODE_CODE = {"walk": 1, "bike": 1, "pt": 2, "car": 3}


def _flat(x: Any, n: int) -> np.ndarray | None:
    """``x`` as a flat C-order float32 array of ``n`` cells (a view when it is one already),
    or None when it is missing or not a full matrix."""
    if x is None or np.ndim(x) != 2 or np.size(x) != n:
        return None
    return np.ascontiguousarray(x, dtype=F32).ravel()


class _KernelArgs:
    """The flat matrices and constants the kernels read, or ``ok`` False when the skims lack
    a field the kernels need (then the numpy path runs)."""

    def __init__(self, base: BaseDemand, base_skims: Skims, scen_skims: Skims) -> None:
        nz = base.g_pt.shape[1]
        n = nz * nz
        self.nz = nz
        names = ("pt", "car_time", "car_cost_dkk", "pt_fare_dkk", "car_km")
        b = {k: _flat(getattr(base_skims, k, None), n) for k in names}
        s = {k: _flat(getattr(scen_skims, k, None), n) for k in names}
        self.ok = KERNELS == "numba" and all(v is not None for v in (*b.values(), *s.values()))
        if not self.ok:
            return
        self.b, self.s = b, s
        self.walk = _flat(_walk_skim_min(), n)
        self.gpt0, self.gcar0 = _flat(base.g_pt, n), _flat(base.g_car, n)
        sh = base.shares
        self.sh = {(seg, m): _flat(v, n) for seg in (1, 0) for m, v in sh[seg].items()}
        self.tr = {(p, seg): _flat(base.trips[p][seg], n) for p in PURPOSES for seg in (1, 0)}
        self.xc = (_flat(base.xc[1], n), _flat(base.xc[0], n))
        self.street = _flat(street_km(), n)
        th = base.thetas
        self.consts = (float(P.value("BETA_TIME_PER_MIN")), float(money_min_per_dkk()),
                       float(net_params.MAX_TIME_MIN), float(th["commute"]),
                       float(th["business"]), float(th["other"]))

    def _utility(self) -> tuple[np.ndarray, ...]:
        s = self.s
        return (s["pt"], self.walk, s["pt_fare_dkk"], self.gpt0, s["car_time"],
                s["car_cost_dkk"], self.gcar0)

    def _trips(self) -> tuple[np.ndarray, ...]:
        return tuple(self.tr[(p, seg)] for seg in (1, 0) for p in PURPOSES)

    def balance(self, chunk: np.ndarray, mode: str | None, gadd: np.ndarray | None = None
                ) -> tuple[np.ndarray, dict[tuple[str, int], np.ndarray], dict[Any, np.ndarray]]:
        """``_balance``'s pass 1 over ``chunk``: (commute weight change per cell, the other
        purposes' row sums of ``t0 (f - 1)``, the mode's parts as ``{"parts": array}`` in the
        kernel's layout, which :func:`_put_mode_part` writes). With ``gadd`` (flat float32
        commute weights) the change is added to it in place and the first item is empty."""
        from ._kernels import balance_cells

        sm1 = self.sh[(1, mode)] if mode is not None else self.sh[(1, "pt")]
        sm0 = self.sh.get((0, mode), sm1) if mode is not None else sm1
        dgc, inc, parts = balance_cells(
            chunk, self.nz, *self._utility(), self.sh[(1, "pt")], self.sh[(1, "car")],
            self.sh[(0, "pt")], *self._trips(), sm1, sm0,
            0 if mode is None else _MODE_CODE[mode],
            np.empty(0, dtype=F32) if gadd is None else gadd, *self.consts)
        kept = {} if mode is None else {"parts": parts}  # for _put_mode_part
        return dgc, dict(zip(_R1_KEYS, inc, strict=True)), kept

    def respond(self, chunk: np.ndarray, a: np.ndarray, bb: np.ndarray,
                rfac: dict[tuple[str, int], np.ndarray], car_share: np.ndarray,
                jobs: np.ndarray, vot: dict[str, float]) -> dict[str, Any]:
        """``respond``'s pass 2 over ``chunk``, in the form of its numpy ``one``."""
        from ._kernels import respond_cells

        b, s, sh = self.b, self.s, self.sh
        rows, saved, acc, sums, pt = respond_cells(
            chunk, self.nz, b["pt"], s["pt"], self.walk, b["pt_fare_dkk"], s["pt_fare_dkk"],
            self.gpt0, b["car_time"], s["car_time"], b["car_cost_dkk"], s["car_cost_dkk"],
            self.gcar0, self.street, b["car_km"], s["car_km"],
            *(sh[k] for k in _SEGMODES), *self._trips(), *self.xc,
            a, bb, rfac[("business", 1)], rfac[("other", 1)], rfac[("business", 0)],
            rfac[("other", 0)], car_share, jobs, *self.consts,
            vot["commute"], vot["business"], vot["other"])
        return {"rows": dict(zip(_SEGMODES, rows, strict=True)),
                "kms": {"walk": float(sums[0]), "bike": float(sums[1]), "car": float(sums[2])},
                "saved": {"pt": saved[0], "car": saved[1]},
                "by_purpose": {p: float(sums[3 + n]) for n, p in enumerate(PURPOSES)},
                "benefit": float(sums[6]), "money": {"pt": float(sums[7]), "car": float(sums[8])},
                "acc": acc, "pt": pt}


#: Threads that process the chunks of changed cells (numpy releases the GIL in the array
#: work; results are combined in chunk order, so sums do not depend on the thread count).
THREADS = max(1, min(2, os.cpu_count() or 1))


def _map_chunks(fn: Callable[[Any], T], chunks: list[Any]) -> list[T]:
    """``[fn(c) for c in chunks]``, on ``THREADS`` threads when there are several chunks."""
    if THREADS == 1 or len(chunks) < 2:
        return [fn(c) for c in chunks]
    with ThreadPoolExecutor(max_workers=THREADS) as ex:
        return list(ex.map(fn, chunks))


def _whole_rows(chunk: np.ndarray, nz: int) -> tuple[int, int] | None:
    """(first row, number of rows) when ``chunk`` is a run of whole rows, else None."""
    run = _run(chunk)
    if run is not None and run.start % nz == 0 and chunk.size % nz == 0:
        return run.start // nz, chunk.size // nz
    return None


def _by_row(chunk: np.ndarray, ri: np.ndarray, nz: int) -> Callable[[np.ndarray], np.ndarray]:
    """A per-origin vector at the chunk's cells (``v[ri]``; repeated rows for whole rows)."""
    rows = _whole_rows(chunk, nz)
    if rows is None:
        return lambda v: v[ri]
    r0, n = rows
    return lambda v: np.repeat(v[r0:r0 + n], nz)


def _by_col(chunk: np.ndarray, cj: np.ndarray, nz: int) -> Callable[[np.ndarray], np.ndarray]:
    """A per-destination vector at the chunk's cells (``v[cj]``; tiled for whole rows)."""
    rows = _whole_rows(chunk, nz)
    if rows is None:
        return lambda v: v[cj]
    return lambda v: np.tile(v, rows[1])


def _rowsum(ri: np.ndarray, chunk: np.ndarray, weights: np.ndarray, nz: int) -> np.ndarray:
    """Sums of ``weights`` per origin row (length ``nz``)."""
    rows = _whole_rows(chunk, nz)
    if rows is not None:
        out = np.zeros(nz)
        out[rows[0]:rows[0] + rows[1]] = weights.reshape(-1, nz).sum(axis=1, dtype=np.float64)
        return out
    return np.bincount(ri, weights=weights, minlength=nz)


def _mode_parts(c: dict[str, Any], mode: str) -> dict[Any, np.ndarray]:
    """A chunk's scenario trips of ``mode`` before the balancing factors, from its cells
    (:func:`_cells` with the shares after of ``mode``): ``"commute"`` summed over the
    segments (to be scaled by ``a_i b_j``), ``(purpose, segment)`` for the other purposes (to
    be scaled by that row factor). The car is the car-available segment only."""
    t0, f = c["t0"], c["f"]
    parts: dict[Any, np.ndarray] = {}
    for s in ((1,) if mode == "car" else (1, 0)):
        p1 = c["p1"][s][mode]
        x = t0[("commute", s)] * f[("commute", s)] * p1
        parts["commute"] = x if "commute" not in parts else parts["commute"] + x
        for p in ("business", "other"):
            parts[(p, s)] = t0[(p, s)] * f[(p, s)] * p1
    return parts


def _put_mode_part(flat: np.ndarray, chunk: np.ndarray, part: dict[Any, np.ndarray],
                   fac: dict[str, Any]) -> None:
    """Write one chunk of changed cells of a mode's trip matrix: its :func:`_mode_parts`
    scaled by the balancing factors ``fac`` (chunks are disjoint)."""
    nz = len(fac["a"])
    if "parts" in part:  # from the compiled kernel
        from ._kernels import put_mode_cells

        r = fac["rfac"]
        put_mode_cells(flat, chunk, part["parts"], nz, fac["a"], fac["b"], r[("business", 1)],
                       r[("other", 1)], r[("business", 0)], r[("other", 0)])
        return
    ri, cj = np.divmod(chunk, nz)
    val = part["commute"] * (fac["a"][ri] * fac["b"][cj]).astype(F32)
    for key, x in part.items():
        if key != "commute":
            val += x * fac["rfac"][key][ri].astype(F32)
    _put(flat, chunk, val)


def _balance(base: BaseDemand, base_skims: Skims, scen_skims: Skims, idx: np.ndarray,
             mode: str | None = None
             ) -> tuple[np.ndarray, np.ndarray, dict[tuple[str, int], np.ndarray], int,
                        list[dict[Any, np.ndarray]]]:
    """The balancing factors of a scenario whose changed cells are ``idx``: commute rows
    ``a`` and columns ``b`` (Furness), the other purposes' row factors, the Furness
    iterations, and with ``mode`` per chunk of cells the scenario trips of that mode before
    the balancing factors (``"commute"``: summed over the segments, to be scaled by
    ``a_i b_j``; ``(purpose, segment)``: to be scaled by that row factor)."""
    pre = prepare(base)
    nz = len(pre.rows)
    # pass 1: the change of the commute weights (Furness) and of the other purposes' rows
    r1 = {(p, s): pre.r0[(p, s)].copy() for p in ("business", "other") for s in (1, 0)}
    kern = _KernelArgs(base, base_skims, scen_skims)
    dense = idx.size > DENSE_FURNESS_SHARE * nz * nz
    # the dense re-balance's weights: the kernels add the change in place (chunks are disjoint)
    g = pre.t0c.copy() if dense else None

    def one(chunk: np.ndarray) -> tuple[np.ndarray, dict[tuple[str, int], np.ndarray],
                                        dict[Any, np.ndarray]]:
        if kern.ok:
            return kern.balance(chunk, mode, None if g is None else g.ravel())
        c = _cells(base, base_skims, scen_skims, chunk, light=True, mode_p1=mode)
        t0, f = c["t0"], c["f"]
        dgc = (t0[("commute", 1)] * (f[("commute", 1)] - 1)
               + t0[("commute", 0)] * (f[("commute", 0)] - 1)).astype(np.float64)
        kept = {} if mode is None else _mode_parts(c, mode)
        return (dgc, {key: _rowsum(c["ri"], chunk, t0[key] * (f[key] - 1), nz) for key in r1},
                kept)

    parts = _map_chunks(one, _chunks(idx, nz))
    for _, inc, _ in parts:
        for key in r1:
            r1[key] += inc[key]
    kept_parts = [k for _, _, k in parts]
    tol, max_iter = P.value("FURNESS_TOL"), int(P.value("FURNESS_MAX_ITER"))
    if dense:
        assert g is not None
        if not kern.ok:
            _put(g.ravel(), idx, np.concatenate([d for d, _, _ in parts]).astype(F32), add=True)
        del parts
        a, bb, it, _ = furness(g, pre.rows, pre.cols, tol=tol, max_iter=max_iter)
        del g
    else:
        dg = np.concatenate([d for d, _, _ in parts])
        del parts
        ri, cj = np.divmod(idx, nz)
        a = np.ones(nz)
        bb = np.ones(nz)
        wb = (pre.t0c @ bb.astype(F32)).astype(np.float64) + np.bincount(
            ri, weights=dg * bb[cj], minlength=nz)
        it = 0
        for it in range(1, max_iter + 1):  # noqa: B007
            a = np.divide(pre.rows, wb, out=np.zeros(nz), where=wb > 0)
            aw = (a.astype(F32) @ pre.t0c).astype(np.float64) + np.bincount(
                cj, weights=dg * a[ri], minlength=nz)
            bb = np.divide(pre.cols, aw, out=np.zeros(nz), where=aw > 0)
            wb = (pre.t0c @ bb.astype(F32)).astype(np.float64) + np.bincount(
                ri, weights=dg * bb[cj], minlength=nz)
            err = np.max(np.abs(a * wb - pre.rows) / np.maximum(pre.rows, 1.0))
            if err < tol:
                break
        del ri, cj, dg
    rfac = {k: np.divide(pre.r0[k], v, out=np.ones(nz), where=v > 0) for k, v in r1.items()}
    return a, bb, rfac, it, kept_parts


def respond(base: BaseDemand, base_skims: Skims, scen_skims: Skims) -> Response:
    """Pivot-point response to the scenario's skims (see the module docstring)."""
    pre = prepare(base)
    nz = len(pre.rows)
    idx = _changed(base_skims, scen_skims)
    zeros = np.zeros(nz)
    if idx.size == 0:
        return Response(True, 0, dict(pre.trips), dict(pre.km), pre.pt_zone, zeros, zeros,
                        dict.fromkeys(PURPOSES, 0.0), 0.0, base.accessibility, 0,
                        money_dkk={"pt": 0.0, "car": 0.0})
    a, bb, rfac, it, _ = _balance(base, base_skims, scen_skims, idx)
    # all cells re-weighted as if unchanged (commute a_i (M b)_i, others r_i x row sums)
    rows: dict[tuple[int, str], np.ndarray] = {}
    kms = dict.fromkeys(_KM_MODES, 0.0)
    commute_rows, commute_km = _commute_sums(base, bb.astype(F32))
    for s, mode in _SEGMODES:
        row = a * commute_rows[(s, mode)]
        for p in ("business", "other"):
            row += rfac[(p, s)] * pre.rs[(p, s, mode)]
        rows[(s, mode)] = row
        if mode in _KM_MODES:
            k = float(a @ commute_km[(s, mode)])
            for p in ("business", "other"):
                k += float(rfac[(p, s)] @ pre.rsk[(p, s, mode)])
            kms[mode] += k
    # pass 2: corrections on the changed cells, rule of half, accessibility
    vot = {"commute": P.value("VOT_COMMUTE_DKK_H") / 60.0,
           "business": P.value("VOT_BUSINESS_DKK_H") / 60.0,
           "other": P.value("VOT_OTHER_DKK_H") / 60.0}
    car_km1 = getattr(scen_skims, "car_km", None)
    jobs = base.zones["jobs"].to_numpy(dtype=F32)
    car_share = base.zones["car_share"].to_numpy(dtype=F32)
    a32, b32 = a.astype(F32), bb.astype(F32)
    rfac32 = {k: v.astype(F32) for k, v in rfac.items()}
    f64 = np.float64
    kern = _KernelArgs(base, base_skims, scen_skims)

    def one(chunk: np.ndarray) -> dict[str, Any]:
        """The corrections of one chunk of changed cells (summed by the caller, in order).
        Per-cell values in float32 (as the skims and the base matrices), sums in float64."""
        if kern.ok:
            return kern.respond(chunk, a, bb, rfac, car_share, jobs, vot)
        c = _cells(base, base_skims, scen_skims, chunk)
        ri, cj, t0, f, p0, p1 = c["ri"], c["cj"], c["t0"], c["f"], c["p0"], c["p1"]
        by_row = _by_row(chunk, ri, nz)
        scale_c = by_row(a32) * _by_col(chunk, cj, nz)(b32)
        rg = {k: by_row(v) for k, v in rfac32.items()}
        t1, off, tot1 = {}, {}, {}
        for s in (1, 0):
            t1[("commute", s)] = t0[("commute", s)] * f[("commute", s)] * scale_c
            off[s] = t0[("commute", s)] * scale_c
            for p in ("business", "other"):
                t1[(p, s)] = t0[(p, s)] * f[(p, s)] * rg[(p, s)]
                off[s] += t0[(p, s)] * rg[(p, s)]
            tot1[s] = t1[("commute", s)] + t1[("business", s)] + t1[("other", s)]
        km_at = _at(street_km(), chunk)
        car_km_at = _at(base.car_km, chunk)
        out: dict[str, Any] = {"rows": {}, "kms": dict.fromkeys(_KM_MODES, 0.0),
                               "saved": {}, "by_purpose": dict.fromkeys(PURPOSES, 0.0),
                               "benefit": 0.0, "money": {"pt": 0.0, "car": 0.0}}
        pt_c = np.zeros(chunk.size, dtype=F32)
        for s, mode in _SEGMODES:
            on = p1[s][mode] * tot1[s]
            if mode == "pt":
                pt_c += on
            off_c = p0[s][mode] * off[s]
            delta = on - off_c
            out["rows"][(s, mode)] = _rowsum(ri, chunk, delta, nz)
            if mode in _KM_MODES:
                if mode == "car" and car_km1 is not None:
                    out["kms"][mode] += (float(np.dot(on.astype(f64), _at(car_km1, chunk)))
                                         - float(np.dot(off_c.astype(f64), car_km_at)))
                else:
                    out["kms"][mode] += float(np.dot(delta.astype(f64),
                                                     car_km_at if mode == "car" else km_at))
        out["pt"] = pt_c
        # rule of half (only changed cells have cost changes)
        d_time = {"pt": _at(base_skims.pt, chunk) - c["pt1"],
                  "car": _at(base_skims.car_time, chunk) - _at(scen_skims.car_time, chunk)}
        car0, fare0 = _money(base_skims, chunk)
        car1, fare1 = _money(scen_skims, chunk)
        d_money = {"car": car0 - car1, "pt": fare0 - fare1}
        any_money = {m: bool(np.any(v)) for m, v in d_money.items()}
        for mode in ("pt", "car"):
            segs = (1, 0) if mode == "pt" else (1,)
            out["saved"][mode] = np.zeros(nz)
            for p in PURPOSES:
                w = np.zeros(chunk.size, dtype=F32)
                for s in segs:
                    w += F32(0.5) * (t0[(p, s)] * p0[s][mode] + t1[(p, s)] * p1[s][mode])
                minutes = w * d_time[mode]
                out["saved"][mode] += _rowsum(ri, chunk, minutes, nz)
                tot = float(minutes.sum(dtype=f64))
                out["by_purpose"][p] += tot
                out["benefit"] += tot * vot[p]
                if any_money[mode]:
                    m = float(np.dot(w.astype(f64), np.broadcast_to(d_money[mode], w.shape)))
                    out["benefit"] += m
                    out["money"][mode] += m
        cs = by_row(car_share)
        dacc = (cs * _at(base.xc[1], chunk) * (f[("commute", 1)] - F32(1))
                + (F32(1) - cs) * _at(base.xc[0], chunk) * (f[("commute", 0)] - F32(1)))
        dacc *= _by_col(chunk, cj, nz)(jobs)
        out["acc"] = _rowsum(ri, chunk, dacc, nz)
        return out

    saved = {"pt": np.zeros(nz), "car": np.zeros(nz)}
    by_purpose = dict.fromkeys(PURPOSES, 0.0)
    benefit = 0.0
    money = {"pt": 0.0, "car": 0.0}
    acc = base.accessibility.copy()
    pt_cells = np.empty(idx.size, dtype=F32)
    pos = 0
    for part in _map_chunks(one, _chunks(idx, nz)):  # in chunk order: deterministic sums
        for key, row in part["rows"].items():
            rows[key] += row
        for mode, k in part["kms"].items():
            kms[mode] += k
        for mode in saved:
            saved[mode] += part["saved"][mode]
        for p in PURPOSES:
            by_purpose[p] += part["by_purpose"][p]
        benefit += part["benefit"]
        for mode in money:
            money[mode] += part["money"][mode]
        acc += part["acc"]
        pt_cells[pos:pos + part["pt"].size] = part["pt"]
        pos += part["pt"].size
    trips = dict.fromkeys(MODES, 0.0)
    pt_zone = np.zeros(nz)
    for (_, mode), row in rows.items():
        trips[mode] += float(row.sum())
        if mode == "pt":
            pt_zone += row
    return Response(False, int(idx.size), trips, kms, pt_zone, saved["pt"], saved["car"],
                    by_purpose, benefit, acc, it, {"a": a, "b": bb, "rfac": rfac},
                    (idx, pt_cells), money)


def pt_trip_matrix(base: BaseDemand, base_skims: Skims | None = None,
                   scen_skims: Skims | None = None, resp: Response | None = None
                   ) -> np.ndarray:
    """Weekday PT person trips per zone pair (rows: home zones), float32, for an assignment.

    Without a scenario (``resp`` None or unchanged): the base matrix. With one: the scenario's
    matrix, exactly as the sparse response computed it (base trips re-weighted by the
    balancing factors, the changed pairs recomputed): :func:`mode_trip_matrix` for ``pt``.
    """
    return mode_trip_matrix(base, "pt", base_skims, scen_skims, resp)


def mode_trip_matrix(base: BaseDemand, mode: str, base_skims: Skims | None = None,
                     scen_skims: Skims | None = None, resp: Response | None = None
                     ) -> np.ndarray:
    """Weekday person trips of ``mode`` per zone pair (rows: home zones), float32: the base
    matrix, or the scenario's as the sparse response computed it (for ``pt`` the changed
    cells come from ``resp.pt_cells`` when respond kept them;
    ``car`` is the car-available segment only)."""
    if resp is None or resp.unchanged or resp.factors is None:
        return _mode_matrix(base, mode)
    if base_skims is None or scen_skims is None:
        msg = "mode_trip_matrix needs the base and scenario skims with a response"
        raise ValueError(msg)
    fac = resp.factors
    if mode == "pt" and resp.pt_cells is not None:  # computed by respond (the same values)
        return _mode_matrix(base, mode, fac, cells=resp.pt_cells)
    return _mode_matrix(base, mode, fac, base_skims, scen_skims,
                        _changed(base_skims, scen_skims))


def scenario_mode_matrix(base: BaseDemand, mode: str, base_skims: Skims, scen_skims: Skims
                         ) -> np.ndarray:
    """The scenario's trips of ``mode`` per zone pair (as :func:`mode_trip_matrix` of the
    full :func:`respond`), without the rest of the response: only the balancing factors and
    the changed cells are computed (the congestion loop's first demand)."""
    idx = _changed(base_skims, scen_skims)
    if idx.size == 0:
        return _mode_matrix(base, mode)
    a, bb, rfac, _, kept = _balance(base, base_skims, scen_skims, idx, mode)
    fac = {"a": a, "b": bb, "rfac": rfac}
    out = _mode_matrix(base, mode, fac, every=idx.size == base.g_pt.size)
    for chunk, part in zip(_chunks(idx, out.shape[1]), kept, strict=True):
        _put_mode_part(out.ravel(), chunk, part, fac)
    return out


def _mode_matrix(base: BaseDemand, mode: str, fac: dict[str, Any] | None = None,
                 base_skims: Skims | None = None, scen_skims: Skims | None = None,
                 idx: np.ndarray | None = None,
                 cells: tuple[np.ndarray, np.ndarray] | None = None,
                 every: bool = False) -> np.ndarray:
    """Trips of ``mode``: base (``fac`` None), or re-weighted by the balancing factors
    ``fac`` with the changed cells ``idx`` recomputed (or set from ``cells``). ``every``: the
    caller writes every cell (all changed), so the re-weighting is skipped."""
    tr = base.trips
    segs = (1,) if mode == "car" else (1, 0)
    n = base.g_pt.size
    every = (every or (idx is not None and idx.size == n)
             or (cells is not None and cells[0].size == n))
    out = np.empty_like(base.g_pt) if fac is not None and every else np.zeros_like(base.g_pt)
    if fac is None:
        for s in segs:
            out += (tr["commute"][s] + tr["business"][s] + tr["other"][s]) * base.shares[s][mode]
        return out
    nz = base.g_pt.shape[0]
    af = fac["a"].astype(F32)[:, None]
    bf = fac["b"].astype(F32)[None, :]
    for s in segs if not every else ():
        seg = tr["commute"][s] * af
        seg *= bf
        for p in ("business", "other"):
            seg += tr[p][s] * fac["rfac"][(p, s)].astype(F32)[:, None]
        seg *= base.shares[s][mode]
        out += seg
        del seg
    flat = out.ravel()
    if cells is not None:
        _put(flat, cells[0], cells[1])
        return out
    if idx is None:
        return out
    assert base_skims is not None and scen_skims is not None

    kern = _KernelArgs(base, base_skims, scen_skims)

    def one(chunk: np.ndarray) -> None:
        if kern.ok:
            part = kern.balance(chunk, mode)[2]
        else:
            part = _mode_parts(_cells(base, base_skims, scen_skims, chunk, light=True,
                                      mode_p1=mode), mode)
        _put_mode_part(flat, chunk, part, fac)

    _map_chunks(one, _chunks(idx, nz))
    return out


def response_summary(r: Response) -> dict[str, Any]:
    """A few figures of a response (debugging, the benchmark)."""
    return {"changed_cells": r.changed_cells, "furness_iterations": r.furness_iterations,
            "trips": r.trips}
