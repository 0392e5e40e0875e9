"""The main job: every standard map, table and chart for the catalogue and bundles.

:func:`run` reads the catalogue and the bundles, scores the initiatives, evaluates the bundles
(with the network engine unless ``network=False``), and writes into the output folder:

- ``index.html`` linking everything, with a short summary;
- maps: ``catalogue.html``, ``score.html``, ``bundles.html`` and one
  ``accessibility-<bundle>.html`` per bundle (network results);
- ``tables/``: star table, ranking, bundle comparison and municipal incidence as CSV and
  Markdown, and all of them in ``tables/tables.xlsx``;
- ``decision-paper.docx``: the Word decision paper;
- ``charts/``: indicators, cost against score, bundle comparison and static maps (PNG and SVG).

Everything is written into a staging folder beside the output folder, which replaces the
output folder as a whole only when every file has been written
(:func:`mobility.outputs.publish.publish_dir`): readers see the complete old set or the
complete new set, a bad input leaves the output folder as it was, files of an earlier run
(e.g. the other language) do not survive, and one run at a time writes to a folder. File names
are the same in both languages; the contents follow ``lang``. Every output holds a
``README.md`` and a manifest (``.mobility-manifest.json``).

Examples
--------
>>> from mobility.run import run
>>> result = run("maps", offline=True, network=False)  # doctest: +SKIP
>>> print("\\n".join(result.summary_lines()))  # doctest: +SKIP
"""

from __future__ import annotations

import html as html_lib
import logging
import os
import re
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from . import charts, maps, tables
from ._io import write_text
from .catalogue import read_initiatives
from .errors import MobilityError
from .outputs.publish import publish_dir
from .labels import format_number, indicator_label, text
from .schema import INDICATOR_KEYS, Initiative

__all__ = ["ProgressCallback", "RunResult", "run"]

log = logging.getLogger(__name__)

#: Written into every output folder (the same text as the tracked ``maps/README.md``).
OUTPUT_README = """# maps/

Default output folder of the main job (`mobility run`). Generated files are not committed;
run `mobility run` (or `mobility run --offline`) to fill it.
"""

#: ``progress(description, done, total)`` is called before each step and once at the end.
ProgressCallback = Callable[[str, int, int], None]


@dataclass(frozen=True)
class RunResult:
    """What the main job wrote.

    Attributes
    ----------
    output : Path
        The output folder.
    files : dict
        Relative path -> size in bytes, for every file written.
    seconds : float
        Wall-clock time of the job.
    n_initiatives, n_bundles : int
    top : list of (id, name, score)
        The five best-ranked initiatives.
    weights_label : str
    warnings : tuple of str
        Warnings raised while reading or evaluating (e.g. overlaps within a bundle).
    lang : str
    """

    output: Path
    files: dict[str, int]
    seconds: float
    n_initiatives: int
    n_bundles: int
    top: list[tuple[int, str, float]] = field(default_factory=list)
    weights_label: str = ""
    warnings: tuple[str, ...] = ()
    lang: str = "da"

    def summary_lines(self) -> list[str]:
        """A short summary for the terminal."""
        da = self.lang == "da"
        total = sum(self.files.values())
        lines = [
            (f"Skrev {len(self.files)} filer ({format_number(total / 1e6, 1, self.lang)} MB) i "
             f"{self.output} på {format_number(self.seconds, 1, self.lang)} s"
             if da else
             f"Wrote {len(self.files)} files ({format_number(total / 1e6, 1, 'en')} MB) to "
             f"{self.output} in {format_number(self.seconds, 1, 'en')} s"),
            (f"{self.n_initiatives} indsatser, {self.n_bundles} pakker, vægte: "
             f"{self.weights_label}" if da else
             f"{self.n_initiatives} initiatives, {self.n_bundles} bundles, weights: "
             f"{self.weights_label}"),
        ]
        if self.top:
            lines.append("Bedste score:" if da else "Best scores:")
            lines += [f"  {i}. {n}: {format_number(s, 2, self.lang)}" for i, n, s in self.top]
        if self.warnings:
            lines.append(f"{len(self.warnings)} "
                         + ("bemærkninger (se log)" if da else "warnings (see log)"))
        lines.append(f"→ {self.output / 'index.html'}")
        return lines


# --------------------------------------------------------------------------------------------
# Appraisal access (the appraisal package re-exports its functions; fall back to its modules)


def _appraisal(name: str) -> Any:
    import importlib

    pkg = importlib.import_module(".appraisal", __package__)
    if hasattr(pkg, name):
        return getattr(pkg, name)
    for module in ("scoring", "bundles", "optimise", "weights", "_network"):
        try:
            mod = importlib.import_module(f".appraisal.{module}", __package__)
        except ImportError:
            continue
        if hasattr(mod, name):
            return getattr(mod, name)
    msg = f"the appraisal engine has no {name!r}"
    raise MobilityError(msg)


_PRESET_NAMES = {
    "equal": {"da": "lige vægte", "en": "equal weights"},
    "climate_health": {"da": "klima og sundhed", "en": "climate and health"},
    "accessibility": {"da": "fremkommelighed", "en": "accessibility"},
}


def _weights_text(weights: Any, lang: str) -> tuple[str, str]:
    """(short label, long description with each indicator's weight)."""
    w = _appraisal("load_weights")(weights)
    name = _appraisal("weights_label")(weights)
    short = _PRESET_NAMES.get(name, {}).get(lang, name)
    parts = ", ".join(f"{indicator_label(k, lang)} {format_number(w[k], 1, lang)}"
                      for k in INDICATOR_KEYS)
    return short, f"{short} ({parts})"


def _slug(name: str) -> str:
    table = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})
    s = re.sub(r"[^a-z0-9]+", "-", name.translate(table).lower()).strip("-")
    return s or "bundle"


# --------------------------------------------------------------------------------------------
# index.html


def _index_html(entries: Sequence[tuple[str, str, str]], result_lines: Sequence[str],
                lang: str, offline: bool) -> str:
    """``entries``: (section, title, relative path)."""
    esc = html_lib.escape
    sections: dict[str, list[tuple[str, str]]] = {}
    for section, title, rel in entries:
        sections.setdefault(section, []).append((title, rel))
    body = []
    for section, items in sections.items():
        body.append(f"<h2>{esc(section)}</h2><ul>")
        body += [f'<li><a href="{esc(rel)}">{esc(title)}</a> <span class="f">{esc(rel)}</span>'
                 f"</li>" for title, rel in items]
        body.append("</ul>")
    title = ("Mobilitetsindsatser i hovedstadsområdet" if lang == "da"
             else "Mobility initiatives in the Capital Region")
    mode = ("" if not offline else
            ("<p>Kortene er lavet til brug uden netforbindelse (ingen baggrundskort).</p>"
             if lang == "da" else "<p>The maps are made for offline use (no background tiles)."
             "</p>"))
    summary = "".join(f"<li>{esc(line)}</li>" for line in result_lines)
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
<style>
body {{ font: 15px/1.5 "Helvetica Neue", Arial, sans-serif; max-width: 860px; margin: 2em auto;
  padding: 0 1em; color: #222; }}
h1 {{ font-size: 1.5em; }} h2 {{ font-size: 1.15em; margin-top: 1.4em; }}
a {{ color: #1f5f99; }} .f {{ color: #888; font-size: 0.85em; }}
ul.s {{ background: #f3f5f8; padding: 0.8em 2em; border-radius: 6px; }}
</style></head><body>
<h1>{esc(title)}</h1>
<ul class="s">{summary}</ul>
{mode}
{''.join(body)}
</body></html>
"""


# --------------------------------------------------------------------------------------------
# The job


def _read_bundles(files: Sequence[str | os.PathLike[str]] | None,
                  inits: Mapping[int, Initiative],
                  catalogue_dir: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Bundles from ``files``; default the ``bundles/`` folder of the catalogue used."""
    if files is None:
        from ._paths import shipped_dir

        root = Path(catalogue_dir) if catalogue_dir is not None else shipped_dir("initiatives")
        folder = root / "bundles"
        if not folder.is_dir() or not any(folder.glob("*.yaml")):
            return {}
        return dict(_appraisal("read_bundles")(folder, inits))
    read_bundle = _appraisal("read_bundle")
    out: dict[str, Any] = {}
    for f in files:
        b = read_bundle(f, inits)
        key = Path(str(f)).stem
        while key in out:
            key += "-2"
        out[key] = b
    return out


def run(
    output: str | os.PathLike[str] = "maps",
    *,
    catalogue_dir: str | os.PathLike[str] | None = None,
    weights: Any = "equal",
    bundles: Sequence[str | os.PathLike[str]] | None = None,
    offline: bool = False,
    lang: str = "da",
    network: Any = True,
    progress: ProgressCallback | None = None,
    wait: bool = False,
) -> RunResult:
    """Write all standard maps, tables and charts plus ``index.html`` into ``output``.

    Parameters
    ----------
    output : path
        Output folder (created if missing), replaced as a whole by the files of this run.
    catalogue_dir : path, optional
        Folder of initiative files; default the shipped catalogue.
    weights : str, path or mapping
        Indicator weights (a preset, a YAML file or a mapping; see
        :func:`mobility.appraisal.weights.load_weights`).
    bundles : sequence of paths, optional
        Bundle files; default every bundle in the ``bundles/`` folder of the catalogue
        (``initiatives/bundles/`` for the shipped one).
    offline : bool
        Maps without online background tiles; every page is self-contained.
    lang : {"da", "en"}
        Language of labels and number formats.
    network : bool or callable
        Use the network engine for bundle effects and accessibility maps (``False``: none;
        a callable: an evaluator, see :mod:`mobility.appraisal._network`).
    progress : callable, optional
        ``progress(description, done, total)``, e.g. to drive a progress bar.
    wait : bool
        Wait for another run writing to ``output`` to finish (default: fail at once).

    Returns
    -------
    RunResult

    Raises
    ------
    CatalogueError, BundleError, WeightsError
        Bad input; nothing is written and ``output`` is left as it was.
    OutputError
        ``output`` cannot be written (empty name, a file, read-only, disk full) or another run
        is writing to it; ``output`` is left as it was.
    """
    if lang not in ("da", "en"):
        msg = f"unknown language {lang!r}; choose 'da' or 'en'"
        raise MobilityError(msg)
    t0 = time.perf_counter()
    out_dir = Path(output)
    tiles = None if offline else maps.DEFAULT_TILES
    caught: list[str] = []

    def note(step: str, done: int, total: int) -> None:
        log.info("[%d/%d] %s", done + 1, total, step)
        if progress is not None:
            progress(step, done, total)

    with warnings.catch_warnings(record=True) as recorded:
        warnings.simplefilter("always")
        # ---- inputs (any error here leaves the output untouched)
        note("katalog" if lang == "da" else "catalogue", 0, 1)
        inits = read_initiatives(catalogue_dir)
        bundle_objs = _read_bundles(bundles, inits, catalogue_dir)
        short_w, long_w = _weights_text(weights, lang)
        scores = _appraisal("score_initiatives")(inits, weights=weights, network=False)
        effects = None
        if network is True:
            from .network import evaluate_scenario

            def evaluator(ids: tuple[int, ...]) -> Any:
                return evaluate_scenario(ids, initiatives=inits)
        else:
            evaluator = _appraisal("resolve_evaluator")(network)
        if evaluator is not None and bundle_objs:
            effects = _appraisal("NetworkEffects")(evaluator, inits)
        steps: list[tuple[str, Callable[[Path], list[tuple[str, str, str]]]]] = []
        evaluations: dict[str, Any] = {}

        def evaluate(stem: str, b: Any) -> Callable[[Path], list[tuple[str, str, str]]]:
            def step(_stage: Path) -> list[tuple[str, str, str]]:
                evaluations[stem] = _appraisal("evaluate_bundle")(
                    b, initiatives=inits, weights=weights, network=False, effects=effects)
                return []
            return step

        for stem, b in bundle_objs.items():
            steps.append((f"{text('bundle', lang).lower()} {b.name}", evaluate(stem, b)))

        sec_maps = "Kort" if lang == "da" else "Maps"
        sec_tables = "Tabeller" if lang == "da" else "Tables"
        sec_charts = "Figurer" if lang == "da" else "Charts"

        def w_map(rel: str, title: str, m: Any) -> Callable[[Path], list[tuple[str, str, str]]]:
            def step(stage: Path) -> list[tuple[str, str, str]]:
                maps.write_map(m() if callable(m) else m, stage / rel, offline=offline)
                return [(sec_maps, title, rel)]
            return step

        steps.append((text("catalogue_map", lang), w_map(
            "catalogue.html", text("catalogue_map", lang),
            lambda: maps.catalogue_map(inits, lang=lang, tiles=tiles))))
        steps.append((text("score_map", lang), w_map(
            "score.html", f"{text('score_map', lang)} ({short_w})",
            lambda: maps.score_map(scores, inits, lang=lang, tiles=tiles,
                                   weights_label=short_w))))

        def bundle_maps(stage: Path) -> list[tuple[str, str, str]]:
            evs = [evaluations[s] for s in bundle_objs]
            entries = []
            if evs:
                incidence = {e.name: e.incidence for e in evs if e.incidence is not None}
                m = maps.bundle_comparison_map([e.to_dict() for e in evs], inits,
                                               incidence=incidence, lang=lang, tiles=tiles)
                maps.write_map(m, stage / "bundles.html", offline=offline)
                entries.append((sec_maps, text("bundle_map", lang), "bundles.html"))
            for stem, ev in zip(bundle_objs, evs, strict=True):
                if effects is None or ev.person_minutes_saved_per_day is None:
                    continue
                result = effects.scenario(ev.initiatives)
                if getattr(result, "zones", None) is None:
                    continue
                title = f"{text('accessibility_map', lang)}: {ev.name}"
                m = maps.accessibility_map(result, [inits[i] for i in ev.initiatives],
                                           lang=lang, tiles=tiles, title=title)
                rel = f"accessibility-{_slug(stem)}.html"
                maps.write_map(m, stage / rel, offline=offline)
                entries.append((sec_maps, title, rel))
            return entries

        if bundle_objs:
            steps.append((text("bundle_map", lang), bundle_maps))

        def table_files(stage: Path) -> list[tuple[str, str, str]]:
            tabs = _tables(inits, scores, bundle_objs, evaluations, lang, short_w)
            entries = []
            for tab in tabs:
                base = f"tables/{tab.key}"
                tables.write_csv(tab, stage / f"{base}.csv")
                tables.write_markdown(tab, stage / f"{base}.md")
                entries.append((sec_tables, f"{tab.title} (CSV)", f"{base}.csv"))
                entries.append((sec_tables, f"{tab.title} (Markdown)", f"{base}.md"))
            tables.write_xlsx(tabs, stage / "tables/tables.xlsx")
            entries.insert(0, (sec_tables, "Excel" + (": alle tabeller" if lang == "da"
                                                      else ": all tables"),
                               "tables/tables.xlsx"))
            figs = [(charts.figure_bytes(charts.static_map(inits, lang=lang), "png"),
                     text("catalogue_map", lang)),
                    (charts.figure_bytes(charts.cost_score_chart(
                        scores, lang=lang, weights_label=short_w), "png"),
                     text("cost_score_chart", lang))]
            tables.write_docx(tabs, stage / "decision-paper.docx", lang=lang, figures=figs,
                              weights_label=long_w)
            entries.insert(0, (sec_tables, "Beslutningsnotat (Word)" if lang == "da"
                               else "Decision paper (Word)", "decision-paper.docx"))
            return entries

        steps.append((sec_tables, table_files))

        def chart_files(stage: Path) -> list[tuple[str, str, str]]:
            figures = [
                ("charts/indicators", text("indicators_chart", lang),
                 charts.indicators_chart(inits, lang=lang)),
                ("charts/cost-score", text("cost_score_chart", lang),
                 charts.cost_score_chart(scores, lang=lang, weights_label=short_w)),
                ("charts/map-themes", text("catalogue_map", lang),
                 charts.static_map(inits, lang=lang)),
                ("charts/map-score", text("score_map", lang),
                 charts.static_map(inits, lang=lang, scores=scores,
                                   title=f"{text('score_map', lang)} ({short_w})")),
            ]
            evs = [evaluations[s] for s in bundle_objs]
            if evs:
                figures.append(("charts/bundles", text("bundle_comparison", lang),
                                charts.bundle_chart([e.to_dict() for e in evs], lang=lang)))
            entries = []
            for rel, title, fig in figures:
                charts.write_figure(fig, stage / rel)
                entries.append((sec_charts, f"{title} (PNG)", f"{rel}.png"))
                entries.append((sec_charts, f"{title} (SVG)", f"{rel}.svg"))
            return entries

        steps.append((sec_charts, chart_files))

        total = len(steps) + 2
        entries: list[tuple[str, str, str]] = []
        with publish_dir(out_dir, wait=wait) as stage:
            write_text(stage / "README.md", OUTPUT_README)
            for k, (label, step) in enumerate(steps, start=1):
                note(label, k, total)
                entries += step(stage)
            for w in recorded:
                caught.append(str(w.message))
            top = [(int(i), str(r["name_en"] if lang == "en" else r["name"]), float(r["score"]))
                   for i, r in scores.sort_values("rank").head(5).iterrows()]
            files = {str(p.relative_to(stage)): p.stat().st_size
                     for p in sorted(stage.rglob("*")) if p.is_file()}
            provisional = RunResult(out_dir, files, time.perf_counter() - t0, len(inits),
                                    len(bundle_objs), top, short_w, tuple(caught), lang)
            note("index.html", total - 1, total)
            lines = provisional.summary_lines()[1:-1]
            write_text(stage / "index.html", _index_html(entries, lines, lang, offline))
            files["index.html"] = (stage / "index.html").stat().st_size
    for msg in caught:
        log.warning("%s", msg)
    if progress is not None:
        progress("", total, total)
    return RunResult(out_dir, dict(sorted(files.items())), time.perf_counter() - t0, len(inits),
                     len(bundle_objs), top, short_w, tuple(caught), lang)


def _tables(inits: Mapping[int, Initiative], scores: pd.DataFrame, bundle_objs: Mapping[str, Any],
            evaluations: Mapping[str, Any], lang: str,
            weights_label: str) -> list[tables.DecisionTable]:
    out = [tables.star_table(inits, lang=lang),
           tables.ranking_table(scores, inits, lang=lang, weights_label=weights_label)]
    evs = [evaluations[s] for s in bundle_objs]
    if evs:
        out.append(tables.bundle_table([e.to_dict() for e in evs], lang=lang))
        incidence = {e.name: e.incidence for e in evs if e.incidence is not None}
        if incidence:
            out.append(tables.incidence_table(incidence, lang=lang))
    return out
