"""The Word decision paper: title, method note, figures, the decision tables, sources.

Moved as it was from :mod:`mobility.tables` (issue 12 rewrites it). It renders
:class:`~mobility.outputs.tables.DecisionTable` objects with the tables' display formats;
files are reproducible (fixed document dates and zip timestamps).
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .._io import write_bytes
from ..labels import _check_lang, text
from .index import Entry, section
from .tables import DecisionTable, _display, _fixed_datetime, _normalise_zip
from .view import RunView

__all__ = ["render", "to_docx", "write_docx"]


def _default_method_note(lang: str) -> str:
    if lang == "en":
        return (
            "The initiatives and their ratings come from the catalogue of cross-municipal "
            "mobility initiatives (KKR Hovedstaden and Region Hovedstaden). Each initiative is "
            "rated 0-5 stars on six guiding indicators; the socio-economics rating is derived "
            "from the internal rate of return. The score is the weighted mean of the stars; "
            "indicators that cannot be assessed are left out and their weight is shared among "
            "the others (coverage shows how much weight was assessed). Travel-time effects of "
            "bundles come from a sketch-planning network model (frequency-based public "
            "transport, skeleton road network, 1 km population grid)."
        )
    return (
        "Indsatserne og deres vurderinger stammer fra indsatskataloget for tværgående mobilitet "
        "(KKR Hovedstaden og Region Hovedstaden). Hver indsats er vurderet med 0-5 stjerner på "
        "seks pejlemærker; samfundsøkonomien er udledt af den interne rente. Scoren er det "
        "vægtede gennemsnit af stjernerne; pejlemærker, der ikke kan vurderes, udelades, og "
        "deres vægt fordeles på de øvrige (dækningen viser, hvor stor en del af vægten der er "
        "vurderet). Pakkernes rejsetidseffekter er beregnet med en overordnet netværksmodel "
        "(frekvensbaseret kollektiv trafik, et skelet af hovedveje og et 1 km "
        "befolkningsgitter)."
    )


def _default_uncertainty(lang: str) -> list[str]:
    if lang == "en":
        return [
            "Costs are rough construction estimates in 2024 prices including a correction "
            "allowance of about 50 %; construction CO2 is a range.",
            "Ratings marked * are our reading of the catalogue text where its summary table "
            "lost cells; '–' marks ratings that could not be assessed.",
            "Network results are sketch-planning estimates (no timetables, documented headways "
            "and speeds, skeleton road network) and should be read as orders of magnitude.",
            "Sources: the catalogue; municipal boundaries DAGI (Klimadatastyrelsen); population "
            "Statistics Denmark and Eurostat Census 2021 grid; stations and stops Rejseplanen.",
        ]
    return [
        "Omkostninger er overslag over anlæg i 2024-priser inkl. ca. 50 % korrektionstillæg; "
        "CO2 i anlægsfasen er et interval.",
        "Vurderinger markeret med * er vores læsning af katalogets tekst, hvor oversigtstabellen "
        "mangler celler; '–' markerer vurderinger, der ikke kan foretages.",
        "Netværksresultaterne er overordnede skøn (ingen køreplaner, dokumenterede frekvenser og "
        "hastigheder, et skelet af hovedveje) og skal læses som størrelsesordener.",
        "Kilder: indsatskataloget; kommunegrænser DAGI (Klimadatastyrelsen); befolkning Danmarks "
        "Statistik og Eurostats befolkningsgitter (Census 2021); stationer og stoppesteder "
        "Rejseplanen.",
    ]


def _set_cell_shading(cell: Any, hex_colour: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    props = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), hex_colour)
    props.append(shd)


def _docx_column_widths(t: Any, table: DecisionTable, total_cm: float = 25.5) -> None:
    """Share the page width between columns by their content (names get the most room)."""
    from docx.shared import Cm

    weights = []
    for c in table.frame.columns:
        longest = max([len(_display(table, c, v)) for v in table.frame[c]] + [1])
        header = max((len(w) for w in str(c).split()), default=1)
        floor = {"text": 3, "stars": 11}.get(table.format_of(c), 8)
        weights.append(min(max(longest, header, floor), 38))
    scale = total_cm / sum(weights)
    t.autofit = False
    for j, w in enumerate(weights):
        width = Cm(max(w * scale, 1.0))
        t.columns[j].width = width  # the table grid (LibreOffice reads this)
        for cell in t.columns[j].cells:
            cell.width = width


def _docx_table(doc: Any, table: DecisionTable, number: int, lang: str) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    label = "Tabel" if lang == "da" else "Table"
    cap = doc.add_paragraph(f"{label} {number}: {table.title}", style="Caption")
    cap.paragraph_format.keep_with_next = True
    cols = list(table.frame.columns)
    t = doc.add_table(rows=1, cols=len(cols))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    right = {c for c in cols if table.format_of(c) not in ("text", "stars")}
    for j, c in enumerate(cols):
        cell = t.rows[0].cells[j]
        cell.text = ""
        run = cell.paragraphs[0].add_run(str(c))
        run.bold = True
        run.font.size = Pt(7.5)
        _set_cell_shading(cell, "DCE6F1")
    for _, row in table.frame.iterrows():
        cells = t.add_row().cells
        for j, c in enumerate(cols):
            para = cells[j].paragraphs[0]
            run = para.add_run(_display(table, c, row[c]))
            run.font.size = Pt(7.5)
            if table.format_of(c) == "stars":
                run.font.name = "DejaVu Sans"
                run.font.size = Pt(7)
            if c in right:
                para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _docx_column_widths(t, table)
    # header row repeats on each page
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = t.rows[0]._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)
    for note in table.notes:
        p = doc.add_paragraph()
        r = p.add_run(note)
        r.italic = True
        r.font.size = Pt(8)
        p.paragraph_format.space_after = Pt(0)
    doc.add_paragraph()


def to_docx(
    tables: Sequence[DecisionTable],
    *,
    title: str | None = None,
    lang: str = "da",
    method_note: str | None = None,
    figures: Sequence[tuple[bytes, str]] = (),
    uncertainty: Sequence[str] | None = None,
    weights_label: str | None = None,
) -> bytes:
    """A ready-to-paste decision paper (Word): title, method note, figures, tables, notes.

    Parameters
    ----------
    tables : sequence of DecisionTable
        Tables in order; each gets a numbered caption and its footnotes.
    title : str, optional
        Document title (default: "Mobilitetsindsatser i hovedstadsområdet").
    lang : {"da", "en"}
    method_note : str, optional
        The method paragraph (default: a short note on ratings, score and network model).
    figures : sequence of (png bytes, caption)
        Images (e.g. a static map from :mod:`mobility.charts`), placed after the method note.
    uncertainty : sequence of str, optional
        Notes on sources and uncertainty (default: a standard list).
    weights_label : str, optional
        Mentioned in the method note.

    Returns
    -------
    bytes
        The .docx file (reproducible: fixed document dates).
    """
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt

    _check_lang(lang)
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.0))
    section.top_margin = section.bottom_margin = Cm(1.8)
    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10)
    doc.add_heading(title or ("Mobilitetsindsatser i hovedstadsområdet" if lang == "da"
                              else "Mobility initiatives in the Capital Region"), level=0)
    sub = doc.add_paragraph("Beslutningsgrundlag" if lang == "da" else "Decision paper")
    sub.runs[0].italic = True
    doc.add_heading("Metode" if lang == "da" else "Method", level=1)
    doc.add_paragraph(method_note or _default_method_note(lang))
    if weights_label:
        doc.add_paragraph(f"{text('weights', lang)}: {weights_label}.")
    fig_label = "Figur" if lang == "da" else "Figure"
    for k, (png, caption) in enumerate(figures, start=1):
        from PIL import Image

        with Image.open(io.BytesIO(png)) as im:
            aspect = im.height / im.width
        width = min(22.0, 14.0 / aspect)  # at most 14 cm tall: figure and caption on one page
        doc.add_picture(io.BytesIO(png), width=Cm(width))
        doc.paragraphs[-1].alignment = 1
        doc.add_paragraph(f"{fig_label} {k}: {caption}", style="Caption")
    doc.add_heading("Tabeller" if lang == "da" else "Tables", level=1)
    for k, table in enumerate(tables, start=1):
        _docx_table(doc, table, k, lang)
    doc.add_heading("Kilder og usikkerhed" if lang == "da" else "Sources and uncertainty",
                    level=1)
    for note in uncertainty if uncertainty is not None else _default_uncertainty(lang):
        doc.add_paragraph(note, style="List Bullet")
    props = doc.core_properties
    stamp = _fixed_datetime()
    props.created = stamp
    props.modified = stamp
    props.last_printed = stamp
    props.author = "mobility"
    props.last_modified_by = "mobility"
    props.revision = 1
    props.title = title or ""
    buf = io.BytesIO()
    doc.save(buf)
    return _normalise_zip(buf.getvalue())



# --------------------------------------------------------------------------------------------
# Writer


def write_docx(tables: Sequence[DecisionTable], path: str | os.PathLike[str],
               **kwargs: Any) -> Path:
    """Write the Word decision paper (see :func:`to_docx` for the keyword arguments)."""
    return write_bytes(path, to_docx(tables, **kwargs))


def render(view: RunView, stage: Path, tables: Sequence[DecisionTable]) -> list[Entry]:
    """Write ``decision-paper.docx``: the tables, a static theme map and cost against score."""
    from . import charts

    lang = view.lang
    figs = [(charts.figure_bytes(charts.static_map(view.initiatives, lang=lang), "png"),
             text("catalogue_map", lang)),
            (charts.figure_bytes(charts.cost_score_chart(
                view.scores, lang=lang, weights_label=view.weights_label), "png"),
             text("cost_score_chart", lang))]
    write_docx(tables, stage / "decision-paper.docx", lang=lang, figures=figs,
               weights_label=view.weights_description)
    return [Entry(section("tables", lang), "Beslutningsnotat (Word)" if lang == "da"
                  else "Decision paper (Word)", "decision-paper.docx")]
