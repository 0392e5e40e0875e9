"""Text from data is never evaluated: not by Jinja (maps), a spreadsheet (CSV, XLSX), matplotlib
mathtext (charts) or Word; it appears literally (HTML-escaped in HTML).

Issue 8, finding 1 (code execution through folium/branca's second Jinja pass) and finding 2
(formula injection). The payloads go into every text field of an initiative, a bundle's name
and description, and the weights file name; the real renderers run through ``mobility run``.
"""

from __future__ import annotations

import csv
import html
import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from mobility.cli import cli
from mobility.run import run

from .test_maps import fake_scenario

DATA_DIR = Path(__file__).parent / "data"

# Each marker pair shows evaluation: if Jinja (or ``${}`` templating) ran, the left form would
# turn into the right one.
JINJA_EXPR = "Q{{ 7*7 }}Q"  # -> Q49Q
JINJA_STMT = "Rq{% if true %}x{% endif %}qR"  # -> RqxqR
JINJA_COMMENT = "Sq{# c #}qS"  # -> SqqS
DOLLAR = "T${7*7}T"  # -> T49T
SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://x","y")'
MATH = r"$\undefinedmacro{x}^2$"  # mathtext would fail to draw this
POPEN = "{{ lipsum.__globals__.os.popen('printf %s%s PW NED').read() }}"  # -> PWNED
EVALUATED = ("Q49Q", "RqxqR", "SqqS", "T49T", "PWNED")


def makedirs_payload(path: Path) -> str:
    return "{{ lipsum.__globals__.os.makedirs('" + str(path) + "') }}"


def payload(tag: str, canary: Path) -> str:
    return (f"{FORMULA} {tag} {JINJA_EXPR} {JINJA_STMT} {JINJA_COMMENT} {DOLLAR} {SCRIPT} "
            f"{MATH} {POPEN} {makedirs_payload(canary)}")


def yaml_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@pytest.fixture()
def hostile(tmp_path: Path) -> dict[str, Path]:
    """A fixture catalogue, bundle and weights file whose every text field carries payloads."""
    canary = tmp_path / "created-by-template"
    cat = tmp_path / "catalogue"
    shutil.copytree(DATA_DIR / "catalogue_ok", cat)
    p = lambda tag: yaml_str(payload(tag, canary))  # noqa: E731
    f = cat / "01-line.yaml"
    text = f.read_text(encoding="utf-8")
    text = text.replace("name: Testbane", f"name: {p('NAME')}")
    text = text.replace("name_en: Test line", f"name_en: {p('NAME_EN')}")
    text = text.replace("description: En lille testindsats.", f"description: {p('DESC')}")
    text = text.replace("cost_mdkk: 1300", f"cost_mdkk: 1300\ncost_note: {p('COSTNOTE')}")
    text = text.replace('text: "Op til 20 % reduktion i rejsetiden"', f"text: {p('TRAVEL')}")
    text = text.replace('text: "Ikke beregnet."', f"text: {p('SOCIO')}")
    text += (f"caveats: [{p('CAVEAT')}]\nsources: [{p('SOURCE')}]\n"
             f"key_figures: [{{label: {p('KFLABEL')}, value: 3, unit: {p('KFUNIT')}}}]\n"
             f"rating_texts: {{accessibility: {p('RATINGTEXT')}}}\n"
             f"geometry_note: {p('GEOMNOTE')}\n")
    f.write_text(text, encoding="utf-8")
    g = cat / "04-points.yaml"
    text = g.read_text(encoding="utf-8")
    math_first = yaml_str(f"{MATH} {payload('NAME4', canary)}")  # charts shorten names
    g.write_text(text.replace("name: Testparkering", f"name: {math_first}"), encoding="utf-8")
    bundle = tmp_path / "bundle.yaml"
    bundle.write_text(f"name: {p('BUNDLE')}\nname_en: {p('BUNDLE_EN')}\n"
                      f"description: {p('BUNDLEDESC')}\ninitiatives: [1, 2]\n",
                      encoding="utf-8")
    weights = tmp_path / "w {{ 7*7 }} {# c #} =1+1.yaml"
    weights.write_text("accessibility: 2\npublic_transport: 1\n", encoding="utf-8")
    return {"catalogue": cat, "bundle": bundle, "weights": weights, "canary": canary}


def _texts(folder: Path) -> dict[str, str]:
    """Every text a reader sees, per file: HTML/CSV/MD as they are, XLSX/DOCX as their XML."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.suffix in (".html", ".csv", ".md"):
            out[str(p.relative_to(folder))] = p.read_text(encoding="utf-8")
        elif p.suffix in (".xlsx", ".docx"):
            with zipfile.ZipFile(p) as z:
                out[str(p.relative_to(folder))] = "\n".join(
                    z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
    return out


def _assert_nothing_evaluated(texts: dict[str, str], canary: Path) -> None:
    assert not canary.exists(), "a template created a folder"
    for name, body in texts.items():
        for mark in EVALUATED:
            assert mark not in body, (name, mark)


def _check_outputs(out: Path, canary: Path, lang: str) -> None:
    texts = _texts(out)
    _assert_nothing_evaluated(texts, canary)
    tag = "NAME_EN" if lang == "en" else "NAME"
    # maps: literal, HTML-escaped, never a live script
    for page in ("catalogue.html", "score.html", "bundles.html"):
        body = texts[page]
        assert f"{tag} {JINJA_EXPR} {JINJA_STMT} {JINJA_COMMENT} {DOLLAR}" in body, page
        assert html.escape(SCRIPT) in body, page
        assert SCRIPT not in body, page
        assert "printf %s%s PW NED" in body, page
    bundle = re.compile(r"BUNDLE(_EN)? " + re.escape(JINJA_EXPR))  # (name_en: issue 12)
    assert bundle.search(texts["bundles.html"])
    if (out / "accessibility-bundle.html").is_file():  # its title, with the bundle name
        assert bundle.search(texts["index.html"])
    assert html.escape(SCRIPT) in texts["index.html"] and SCRIPT not in texts["index.html"]
    # Markdown and Word: literal (Word XML-escapes < and >)
    md = next(b for n, b in texts.items() if n.endswith(".md") and tag in b)
    assert f"{tag} {JINJA_EXPR} {JINJA_STMT}" in md
    assert f"{tag} {JINJA_EXPR} {JINJA_STMT}" in texts["decision-paper.docx"]
    assert html.escape(SCRIPT, quote=False) in texts["decision-paper.docx"]
    # CSV: the name starts with "=", so it is neutralised with a quote; numbers untouched
    star_csv = next(out.glob("tables/st*.csv"))
    rows = list(csv.reader(io.StringIO(star_csv.read_text(encoding="utf-8-sig")),
                           delimiter=";" if lang == "da" else ","))
    names = [r[1] for r in rows[1:]]
    assert any(n.startswith("'" + FORMULA) for n in names), names
    assert not any(n.startswith(("=", "+", "-", "@")) for r in rows for n in r
                   if not re.fullmatch(r"-?[\d.,]+", n))
    # XLSX: no formula anywhere, the name is a string cell
    from openpyxl import load_workbook

    wb = load_workbook(out / "tables" / "tables.xlsx")
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert any(isinstance(c.value, str) and c.value.startswith(FORMULA) for c in cells)


def test_run_renders_hostile_text_literally(tmp_path, hostile):
    out = tmp_path / "out"
    run(out, catalogue_dir=hostile["catalogue"], bundles=[hostile["bundle"]],
        weights=str(hostile["weights"]), offline=True, lang="da",
        network=lambda ids: fake_scenario(ids))
    assert (out / "accessibility-bundle.html").is_file()  # the bundle's title is in it
    _check_outputs(out, hostile["canary"], "da")
    score = (out / "score.html").read_text(encoding="utf-8")
    assert "w {{ 7*7 }} {# c #} =1+1.yaml" in score  # the weights file name, literally
    for chart in ("charts/indicators.png", "charts/bundles.svg", "charts/cost-score.png"):
        assert (out / chart).stat().st_size > 1000


def test_cli_run_with_hostile_bundle_english(tmp_path, hostile):
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, [
        "run", "--output", str(out), "--catalogue", str(hostile["catalogue"]), "--offline",
        "--no-network", "--lang", "en", "--bundles", str(hostile["bundle"]),
        "--weights", str(hostile["weights"])])
    assert result.exit_code == 0, result.output
    _check_outputs(out, hostile["canary"], "en")


def test_single_map_and_catalogue_exports(tmp_path, hostile):
    runner = CliRunner()
    page = tmp_path / "c.html"
    result = runner.invoke(cli, ["map", "catalogue", "--output", str(page), "--offline",
                                 "--catalogue", str(hostile["catalogue"])])
    assert result.exit_code == 0, result.output
    body = page.read_text(encoding="utf-8")
    _assert_nothing_evaluated({"c.html": body}, hostile["canary"])
    assert JINJA_EXPR in body and html.escape(SCRIPT) in body
    xlsx, csv_path = tmp_path / "cat.xlsx", tmp_path / "cat.csv"
    for fmt, path in (("xlsx", xlsx), ("csv", csv_path)):
        result = runner.invoke(cli, ["catalogue", "export", "--format", fmt, "--output",
                                     str(path), "--catalogue", str(hostile["catalogue"])])
        assert result.exit_code == 0, result.output
    from openpyxl import load_workbook

    ws = load_workbook(xlsx).active
    assert not [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert ws["B2"].value.startswith(FORMULA) and ws["B2"].data_type == "s"
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text(encoding="utf-8"))))
    assert rows[0]["name"].startswith("'" + FORMULA)
    assert rows[0]["cost_mdkk"] == "1300"


def test_station_and_municipality_names_render_literally(monkeypatch, inits, tmp_path):
    """Geodata names (stations, municipalities) take the same path as catalogue text."""
    from mobility import geodata
    from mobility.outputs import maps

    canary = tmp_path / "created-by-template"
    evil = payload("STATION", canary)
    stations = geodata.load_stations().copy()
    first = stations.index[stations["in_study_area"].fillna(False).astype(bool)][0]
    stations.loc[first, "name"] = evil
    munis = geodata.load_municipalities().copy()
    munis.loc[munis.index[0], "name"] = payload("MUNI", canary)
    monkeypatch.setattr(geodata, "load_stations", lambda: stations)
    monkeypatch.setattr(geodata, "load_municipalities", lambda: munis)
    maps._municipality_display.cache_clear()
    try:
        page = maps.render_html(maps.catalogue_map(inits, tiles=None), offline=True)
    finally:
        maps._municipality_display.cache_clear()
    _assert_nothing_evaluated({"page": page}, canary)
    for tag in ("STATION", "MUNI"):
        assert f"{tag} {JINJA_EXPR} {JINJA_STMT} {JINJA_COMMENT}" in page
    assert html.escape(SCRIPT) in page and SCRIPT not in page
