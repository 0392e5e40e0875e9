"""The compiled car-skim loops (mobility.network._kernels) give the numpy reference's skims."""

from __future__ import annotations

import numpy as np
import pytest

from mobility.network import skim
from mobility.network.scenario import _base_roads, _scenario_link_times, _state


@pytest.fixture(scope="module")
def state():  # type: ignore[no-untyped-def]
    return _state()


@pytest.mark.parametrize("congested", [False, True])
def test_car_skims_kernels_equal_the_numpy_reference(state, monkeypatch, congested) -> None:  # type: ignore[no-untyped-def]
    net, _, dem, _ = state
    times = _scenario_link_times(net, _base_roads(dem), None) if congested else None
    rows = np.arange(0, state[1].pt.shape[0], 7)  # every 7th origin, all destinations
    monkeypatch.setattr(skim, "KERNELS", "numpy")
    ref = skim.car_skims(net, rows, "csgraph", times)
    monkeypatch.setattr(skim, "KERNELS", "numba")
    fast = skim.car_skims(net, rows, "csgraph", times)
    assert set(ref) == set(fast)
    for name, arr in ref.items():
        if arr is None:
            assert fast[name] is None, name
            continue
        assert np.isfinite(arr).mean() > 0.99, name  # a real skim, not an empty one
        np.testing.assert_allclose(fast[name], arr, rtol=2e-6, atol=1e-5, err_msg=name)
    if congested:  # the peak is slower than the off-peak somewhere
        assert (fast["car_time_peak"] > fast["car_time_offpeak"] + 0.5).any()



@pytest.mark.slow
def test_kernel_benchmark_times_both_implementations() -> None:
    from mobility.demand import pivot
    from mobility.network.bench_kernels import format_report, run_kernel_benchmark

    res = run_kernel_benchmark(repeats=1)
    assert set(res["steps"]) == {"respond", "first demand (car)", "car skims (2 periods)",
                                 "PT skim with argmin"}
    for r in res["steps"].values():
        assert r["numpy_s"] > 0 and r["numba_s"] > 0
        assert r["ratio"] == pytest.approx(r["numpy_s"] / r["numba_s"])
    assert "numpy/numba" in format_report(res)
    assert pivot.KERNELS == "numba" and skim.KERNELS == "numba"  # restored


def test_pt_skim_argmin_kernel_equals_the_numpy_reference(state, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from mobility.demand.pt_assign import pt_state

    pt = pt_state(state[0])
    monkeypatch.setattr(skim, "KERNELS", "numpy")
    ref = skim.zone_skim_argmin(pt.m, pt.legs, pt.direct)
    monkeypatch.setattr(skim, "KERNELS", "numba")
    fast = skim.zone_skim_argmin(pt.m, pt.legs, pt.direct)
    np.testing.assert_array_equal(fast[0], ref[0])
    np.testing.assert_array_equal(fast[1], ref[1])
    np.testing.assert_array_equal(fast[2], ref[2])
    assert (ref[2] >= 0).mean() > 0.5  # most best paths use a station, not the direct walk


def test_snap_kernel_equals_the_numpy_reference(state, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from mobility.network.scenario import _snap_car

    net, base, dem, _ = state
    rows = np.arange(base.pt.shape[0])
    # the first skims of a congested scenario: the base network's link times under base flows
    fields = skim.car_skims(net, rows, "csgraph", _scenario_link_times(net, _base_roads(dem),
                                                                      None))
    fields["car_time"][::11] += np.float32(0.004)  # below the snap tolerance
    fields["car_time"][5::11] += np.float32(3.0)  # above it
    out = {}
    for kind in ("numpy", "numba"):
        monkeypatch.setattr(skim, "KERNELS", kind)
        out[kind] = _snap_car(base, {k: v.copy() for k, v in fields.items()})
    for name in fields:
        np.testing.assert_array_equal(out["numba"][name], out["numpy"][name], err_msg=name)
    assert (out["numba"]["car_time"][::11] == base.car_time[::11]).mean() > 0.5
    assert (out["numba"]["car_time"][5::11] != base.car_time[5::11]).all()
