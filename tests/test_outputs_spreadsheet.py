"""Spreadsheet safety (issue 8, finding 2): text never becomes a formula; numbers stay numbers."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from mobility.outputs.spreadsheet import csv_text
from mobility.outputs.tables import DecisionTable, to_csv, write_xlsx

HOSTILE = ["=1+1", "+1", "-1+2", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x","y")']


@pytest.mark.parametrize("value", HOSTILE)
def test_csv_text_neutralises_formula_starts(value):
    assert csv_text(value) == "'" + value.replace("\r", "\n")


@pytest.mark.parametrize("value", ["Nørreport", "", "1 - 2", "a=b", "–5"])
def test_csv_text_leaves_plain_text(value):
    assert csv_text(value) == value


@pytest.mark.parametrize("lang", ["da", "en"])
def test_table_csv_and_xlsx(tmp_path, lang):
    frame = pd.DataFrame({"=Navn": HOSTILE, "Værdi": [-1.5, -2.0, 0.0, 3.25, -10.0, 1.0, 2.0]})
    table = DecisionTable("t", "T", frame, {"Værdi": "dec2"}, ("=note",), lang)
    rows = list(csv.reader(io.StringIO(to_csv(table)), delimiter=";" if lang == "da" else ","))
    assert rows[0] == ["'=Navn", "Værdi"]
    assert [r[0] for r in rows[1:]] == ["'" + v.replace("\r", "\n") for v in HOSTILE]
    numbers = [r[1] for r in rows[1:]]
    expected = ["-1.50", "-2.00", "0.00", "3.25", "-10.00", "1.00", "2.00"]
    assert numbers == ([n.replace(".", ",") for n in expected] if lang == "da" else expected)
    path = write_xlsx([table], tmp_path / "t.xlsx")
    ws = load_workbook(path).active
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert [ws.cell(row=i, column=1).value for i in range(2, 9)] == HOSTILE
    assert ws["A1"].value == "=Navn" and ws["A1"].data_type == "s"
    assert [ws.cell(row=i, column=2).value for i in range(2, 9)] == [
        -1.5, -2, 0, 3.25, -10, 1, 2]
    assert ws.cell(row=2, column=2).data_type == "n"
