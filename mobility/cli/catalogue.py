"""``mobility catalogue ...``: validate, list, show and export the initiative catalogue."""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from .. import catalogue as cat
from ..errors import CatalogueError
from ..labels import format_number, indicator_label, theme_label
from ..schema import INDICATOR_KEYS
from ._common import catalogue_option, lang_option

__all__ = ["catalogue"]


def _stars(value: int | None) -> str:
    return "–" if value is None else "★" * value + "☆" * (5 - value)


def _num(value: float | None, lang: str, decimals: int = 0) -> str:
    """A number in the style of ``lang`` (Danish ``3.600``, English ``3,600``); ``""`` if None."""
    return format_number(value, decimals, lang)


def _co2(init, lang: str) -> str:
    co2 = init.co2_construction_t
    if co2 is None:
        return ""
    if co2.min == co2.max:
        return _num(co2.min, lang)
    return f"{_num(co2.min, lang)}–{_num(co2.max, lang)}"


_KIND = {
    "da": {"rail": "jernbane", "s_train": "S-tog", "regional_rail": "regionaltog",
           "local_rail": "lokalbane", "metro": "metro", "brt": "BRT",
           "demand_responsive": "behovsstyret trafik", "cycle_network": "cykelstinet",
           "park_and_ride": "parker og rejs", "cycle_parking": "cykelparkering",
           "road": "vej", "traffic_management": "trafikledelse",
           "speed_limit": "hastighedsgrænse", "noise_cover": "støjoverdækning",
           "road_pricing": "kørselsafgift", "fare_reform": "takstreform"},
}

_STATUS = {
    "da": {"irr": "intern rente", "not_profitable": "ikke samfundsøkonomisk rentabel",
           "not_calculated": "ikke beregnet", "unknown": "ukendt"},
    "en": {"irr": "internal rate of return", "not_profitable": "not profitable",
           "not_calculated": "not calculated", "unknown": "unknown"},
}

_CHANGE = {
    "da": {"reduction": "kortere", "increase": "længere", "none": "ingen ændring",
           "unknown": "ukendt"},
    "en": {"reduction": "shorter", "increase": "longer", "none": "no change",
           "unknown": "unknown"},
}

_APPLIES = {"da": {"all": "alle", "car": "bil", "pt": "kollektiv trafik"},
            "en": {"all": "all", "car": "car", "pt": "public transport"}}


def _kind(kind: str, lang: str) -> str:
    return _KIND.get(lang, {}).get(kind, kind.replace("_", " "))


def _ids(ids, lang: str) -> str:
    items = [str(i) for i in ids]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + (" og " if lang == "da" else " and ") + items[-1]


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
        stars = init.stars
        table.add_row(
            str(ident),
            init.name_en if en else init.name,
            theme_label(init.theme, lang),
            _num(init.cost_mdkk, lang),
            _co2(init, lang),
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
    out = Console(width=100, highlight=False)
    for line in show_lines(init, lang):
        out.print(line, markup=False)


def show_lines(init, lang: str) -> list[str]:
    """Every field of an initiative as lines of text in ``lang`` (``catalogue show``)."""
    en = lang == "en"

    def row(label_da: str, label_en: str, value: str) -> None:
        if value:
            lines.append(f"  {label_en if en else label_da}: {value}")

    lines = [f"{init.id}. {init.name_en if en else init.name}"]
    other = init.name if en else init.name_en
    if other and other != lines[0]:
        lines.append(f"  ({other})")
    head = [theme_label(init.theme, lang), _kind(init.kind, lang)]
    if init.page is not None:
        head.append(f"{'page' if en else 'side'} {init.page}")
    lines.append(" · ".join(h for h in head if h))
    lines.append(init.description_en if en and init.description_en else init.description)
    lines.append("Key figures:" if en else "Nøgletal:")
    cost = (f"{_num(init.cost_mdkk, lang)} {'DKK m' if en else 'mio. kr.'}"
            if init.cost_mdkk is not None else "")
    extra_cost = [t for t in (init.cost_text, init.cost_note) if t]
    if extra_cost:
        cost = f"{cost} ({'; '.join(extra_cost)})" if cost else "; ".join(extra_cost)
    row("Anlæg", "Construction cost", cost or "–")
    co2 = _co2(init, lang)
    row("CO2 i anlægsfasen", "Construction CO2", f"{co2} t" if co2 else "–")
    p = init.passengers
    if p.extra_per_day is not None:
        pct = f" (+{_num(p.extra_pct, lang)} %)" if p.extra_pct is not None else ""
        row("Flere passagerer pr. døgn", "Extra passengers per day",
            f"+{_num(p.extra_per_day, lang)}{pct}")
    elif p.extra_pct is not None:
        row("Flere passagerer", "Extra passengers", f"+{_num(p.extra_pct, lang)} %")
    row("Passagerpotentiale pr. døgn", "Passenger potential per day",
        _num(p.potential_per_day, lang))
    row("Daglige passagerer", "Daily passengers", _num(p.daily_passengers, lang))
    for part in p.parts:
        bits = []
        if part.extra_per_day is not None:
            bits.append(f"+{_num(part.extra_per_day, lang)} {'per day' if en else 'pr. døgn'}")
        if part.extra_pct is not None:
            bits.append(f"+{_num(part.extra_pct, lang)} %")
        if part.potential_per_day is not None:
            bits.append(f"{'potential' if en else 'potentiale'} "
                        f"{_num(part.potential_per_day, lang)}")
        if bits:
            lines.append(f"    – {part.label or ''}: {', '.join(bits)}")
    row("Passagerer, note", "Passengers, note", p.note or "")
    tt = init.travel_time
    tt_bits = []
    if tt.change != "unknown":
        tt_bits.append(_CHANGE[lang][tt.change])
    if tt.reduction_pct is not None:
        tt_bits.append(f"−{_num(tt.reduction_pct, lang)} %")
    if tt.reduction_min is not None:
        tt_bits.append(f"−{_num(tt.reduction_min, lang, 1)} min.")
    if tt.corridor:
        tt_bits.append(tt.corridor)
    if tt.change != "unknown":
        tt_bits.append(f"{'applies to' if en else 'gælder'} {_APPLIES[lang][tt.applies_to]}")
    row("Rejsetid", "Travel time", ", ".join(tt_bits))
    row("Rejsetid, tekst", "Travel time, text", tt.text or "")
    for kf in init.key_figures:
        if isinstance(kf, str):
            row("Nøgletal", "Key figure", kf)
        else:
            value = "" if kf.value is None else _num(kf.value, lang, 0 if kf.value == int(
                kf.value) else 1)
            row(kf.label, kf.label, " ".join(v for v in (value, kf.unit or "") if v) or "–")
    s = init.socioeconomics
    if s.irr_pct is not None:
        irr = s.irr_pct
        row("Intern rente", "Internal rate of return",
            f"{_num(irr, lang, 0 if float(irr).is_integer() else 1)} %")
    else:
        row("Samfundsøkonomi", "Socio-economics", _STATUS[lang][s.status])
    row("Samfundsøkonomi, tekst", "Socio-economics, text", s.text or "")
    lines.append("Ratings:" if en else "Pejlemærker:")
    for key, value in init.stars.items():
        mark = (" (inferred)" if en else " (udledt)") if key in init.inferred_ratings else ""
        lines.append(f"  {indicator_label(key, lang):32} {_stars(value)}{mark}")
        reason = init.rating_texts.get(key) if init.rating_texts else None
        if reason:
            lines.append(f"      {reason}")
    for item in init.caveats:
        row("OBS", "Caveat", item)
    for item in init.sources:
        row("Kilde", "Source", item)
    row("Endestationer", "End stations", ", ".join(init.end_stations))
    row("Forudsætter indsats", "Requires initiative", _ids(init.prerequisites, lang))
    for rel in init.overlaps:
        row(f"Overlapper {rel.id}", f"Overlaps {rel.id}", rel.note or "–")
    for rel in init.conflicts:
        row(f"Konflikter med {rel.id}", f"Conflicts with {rel.id}", rel.note or "–")
    geom = init.geom.geom_type if init.geom is not None else "–"
    if init.schematic:
        geom += " (schematic)" if en else " (skematisk)"
    row("Geometri", "Geometry", geom)
    row("Geometri, note", "Geometry, note", init.geometry_note or "")
    net = init.network or {}
    if net:
        if net.get("representable") is False:
            row("Netværksmodel", "Network model",
                ("not modelled" if en else "ikke modelleret")
                + (f": {net['reason']}" if net.get("reason") else ""))
        else:
            row("Netværksmodel", "Network model",
                ("modelled" if en else "modelleret")
                + (f": {net['note']}" if isinstance(net.get("note"), str) else ""))
    row("Fil", "File", str(init.source_file or ""))
    return lines


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
