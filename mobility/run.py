"""The main job: every standard map, table and chart for the catalogue and bundles.

:func:`run` is a short pipeline of named steps: :func:`_load` (catalogue, bundles, weights),
:func:`_evaluate` (scores; bundles with the network engine unless ``network=False``),
:func:`mobility.outputs.view.build_view` (the one prepared view of the results),
:func:`_render` (each module of :mod:`mobility.outputs` renders the view into a staging folder),
:func:`_write_index`, and the publication of the whole folder. It writes:

- ``index.html`` linking everything, with a short summary;
- maps: ``catalogue.html``, ``score.html``, ``bundles.html`` and one
  ``accessibility-<bundle>.html`` per bundle (network results);
- ``tables/``: star table, ranking, bundle comparison and municipal incidence as CSV and
  Markdown, and all of them in ``tables/tables.xlsx``;
- ``decision-paper.docx``: the Word decision paper (and with ``pdf=True``
  ``decision-paper.pdf``, through headless LibreOffice);
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

import logging
import os
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ._io import write_text
from .catalogue import read_initiatives
from .errors import MobilityError
from .labels import format_number, indicator_label, text
from .outputs import charts, maps, paper, tables
from .outputs.index import Entry, section, write_index
from .outputs.publish import publish_dir
from .outputs.view import RunView, build_view
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
    pdf: bool = False,
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
    pdf : bool
        Also write ``decision-paper.pdf`` (needs LibreOffice's ``soffice``).

    Returns
    -------
    RunResult

    Raises
    ------
    CatalogueError, BundleError, WeightsError
        Bad input; nothing is written and ``output`` is left as it was.
    OutputError
        ``output`` cannot be written (empty name, a file, read-only, disk full) or another run
        is writing to it, or ``pdf`` is set and LibreOffice is missing or fails; ``output`` is
        left as it was.
    """
    if pdf and paper.soffice_path() is None:
        from .errors import OutputError

        msg = ("cannot write the PDF paper: LibreOffice (soffice) is not installed; install it "
               "(Debian/Ubuntu: apt-get install libreoffice-writer-nogui) or run without --pdf")
        raise OutputError(msg)
    if lang not in ("da", "en"):
        msg = f"unknown language {lang!r}; choose 'da' or 'en'"
        raise MobilityError(msg)
    t0 = time.perf_counter()
    steps = _Steps(progress, lang)
    with warnings.catch_warnings(record=True) as recorded:
        warnings.simplefilter("always")
        loaded = _load(catalogue_dir, bundles, weights, lang, steps)
        evaluated = _evaluate(loaded, weights, network, steps)
        view = build_view(initiatives=loaded.initiatives, scores=evaluated.scores,
                          weights_label=loaded.weights_label,
                          weights_description=loaded.weights_description, lang=lang,
                          offline=offline, bundles=loaded.bundles,
                          evaluations=evaluated.evaluations, effects=evaluated.effects)
        with publish_dir(output, wait=wait) as stage:
            entries = _render(view, stage, steps, pdf=pdf)
            caught = tuple(str(w.message) for w in recorded)
            files = _write_index(view, stage, entries, Path(output), t0, caught, steps)
    for msg in caught:
        log.warning("%s", msg)
    steps.done()
    return _result(view, Path(output), files, time.perf_counter() - t0, caught)


# --------------------------------------------------------------------------------------------
# The steps of the pipeline


class _Steps:
    """Progress reporting: the log and the optional ``progress`` callback."""

    def __init__(self, progress: ProgressCallback | None, lang: str) -> None:
        self.progress, self.lang, self.k, self.total = progress, lang, 0, 1

    def __call__(self, label: str) -> None:
        log.info("[%d/%d] %s", self.k + 1, self.total, label)
        if self.progress is not None:
            self.progress(label, self.k, self.total)
        self.k += 1

    def done(self) -> None:
        if self.progress is not None:
            self.progress("", self.total, self.total)


@dataclass(frozen=True)
class _Loaded:
    initiatives: dict[int, Initiative]
    bundles: dict[str, Any]
    weights_label: str
    weights_description: str


@dataclass(frozen=True)
class _Evaluated:
    scores: pd.DataFrame
    evaluations: dict[str, Any]
    effects: Any


def _load(catalogue_dir: str | os.PathLike[str] | None,
          bundles: Sequence[str | os.PathLike[str]] | None, weights: Any, lang: str,
          steps: _Steps) -> _Loaded:
    """Step 1: read the catalogue, the bundles and the weights (bad input raises here)."""
    steps("katalog" if lang == "da" else "catalogue")
    inits = read_initiatives(catalogue_dir)
    bundle_objs = _read_bundles(bundles, inits, catalogue_dir)
    short, long = _weights_text(weights, lang)
    # the bundles, the maps, the tables, the paper, the charts and the index
    steps.total = 1 + len(bundle_objs) + 5 + (1 if bundle_objs else 0)
    return _Loaded(inits, bundle_objs, short, long)


def _evaluate(loaded: _Loaded, weights: Any, network: Any, steps: _Steps) -> _Evaluated:
    """Step 2: score the initiatives and evaluate every bundle (with the network engine)."""
    inits = loaded.initiatives
    scores = _appraisal("score_initiatives")(inits, weights=weights, network=False)
    if network is True:
        from .network import evaluate_scenario

        def evaluator(ids: tuple[int, ...]) -> Any:
            return evaluate_scenario(ids, initiatives=inits)
    else:
        evaluator = _appraisal("resolve_evaluator")(network)
    effects = None
    if evaluator is not None and loaded.bundles:
        effects = _appraisal("NetworkEffects")(evaluator, inits)
    evaluations = {}
    for stem, b in loaded.bundles.items():
        steps(f"{text('bundle', steps.lang).lower()} {b.name}")
        evaluations[stem] = _appraisal("evaluate_bundle")(
            b, initiatives=inits, weights=weights, network=False, effects=effects)
    return _Evaluated(scores, evaluations, effects)


def _render(view: RunView, stage: Path, steps: _Steps, *, pdf: bool = False) -> list[Entry]:
    """Step 4: every output renders the view into the staging folder."""
    lang = view.lang
    write_text(stage / "README.md", OUTPUT_README)
    steps(text("catalogue_map", lang))
    entries = maps.render(view, stage, "catalogue")
    steps(text("score_map", lang))
    entries += maps.render(view, stage, "score")
    if view.bundle_rows:
        steps(text("bundle_map", lang))
        entries += maps.render(view, stage, "bundles")
    steps(section("tables", lang))
    decision_tables = tables.build_tables(view)
    entries += paper.render(view, stage, decision_tables, pdf=pdf)
    entries += tables.render(view, stage, decision_tables)
    steps(section("charts", lang))
    entries += charts.render(view, stage)
    return entries


def _write_index(view: RunView, stage: Path, entries: Sequence[Entry], output: Path,
                 t0: float, caught: tuple[str, ...], steps: _Steps) -> dict[str, int]:
    """Step 5: ``index.html`` with the summary; returns every file written with its size."""
    files = {str(p.relative_to(stage)): p.stat().st_size
             for p in sorted(stage.rglob("*")) if p.is_file()}
    provisional = _result(view, output, files, time.perf_counter() - t0, caught)
    steps("index.html")
    write_index(stage / "index.html", entries, provisional.summary_lines()[1:-1], view.lang,
                view.offline, view=view)
    files["index.html"] = (stage / "index.html").stat().st_size
    return dict(sorted(files.items()))


def _result(view: RunView, output: Path, files: dict[str, int], seconds: float,
            caught: tuple[str, ...]) -> RunResult:
    return RunResult(output, files, seconds, len(view.initiatives), len(view.bundles),
                     view.top(5), view.weights_label, caught, view.lang)
