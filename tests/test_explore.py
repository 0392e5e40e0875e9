"""The explorer's API through FastAPI's TestClient: catalogue, bundles, cells, jobs, optimiser,
exports, bad input, safety (CORS, body size, host) and shared concurrent evaluations.

The network engine is the deterministic fake of ``explore_support`` (the real engine is used by
the browser test and ``mobility bench explore``).
"""

from __future__ import annotations

import threading

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi.testclient import TestClient

from mobility.appraisal import evaluate_bundle, optimise_bundle, read_bundle
from mobility.explore import Explorer, bundle_file_stem, create_app
from mobility.explore.app import MAX_BODY_BYTES
from mobility.explore.engine import ExplorerError, effects_value

from .explore_support import FakeExplorerNetwork

HOST = "testserver"


def _client(explorer: Explorer, **kw) -> TestClient:
    return TestClient(create_app(explorer, allowed_hosts=[HOST], **kw))


@pytest.fixture(scope="module")
def fake(catalogue):
    return FakeExplorerNetwork(catalogue)


@pytest.fixture(scope="module")
def explorer(catalogue, fake, tmp_path_factory):
    ex = Explorer(evaluator=fake, bundles_dir=tmp_path_factory.mktemp("bundles"))
    yield ex
    ex.close()


@pytest.fixture(scope="module")
def client(explorer):
    with _client(explorer) as c:
        explorer.warmup_job.wait(60)
        yield c


# ---------------------------------------------------------------------------- catalogue


def test_initiatives_lists_the_catalogue_with_modelled_flags(client, catalogue):
    r = client.get("/api/initiatives")
    assert r.status_code == 200
    data = r.json()
    assert [d["id"] for d in data] == sorted(catalogue)
    by_id = {d["id"]: d for d in data}
    for ident, init in catalogue.items():
        d = by_id[ident]
        assert {"id", "name", "theme", "cost_mdkk", "modelled"} <= set(d)
        assert d["name"] == init.name and d["theme"] == init.theme
        assert d["cost_mdkk"] == init.cost_mdkk
        assert d["modelled"] == bool((init.network or {}).get("representable"))
    assert by_id[9]["modelled"] is False and by_id[9]["not_modelled_reason"]
    assert by_id[13]["prerequisites"] == [12]


def test_catalogue_geojson_has_every_geometry_in_wgs84(client, catalogue):
    r = client.get("/api/catalogue.geojson")
    assert r.status_code == 200
    feats = r.json()["features"]
    assert {f["id"] for f in feats} == {i for i, x in catalogue.items() if x.geom is not None}
    lon, lat = _first_coord(feats[0]["geometry"]["coordinates"])
    assert 11 < lon < 13.5 and 55 < lat < 56.5


def _first_coord(coords):
    while isinstance(coords[0], list):
        coords = coords[0]
    return coords


def test_cells_geometry_is_sent_once_and_cacheable(client, fake):
    r = client.get("/api/cells.geojson")
    assert r.status_code == 200
    feats = r.json()["features"]
    assert len(feats) == 3017  # the model's zones
    assert [f["id"] for f in feats[:3]] == [0, 1, 2]
    assert feats[0]["properties"]["cell_id"] == fake.cell_ids[0]
    etag = r.headers["etag"]
    assert "max-age" in r.headers["cache-control"]
    again = client.get("/api/cells.geojson", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""


# ---------------------------------------------------------------------------- bundles


def test_bundle_totals_match_the_library(client, catalogue, fake):
    r = client.post("/api/bundle", json={"ids": [3, 2]})
    assert r.status_code == 200
    t = r.json()
    lib = evaluate_bundle([2, 3], initiatives=catalogue, network=fake)
    assert t["ids"] == [2, 3]
    assert t["cost_mdkk"] == pytest.approx(lib.cost_mdkk) == 3300
    assert t["person_minutes_saved_per_day"] == pytest.approx(lib.person_minutes_saved_per_day)
    assert t["person_minutes_saved_per_day"] == pytest.approx(500.0)
    assert t["score"] == pytest.approx(lib.score)
    assert t["coverage"] == lib.coverage
    # the fake engine has no demand model effects; the CBA comes from the bundle's own result
    assert t["extra_pt_trips_per_day"] is None
    assert lib.cba is not None and lib.cba["npv_mdkk"] is not None
    assert t["npv_mdkk"] == pytest.approx(lib.cba["npv_mdkk"])
    assert t["bcr"] == pytest.approx(lib.cba["bcr"])
    assert t["warnings"] == []


def test_prerequisite_and_overlap_warnings(client):
    t = client.post("/api/bundle", json={"ids": [4, 13]}).json()
    assert t["ids"] == [4, 12, 13] and t["requested_ids"] == [4, 13]
    kinds = {w["kind"]: w["text"] for w in t["warnings"]}
    assert "added prerequisite 12" in kinds["prerequisite"]
    assert "overlaps with" in kinds["overlap"]


def test_not_modelled_member_is_reported(client):
    t = client.post("/api/bundle", json={"ids": [2, 9]}).json()
    assert t["network_excluded"] == {"9": "not representable (fake)"}
    assert any(w["kind"] == "network" for w in t["warnings"])


def test_empty_bundle(client):
    t = client.post("/api/bundle", json={"ids": []}).json()
    assert t["ids"] == [] and t["cost_mdkk"] == 0
    cells = client.get("/api/bundle/cells?ids=").json()
    assert set(cells["accessibility_change_pct"]) == {0.0}


def test_cell_values_are_aligned_with_the_geometry(client, fake):
    geo = client.get("/api/cells.geojson").json()["features"]
    r = client.get("/api/bundle/cells", params={"ids": "2,3"})
    assert r.status_code == 200
    v = r.json()
    assert v["ids"] == [2, 3] and v["n"] == len(geo)
    assert len(v["accessibility_change_pct"]) == len(v["mean_time_change_min"]) == len(geo)
    pos = {f["properties"]["cell_id"]: f["id"] for f in geo}
    for cid in fake.cell_ids:
        assert v["accessibility_change_pct"][pos[cid]] == pytest.approx(0.5)
        assert v["mean_time_change_min"][pos[cid]] == pytest.approx(-0.5)
    other = next(k for c, k in pos.items() if c not in fake.cell_ids)
    assert v["accessibility_change_pct"][other] is None  # no value, not a false zero


def test_effects_light_up_through_the_adapter(catalogue, tmp_path):
    net = FakeExplorerNetwork(catalogue, effects=True)
    ex = Explorer(evaluator=net, bundles_dir=tmp_path)
    try:
        with _client(ex, warmup=False) as c:
            t = c.post("/api/bundle", json={"ids": [2, 3]}).json()
    finally:
        ex.close()
    assert t["extra_pt_trips_per_day"] == pytest.approx(50.0)
    assert t["co2_operation_t_per_year_change"] == pytest.approx(-5.0)


def test_effects_value_reads_scenario_effects_then_bundle_cba():
    class S:
        def __init__(self):
            self.effects = {"extra_pt_trips_per_day": 12, "x": float("nan")}

    class B:
        def __init__(self):
            self.npv_mdkk = 3.5
            self.cba = {"bcr": 1.7}

    assert effects_value(S(), B(), "extra_pt_trips_per_day") == 12.0
    assert effects_value(S(), B(), "npv_mdkk") == 3.5
    assert effects_value(S(), B(), "bcr") == 1.7
    assert effects_value(S(), B(), "x") is None
    assert effects_value(object(), None, "npv_mdkk") is None


# ---------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(("body", "needle"), [
    ({"ids": [99]}, "unknown initiative id 99"),
    ({"ids": [2, 0, 77]}, "unknown initiative ids 0, 77"),
    ({"ids": ["x"]}, "ids"),
    ({"ids": list(range(1, 102))}, "ids"),
    ({"ids": [2], "path": "/etc/passwd"}, "path"),
    ({}, "ids"),
])
def test_bad_ids_get_422_with_a_clear_message(client, body, needle):
    r = client.post("/api/bundle", json=body)
    assert r.status_code == 422
    assert needle in str(r.json()["detail"])


@pytest.mark.parametrize(("ids", "needle"), [
    ("99", "unknown initiative id 99"),
    ("2,,3", "comma-separated"),
    ("../etc", "comma-separated"),
    ("2;3", "comma-separated"),
])
def test_bad_cell_ids_get_422(client, ids, needle):
    r = client.get("/api/bundle/cells", params={"ids": ids})
    assert r.status_code == 422
    assert needle in r.json()["detail"]


def test_jobs_bad_and_unknown_ids(client):
    assert client.get("/api/jobs/..%2F..%2Fetc").status_code in (404, 422)
    assert client.get("/api/jobs/not-a-job").status_code == 422
    assert client.get("/api/jobs/" + "0" * 32).status_code == 404


def test_large_bodies_get_413(client):
    big = {"ids": [2], "pad": "x" * (MAX_BODY_BYTES + 10)}
    r = client.post("/api/bundle", json=big)
    assert r.status_code == 413
    r = client.post("/api/bundle", content=b"{}", headers={"Content-Length": "999999999",
                                                          "Content-Type": "application/json"})
    assert r.status_code == 413


def test_chunked_large_body_gets_413(client):
    def chunks():
        for _ in range(40):
            yield b" " * 1024

    r = client.post("/api/bundle", content=chunks(),
                    headers={"Content-Type": "application/json"})
    assert r.status_code == 413


def test_cors_is_closed(client):
    pre = client.options("/api/bundle", headers={
        "Origin": "http://evil.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert "access-control-allow-origin" not in {k.lower() for k in pre.headers}
    r = client.get("/api/initiatives", headers={"Origin": "http://evil.example"})
    assert r.status_code == 200
    assert "access-control-allow-origin" not in {k.lower() for k in r.headers}


def test_foreign_host_header_is_refused(client):
    r = client.get("/api/initiatives", headers={"Host": "evil.example"})
    assert r.status_code == 400


def test_form_posts_are_not_json(client):
    # a cross-site HTML form can send text/plain without a preflight: it must not be accepted
    r = client.post("/api/export/bundle", content=b'{"name":"x","ids":[2]}',
                    headers={"Content-Type": "text/plain"})
    assert r.status_code == 422


# ---------------------------------------------------------------------------- concurrency


def test_two_concurrent_requests_share_one_evaluation(catalogue, tmp_path):
    net = FakeExplorerNetwork(catalogue, delay_s={(1, 5): 0.8})
    ex = Explorer(evaluator=net, bundles_dir=tmp_path)
    try:
        with _client(ex) as c:
            assert ex.warmup_job.wait(60)
            results, errors = [], []
            barrier = threading.Barrier(2)

            def post():
                try:
                    barrier.wait()
                    results.append(c.post("/api/bundle", json={"ids": [5, 1]}))
                except Exception as err:  # pragma: no cover - reported below
                    errors.append(err)

            threads = [threading.Thread(target=post) for _ in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(30)
    finally:
        ex.close()
    assert not errors
    assert [r.status_code for r in results] == [200, 200]
    assert results[0].json()["person_minutes_saved_per_day"] == pytest.approx(600.0)
    assert results[0].json() == results[1].json()
    assert net.calls[(1, 5)] == 1
    assert ex.evaluations[(1, 5)] == 1


def test_job_progress_and_long_poll(catalogue, tmp_path):
    net = FakeExplorerNetwork(catalogue, delay_s={(2, 6): 0.5})
    ex = Explorer(evaluator=net, bundles_dir=tmp_path)
    try:
        with _client(ex) as c:
            assert ex.warmup_job.wait(60)
            st = c.post("/api/jobs", json={"ids": [6, 2]}).json()
            assert st["state"] in ("queued", "running") and st["ids"] == [2, 6]
            assert st["total"] >= 1
            # a second request joins the same job
            assert c.post("/api/jobs", json={"ids": [2, 6]}).json()["job_id"] == st["job_id"]
            done = c.get(f"/api/jobs/{st['job_id']}", params={"wait_s": 5}).json()
            assert done["state"] == "done" and done["done"] == done["total"] >= 1
            again = c.post("/api/jobs", json={"ids": [2, 6]}).json()
            assert again["state"] == "done"  # cached: done at once
    finally:
        ex.close()
    assert net.calls[(2, 6)] == 1


# ---------------------------------------------------------------------------- optimiser


def test_optimiser_for_a_budget(client, catalogue):
    r = client.get("/api/optimise", params={"budget_mdkk": 5000})
    assert r.status_code == 200
    o = r.json()
    lib = optimise_bundle(5000, initiatives=catalogue, network=False, top=1,
                          objective="score")
    assert o["selected"] == list(lib.selected)
    assert o["cost_mdkk"] <= 5000 and o["network_used"] is False
    assert client.get("/api/optimise", params={"budget_mdkk": -1}).status_code == 422
    assert client.get("/api/optimise", params={"budget_mdkk": "nan"}).status_code == 422


# ---------------------------------------------------------------------------- exports


def test_export_bundle_writes_a_valid_bundle_file(client, explorer, catalogue):
    r = client.post("/api/export/bundle", json={"name": "../../Min pakke: Øst/Vest",
                                                "ids": [13, 2]})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["file"] == "min-pakke-oest-vest.yaml"
    path = explorer.bundles_dir / out["file"]
    assert path.is_file() and path.parent == explorer.bundles_dir
    b = read_bundle(path, catalogue)
    assert b.initiatives == (2, 13, 12) or sorted(b.initiatives) == [2, 12, 13]
    assert b.name == "../../Min pakke: Øst/Vest"
    r2 = client.post("/api/export/bundle", json={"name": "min pakke øst vest", "ids": [2]})
    assert r2.status_code == 409 and "exists already" in r2.json()["detail"]
    r3 = client.post("/api/export/bundle", json={"name": "min pakke øst vest", "ids": [2],
                                                 "overwrite": True})
    assert r3.status_code == 200
    assert read_bundle(path, catalogue).initiatives == (2,)


@pytest.mark.parametrize(("name", "ids", "status"), [
    ("!!!", [2], 422), ("ok", [], 422), ("ok", [99], 422), ("", [2], 422),
])
def test_export_bundle_bad_input(client, name, ids, status):
    r = client.post("/api/export/bundle", json={"name": name, "ids": ids})
    assert r.status_code == status
    assert isinstance(r.json()["detail"], (str, list))


@pytest.mark.parametrize(("name", "stem"), [
    ("BRT-nettet", "brt-nettet"), ("Metro + P&R (2030)", "metro-p-r-2030"),
    ("../../etc/passwd", "etc-passwd"), ("Æblø Å", "aebloe-aa"), ("x" * 200, "x" * 60),
])
def test_bundle_file_stem(name, stem):
    assert bundle_file_stem(name) == stem


def test_bundle_file_stem_refuses_names_without_letters():
    with pytest.raises(ExplorerError, match="no usable file name"):
        bundle_file_stem("../..")


@pytest.mark.slow
def test_export_paper_uses_the_run_output_code(client):
    st = client.post("/api/export/paper", json={"name": "Test", "ids": [2, 3]}).json()
    assert st["kind"] == "paper"
    done = st
    for _ in range(60):
        done = client.get(f"/api/jobs/{st['job_id']}", params={"wait_s": 5}).json()
        if done["state"] in ("done", "error"):
            break
    assert done["state"] == "done", done
    r = client.get(f"/api/export/paper/{st['job_id']}")
    assert r.status_code == 200
    assert r.content[:2] == b"PK"  # a .docx is a zip
    assert "test-beslutningsnotat.docx" in r.headers["content-disposition"]
    import io

    import docx

    doc = docx.Document(io.BytesIO(r.content))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "Test" in cells  # the bundle table of the paper has the explorer's bundle


# ---------------------------------------------------------------------------- page and docs


def test_page_and_assets_are_local(client):
    r = client.get("/")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert "script-src 'self'" in r.headers["content-security-policy"]
    for url in ("/static/app/app.js", "/static/app/app.css", "/static/leaflet/leaflet.js",
                "/static/leaflet/leaflet.css"):
        assert client.get(url).status_code == 200, url
    page = r.text + client.get("/static/app/app.js").text
    assert "http://" not in page and "https://" not in page  # no CDN, no remote resource
    js = client.get("/static/app/app.js").text
    assert ".innerHTML" not in js  # data goes in as text
    assert client.get("/static/app/../app.py").status_code == 404


def test_docs_work_offline(client):
    r = client.get("/docs")
    assert r.status_code == 200
    assert "/static/swagger/swagger-ui-bundle.js" in r.text
    assert "cdn" not in r.text.lower() and "https://" not in r.text
    assert client.get("/static/swagger/swagger-ui-bundle.js").status_code == 200
    assert client.get("/static/swagger/swagger-ui.css").status_code == 200
    schema = client.get("/openapi.json").json()
    for path in ("/api/initiatives", "/api/bundle", "/api/bundle/cells", "/api/optimise",
                 "/api/export/bundle", "/api/cells.geojson"):
        assert path in schema["paths"], path
    props = schema["components"]["schemas"]["BundleTotals"]["properties"]
    for key in ("ids", "cost_mdkk", "person_minutes_saved_per_day", "extra_pt_trips_per_day",
                "score", "npv_mdkk", "warnings"):
        assert key in props


def test_cli_registers_explore():
    from click.testing import CliRunner

    from mobility.cli import cli

    out = CliRunner().invoke(cli, ["explore", "--help"])
    assert out.exit_code == 0 and "--host" in out.output and "127.0.0.1" in out.output
    out = CliRunner().invoke(cli, ["bench", "explore", "--help"])
    assert out.exit_code == 0


def test_status_reports_warmup(client):
    s = client.get("/api/status").json()
    assert s["warmup"]["state"] == "done" and s["initiatives"] == 33


def test_other_catalogue(tmp_path):
    from mobility.catalogue import read_initiatives

    from .conftest import DATA_DIR

    folder = DATA_DIR / "catalogue_ok"
    net = FakeExplorerNetwork(read_initiatives(folder))
    ex = Explorer(folder, evaluator=net)
    try:
        assert ex.bundles_dir == folder / "bundles"
        with _client(ex, warmup=False) as c:
            ids = [d["id"] for d in c.get("/api/initiatives").json()]
            assert len(ids) == 4
            assert c.post("/api/bundle", json={"ids": ids[:1]}).status_code == 200
            r = c.post("/api/bundle", json={"ids": [max(ids) + 1]})
            assert r.status_code == 422
    finally:
        ex.close()


def test_close_stops_the_warmup(catalogue, tmp_path):
    slow = {(i,): 0.2 for i in catalogue}
    net = FakeExplorerNetwork(catalogue, delay_s=slow)
    ex = Explorer(evaluator=net, bundles_dir=tmp_path)
    job = ex.start_warmup()
    for _ in range(400):  # until the first single is done (bounded)
        if job.done >= 1:
            break
        job.wait(0.05)
    ex.close()
    assert job.state == "error" and job.error == "stopped"
    assert sum(net.calls.values()) < len(catalogue)


def test_scenario_single_flight(catalogue, tmp_path):
    net = FakeExplorerNetwork(catalogue, delay_s={(3, 4): 0.8})
    ex = Explorer(evaluator=net, bundles_dir=tmp_path)
    try:
        barrier = threading.Barrier(3)
        out = []

        def get():
            barrier.wait()
            out.append(ex.scenario([4, 3, 3]))

        threads = [threading.Thread(target=get) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    finally:
        ex.close()
    assert len(out) == 3 and out[0] is out[1] is out[2]
    assert net.calls[(3, 4)] == 1


def test_failed_evaluation_is_not_cached(catalogue, tmp_path):
    from mobility.errors import NetworkError

    calls = []

    def broken(ids):
        calls.append(ids)
        msg = "edit cannot be applied (test)"
        raise NetworkError(msg)

    ex = Explorer(evaluator=broken, bundles_dir=tmp_path)
    try:
        with _client(ex, warmup=False) as c:
            r = c.post("/api/bundle", json={"ids": [2]})
            assert r.status_code == 422 and "edit cannot be applied" in r.json()["detail"]
            n = len(calls)
            r = c.post("/api/bundle", json={"ids": [2]})
            assert r.status_code == 422 and len(calls) > n  # tried again, not cached
    finally:
        ex.close()


def test_preview_gives_the_catalogue_figures_without_the_network(catalogue, tmp_path):
    net = FakeExplorerNetwork(catalogue)
    ex = Explorer(evaluator=net, bundles_dir=tmp_path)
    try:
        with _client(ex, warmup=False) as c:
            p = c.post("/api/bundle/preview", json={"ids": [13]}).json()
            assert net.calls == {}  # no scenario evaluated
            assert p["complete"] is False and p["ids"] == [12, 13]
            assert p["cost_mdkk"] == 19000
            assert p["person_minutes_saved_per_day"] is None
            assert p["warnings"][0]["kind"] == "prerequisite"
            full = c.post("/api/bundle", json={"ids": [13]}).json()
            assert full["complete"] is True and full["cost_mdkk"] == p["cost_mdkk"]
            assert full["person_minutes_saved_per_day"] == pytest.approx(2500.0)
            # once evaluated, the preview is the full answer
            assert c.post("/api/bundle/preview", json={"ids": [13]}).json() == full
            assert c.post("/api/bundle/preview", json={"ids": [0]}).status_code == 422
    finally:
        ex.close()


def test_bench_drives_the_api_over_http(catalogue):
    from mobility.explore.bench import format_report, run_benchmark

    net = FakeExplorerNetwork(catalogue)
    res = run_benchmark(ticks=3, repeat=1, evaluator=net)
    assert [len(t["ids"]) for t in res["ticks"]] == [2, 3, 4]
    assert not any(t["cached"] for t in res["ticks"])  # every tick a new bundle
    assert all(net.calls[tuple(t["ids"])] == 1 for t in res["ticks"])
    assert res["sizes"]["/api/cells.geojson"]["bytes"] > res["values_bytes"] > 0
    assert res["sizes"]["/api/cells.geojson"]["wire_bytes"] < res["sizes"][
        "/api/cells.geojson"]["bytes"]  # gzip
    text = format_report(res)
    for needle in ("first page load", "tick into an uncached bundle", "cached bundle",
                   "cells geometry (once)", "cell values per tick"):
        assert needle in text
