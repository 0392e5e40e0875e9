"""Issue 12 deliverables: CLI output per language, catalogue show, Excel print setup,
the shared colour scale of accessibility maps, the bundle map from the view, index details."""

from __future__ import annotations

import io
import math
import re
from types import SimpleNamespace

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from mobility.appraisal import score_initiatives
from mobility.catalogue import read_initiatives
from mobility.cli import cli
from mobility.outputs import maps, tables
from mobility.outputs.index import index_html
from mobility.outputs.view import BundleRow, build_view

from .test_maps import fake_scenario


@pytest.fixture(scope="module")
def shipped():
    return read_initiatives()


def _run(*args: str) -> str:
    res = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res.output


# --------------------------------------------------------------------------------------------
# CLI


def test_catalogue_list_uses_danish_numbers() -> None:
    out = _run("catalogue", "list")
    assert "3.600" in out and "3,600" not in out
    assert "25.000" in out
    en = _run("catalogue", "list", "--lang", "en")
    assert "3,600" in en and "3.600" not in en


def test_catalogue_show_prints_every_field(shipped) -> None:
    out = _run("catalogue", "show", "13")
    init = shipped[13]
    # the 16.000 daily passengers the popup shows, in Danish format
    assert "Daglige passagerer: 16.000" in out
    assert "8.000 mio. kr." in out and "8,000" not in out
    assert "90.000–140.000 t" in out
    # prerequisites as a list of ids, not a Python list
    assert "Forudsætter indsats: 12" in out and "[12]" not in out
    # the theme line ends without a stray separator
    theme_line = next(line for line in out.splitlines() if line.startswith("Kollektiv trafik"))
    assert not theme_line.rstrip().endswith("·")
    assert "side 19" in theme_line
    # every field the catalogue has for 13
    for value in (init.name_en, init.travel_time.text, init.socioeconomics.text.split()[0],
                  *init.end_stations, init.sources[0], "skematisk", "Overlapper 4"):
        assert value in out, value
    for key, reason in init.rating_texts.items():
        assert reason.split()[0] in out, key
    assert init.caveats[0].split()[0] in out


def test_catalogue_show_in_english_has_no_danish_labels() -> None:
    out = _run("catalogue", "show", "19", "--lang", "en")
    assert "Construction cost: 2,500 DKK m" in out
    assert "schematic" in out and "skematisk" not in out
    assert "not modelled" in out
    for danish in ("Anlæg:", "Pejlemærker", "Kilde:", "Forudsætter", "mio. kr. "):
        assert danish not in out, danish


def test_help_texts_are_not_cut() -> None:
    out = _run("--help")
    commands = out.split("Commands:")[1]
    # click cuts a description with "..." at its end; every entry here ends a sentence
    assert not re.search(r"\.\.\.\s*$", commands, re.M)
    assert "Write all standard maps, tables and charts plus index.html into" in commands
    sub = _run("catalogue", "--help").split("Commands:")[1]
    assert not re.search(r"\.\.\.\s*$", sub, re.M)


def test_network_scenario_csv_is_rounded(tmp_path) -> None:
    path = tmp_path / "m.csv"
    _run("network", "scenario", "--with", "8", "--output", str(path))
    frame = pd.read_csv(path)
    text = path.read_text(encoding="utf-8")
    decimals = [len(x.split(".")[1]) for x in re.findall(r"-?\d+\.\d+", text)]
    assert decimals and max(decimals) <= 3
    assert frame["person_minutes_saved_per_day"].dtype.kind == "i"


# --------------------------------------------------------------------------------------------
# Excel


def test_excel_print_setup_and_numeric_codes(shipped) -> None:
    scores = score_initiatives(shipped, network=False)
    inc = pd.DataFrame({"person_minutes_saved_per_day": [10.0, 20.0]}, index=[101, 147])
    tabs = [tables.ranking_table(scores, shipped), tables.incidence_table({"A": inc})]
    wb = openpyxl.load_workbook(io.BytesIO(tables.to_xlsx(tabs)))
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape"
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.print_title_rows == "$1:$1"
    codes = [c.value for c in wb.worksheets[1]["A"][1:] if c.value is not None]
    codes = [c for c in codes if not isinstance(c, str) or c.isdigit()]
    assert codes and all(isinstance(c, int) for c in codes[:35])


def test_excel_greys_low_coverage_rows(shipped) -> None:
    scores = score_initiatives(shipped, network=False)
    low = scores.index[scores["low_coverage"].astype(bool)]
    assert len(low)
    tab = tables.ranking_table(scores, shipped)
    assert tab.muted_rows
    ws = openpyxl.load_workbook(io.BytesIO(tables.to_xlsx([tab]))).active
    for pos in tab.muted_rows:
        assert ws.cell(row=pos + 2, column=2).font.color.rgb.endswith("999999")
    ranges = " ".join(str(r.sqref) for r in ws.conditional_formatting)
    score_col = "D"
    for pos in tab.muted_rows:  # never painted by the colour scale
        cell = f"{score_col}{pos + 2}"
        assert not any(_in_range(cell, part) for part in ranges.split())


def _in_range(cell: str, rng: str) -> bool:
    col, row = re.match(r"([A-Z]+)(\d+)", cell).groups()
    a, _, b = rng.partition(":")
    (c1, r1), (c2, r2) = (re.match(r"([A-Z]+)(\d+)", x).groups() for x in (a, b or a))
    return c1 <= col <= c2 and int(r1) <= int(row) <= int(r2)


# --------------------------------------------------------------------------------------------
# Maps


def test_shared_span_covers_all_bundles_and_is_round() -> None:
    a, b = fake_scenario(), fake_scenario(scale=3.0)
    own_a, both = maps.shared_span([a]), maps.shared_span([a, b])
    assert both > own_a
    assert both >= 0.9 * float(b.zones["mean_time_change_min"].abs().quantile(0.98))
    mantissa = both / 10 ** math.floor(math.log10(both))
    assert round(mantissa, 6) in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8)


def test_run_maps_share_one_scale_and_use_view_rows(tmp_path, shipped) -> None:
    results = {(1,): fake_scenario(), (2,): fake_scenario(scale=4.0)}
    rows = tuple(
        BundleRow(key=f"b{k}", name=f"Bundle {k}", initiatives=ids, cost_mdkk=1.0, score=1.0,
                  person_minutes_saved_per_day=1.0, synergy_person_minutes=0.0,
                  municipalities_gaining=1, warnings=(), evaluation={},
                  not_modelled={ids[0]: "reason"} if k == 1 else {})
        for k, ids in enumerate(results))
    view = SimpleNamespace(lang="en", tiles=None, offline=True, bundle_rows=rows,
                           initiatives=shipped,
                           effects=SimpleNamespace(scenario=lambda ids: results[tuple(ids)]))
    maps.render(view, tmp_path, part="bundles")
    pages = [(tmp_path / f"accessibility-b{k}.html").read_text(encoding="utf-8")
             for k in range(2)]
    ticks = [re.search(r'mob-ticks\\">(.*?)<\\/div>', p).group(1) for p in pages]
    assert ticks[0] == ticks[1]
    assert "trip-weighted mean" in pages[0]
    assert "not modelled" in pages[1] and "mob-not-modelled" in pages[1]
    dual = (tmp_path / "bundles.html").read_text(encoding="utf-8")
    assert "Bundle 0" in dual and "Bundle 1" in dual
    assert dual.count("L.map(") == 2 and "mobilityMaps" in dual


def test_schematic_initiatives_are_dashed(shipped) -> None:
    m = maps.catalogue_map({19: shipped[19], 1: shipped[1]}, tiles=None)
    page = maps.render_html(m, offline=True)
    assert "mob-schematic" in page
    assert "skematisk" in page
    assert maps.expected_paths(m).get("mob-initiative")


def test_online_map_credits_the_tiles_it_uses(shipped) -> None:
    page = maps.render_html(maps.catalogue_map({1: shipped[1]}))
    assert "Esri" in page
    assert "mob-land" in page  # the land fill stays under the tiles


# --------------------------------------------------------------------------------------------
# index.html


def test_index_names_settings_not_modelled_and_warnings(shipped) -> None:
    scores = score_initiatives(shipped, network=False)
    bundle = SimpleNamespace(name_en="The pair")
    ev = SimpleNamespace(to_dict=lambda: {
        "name": "Parret", "initiatives": [1, 20], "person_minutes_saved_per_day": 5.0,
        "network_excluded": {20: "park and ride is not in the network"},
        "warnings": ["1 and 20 overlap"]}, incidence=None)
    view = build_view(initiatives=shipped, scores=scores, weights_label="lige vægte",
                      weights_description="alle seks pejlemærker vægtes ens", lang="da",
                      offline=True, bundles={"pair": bundle}, evaluations={"pair": ev})
    page = index_html([], ["x"], "da", True, view=view)
    for word in ("Dato", "Version", "mobility ", "lige vægte", "dansk",
                 "uden netforbindelse", "Ikke modelleret", "20. ",
                 "park and ride is not in the network", "1 and 20 overlap", "Lav dækning"):
        assert word in page, word
    en = build_view(initiatives=shipped, scores=scores, weights_label="equal",
                    weights_description="", lang="en", offline=False, bundles={"pair": bundle},
                    evaluations={"pair": ev})
    assert en.bundle_rows[0].name == "The pair"
    page_en = index_html([], ["x"], "en", False, view=en)
    assert "Esri" in page_en and "Not modelled" in page_en


def test_cba_text_follows_the_language() -> None:
    da = _run("cba", "1", "--no-network")
    line = next(x for x in da.splitlines() if x.startswith("Investering, nutidsværdi"))
    assert re.fullmatch(r"Investering, nutidsværdi \(mio\. kr\.\): \d{1,3}(\.\d{3})+", line), line
    assert "effekter:" in da and "effects:" not in da
    en = _run("cba", "1", "--no-network", "--lang", "en")
    line = next(x for x in en.splitlines() if x.startswith("Investment, present value"))
    assert re.fullmatch(r"Investment, present value \(million DKK\): \d{1,3}(,\d{3})+", line), line
    data = __import__("json").loads(_run("cba", "1", "--json", "--no-network"))
    assert isinstance(data["costs_mdkk"], float)  # JSON: English keys, plain numbers
