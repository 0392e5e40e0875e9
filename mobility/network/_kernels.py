"""Compiled loops of the car and PT skims (numba), with the numpy versions in
:mod:`mobility.network.skim` as the reference they are tested against
(``tests/test_skim_kernels.py``); ``mobility bench kernels`` times them side by side.

Serial and GIL-free (``nogil``): the peak and off-peak skims run on two Python threads.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["add_fixed_money", "combine_periods", "egress_argmin", "egress_min", "snap_cells"]


@njit(cache=True, nogil=True)
def egress_min(c: np.ndarray, ct: np.ndarray, ck: np.ndarray, eidx: np.ndarray,
               eg: np.ndarray, et: np.ndarray, ekm: np.ndarray, dg: np.ndarray,
               dt: np.ndarray, dkm: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The egress step of the car min-plus: for origin row ``r`` and zone ``z``,
    ``out[r, z] = min(dg[r, z], min_k c[r, eidx[z, k]] + eg[z, k])``, and the minutes ``ot``
    and km ``ok`` of the chosen route follow (``dt``/``ct``/``et``, ``dkm``/``ck``/``ekm``;
    ``d...``: the direct drive). Legs are tried in order and a leg replaces the current best
    only when strictly cheaper, as the numpy version does. New arrays."""
    nr, nz = dg.shape
    nk = eidx.shape[1]
    out, ot, ok = np.empty_like(dg), np.empty_like(dt), np.empty_like(dkm)
    for r in range(nr):
        cr, ctr, ckr = c[r], ct[r], ck[r]
        for z in range(nz):
            best, bt, bk = dg[r, z], dt[r, z], dkm[r, z]
            for k in range(nk):
                j = eidx[z, k]
                cand = cr[j] + eg[z, k]
                if cand < best:
                    best = cand
                    bt = ctr[j] + et[z, k]
                    bk = ckr[j] + ekm[z, k]
            out[r, z], ot[r, z], ok[r, z] = best, bt, bk
    return out, ot, ok


@njit(cache=True, nogil=True)
def combine_periods(gen: np.ndarray, go: np.ndarray, peak: np.ndarray, offpeak: np.ndarray,
                    km: np.ndarray, kmo: np.ndarray, w: float, cap: float) -> np.ndarray:
    """Weight the peak (``gen``, ``peak``, ``km``) and off-peak (``go``, ``offpeak``,
    ``kmo``) skims by the peak share ``w``, in place into ``gen`` and ``km``; returns the
    weighted minutes (new), and caps ``peak`` and ``offpeak`` at ``cap`` in place. Float32
    arithmetic in the order of the numpy version."""
    w32 = np.float32(w)
    v32 = np.float32(1.0) - w32
    c32 = np.float32(cap)
    g, o, p, q = gen.ravel(), go.ravel(), peak.ravel(), offpeak.ravel()
    k1, k2 = km.ravel(), kmo.ravel()
    t = np.empty_like(peak)
    tf = t.ravel()
    for m in range(g.size):
        g[m] = g[m] * w32 + o[m] * v32
        tf[m] = p[m] * w32 + q[m] * v32
        k1[m] = k1[m] * w32 + k2[m] * v32
        p[m] = min(p[m], c32)
        q[m] = min(q[m], c32)
    return t


@njit(cache=True, nogil=True)
def egress_argmin(c: np.ndarray, eidx: np.ndarray, eg: np.ndarray, out: np.ndarray,
                  egress_k: np.ndarray) -> None:
    """The egress step of the PT min-plus with its argmin, in place: ``out[r, z] =
    min(out[r, z], min_k c[r, eidx[z, k]] + eg[z, k])`` and ``egress_k[r, z]`` the leg ``k``
    that gave it (unchanged where ``out`` kept its value). Legs in order, strictly cheaper
    replaces, as ``skim.zone_skim_argmin``'s numpy loop."""
    nr, nz = out.shape
    nk = eidx.shape[1]
    for r in range(nr):
        cr = c[r]
        for z in range(nz):
            best = out[r, z]
            bk = -1
            for k in range(nk):
                cand = cr[eidx[z, k]] + eg[z, k]
                if cand < best:
                    best = cand
                    bk = k
            if bk >= 0:
                out[r, z] = best
                egress_k[r, z] = bk


@njit(cache=True, nogil=True)
def snap_cells(ct: np.ndarray, bct: np.ndarray, km: np.ndarray, bkm: np.ndarray,
               cost: np.ndarray, bcost: np.ndarray, tol_min: float, tol: float,
               a1: np.ndarray, b1: np.ndarray, a2: np.ndarray, b2: np.ndarray,
               a3: np.ndarray, b3: np.ndarray) -> None:
    """``scenario._snap_car`` in one pass (flat float32 arrays): where the minutes change
    by less than ``tol_min`` and the km and the money by less than ``tol``, the scenario's
    values (``ct``, ``km``, ``cost`` and the further fields ``a1``-``a3``) take the base's
    (``b...``)."""
    t1, t2 = np.float32(tol_min), np.float32(tol)
    for m in range(ct.size):
        if (abs(ct[m] - bct[m]) < t1 and abs(km[m] - bkm[m]) < t2
                and abs(cost[m] - bcost[m]) < t2):
            ct[m] = bct[m]
            km[m] = bkm[m]
            cost[m] = bcost[m]
            a1[m] = b1[m]
            a2[m] = b2[m]
            a3[m] = b3[m]


@njit(cache=True, nogil=True)
def add_fixed_money(gen: np.ndarray, t: np.ndarray, km: np.ndarray, per_km: float,
                    per_trip: float, park_rows: np.ndarray, park_cols: np.ndarray,
                    inv_vot: float, cap: float) -> np.ndarray:
    """``skim.car_skims``' last steps in one pass: the money per trip (``km x per_km`` + the
    per-trip charge + half the parking charge at each end; returned, new) and the same money
    in minutes (x ``inv_vot``) added to the generalised minutes ``gen``; ``gen`` and ``t``
    capped at ``cap`` (in place). Float32, in the numpy version's order."""
    nr, nz = gen.shape
    pk = np.float32(per_km)
    trip1, trip2 = np.float32(per_trip), np.float32(per_trip * inv_vot)
    h1, h2 = np.float32(0.5), np.float32(0.5 * inv_vot)
    c32 = np.float32(cap)
    cost = np.empty_like(km)
    for r in range(nr):
        pr1, pr2 = h1 * park_rows[r], h2 * park_rows[r]
        for z in range(nz):
            v = km[r, z] * pk
            v += trip1
            v += pr1
            v += h1 * park_cols[z]
            cost[r, z] = v
            g = gen[r, z] + trip2
            g += pr2
            g += h2 * park_cols[z]
            gen[r, z] = min(g, c32)
            t[r, z] = min(t[r, z], c32)
    return cost
