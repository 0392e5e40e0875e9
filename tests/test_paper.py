"""Tests of the decision paper (mobility.outputs.paper) and its static maps.

The paper of the shipped catalogue and bundles is built once per language by the main job with a
fast fake network engine (so the CBA, sensitivity and per-municipality maps have numbers). The
LibreOffice tests convert it to PDF and check page count, page numbers, language and unbroken
numbers; they skip with a reason where ``soffice`` is not installed. Page images are kept under
``test-artifacts/paper/`` (``pdftoppm`` from poppler-utils).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from mobility.cli import cli
from mobility.errors import OutputError
from mobility.outputs import paper, static_maps
from mobility.run import run

from .appraisal_support import FakeNetwork

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "paper"
needs_soffice = pytest.mark.skipif(paper.soffice_path() is None,
                                   reason="LibreOffice (soffice) is not installed")

#: Common English words that never occur in Danish running text.
ENGLISH_WORDS = {"the", "and", "of", "which", "is", "with", "are", "that", "this", "from",
                 "by", "were", "was", "have", "has", "in", "not", "or", "these", "their",
                 "cannot", "between", "left", "out", "network", "bundle", "initiative",
                 "initiatives", "would", "should", "be", "it", "its", "than"}
#: Proper names in the Danish paper that contain such words (none at present).
PROPER_NAMES: tuple[str, ...] = ()

NUMBER = re.compile(r"^-?\d[\d.,]*(?:\u00a0%)?$")


def _fake_network() -> FakeNetwork:
    """Every shipped initiative saves some person-minutes; the cycle and park-and-ride
    initiatives are not representable (as in the real model)."""
    base = {i: 1500.0 * ((i * 7) % 11 + 1) for i in range(1, 34)}
    base[32] = -40_000.0  # road user charging: longer generalised times
    return FakeNetwork(base, excluded={19, 20, 21, 22}, reach={
        1: [101, 157, 219], 11: [219], 16: [219], 17: [219], 12: [101, 147]})


#: Three of the shipped bundles (all seven make the same paper, only slower).
BUNDLES = [Path(__file__).resolve().parents[1] / "initiatives" / "bundles" / f"{b}.yaml"
           for b in ("brt-network", "climate-package", "north-zealand-rail")]


def _run(root: Path, lang: str) -> Path:
    out = root / lang
    run(out, lang=lang, offline=True, network=_fake_network(), bundles=BUNDLES,
        pdf=paper.soffice_path() is not None)
    return out


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The main job in Danish (with PDF where LibreOffice exists)."""
    return {"da": _run(tmp_path_factory.mktemp("paper"), "da")}


@pytest.fixture(scope="module")
def runs_en(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The main job in English (with PDF where LibreOffice exists)."""
    return {"en": _run(tmp_path_factory.mktemp("paper-en"), "en")}


def _pdf_text(pdf: Path, *, layout: bool = True) -> list[str]:
    """The text of each page (pdftotext where installed, else pypdf)."""
    if shutil.which("pdftotext"):
        args = ["pdftotext", "-enc", "UTF-8"] + (["-layout"] if layout else [])
        text = subprocess.run([*args, str(pdf), "-"], check=True, capture_output=True,
                              text=True).stdout
        return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")
    from pypdf import PdfReader

    mode = "layout" if layout else "plain"
    return [p.extract_text(extraction_mode=mode) for p in PdfReader(str(pdf)).pages]


def _blank_pages(pages: list[str], footer: str) -> list[int]:
    """Pages (1-based) with no text besides the footer."""
    return [k for k, text in enumerate(pages, start=1)
            if not [ln for ln in text.splitlines() if ln.strip() and footer not in ln]]


def _keep_page_images(pdf: Path, name: str) -> list[Path]:
    """Render every page to PNG under test-artifacts/paper/<name>/ (needs pdftoppm)."""
    if not shutil.which("pdftoppm"):
        return []
    folder = ARTIFACTS / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shutil.copy(pdf, folder / pdf.name)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(folder / "page")],
                   check=True)
    return sorted(folder.glob("page-*.png"))


# --------------------------------------------------------------------------------------------
# Word


def test_word_paper_structure_and_properties(runs):
    path = runs["da"] / "decision-paper.docx"
    d = docx.Document(str(path))
    texts = [p.text for p in d.paragraphs]
    assert texts[0] == "Mobilitetsindsatser i hovedstadsområdet"
    for heading in ("Sammenfatning", "Metode", "Kort og figurer", "Tabeller",
                    "Samfundsøkonomi og robusthed", "Kilder og usikkerhed"):
        assert heading in texts, heading
    assert any(t.startswith("mobility ") for t in texts[:8])
    assert any(t.startswith("Enhedspriser: version ") for t in texts[:8])
    captions = [t for t in texts if re.match(r"(Tabel|Figur) \d+: ", t)]
    figures = [t for t in captions if t.startswith("Figur")]
    tables = [t for t in captions if t.startswith("Tabel")]
    assert len(figures) == len(d.inline_shapes) == 5
    assert [int(t.split()[1].rstrip(":")) for t in tables] == list(range(1, len(tables) + 1))
    assert any("Samfundsøkonomisk analyse pr. indsats" in t for t in tables)
    assert any("Følsomhed" in t for t in tables)
    assert any("Robusthed af rangordningen" in t for t in tables)
    assert len(d.tables) == len(tables)
    # the summary is one short list with no recommendation
    start = texts.index("Sammenfatning")
    summary = texts[start + 1:texts.index("Metode")]
    summary = [t for t in summary if t]
    assert 4 <= len(summary) <= 10
    assert not any(re.search(r"\b(anbefal(er|es)|bør vælges|vi foreslår)\b", t, re.I)
                   for t in summary)
    # core properties and document language
    props = d.core_properties
    assert props.title == "Mobilitetsindsatser i hovedstadsområdet"
    assert props.subject and props.author == "mobility"
    assert props.created.date() == paper.paper_date()
    styles = zipfile.ZipFile(path).read("word/styles.xml").decode()
    assert 'w:val="da-DK"' in styles and 'w:val="en-US"' not in styles
    # page numbers: a PAGE field in the footer; wide tables in landscape sections
    footers = "".join(zipfile.ZipFile(path).read(n).decode()
                      for n in zipfile.ZipFile(path).namelist() if n.startswith("word/footer"))
    assert " PAGE " in footers
    assert {s.page_width > s.page_height for s in d.sections} == {True, False}
    # fixed layout and explicit widths on every table
    for t in d.tables:
        assert 'w:type="fixed"' in t._tbl.tblPr.xml
        assert all(c.width is not None for c in t.rows[0].cells)


@pytest.mark.slow
def test_english_paper(runs_en):
    path = runs_en["en"] / "decision-paper.docx"
    d = docx.Document(str(path))
    texts = [p.text for p in d.paragraphs]
    assert texts[0] == "Mobility initiatives in the Capital Region"
    assert "Summary" in texts and "Sources and uncertainty" in texts
    assert any(t.startswith("Table 1: ") for t in texts)
    assert any(t.startswith("Figure 1: ") for t in texts)
    styles = zipfile.ZipFile(path).read("word/styles.xml").decode()
    assert 'w:val="en-GB"' in styles
    # bundle names in their English form
    assert any("Climate" in t or "climate" in t for t in texts + [
        c.text for t in d.tables for r in t.rows for c in r.cells])
    assert not any("Klima- og sundhedspakken" in c.text for t in d.tables for r in t.rows
                   for c in r.cells)


def test_table_widths_fit_every_number():
    """The measured column widths leave room for the longest number of each column."""
    import pandas as pd

    from mobility.outputs.tables import DecisionTable

    frame = pd.DataFrame({"Nr.": [1, 2], "Indsats": ["En meget lang indsats med mange ord",
                                                     "Kort"],
                          "Anlæg, mio. kr.": [1_234_567.0, 5.0],
                          "Personminutter sparet pr. døgn": [-1_901_070.2, 12.0]})
    tab = DecisionTable("t", "T", frame, {"Nr.": "int", "Anlæg, mio. kr.": "int",
                                          "Personminutter sparet pr. døgn": "int"})
    widths = paper._column_widths(tab, 16.5, 8.0)
    assert widths is not None and sum(widths) == pytest.approx(16.5)
    assert widths[3] >= paper._width_cm("-1.901.070", 8.0) + paper._PAD_CM
    assert widths[3] >= paper._width_cm("Personminutter", 8.0, bold=True) + paper._PAD_CM
    assert paper._column_widths(tab, 3.0, 8.0) is None  # does not fit: caller goes landscape


# --------------------------------------------------------------------------------------------
# Static maps


@pytest.fixture(scope="module")
def view():
    from mobility.appraisal import score_initiatives
    from mobility.catalogue import read_initiatives
    from mobility.outputs.view import build_view

    inits = read_initiatives()
    return build_view(initiatives=inits, scores=score_initiatives(inits, network=False),
                      weights_label="lige vægte", weights_description="lige vægte", lang="da",
                      offline=True)


def _texts(fig):
    return [t for ax in fig.axes for t in ax.texts]


def test_static_maps_have_legend_scale_bar_north_arrow_and_apart_labels(view):
    for build in (static_maps.theme_map, static_maps.score_map):
        fig = build(view)
        fig.canvas.draw()
        ax = fig.axes[0]
        assert ax.get_legend() is not None
        strings = [t.get_text() for t in ax.texts]
        assert "N" in strings and any(s.endswith(" km") for s in strings)
        assert ax.get_xlabel() == "" and ax.get_ylabel() == ""
        labels = [t for t in ax.texts if t.get_text().isdigit() and t.get_text() != "0"]
        assert len(labels) >= 20
        boxes = [t.get_window_extent() for t in labels]
        overlaps = [(labels[i].get_text(), labels[j].get_text())
                    for i in range(len(boxes)) for j in range(i + 1, len(boxes))
                    if boxes[i].overlaps(boxes[j])]
        assert overlaps == []


def _overlapping_labels(ax):
    labels = [t for t in ax.texts if t.get_text().isdigit() and t.get_text() != "0"]
    boxes = [t.get_window_extent() for t in labels]
    return [(labels[i].get_text(), labels[j].get_text()) for i in range(len(boxes))
            for j in range(i + 1, len(boxes)) if boxes[i].overlaps(boxes[j])]


def test_bundle_maps_one_panel_per_bundle_with_apart_labels(view):
    from dataclasses import replace

    from mobility.outputs.view import BundleRow

    rows = tuple(BundleRow(key=f"b{k}", name=f"Pakke {k}", initiatives=ids, cost_mdkk=1.0,
                           score=1.0, person_minutes_saved_per_day=1.0,
                           synergy_person_minutes=0.0, municipalities_gaining=1, warnings=(),
                           evaluation={})
                 for k, ids in enumerate([(1, 2, 3, 4, 5, 6, 7), (12, 13, 14, 23, 24),
                                          (10, 11, 15, 16, 17)], start=1))
    fig = static_maps.bundle_maps(replace(view, bundle_rows=rows))
    fig.canvas.draw()
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in panels] == ["Pakke 1", "Pakke 2", "Pakke 3"]
    for ax in panels:
        strings = [t.get_text() for t in ax.texts]
        assert "N" in strings and any(s.endswith(" km") for s in strings)
        assert _overlapping_labels(ax) == []
    assert any(ax.get_legend() is not None for ax in fig.axes)


def test_static_maps_render_names_literally(view):
    from dataclasses import replace

    from mobility.outputs.view import BundleRow

    row = BundleRow(key="x", name="$x^2$ {{ name }}", initiatives=(1, 3), cost_mdkk=1.0,
                    score=1.0, person_minutes_saved_per_day=1.0, synergy_person_minutes=0.0,
                    municipalities_gaining=1, warnings=(), evaluation={})
    fig = static_maps.bundle_maps(replace(view, bundle_rows=(row,)))
    titles = [ax.get_title() for ax in fig.axes]
    assert "$x^2$ {{ name }}" in titles


# --------------------------------------------------------------------------------------------
# PDF


@needs_soffice
def test_pdf_pages_numbers_and_images(runs):
    pdf = runs["da"] / "decision-paper.pdf"
    assert pdf.is_file()
    pages = _pdf_text(pdf)
    n = len(pages)
    assert 12 <= n <= 26, n
    for k, text in enumerate(pages[1:], start=2):  # the title page has no footer
        assert f"Side {k} af {n}" in re.sub(r"\s+", " ", text), k
    assert "Side 1 af" not in pages[0]
    assert _blank_pages(pages, "Side ") == []
    # the summary is one page of its own: page 2, the method starts page 3
    assert pages[1].split()[0] == "Sammenfatning"
    assert pages[2].split()[0] == "Metode"
    # no orphan on the last page: more than one line of text besides the footer
    last = [line for line in pages[-1].splitlines() if line.strip() and "Side " not in line]
    assert len(last) >= 4, last
    images = _keep_page_images(pdf, "da")
    if shutil.which("pdftoppm"):
        assert len(images) == n


@pytest.mark.slow
@needs_soffice
def test_english_pdf_pages(runs_en):
    en = runs_en["en"] / "decision-paper.pdf"
    en_pages = _pdf_text(en)
    assert 12 <= len(en_pages) <= 26
    assert f"Page 2 of {len(en_pages)}" in re.sub(r"\s+", " ", en_pages[1])
    assert _blank_pages(en_pages, "Page ") == []
    _keep_page_images(en, "en")


@needs_soffice
def test_no_english_sentences_in_the_danish_paper(runs):
    text = " ".join(_pdf_text(runs["da"] / "decision-paper.pdf", layout=False))
    for name in PROPER_NAMES:
        text = text.replace(name, " ")
    words = re.findall(r"[A-Za-zÆØÅæøå]+", text)
    # all-capitals words are acronyms (ITS, BRT), not English running text
    hits = sorted({w for w in words if w.lower() in ENGLISH_WORDS and not w.isupper()})
    assert hits == []


@needs_soffice
def test_every_number_in_the_tables_is_unbroken_in_the_pdf(runs):
    d = docx.Document(str(runs["da"] / "decision-paper.docx"))
    # pdftotext drops the (non-breaking) space before "%" in some cells: compare without it
    pdf_text = re.sub(r"[ \u00a0]*%", "%",
                      "\n".join(_pdf_text(runs["da"] / "decision-paper.pdf")))
    numbers: dict[str, int] = {}
    header_words = set()
    for t in d.tables:
        for k, r in enumerate(t.rows):
            for c in r.cells:
                value = c.text.strip()
                if k == 0:
                    header_words |= {w for w in re.findall(r"\w+", value) if len(w) >= 4}
                elif NUMBER.match(value):
                    key = re.sub(r"[ \u00a0]*%", "%", value)
                    numbers[key] = numbers.get(key, 0) + 1
    assert len(numbers) > 100
    broken = {}
    for number, count in numbers.items():
        pattern = r"(?<![\d.,])" + re.escape(number) + r"(?![\d,]|\.\d)"
        found = len(re.findall(pattern, pdf_text))
        if found < count:
            broken[number] = (count, found)
    assert broken == {}
    split_words = sorted(w for w in header_words if w not in pdf_text)
    assert split_words == []


# --------------------------------------------------------------------------------------------
# Without LibreOffice / LibreOffice failing


def test_pdf_without_libreoffice_is_a_clear_error(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("old", encoding="utf-8")
    monkeypatch.setattr(paper, "soffice_path", lambda: None)
    with pytest.raises(OutputError, match="LibreOffice"):
        run(out, catalogue_dir=Path(__file__).parent / "data" / "catalogue_ok", bundles=[],
            offline=True, network=False, pdf=True)
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]
    result = CliRunner().invoke(cli, ["run", "-o", str(out), "--offline", "--no-network",
                                      "--pdf"])
    assert result.exit_code == 1
    assert "LibreOffice" in result.output and "Traceback" not in result.output
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]


def _fake_soffice(tmp_path: Path, body: str) -> Path:
    exe = tmp_path / "bin" / "soffice"
    exe.parent.mkdir()
    exe.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
    exe.chmod(0o755)
    return exe


def test_pdf_conversion_failure_and_timeout_write_nothing(tmp_path, monkeypatch):
    src = tmp_path / "p.docx"
    src.write_bytes(paper.to_docx([], lang="da"))
    target = tmp_path / "p.pdf"
    exe = _fake_soffice(tmp_path, "echo 'Error: source file could not be loaded' >&2; exit 1")
    monkeypatch.setattr(paper, "soffice_path", lambda: str(exe))
    with pytest.raises(OutputError, match="failed to convert"):
        paper.to_pdf(src, target)
    assert not target.exists()
    exe.write_text("#!/bin/sh\nsleep 30\n", encoding="utf-8")
    with pytest.raises(OutputError, match="longer than"):
        paper.to_pdf(src, target, timeout=1)
    assert not target.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("p.pdf")]


@needs_soffice
def test_to_pdf_uses_a_private_profile(tmp_path, monkeypatch):
    src = tmp_path / "p.docx"
    src.write_bytes(paper.to_docx([], lang="en"))
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    pdf = paper.to_pdf(src, tmp_path / "p.pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert not (home / ".config" / "libreoffice").exists()
