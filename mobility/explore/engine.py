"""The explorer's engine: catalogue, shared scenario evaluations, jobs, optimiser and exports.

Everything here is plain Python (no web framework): :mod:`mobility.explore.app` wraps it in a
FastAPI app. Scenarios are evaluated by the library (:func:`mobility.network.evaluate_scenario`
with the project's memory and disk cache; bundles by
:func:`mobility.appraisal.evaluate_bundle`) in a thread pool. Concurrent requests for the same
set of ids share ONE evaluation ("single flight", keyed by the sorted ids), both for whole
bundles and for the scenarios a bundle needs.
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from ..errors import MobilityError

__all__ = ["MAX_IDS", "Explorer", "ExplorerConflict", "ExplorerError", "Job",
           "bundle_file_stem", "effects_value"]

log = logging.getLogger(__name__)

#: Most initiative ids one request may carry (the catalogue has 33).
MAX_IDS = 100

#: Scenario and bundle results kept in memory by the explorer (least recently used dropped).
CACHE_SIZE = 256

#: Finished jobs kept for polling.
MAX_JOBS = 500

Ids = tuple[int, ...]
Evaluator = Callable[[Ids], Any]


class ExplorerError(MobilityError, ValueError):
    """Bad input to the explorer (unknown ids, a bad file name, ...): HTTP 422."""


class ExplorerConflict(MobilityError, FileExistsError):
    """A file the explorer would write exists already: HTTP 409."""


# --------------------------------------------------------------------------------------------
# Adapters for fields other work adds (demand: ScenarioResult.effects; appraisal: CBA).


def effects_value(scenario: Any, bundle: Any, key: str) -> float | None:
    """One figure from the demand model's ``effects`` or the appraisal's CBA, or None.

    The ONE place that reads fields which may not exist yet: ``ScenarioResult.effects[key]``
    (demand model), else an attribute ``key`` of the bundle result or of its ``cba`` /
    ``effects`` mapping (appraisal: ``npv_mdkk``, ``bcr``). Missing or non-finite -> None.
    """
    candidates: list[Any] = []
    for obj in (scenario, bundle):
        if obj is None:
            continue
        candidates.append(getattr(obj, key, None))
        for holder in ("effects", "cba"):
            mapping = getattr(obj, holder, None)
            if isinstance(mapping, Mapping):
                candidates.append(mapping.get(key))
            elif mapping is not None:
                candidates.append(getattr(mapping, key, None))
    for value in candidates:
        if value is None or isinstance(value, bool):
            continue
        try:
            f = float(value)
        except (TypeError, ValueError):
            continue
        if np.isfinite(f):
            return f
    return None


# --------------------------------------------------------------------------------------------
# Jobs


@dataclass
class Job:
    """A background evaluation the page can poll: a bundle, the warm-up, or a paper export."""

    kind: str
    ids: Ids
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    state: str = "queued"  # queued | running | done | error
    step: str = ""
    done: int = 0
    total: int = 0
    started: float = field(default_factory=time.perf_counter)
    finished: float | None = None
    error: str | None = None
    result: Any = field(default=None, repr=False)
    file: Path | None = field(default=None, repr=False)
    file_name: str | None = None
    _event: threading.Event = field(default_factory=threading.Event, repr=False)

    def advance(self, step: str) -> None:
        self.done += 1
        self.step = step
        self.total = max(self.total, self.done)

    def finish(self, result: Any = None, error: str | None = None) -> None:
        self.result = result
        self.error = error
        self.state = "error" if error else "done"
        self.finished = time.perf_counter()
        self._event.set()

    def wait(self, timeout: float) -> bool:
        return self._event.wait(timeout)

    def status(self) -> dict[str, Any]:
        end = self.finished if self.finished is not None else time.perf_counter()
        return {"job_id": self.id, "kind": self.kind, "ids": list(self.ids),
                "state": self.state, "step": self.step, "done": self.done, "total": self.total,
                "elapsed_s": round(end - self.started, 3), "error": self.error,
                "file_name": self.file_name}


_TLS = threading.local()


class _LRU:
    def __init__(self, size: int) -> None:
        self._size = size
        self._data: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self._lock:
            if key not in self._data:
                return None
            self._data.move_to_end(key)
            return self._data[key]

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self._size:
                self._data.popitem(last=False)

    def __contains__(self, key: Any) -> bool:
        with self._lock:
            return key in self._data


# --------------------------------------------------------------------------------------------
# File names


_STEM_RE = re.compile(r"[^a-z0-9]+")
_FOLD = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "é": "e", "ü": "u", "ö": "o",
                       "ä": "a"})


def bundle_file_stem(name: str) -> str:
    """A safe file stem from a bundle name: lower-case ``a-z0-9`` and ``-``, at most 60 chars.

    Raises
    ------
    ExplorerError
        Nothing usable is left (e.g. the name is only punctuation).
    """
    stem = _STEM_RE.sub("-", str(name).lower().translate(_FOLD)).strip("-")[:60].strip("-")
    if not stem:
        msg = (f"bundle name {name[:80]!r} gives no usable file name (use letters or digits)")
        raise ExplorerError(msg)
    return stem


# --------------------------------------------------------------------------------------------
# The engine


class Explorer:
    """State of one explorer server: the catalogue, the caches, the worker pool and the jobs.

    Parameters
    ----------
    catalogue_dir : path, optional
        Folder of initiative files; default the shipped catalogue.
    bundles_dir : path, optional
        Where "export as bundle YAML" writes; default the ``bundles/`` folder of the catalogue.
    evaluator : callable, optional
        ``evaluator(ids) -> ScenarioResult``; default
        :func:`mobility.network.evaluate_scenario` on the catalogue (the project's cache).
    workers : int
        Threads of the worker pool.
    weights : str
        Indicator weights of the score (as ``mobility bundle evaluate --weights``).
    """

    def __init__(self, catalogue_dir: str | Path | None = None, *,
                 bundles_dir: str | Path | None = None, evaluator: Evaluator | None = None,
                 workers: int = 2, weights: str = "equal") -> None:
        from .._paths import shipped_dir
        from ..catalogue import read_initiatives

        self.catalogue_dir = Path(catalogue_dir) if catalogue_dir is not None else None
        self.initiatives = read_initiatives(catalogue_dir)
        root = self.catalogue_dir if self.catalogue_dir is not None else shipped_dir(
            "initiatives")
        self.bundles_dir = Path(bundles_dir) if bundles_dir is not None else root / "bundles"
        self.weights = weights
        self._warm_base: Callable[[], Any] | None = None
        if evaluator is None:
            from ..network import evaluate_scenario

            inits = self.initiatives

            def evaluator(ids: Ids) -> Any:
                return evaluate_scenario(ids, initiatives=inits)

            def warm_base() -> Any:
                # builds the base network and skims in this process (an uncached scenario
                # then costs one evaluation, not the base build as well)
                return evaluate_scenario((), initiatives=inits, use_cache=False)

            self._warm_base = warm_base
        self._evaluate = evaluator
        self.workers = max(1, workers)
        self.pool = ThreadPoolExecutor(max_workers=self.workers,
                                       thread_name_prefix="mobility-explore")
        self._closing = threading.Event()
        self._lock = threading.Lock()
        self._scenarios = _LRU(CACHE_SIZE)
        self._bundles = _LRU(CACHE_SIZE)
        self._scenario_flight: dict[Ids, Future[Any]] = {}
        self._bundle_jobs: dict[Ids, Job] = {}
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._optimise_lock = threading.Lock()
        self._tmp = Path(tempfile.mkdtemp(prefix="mobility-explore-"))
        #: number of underlying scenario evaluations per key (for tests and the bench)
        self.evaluations: dict[Ids, int] = {}
        self._cells_geojson: dict[str, Any] | None = None
        self._cell_ids: list[str] | None = None
        self._cell_index: dict[str, int] | None = None
        self.warmup_job: Job | None = None

    # ---- lifecycle

    def close(self) -> None:
        """Stop the worker pool (the warm-up stops after its current scenario; running bundle
        jobs finish) and remove temporary files."""
        self._closing.set()
        self.pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(self._tmp, ignore_errors=True)

    # ---- ids

    def check_ids(self, ids: Iterable[Any]) -> Ids:
        """Sorted unique ids, every one in the catalogue.

        Raises
        ------
        ExplorerError
            Too many ids, a non-integer, or an id that is not in the catalogue.
        """
        raw = list(ids)
        if len(raw) > MAX_IDS:
            msg = f"too many initiative ids ({len(raw)}; at most {MAX_IDS})"
            raise ExplorerError(msg)
        out: set[int] = set()
        unknown = []
        for value in raw:
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                msg = f"initiative ids must be integers, got {str(value)[:40]!r}"
                raise ExplorerError(msg)
            if int(value) not in self.initiatives:
                unknown.append(int(value))
            out.add(int(value))
        if unknown:
            known = sorted(self.initiatives)
            msg = (f"unknown initiative id{'s' if len(unknown) > 1 else ''} "
                   f"{', '.join(map(str, sorted(set(unknown))))} (the catalogue has ids "
                   f"{known[0]}-{known[-1]})")
            raise ExplorerError(msg)
        return tuple(sorted(out))

    def parse_ids_text(self, text: str) -> Ids:
        """Ids from a query string value ``"2,3,12"`` (empty: no ids)."""
        text = (text or "").strip()
        if len(text) > 8 * MAX_IDS:
            msg = f"ids text too long ({len(text)} characters)"
            raise ExplorerError(msg)
        if not text:
            return ()
        if not re.fullmatch(r"\d{1,6}(,\d{1,6})*", text):
            msg = f"ids must be comma-separated integers like 2,3,12; got {text[:40]!r}"
            raise ExplorerError(msg)
        return self.check_ids(int(p) for p in text.split(","))

    # ---- scenarios (single flight)

    def scenario(self, ids: Iterable[int]) -> Any:
        """The scenario result of ``ids``; concurrent callers of one key share one evaluation.

        The first caller evaluates in its own thread (no pool slot is taken, so jobs waiting on
        scenarios cannot deadlock the pool); later callers wait for its future.
        """
        key = tuple(sorted(set(int(i) for i in ids)))
        hit = self._scenarios.get(key)
        if hit is not None:
            return hit
        with self._lock:
            hit = self._scenarios.get(key)
            if hit is not None:
                return hit
            fut = self._scenario_flight.get(key)
            owner = fut is None
            if owner:
                fut = Future()
                self._scenario_flight[key] = fut
        assert fut is not None
        job: Job | None = getattr(_TLS, "job", None)
        if not owner:
            result = fut.result()
            if job is not None:
                job.advance(_ids_label(key))
            return result
        try:
            if job is not None:
                job.step = _ids_label(key)
            with self._lock:
                self.evaluations[key] = self.evaluations.get(key, 0) + 1
            result = self._evaluate(key)
        except BaseException as err:
            with self._lock:
                self._scenario_flight.pop(key, None)
            fut.set_exception(err)
            raise
        self._scenarios.put(key, result)
        with self._lock:
            self._scenario_flight.pop(key, None)
        fut.set_result(result)
        if job is not None:
            job.advance(_ids_label(key))
        return result

    def is_cached(self, ids: Iterable[int]) -> bool:
        key = tuple(sorted(set(ids)))
        return key in self._bundles

    def _needed(self, ids: Ids) -> list[Ids]:
        """Scenarios a bundle evaluation reads (the bundle, every single and its base)."""
        from ..appraisal._network import single_scenario_sets

        keys = {ids} if ids else set()
        keys.update(single_scenario_sets(self.initiatives, self.initiatives))
        return sorted(keys)

    # ---- bundles

    def _bundle_ids(self, ids: Ids) -> Ids:
        """``ids`` with their prerequisites added (the bundle the page shows)."""
        from ..appraisal._util import prerequisite_closure

        out: set[int] = set()
        for i in ids:
            out |= prerequisite_closure(i, self.initiatives)
        return tuple(sorted(out))

    def _evaluate_bundle(self, ids: Ids) -> dict[str, Any]:
        from ..appraisal import Bundle, check_bundle, evaluate_bundle
        from ..appraisal._network import NetworkEffects

        effects = NetworkEffects(self.scenario, self.initiatives)
        t0 = time.perf_counter()
        result = None
        if ids:
            # checked first: its notes (overlaps, conflicts) are then part of the bundle and
            # evaluate_bundle emits no warning (warnings filters are not thread-safe)
            bundle = check_bundle(Bundle(name="+".join(map(str, ids)), initiatives=ids),
                                  self.initiatives, add_prerequisites=True)
            result = evaluate_bundle(bundle, initiatives=self.initiatives,
                                     weights=self.weights, network=False, effects=effects,
                                     add_prerequisites=True)
        scenario = self.scenario(result.initiatives) if result is not None else None
        return {"result": result, "scenario": scenario,
                "seconds": time.perf_counter() - t0}

    def preview(self, ids: Iterable[Any]) -> dict[str, Any]:
        """The catalogue part of a bundle's evaluation, without the network (milliseconds):
        cost, construction CO2, score, warnings; the network figures are None.

        The page shows it at once while the network evaluates the bundle.
        """
        from ..appraisal import Bundle, check_bundle, evaluate_bundle

        key = self._bundle_ids(self.check_ids(ids))
        cached = self._bundles.get(key)
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        t0 = time.perf_counter()
        result = None
        if key:
            bundle = check_bundle(Bundle(name="+".join(map(str, key)), initiatives=key),
                                  self.initiatives, add_prerequisites=True)
            result = evaluate_bundle(bundle, initiatives=self.initiatives, weights=self.weights,
                                     network=False, add_prerequisites=True)
        return {"result": result, "scenario": None, "seconds": time.perf_counter() - t0,
                "complete": False}

    def _run_bundle_job(self, job: Job) -> None:
        _TLS.job = job
        job.state = "running"
        try:
            payload = self._evaluate_bundle(job.ids)
            self._bundles.put(job.ids, payload)
            job.finish(payload)
        except MobilityError as err:
            job.finish(error=str(err))
        except Exception as err:  # a bug: log it, report it, keep serving
            log.exception("bundle evaluation %s failed", job.ids)
            job.finish(error=f"internal error: {type(err).__name__}: {err}")
        finally:
            _TLS.job = None
            with self._lock:
                if self._bundle_jobs.get(job.ids) is job:
                    del self._bundle_jobs[job.ids]

    def bundle_job(self, ids: Iterable[Any]) -> Job:
        """Start (or join) the evaluation of bundle ``ids``; a finished job when cached.

        Prerequisites of the ids are added (the bundle is evaluated with them, and the result
        lists them).
        """
        key = self._bundle_ids(self.check_ids(ids))
        with self._lock:
            running = self._bundle_jobs.get(key)
            if running is not None:
                return running
            job = Job("bundle", key)
            cached = self._bundles.get(key)
            if cached is not None:
                job.state = "running"
                job.finish(cached)
            else:
                job.total = sum(1 for k in self._needed(key) if k not in self._scenarios)
                self._bundle_jobs[key] = job
                self.pool.submit(self._run_bundle_job, job)
            self._remember(job)
        return job

    def bundle(self, ids: Iterable[Any], *, timeout: float | None = None) -> dict[str, Any]:
        """The evaluation of bundle ``ids`` (waits for a running one): ``result`` (a
        :class:`~mobility.appraisal.BundleResult`), ``scenario``, ``seconds``.

        Raises
        ------
        ExplorerError
            Bad ids.
        MobilityError
            The evaluation failed (the message of the library's error).
        TimeoutError
            Not done within ``timeout`` seconds.
        """
        job = self.bundle_job(ids)
        if not job.wait(timeout if timeout is not None else 3600):
            msg = f"evaluation of bundle {_ids_label(job.ids)} is still running"
            raise TimeoutError(msg)
        if job.error:
            if job.error.startswith("internal error"):
                raise RuntimeError(job.error)
            raise MobilityError(job.error)
        return job.result  # type: ignore[no-any-return]

    def job(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def _remember(self, job: Job) -> None:
        self._jobs[job.id] = job
        while len(self._jobs) > MAX_JOBS:
            self._jobs.popitem(last=False)

    # ---- warm-up

    def start_warmup(self) -> Job:
        """Evaluate every single initiative (and its prerequisites' base) in the background.

        A bundle's synergy needs its members' single scenarios; evaluating them once at start
        (from the disk cache when present) makes every later tick cost one scenario.
        """
        job = Job("warmup", ())
        keys = self._needed(())
        job.total = len(keys) + (self._warm_base is not None)

        def run() -> None:
            _TLS.job = job
            job.state = "running"
            try:
                if self._warm_base is not None:
                    job.step = "base"
                    self._warm_base()
                    job.advance("base")
                for key in keys:
                    if self._closing.is_set():
                        job.finish(error="stopped")
                        return
                    self.scenario(key)
                job.finish(None)
            except MobilityError as err:
                job.finish(error=str(err))
            except Exception as err:
                log.exception("warm-up failed")
                job.finish(error=f"internal error: {type(err).__name__}: {err}")
            finally:
                _TLS.job = None

        with self._lock:
            self._remember(job)
        self.warmup_job = job
        self.pool.submit(run)
        return job

    # ---- cells

    def _cells(self) -> tuple[dict[str, Any], list[str], dict[str, int]]:
        if self._cells_geojson is None:
            from ..network import study_zones

            zones = study_zones()[["cell_id", "geometry"]].to_crs(4326)
            feats = []
            for k, (cid, geom) in enumerate(zip(zones["cell_id"], zones.geometry, strict=True)):
                ring = [[round(x, 5), round(y, 5)] for x, y in geom.exterior.coords]
                feats.append({"type": "Feature", "id": k, "properties": {"cell_id": str(cid)},
                              "geometry": {"type": "Polygon", "coordinates": [ring]}})
            ids = [str(c) for c in zones["cell_id"]]
            self._cell_ids = ids
            self._cell_index = {c: k for k, c in enumerate(ids)}
            self._cells_geojson = {"type": "FeatureCollection", "features": feats}
        assert self._cell_ids is not None and self._cell_index is not None
        return self._cells_geojson, self._cell_ids, self._cell_index

    def cells_geojson(self) -> dict[str, Any]:
        """The 1 km cells of the model (WGS84), in the order of :meth:`cell_values`."""
        return self._cells()[0]

    def cell_values(self, payload: Mapping[str, Any]) -> dict[str, list[float | None]]:
        """Per-cell ``accessibility_change_pct`` and ``mean_time_change_min`` of a bundle,
        aligned with :meth:`cells_geojson` (None: no value for that cell; 0 for the empty
        bundle)."""
        import pandas as pd

        _, ids, _ = self._cells()
        n = len(ids)
        scenario = payload.get("scenario")
        zones = getattr(scenario, "zones", None)
        out: dict[str, list[float | None]] = {}
        for col in ("accessibility_change_pct", "mean_time_change_min"):
            values = np.full(n, 0.0 if scenario is None else np.nan)
            if zones is not None and col in zones and "cell_id" in zones:
                pos = pd.Index(ids).get_indexer(zones["cell_id"].astype(str))
                vals = pd.to_numeric(zones[col], errors="coerce").to_numpy(dtype=float)
                keep = pos >= 0
                values[pos[keep]] = vals[keep]
            values = np.round(values, 3) + 0.0  # no -0.0
            out[col] = [None if not np.isfinite(v) else float(v) for v in values.tolist()]
        return out

    # ---- totals

    def totals(self, payload: Mapping[str, Any], requested: Sequence[int]) -> dict[str, Any]:
        """The page's totals for a bundle evaluation (JSON types)."""
        from ..appraisal._util import jsonable, prerequisite_closure

        r = payload.get("result")
        s = payload.get("scenario")
        ids = list(r.initiatives) if r is not None else []
        warnings_out = []
        asked = set(int(i) for i in requested)
        for ident in ids:
            if ident in asked:
                continue
            needed_by = [i for i in sorted(asked)
                         if ident in prerequisite_closure(i, self.initiatives)]
            warnings_out.append({"kind": "prerequisite", "ids": [ident, *needed_by], "text": (
                f"added prerequisite {_label(ident, self.initiatives)} of "
                + ", ".join(_label(i, self.initiatives) for i in needed_by))})
        for note in (r.warnings if r is not None else ()):
            kind = ("prerequisite" if note.startswith("added prerequisite")
                    else "conflict" if " conflicts with " in note
                    else "overlap" if " overlaps with " in note
                    else "network" if "not representable" in note else "other")
            warnings_out.append({"kind": kind, "ids": [], "text": note})
        out = {
            "ids": ids,
            "requested_ids": sorted(set(int(i) for i in requested)),
            "cost_mdkk": r.cost_mdkk if r is not None else 0.0,
            "cost_unknown": list(r.cost_unknown) if r is not None else [],
            "person_minutes_saved_per_day": r.person_minutes_saved_per_day if r else None,
            "extra_pt_trips_per_day": effects_value(s, r, "extra_pt_trips_per_day"),
            "co2_operation_t_per_year_change": effects_value(
                s, r, "co2_operation_t_per_year_change"),
            "co2_construction_t_min": r.co2_construction_t_min if r else None,
            "co2_construction_t_max": r.co2_construction_t_max if r else None,
            "extra_passengers_per_day_catalogue": r.extra_passengers_per_day if r else None,
            "synergy_person_minutes": r.synergy_person_minutes if r else None,
            "municipalities_gaining": list(r.municipalities_gaining) if r else [],
            "score": r.score if r else None,
            "coverage": r.coverage if r else None,
            "npv_mdkk": effects_value(s, r, "npv_mdkk"),
            "bcr": effects_value(s, r, "bcr"),
            "network_excluded": {str(k): v for k, v in (r.network_excluded if r else {}).items()},
            "warnings": warnings_out,
            "seconds": round(float(payload.get("seconds", 0.0)), 3),
            "complete": bool(payload.get("complete", True)),
        }
        return jsonable(out)  # type: ignore[no-any-return]

    # ---- optimiser

    def optimise(self, budget_mdkk: float) -> dict[str, Any]:
        """The optimiser's best bundle for a budget, by the sum of member scores.

        The network is NOT re-evaluated here (``network=False``, ``top=1``): the answer comes in
        milliseconds; the page then evaluates the adopted bundle as usual.
        """
        from ..appraisal import optimise_bundle

        if not np.isfinite(budget_mdkk) or budget_mdkk < 0 or budget_mdkk > 1e7:
            msg = f"budget must be between 0 and 10,000,000 million DKK, got {budget_mdkk!r}"
            raise ExplorerError(msg)
        # serialised: the optimiser redirects file descriptor 1 while HiGHS runs
        with self._optimise_lock:
            res = optimise_bundle(float(budget_mdkk), initiatives=self.initiatives,
                                  weights=self.weights, network=False, top=1,
                                  objective="score")
        return {"budget_mdkk": float(budget_mdkk), "selected": list(res.selected),
                "cost_mdkk": res.cost_mdkk, "score": res.score,
                "left_out_unknown_cost": list(res.left_out_unknown_cost),
                "network_used": False}

    # ---- exports

    def export_bundle(self, name: str, ids: Iterable[Any], *, description: str = "",
                      overwrite: bool = False) -> dict[str, Any]:
        """Write the bundle as a bundle YAML file into the bundles folder.

        The file name is derived from ``name`` by :func:`bundle_file_stem` (never a path from
        the client). Returns ``file`` (the file name), ``initiatives``.

        Raises
        ------
        ExplorerError
            Bad ids or name.
        ExplorerConflict
            The file exists and ``overwrite`` is False.
        """
        from ..appraisal import Bundle, check_bundle

        key = self.check_ids(ids)
        if not key:
            msg = "an empty bundle cannot be saved (tick at least one initiative)"
            raise ExplorerError(msg)
        name = " ".join(str(name).split())[:120]
        stem = bundle_file_stem(name)
        checked = check_bundle(Bundle(name=name, initiatives=key), self.initiatives,
                               add_prerequisites=True)
        text = yaml.safe_dump({
            "name": name,
            "description": " ".join(str(description).split())[:2000]
            or f"Pakke fra mobility explore: {_ids_label(checked.initiatives)}",
            "initiatives": list(checked.initiatives),
        }, allow_unicode=True, sort_keys=False)
        self.bundles_dir.mkdir(parents=True, exist_ok=True)
        target = self.bundles_dir / f"{stem}.yaml"
        if target.resolve().parent != self.bundles_dir.resolve():  # belt and braces
            msg = f"bad bundle file name {stem!r}"
            raise ExplorerError(msg)
        from .._io import write_text

        with self._lock:
            if target.exists() and not overwrite:
                msg = f"bundle file {target.name} exists already (choose another name)"
                raise ExplorerConflict(msg)
            write_text(target, text)
        back = yaml.safe_load(target.read_text(encoding="utf-8"))  # what we wrote reads back
        check_bundle(Bundle(name=back["name"], initiatives=tuple(back["initiatives"])),
                     self.initiatives)
        return {"file": target.name, "initiatives": list(checked.initiatives),
                "warnings": list(checked.warnings)}

    def paper_job(self, name: str, ids: Iterable[Any], *, lang: str = "da") -> Job:
        """Write the decision paper for a bundle with the same code as ``mobility run``.

        Runs :func:`mobility.run.run` into a temporary folder with this bundle as the only
        bundle, in a background job; the Word file is then served by the app.
        """
        if lang not in ("da", "en"):
            msg = f"lang must be 'da' or 'en', got {str(lang)[:10]!r}"
            raise ExplorerError(msg)
        key = self._bundle_ids(self.check_ids(ids))
        if not key:
            msg = "an empty bundle has no decision paper (tick at least one initiative)"
            raise ExplorerError(msg)
        name = " ".join(str(name).split())[:120] or _ids_label(key)
        stem = bundle_file_stem(name)
        job = Job("paper", key)
        job.total = 1

        def run_job() -> None:
            from ..run import run

            _TLS.job = job
            job.state = "running"
            work = self._tmp / job.id
            try:
                work.mkdir(parents=True)
                bundle_file = work / f"{stem}.yaml"
                bundle_file.write_text(yaml.safe_dump(
                    {"name": name, "description": name, "initiatives": list(key)},
                    allow_unicode=True, sort_keys=False), encoding="utf-8")

                def progress(step: str, done: int, total: int) -> None:
                    job.step, job.done, job.total = step, done, max(total, 1)

                run(work / "out", catalogue_dir=self.catalogue_dir, weights=self.weights,
                    bundles=[bundle_file], offline=True, lang=lang, network=self.scenario,
                    progress=progress)
                job.file = work / "out" / "decision-paper.docx"
                paper = "beslutningsnotat" if lang == "da" else "decision-paper"
                job.file_name = f"{stem}-{paper}.docx"
                job.finish(None)
            except MobilityError as err:
                job.finish(error=str(err))
            except Exception as err:
                log.exception("decision paper failed")
                job.finish(error=f"internal error: {type(err).__name__}: {err}")
            finally:
                _TLS.job = None

        with self._lock:
            self._remember(job)
        self.pool.submit(run_job)
        return job


def _label(ident: int, initiatives: Mapping[int, Any]) -> str:
    init = initiatives.get(ident)
    return f"{ident} ({init.name})" if init is not None else str(ident)


def _ids_label(ids: Sequence[int]) -> str:
    return "+".join(map(str, ids)) if ids else "-"
