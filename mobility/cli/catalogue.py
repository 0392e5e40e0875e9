"""``mobility catalogue ...``: validate, list, show and export the initiative catalogue."""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from .. import catalogue as cat
from ..errors import CatalogueError
from ..labels import indicator_label, theme_label
from ..schema import INDICATOR_KEYS
from ._common import catalogue_option, lang_option

__all__ = ["catalogue"]


def _stars(value: int | None) -> str:
    return "–" if value is None else "★" * value + "☆" * (5 - value)


def _num(value: float | None, fmt: str = "{:,.0f}") -> str:
    return "" if value is None else fmt.format(value)


@click.group()
def catalogue() -> None:
    """The initiative catalogue: validate, list, show, export."""


@catalogue.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False))
def validate(directory: str | None) -> None:
    """Check every initiative file in DIRECTORY (default: the shipped catalogue)."""
    issues = cat.validate_catalogue(directory)
    where = directory or str(cat.catalogue_dir())
    if issues:
        raise CatalogueError.from_issues(issues, f"invalid catalogue in {where}")
    n = len(cat.read_initiatives(directory))
    click.echo(f"OK: {n} initiatives valid in {where}")


@catalogue.command(name="list")
@catalogue_option
@lang_option
def list_(catalogue_dir: str | None, lang: str) -> None:
    """A table of all initiatives: theme, cost, construction CO2 and stars."""
    initiatives = cat.read_initiatives(catalogue_dir)
    en = lang == "en"
    table = Table(title="Initiatives" if en else "Indsatser", show_lines=False)
    table.add_column("id", justify="right")
    table.add_column("Name" if en else "Navn", overflow="fold", max_width=46)
    table.add_column("Theme" if en else "Tema")
    table.add_column("Cost, mDKK" if en else "Anlæg, mio. kr.", justify="right")
    table.add_column("CO2, t" if en else "CO2 anlæg, t", justify="right")
    for key in INDICATOR_KEYS:
        table.add_column(indicator_label(key, lang)[:12], justify="center")
    for ident, init in initiatives.items():
        co2 = init.co2_construction_t
        co2_text = "" if co2 is None else (
            f"{co2.min:,.0f}" if co2.min == co2.max else f"{co2.min:,.0f}-{co2.max:,.0f}"
        )
        stars = init.stars
        table.add_row(
            str(ident),
            init.name_en if en else init.name,
            theme_label(init.theme, lang),
            _num(init.cost_mdkk),
            co2_text,
            *[_stars(stars[k]) + ("*" if k in init.inferred_ratings else "")
              for k in INDICATOR_KEYS],
        )
    console = Console(width=200 if not Console().is_terminal else None)
    console.print(table)
    console.print("* = reading inferred from the page text" if en
                  else "* = vurdering udledt af sidens tekst")


@catalogue.command()
@click.argument("ident", metavar="ID", type=int)
@catalogue_option
@lang_option
def show(ident: int, catalogue_dir: str | None, lang: str) -> None:
    """Everything the catalogue says about initiative ID."""
    initiatives = cat.read_initiatives(catalogue_dir)
    if ident not in initiatives:
        known = ", ".join(str(i) for i in initiatives)
        raise click.BadParameter(f"no initiative {ident}; known ids: {known}", param_hint="ID")
    init = initiatives[ident]
    en = lang == "en"
    out = Console(width=100)
    out.print(f"[bold]{init.id}. {init.name_en if en else init.name}[/bold]")
    out.print(f"{theme_label(init.theme, lang)} · {init.kind} · {init.source_file}")
    out.print(init.description_en if en and init.description_en else init.description)
    co2 = init.co2_construction_t
    facts = [
        ("Cost" if en else "Anlæg", f"{_num(init.cost_mdkk)} mio. kr." if init.cost_mdkk
         is not None else (init.cost_text or "–")),
        ("Construction CO2" if en else "CO2 i anlægsfasen",
         f"{co2.min:,.0f}-{co2.max:,.0f} t" if co2 else "–"),
        ("Extra passengers/day" if en else "Flere passagerer pr. døgn",
         _num(init.passengers.extra_per_day) or "–"),
        ("Travel time" if en else "Rejsetid", init.travel_time.text or "–"),
        ("IRR" if en else "Intern rente",
         f"{init.socioeconomics.irr_pct:g} %" if init.socioeconomics.irr_pct is not None
         else (init.socioeconomics.text or "–")),
        ("Geometry" if en else "Geometri",
         f"{init.geom.geom_type}" if init.geom is not None else "–"),
    ]
    for label, value in facts:
        out.print(f"  {label}: {value}")
    out.print("Ratings:" if en else "Pejlemærker:")
    for key, value in init.stars.items():
        mark = " (inferred)" if key in init.inferred_ratings else ""
        out.print(f"  {indicator_label(key, lang):32} {_stars(value)}{mark}")
    for label, items in (("OBS", init.caveats), ("Sources" if en else "Kilder", init.sources)):
        for item in items:
            out.print(f"  {label}: {item}")
    if init.prerequisites:
        out.print(f"  {'Requires' if en else 'Forudsætter'}: {init.prerequisites}")
    for rel in init.overlaps:
        out.print(f"  {'Overlaps' if en else 'Overlapper'} {rel.id}: {rel.note or ''}")


@catalogue.command()
@click.option("--format", "fmt", type=click.Choice(list(cat.EXPORT_FORMATS)), required=True,
              help="Output format.")
@click.option("--output", "-o", required=True,
              help="Output file, or - for standard output (csv and geojson).")
@catalogue_option
def export(fmt: str, output: str, catalogue_dir: str | None) -> None:
    """Export the catalogue as a machine-readable table or geodata file."""
    if output == "-" and fmt not in ("csv", "geojson"):
        raise click.BadParameter(f"{fmt} cannot go to standard output", param_hint="--output")
    frame = cat.load_catalogue(catalogue_dir)
    path = cat.export_catalogue(frame, fmt, output)
    if path is not None:
        click.echo(f"wrote {path} ({len(frame)} initiatives)", err=True)
