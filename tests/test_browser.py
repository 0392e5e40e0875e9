"""Real-browser tests: headless Chromium opens each offline map with networking disabled.

Each map must load without JavaScript errors and draw the expected number of features
(SVG paths and numbered badges, counted by CSS class). Screenshots are kept under
``test-artifacts/`` (git-ignored). Skipped when ``/usr/bin/chromium`` is absent.
"""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from pathlib import Path

import pytest

from mobility.catalogue import read_initiatives
from mobility.outputs import maps

from .test_maps import fake_scenario

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
DATA_DIR = Path(__file__).parent / "data"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

if not CHROMIUM.exists():
    pytest.skip(f"headless Chromium not installed ({CHROMIUM} is absent)",
                allow_module_level=True)

_PROBE = """
<script>
window.__errors = [];
window.addEventListener('error', function (e) { window.__errors.push(String(e.message)); });
</script>
"""
_COUNT = """
<script>
setTimeout(function () {
  var counts = {};
  document.querySelectorAll('.leaflet-pane path, .leaflet-marker-icon').forEach(function (el) {
    (el.getAttribute('class') || '').split(/\\s+/).forEach(function (c) {
      if (c.indexOf('mob-') === 0) { counts[c] = (counts[c] || 0) + 1; }
    });
  });
  function shown(el) {
    var r = el.getBoundingClientRect();
    return getComputedStyle(el).display !== 'none' && r.width > 0 && r.height > 0;
  }
  function texts(sel) {
    return Array.prototype.map.call(document.querySelectorAll(sel),
                                    function (el) { return el.textContent; });
  }
  var labels = Array.prototype.filter.call(document.querySelectorAll('.mob-label'), shown);
  var overlap = [];
  document.querySelectorAll('.leaflet-control-scale').forEach(function (sc) {
    var a = sc.getBoundingClientRect();
    document.querySelectorAll('.leaflet-control, .mob-box').forEach(function (o) {
      if (o === sc || o.contains(sc)) { return; }
      var b = o.getBoundingClientRect();
      if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) {
        overlap.push(o.className);
      }
    });
  });
  var sync = null;
  if (window.mobilityMaps) {
    var a = window.mobilityMaps[0], b = window.mobilityMaps[1];
    var before = b.getCenter();
    a.setView([55.70, 12.30], 11, {animate: false});
    var after = b.getCenter();
    b.setView([55.90, 12.50], 10, {animate: false});
    sync = {before: [before.lat, before.lng], after: [after.lat, after.lng],
            zoom: b.getZoom(), back: [a.getCenter().lat, a.getCenter().lng, a.getZoom()]};
  }
  var search = null, input = document.querySelector('.mob-search input');
  if (input) {
    input.value = '2';
    input.dispatchEvent(new Event('input'));
    search = {dimmed: document.querySelectorAll('.mob-dim').length,
              note: document.querySelector('.mob-search .mob-note').textContent};
    input.value = '';
    input.dispatchEvent(new Event('input'));
  }
  var out = document.createElement('pre');
  out.id = 'mobility-probe';
  out.textContent = JSON.stringify({counts: counts, errors: window.__errors,
                                    leaflet: typeof L !== 'undefined',
                                    labels: labels.map(function (el) { return el.textContent; }),
                                    legends: texts('.mob-legend'), ticks: texts('.mob-ticks'),
                                    scales: document.querySelectorAll(
                                      '.leaflet-control-scale-line').length,
                                    scale_overlaps: overlap, sync: sync, search: search,
                                    overlays: texts('.leaflet-control-layers-overlays label'),
                                    land: document.querySelectorAll('path.mob-land').length});
  document.body.appendChild(out);
}, 1500);
</script>
"""


def _chromium(args, tmp):
    base = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", f"--user-data-dir={tmp}", "--proxy-server=127.0.0.1:9",
            "--host-resolver-rules=MAP * ~NOTFOUND", "--window-size=1400,900",
            "--virtual-time-budget=5000"]
    return subprocess.run(base + args, capture_output=True, text=True, timeout=120, check=False)


def _open(page: str, name: str):
    """Load ``page`` from a file, return the probe's result; keep a screenshot."""
    ARTIFACTS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        html = Path(tmp) / f"{name}.html"
        probed = page.replace("<head>", "<head>" + _PROBE, 1).replace("</body>",
                                                                       _COUNT + "</body>", 1)
        html.write_text(probed, encoding="utf-8")
        dom = _chromium(["--dump-dom", html.as_uri()], Path(tmp) / "profile1")
        (ARTIFACTS / f"{name}.html").write_text(page, encoding="utf-8")
        _chromium([f"--screenshot={ARTIFACTS / (name + '.png')}", html.as_uri()],
                  Path(tmp) / "profile2")
    match = re.search(r'<pre id="mobility-probe">(.*?)</pre>', dom.stdout, re.S)
    assert match, f"probe did not run; stderr: {dom.stderr[-2000:]}"
    return json.loads(match.group(1).replace("&quot;", '"').replace("&amp;", "&"))


def _check(m, name, *, legend_words=()):
    """Open the map offline; common checks; returns the probe for map-specific ones."""
    page = maps.render_html(m, offline=True)
    probe = _open(page, name)
    assert probe["leaflet"], "Leaflet did not load"
    assert probe["errors"] == []
    expected = {k: v for k, v in maps.expected_paths(m).items() if k.startswith("mob-")}
    assert expected
    assert {k: probe["counts"].get(k, 0) for k in expected} == expected
    assert (ARTIFACTS / f"{name}.png").stat().st_size > 10_000
    # the basemap: land of all 99 Danish municipalities, per map on the page
    n_maps = 2 if getattr(m, "_mobility_partner", None) is not None else 1
    assert probe["land"] == 99 * n_maps
    # permanent municipality labels at the opening zoom
    assert len(probe["labels"]) >= 20 * n_maps
    assert "Hillerød" in probe["labels"] or "HILLERØD" in probe["labels"]
    # a scale bar per map, not covered by another control (e.g. the attribution)
    assert probe["scales"] == n_maps
    assert probe["scale_overlaps"] == []
    # a legend on every map, naming what the colours mean
    assert len(probe["legends"]) >= n_maps
    for word in legend_words:
        assert all(word in text for text in probe["legends"]), (word, probe["legends"])
    return probe


@pytest.fixture(scope="module")
def inits():
    return read_initiatives(DATA_DIR / "catalogue_ok")


def test_catalogue_map_in_browser(inits):
    _check(maps.catalogue_map(inits, tiles=None), "browser-catalogue")


def test_shipped_catalogue_map_in_browser():
    _check(maps.catalogue_map(tiles=None), "browser-catalogue-shipped")


def test_score_map_in_browser(inits):
    import pandas as pd

    scores = pd.DataFrame({"score": [2.4, 2.8, 3.75, 1.0], "rank": [3, 2, 1, 4],
                           "low_coverage": [False, False, True, False]},
                          index=[1, 2, 3, 4])
    probe = _check(maps.score_map(scores, inits, tiles=None), "browser-score",
                   legend_words=["Score (0–5", "lav dækning"])
    # the search box filters: "2" matches initiative 2 only, the others are dimmed
    assert probe["search"]["note"].startswith("1 ")
    assert probe["search"]["dimmed"] >= 3


def test_accessibility_maps_share_one_scale_in_browser(inits):
    a, b = fake_scenario(), fake_scenario(scale=3.0)
    span = maps.shared_span([a, b])
    ticks = []
    for k, (res, ids) in enumerate(((a, [1, 2]), (b, [3, 4]))):
        m = maps.accessibility_map(res, [inits[i] for i in ids], tiles=None, span=span,
                                   not_modelled={ids[0]: "test reason"})
        probe = _check(m, f"browser-accessibility-{k + 1}",
                       legend_words=["turvægtet gennemsnit", "min.", "ikke modelleret"])
        ticks.append(probe["ticks"])
        assert probe["counts"].get("mob-not-modelled") == 1
        assert probe["counts"].get("mob-cell", 0) > 0
    assert ticks[0] == ticks[1]
    assert ticks[0][0].split()[0].replace("−", "-").startswith("-")


def test_bundle_dual_map_in_browser(inits):
    bundles = [{"name": "A", "initiatives": [1, 2], "cost_mdkk": 4900, "score": 2.5},
               {"name": "B", "initiatives": [3, 4], "cost_mdkk": 15, "score": 1.0,
                "network_excluded": {"4": "not representable"}}]
    m = maps.bundle_comparison_map(bundles, inits, tiles=None,
                                   incidence={"A": fake_scenario().municipalities})
    probe = _check(m, "browser-bundles", legend_words=["personminutter sparet pr. døgn"])
    sync = probe["sync"]
    assert sync is not None, "the two maps are not linked"
    assert sync["after"] == pytest.approx([55.70, 12.30], abs=1e-6)
    assert sync["before"] != pytest.approx(sync["after"], abs=1e-3)
    assert sync["back"] == pytest.approx([55.90, 12.50, 10], abs=1e-6)
    # each side's layer list offers every bundle
    assert sum("A" in o for o in probe["overlays"]) == 2
    assert probe["counts"].get("mob-not-modelled") == 1  # B is open on the right map only


def test_online_map_keeps_land_when_tiles_fail(inits):
    """Online mode with the network blocked: the tiles fail, the land fill and overlays stay."""
    m = maps.catalogue_map(inits)  # default tiles
    page = maps.render_html(m)
    assert "L.tileLayer(" in page and "Esri" in page
    probe = _open(page, "browser-online-tiles-fail")
    assert probe["errors"] == []
    assert probe["land"] == 99
    expected = {k: v for k, v in maps.expected_paths(m).items() if k.startswith("mob-")}
    assert {k: probe["counts"].get(k, 0) for k in expected} == expected


@pytest.mark.slow
def test_every_map_of_a_run_in_browser(tmp_path):
    """The main job's own map pages (no network model: catalogue, score, bundles), offline."""
    from mobility.run import run

    out = tmp_path / "out"
    run(out, offline=True, network=False, lang="da")
    pages = sorted(out.glob("*.html"))
    names = {p.name for p in pages}
    assert {"catalogue.html", "score.html", "bundles.html"} <= names
    for page in pages:
        if page.name == "index.html":
            continue
        probe = _open(page.read_text(encoding="utf-8"), f"run-{page.stem}")
        assert probe["leaflet"] and probe["errors"] == [], page.name
        assert probe["land"] >= 99 and probe["scales"] >= 1 and not probe["scale_overlaps"]
        assert probe["legends"], page.name
        assert any(lab.upper() == "HILLERØD" for lab in probe["labels"]), page.name
    assert _open((out / "bundles.html").read_text(encoding="utf-8"),
                 "run-bundles")["sync"] is not None
