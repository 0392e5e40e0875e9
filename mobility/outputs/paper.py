"""The decision paper (Word, and PDF through headless LibreOffice).

:func:`render` builds the paper of a run from its :class:`~mobility.outputs.view.RunView`:

1. a title page with date and versions (mobility, unit prices, catalogue fingerprint);
2. a one-page neutral summary of the key results (no recommendation);
3. the method in plain language;
4. static maps (themes, scores, bundles, per-municipality effects), each with legend, scale bar
   and north arrow (:mod:`mobility.outputs.static_maps`), and cost against score;
5. the decision tables, the cost-benefit analysis (:mod:`mobility.appraisal.economics`), its
   sensitivity (:mod:`mobility.appraisal.sensitivity`) and the robustness of the ranking
   (:mod:`mobility.appraisal.robustness`);
6. sources and uncertainty.

Tables have fixed column widths computed from their content so that no number and no header
word is ever broken (a table too wide for a portrait page gets a landscape section of its own);
numbers use the language's thousands separator and a non-breaking space before units. Captions
are numbered ("Tabel 1", "Figur 1"), the footer carries the page number (a PAGE field), and the
document language (``w:lang``) and core properties (title, subject, author, created) follow the
run. Text from data is inserted as plain runs (never a field code or template).

:func:`to_pdf` converts the Word file with ``soffice --headless --convert-to pdf`` and a private
profile; without LibreOffice it raises :class:`~mobility.errors.OutputError`.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import os
import re
import shutil
import signal
import subprocess
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from .._io import write_bytes
from ..errors import OutputError
from ..labels import _check_lang, format_number
from .index import Entry, section
from .tables import FORMATS, DecisionTable, _display
from .view import RunView

__all__ = ["Chapter", "cba_hook", "paper_date", "render", "soffice_path", "to_docx", "to_pdf",
           "write_docx"]

#: Seconds LibreOffice may take to convert the paper.
PDF_TIMEOUT_S = 180

_TEXT_WIDTH_CM = {"portrait": 21.0 - 2 * 2.2, "landscape": 29.7 - 2 * 2.0}


def _t(lang: str, da: str, en: str) -> str:
    return da if lang == "da" else en


# --------------------------------------------------------------------------------------------
# Default texts


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


def _method_paragraphs(lang: str, *, cba: bool, robust: bool) -> list[str]:
    """The method in plain language (one short paragraph per step)."""
    out = [_default_method_note(lang)]
    if cba:
        out.append(_t(
            lang,
            "Den samfundsøkonomiske analyse følger Finansministeriets og Transportministeriets "
            "metode: gevinster og omkostninger over 50 års drift regnes om til nutidsværdi med "
            "en diskonteringsrente på 3,5 % (2,5 % efter 35 år). Gevinsterne er først og "
            "fremmest sparet rejsetid, værdisat med de officielle tidsværdier, samt ændringer i "
            "kørselsomkostninger, billetindtægter, CO2, uheld, støj, luftforurening og "
            "sundhed. Anlægsudgiften er katalogets overslag inkl. korrektionstillæg. En "
            "indsats er samfundsøkonomisk rentabel, når gevinsterne er større end "
            "omkostningerne (B/C-forhold over 1). Indsatser, som netværksmodellen ikke kan "
            "afbilde, får ingen beregning.",
            "The cost-benefit analysis follows the method of the Danish Ministry of Finance and "
            "Ministry of Transport: benefits and costs over 50 years of operation are converted "
            "to present values at a discount rate of 3.5 % (2.5 % after 35 years). The benefits "
            "are mainly time savings, valued with the official values of time, plus changes in "
            "vehicle operating costs, fares, CO2, accidents, noise, air pollution and health. "
            "The investment is the catalogue's estimate including the correction allowance. An "
            "initiative is socio-economically viable when the benefits exceed the costs "
            "(benefit-cost ratio above 1). Initiatives the network model cannot represent get "
            "no calculation."))
    if robust:
        out.append(_t(
            lang,
            "Robusthed: rangordningen er beregnet igen mange gange med tilfældigt varierede "
            "vægte og med udledte vurderinger ændret én stjerne op eller ned. Tabellen viser, "
            "hvor ofte hver indsats lander blandt de bedste, og hvilket interval placeringen "
            "ligger i. Følsomhed: den samfundsøkonomiske beregning er gentaget med "
            "enhedspriser trukket inden for deres usikkerhedsintervaller; tabellen viser "
            "sandsynligheden for et B/C-forhold over 1 og intervallet for nutidsværdien.",
            "Robustness: the ranking was computed again many times with randomly varied "
            "weights and with inferred ratings moved one star up or down. The table shows how "
            "often each initiative lands among the best and the range of its rank. "
            "Sensitivity: the cost-benefit analysis was repeated with unit prices drawn within "
            "their uncertainty ranges; the table shows the probability of a benefit-cost ratio "
            "above 1 and the range of the net present value."))
    return out


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


# --------------------------------------------------------------------------------------------
# Word building blocks


@dataclass(frozen=True)
class Chapter:
    """One chapter of the paper: a heading, then paragraphs, bullets, figures and tables."""

    heading: str
    paragraphs: Sequence[str] = ()
    bullets: Sequence[str] = ()
    figures: Sequence[tuple[bytes, str]] = ()
    tables: Sequence[DecisionTable] = ()
    new_page: bool = False
    #: Paragraphs after the tables (e.g. a reading guide under a table).
    after: Sequence[str] = ()


def _set_cell_shading(cell: Any, hex_colour: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    props = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), hex_colour)
    props.append(shd)


def _no_wrap(cell: Any) -> None:
    from docx.oxml import OxmlElement

    cell._tc.get_or_add_tcPr().append(OxmlElement("w:noWrap"))


def _cell_text(table: DecisionTable, column: str, value: Any) -> str:
    """The cell text: the tables' display format, a non-breaking space before units."""
    return _display(table, column, value).replace(" %", "\u00a0%")


_PAD_CM = 0.45


@functools.lru_cache(maxsize=8)
def _font(bold: bool, size_pt: float) -> Any:
    """DejaVu Sans (shipped with matplotlib; LibreOffice's fallback for Calibri, and wider
    than Calibri, so widths measured with it are safe in Word too) at ``size_pt``."""
    from matplotlib import font_manager
    from PIL import ImageFont

    path = font_manager.findfont(font_manager.FontProperties(
        family="DejaVu Sans", weight="bold" if bold else "normal"))
    return ImageFont.truetype(path, size=max(1, round(size_pt * 10)))


def _width_cm(text_: str, size_pt: float, *, bold: bool = False) -> float:
    """The printed width of ``text_`` in cm (measured at 10x size for precision)."""
    return float(_font(bold, size_pt).getlength(text_)) / 10.0 / 72.0 * 2.54


def _column_widths(table: DecisionTable, avail_cm: float, font_pt: float,
                   ) -> list[float] | None:
    """Column widths (cm) such that no number and no word is broken; None if they don't fit.

    Number and star columns get the width of their longest cell; text columns the width of
    their longest word at least and share what is left in proportion to their longest cell.
    Header words are never split either.
    """
    mins, wants = [], []
    for c in table.frame.columns:
        fmt = table.format_of(c)
        cells = [_cell_text(table, c, v) for v in table.frame[c]] or [""]
        head_word = max(_width_cm(w, font_pt, bold=True) for w in str(c).split() or [""])
        if fmt != "text" or all(" " not in x for x in cells):
            w = max(_width_cm(x, font_pt) for x in cells)
            mins.append(max(w, head_word) + _PAD_CM)
            wants.append(mins[-1])
        else:
            word = max(_width_cm(w, font_pt) for x in cells for w in x.split() or [""])
            full = max(_width_cm(x, font_pt) for x in cells)
            mins.append(max(word, head_word) + _PAD_CM)
            wants.append(max(full + _PAD_CM, mins[-1]))
    if sum(mins) > avail_cm:
        return None
    widths = list(mins)
    slack = avail_cm - sum(widths)
    grow = [w - m for w, m in zip(wants, mins, strict=True)]
    if sum(grow) > 0:
        share = min(1.0, slack / sum(grow))
        widths = [m + g * share for m, g in zip(mins, grow, strict=True)]
    # what is left goes to the text columns (the table spans the text width)
    text_cols = [j for j, c in enumerate(table.frame.columns) if table.format_of(c) == "text"]
    left = avail_cm - sum(widths)
    if left > 0 and text_cols:
        base = sum(widths[j] for j in text_cols)
        for j in text_cols:
            widths[j] += left * widths[j] / base
    return widths


def _layout(table: DecisionTable) -> tuple[str, float, list[float]]:
    """(orientation, font size, widths): portrait when it fits, else landscape, else smaller."""
    for orient, font in (("portrait", 8.0), ("portrait", 7.0), ("landscape", 8.0),
                         ("landscape", 7.0), ("landscape", 6.0)):
        widths = _column_widths(table, _TEXT_WIDTH_CM[orient], font)
        if widths is not None:
            return orient, font, widths
    widths = _column_widths(table, 1e9, 6.0) or []
    scale = _TEXT_WIDTH_CM["landscape"] / sum(widths)
    return "landscape", 6.0, [w * scale for w in widths]


def _set_orientation(doc: Any, orient: str) -> None:
    """Start a new section (on a new page) when ``orient`` differs from the current one."""
    from docx.enum.section import WD_ORIENT, WD_SECTION

    current = doc.sections[-1]
    want = WD_ORIENT.LANDSCAPE if orient == "landscape" else WD_ORIENT.PORTRAIT
    if current.orientation == want:
        return
    sec = doc.add_section(WD_SECTION.NEW_PAGE)
    _page_setup(sec, orient)
    sec.different_first_page_header_footer = False


def _page_setup(sec: Any, orient: str) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm

    if orient == "landscape":
        sec.orientation = WD_ORIENT.LANDSCAPE
        sec.page_width, sec.page_height = Cm(29.7), Cm(21.0)
        sec.left_margin = sec.right_margin = Cm(2.0)
        sec.top_margin = sec.bottom_margin = Cm(1.8)
    else:
        sec.orientation = WD_ORIENT.PORTRAIT
        sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
        sec.left_margin = sec.right_margin = Cm(2.2)
        sec.top_margin = sec.bottom_margin = Cm(2.0)


def _docx_table(doc: Any, table: DecisionTable, number: int, lang: str, *,
                new_page: bool = False, spacer: bool = True) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    orient, font, widths = _layout(table)
    before = len(doc.sections)
    _set_orientation(doc, orient)
    label = "Tabel" if lang == "da" else "Table"
    cap = doc.add_paragraph(f"{label} {number}: {table.title}", style="Caption")
    cap.paragraph_format.keep_with_next = True
    if new_page and len(doc.sections) == before:
        cap.paragraph_format.page_break_before = True
    cols = list(table.frame.columns)
    t = doc.add_table(rows=1, cols=len(cols))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    t._tbl.tblPr.append(layout)
    numeric = {c for c in cols if table.format_of(c) in FORMATS
               and FORMATS[table.format_of(c)] is not None}
    for j, c in enumerate(cols):
        cell = t.rows[0].cells[j]
        cell.text = ""
        run = cell.paragraphs[0].add_run(str(c))
        run.bold = True
        run.font.size = Pt(font)
        if c in numeric:
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _set_cell_shading(cell, "DCE6F1")
    for _, row in table.frame.iterrows():
        cells = t.add_row().cells
        for j, c in enumerate(cols):
            para = cells[j].paragraphs[0]
            run = para.add_run(_cell_text(table, c, row[c]))
            run.font.size = Pt(font)
            fmt = table.format_of(c)
            if fmt == "stars":
                run.font.name = "DejaVu Sans"
                run.font.size = Pt(font - 0.5)
                _no_wrap(cells[j])
            if c in numeric:
                para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                _no_wrap(cells[j])
    for j, w in enumerate(widths):
        width = Cm(w)
        t.columns[j].width = width  # the table grid (LibreOffice reads this)
        for cell in t.columns[j].cells:
            cell.width = width
    # the header row repeats on each page; rows do not split across pages
    for k, r in enumerate(t.rows):
        tr_pr = r._tr.get_or_add_trPr()
        if k == 0:
            el = OxmlElement("w:tblHeader")
            el.set(qn("w:val"), "true")
            tr_pr.append(el)
        tr_pr.append(OxmlElement("w:cantSplit"))
        # the last rows stay together: no lone row on a page of its own
        last = len(t.rows) - (0 if table.notes else 1)
        if k > 0 and len(t.rows) - 4 <= k < last:
            for cell in r.cells:
                cell.paragraphs[0].paragraph_format.keep_with_next = True
    for j, note in enumerate(table.notes):
        p = doc.add_paragraph()
        r = p.add_run(note)
        r.italic = True
        r.font.size = Pt(8)
        p.paragraph_format.space_after = Pt(0)
        p.paragraph_format.keep_together = True
        p.paragraph_format.keep_with_next = j < len(table.notes) - 1
    if spacer:
        doc.add_paragraph()


def _field(paragraph: Any, instr: str, cached: str) -> None:
    """A complex field (e.g. PAGE) in ``paragraph`` with a cached result."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def char(kind: str) -> Any:
        r = paragraph.add_run()
        fc = OxmlElement("w:fldChar")
        fc.set(qn("w:fldCharType"), kind)
        r._r.append(fc)
        return r

    char("begin")
    r = paragraph.add_run()
    it = OxmlElement("w:instrText")
    it.set(qn("xml:space"), "preserve")
    it.text = f" {instr} "
    r._r.append(it)
    char("separate")
    paragraph.add_run(cached)
    char("end")


def _footer(sec: Any, lang: str, title: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    para = sec.footer.paragraphs[0]
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = para.add_run(f"{title} · {_t(lang, 'Side', 'Page')} ")
    run.font.size = Pt(8)
    _field(para, "PAGE", "1")
    tail = para.add_run(f" {_t(lang, 'af', 'of')} ")
    tail.font.size = Pt(8)
    _field(para, "NUMPAGES", "1")
    for r in para.runs:
        r.font.size = Pt(8)


def _set_language(doc: Any, lang: str) -> None:
    """The document language (docDefaults and the Normal style): da-DK or en-GB."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    code = "da-DK" if lang == "da" else "en-GB"
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    targets = []
    if defaults is not None:
        rpr_default = defaults.find(qn("w:rPrDefault"))
        if rpr_default is not None:
            targets.append(rpr_default.find(qn("w:rPr")))
    targets.append(doc.styles["Normal"].element.get_or_add_rPr())
    for rpr in targets:
        if rpr is None:
            continue
        el = rpr.find(qn("w:lang"))
        if el is None:
            el = OxmlElement("w:lang")
            rpr.append(el)
        el.set(qn("w:val"), code)
        el.set(qn("w:eastAsia"), code)
        el.set(qn("w:bidi"), "ar-SA")


def paper_date() -> dt.date:
    """The paper's date: ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date()
    return dt.date.today()


_MONTHS_DA = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
              "september", "oktober", "november", "december")


def _date_text(d: dt.date, lang: str) -> str:
    if lang == "da":
        return f"{d.day}. {_MONTHS_DA[d.month - 1]} {d.year}"
    return d.strftime("%-d %B %Y")


def _normalise(data: bytes, stamp: dt.datetime) -> bytes:
    """Fixed zip timestamps and core dates (``stamp``): equal content gives equal bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            new = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            new.compress_type = zipfile.ZIP_DEFLATED
            new.external_attr = 0o600 << 16
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                              rb"\g<1>" + iso + rb"\g<2>", body)
            dst.writestr(new, body)
    return buf.getvalue()


def _add_figure(doc: Any, png: bytes, caption: str, number: int, lang: str) -> None:
    from docx.shared import Cm
    from PIL import Image

    with Image.open(io.BytesIO(png)) as im:
        aspect = im.height / im.width
    width = min(16.5, 22.5 / aspect)  # at most 22.5 cm tall: figure and caption on one page
    doc.add_picture(io.BytesIO(png), width=Cm(width))
    pic = doc.paragraphs[-1]
    pic.alignment = 1
    pic.paragraph_format.keep_with_next = True
    doc.add_paragraph(f"{_t(lang, 'Figur', 'Figure')} {number}: {caption}", style="Caption")


def to_docx(
    tables: Sequence[DecisionTable],
    *,
    title: str | None = None,
    lang: str = "da",
    method_note: str | None = None,
    figures: Sequence[tuple[bytes, str]] = (),
    uncertainty: Sequence[str] | None = None,
    weights_label: str | None = None,
    chapters: Sequence[Chapter] | None = None,
    date: dt.date | None = None,
    versions: Sequence[str] = (),
    subject: str | None = None,
) -> bytes:
    """The decision paper as a Word file.

    Parameters
    ----------
    tables : sequence of DecisionTable
        Used when ``chapters`` is not given: tables in order, after the method and figures.
    title : str, optional
        Document title (default: "Mobilitetsindsatser i hovedstadsområdet").
    lang : {"da", "en"}
    method_note, figures, uncertainty, weights_label
        The default chapters (when ``chapters`` is not given).
    chapters : sequence of Chapter, optional
        The body of the paper after the title page (figures and tables are numbered through).
    date : datetime.date, optional
        Shown on the title page and stored as the created date (default :func:`paper_date`).
    versions : sequence of str
        Version lines on the title page.
    subject : str, optional
        The document's subject property.

    Returns
    -------
    bytes
        The .docx file (reproducible for a given date).
    """
    from docx import Document
    from docx.enum.text import WD_BREAK
    from docx.shared import Pt

    _check_lang(lang)
    date = date or paper_date()
    title = title or _t(lang, "Mobilitetsindsatser i hovedstadsområdet",
                        "Mobility initiatives in the Capital Region")
    if chapters is None:
        method = [method_note or _default_method_note(lang)]
        if weights_label:
            method.append(f"{_t(lang, 'Vægte', 'Weights')}: {weights_label}.")
        chapters = [
            Chapter(_t(lang, "Metode", "Method"), paragraphs=method, figures=figures),
            Chapter(_t(lang, "Tabeller", "Tables"), tables=tables),
            Chapter(_t(lang, "Kilder og usikkerhed", "Sources and uncertainty"),
                    bullets=uncertainty if uncertainty is not None
                    else _default_uncertainty(lang)),
        ]
    doc = Document()
    first = doc.sections[0]
    _page_setup(first, "portrait")
    first.different_first_page_header_footer = True
    _footer(first, lang, title)
    _set_language(doc, lang)
    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10)
    normal.paragraph_format.widow_control = True
    # title page
    doc.add_heading(title, level=0)
    sub = doc.add_paragraph(_t(lang, "Beslutningsgrundlag", "Decision paper"))
    sub.runs[0].italic = True
    sub.runs[0].font.size = Pt(14)
    doc.add_paragraph(_date_text(date, lang)).runs[0].font.size = Pt(12)
    for line in versions:
        p = doc.add_paragraph(line)
        p.paragraph_format.space_after = Pt(0)
        p.runs[0].font.size = Pt(9)
    fig_no = tab_no = 0
    for k, ch in enumerate(chapters):
        # a chapter that is only tables starts in its first table's orientation
        only_tables = ch.tables and not (ch.paragraphs or ch.bullets or ch.figures)
        orient = _layout(ch.tables[0])[0] if only_tables else "portrait"
        current = "landscape" if doc.sections[-1].page_width > doc.sections[-1].page_height \
            else "portrait"
        if (k == 0 or ch.new_page) and current == orient:
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        else:
            _set_orientation(doc, orient)
        h = doc.add_heading(ch.heading, level=1)
        h.paragraph_format.keep_with_next = True
        for text_ in ch.paragraphs:
            doc.add_paragraph(text_)
        for j, b in enumerate(ch.bullets):
            p = doc.add_paragraph(b, style="List Bullet")
            # the list stays together: no lone bullet on the next page
            p.paragraph_format.keep_with_next = j < len(ch.bullets) - 1
            p.paragraph_format.keep_together = True
        for png, caption in ch.figures:
            fig_no += 1
            _add_figure(doc, png, caption, fig_no, lang)
        # a long table after another starts a new page (no empty spacer before it, which
        # could otherwise spill onto a page of its own)
        breaks = [j > 0 and len(tab.frame) > 12 for j, tab in enumerate(ch.tables)]
        for j, tab in enumerate(ch.tables):
            tab_no += 1
            _docx_table(doc, tab, tab_no, lang, new_page=breaks[j],
                        spacer=not (j + 1 < len(breaks) and breaks[j + 1]))
        for text_ in ch.after:
            doc.add_paragraph(text_)
    props = doc.core_properties
    stamp = dt.datetime(date.year, date.month, date.day)
    props.created = stamp
    props.modified = stamp
    props.last_printed = stamp
    props.author = "mobility"
    props.last_modified_by = "mobility"
    props.revision = 1
    props.title = title
    props.subject = subject or _t(lang, "Beslutningsgrundlag for tværgående mobilitetsindsatser",
                                  "Decision paper on cross-municipal mobility initiatives")
    props.language = "da-DK" if lang == "da" else "en-GB"
    buf = io.BytesIO()
    doc.save(buf)
    return _normalise(buf.getvalue(), stamp)


# --------------------------------------------------------------------------------------------
# PDF through LibreOffice


def soffice_path() -> str | None:
    """The LibreOffice executable (``soffice`` or ``libreoffice`` on PATH), or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(docx: str | os.PathLike[str], pdf: str | os.PathLike[str], *,
           timeout: float = PDF_TIMEOUT_S) -> Path:
    """Convert a Word file to PDF with headless LibreOffice (private profile, timeout).

    The PDF is written atomically: on any failure ``pdf`` is not created or left as it was.

    Raises
    ------
    OutputError
        LibreOffice is not installed, fails, or takes longer than ``timeout`` seconds.
    """
    exe = soffice_path()
    src = Path(docx)
    if exe is None:
        msg = (f"cannot write {Path(pdf)}: LibreOffice (soffice) is not installed; install "
               "it (Debian/Ubuntu: apt-get install libreoffice-writer-nogui) or run without "
               "--pdf")
        raise OutputError(msg)
    with tempfile.TemporaryDirectory(prefix="mobility-pdf-") as tmp:
        profile = Path(tmp) / "profile"
        outdir = Path(tmp) / "out"
        outdir.mkdir()
        cmd = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--convert-to", "pdf", "--outdir", str(outdir), str(src)]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            msg = f"cannot write {Path(pdf)}: LibreOffice took longer than {timeout:g} s"
            raise OutputError(msg) from None
        made = outdir / (src.stem + ".pdf")
        if proc.returncode != 0 or not made.is_file() or made.stat().st_size == 0:
            detail = (err or out).decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
            msg = (f"cannot write {Path(pdf)}: LibreOffice failed to convert {src.name} "
                   f"(exit {proc.returncode}) {detail[0]}").strip()
            raise OutputError(msg)
        return write_bytes(pdf, made.read_bytes())


# --------------------------------------------------------------------------------------------
# Content of a run's paper


def _catalogue_fingerprint(view: RunView) -> str:
    h = hashlib.blake2b(digest_size=4)
    for ident, init in sorted(view.initiatives.items()):
        h.update(str(ident).encode())
        h.update(init.model_dump_json().encode())
    return h.hexdigest()


def _versions(view: RunView, prices_version: str | None) -> list[str]:
    from .. import __version__

    lang = view.lang
    lines = [f"mobility {__version__}",
             _t(lang, f"Indsatskatalog: {len(view.initiatives)} indsatser (fingeraftryk "
                      f"{_catalogue_fingerprint(view)})",
                f"Catalogue: {len(view.initiatives)} initiatives (fingerprint "
                f"{_catalogue_fingerprint(view)})")]
    if prices_version:
        lines.append(_t(lang, f"Enhedspriser: version {prices_version}",
                        f"Unit prices: version {prices_version}"))
    lines.append(_t(lang, f"Vægte: {view.weights_description}",
                    f"Weights: {view.weights_description}"))
    return lines


@dataclass(frozen=True)
class _Appraisal:
    """The appraisal results the paper shows (any part may be missing)."""

    cba: pd.DataFrame | None = None
    sensitivity: pd.DataFrame | None = None
    robustness: pd.DataFrame | None = None
    prices_version: str | None = None
    notes: tuple[str, ...] = field(default=())


def cba_hook(view: RunView) -> tuple[pd.DataFrame | None, pd.DataFrame | None, str | None]:
    """The cost-benefit table and its sensitivity for the paper: (cba, sensitivity, version).

    Uses :func:`mobility.appraisal.economics.cba_table` and
    :func:`mobility.appraisal.sensitivity.sensitivity` on the run's network effects; both are
    None without network results (nothing to appraise).
    """
    from ..appraisal.cba import load_unit_prices

    prices = load_unit_prices()
    if view.effects is None:
        return None, None, prices.version
    from ..appraisal.economics import cba_table
    from ..appraisal.sensitivity import sensitivity

    table = cba_table(view.initiatives, network=False, effects=view.effects, prices=prices)
    sens = sensitivity(view.initiatives, network=False, effects=view.effects, prices=prices,
                       runs=300, top_k=5)
    return table, sens, prices.version


def _appraise(view: RunView) -> _Appraisal:
    from ..appraisal.robustness import robustness

    cba_t, sens, version = cba_hook(view)
    weights = view.scores.attrs.get("weights", "equal")
    rob = robustness(view.initiatives, weights=weights,
                     stars=view.scores.attrs.get("stars", "catalogue"))
    return _Appraisal(cba_t, sens, rob, version)


def _name(view: RunView, ident: int) -> str:
    row = view.rows.get(ident)
    return row.name if row is not None else str(ident)


def _cba_decision_table(view: RunView, table: pd.DataFrame) -> DecisionTable:
    lang = view.lang
    rows = []
    for ident, r in table.iterrows():
        modelled = r["effects_source"] != "not_modelled"
        status = "" if modelled else _t(lang, "ikke modelleret", "not modelled")
        if modelled and pd.isna(r["npv_mdkk"]):
            status = _t(lang, "ukendt anlæg", "cost unknown")
        rows.append({
            _t(lang, "Nr.", "No."): int(ident),
            _t(lang, "Indsats", "Initiative"): _name(view, int(ident)),
            _t(lang, "Anlæg, mio. kr.", "Cost, DKK m"): r["cost_mdkk"],
            _t(lang, "Nutidsværdi, mio. kr.", "NPV, DKK m"): r["npv_mdkk"],
            _t(lang, "B/C-forhold", "Benefit-cost ratio"): r["bcr"],
            _t(lang, "Intern rente, %", "IRR, %"): r["irr_pct"],
            _t(lang, "Katalogets rente, %", "Catalogue IRR, %"): r["catalogue_irr_pct"],
            _t(lang, "Bemærkning", "Note"): status,
        })
    frame = pd.DataFrame(rows)
    cols = list(frame.columns)
    formats = {cols[0]: "int", cols[2]: "int", cols[3]: "int", cols[4]: "dec2", cols[5]: "dec1",
               cols[6]: "dec1"}
    notes = (
        _t(lang, "Nutidsværdi og B/C-forhold med den lave CO2-pris; den enkelte indsats "
                 "vurderes som tillæg til dens forudsætninger. Katalogets rente er den interne "
                 "rente, som kataloget oplyser.",
           "Net present value and benefit-cost ratio with the low CO2 price; each initiative "
           "is appraised as an increment over its prerequisites. The catalogue IRR is the "
           "internal rate of return the catalogue states."),
    )
    return DecisionTable("cba", _t(lang, "Samfundsøkonomisk analyse pr. indsats",
                                   "Cost-benefit analysis by initiative"),
                         frame, formats, notes, lang)


def _sensitivity_table(view: RunView, sens: pd.DataFrame) -> DecisionTable | None:
    lang = view.lang
    sens = sens[sens["p_bcr_above_1"].notna()]
    if sens.empty:
        return None
    rows = []
    for ident, r in sens.iterrows():
        rows.append({
            _t(lang, "Nr.", "No."): int(ident),
            _t(lang, "Indsats", "Initiative"): _name(view, int(ident)),
            _t(lang, "Nutidsværdi, mio. kr.", "NPV, DKK m"): r["npv_mdkk"],
            _t(lang, "5 %-fraktil", "5th percentile"): r["npv_p5_mdkk"],
            _t(lang, "95 %-fraktil", "95th percentile"): r["npv_p95_mdkk"],
            _t(lang, "Sandsynlighed for B/C over 1", "Probability of BCR above 1"):
                r["p_bcr_above_1"],
        })
    frame = pd.DataFrame(rows)
    cols = list(frame.columns)
    formats = {cols[0]: "int", cols[2]: "int", cols[3]: "int", cols[4]: "int", cols[5]: "pct0"}
    runs = sens.attrs.get("runs", 0)
    notes = (_t(lang, f"{format_number(runs, 0, lang)} beregninger med enhedspriser trukket "
                      "inden for deres intervaller (trekantfordeling). Nutidsværdier i mio. kr.",
                f"{format_number(runs, 0, lang)} runs with unit prices drawn within their "
                "ranges (triangular distribution). Net present values in DKK m."),)
    return DecisionTable("sensitivity", _t(lang, "Følsomhed af den samfundsøkonomiske analyse",
                                           "Sensitivity of the cost-benefit analysis"),
                         frame, formats, notes, lang)


def _robustness_table(view: RunView, rob: pd.DataFrame) -> DecisionTable:
    lang = view.lang
    k = int(rob.attrs.get("top_k", 10))
    rows = []
    for ident, r in rob.iterrows():
        lo, hi = int(r["rank_low"]), int(r["rank_high"])
        rows.append({
            _t(lang, "Nr.", "No."): int(ident),
            _t(lang, "Indsats", "Initiative"): _name(view, int(ident)),
            _t(lang, "Placering", "Rank"): int(r["base_rank"]),
            _t(lang, "Score", "Score"): r["base_score"],
            _t(lang, f"Andel blandt top {k}", f"Share in top {k}"): r["p_top_k"],
            _t(lang, "Placering, interval", "Rank, range"): f"{lo}–{hi}" if lo != hi else str(lo),
        })
    frame = pd.DataFrame(rows)
    cols = list(frame.columns)
    formats = {cols[0]: "int", cols[2]: "int", cols[3]: "dec2", cols[4]: "pct0"}
    runs = int(rob.attrs.get("runs", 0))
    notes = (_t(lang, f"{format_number(runs, 0, lang)} beregninger med tilfældigt varierede "
                      "vægte og udledte vurderinger. Intervallet dækker 90 % af beregningerne.",
                f"{format_number(runs, 0, lang)} runs with randomly varied weights and "
                "inferred ratings. The range covers 90 % of the runs."),)
    return DecisionTable("robustness", _t(lang, "Robusthed af rangordningen",
                                          "Robustness of the ranking"),
                         frame, formats, notes, lang)


def _paper_tables(view: RunView, tables: Sequence[DecisionTable]) -> list[DecisionTable]:
    """The run's decision tables as the paper shows them: short headers and notes in the
    paper's language (the bundle warnings are summarised, the per-bundle incidence columns
    carry only the bundle name)."""
    out = []
    lang = view.lang
    for tab in tables:
        if tab.key in ("kommuner", "municipalities") or "municipal" in tab.key:
            suffix = re.compile(r":\s*[^:]*$")
            renamed = {c: suffix.sub("", c) if ":" in str(c) else c for c in tab.frame.columns}
            frame = tab.frame.rename(columns=renamed)
            formats = {renamed.get(c, c): f for c, f in tab.formats.items()}
            notes = (_t(lang, "Personminutter sparet pr. hverdag for indbyggerne i hver kommune "
                              "(netværksmodel), én kolonne pr. pakke. Indbyggere 2021K1, "
                              "Danmarks Statistik.",
                        "Person-minutes saved per weekday for the residents of each "
                        "municipality (network model), one column per bundle. Population "
                        "2021Q1, Statistics Denmark."),)
            out.append(replace(tab, frame=frame, formats=formats, notes=notes))
        elif tab.notes and any(" not representable " in n for n in tab.notes):
            keep = tuple(n for n in tab.notes if " not representable " not in n)
            out.append(replace(tab, notes=keep + _not_modelled_notes(view)))
        else:
            out.append(tab)
    return out


def _not_modelled_notes(view: RunView) -> tuple[str, ...]:
    lang = view.lang
    notes = []
    for row in view.bundle_rows:
        missing = [i for i in row.initiatives
                   if (r := view.rows.get(i)) is not None and r.modelled is False]
        if missing:
            notes.append(_t(lang, f"{row.name}: indsats {', '.join(map(str, missing))} kan ikke "
                                  "afbildes i netværksmodellen og indgår ikke i netværkstallene.",
                            f"{row.name}: initiative(s) {', '.join(map(str, missing))} cannot "
                            "be represented in the network model and are left out of the "
                            "network figures."))
    return tuple(notes)


def _summary(view: RunView, app: _Appraisal) -> list[str]:
    """The key results as neutral statements (no recommendation)."""
    lang = view.lang
    n = len(view.initiatives)
    scored = [r for r in view.rows.values() if r.score is not None]
    out = []
    costs = [r.cost_mdkk for r in view.rows.values() if r.cost_mdkk is not None]
    out.append(_t(
        lang,
        f"Kataloget rummer {n} indsatser. {len(costs)} har et anlægsoverslag, i alt "
        f"{format_number(sum(costs), 0, lang)} mio. kr. (fra {format_number(min(costs), 0, lang)}"
        f" til {format_number(max(costs), 0, lang)} mio. kr. pr. indsats).",
        f"The catalogue holds {n} initiatives. {len(costs)} have a cost estimate, in total DKK "
        f"{format_number(sum(costs), 0, lang)} m (from {format_number(min(costs), 0, lang)} to "
        f"{format_number(max(costs), 0, lang)} m per initiative).") if costs else
        _t(lang, f"Kataloget rummer {n} indsatser.", f"The catalogue holds {n} initiatives."))
    if scored:
        top = sorted(scored, key=lambda r: (r.rank or 999, r.id))[:3]
        names = "; ".join(f"{r.name} ({format_number(r.score, 2, lang)})" for r in top)
        lo = min(r.score for r in scored)
        hi = max(r.score for r in scored)
        out.append(_t(
            lang,
            f"Med {view.weights_label} ligger scoren mellem {format_number(lo, 2, lang)} og "
            f"{format_number(hi, 2, lang)} af 5. De tre højeste scorer: {names}.",
            f"With {view.weights_label} the score ranges from {format_number(lo, 2, lang)} to "
            f"{format_number(hi, 2, lang)} out of 5. The three highest scores: {names}."))
    if app.robustness is not None:
        k = int(app.robustness.attrs.get("top_k", 10))
        stable = int((app.robustness["p_top_k"] >= 0.9).sum())
        out.append(_t(
            lang,
            f"Når vægtene og de udledte vurderinger varieres, ligger {stable} indsatser blandt "
            f"de {k} bedste i mindst 90 % af beregningerne.",
            f"When the weights and the inferred ratings vary, {stable} initiatives are among "
            f"the best {k} in at least 90 % of the runs."))
    if app.cba is not None:
        c = app.cba
        modelled = c[c["effects_source"] != "not_modelled"]
        with_npv = modelled[modelled["npv_mdkk"].notna()]
        viable = int((with_npv["bcr"] > 1).sum())
        out.append(_t(
            lang,
            f"Den samfundsøkonomiske analyse omfatter {len(with_npv)} af {n} indsatser; de "
            f"øvrige kan ikke afbildes i netværksmodellen ({n - len(modelled)}, fx "
            "cykelstier og parkér og rejs) eller mangler et anlægsoverslag "
            f"({len(modelled) - len(with_npv)}). {viable} har et B/C-forhold over 1.",
            f"The cost-benefit analysis covers {len(with_npv)} of {n} initiatives; the others "
            f"cannot be represented in the network model ({n - len(modelled)}, e.g. cycle "
            "superhighways and park-and-ride) or lack a cost estimate "
            f"({len(modelled) - len(with_npv)}). {viable} have a benefit-cost ratio above 1."))
        if app.sensitivity is not None:
            s = app.sensitivity
            sure = int((s["p_bcr_above_1"] >= 0.9).sum())
            out.append(_t(
                lang,
                f"Når enhedspriserne varieres inden for deres usikkerhed, har {sure} indsatser "
                "et B/C-forhold over 1 i mindst 90 % af beregningerne.",
                f"When the unit prices vary within their uncertainty, {sure} initiatives have a "
                "benefit-cost ratio above 1 in at least 90 % of the runs."))
    pm = [(r.name, r.person_minutes_saved_per_day, r.cost_mdkk) for r in view.bundle_rows
          if r.person_minutes_saved_per_day is not None]
    if pm:
        best = max(pm, key=lambda x: x[1])
        worst = min(pm, key=lambda x: x[1])
        out.append(_t(
            lang,
            f"{len(view.bundle_rows)} pakker er sammenlignet. Netværksmodellen giver fra "
            f"{format_number(worst[1], 0, lang)} personminutter pr. hverdag ({worst[0]}) til "
            f"{format_number(best[1], 0, lang)} ({best[0]}); et negativt tal betyder længere "
            "rejsetid i alt.",
            f"{len(view.bundle_rows)} bundles are compared. The network model gives from "
            f"{format_number(worst[1], 0, lang)} person-minutes per weekday ({worst[0]}) to "
            f"{format_number(best[1], 0, lang)} ({best[0]}); a negative figure means longer "
            "travel times in total."))
    missing = [r for r in view.rows.values() if r.modelled is False]
    if missing and app.cba is None:
        out.append(_t(
            lang,
            f"{len(missing)} indsatser kan ikke afbildes i netværksmodellen (fx cykelstier og "
            "parkér og rejs); de indgår med katalogets vurderinger, men uden beregnede "
            "rejsetidseffekter.",
            f"{len(missing)} initiatives cannot be represented in the network model (e.g. "
            "cycle superhighways and park-and-ride); they are included with the catalogue's "
            "ratings but without computed travel-time effects."))
    out.append(_t(
        lang,
        "Notatet giver ingen anbefaling. Resultaterne er overordnede skøn og bør læses sammen "
        "med afsnittet om kilder og usikkerhed.",
        "The paper makes no recommendation. The results are sketch-planning estimates and "
        "should be read with the section on sources and uncertainty."))
    return out


def _uncertainty(view: RunView, app: _Appraisal) -> list[str]:
    lang = view.lang
    out = _default_uncertainty(lang)
    if app.prices_version:
        out.insert(3, _t(
            lang,
            f"Enhedspriserne (tidsværdier, kørselsomkostninger, CO2-priser, ulykker, støj m.v.) "
            f"er version {app.prices_version} med kilde for hver pris; værdier uden en "
            "offentliggjort kilde er antagelser med et lavt og et højt skøn, som "
            "følsomhedsberegningen varierer.",
            f"The unit prices (values of time, operating costs, CO2 prices, accidents, noise "
            f"etc.) are version {app.prices_version} with a source for each price; values "
            "without a published source are assumptions with a low and a high estimate, "
            "which the sensitivity analysis varies."))
    if app.sensitivity is not None:
        out.insert(4, _t(
            lang,
            "Følsomhedsberegningen varierer ikke efterspørgselsmodellens parametre "
            "(afstandsfølsomhed, valg af transportmiddel); det kræver en ny netværksberegning "
            "pr. trækning.",
            "The sensitivity analysis does not vary the parameters of the demand model "
            "(distance decay, mode choice); that needs a new network run per draw."))
    return out


def _figures(view: RunView) -> list[tuple[bytes, str]]:
    from . import charts, static_maps

    lang = view.lang
    out = [(static_maps.theme_map(view), _t(lang, "Indsatserne efter tema",
                                            "The initiatives by theme")),
           (static_maps.score_map(view), _t(lang, f"Indsatserne efter score ({view.weights_label})",
                                            f"The initiatives by score ({view.weights_label})")),
           (static_maps.bundle_maps(view), _t(lang, "Pakkernes indsatser",
                                              "The initiatives of each bundle")),
           (static_maps.municipality_maps(view),
            _t(lang, "Sparede personminutter pr. hverdag efter kommune og pakke",
               "Person-minutes saved per weekday by municipality and bundle")),
           (charts.cost_score_chart(view.scores, lang=lang, weights_label=view.weights_label),
            _t(lang, "Anlægsudgift og score", "Construction cost and score"))]
    return [(charts.figure_bytes(fig, "png"), cap) for fig, cap in out if fig is not None]


def build_chapters(view: RunView, tables: Sequence[DecisionTable],
                   app: _Appraisal | None = None) -> list[Chapter]:
    """The chapters of a run's paper (summary, method, maps, tables, appraisal, sources)."""
    lang = view.lang
    app = app if app is not None else _appraise(view)
    figs = _figures(view)
    chapters = [
        Chapter(_t(lang, "Sammenfatning", "Summary"), bullets=_summary(view, app)),
        Chapter(_t(lang, "Metode", "Method"), new_page=True,
                paragraphs=[*_method_paragraphs(lang, cba=app.cba is not None,
                                                robust=app.robustness is not None),
                            f"{_t(lang, 'Vægte', 'Weights')}: {view.weights_description}."]),
        Chapter(_t(lang, "Kort og figurer", "Maps and figures"), new_page=True, figures=figs),
        Chapter(_t(lang, "Tabeller", "Tables"), new_page=True,
                tables=_paper_tables(view, tables)),
    ]
    appraisal: list[DecisionTable] = []
    if app.cba is not None:
        appraisal.append(_cba_decision_table(view, app.cba))
    if app.sensitivity is not None:
        sens = _sensitivity_table(view, app.sensitivity)
        if sens is not None:
            appraisal.append(sens)
    if app.robustness is not None:
        appraisal.append(_robustness_table(view, app.robustness))
    if appraisal:
        chapters.append(Chapter(_t(lang, "Samfundsøkonomi og robusthed",
                                   "Cost-benefit analysis and robustness"),
                                new_page=True, tables=appraisal))
    chapters.append(Chapter(_t(lang, "Kilder og usikkerhed", "Sources and uncertainty"),
                            new_page=True, bullets=_uncertainty(view, app)))
    return chapters


def _bundle_names(view: RunView) -> dict[str, str]:
    """Bundle name as evaluated (Danish) -> the name in the paper's language."""
    if view.lang == "da":
        return {}
    out = {}
    for key, b in view.bundles.items():
        ev = view.evaluations.get(key)
        name = str(getattr(ev, "name", None) or getattr(b, "name", ""))
        en = getattr(b, "name_en", None)
        if en:
            out[name] = str(en)
    return out


def _translate(view: RunView, tables: Sequence[DecisionTable],
               ) -> tuple[RunView, list[DecisionTable]]:
    """The view and tables with bundle names in the paper's language (English names)."""
    names = _bundle_names(view)
    if not names:
        return view, list(tables)

    def en(text_: str) -> str:
        for da, english in sorted(names.items(), key=lambda kv: -len(kv[0])):
            if text_ == da or text_.startswith(da + ":"):
                return english + text_[len(da):]
        return text_

    view = replace(
        view,
        bundle_rows=tuple(replace(r, name=en(r.name)) for r in view.bundle_rows),
        municipality_rows=tuple(replace(m, person_minutes_by_bundle={
            en(k): v for k, v in m.person_minutes_by_bundle.items()})
            for m in view.municipality_rows))
    out = []
    for tab in tables:
        frame = tab.frame.rename(columns=lambda c: en(str(c)))
        for c in frame.columns:
            if tab.format_of(c) == "text":
                frame[c] = frame[c].map(lambda v: en(v) if isinstance(v, str) else v)
        formats = {en(str(c)): f for c, f in tab.formats.items()}
        notes = tuple(en(n) for n in tab.notes)
        out.append(replace(tab, frame=frame, formats=formats, notes=notes))
    return view, out


def paper_bytes(view: RunView, tables: Sequence[DecisionTable], *,
                date: dt.date | None = None) -> bytes:
    """The Word paper of a run."""
    view, tables = _translate(view, tables)
    app = _appraise(view)
    return to_docx((), lang=view.lang, chapters=build_chapters(view, tables, app), date=date,
                   versions=_versions(view, app.prices_version))


# --------------------------------------------------------------------------------------------
# Writer


def write_docx(tables: Sequence[DecisionTable], path: str | os.PathLike[str],
               **kwargs: Any) -> Path:
    """Write the Word decision paper (see :func:`to_docx` for the keyword arguments)."""
    return write_bytes(path, to_docx(tables, **kwargs))


def render(view: RunView, stage: Path, tables: Sequence[DecisionTable], *,
           pdf: bool = False) -> list[Entry]:
    """Write ``decision-paper.docx`` (and with ``pdf`` ``decision-paper.pdf``) into ``stage``.

    Raises
    ------
    OutputError
        ``pdf`` is set and LibreOffice is missing or fails (the caller's staging folder is then
        discarded, so nothing is published).
    """
    lang = view.lang
    if pdf and soffice_path() is None:
        to_pdf(stage / "decision-paper.docx", stage / "decision-paper.pdf")  # raises
    docx_path = write_bytes(stage / "decision-paper.docx", paper_bytes(view, tables))
    entries = [Entry(section("tables", lang), _t(lang, "Beslutningsnotat (Word)",
                                                 "Decision paper (Word)"), "decision-paper.docx")]
    if pdf:
        to_pdf(docx_path, stage / "decision-paper.pdf")
        entries.append(Entry(section("tables", lang), _t(lang, "Beslutningsnotat (PDF)",
                                                         "Decision paper (PDF)"),
                             "decision-paper.pdf"))
    return entries

