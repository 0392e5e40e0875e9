"""Issue 8, finding 4: the scenario cache cannot lie (no pickle, key + hash, atomic, one warning).

Findings reproduced (each fails on the old pickle cache):
4.1 bit flips loaded silently with wrong data      -> test_bit_flips_never_give_wrong_data
4.2 a valid file under another scenario's key used -> test_swapped_entry_is_detected[_real]
4.3 corruptions crashed every later run            -> test_bit_flips_... / test_garbage_files_...
4.4 a crafted pickle runs code                     -> test_crafted_pickle_is_never_executed
plus: atomic write without partial files, one warning for an unwritable cache folder, and a
generic serialisation that carries fields added later (effects, lines).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import pickle
import random
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from mobility import _cache
from mobility.network import scenario as sc


def _fake_result(ids: tuple[int, ...], key: str, excluded: dict[int, str] | None = None
                 ) -> sc.ScenarioResult:
    """A small but realistic ScenarioResult (different figures for different ids)."""
    seed = sum(ids) + 1
    rng = np.random.default_rng(seed)
    zones = pd.DataFrame({
        "cell_id": [f"c{i}" for i in range(12)],
        "municipality_code": np.repeat([101, 147, 151], 4).astype("int64"),
        "population": rng.integers(0, 5000, 12).astype("int64"),
        "accessibility_base": rng.random(12),
        "accessibility_scenario": rng.random(12),
        "accessibility_change_pct": rng.normal(size=12),
        "mean_time_change_min": rng.normal(size=12),
        "person_minutes_saved_per_day": rng.normal(size=12) * 100,
    })
    munis = pd.DataFrame({
        "name": ["København", "Frederiksberg", "Ballerup"],
        "population": [600000, 100000, 50000],
        "accessibility_change_pct": rng.normal(size=3),
        "gains": [True, False, True],
    }, index=pd.Index([101, 147, 151], name="code"))
    return sc.ScenarioResult(
        ids=ids, excluded={7: "fares are not modelled"} if excluded is None else excluded,
        person_minutes_saved_per_day=float(seed * 1000.5),
        person_minutes_saved_pt=float(seed * 700.25), person_minutes_saved_car=float(seed * 300.25),
        zones=zones, municipalities=munis, municipalities_gaining=["København", "Ballerup"],
        cache_key=key)


def _assert_equal(a: Any, b: Any) -> None:
    assert type(a) is type(b)
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, pd.DataFrame):
            pd.testing.assert_frame_equal(x, y, check_exact=True)
        else:
            assert x == y and type(x) is type(y), f.name


@pytest.fixture
def fake_compute(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[tuple[int, ...]]:
    """Replace the network computation by a fast fake; record every call; fresh cache."""
    calls: list[tuple[int, ...]] = []

    def compute(edits: Any, excluded: Any, key: str, engine: str = "csgraph") -> Any:
        ids = tuple(i for i, _ in edits)
        calls.append(ids)
        return _fake_result(ids, key, dict(excluded))

    monkeypatch.setattr(sc, "_compute", compute)
    monkeypatch.setenv("MOBILITY_CACHE_DIR", str(tmp_path / "cache"))
    sc.clear_cache()
    yield calls
    sc.clear_cache()


def _entry(ids: list[int]) -> Path:
    edits, _ = sc.select_edits(ids)
    return _cache.entry_path(sc.cache_dir(), sc._key(edits))


# --------------------------------------------------------------------------------------------
# serialisation


@dataclasses.dataclass(frozen=True)
class _Extended:
    """A result with fields that other engineers add later (effects, lines) and odd types."""

    ids: tuple[int, ...]
    excluded: dict[int, str]
    effects: dict[str, Any]
    lines: pd.DataFrame
    zones: pd.DataFrame
    nothing: Any = None
    big: int = 2**70
    weird_float: float = float("nan")
    arr: Any = None
    series: Any = None


def _extended() -> _Extended:
    lines = pd.DataFrame({
        "service": ["Bus 200S", "Ny BRT", "Kystbanen"],
        "mode": pd.Categorical(["bus", "brt", "rail"]),
        "boardings_base": [1000.0, 0.0, np.nan],
        "boardings_scenario": np.array([1100, 800, 9000], dtype="int32"),
        "new_or_changed": [False, True, False],
        "nullable": pd.array([1, None, 3], dtype="Int64"),
        "when": pd.to_datetime(["2024-01-01", "2024-06-01", "2025-01-01"]),
        "mixed": ["a", None, "c"],
    })
    effects = {
        "annualisation_days": 250.0,
        "trips_by_mode_base": {"walk": 1.0, "bike": 2.5, "pt": 3.0, "car": float("inf")},
        "nested": {"a": {"b": [1, 2, (3, 4)], 5: "int key"}, "empty": {}},
        "user_benefit_mdkk_per_year": -12.5,
        "np_scalar": np.float32(1.5),
        "np_types": [np.float64(2.5), np.int64(-3), np.bool_(True), np.float64("nan"),
                     np.datetime64("2024-01-02")],
        "missing": [pd.NA, pd.NaT, None],
        "text": 'quotes " and {{ 7*7 }} and \u00e6\u00f8\u00e5',
    }
    zones = pd.DataFrame(
        {"x": [1.0, 2.0]},
        index=pd.MultiIndex.from_tuples([("a", 1), ("b", 2)], names=["k", "n"]))
    return _Extended(ids=(1, 12), excluded={3: "why"}, effects=effects, lines=lines, zones=zones,
                     arr=np.arange(6, dtype="int16").reshape(2, 3),
                     series=pd.Series([1.5, 2.5], index=["p", "q"], name="s"))


def test_generic_round_trip_of_fields_added_later(tmp_path: Path) -> None:
    obj = _extended()
    assert _cache.save(tmp_path, "k1", obj) is not None
    back = _cache.load(tmp_path, "k1", _Extended)
    assert back is not None
    pd.testing.assert_frame_equal(back.lines, obj.lines, check_exact=True)
    pd.testing.assert_frame_equal(back.zones, obj.zones, check_exact=True)
    pd.testing.assert_series_equal(back.series, obj.series)
    np.testing.assert_array_equal(back.arr, obj.arr)
    assert back.arr.dtype == np.int16
    assert back.ids == (1, 12) and back.excluded == {3: "why"}
    assert back.effects["nested"] == {"a": {"b": [1, 2, (3, 4)], 5: "int key"}, "empty": {}}
    assert back.effects["trips_by_mode_base"]["car"] == float("inf")
    assert back.effects["np_scalar"] == np.float32(1.5)
    assert type(back.effects["np_scalar"]) is np.float32
    assert back.effects["text"] == obj.effects["text"]
    f64, i64, b, nan, day = back.effects["np_types"]
    assert (type(f64), type(i64), type(b), type(nan)) == (np.float64, np.int64, np.bool_,
                                                          np.float64)
    assert (f64, i64, bool(b), day) == (2.5, -3, True, np.datetime64("2024-01-02"))
    assert np.isnan(nan)
    assert back.effects["missing"][0] is pd.NA and back.effects["missing"][1] is pd.NaT
    assert back.big == 2**70 and np.isnan(back.weird_float) and back.nothing is None


def test_no_pickle_in_the_file(tmp_path: Path) -> None:
    path = _cache.save(tmp_path, "k1", _extended())
    assert path is not None and path.suffix == ".npz"
    with np.load(path, allow_pickle=False) as npz:  # would raise on an object array
        assert {"__meta__", "__key__", "__hash__"} <= set(npz.files)
        for name in npz.files:
            assert npz[name].dtype != object
    assert b"__reduce__" not in path.read_bytes()


def test_unsupported_value_is_not_cached(tmp_path: Path, caplog: pytest.LogCaptureFixture
                                         ) -> None:
    obj = dataclasses.replace(_extended(), nothing=object())
    with caplog.at_level(logging.WARNING):
        assert _cache.save(tmp_path, "k1", obj) is None
    assert "not cached" in caplog.text
    assert list(tmp_path.iterdir()) == []


def test_entry_with_other_fields_is_discarded(tmp_path: Path) -> None:
    _cache.save(tmp_path, "k1", _fake_result((1,), "k1"))
    assert _cache.load(tmp_path, "k1", _Extended) is None  # another dataclass: recompute
    assert not (tmp_path / "k1.npz").exists()


# --------------------------------------------------------------------------------------------
# finding 4.1 / 4.3: bit flips


def test_bit_flips_never_give_wrong_data(fake_compute: list, caplog: pytest.LogCaptureFixture
                                         ) -> None:
    good = sc.evaluate_scenario([12])
    path = _entry([12])
    original = path.read_bytes()
    rng = random.Random(8)
    detected = silently_equal = 0
    for _ in range(100):
        data = bytearray(original)
        bit = rng.randrange(len(data) * 8)
        data[bit // 8] ^= 1 << (bit % 8)
        path.write_bytes(bytes(data))
        sc.clear_cache()  # memory only
        calls = len(fake_compute)
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="mobility"):
            res = sc.evaluate_scenario([12])  # never raises: 4.3
        _assert_equal(res, good)  # never wrong data: 4.1
        if len(fake_compute) == calls + 1:
            detected += 1
            assert "discarding scenario cache entry" in caplog.text
            assert len(caplog.records) == 1
        else:
            silently_equal += 1
        path.write_bytes(original)
    # the file hash in the zip comment catches flips in the zip structure too (time stamps,
    # headers) which the content hash alone would let through with equal data
    assert (detected, silently_equal) == (100, 0)


def test_garbage_files_are_discarded_and_recomputed(fake_compute: list) -> None:
    good = sc.evaluate_scenario([12])
    path = _entry([12])
    original = path.read_bytes()
    for garbage in (b"", b"PK\x03\x04" + b"\0" * 40, original[: len(original) // 2],
                    b"\x93NUMPY\x01\x00", os.urandom(5000)):
        path.write_bytes(garbage)
        sc.clear_cache()
        res = sc.evaluate_scenario([12])
        _assert_equal(res, good)
        assert _cache.load(path.parent, path.stem, sc.ScenarioResult) is not None  # rewritten


# --------------------------------------------------------------------------------------------
# finding 4.2: a valid entry under another key


def test_swapped_entry_is_detected(fake_compute: list, caplog: pytest.LogCaptureFixture) -> None:
    r12 = sc.evaluate_scenario([12])
    r11 = sc.evaluate_scenario([11])
    assert r12.person_minutes_saved_per_day != r11.person_minutes_saved_per_day
    _entry([12]).write_bytes(_entry([11]).read_bytes())  # the attack: copy 11 over 12
    sc.clear_cache()
    n = len(fake_compute)
    with caplog.at_level(logging.WARNING, logger="mobility"):
        again = sc.evaluate_scenario([12])
    assert len(fake_compute) == n + 1
    assert "was written for key" in caplog.text
    _assert_equal(again, r12)


def test_swapped_entry_is_detected_real(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                        ) -> None:
    """The issue's example with the real model: 12's file replaced by 11's."""
    monkeypatch.setenv("MOBILITY_CACHE_DIR", str(tmp_path))
    sc.clear_cache()
    r12 = sc.evaluate_scenario([12])
    r11 = sc.evaluate_scenario([11])
    assert round(r12.person_minutes_saved_per_day) != round(r11.person_minutes_saved_per_day)
    _entry([12]).write_bytes(_entry([11]).read_bytes())
    sc.clear_cache()
    again = sc.evaluate_scenario([12])
    assert again.person_minutes_saved_per_day == pytest.approx(r12.person_minutes_saved_per_day)
    sc.clear_cache()


# --------------------------------------------------------------------------------------------
# finding 4.4: a crafted pickle


class _Payload:
    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self) -> Any:
        return (Path.touch, (Path(self.marker),))


def test_crafted_pickle_is_never_executed(fake_compute: list, tmp_path: Path) -> None:
    good = sc.evaluate_scenario([12])
    path = _entry([12])
    marker = tmp_path / "pwned"
    evil = pickle.dumps(_Payload(str(marker)))
    pickle.loads(evil)  # the payload works when unpickled ...
    assert marker.exists()
    marker.unlink()
    for target in (path, path.with_suffix(".pkl")):  # ... but neither name runs it
        target.write_bytes(evil)
        sc.clear_cache()
        res = sc.evaluate_scenario([12])
        _assert_equal(res, good)
        assert not marker.exists()
    # an npz holding a pickled object array is refused too
    np.savez(path, __meta__=np.array([_Payload(str(marker))], dtype=object))
    sc.clear_cache()
    _assert_equal(sc.evaluate_scenario([12]), good)
    assert not marker.exists()


# --------------------------------------------------------------------------------------------
# atomic writes, unwritable folder


def test_failed_write_leaves_no_partial_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                             ) -> None:
    def broken(fh: Any, **arrays: Any) -> None:
        fh.write(b"PK\x03\x04 half an archive")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_cache.np, "savez_compressed", broken)
    monkeypatch.setattr(_cache, "_WRITE_WARNED", set())
    assert _cache.save(tmp_path, "k1", _fake_result((1,), "k1")) is None
    assert list(tmp_path.iterdir()) == []


def test_unwritable_cache_folder_warns_once(fake_compute: list, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch,
                                            caplog: pytest.LogCaptureFixture) -> None:
    # the tests run as root, where chmod does not stop writes: a folder below a regular file
    # can never be created
    blocker = tmp_path / "afile"
    blocker.write_text("not a folder")
    monkeypatch.setenv("MOBILITY_CACHE_DIR", str(blocker))
    monkeypatch.setattr(_cache, "_WRITE_WARNED", set())
    with caplog.at_level(logging.WARNING, logger="mobility"):
        for i in range(1, 31):
            sc.clear_cache()
            sc.evaluate_scenario([i % 3 + 10])
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert "cannot write the scenario cache" in warnings[0].getMessage()
    assert len(fake_compute) == 30  # every evaluation still works


def test_clear_cache_removes_entries_and_old_pickles(fake_compute: list) -> None:
    sc.evaluate_scenario([12])
    old = sc.cache_dir() / "deadbeef.pkl"
    old.write_bytes(b"old")
    sc.clear_cache(disk=True)
    assert list(sc.cache_dir().iterdir()) == []


def test_changed_content_with_a_valid_file_seal_is_detected(tmp_path: Path) -> None:
    """The content hash catches a change even when the file-level seal is recomputed."""
    import io

    path = _cache.save(tmp_path, "k1", _fake_result((1,), "k1"))
    with np.load(path, allow_pickle=False) as npz:
        arrays = {n: npz[n] for n in npz.files}
    name = next(n for n in arrays if not n.startswith("__") and arrays[n].dtype == np.float64)
    arrays[name] = arrays[name] * 2
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    path.write_bytes(_cache._seal(buf.getvalue()))
    assert _cache.load(tmp_path, "k1", sc.ScenarioResult) is None
    assert not path.exists()
