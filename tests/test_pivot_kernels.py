"""The compiled pivot kernels (mobility.demand._kernels) give the numpy reference's results."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from mobility.demand import pivot
from mobility.demand.pivot import (
    Response,
    _KernelArgs,
    mode_trip_matrix,
    respond,
    scenario_mode_matrix,
)
from mobility.network.scenario import _state
from mobility.network.skim import Skims


@pytest.fixture(scope="module")
def state():  # type: ignore[no-untyped-def]
    return _state()


def _scenarios(base: Skims) -> dict[str, Skims]:
    nz = base.pt.shape[1]
    every7 = np.arange(nz)[None, :] % 7 == 0
    f32 = np.float32
    return {
        # a sparse PT change (some destinations), cells scattered over every row
        "sparse_pt": replace(base, pt=np.where(every7, base.pt * f32(0.8), base.pt)),
        # every cell: slower cars, faster PT, a road charge and cheaper fares
        "dense_all": replace(base, car=base.car * f32(1.1), car_time=base.car_time * f32(1.1),
                             pt=base.pt * f32(0.95),
                             car_cost_dkk=base.car_cost_dkk + f32(5.0),
                             car_km=base.car_km * f32(1.02),
                             pt_fare_dkk=base.pt_fare_dkk * f32(0.7)),
        # whole rows (runs of cells): PT from the first 40 origins takes 50 % longer
        "rows_pt": replace(base, pt=np.concatenate([base.pt[:40] * f32(1.5), base.pt[40:]])),
    }


def _both(monkeypatch: pytest.MonkeyPatch, fn):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(pivot, "KERNELS", "numpy")
    ref = fn()
    monkeypatch.setattr(pivot, "KERNELS", "numba")
    return ref, fn()


def _close(a: Response, b: Response) -> None:
    assert a.changed_cells == b.changed_cells
    for m in a.trips:
        assert b.trips[m] == pytest.approx(a.trips[m], rel=1e-5), m
    for m in a.km:
        assert b.km[m] == pytest.approx(a.km[m], rel=1e-5), m
    for p in a.saved_by_purpose:
        assert b.saved_by_purpose[p] == pytest.approx(a.saved_by_purpose[p], rel=1e-4,
                                                      abs=1.0), p
    assert b.benefit_dkk == pytest.approx(a.benefit_dkk, rel=1e-4, abs=10.0)
    assert a.money_dkk is not None and b.money_dkk is not None
    for m in a.money_dkk:
        assert b.money_dkk[m] == pytest.approx(a.money_dkk[m], rel=1e-4, abs=10.0), m
    np.testing.assert_allclose(b.pt_zone, a.pt_zone, rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(b.saved_pt, a.saved_pt, rtol=1e-3, atol=1e-2)
    np.testing.assert_allclose(b.saved_car, a.saved_car, rtol=1e-3, atol=1e-2)
    np.testing.assert_allclose(b.accessibility, a.accessibility, rtol=1e-5)
    assert a.pt_cells is not None and b.pt_cells is not None
    np.testing.assert_array_equal(a.pt_cells[0], b.pt_cells[0])
    np.testing.assert_allclose(b.pt_cells[1], a.pt_cells[1], rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("name", ["sparse_pt", "dense_all", "rows_pt"])
def test_kernel_response_equals_the_numpy_reference(state, monkeypatch, name) -> None:  # type: ignore[no-untyped-def]
    _, base, dem, _ = state
    scen = _scenarios(base)[name]
    assert _KernelArgs(dem, base, scen).ok  # the real skims take the compiled path
    ref, fast = _both(monkeypatch, lambda: respond(dem, base, scen))
    assert not ref.unchanged
    _close(ref, fast)
    # the response is not trivially equal: something moved
    assert abs(fast.trips["pt"] - respond(dem, base, base).trips["pt"]) > 1.0


@pytest.mark.parametrize("mode", ["car", "pt", "bike"])
def test_kernel_mode_matrices_equal_the_numpy_reference(state, monkeypatch, mode) -> None:  # type: ignore[no-untyped-def]
    _, base, dem, _ = state
    scen = _scenarios(base)["dense_all"]
    ref, fast = _both(monkeypatch, lambda: scenario_mode_matrix(dem, mode, base, scen))
    np.testing.assert_allclose(fast, ref, rtol=2e-5, atol=1e-6)
    resp = respond(dem, base, scen)
    ref, fast = _both(monkeypatch, lambda: mode_trip_matrix(
        dem, mode, base, scen, replace(resp, pt_cells=None)))
    np.testing.assert_allclose(fast, ref, rtol=2e-5, atol=1e-6)


def test_skims_without_money_fields_take_the_numpy_path(state) -> None:  # type: ignore[no-untyped-def]
    _, base, dem, _ = state
    old = replace(base, car_cost_dkk=None)
    assert not _KernelArgs(dem, base, old).ok
    assert not _KernelArgs(dem, old, old).ok
