"""The explorer's web app: a FastAPI app over :class:`~mobility.explore.engine.Explorer`.

The page (``static/index.html`` + ``app.js``) is static: it fetches JSON from the API and
renders it with ``textContent`` (never as HTML). No CORS middleware (cross-origin pages get no
``Access-Control-Allow-Origin``), a Host check against DNS rebinding, request bodies capped at
:data:`MAX_BODY_BYTES` (413), id lists capped at :data:`~mobility.explore.engine.MAX_IDS`.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

from ..errors import MobilityError
from .engine import MAX_IDS, Explorer, ExplorerConflict

__all__ = ["MAX_BODY_BYTES", "create_app"]

log = logging.getLogger(__name__)

#: Largest request body accepted (bytes); larger ones get 413.
MAX_BODY_BYTES = 16_384

STATIC_DIR = Path(__file__).parent / "static"
LEAFLET_DIR = Path(__file__).resolve().parent.parent / "_vendor" / "leaflet"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class _BodyTooLarge(Exception):
    pass


class BodyLimitMiddleware:
    """Reject request bodies over ``limit`` bytes with 413, by Content-Length or as read."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_big = int(value) > self.limit
                except ValueError:
                    too_big = True
                if too_big:
                    await self._reject(send)
                    return
        seen = 0
        started = False
        rejected = False

        async def limited_receive() -> Message:
            nonlocal seen, rejected
            if rejected:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    rejected = True
                    if not started:
                        await self._reject(send)
                    # the app sees a client that went away; its own answer is dropped below
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if rejected:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _BodyTooLarge:  # pragma: no cover - kept for apps that raise it themselves
            if not started:
                await self._reject(send)

    async def _reject(self, send: Send) -> None:
        body = json.dumps({"detail": f"request body too large (at most {self.limit} bytes)"}
                          ).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


# --------------------------------------------------------------------------------------------
# Models (documented in the OpenAPI schema at /docs)


class IdsBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ids: list[int] = Field(max_length=MAX_IDS, description="Initiative ids (order and repeats "
                           "do not matter; prerequisites are added).", examples=[[2, 3]])


class ExportBundleBody(IdsBody):
    name: str = Field(min_length=1, max_length=120,
                      description="Bundle name; the file name is derived from it (a-z, 0-9, -).")
    description: str = Field(default="", max_length=2000)
    overwrite: bool = False


class ExportPaperBody(IdsBody):
    name: str = Field(default="", max_length=120, description="Bundle name in the paper.")
    lang: str = Field(default="da", pattern="^(da|en)$")


class Initiative(BaseModel):
    id: int
    name: str
    name_en: str | None
    theme: str
    cost_mdkk: float | None = Field(description="Cost in million DKK (null: unknown).")
    modelled: bool = Field(description="Represented in the network model.")
    not_modelled_reason: str | None
    prerequisites: list[int]
    conflicts: list[int]
    overlaps: list[int]


class Warning_(BaseModel):
    kind: str = Field(description="prerequisite, conflict, overlap, network or other")
    ids: list[int] = Field(default_factory=list, description="prerequisite: the added id, "
                           "then the ids that need it")
    text: str


class BundleTotals(BaseModel):
    ids: list[int] = Field(description="The bundle evaluated (requested ids + prerequisites).")
    requested_ids: list[int]
    cost_mdkk: float | None
    cost_unknown: list[int]
    person_minutes_saved_per_day: float | None
    extra_pt_trips_per_day: float | None = Field(
        description="From the demand model (null until it exists).")
    co2_operation_t_per_year_change: float | None = Field(
        description="From the demand model (null until it exists); negative = less CO2.")
    co2_construction_t_min: float | None
    co2_construction_t_max: float | None
    extra_passengers_per_day_catalogue: float | None = Field(
        description="Sum of the catalogue's passenger figures (known members only).")
    synergy_person_minutes: float | None
    municipalities_gaining: list[str]
    score: float | None
    coverage: str | None
    npv_mdkk: float | None = Field(description="From the appraisal's CBA (null until it exists).")
    bcr: float | None = Field(description="From the appraisal's CBA (null until it exists).")
    network_excluded: dict[str, str]
    warnings: list[Warning_]
    seconds: float = Field(description="Evaluation time of the bundle (0 when it was cached).")
    complete: bool = Field(description="False for a preview without the network figures.")


class JobStatus(BaseModel):
    job_id: str
    kind: str = Field(description="bundle, warmup or paper")
    ids: list[int]
    state: str = Field(description="queued, running, done or error")
    step: str
    done: int
    total: int
    elapsed_s: float
    error: str | None
    file_name: str | None


class CellValues(BaseModel):
    ids: list[int]
    n: int = Field(description="Number of cells (as in /api/cells.geojson).")
    geometry_etag: str
    accessibility_change_pct: list[float | None]
    mean_time_change_min: list[float | None]


class OptimiseAnswer(BaseModel):
    budget_mdkk: float
    selected: list[int]
    cost_mdkk: float
    score: float
    left_out_unknown_cost: list[int]
    network_used: bool = Field(description="Always false: the explorer's optimiser ranks by "
                               "the sum of member scores without network re-evaluation.")


class ExportedBundle(BaseModel):
    file: str = Field(description="File name written in the bundles folder.")
    initiatives: list[int]
    warnings: list[str]


class ServerStatus(BaseModel):
    warmup: JobStatus | None
    workers: int
    initiatives: int


# --------------------------------------------------------------------------------------------


def _round_coords(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        if value and isinstance(value[0], float):
            return [round(v, 5) for v in value]
        return [_round_coords(v) for v in value]
    return value


def _catalogue_geojson(explorer: Explorer) -> dict[str, Any]:
    import geopandas as gpd
    from shapely.geometry import mapping

    from .. import geodata

    rows = [(i, init) for i, init in explorer.initiatives.items() if init.geom is not None]
    frame = gpd.GeoDataFrame({"id": [i for i, _ in rows]},
                             geometry=[init.geom.simplify(15.0) for _, init in rows],
                             crs=geodata.CRS).to_crs(4326)
    feats = []
    for ident, geom in zip(frame["id"], frame.geometry, strict=True):
        init = explorer.initiatives[int(ident)]
        gj = mapping(geom)
        feats.append({"type": "Feature", "id": int(ident),
                      "properties": {"id": int(ident), "theme": init.theme,
                                     "modelled": _modelled(init)[0]},
                      "geometry": {"type": gj["type"],
                                   "coordinates": _round_coords(gj.get("coordinates"))}
                      if gj["type"] != "GeometryCollection" else gj})
    return {"type": "FeatureCollection", "features": feats}


def _modelled(init: Any) -> tuple[bool, str | None]:
    spec = getattr(init, "network", None)
    if not spec:
        return False, "no network: key in the initiative file"
    if not spec.get("representable", False):
        return False, str(spec.get("reason", "not representable"))
    return True, None


class _Cached:
    """A JSON document built once, kept as bytes and gzip bytes, served with an ETag."""

    def __init__(self, data: Any, media_type: str) -> None:
        self.body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
        self.gzip = gzip.compress(self.body, compresslevel=6, mtime=0)
        self.etag = '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'
        self.media_type = media_type

    def response(self, request: Request) -> Response:
        headers = {"ETag": self.etag, "Cache-Control": "public, max-age=3600",
                   "Vary": "Accept-Encoding"}
        if request.headers.get("if-none-match") == self.etag:
            return Response(status_code=304, headers=headers)
        if "gzip" in request.headers.get("accept-encoding", ""):
            headers["Content-Encoding"] = "gzip"  # the gzip middleware leaves it alone
            return Response(self.gzip, media_type=self.media_type, headers=headers)
        return Response(self.body, media_type=self.media_type, headers=headers)


def create_app(explorer: Explorer | None = None, *, catalogue_dir: str | Path | None = None,
               allowed_hosts: list[str] | None = None, warmup: bool = True) -> FastAPI:
    """The explorer's FastAPI app.

    Parameters
    ----------
    explorer : Explorer, optional
        The engine; default a new one on ``catalogue_dir``. The app closes the engine it made
        when it shuts down.
    allowed_hosts : list of str, optional
        Host headers accepted (default ``127.0.0.1``, ``localhost``, ``[::1]``); others get 400
        (protection against DNS rebinding).
    warmup : bool
        Evaluate every single initiative in the background at start-up.
    """
    own = explorer is None
    ex = explorer if explorer is not None else Explorer(catalogue_dir)
    cache: dict[str, _Cached] = {}

    @asynccontextmanager
    async def lifespan(_app: FastAPI):  # type: ignore[no-untyped-def]
        if warmup and ex.warmup_job is None:
            ex.start_warmup()
        yield
        if own:
            ex.close()

    app = FastAPI(
        title="mobility explore",
        description=("Local API of the bundle explorer: tick initiatives, evaluate the bundle "
                     "with the network model (shared, cached evaluations), compare, export."),
        version="1", docs_url=None, redoc_url=None, lifespan=lifespan,
    )
    app.state.explorer = ex
    # built at start, so that the first page load only sends bytes
    cache["catalogue"] = _Cached(_catalogue_geojson(ex), "application/geo+json")
    cache["cells"] = _Cached(ex.cells_geojson(), "application/geo+json")
    if warmup and ex.warmup_job is None:
        # also when the app is used without its lifespan (e.g. a TestClient outside `with`)
        ex.start_warmup()

    app.add_middleware(GZipMiddleware, minimum_size=2000)
    app.add_middleware(TrustedHostMiddleware,
                       allowed_hosts=allowed_hosts or ["127.0.0.1", "localhost", "[::1]"])
    app.add_middleware(BodyLimitMiddleware, limit=MAX_BODY_BYTES)

    @app.exception_handler(ExplorerConflict)
    async def _conflict(_request: Request, err: ExplorerConflict) -> JSONResponse:
        return JSONResponse({"detail": str(err)}, status_code=409)

    @app.exception_handler(MobilityError)
    async def _bad(_request: Request, err: MobilityError) -> JSONResponse:
        return JSONResponse({"detail": str(err)}, status_code=422)

    @app.exception_handler(TimeoutError)
    async def _timeout(_request: Request, err: TimeoutError) -> JSONResponse:
        return JSONResponse({"detail": str(err)}, status_code=504)

    # ---- page and assets

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html",
                            headers={"Cache-Control": "no-cache",
                                     "Content-Security-Policy": _CSP})

    app.mount("/static/app", StaticFiles(directory=STATIC_DIR), name="app-static")
    app.mount("/static/leaflet", StaticFiles(directory=LEAFLET_DIR), name="leaflet")
    try:
        from swagger_ui_bundle import swagger_ui_path

        app.mount("/static/swagger", StaticFiles(directory=str(swagger_ui_path)),
                  name="swagger")
        has_swagger = True
    except ImportError:  # pragma: no cover - the dependency is declared
        has_swagger = False

    @app.get("/docs", include_in_schema=False)
    def docs() -> Response:
        if not has_swagger:
            return JSONResponse({"detail": "install swagger-ui-bundle-v2 for /docs; the "
                                 "schema is at /openapi.json"}, status_code=404)
        return get_swagger_ui_html(
            openapi_url="/openapi.json", title="mobility explore: API",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/swagger/favicon-32x32.png")

    # ---- catalogue

    @app.get("/api/initiatives", response_model=list[Initiative], tags=["catalogue"])
    def initiatives() -> list[dict[str, Any]]:
        """Every initiative: id, names, theme, cost, whether the network model represents it,
        and its relations (prerequisites, conflicts, overlaps)."""
        out = []
        for ident, init in ex.initiatives.items():
            modelled, reason = _modelled(init)
            out.append({"id": ident, "name": init.name, "name_en": init.name_en,
                        "theme": init.theme, "cost_mdkk": init.cost_mdkk,
                        "modelled": modelled, "not_modelled_reason": reason,
                        "prerequisites": list(init.prerequisites),
                        "conflicts": [r.id for r in init.conflicts],
                        "overlaps": [r.id for r in init.overlaps]})
        return out

    @app.get("/api/catalogue.geojson", tags=["catalogue"],
             responses={200: {"content": {"application/geo+json": {}}}})
    def catalogue_geojson(request: Request) -> Response:
        """Initiative geometries (WGS84, simplified to 15 m); properties id, theme, modelled.
        Cacheable (ETag)."""
        if "catalogue" not in cache:
            cache["catalogue"] = _Cached(_catalogue_geojson(ex), "application/geo+json")
        return cache["catalogue"].response(request)

    @app.get("/api/cells.geojson", tags=["cells"],
             responses={200: {"content": {"application/geo+json": {}}}})
    def cells_geojson(request: Request) -> Response:
        """The model's 1 km cells (WGS84), sent once: feature ``k`` is value ``k`` of
        ``/api/bundle/cells``. Cacheable (ETag)."""
        return _cells(request)

    def _cells(request: Request | None = None) -> Any:
        if "cells" not in cache:
            cache["cells"] = _Cached(ex.cells_geojson(), "application/geo+json")
        return cache["cells"] if request is None else cache["cells"].response(request)

    # ---- bundles

    @app.post("/api/bundle", response_model=BundleTotals, tags=["bundle"],
              responses={422: {"description": "Unknown or bad ids"}})
    def bundle(body: IdsBody) -> dict[str, Any]:
        """Evaluate a bundle (waits; concurrent requests for the same ids share one
        evaluation) and return its totals."""
        payload = ex.bundle(body.ids)
        return ex.totals(payload, body.ids)

    @app.post("/api/bundle/preview", response_model=BundleTotals, tags=["bundle"],
              responses={422: {"description": "Unknown or bad ids"}})
    def bundle_preview(body: IdsBody) -> dict[str, Any]:
        """The bundle's catalogue figures at once (cost, construction CO2, score, warnings)
        without waiting for the network; the network figures are null and ``complete`` is
        false unless the bundle is cached."""
        return ex.totals(ex.preview(body.ids), body.ids)

    @app.post("/api/jobs", response_model=JobStatus, tags=["bundle"])
    def start_job(body: IdsBody) -> dict[str, Any]:
        """Start (or join) the evaluation of a bundle without waiting; poll
        ``/api/jobs/{job_id}``. A cached bundle's job is ``done`` at once."""
        return ex.bundle_job(body.ids).status()

    @app.get("/api/jobs/{job_id}", response_model=JobStatus, tags=["bundle"])
    def job_status(
        job_id: Annotated[str, PathParam(pattern="^[0-9a-f]{32}$")],
        wait_s: Annotated[float, Query(ge=0, le=5, description="Wait up to this long for the "
                                       "job to finish (long poll).")] = 0.0,
    ) -> Any:
        """Progress of a job: ``done`` of ``total`` scenario evaluations, the current step."""
        job = ex.job(job_id)
        if job is None:
            return JSONResponse({"detail": f"no job {job_id}"}, status_code=404)
        if wait_s > 0:
            job.wait(wait_s)
        return job.status()

    @app.get("/api/bundle/cells", tags=["cells"],
             responses={200: {"model": CellValues}, 422: {"description": "Bad ids"}})
    def bundle_cells(
        ids: Annotated[str, Query(max_length=8 * MAX_IDS,
                                  description="Comma-separated ids, e.g. 2,3")] = "",
    ) -> Response:
        """Per-cell values of a bundle (accessibility change in percent, mean change of
        generalised travel minutes), aligned with ``/api/cells.geojson``."""
        key = ex.parse_ids_text(ids)
        payload = ex.bundle(key)
        values = ex.cell_values(payload)
        r = payload.get("result")
        data = {"ids": list(r.initiatives) if r is not None else [],
                "n": len(values["accessibility_change_pct"]),
                "geometry_etag": _cells().etag.strip('"'), **values}
        return Response(json.dumps(data, separators=(",", ":")).encode(),
                        media_type="application/json")

    @app.get("/api/optimise", response_model=OptimiseAnswer, tags=["bundle"])
    def optimise(budget_mdkk: Annotated[float, Query(ge=0, le=1e7)]) -> dict[str, Any]:
        """The optimiser's best bundle within a budget (sum of member scores; no network
        re-evaluation, so it answers in milliseconds)."""
        return ex.optimise(budget_mdkk)

    # ---- exports

    @app.post("/api/export/bundle", response_model=ExportedBundle, tags=["export"],
              responses={409: {"description": "A bundle file of that name exists"}})
    def export_bundle(body: ExportBundleBody) -> dict[str, Any]:
        """Save the bundle as a bundle YAML in the configured bundles folder; the file name is
        derived from the name (the client never sends paths)."""
        return ex.export_bundle(body.name, body.ids, description=body.description,
                                overwrite=body.overwrite)

    @app.post("/api/export/paper", response_model=JobStatus, tags=["export"])
    def export_paper(body: ExportPaperBody) -> dict[str, Any]:
        """Start writing the decision paper (Word) for the bundle with the code of
        ``mobility run``; poll the job, then download from ``/api/export/paper/{job_id}``."""
        return ex.paper_job(body.name, body.ids, lang=body.lang).status()

    @app.get("/api/export/paper/{job_id}", tags=["export"],
             responses={200: {"content": {"application/vnd.openxmlformats-officedocument."
                                          "wordprocessingml.document": {}}}})
    def download_paper(job_id: Annotated[str, PathParam(pattern="^[0-9a-f]{32}$")]) -> Any:
        """The decision paper of a finished paper job."""
        job = ex.job(job_id)
        if job is None or job.kind != "paper":
            return JSONResponse({"detail": f"no paper job {job_id}"}, status_code=404)
        if job.state != "done" or job.file is None or not job.file.is_file():
            return JSONResponse({"detail": f"paper job {job_id} is {job.state}"},
                                status_code=409)
        return FileResponse(job.file, filename=job.file_name or "decision-paper.docx",
                            media_type="application/vnd.openxmlformats-officedocument."
                                       "wordprocessingml.document")

    @app.get("/api/status", response_model=ServerStatus, tags=["catalogue"])
    def status() -> dict[str, Any]:
        """Warm-up progress and server facts."""
        w = ex.warmup_job
        return {"warmup": w.status() if w is not None else None,
                "workers": ex.workers, "initiatives": len(ex.initiatives)}

    return app


#: The page loads only its own scripts and styles; data goes in as text.
_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'")
