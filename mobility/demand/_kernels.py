"""Compiled per-cell kernels of the sparse pivot (:mod:`mobility.demand.pivot`), with numba.

The numpy version of the same arithmetic (``pivot._cells`` and the chunk functions of
``pivot._balance`` and ``pivot.respond``) is the reference: it runs a few dozen passes over
full-size float32 temporaries per chunk of changed cells; these kernels make one pass, keep
every per-cell value in registers (float64) and read each base matrix once. Tests compare the
two (``tests/test_pivot_kernels.py``); ``mobility bench kernels`` times them side by side.

The kernels are serial and release the GIL (``nogil``): the caller runs chunks of cells on its
own threads (``pivot._map_chunks``), so that sums are combined in chunk order whatever the
number of threads, and no numba threading layer is needed (the explorer calls them from
several threads at once). Compiled code is cached on disk (``cache=True``) next to this module
or, where that is read-only, in numba's user cache.

Arrays are flat (``ravel()`` of the zone-pair matrices, C order, float32) and indexed by the
flat cell index ``k = i * nz + j``; per-zone vectors are float64 (factors) or float32.

Cells go in blocks of ``BLOCK``: each input is first gathered into a row of a small padded
buffer, one input at a time, and the arithmetic then reads the buffer. Reading 20-30 full-size
matrices in one loop instead is several times slower: the matrices are allocated page-aligned,
so the same cell of every matrix falls in the same cache set and the streams evict each other.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["balance_cells", "exp32", "log32", "put_mode_cells", "respond_cells"]

#: the rows of ``respond_cells``' row sums, in ``pivot._SEGMODES`` order
SEGMODE_ROWS = 7


F4 = np.float32
#: cells per block: the block's gathered inputs and factors stay in the CPU cache
BLOCK = 2048
#: padding of a buffer row (floats): rows do not start at the same cache-set offset
_PAD = 16


@njit(cache=True, nogil=True)
def exp32(x: np.ndarray, out: np.ndarray, ibuf: np.ndarray) -> None:
    """``out = exp(x)`` in float32 (Cephes ``expf``: range reduction by ln 2, a degree-5
    polynomial, the power of two built in the exponent bits; relative error below 1e-7 for
    ``x`` in [-87, 88], clamped outside). Written as plain loops that the compiler vectorises
    (``math.exp`` is one scalar library call per cell, 4-5x slower)."""
    n = x.size
    for m in range(n):
        v = min(max(x[m], F4(-87.0)), F4(88.0))
        fx = np.floor(v * F4(1.44269504088896341) + F4(0.5))
        r = v - fx * F4(0.693359375) + fx * F4(2.12194440e-4)
        y = ((((F4(1.9875691500e-4) * r + F4(1.3981999507e-3)) * r + F4(8.3334519073e-3)) * r
              + F4(4.1665795894e-2)) * r + F4(1.6666665459e-1)) * r + F4(5.0000001201e-1)
        out[m] = y * (r * r) + r + F4(1.0)
        ibuf[m] = (np.int32(fx) + np.int32(127)) << np.int32(23)
    scale = ibuf[:n].view(np.float32)
    for m in range(n):
        out[m] *= scale[m]


@njit(cache=True, nogil=True)
def log32(x: np.ndarray, out: np.ndarray, ibuf: np.ndarray) -> None:
    """``out = log(x)`` in float32 for positive normal ``x`` (Cephes ``logf``: exponent and
    mantissa from the bits, a degree-9 polynomial; absolute error below 2e-7), vectorised."""
    n = x.size
    bits = x.view(np.int32)
    for m in range(n):
        b = bits[m]
        out[m] = F4((b >> np.int32(23)) - np.int32(126))
        ibuf[m] = (b & np.int32(0x007FFFFF)) | np.int32(0x3F000000)  # mantissa in [0.5, 1)
    mant = ibuf[:n].view(np.float32)
    for m in range(n):
        v = mant[m]
        e = out[m]
        if v < F4(0.707106781186547524):
            e -= F4(1.0)
            v = v + v - F4(1.0)
        else:
            v = v - F4(1.0)
        z = v * v
        y = ((((((((F4(7.0376836292e-2) * v - F4(1.1514610310e-1)) * v
                   + F4(1.1676998740e-1)) * v - F4(1.2420140846e-1)) * v
                 + F4(1.4249322787e-1)) * v - F4(1.6668057665e-1)) * v
               + F4(2.0000714765e-1)) * v - F4(2.4999993993e-1)) * v
             + F4(3.3333331174e-1)) * v * z
        y += F4(-2.12194440e-4) * e
        y += F4(-0.5) * z
        out[m] = v + y + F4(0.693359375) * e


@njit(cache=True, nogil=True)
def _gather(src: np.ndarray, idx: np.ndarray, lo: int, hi: int, dst: np.ndarray) -> None:
    """``dst[:hi - lo] = src[idx[lo:hi]]`` (a straight copy when the cells are a run)."""
    if idx[hi - 1] - idx[lo] == hi - lo - 1:
        k0 = idx[lo]
        for m in range(hi - lo):
            dst[m] = src[k0 + m]
    else:
        for m in range(hi - lo):
            dst[m] = src[idx[lo + m]]


# rows of the gathered block (``g``) read by _factors
_PT1, _WALK, _FARE1, _GPT0, _CT1, _COST1, _GCAR0, _SPT1, _SCAR1, _SPT0 = range(10)
# ... the trips: commute, business, other of segment 1, then of segment 0
_TC1, _TB1, _TO1, _TC0, _TB0, _TO0 = range(10, 16)


@njit(cache=True, nogil=True)
def _gather_factor_inputs(idx: np.ndarray, lo: int, hi: int, g: np.ndarray,
                          pt1: np.ndarray, walk: np.ndarray, fare1: np.ndarray,
                          gpt0: np.ndarray, ct1: np.ndarray, cost1: np.ndarray,
                          gcar0: np.ndarray, spt1: np.ndarray, scar1: np.ndarray,
                          spt0: np.ndarray, tc1: np.ndarray, tb1: np.ndarray, to1: np.ndarray,
                          tc0: np.ndarray, tb0: np.ndarray, to0: np.ndarray,
                          with_utility: bool) -> None:
    """Gather rows 0-15 of ``g`` (rows 0-6, the utilities, only ``with_utility``)."""
    if with_utility:
        _gather(pt1, idx, lo, hi, g[_PT1])
        _gather(walk, idx, lo, hi, g[_WALK])
        _gather(fare1, idx, lo, hi, g[_FARE1])
        _gather(gpt0, idx, lo, hi, g[_GPT0])
        _gather(ct1, idx, lo, hi, g[_CT1])
        _gather(cost1, idx, lo, hi, g[_COST1])
        _gather(gcar0, idx, lo, hi, g[_GCAR0])
    _gather(spt1, idx, lo, hi, g[_SPT1])
    _gather(scar1, idx, lo, hi, g[_SCAR1])
    _gather(spt0, idx, lo, hi, g[_SPT0])
    _gather(tc1, idx, lo, hi, g[_TC1])
    _gather(tb1, idx, lo, hi, g[_TB1])
    _gather(to1, idx, lo, hi, g[_TO1])
    _gather(tc0, idx, lo, hi, g[_TC0])
    _gather(tb0, idx, lo, hi, g[_TB0])
    _gather(to0, idx, lo, hi, g[_TO0])


@njit(cache=True, nogil=True)
def _factors(g: np.ndarray, n: int, beta: float, money_min: float, max_time: float,
             th_c: float, th_b: float, th_o: float, out: np.ndarray, tmp: np.ndarray,
             ibuf: np.ndarray) -> None:
    """Per cell of a gathered block (``g``, first ``n`` columns), in float32 as
    ``pivot._cells``: the utility ratios exp(beta x (base - scenario utility minutes)) of PT
    and car (nan, i.e. unavailable before and after, counts as no change; the difference is
    clipped to +-``max_time``) and the destination factors (shares denominator ** theta) of
    commute, business and other, of segment 1 then 0, into ``out`` rows 0-7. ``tmp`` (4, >=n)
    and ``ibuf`` are work space."""
    b, mm, cap = F4(beta), F4(money_min), F4(max_time)
    pt1, walk, fare1, gpt0 = g[_PT1, :n], g[_WALK, :n], g[_FARE1, :n], g[_GPT0, :n]
    ct1, cost1, gcar0 = g[_CT1, :n], g[_COST1, :n], g[_GCAR0, :n]
    x_pt, x_car = tmp[0, :n], tmp[1, :n]
    for m in range(n):
        p = pt1[m]
        g1 = p + fare1[m] * mm if p < walk[m] - F4(0.01) else F4(np.inf)
        d = gpt0[m] - g1
        d = F4(0.0) if d != d else min(max(d, -cap), cap)
        x_pt[m] = b * d
        d = gcar0[m] - (ct1[m] + cost1[m] * mm)
        d = F4(0.0) if d != d else min(max(d, -cap), cap)
        x_car[m] = b * d
    e_pt, e_car = out[0, :n], out[1, :n]
    exp32(x_pt, e_pt, ibuf)
    exp32(x_car, e_car, ibuf)
    spt1, scar1, spt0 = g[_SPT1, :n], g[_SCAR1, :n], g[_SPT0, :n]
    den1, den0 = tmp[2, :n], tmp[3, :n]
    for m in range(n):
        den1[m] = F4(1.0) + spt1[m] * (e_pt[m] - F4(1.0)) + scar1[m] * (e_car[m] - F4(1.0))
        den0[m] = F4(1.0) + spt0[m] * (e_pt[m] - F4(1.0))
    log32(den1, tmp[0, :n], ibuf)  # x_pt, x_car are no longer needed
    log32(den0, tmp[1, :n], ibuf)
    x = tmp[2, :n]  # den1, den0 are no longer needed; exp32 in place would not vectorise
    for seg in range(2):
        lg = tmp[seg, :n]
        for q in range(3):
            th = F4(th_c if q == 0 else (th_b if q == 1 else th_o))
            for m in range(n):
                x[m] = th * lg[m]
            exp32(x, out[2 + 3 * seg + q, :n], ibuf)


@njit(cache=True, nogil=True)
def balance_cells(idx: np.ndarray, nz: int,
                  pt1: np.ndarray, walk: np.ndarray, fare1: np.ndarray, gpt0: np.ndarray,
                  ct1: np.ndarray, cost1: np.ndarray, gcar0: np.ndarray,
                  spt1: np.ndarray, scar1: np.ndarray, spt0: np.ndarray,
                  tc1: np.ndarray, tb1: np.ndarray, to1: np.ndarray,
                  tc0: np.ndarray, tb0: np.ndarray, to0: np.ndarray,
                  sm1: np.ndarray, sm0: np.ndarray, mode: int,
                  gadd: np.ndarray, beta: float, money_min: float, max_time: float,
                  th_c: float, th_b: float, th_o: float
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pass 1 of ``pivot._balance`` over the changed cells ``idx`` (sorted).

    Returns
    -------
    dgc : float64 (n,)
        Change of the commute weights per cell (both segments); empty when ``gadd`` (the
        flat commute weights, float32) is given: then the change is added to it in place.
    inc : float64 (4, nz)
        Row sums of ``t0 (f - 1)`` for (business, 1), (business, 0), (other, 1), (other, 0).
    parts : float32 (5, n), for the car (3, n)
        With ``mode`` > 0, the mode's trips per cell before the balancing factors
        (``pivot._mode_parts``): commute (both segments), (business, 1), (other, 1),
        (business, 0), (other, 0) (the car: segment 1 only). ``sm1``/``sm0`` are the mode's
        base shares by segment; ``mode``: 0 none, 1 walk or bike (no utility change), 2 PT,
        3 car (segment 1 only).
    """
    n = idx.size
    add = gadd.size > 0
    dgc = np.empty(0 if add else n)
    inc = np.zeros((4, nz))
    parts = np.zeros((3 if mode == 3 else 5, n if mode > 0 else 0), dtype=np.float32)
    g = np.empty((18, BLOCK + _PAD), dtype=np.float32)
    buf = np.empty((8, BLOCK + _PAD), dtype=np.float32)
    tmp = np.empty((4, BLOCK + _PAD), dtype=np.float32)
    ibuf = np.empty(BLOCK, dtype=np.int32)
    u0 = u1 = u2 = u3 = 0.0  # the current row's sums (in registers)
    i = idx[0] // nz if n else 0
    end = (i + 1) * nz  # the first cell of the next row
    for lo in range(0, n, BLOCK):
        hi = min(lo + BLOCK, n)
        nb = hi - lo
        _gather_factor_inputs(idx, lo, hi, g, pt1, walk, fare1, gpt0, ct1, cost1, gcar0,
                              spt1, scar1, spt0, tc1, tb1, to1, tc0, tb0, to0, True)
        if mode > 0:
            _gather(sm1, idx, lo, hi, g[16])
            _gather(sm0, idx, lo, hi, g[17])
        f = buf
        _factors(g, nb, beta, money_min, max_time, th_c, th_b, th_o, f, tmp, ibuf)
        for q in range(nb):
            if idx[lo + q] >= end:  # a new origin row: write out the row sums
                inc[0, i] += u0
                inc[1, i] += u1
                inc[2, i] += u2
                inc[3, i] += u3
                u0 = u1 = u2 = u3 = 0.0
                while idx[lo + q] >= end:
                    i += 1
                    end += nz
            fc1, fb1, fo1 = float(f[2, q]), float(f[3, q]), float(f[4, q])
            fc0, fb0, fo0 = float(f[5, q]), float(f[6, q]), float(f[7, q])
            c1, b1, o1 = float(g[_TC1, q]), float(g[_TB1, q]), float(g[_TO1, q])
            c0, b0, o0 = float(g[_TC0, q]), float(g[_TB0, q]), float(g[_TO0, q])
            d = c1 * (fc1 - 1.0) + c0 * (fc0 - 1.0)
            if add:
                k = idx[lo + q]
                gadd[k] = gadd[k] + np.float32(d)
            else:
                dgc[lo + q] = d
            u0 += b1 * (fb1 - 1.0)
            u1 += b0 * (fb0 - 1.0)
            u2 += o1 * (fo1 - 1.0)
            u3 += o0 * (fo0 - 1.0)
            if mode > 0:
                e_pt, e_car = float(f[0, q]), float(f[1, q])
                e = e_car if mode == 3 else (e_pt if mode == 2 else 1.0)
                den1 = 1.0 + g[_SPT1, q] * (e_pt - 1.0) + g[_SCAR1, q] * (e_car - 1.0)
                p1 = g[16, q] * e / den1
                parts[0, lo + q] = c1 * fc1 * p1
                parts[1, lo + q] = b1 * fb1 * p1
                parts[2, lo + q] = o1 * fo1 * p1
                if mode != 3:
                    p0 = g[17, q] * e / (1.0 + g[_SPT0, q] * (e_pt - 1.0))
                    parts[0, lo + q] += c0 * fc0 * p0
                    parts[3, lo + q] = b0 * fb0 * p0
                    parts[4, lo + q] = o0 * fo0 * p0
    if n:
        inc[0, i] += u0
        inc[1, i] += u1
        inc[2, i] += u2
        inc[3, i] += u3
    return dgc, inc, parts


@njit(cache=True, nogil=True)
def _add_row(rows: np.ndarray, saved: np.ndarray, acc: np.ndarray, i: int,
             r: tuple[float, ...]) -> None:
    """Add origin row ``i``'s sums (kept in registers while the row lasts) to
    :func:`respond_cells`' outputs: the 7 (segment, mode) rows, then saved PT and car minutes,
    then the accessibility change."""
    for m in range(SEGMODE_ROWS):
        rows[m, i] += r[m]
    saved[0, i] += r[7]
    saved[1, i] += r[8]
    acc[i] += r[9]


# further rows of respond_cells' gathered block
_SW1, _SB1, _SW0, _SB0, _PT0, _CT0, _FARE0, _COST0 = range(16, 24)
_STREET, _CARKM0, _CARKM1, _XC1, _XC0 = range(24, 29)


@njit(cache=True, nogil=True)
def respond_cells(idx: np.ndarray, nz: int,
                  pt0: np.ndarray, pt1: np.ndarray, walk: np.ndarray,
                  fare0: np.ndarray, fare1: np.ndarray, gpt0: np.ndarray,
                  ct0: np.ndarray, ct1: np.ndarray, cost0: np.ndarray, cost1: np.ndarray,
                  gcar0: np.ndarray, street: np.ndarray, carkm0: np.ndarray,
                  carkm1: np.ndarray,
                  sw1: np.ndarray, sb1: np.ndarray, spt1: np.ndarray, scar1: np.ndarray,
                  sw0: np.ndarray, sb0: np.ndarray, spt0: np.ndarray,
                  tc1: np.ndarray, tb1: np.ndarray, to1: np.ndarray,
                  tc0: np.ndarray, tb0: np.ndarray, to0: np.ndarray,
                  xc1: np.ndarray, xc0: np.ndarray,
                  a: np.ndarray, b: np.ndarray, rb1: np.ndarray, ro1: np.ndarray,
                  rb0: np.ndarray, ro0: np.ndarray, car_share: np.ndarray, jobs: np.ndarray,
                  beta: float, money_min: float, max_time: float,
                  th_c: float, th_b: float, th_o: float,
                  vot_c: float, vot_b: float, vot_o: float
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Pass 2 of ``pivot.respond`` (corrections on the changed cells ``idx``, rule of half,
    accessibility) at the balancing factors ``a``, ``b`` (commute) and ``rb1`` ... ``ro0``
    (business/other by segment).

    Returns
    -------
    rows : float64 (7, nz)
        Change of the trips per origin, by (segment, mode) in ``pivot._SEGMODES`` order.
    saved : float64 (2, nz)
        Rule-of-half minutes per origin: PT, car.
    acc : float64 (nz,)
        Change of the accessibility per origin.
    sums : float64 (9,)
        Person-km change walk, bike, car; rule-of-half minutes commute, business, other;
        benefit (DKK, minutes x value of time + money); money benefit PT, car (DKK).
    pt : float32 (n,)
        The scenario's PT trips per changed cell.
    """
    n = idx.size
    rows = np.zeros((SEGMODE_ROWS, nz))
    saved = np.zeros((2, nz))
    acc = np.zeros(nz)
    ptc = np.empty(n, dtype=np.float32)
    g = np.empty((29, BLOCK + _PAD), dtype=np.float32)
    buf = np.empty((8, BLOCK + _PAD), dtype=np.float32)
    tmp = np.empty((4, BLOCK + _PAD), dtype=np.float32)
    ibuf = np.empty(BLOCK, dtype=np.int32)
    # sums in registers (one add per cell each: no chain through memory)
    s_kw = s_kb = s_kc = s_mc = s_mb = s_mo = s_ben = s_mpt = s_mcar = 0.0
    # the current origin row's sums, written out when the row changes
    r0 = r1 = r2 = r3 = r4 = r5 = r6 = sv_pt = sv_car = r_acc = 0.0
    i = idx[0] // nz if n else 0
    end = (i + 1) * nz  # the first cell of the next row
    ai, gb1, go1, gb0, go0, cs = a[i], rb1[i], ro1[i], rb0[i], ro0[i], float(car_share[i])
    for lo in range(0, n, BLOCK):
        hi = min(lo + BLOCK, n)
        nb = hi - lo
        _gather_factor_inputs(idx, lo, hi, g, pt1, walk, fare1, gpt0, ct1, cost1, gcar0,
                              spt1, scar1, spt0, tc1, tb1, to1, tc0, tb0, to0, True)
        _gather(sw1, idx, lo, hi, g[_SW1])
        _gather(sb1, idx, lo, hi, g[_SB1])
        _gather(sw0, idx, lo, hi, g[_SW0])
        _gather(sb0, idx, lo, hi, g[_SB0])
        _gather(pt0, idx, lo, hi, g[_PT0])
        _gather(ct0, idx, lo, hi, g[_CT0])
        _gather(fare0, idx, lo, hi, g[_FARE0])
        _gather(cost0, idx, lo, hi, g[_COST0])
        _gather(street, idx, lo, hi, g[_STREET])
        _gather(carkm0, idx, lo, hi, g[_CARKM0])
        _gather(carkm1, idx, lo, hi, g[_CARKM1])
        _gather(xc1, idx, lo, hi, g[_XC1])
        _gather(xc0, idx, lo, hi, g[_XC0])
        f = buf
        _factors(g, nb, beta, money_min, max_time, th_c, th_b, th_o, f, tmp, ibuf)
        for q in range(nb):
            k = idx[lo + q]
            if k >= end:
                _add_row(rows, saved, acc, i, (r0, r1, r2, r3, r4, r5, r6, sv_pt, sv_car, r_acc))
                r0 = r1 = r2 = r3 = r4 = r5 = r6 = sv_pt = sv_car = r_acc = 0.0
                while k >= end:
                    i += 1
                    end += nz
                ai, gb1, go1, gb0, go0 = a[i], rb1[i], ro1[i], rb0[i], ro0[i]
                cs = float(car_share[i])
            j = k - (end - nz)
            e_pt, e_car = float(f[0, q]), float(f[1, q])
            fc1, fb1, fo1 = float(f[2, q]), float(f[3, q]), float(f[4, q])
            fc0, fb0, fo0 = float(f[5, q]), float(f[6, q]), float(f[7, q])
            # shares before and after
            w1, bk1 = float(g[_SW1, q]), float(g[_SB1, q])
            p1_, c1_ = float(g[_SPT1, q]), float(g[_SCAR1, q])
            w0, bk0, p0_ = float(g[_SW0, q]), float(g[_SB0, q]), float(g[_SPT0, q])
            inv1 = 1.0 / (1.0 + p1_ * (e_pt - 1.0) + c1_ * (e_car - 1.0))
            inv0 = 1.0 / (1.0 + p0_ * (e_pt - 1.0))
            # trips before (t0) and after (t1); "off": re-weighted as if unchanged
            c1, b1, o1 = float(g[_TC1, q]), float(g[_TB1, q]), float(g[_TO1, q])
            c0, b0, o0 = float(g[_TC0, q]), float(g[_TB0, q]), float(g[_TO0, q])
            sc = ai * b[j]
            t1c1, t1b1, t1o1 = c1 * fc1 * sc, b1 * fb1 * gb1, o1 * fo1 * go1
            t1c0, t1b0, t1o0 = c0 * fc0 * sc, b0 * fb0 * gb0, o0 * fo0 * go0
            tot1 = t1c1 + t1b1 + t1o1
            tot0 = t1c0 + t1b0 + t1o0
            off1 = c1 * sc + b1 * gb1 + o1 * go1
            off0 = c0 * sc + b0 * gb0 + o0 * go0
            q_pt1, q_car1 = p1_ * e_pt * inv1, c1_ * e_car * inv1
            q_pt0 = p0_ * e_pt * inv0
            km = float(g[_STREET, q])
            # (segment, mode) rows: on - off
            d_w1 = w1 * (inv1 * tot1 - off1)
            d_b1 = bk1 * (inv1 * tot1 - off1)
            on_pt1 = q_pt1 * tot1
            on_car = q_car1 * tot1
            off_car = c1_ * off1
            d_w0 = w0 * (inv0 * tot0 - off0)
            d_b0 = bk0 * (inv0 * tot0 - off0)
            on_pt0 = q_pt0 * tot0
            r0 += d_w1
            r1 += d_b1
            r2 += on_pt1 - p1_ * off1
            r3 += on_car - off_car
            r4 += d_w0
            r5 += d_b0
            r6 += on_pt0 - p0_ * off0
            s_kw += (d_w1 + d_w0) * km
            s_kb += (d_b1 + d_b0) * km
            s_kc += on_car * g[_CARKM1, q] - off_car * g[_CARKM0, q]
            ptc[lo + q] = on_pt1 + on_pt0
            # rule of half: weights (mean of the trips before and after) by purpose
            dt_pt = float(g[_PT0, q]) - float(g[_PT1, q])
            dt_car = float(g[_CT0, q]) - float(g[_CT1, q])
            wpc = 0.5 * (c1 * p1_ + t1c1 * q_pt1 + c0 * p0_ + t1c0 * q_pt0)
            wpb = 0.5 * (b1 * p1_ + t1b1 * q_pt1 + b0 * p0_ + t1b0 * q_pt0)
            wpo = 0.5 * (o1 * p1_ + t1o1 * q_pt1 + o0 * p0_ + t1o0 * q_pt0)
            wcc = 0.5 * (c1 * c1_ + t1c1 * q_car1)
            wcb = 0.5 * (b1 * c1_ + t1b1 * q_car1)
            wco = 0.5 * (o1 * c1_ + t1o1 * q_car1)
            mc = wpc * dt_pt + wcc * dt_car
            mb = wpb * dt_pt + wcb * dt_car
            mo = wpo * dt_pt + wco * dt_car
            wp, wc = wpc + wpb + wpo, wcc + wcb + wco
            money_pt = wp * (float(g[_FARE0, q]) - float(g[_FARE1, q]))
            money_car = wc * (float(g[_COST0, q]) - float(g[_COST1, q]))
            sv_pt += wp * dt_pt
            sv_car += wc * dt_car
            s_mc += mc
            s_mb += mb
            s_mo += mo
            s_ben += mc * vot_c + mb * vot_b + mo * vot_o + money_pt + money_car
            s_mpt += money_pt
            s_mcar += money_car
            r_acc += (cs * g[_XC1, q] * (fc1 - 1.0)
                      + (1.0 - cs) * g[_XC0, q] * (fc0 - 1.0)) * jobs[j]
    if n:
        _add_row(rows, saved, acc, i, (r0, r1, r2, r3, r4, r5, r6, sv_pt, sv_car, r_acc))
    sums = np.array([s_kw, s_kb, s_kc, s_mc, s_mb, s_mo, s_ben, s_mpt, s_mcar])
    return rows, saved, acc, sums, ptc


@njit(cache=True, nogil=True)
def put_mode_cells(flat: np.ndarray, idx: np.ndarray, parts: np.ndarray, nz: int,
                   a: np.ndarray, b: np.ndarray, rb1: np.ndarray, ro1: np.ndarray,
                   rb0: np.ndarray, ro0: np.ndarray) -> None:
    """``pivot._put_mode_part``: write a mode's trips at the changed cells ``idx`` (sorted)
    from its :func:`balance_cells` ``parts``, scaled by the balancing factors (commute
    ``a_i b_j``; business and other by segment ``rb1`` ... ``ro0``), in float32."""
    n = idx.size
    nr = parts.shape[0]
    i = idx[0] // nz if n else 0
    end = (i + 1) * nz
    for m in range(n):
        k = idx[m]
        while k >= end:
            i += 1
            end += nz
        j = k - (end - nz)
        v = parts[0, m] * np.float32(a[i] * b[j])
        v += parts[1, m] * np.float32(rb1[i])
        v += parts[2, m] * np.float32(ro1[i])
        if nr == 5:
            v += parts[3, m] * np.float32(rb0[i])
            v += parts[4, m] * np.float32(ro0[i])
        flat[k] = v
