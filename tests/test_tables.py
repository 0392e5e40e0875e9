"""Tests of mobility.outputs.tables and .paper: builders, CSV/Markdown, Excel and Word re-opened and checked."""

from __future__ import annotations

import io

import docx
import numpy as np
import openpyxl
import pandas as pd
import pytest

from mobility.errors import MobilityError
from mobility.labels import format_number, stars_text
from mobility.outputs import paper, tables


@pytest.fixture()
def scores():
    """Scores in the shape of mobility.appraisal.score_initiatives."""
    return pd.DataFrame({
        "rank": [1, 2, 3, 4], "id": [3, 2, 1, 4],
        "name": ["Testafgift", "Testtog", "Testbane", "Testparkering"],
        "score": [3.75, 2.8, 2.4, 1.0], "coverage": ["5 of 6", "6 of 6", "5 of 6", "5 of 6"],
        "cost_mdkk": [np.nan, 3600.0, 1300.0, 15.0],
        "score_per_bn_dkk": [np.nan, 2.8 / 3.6, 2.4 / 1.3, 1.0 / 0.015],
    }, index=[3, 2, 1, 4])


BUNDLES = [
    {"name": "Pakke A", "initiatives": [1, 2], "cost_mdkk": 4900.0,
     "co2_construction_t_min": 40000.0, "co2_construction_t_max": 60000.0,
     "person_minutes_saved_per_day": 123456.7, "sum_of_singles_person_minutes": 120000.0,
     "synergy_person_minutes": 3456.7, "municipalities_gaining": ["København", "Gentofte"],
     "score": 3.1, "warnings": ["overlap med 13"]},
    {"name": "Pakke B", "initiatives": [4], "cost_mdkk": 15.0, "score": 1.0,
     "person_minutes_saved_per_day": None, "municipalities_gaining": []},
]


@pytest.mark.parametrize(("value", "decimals", "lang", "expected"), [
    (1234.5, 1, "da", "1.234,5"), (1234.5, 1, "en", "1,234.5"), (-0.01, 1, "da", "0,0"),
    (None, 0, "da", ""), (float("nan"), 0, "da", ""), (pd.NA, 0, "en", ""),
    (1_000_000, 0, "da", "1.000.000"),
])
def test_format_number(value, decimals, lang, expected):
    assert format_number(value, decimals, lang) == expected


def test_stars_text():
    assert stars_text(3) == "★★★☆☆"
    assert stars_text(0) == "☆☆☆☆☆"
    assert stars_text(None) == "–"
    assert stars_text(5, inferred=True) == "★★★★★*"


def test_star_table(inits):
    t = tables.star_table(inits)
    assert list(t.frame["Nr."]) == [1, 2, 3, 4]
    assert t.frame.loc[1, "CO2e driftsfase"] == "★☆☆☆☆*"  # inferred
    assert t.frame.loc[2, "Sammenhæng og fremkommelighed"] == "–"  # n/a
    assert t.frame.loc[1, "Samfundsøkonomi"] == "★★☆☆☆"  # IRR 5 %
    assert any(n.startswith("*") for n in t.notes)
    md = tables.to_markdown(t)
    assert "| 1 | Testbane | Kollektiv trafik | ★★☆☆☆ |" in md
    assert "3.600" in md
    en = tables.star_table(inits, lang="en")
    assert "Initiative" in en.frame.columns and "Test line" in set(en.frame["Initiative"])


def test_ranking_table(scores, inits):
    before = scores.copy()
    t = tables.ranking_table(scores, inits, weights_label="equal")
    pd.testing.assert_frame_equal(scores, before)
    assert list(t.frame["Nr."]) == [3, 2, 1, 4]
    assert list(t.frame["Score"]) == [3.75, 2.8, 2.4, 1.0]
    assert list(t.frame["Dækning"]) == ["5 af 6", "6 af 6", "5 af 6", "5 af 6"]
    csv = tables.to_csv(t)
    assert csv.splitlines()[0] == ("Placering;Nr.;Indsats;Score;Dækning;Anlæg, mio. kr.;"
                                   "Score pr. mia. kr.")
    assert csv.splitlines()[1] == "1;3;Testafgift;3,75;5 af 6;;"
    assert "2;2;Testtog;2,80;6 af 6;3600;0,78" in csv
    en = tables.to_csv(tables.ranking_table(scores, inits, lang="en"))
    assert "2,2,Test rail,2.80,6 of 6,3600,0.78" in en
    md = tables.to_markdown(t)
    assert "| 2 | 2 | Testtog | 2,80 | 6 af 6 | 3.600 | 0,78 |" in md


def test_ranking_needs_score():
    with pytest.raises(MobilityError, match="score"):
        tables.ranking_table(pd.DataFrame({"x": [1]}))


def test_bundle_table():
    t = tables.bundle_table(BUNDLES)
    assert list(t.frame["Pakke"]) == ["Pakke A", "Pakke B"]
    assert t.frame.loc[0, "Kommuner med gevinst"] == 2
    assert pd.isna(t.frame.loc[1, "Personminutter sparet pr. døgn"])
    assert any("overlap med 13" in n for n in t.notes)
    md = tables.to_markdown(t)
    assert "123.457" in md and "| – |" in md


def test_incidence_table():
    munis = pd.DataFrame({"name": ["København", "Frederiksberg"],
                          "person_minutes_saved_per_day": [1000.0, 250.5]}, index=[101, 147])
    t = tables.incidence_table({"A": munis, "B": munis * 1})
    assert len(t.frame) == 35
    row = t.frame[t.frame["Kommunekode"] == 147].iloc[0]
    assert row["A: Personminutter sparet pr. døgn"] == 250.5
    assert pd.isna(t.frame[t.frame["Kommunekode"] == 151].iloc[0]["B: Personminutter sparet "
                                                                      "pr. døgn"])
    with pytest.raises(MobilityError, match="no column"):
        tables.incidence_table({"A": munis[["name"]]})


def test_excel_reopened(scores, inits, tmp_path):
    tabs = [tables.star_table(inits), tables.ranking_table(scores, inits),
            tables.bundle_table(BUNDLES)]
    path = tables.write_xlsx(tabs, tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Indsatser og pejlemærker", "Rangordning af indsatser",
                             "Sammenligning af pakker"]
    ws = wb["Rangordning af indsatser"]
    header = [c.value for c in ws[1]]
    assert header == list(tabs[1].frame.columns)
    assert ws["A1"].font.bold and ws.freeze_panes == "C2"
    for i, (ident, row) in enumerate(scores.iterrows(), start=2):
        assert ws.cell(row=i, column=2).value == ident
        assert ws.cell(row=i, column=4).value == pytest.approx(row["score"])
    assert ws.cell(row=2, column=4).number_format == "#,##0.00"
    assert ws.conditional_formatting  # colour scale on the score
    assert ws.column_dimensions["C"].width > 10
    stars = wb["Indsatser og pejlemærker"]
    assert stars["D2"].value == "★★☆☆☆"
    assert stars.cell(row=3, column=6).value == "★☆☆☆☆*"


def test_excel_and_word_are_reproducible(scores, inits):
    tabs = [tables.star_table(inits), tables.ranking_table(scores, inits)]
    assert tables.to_xlsx(tabs) == tables.to_xlsx(tabs)
    assert paper.to_docx(tabs) == paper.to_docx(tabs)


def test_word_reopened(scores, inits, tmp_path):
    from mobility.outputs import charts

    png = charts.figure_bytes(charts.static_map(inits), "png")
    tabs = [tables.star_table(inits), tables.ranking_table(scores, inits),
            tables.bundle_table(BUNDLES)]
    path = paper.write_docx(tabs, tmp_path / "p.docx", figures=[(png, "Kort")],
                             weights_label="lige vægte")
    d = docx.Document(str(path))
    texts = [p.text for p in d.paragraphs]
    assert texts[0] == "Mobilitetsindsatser i hovedstadsområdet"
    assert "Metode" in texts and "Kilder og usikkerhed" in texts
    assert "Tabel 2: Rangordning af indsatser" in texts
    assert "Figur 1: Kort" in texts
    assert len(d.inline_shapes) == 1
    assert len(d.tables) == 3
    ranking = d.tables[1]
    assert [c.text for c in ranking.rows[0].cells][:4] == ["Placering", "Nr.", "Indsats", "Score"]
    assert [c.text for c in ranking.rows[1].cells][:4] == ["1", "3", "Testafgift", "3,75"]
    assert ranking.rows[2].cells[5].text == "3.600"
    assert d.tables[0].rows[1].cells[3].text == "★★☆☆☆"


def test_csv_writer_has_bom(scores, inits, tmp_path):
    path = tables.write_csv(tables.ranking_table(scores, inits), tmp_path / "r.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(io.BytesIO(raw), sep=";", decimal=",", encoding="utf-8-sig")
    assert list(frame["Score"]) == [3.75, 2.8, 2.4, 1.0]
