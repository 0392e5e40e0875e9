"""Real-browser test of the explorer: Selenium drives Debian's headless Chromium against a real
uvicorn server on 127.0.0.1 (ephemeral port).

It loads the page, ticks two initiatives, waits for the totals, checks them against the
library's :func:`mobility.appraisal.evaluate_bundle` for the same ids (the code behind
``mobility bundle evaluate --json``), checks that the 1 km cell layer is drawn (SVG paths, some
filled), saves A and B and checks the side-by-side maps, and keeps screenshots under
``test-artifacts/``. Run with the fake network (fast) and with the real network engine (slow:
the warm-up evaluates every single initiative in a fresh cache).
"""

from __future__ import annotations

import math
import re
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
selenium = pytest.importorskip("selenium")

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from mobility.appraisal import evaluate_bundle  # noqa: E402
from mobility.explore import Explorer, create_app  # noqa: E402

from .explore_support import FakeExplorerNetwork  # noqa: E402

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
    pytest.skip("headless Chromium and chromedriver not installed (/usr/bin/chromium, "
                "/usr/bin/chromedriver)", allow_module_level=True)


class _Server:
    """uvicorn serving the explorer in a thread on 127.0.0.1 and a free port."""

    def __init__(self, explorer: Explorer) -> None:
        import uvicorn

        app = create_app(explorer)
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0,
                                                    log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(30)


def _driver() -> webdriver.Chrome:
    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1500,950", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-sync",
                # nothing but the local server is reachable
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=opts)


@pytest.fixture(params=["fake", pytest.param("real", marks=pytest.mark.slow)])
def site(request, catalogue, tmp_path):
    evaluator = FakeExplorerNetwork(catalogue, n_cells=400) if request.param == "fake" else None
    ex = Explorer(evaluator=evaluator, bundles_dir=tmp_path / "bundles")
    network = evaluator if evaluator is not None else True
    try:
        with _Server(ex) as url:
            yield request.param, url, ex, network
    finally:
        ex.close()


def _wait(driver, condition, timeout=120):
    from selenium.common.exceptions import TimeoutException

    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.1).until(condition)
    except TimeoutException:
        info = driver.execute_script(
            "return [document.body.dataset.state, document.body.dataset.evaluated, "
            "document.getElementById('progress').textContent, "
            "document.getElementById('status').textContent]")
        pytest.fail(f"page did not get there: {info}; log: {driver.get_log('browser')}")


def _state(driver) -> str:
    return driver.execute_script("return document.body.dataset.state || ''")


def _cli_evaluate(tmp_path: Path, ids: list[int]) -> dict:
    """``mobility bundle evaluate FILE --json`` for a bundle file of ``ids``."""
    import json

    from click.testing import CliRunner

    from mobility.cli import cli

    f = tmp_path / "ticked.yaml"
    f.write_text(f"name: ticked\ndescription: the ticked ids\ninitiatives: {ids}\n",
                 encoding="utf-8")
    out = CliRunner().invoke(cli, ["bundle", "evaluate", str(f), "--json"])
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)


def test_tick_two_initiatives_and_compare(site, catalogue, tmp_path):
    kind, url, ex, network = site
    ARTIFACTS.mkdir(exist_ok=True)
    assert ex.warmup_job is not None
    driver = _driver()
    try:
        driver.get(url + "/")
        _wait(driver, lambda d: _state(d) == "ready"
              and d.find_elements(By.CSS_SELECTOR, "#list input[type=checkbox]"))
        assert driver.find_element(By.TAG_NAME, "h1").text == "Pakke-udforsker"
        n_paths = driver.execute_script(
            "return document.querySelectorAll('#map path.mob-cell').length")
        assert n_paths == 3017  # every cell drawn once from the geometry endpoint
        # not-modelled initiatives are marked
        badge = driver.find_element(By.CSS_SELECTOR, "#list li[data-id='9'] .badge.nm")
        assert badge.text == "ikke modelleret"
        ex.warmup_job.wait(900)  # the real network: singles first (as a user would wait)

        for ident in (2, 3):
            driver.find_element(By.ID, f"cb-{ident}").click()
        _wait(driver, lambda d: d.execute_script(
            "return document.body.dataset.evaluated") == "2,3" and _state(d) == "ready")

        def value(key: str) -> float:
            raw = driver.find_element(By.CSS_SELECTOR, f"#t-{key} td.v").get_attribute(
                "data-value")
            assert raw is not None, key
            return float(raw)

        lib = evaluate_bundle([2, 3], initiatives=catalogue, network=network)
        if kind == "real":  # and the command line, for the same ids
            cli = _cli_evaluate(tmp_path, [2, 3])
            assert cli["cost_mdkk"] == lib.cost_mdkk
            assert cli["person_minutes_saved_per_day"] == pytest.approx(
                lib.person_minutes_saved_per_day, rel=1e-9)
        assert value("cost_mdkk") == pytest.approx(lib.cost_mdkk)
        assert value("person_minutes_saved_per_day") == pytest.approx(
            lib.person_minutes_saved_per_day, rel=1e-9)
        assert value("score") == pytest.approx(lib.score)
        shown = driver.find_element(By.CSS_SELECTOR, "#t-person_minutes_saved_per_day td.v")
        assert shown.text.replace(".", "") == f"{lib.person_minutes_saved_per_day:.0f}"
        if kind == "real":  # the demand model's extra PT trips of the bundle's scenario
            from mobility.network import evaluate_scenario

            extra = evaluate_scenario([2, 3], initiatives=catalogue).effects[
                "extra_pt_trips_per_day"]
            assert value("extra_pt_trips_per_day") == pytest.approx(extra, rel=1e-6)
        else:  # the fake engine has no demand model
            assert "ikke beregnet endnu" in driver.find_element(
                By.CSS_SELECTOR, "#t-extra_pt_trips_per_day td.v").text
        filled = driver.execute_script(
            "return Array.from(document.querySelectorAll('#map path.mob-cell'))"
            ".filter(p => Number(p.getAttribute('fill-opacity')) > 0).length")
        assert filled > 0
        legend = driver.find_element(By.ID, "legend").text
        assert "Tilgængelighed" in legend
        driver.save_screenshot(str(ARTIFACTS / f"explore-{kind}-two-ticked.png"))

        # save A, add 13 (brings its prerequisite 12), save B, compare side by side
        driver.find_element(By.ID, "saveA").click()
        driver.find_element(By.ID, "cb-13").click()
        if kind == "real":  # an uncached bundle shows its progress while it is evaluated
            _wait(driver, lambda d: "Beregner" in d.find_element(By.ID, "progress").text, 30)
            driver.save_screenshot(str(ARTIFACTS / f"explore-{kind}-progress.png"))
        _wait(driver, lambda d: d.execute_script(
            "return document.body.dataset.evaluated") == "2,3,13" and _state(d) == "ready")
        checked = driver.execute_script(
            "return Array.from(document.querySelectorAll('#list input:checked'))"
            ".map(c => Number(c.dataset.id))")
        assert checked == [2, 3, 12, 13]
        warnings = driver.find_element(By.ID, "warnings").text
        assert "tilføjet forudsætningen 12" in warnings
        driver.find_element(By.ID, "saveB").click()
        _wait(driver, lambda d: d.find_element(By.ID, "compareView").is_displayed())
        counts = driver.execute_script(
            "return ['mapA','mapB'].map(id => document.querySelectorAll('#' + id + "
            "' path.mob-cell').length)")
        assert counts == [3017, 3017]
        # one shared colour scale, ending at the 99th percentile (nearest rank) of both
        # bundles' absolute non-zero cell changes; beyond it the legend says ">="
        changes = sorted(abs(v) for key in ((2, 3), (2, 3, 12, 13))
                         for v in ex.cell_values(ex._bundles.get(key))["accessibility_change_pct"]
                         if v)
        end = changes[max(0, math.ceil(0.99 * len(changes)) - 1)] if changes else 1.0
        cmp_legend = driver.find_element(By.ID, "cmpLegend").text
        shown_end = re.search(r"\+([0-9.,]+) \(", cmp_legend)
        assert shown_end is not None, cmp_legend
        assert float(shown_end.group(1).replace(".", "").replace(",", ".")) == pytest.approx(
            end, abs=0.006)
        assert ("\u2265" in cmp_legend) == (bool(changes) and changes[-1] > end)
        rows = driver.find_elements(By.CSS_SELECTOR, "#cmpTable tbody tr")
        assert len(rows) >= 10
        cost_row = driver.find_element(By.CSS_SELECTOR, "#cmpTable tbody tr:nth-child(2)")
        lib_b = evaluate_bundle([2, 3, 12, 13], initiatives=catalogue, network=network)
        diff = cost_row.find_elements(By.TAG_NAME, "td")[3].text
        assert diff.replace(".", "") == f"+{lib_b.cost_mdkk - lib.cost_mdkk:.0f}"
        driver.execute_script("document.getElementById('compareView').scrollIntoView()")
        time.sleep(0.5)
        driver.save_screenshot(str(ARTIFACTS / f"explore-{kind}-compare.png"))

        # export the current bundle as a bundle file, named by the user
        driver.find_element(By.ID, "bname").send_keys("Metro og BRT")
        driver.find_element(By.ID, "saveYaml").click()
        _wait(driver, lambda d: "Gemt som" in d.find_element(By.ID, "exportMsg").text, 30)
        assert "metro-og-brt.yaml" in driver.find_element(By.ID, "exportMsg").text
        saved = (ex.bundles_dir / "metro-og-brt.yaml").read_text(encoding="utf-8")
        assert "initiatives:" in saved and "- 13" in saved

        # search box and theme filter
        search = driver.find_element(By.ID, "search")
        search.send_keys("metro")
        visible = driver.execute_script(
            "return Array.from(document.querySelectorAll('#list li'))"
            ".filter(li => !li.hidden).map(li => Number(li.dataset.id))")
        assert visible == [i for i, x in catalogue.items() if "metro" in x.name.lower()
                           or "metro" in (x.name_en or "").lower()]
        search.clear()
        search.send_keys(" ")  # an input event with an empty query
        from selenium.webdriver.support.select import Select

        Select(driver.find_element(By.ID, "theme")).select_by_value("cycling")
        visible = driver.execute_script(
            "return Array.from(document.querySelectorAll('#list li'))"
            ".filter(li => !li.hidden).map(li => Number(li.dataset.id))")
        assert visible == [i for i, x in catalogue.items() if x.theme == "cycling"]
        Select(driver.find_element(By.ID, "theme")).select_by_value("")

        # budget slider -> optimiser -> adopt
        opt = driver.find_element(By.ID, "opt")
        _wait(driver, lambda d: "Valgt" in opt.text, 30)
        chosen = [int(x) for x in opt.text.split("\n")[0].split(":")[1].split(",")]
        driver.find_element(By.ID, "adopt").click()
        want = ",".join(map(str, sorted(chosen)))
        _wait(driver, lambda d: d.execute_script(
            "return document.body.dataset.evaluated") == want and _state(d) == "ready", 600)
        assert driver.execute_script("return window.location.hash").startswith("#ids=")
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == []

        # a bundle in the address is evaluated on load
        driver.get(url + "/?lang=da#ids=2,3")
        _wait(driver, lambda d: d.execute_script(
            "return document.body.dataset.evaluated") == "2,3" and _state(d) == "ready")

        driver.get(url + "/?lang=en")
        _wait(driver, lambda d: _state(d) == "ready"
              and d.find_elements(By.CSS_SELECTOR, "#list input[type=checkbox]"))
        assert driver.find_element(By.TAG_NAME, "h1").text == "Bundle explorer"
        assert "not modelled" in driver.find_element(
            By.CSS_SELECTOR, "#list li[data-id='9'] .badge.nm").text
        driver.save_screenshot(str(ARTIFACTS / f"explore-{kind}-english.png"))

        # the API docs render offline (Swagger UI served by the app, no CDN)
        driver.get(url + "/docs")
        _wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, ".opblock")) >= 10, 30)
        assert [e for e in driver.get_log("browser") if e["level"] == "SEVERE"] == []
        driver.save_screenshot(str(ARTIFACTS / f"explore-{kind}-docs.png"))
    finally:
        driver.quit()
