"""Tables for decision papers: star table, ranking, bundle comparison, municipal incidence.

Builders (:func:`star_table`, :func:`ranking_table`, :func:`bundle_table`,
:func:`incidence_table`) return a :class:`DecisionTable`: a plain DataFrame with the labelled
columns and raw values, plus a title, a format per column and footnotes. Renderers turn it into
CSV, Markdown or Excel (as text or bytes; the Word decision paper is in
:mod:`mobility.outputs.paper`); only the ``write_*`` functions
write files, atomically. Labels and number formats are Danish by default (``1.234,5``);
``lang="en"`` gives English.

CSV files follow the conventions of spreadsheet programs in the language chosen: Danish CSV is
``;``-separated with a decimal comma, English CSV ``,``-separated with a decimal point. Numbers
are not grouped in CSV (so that they stay numbers when opened); Markdown and Word show them
grouped (``1.234,5``).

Excel and Word files are reproducible: the same tables give byte-identical files (fixed
document dates and zip timestamps; ``SOURCE_DATE_EPOCH`` sets the date).

Examples
--------
>>> from mobility.catalogue import read_initiatives
>>> from mobility.outputs.tables import star_table, to_markdown
>>> table = star_table(read_initiatives())
>>> int(table.frame.iloc[0]["Nr."])
1
>>> "★" in to_markdown(table)
True
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._io import write_bytes, write_text
from ..errors import MobilityError
from ..labels import (
    _check_lang,
    format_number,
    indicator_label,
    text,
)
from ..schema import INDICATOR_KEYS, Initiative
from .index import Entry, section
from .spreadsheet import csv_text, strings_only
from .view import BundleRow, InitiativeRow, RunView, as_initiatives, initiative_rows

__all__ = [
    "FORMATS",
    "DecisionTable",
    "build_tables",
    "bundle_table",
    "incidence_table",
    "ranking_table",
    "render",
    "star_table",
    "to_csv",
    "to_markdown",
    "to_xlsx",
    "write_csv",
    "write_markdown",
    "write_xlsx",
]

log = logging.getLogger(__name__)

#: Column formats: number of decimals for numbers; "text" and "stars" are shown as they are.
FORMATS: dict[str, int | None] = {
    "int": 0, "dec1": 1, "dec2": 2, "pct0": 0, "pct1": 1, "text": None, "stars": None,
    "code": 0,
}
_EXCEL_FORMATS = {"code": "0", "int": "#,##0", "dec1": "#,##0.0", "dec2": "#,##0.00", "pct0": "0 %",
                  "pct1": "0.0 %"}


@dataclass(frozen=True)
class DecisionTable:
    """A table for a decision paper.

    Attributes
    ----------
    key : str
        Short name used for file and sheet names (e.g. ``"stjernetabel"``).
    title : str
        Caption of the table.
    frame : pandas.DataFrame
        The rows with labelled columns; numbers are numbers (missing = NA), stars are text.
    formats : mapping
        Column label -> one of :data:`FORMATS` (missing columns are text).
    notes : tuple of str
        Footnotes shown under the table.
    lang : str
        Language of the labels (``"da"`` or ``"en"``).
    score_columns : tuple of str
        Columns that get a colour scale in Excel.
    muted_rows : tuple of int
        Positions (0-based) of rows shown greyed out and left out of the colour scale (e.g.
        low-coverage initiatives: never painted as the best).
    """

    key: str
    title: str
    frame: pd.DataFrame
    formats: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    lang: str = "da"
    score_columns: tuple[str, ...] = ()
    muted_rows: tuple[int, ...] = ()

    def format_of(self, column: str) -> str:
        """The format of ``column`` (``"text"`` when not given)."""
        return self.formats.get(column, "text")


# --------------------------------------------------------------------------------------------
# Builders


def _name(init: Initiative, lang: str) -> str:
    return init.name_en if lang == "en" else init.name


def star_table(
    initiatives: Mapping[int, Initiative] | Iterable[Initiative] | None = None,
    *,
    lang: str = "da",
    rows: Mapping[int, InitiativeRow] | None = None,
) -> DecisionTable:
    """The catalogue's star table: each initiative's six ratings as ★★★☆☆.

    Not assessable ratings show ``–``; ratings inferred from the page text are marked ``*``
    with a footnote. Construction cost is added for reference.

    Parameters
    ----------
    initiatives : mapping or iterable of Initiative, optional
        Default: the shipped catalogue.
    lang : {"da", "en"}
        Language of labels.
    rows : mapping of id to InitiativeRow, optional
        The run's prepared rows (:attr:`RunView.rows`); default prepared here.

    Returns
    -------
    DecisionTable
    """
    _check_lang(lang)
    inits = as_initiatives(initiatives)
    if rows is None:
        rows = initiative_rows(inits, lang=lang)
    cols = [text("id", lang), text("name", lang), text("theme", lang),
            *[indicator_label(k, lang) for k in INDICATOR_KEYS], text("cost_mdkk", lang)]
    shown = [rows[ident] for ident in inits]
    any_inferred = any(r.inferred for r in shown)
    any_na = any(v is None for r in shown for v in r.stars.values())
    frame = pd.DataFrame(
        [[r.id, r.name, r.theme_label, *(r.stars_text[k] for k in INDICATOR_KEYS), r.cost_mdkk]
         for r in shown], columns=cols)
    frame[cols[-1]] = pd.to_numeric(frame[cols[-1]], errors="coerce").astype("Float64")
    formats = {cols[0]: "int", cols[-1]: "int"}
    formats.update({indicator_label(k, lang): "stars" for k in INDICATOR_KEYS})
    notes = [text("stars_note", lang)]
    if any_na:
        notes.append(text("na_note", lang))
    if any_inferred:
        notes.append(text("inferred_note", lang))
    notes.append(_socio_note(lang))
    return DecisionTable("stjernetabel" if lang == "da" else "star_table",
                         text("star_table", lang), frame, formats, tuple(notes), lang)


def _socio_note(lang: str) -> str:
    from .. import settings

    steps = ", ".join(format_number(t, 1, lang) for t in settings.IRR_STAR_THRESHOLDS_PCT)
    if lang == "en":
        return (f"Socio-economics: one star per IRR threshold reached ({steps} %); not "
                "profitable = 0 stars; not calculated = not assessable.")
    return (f"Samfundsøkonomi: én stjerne pr. tærskel for intern rente, der nås ({steps} %); "
            "ikke rentabel = 0 stjerner; ikke beregnet = kan ikke vurderes.")


def ranking_table(
    scores: pd.DataFrame,
    initiatives: Mapping[int, Initiative] | Iterable[Initiative] | None = None,
    *,
    lang: str = "da",
    weights_label: str | None = None,
) -> DecisionTable:
    """The ranking of initiatives by score.

    Parameters
    ----------
    scores : pandas.DataFrame
        As returned by :func:`mobility.appraisal.score_initiatives`: indexed by id, with
        ``rank``, ``score`` and optionally ``name``, ``coverage``, ``cost_mdkk``,
        ``score_per_bn_dkk``.
    initiatives : mapping or iterable of Initiative, optional
        For names in ``lang`` (default: names from ``scores``, else the shipped catalogue).
    lang : {"da", "en"}
    weights_label : str, optional
        Named in the footnote.

    Returns
    -------
    DecisionTable
    """
    _check_lang(lang)
    if "score" not in scores.columns:
        msg = "scores need a 'score' column (see mobility.appraisal.score_initiatives)"
        raise MobilityError(msg)
    inits = as_initiatives(initiatives) if initiatives is not None or "name" not in \
        scores.columns else {}
    data = scores.copy()
    if "rank" not in data.columns:
        data["rank"] = data["score"].rank(ascending=False, method="min")
    data = data.sort_values(["rank", "score"], ascending=[True, False], kind="stable")
    ids = [int(i) for i in data.index]
    names = [
        _name(inits[i], lang) if i in inits else str(data.loc[i].get("name", ""))
        for i in ids
    ]
    c = {k: text(k, lang) for k in ("rank", "id", "name", "score", "coverage", "cost_mdkk",
                                    "score_per_bn_dkk")}
    frame = pd.DataFrame({
        c["rank"]: pd.array(pd.to_numeric(data["rank"], errors="coerce").round(), dtype="Int64"),
        c["id"]: ids,
        c["name"]: names,
        c["score"]: pd.to_numeric(data["score"], errors="coerce").astype("Float64").to_numpy(),
    })
    formats = {c["rank"]: "int", c["id"]: "int", c["score"]: "dec2"}
    if "coverage" in data.columns:
        frame[c["coverage"]], formats[c["coverage"]] = _coverage_column(data["coverage"], lang)
    muted: tuple[int, ...] = ()
    if "low_coverage" in data.columns:
        low = data["low_coverage"].fillna(False).astype(bool).to_numpy()
        muted = tuple(int(k) for k in np.flatnonzero(low))
    cost = data["cost_mdkk"] if "cost_mdkk" in data.columns else pd.Series(
        [inits[i].cost_mdkk if i in inits else None for i in ids], index=data.index)
    frame[c["cost_mdkk"]] = pd.to_numeric(cost, errors="coerce").astype("Float64").to_numpy()
    formats[c["cost_mdkk"]] = "int"
    if "score_per_bn_dkk" in data.columns:
        frame[c["score_per_bn_dkk"]] = pd.to_numeric(
            data["score_per_bn_dkk"], errors="coerce").astype("Float64").to_numpy()
        formats[c["score_per_bn_dkk"]] = "dec2"
    notes = []
    if weights_label:
        notes.append(f"{text('weights', lang)}: {weights_label}.")
    if lang == "en":
        notes.append("Score: weighted mean of the six indicators' stars (0-5). Coverage: share "
                     "of the weight on indicators that could be assessed. Score per DKK bn: "
                     "score divided by construction cost in DKK billion.")
    else:
        notes.append("Score: vægtet gennemsnit af de seks pejlemærkers stjerner (0-5). Dækning: "
                     "andel af vægten på pejlemærker, der kan vurderes. Score pr. mia. kr.: "
                     "score divideret med anlægsomkostningen i mia. kr.")
    if muted:
        notes.append("Grey rows: low coverage (too few indicators assessed); ranked after the "
                     "others and never shown as the best." if lang == "en" else
                     "Grå rækker: lav dækning (for få pejlemærker vurderet); rangeret efter de "
                     "øvrige og aldrig vist som bedst.")
    return DecisionTable("rangordning" if lang == "da" else "ranking", text("ranking", lang),
                         frame, formats, tuple(notes), lang,
                         score_columns=(c["score"], c["score_per_bn_dkk"]), muted_rows=muted)


def _coverage_column(values: pd.Series, lang: str) -> tuple[Any, str]:
    """Coverage as given by the appraisal: "4 of 6" (text, translated) or a share (0-1)."""
    numeric = pd.to_numeric(values, errors="coerce")
    if numeric.notna().any():
        return numeric.astype("Float64").to_numpy(), (
            "pct0" if numeric.dropna().le(1).all() else "dec1")
    word = " af " if lang == "da" else " of "
    return [str(v).replace(" of ", word) if not _is_missing(v) else "" for v in values], "text"


def _as_dict(bundle: Any) -> dict[str, Any]:
    if isinstance(bundle, BundleRow):  # the view's row: its name is in the run's language
        return {**bundle.evaluation, "name": bundle.name,
                "not_modelled": dict(bundle.not_modelled)}
    if isinstance(bundle, Mapping):
        return dict(bundle)
    if hasattr(bundle, "to_dict"):
        return dict(bundle.to_dict())
    msg = f"cannot read a bundle evaluation from {type(bundle).__name__}"
    raise MobilityError(msg)


def _count(value: Any) -> Any:
    if isinstance(value, (list, tuple, set, frozenset)):
        return len(value)
    return value


def bundle_table(evaluations: Sequence[Any], *, lang: str = "da") -> DecisionTable:
    """Compare bundles: cost, construction CO2, person-minutes saved, synergy, score.

    Parameters
    ----------
    evaluations : sequence of mapping
        Bundle evaluations (``evaluate_bundle(b).to_dict()`` or objects with ``to_dict``).
    lang : {"da", "en"}

    Returns
    -------
    DecisionTable
    """
    _check_lang(lang)
    keys = {k: text(k, lang) for k in (
        "bundle", "initiatives", "n_initiatives", "cost_mdkk", "co2_construction_t_min",
        "co2_construction_t_max", "person_minutes", "sum_of_singles", "synergy",
        "municipalities_gaining", "score")}
    rows = []
    notes: list[str] = []
    for ev in (_as_dict(e) for e in evaluations):
        ids = [int(i) for i in ev.get("initiatives", [])]
        warnings = ev.get("warnings") or []
        rows.append({
            keys["bundle"]: str(ev.get("name", "")),
            keys["initiatives"]: ", ".join(str(i) for i in ids),
            keys["n_initiatives"]: len(ids),
            keys["cost_mdkk"]: ev.get("cost_mdkk"),
            keys["co2_construction_t_min"]: ev.get("co2_construction_t_min"),
            keys["co2_construction_t_max"]: ev.get("co2_construction_t_max"),
            keys["person_minutes"]: ev.get("person_minutes_saved_per_day"),
            keys["sum_of_singles"]: ev.get("sum_of_singles_person_minutes"),
            keys["synergy"]: ev.get("synergy_person_minutes"),
            keys["municipalities_gaining"]: _count(ev.get("municipalities_gaining")),
            keys["score"]: ev.get("score"),
        })
        notes += [f"{ev.get('name', '')}: {w}" for w in warnings]
        if ev.get("not_modelled"):
            ids_text = ", ".join(str(i) for i in sorted(ev["not_modelled"]))
            notes.append(f"{ev.get('name', '')}: "
                         + ("not modelled by the network model: " if lang == "en"
                            else "ikke modelleret i netværksmodellen: ") + ids_text)
    frame = pd.DataFrame(rows, columns=list(keys.values()))
    for k in ("n_initiatives", "cost_mdkk", "co2_construction_t_min", "co2_construction_t_max",
              "person_minutes", "sum_of_singles", "synergy", "municipalities_gaining", "score"):
        frame[keys[k]] = pd.to_numeric(frame[keys[k]], errors="coerce").astype("Float64")
    formats = {keys[k]: "int" for k in (
        "n_initiatives", "cost_mdkk", "co2_construction_t_min", "co2_construction_t_max",
        "person_minutes", "sum_of_singles", "synergy", "municipalities_gaining")}
    formats[keys["score"]] = "dec2"
    if lang == "en":
        note = ("Person-minutes saved per day: network model estimate for the whole bundle. "
                "Synergy = bundle effect minus the sum of the initiatives' single effects.")
    else:
        note = ("Personminutter sparet pr. døgn: netværksmodellens skøn for hele pakken. "
                "Synergi = pakkens effekt minus summen af indsatsernes enkelteffekter.")
    return DecisionTable("pakker" if lang == "da" else "bundles", text("bundle_comparison", lang),
                         frame, formats, (note, *notes), lang,
                         score_columns=(keys["score"], keys["person_minutes"]))


def incidence_table(
    incidence: Mapping[str, pd.DataFrame] | pd.DataFrame,
    *,
    lang: str = "da",
    value: str = "person_minutes_saved_per_day",
) -> DecisionTable:
    """Gains by municipality: one row per municipality, one column per bundle.

    Parameters
    ----------
    incidence : mapping of bundle name to DataFrame, or one DataFrame
        Per-municipality results indexed by municipality code (or with a
        ``municipality_code`` column), with ``name``, ``population`` and ``value``.
    lang : {"da", "en"}
    value : str
        The column tabulated (default person-minutes saved per day).

    Returns
    -------
    DecisionTable
    """
    _check_lang(lang)
    if isinstance(incidence, pd.DataFrame):
        incidence = {"": incidence}
    from .. import geodata

    munis = geodata.load_municipalities().set_index("code")[["name", "population"]]
    c_code, c_name, c_pop = text("municipality_code", lang), text("municipality", lang), \
        text("population", lang)
    frame = pd.DataFrame({c_code: munis.index.astype(int), c_name: munis["name"].to_numpy(),
                          c_pop: munis["population"].astype("Float64").to_numpy()})
    formats = {c_code: "code", c_pop: "int"}
    label = text("person_minutes", lang) if value == "person_minutes_saved_per_day" else \
        (text(value, lang) if value in ("accessibility_change_pct", "mean_time_change_min")
         else value)
    score_cols = []
    for name, df in incidence.items():
        data = df.set_index("municipality_code") if "municipality_code" in df.columns else df
        if value not in data.columns:
            msg = f"incidence of bundle {name!r} has no column {value!r}"
            raise MobilityError(msg)
        series = pd.to_numeric(data[value], errors="coerce")
        series.index = [int(i) for i in series.index]
        col = f"{name}: {label}" if name else label
        frame[col] = series.reindex(frame[c_code]).astype("Float64").to_numpy()
        formats[col] = "int" if value == "person_minutes_saved_per_day" else "dec1"
        score_cols.append(col)
    frame = frame.sort_values(c_code, kind="stable").reset_index(drop=True)
    if lang == "en":
        note = ("Person-minutes saved per day by residents of each municipality (network model). "
                "Population 2021Q1, Statistics Denmark.")
    else:
        note = ("Personminutter sparet pr. døgn for indbyggerne i hver kommune (netværksmodel). "
                "Indbyggere 2021K1, Danmarks Statistik.")
    return DecisionTable("kommuner" if lang == "da" else "municipalities",
                         text("incidence", lang), frame, formats, (note,), lang,
                         score_columns=tuple(score_cols))


# --------------------------------------------------------------------------------------------
# Renderers


def _is_missing(value: Any) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _display(table: DecisionTable, column: str, value: Any) -> str:
    fmt = table.format_of(column)
    if _is_missing(value):
        return "–" if fmt not in ("text", "stars") else ""
    decimals = FORMATS.get(fmt)
    if decimals is None:
        return str(value)
    if fmt.startswith("pct"):
        return f"{format_number(float(value) * 100, decimals, table.lang)} %"
    return format_number(value, decimals, table.lang)


def _csv_value(table: DecisionTable, column: str, value: Any) -> str:
    fmt = table.format_of(column)
    if _is_missing(value):
        return ""
    decimals = FORMATS.get(fmt)
    if decimals is None:
        return csv_text(str(value))
    if fmt.startswith("pct"):
        decimals += 2
    out = f"{float(value):.{decimals}f}"
    if out.startswith("-") and float(out) == 0:
        out = out[1:]
    return out.replace(".", ",") if table.lang == "da" else out


def to_csv(table: DecisionTable) -> str:
    """The table as CSV text (Danish: ``;`` and decimal comma; English: ``,`` and point)."""
    sep = ";" if table.lang == "da" else ","
    out = pd.DataFrame({
        col: [_csv_value(table, col, v) for v in table.frame[col]] for col in table.frame.columns
    }, columns=table.frame.columns)
    out.columns = [csv_text(str(c)) for c in table.frame.columns]
    return out.to_csv(index=False, sep=sep, lineterminator="\n")


def _md_cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def to_markdown(table: DecisionTable) -> str:
    """The table as Markdown: caption, a pipe table with formatted numbers, footnotes."""
    cols = list(table.frame.columns)
    right = {c for c in cols if table.format_of(c) not in ("text", "stars")}
    lines = [f"**{table.title}**", "", "| " + " | ".join(_md_cell(c) for c in cols) + " |",
             "|" + "|".join("---:" if c in right else "---" for c in cols) + "|"]
    for _, row in table.frame.iterrows():
        lines.append("| " + " | ".join(_md_cell(_display(table, c, row[c])) for c in cols)
                     + " |")
    if table.notes:
        lines.append("")
        lines += [f"{n}  " for n in table.notes[:-1]] + [table.notes[-1]]
    return "\n".join(lines) + "\n"


def _fixed_datetime() -> dt.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).replace(tzinfo=None)
    return dt.datetime(2024, 1, 1, 0, 0, 0)


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip (xlsx, docx) with fixed timestamps so equal content gives equal bytes."""
    stamp = _fixed_datetime().timetuple()[:6]
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            new = zipfile.ZipInfo(info.filename, date_time=stamp)
            new.compress_type = zipfile.ZIP_DEFLATED
            new.external_attr = 0o600 << 16
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" on save
                iso = _fixed_datetime().strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                              rb"\g<1>" + iso + rb"\g<2>", data)
            dst.writestr(new, data)
    return buf.getvalue()


def _sheet_name(name: str, used: set[str]) -> str:
    base = "".join(ch for ch in name if ch not in "[]:*?/\\")[:31] or "Sheet"
    out, k = base, 2
    while out.lower() in used:
        suffix = f" ({k})"
        out, k = base[: 31 - len(suffix)] + suffix, k + 1
    used.add(out.lower())
    return out


def _runs(positions: Sequence[int]) -> list[tuple[int, int]]:
    """Consecutive runs of sorted positions as (first, last) pairs."""
    out: list[tuple[int, int]] = []
    for p in positions:
        if out and p == out[-1][1] + 1:
            out[-1] = (out[-1][0], p)
        else:
            out.append((p, p))
    return out


def _print_setup(ws: Any) -> None:
    """A4 landscape, fitted to one page wide, header row repeated on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.print_options.gridLines = False
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = "&P / &N"


def to_xlsx(tables: Sequence[DecisionTable]) -> bytes:
    """A styled Excel workbook, one sheet per table.

    Each sheet has a bold, shaded header row (frozen, with the first two columns), column
    widths fitted to the content, Excel number formats (shown with the reader's separators),
    star glyphs as text, a colour scale on score columns, and the footnotes under the table.
    """
    from openpyxl import Workbook
    from openpyxl.formatting.rule import ColorScaleRule
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    if not tables:
        msg = "no tables to write"
        raise MobilityError(msg)
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    header_fill = PatternFill("solid", start_color="DCE6F1", end_color="DCE6F1")
    thin = Side(style="thin", color="999999")
    muted_fill = PatternFill("solid", start_color="F2F2F2", end_color="F2F2F2")
    for table in tables:
        muted = set(table.muted_rows)
        ws = wb.create_sheet(_sheet_name(table.title, used))
        cols = list(table.frame.columns)
        ws.append(cols)
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.fill = header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cell.border = Border(bottom=thin)
        for _, row in table.frame.iterrows():
            values = []
            for c in cols:
                v = row[c]
                if _is_missing(v):
                    values.append(None)
                elif table.format_of(c) in ("text", "stars"):
                    values.append(str(v))
                else:
                    f = float(v)
                    values.append(int(f) if table.format_of(c) in ("int", "code")
                                  and f.is_integer()
                                  else f)
            ws.append(values)
        strings_only(ws)  # header and rows (before the notes: no empty rows are touched)
        n = len(table.frame)
        for j, c in enumerate(cols, start=1):
            fmt = table.format_of(c)
            letter = get_column_letter(j)
            for i in range(2, n + 2):
                cell = ws.cell(row=i, column=j)
                if fmt in _EXCEL_FORMATS:
                    cell.number_format = _EXCEL_FORMATS[fmt]
                elif fmt == "stars":
                    cell.font = Font(name="Segoe UI Symbol", color="333333")
                    cell.alignment = Alignment(horizontal="left")
                else:
                    cell.alignment = Alignment(wrap_text=len(str(cell.value or "")) > 60,
                                               vertical="top")
            width = max([len(str(c)) * 0.9 if len(str(c)) < 28 else 16]
                        + [len(_display(table, c, v)) for v in table.frame[c]])
            ws.column_dimensions[letter].width = min(max(width + 2, 7), 60)
            shown = [i for i in range(n) if i not in muted]
            if c in table.score_columns and len(shown) > 1:
                ws.conditional_formatting.add(
                    " ".join(f"{letter}{a + 2}:{letter}{b + 2}" for a, b in _runs(shown)),
                    ColorScaleRule(start_type="min", start_color="F8696B",
                                   mid_type="percentile", mid_value=50, mid_color="FFEB84",
                                   end_type="max", end_color="63BE7B"),
                )
        for i in muted:
            for j in range(1, len(cols) + 1):
                cell = ws.cell(row=i + 2, column=j)
                cell.font = Font(name=cell.font.name, italic=True, color="999999")
                cell.fill = muted_fill
        _print_setup(ws)
        ws.row_dimensions[1].height = 32
        ws.freeze_panes = "C2" if len(cols) > 2 else "A2"
        r = n + 3
        cell = ws.cell(row=r, column=1, value=table.title)
        cell.font, cell.data_type = Font(italic=True), "s"
        for k, note in enumerate(table.notes, start=1):
            cell = ws.cell(row=r + k, column=1, value=note)
            cell.font, cell.data_type = Font(italic=True, color="555555"), "s"
        ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{n + 1}"
    stamp = _fixed_datetime()
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.creator = "mobility"
    wb.properties.title = tables[0].title
    buf = io.BytesIO()
    wb.save(buf)
    return _normalise_zip(buf.getvalue())


# --------------------------------------------------------------------------------------------
# Writers


def write_csv(table: DecisionTable, path: str | os.PathLike[str]) -> Path:
    """Write the table as CSV (UTF-8 with BOM, so that spreadsheet programs read æøå)."""
    return write_text(path, "\ufeff" + to_csv(table))


def write_markdown(table: DecisionTable, path: str | os.PathLike[str]) -> Path:
    """Write the table as Markdown."""
    return write_text(path, to_markdown(table))


def write_xlsx(tables: Sequence[DecisionTable], path: str | os.PathLike[str]) -> Path:
    """Write a styled Excel workbook, one sheet per table (see :func:`to_xlsx`)."""
    return write_bytes(path, to_xlsx(tables))


# --------------------------------------------------------------------------------------------
# The tables of a run


def build_tables(view: RunView) -> list[DecisionTable]:
    """The decision tables of a run: stars, ranking, and (with bundles) bundles and incidence."""
    lang = view.lang
    out = [star_table(view.initiatives, lang=lang, rows=view.rows),
           ranking_table(view.scores, view.initiatives, lang=lang,
                         weights_label=view.weights_label)]
    if view.bundle_rows:
        out.append(bundle_table(view.bundle_rows, lang=lang))
        if view.incidence:
            out.append(incidence_table(view.incidence, lang=lang))
    return out


def render(view: RunView, stage: Path, tables: Sequence[DecisionTable]) -> list[Entry]:
    """Write ``tables/``: every table as CSV and Markdown, and all of them in one workbook."""
    sec = section("tables", view.lang)
    entries = [Entry(sec, "Excel" + (": alle tabeller" if view.lang == "da"
                                     else ": all tables"), "tables/tables.xlsx")]
    for tab in tables:
        base = f"tables/{tab.key}"
        write_csv(tab, stage / f"{base}.csv")
        write_markdown(tab, stage / f"{base}.md")
        entries.append(Entry(sec, f"{tab.title} (CSV)", f"{base}.csv"))
        entries.append(Entry(sec, f"{tab.title} (Markdown)", f"{base}.md"))
    write_xlsx(tables, stage / "tables/tables.xlsx")
    return entries
