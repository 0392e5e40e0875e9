"""``mobility run``, ``mobility map ...`` and ``mobility table ...``: outputs for planners."""

from __future__ import annotations

import sys
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from ._common import catalogue_option, lang_option, weights_option

__all__ = ["map_", "run_cmd", "table"]

_bundles_option = click.option(
    "--bundles", "bundle_files", multiple=True, type=click.Path(dir_okay=False),
    help="Bundle file (repeat for several); default the shipped bundles.",
)
_offline_option = click.option(
    "--offline", is_flag=True,
    help="Self-contained maps without online background tiles (no network access at all).",
)
_network_option = click.option(
    "--no-network", "no_network", is_flag=True,
    help="Skip the network model (no person-minutes, synergy or accessibility maps).",
)


@click.command(name="run")
@click.option("--output", "-o", default="maps", show_default=True,
              help="Output folder (replaced as a whole).")
@weights_option
@_bundles_option
@_offline_option
@_network_option
@catalogue_option
@lang_option
@click.option("--wait", is_flag=True,
              help="If another run is writing to the output folder, wait for it instead of "
                   "failing.")
@click.option("--pdf", is_flag=True,
              help="Also write the decision paper as PDF (needs LibreOffice: soffice).")
def run_cmd(output: str, weights: str, bundle_files: tuple[str, ...], offline: bool,
            no_network: bool, catalogue_dir: str | None, lang: str, wait: bool,
            pdf: bool) -> None:
    """Write all standard maps, tables and charts plus index.html into OUTPUT.

    The whole folder is replaced at once when every file is written: readers see the old set
    or the new one, never a mixture; one run at a time per folder.
    """
    from ..run import run

    console = Console(stderr=True)
    with Progress(TextColumn("{task.description:<40}"), BarColumn(), TaskProgressColumn(),
                  TimeElapsedColumn(), console=console, transient=True,
                  disable=not console.is_terminal) as bar:
        task = bar.add_task("mobility run", total=None)

        def progress(description: str, done: int, total: int) -> None:
            bar.update(task, description=description, completed=done, total=total)

        result = run(output, catalogue_dir=catalogue_dir, weights=weights,
                     bundles=list(bundle_files) or None, offline=offline, lang=lang,
                     network=not no_network, progress=progress, wait=wait, pdf=pdf)
    for line in result.summary_lines():
        click.echo(line)


@click.command(name="map")
@click.argument("kind", type=click.Choice(["catalogue", "score", "accessibility", "bundles"]))
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False),
              help="HTML file to write.")
@weights_option
@_bundles_option
@_offline_option
@catalogue_option
@lang_option
def map_(kind: str, output: str, weights: str, bundle_files: tuple[str, ...], offline: bool,
         catalogue_dir: str | None, lang: str) -> None:
    """Write one map: catalogue, score, accessibility (of a bundle) or bundles (compared)."""
    from ..catalogue import read_initiatives
    from ..outputs import maps
    from ..run import _appraisal, _read_bundles

    inits = read_initiatives(catalogue_dir)
    tiles = None if offline else maps.DEFAULT_TILES
    m: Any
    if kind == "catalogue":
        m = maps.catalogue_map(inits, lang=lang, tiles=tiles)
    elif kind == "score":
        scores = _appraisal("score_initiatives")(inits, weights=weights, network=False)
        m = maps.score_map(scores, inits, lang=lang, tiles=tiles,
                           weights_label=_appraisal("weights_label")(weights))
    else:
        bundles = _read_bundles(list(bundle_files) or None, inits, catalogue_dir)
        if not bundles:
            raise click.UsageError("no bundles: give --bundles FILE")
        effects = _appraisal("NetworkEffects")(_appraisal("real_evaluator")(), inits)
        evs = [_appraisal("evaluate_bundle")(b, initiatives=inits, weights=weights,
                                             network=False, effects=effects)
               for b in bundles.values()]
        import pandas as pd

        from ..outputs.view import build_view

        rows = build_view(initiatives=inits, scores=pd.DataFrame(), weights_label="",
                          weights_description="", lang=lang, offline=offline, bundles=bundles,
                          evaluations=dict(zip(bundles, evs, strict=True))).bundle_rows
        if kind == "bundles":
            m = maps.bundle_comparison_map(rows, inits, lang=lang, tiles=tiles)
        else:
            if len(rows) != 1:
                raise click.UsageError("the accessibility map needs exactly one --bundles FILE")
            row = rows[0]
            m = maps.accessibility_map(effects.scenario(row.initiatives),
                                       [inits[i] for i in row.initiatives], lang=lang,
                                       tiles=tiles, title=row.name,
                                       not_modelled=row.not_modelled)
    path = maps.write_map(m, output, offline=offline)
    click.echo(f"wrote {path} ({path.stat().st_size / 1024:,.0f} kB)", err=True)


@click.command()
@click.argument("kind", type=click.Choice(["stars", "ranking"]))
@click.option("--format", "fmt", type=click.Choice(["csv", "md", "xlsx", "docx"]),
              default="md", show_default=True, help="Output format.")
@click.option("--output", "-o", default="-", show_default=True,
              help="Output file, or - for standard output (csv and md).")
@weights_option
@catalogue_option
@lang_option
def table(kind: str, fmt: str, output: str, weights: str, catalogue_dir: str | None,
          lang: str) -> None:
    """Write a decision-paper table: the star table or the ranking."""
    from ..catalogue import read_initiatives
    from ..outputs import paper, tables
    from ..run import _appraisal

    inits = read_initiatives(catalogue_dir)
    if kind == "stars":
        tab = tables.star_table(inits, lang=lang)
    else:
        scores = _appraisal("score_initiatives")(inits, weights=weights, network=False)
        tab = tables.ranking_table(scores, inits, lang=lang,
                                   weights_label=_appraisal("weights_label")(weights))
    if output == "-":
        if fmt not in ("csv", "md"):
            raise click.BadParameter(f"{fmt} cannot go to standard output", param_hint="--output")
        sys.stdout.write(tables.to_csv(tab) if fmt == "csv" else tables.to_markdown(tab))
        return
    writer = {"csv": tables.write_csv, "md": tables.write_markdown}.get(fmt)
    if writer is not None:
        path = writer(tab, output)
    elif fmt == "xlsx":
        path = tables.write_xlsx([tab], output)
    else:
        path = paper.write_docx([tab], output, lang=lang)
    click.echo(f"wrote {path}", err=True)
