"""``mobility bench explore``: drive the explorer's API on 127.0.0.1 as the page does.

A real uvicorn server on 127.0.0.1 and an ephemeral port, a real HTTP client (httpx, gzip as
a browser would ask for it), the real network engine with a fresh temporary scenario cache (so
that "uncached" means computed). Measured, in this order:

1. first page load on a cold server: the page, its script and styles, Leaflet, the initiative
   list, the catalogue geometry and the cell geometry (fetched one after the other, as a
   conservative stand-in for the browser's parallel fetches), then warm reloads;
2. the warm-up (base network + every single initiative), which the page shows as progress;
3. ticking initiatives one by one: each tick is a new, uncached bundle; measured from the job
   request to the totals and the cell values, as the page does (job, long-poll, totals, cells);
4. the same bundles again (cached).

Figures are printed, never asserted.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["format_report", "run_benchmark"]

PAGE_ASSETS = ("/", "/static/app/app.js", "/static/app/app.css", "/static/leaflet/leaflet.js",
               "/static/leaflet/leaflet.css")
PAGE_DATA = ("/api/initiatives", "/api/catalogue.geojson", "/api/cells.geojson")
#: the page's long-poll wait (app.js POLL_WAIT_S)
POLL_WAIT_S = 0.5

_PREVIEW: list[float] = []  # time to the catalogue figures of uncached ticks


@contextmanager
def _env(name: str, value: str) -> Iterator[None]:
    old = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = old


@contextmanager
def _server(explorer: Any) -> Iterator[str]:
    import uvicorn

    from .app import create_app

    app = create_app(explorer)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            msg = "the explorer's server did not start"
            raise RuntimeError(msg)
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


def _load_page(client: Any) -> tuple[float, dict[str, tuple[int, int]]]:
    sizes: dict[str, tuple[int, int]] = {}
    t0 = time.perf_counter()
    for url in PAGE_ASSETS + PAGE_DATA:
        r = client.get(url)
        r.raise_for_status()
        sizes[url] = (len(r.content), r.num_bytes_downloaded)
    return time.perf_counter() - t0, sizes


def _tick(client: Any, ids: list[int]) -> tuple[float, bool, dict[str, Any], int, int]:
    """One tick as the page does it: job, (preview,) long-poll, then totals and cells."""
    t0 = time.perf_counter()
    st = client.post("/api/jobs", json={"ids": ids}).json()
    cached = st["state"] == "done"
    if not cached:
        client.post("/api/bundle/preview", json={"ids": ids}).raise_for_status()
        _PREVIEW.append(time.perf_counter() - t0)
    for _ in range(2000):  # bounded: at most ~1000 s of long polls
        if st["state"] in ("done", "error"):
            break
        st = client.get(f"/api/jobs/{st['job_id']}", params={"wait_s": POLL_WAIT_S}).json()
    if st["state"] != "done":
        msg = f"bundle {ids} did not finish: {st}"
        raise RuntimeError(msg)
    totals = client.post("/api/bundle", json={"ids": ids})
    totals.raise_for_status()
    cells = client.get("/api/bundle/cells", params={"ids": ",".join(map(str, ids))})
    cells.raise_for_status()
    return (time.perf_counter() - t0, cached, totals.json(), len(cells.content),
            cells.num_bytes_downloaded)


def run_benchmark(*, ticks: int = 8, repeat: int = 5, cache_dir: str | None = None,
                  catalogue_dir: str | None = None, seed: int = 13,
                  evaluator: Any = None) -> dict[str, Any]:
    """Run the benchmark and return its figures (seconds, bytes).

    ``evaluator`` replaces the network engine (tests); default the real one.
    """
    import httpx

    from .engine import Explorer

    tmp = None
    if cache_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="mobility-bench-explore-")
        cache_dir = tmp.name
    out: dict[str, Any] = {"cache_dir": "temporary (fresh)" if tmp else str(cache_dir),
                           "cpus": os.cpu_count(), "load_before": _load()}
    try:
        with _env("MOBILITY_CACHE_DIR", cache_dir):
            from ..network import clear_cache

            clear_cache()  # no scenario from this process's memory
            t0 = time.perf_counter()
            explorer = Explorer(catalogue_dir, bundles_dir=Path(cache_dir) / "bundles",
                                evaluator=evaluator)
            out["engine_start_s"] = time.perf_counter() - t0
            try:
                with _server(explorer) as url, httpx.Client(base_url=url, timeout=600) as c:
                    first, sizes = _load_page(c)
                    out["page_load_first_s"] = first
                    out["page_load_warm_s"] = statistics.median(
                        _load_page(c)[0] for _ in range(repeat))
                    out["sizes"] = {k: {"bytes": v[0], "wire_bytes": v[1]}
                                    for k, v in sizes.items()}
                    job = explorer.warmup_job
                    assert job is not None
                    job.wait(3600)
                    out["warmup_s"] = (job.finished or time.perf_counter()) - job.started
                    out["warmup_scenarios"] = job.total
                    modelled = [i for i, init in explorer.initiatives.items()
                                if (init.network or {}).get("representable")]
                    random.Random(seed).shuffle(modelled)
                    bundles = [sorted(modelled[:k]) for k in range(2, min(ticks, len(modelled))
                                                                    + 2)]
                    uncached = []
                    _PREVIEW.clear()
                    for ids in bundles:
                        dt, was_cached, totals, n_bytes, wire = _tick(c, ids)
                        uncached.append({"ids": totals["ids"], "s": dt, "cached": was_cached,
                                         "evaluation_s": totals["seconds"]})
                    out["values_bytes"] = n_bytes
                    out["values_wire_bytes"] = wire
                    out["ticks"] = uncached
                    times = [u["s"] for u in uncached if not u["cached"]]
                    out["tick_uncached_median_s"] = statistics.median(times) if times else None
                    out["tick_uncached_max_s"] = max(times) if times else None
                    out["preview_median_s"] = statistics.median(_PREVIEW) if _PREVIEW else None
                    cached = [_tick(c, ids)[0] for _ in range(repeat) for ids in bundles]
                    out["tick_cached_median_s"] = statistics.median(cached)
                    out["tick_cached_max_s"] = max(cached)
            finally:
                explorer.close()
    finally:
        if tmp is not None:
            tmp.cleanup()
    out["load_after"] = _load()
    page = sum(v["bytes"] for k, v in out["sizes"].items() if k in PAGE_ASSETS)
    page_wire = sum(v["wire_bytes"] for k, v in out["sizes"].items() if k in PAGE_ASSETS)
    out["page_bytes"], out["page_wire_bytes"] = page, page_wire
    return out


def format_report(res: dict[str, Any]) -> str:
    """The benchmark's figures as text, with the issue's targets."""
    def kb(n: int) -> str:
        return f"{n / 1024:,.0f} KB"

    s = res["sizes"]
    lines = [
        f"scenario cache: {res['cache_dir']}; {res['cpus']} CPUs, load average "
        f"{res['load_before']} before, {res['load_after']} after (other processes share them)",
        f"first page load (cold server, 8 requests): {res['page_load_first_s']:.3f} s "
        f"(target <= 1 s); warm reload median {res['page_load_warm_s']:.3f} s",
        f"warm-up (base network + {res['warmup_scenarios'] - 1} single scenarios): "
        f"{res['warmup_s']:.1f} s (shown as progress in the page; from the disk cache later)",
        f"tick into an uncached bundle (job + totals + cells): median "
        f"{_s(res['tick_uncached_median_s'])}, max {_s(res['tick_uncached_max_s'])} "
        f"over {sum(not t['cached'] for t in res['ticks'])} ticks (target <= 2 s)",
        f"  of which the catalogue figures (preview) appear after: median "
        f"{_s(res.get('preview_median_s'))}",
        f"cached bundle (totals + cells): median {res['tick_cached_median_s'] * 1000:.0f} ms, "
        f"max {res['tick_cached_max_s'] * 1000:.0f} ms (target <= 200 ms)",
        "payloads (decoded / on the wire with gzip):",
        f"  page (html, js, css, Leaflet): {kb(res['page_bytes'])} / "
        f"{kb(res['page_wire_bytes'])}",
        f"  initiatives: {kb(s['/api/initiatives']['bytes'])} / "
        f"{kb(s['/api/initiatives']['wire_bytes'])}",
        f"  catalogue geometry: {kb(s['/api/catalogue.geojson']['bytes'])} / "
        f"{kb(s['/api/catalogue.geojson']['wire_bytes'])}",
        f"  cells geometry (once): {kb(s['/api/cells.geojson']['bytes'])} / "
        f"{kb(s['/api/cells.geojson']['wire_bytes'])}",
        f"  cell values per tick: {kb(res['values_bytes'])} / {kb(res['values_wire_bytes'])}",
        "ticks:",
    ]
    for t in res["ticks"]:
        lines.append(f"  {'+'.join(map(str, t['ids'])):<28} {t['s']:.3f} s"
                     f"{' (cached)' if t['cached'] else ''}")
    return "\n".join(lines)


def _load() -> str:
    try:
        return "/".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover - not on this platform
        return "n/a"


def _s(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.3f} s"
