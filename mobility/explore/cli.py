"""``mobility explore`` and ``mobility bench explore``."""

from __future__ import annotations

import json

import click

from ..cli._common import catalogue_option

__all__ = ["bench_explore", "explore"]


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind (keep 127.0.0.1 unless others must reach it).")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="TCP port.")
@catalogue_option
@click.option("--bundles-dir", type=click.Path(file_okay=False, path_type=str), default=None,
              help="Where 'save as bundle file' writes (default: the catalogue's bundles/).")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in a web browser.")
@click.option("--workers", type=click.IntRange(1, 8), default=2, show_default=True,
              help="Evaluation threads.")
def explore(host: str, port: int, catalogue_dir: str | None, bundles_dir: str | None,
            open_browser: bool, workers: int) -> None:
    """Start the interactive bundle explorer (a local web page; API docs at /docs)."""
    from . import serve

    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    click.echo(f"mobility explore: http://{shown}:{port}/  (API: /docs; stop with Ctrl+C)",
               err=True)
    serve(host=host, port=port, catalogue_dir=catalogue_dir, bundles_dir=bundles_dir,
          open_browser=open_browser, workers=workers)


@click.command(name="explore")
@click.option("--ticks", type=click.IntRange(2, 40), default=8, show_default=True,
              help="Initiatives ticked one by one (each tick is a new, uncached bundle).")
@click.option("--repeat", type=click.IntRange(1, 50), default=5, show_default=True,
              help="Repetitions of the cached-bundle and page-load measurements.")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=str), default=None,
              help="Scenario cache to use (default: a new temporary one, so every bundle "
                   "is really uncached; the warm-up then computes the singles).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@catalogue_option
def bench_explore(ticks: int, repeat: int, cache_dir: str | None, as_json: bool,
                  catalogue_dir: str | None) -> None:
    """Drive the explorer's API on 127.0.0.1 as the page does; print timings and sizes."""
    from .bench import format_report, run_benchmark

    res = run_benchmark(ticks=ticks, repeat=repeat, cache_dir=cache_dir,
                        catalogue_dir=catalogue_dir)
    click.echo(json.dumps(res, ensure_ascii=False, indent=2) if as_json else format_report(res))
