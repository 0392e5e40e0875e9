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

from mobility.outputs import maps
from mobility.catalogue import read_initiatives

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
  var out = document.createElement('pre');
  out.id = 'mobility-probe';
  out.textContent = JSON.stringify({counts: counts, errors: window.__errors,
                                    leaflet: typeof L !== 'undefined'});
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


def _check(m, name):
    page = maps.render_html(m, offline=True)
    probe = _open(page, name)
    assert probe["leaflet"], "Leaflet did not load"
    assert probe["errors"] == []
    expected = {k: v for k, v in maps.expected_paths(m).items() if k.startswith("mob-")}
    assert expected
    assert {k: probe["counts"].get(k, 0) for k in expected} == expected
    assert (ARTIFACTS / f"{name}.png").stat().st_size > 10_000


@pytest.fixture(scope="module")
def inits():
    return read_initiatives(DATA_DIR / "catalogue_ok")


def test_catalogue_map_in_browser(inits):
    _check(maps.catalogue_map(inits, tiles=None), "browser-catalogue")


def test_shipped_catalogue_map_in_browser():
    _check(maps.catalogue_map(tiles=None), "browser-catalogue-shipped")


def test_score_map_in_browser(inits):
    import pandas as pd

    scores = pd.DataFrame({"score": [2.4, 2.8, 3.75, 1.0], "rank": [3, 2, 1, 4]},
                          index=[1, 2, 3, 4])
    _check(maps.score_map(scores, inits, tiles=None), "browser-score")


def test_accessibility_map_in_browser(inits):
    _check(maps.accessibility_map(fake_scenario(), [inits[1], inits[2]], tiles=None),
           "browser-accessibility")


def test_bundle_map_in_browser(inits):
    bundles = [{"name": "A", "initiatives": [1, 2], "cost_mdkk": 4900, "score": 2.5},
               {"name": "B", "initiatives": [3, 4], "cost_mdkk": 15, "score": 1.0}]
    m = maps.bundle_comparison_map(bundles, inits, tiles=None,
                                   incidence={"A": fake_scenario().municipalities})
    _check(m, "browser-bundles")
