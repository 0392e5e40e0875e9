"""``index.html``: the page that links every output of a run, with a short summary.

Each renderer returns :class:`Entry` rows (section, title, relative path) for what it wrote;
:func:`write_index` lists them by section in the order they came. Given the run's view, the
page also says when and with which version and settings it was made (weights, language,
offline or online maps, network model), which initiatives the network model does not
represent (with the reason), which rank low on coverage, and the bundles' warnings. All text
is HTML-escaped.
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from .._io import write_text

if TYPE_CHECKING:
    from .view import RunView

__all__ = ["Entry", "index_html", "section", "write_index"]


class Entry(NamedTuple):
    """One link of the index: its section, its title and the file's path in the folder."""

    section: str
    title: str
    path: str


_SECTIONS = {"maps": {"da": "Kort", "en": "Maps"}, "tables": {"da": "Tabeller", "en": "Tables"},
             "charts": {"da": "Figurer", "en": "Charts"}}


def section(key: str, lang: str) -> str:
    """The heading of a section of the index (``maps``, ``tables`` or ``charts``)."""
    return _SECTIONS[key][lang]


def run_date() -> dt.date:
    """The date a run is stamped with: ``SOURCE_DATE_EPOCH`` when set, else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date()
    return dt.date.today()


def _date_text(day: dt.date, lang: str) -> str:
    if lang == "en":
        return day.strftime("%d %B %Y").lstrip("0")
    months = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
              "september", "oktober", "november", "december")
    return f"{day.day}. {months[day.month - 1]} {day.year}"


def _details_html(view: RunView) -> tuple[str, str]:
    """The settings; and the not-modelled initiatives, low-coverage items, bundle warnings."""
    from .. import __version__

    esc = html_lib.escape
    da = view.lang == "da"
    network = any(r.person_minutes_saved_per_day is not None for r in view.bundle_rows)
    settings = [
        ("Dato" if da else "Date", _date_text(run_date(), view.lang)),
        ("Version", f"mobility {__version__}"),
        ("Vægte" if da else "Weights",
         view.weights_description if view.weights_description.startswith(view.weights_label)
         else view.weights_label + (f" ({view.weights_description})"
                                    if view.weights_description else "")),
        ("Sprog" if da else "Language", {"da": "dansk", "en": "English"}[view.lang]
         if da else {"da": "Danish", "en": "English"}[view.lang]),
        ("Kort" if da else "Maps",
         ("uden netforbindelse (intet baggrundskort fra nettet)" if da else
          "offline (no background tiles from the network)") if view.offline else
         ("med baggrundskort fra Esri (kræver netforbindelse)" if da else
          "with Esri background tiles (needs a network connection)")),
        ("Netværksmodel" if da else "Network model",
         ("brugt til pakkerne" if da else "used for the bundles") if network else
         ("ikke brugt" if da else "not used")),
    ]
    rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in settings)
    table = f'<h2>{"Indstillinger" if da else "Settings"}</h2><table class="k">{rows}</table>'
    out: list[str] = []
    not_modelled = dict(view.not_modelled)
    if not network:  # no network evaluation this run: the catalogue's own flags
        for ident, init in view.initiatives.items():
            net = init.network or {}
            if net.get("representable") is False:
                not_modelled[ident] = str(net.get("reason") or "")
    if not_modelled:
        head = ("Ikke modelleret i netværksmodellen" if da
                else "Not modelled by the network model")
        intro = ("Effekten af disse indsatser beregnes ikke; kortene viser dem med mærket "
                 "«ikke modelleret»." if da else "Their effect is not computed; the maps mark "
                 "them «not modelled».")
        out.append(f"<h2>{esc(head)}</h2><p>{esc(intro)}</p><ul>")
        for ident in sorted(not_modelled):
            row = view.rows.get(ident)
            name = row.name if row is not None else str(ident)
            out.append(f"<li><b>{ident}. {esc(name)}</b>: {esc(not_modelled[ident])}</li>")
        out.append("</ul>")
    low = [r for r in view.rows.values() if r.low_coverage]
    if low:
        out.append(f'<h2>{"Lav dækning" if da else "Low coverage"}</h2><p>'
                   + esc("For få pejlemærker kan vurderes; rangeret efter de øvrige og vist "
                         "gråt." if da else "Too few indicators can be assessed; ranked after "
                         "the others and shown grey.") + "</p><ul>")
        out += [f"<li>{r.id}. {esc(r.name)} ({esc(r.coverage_text)})</li>" for r in low]
        out.append("</ul>")
    warned = [(r.name, w) for r in view.bundle_rows for w in r.warnings]
    if warned:
        out.append(f'<h2>{"Bemærkninger til pakkerne" if da else "Bundle warnings"}</h2><ul>')
        out += [f"<li><b>{esc(n)}</b>: {esc(w)}</li>" for n, w in warned]
        out.append("</ul>")
    return table, "".join(out)


def index_html(entries: Sequence[Entry], result_lines: Sequence[str], lang: str,
               offline: bool, *, view: RunView | None = None) -> str:
    """The page: a summary, the run's details (given ``view``) and the lists of links."""
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
    settings, details = _details_html(view) if view is not None else ("", "")
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
table.k th {{ text-align: left; padding: 2px 1em 2px 0; font-weight: normal; color: #555;
  vertical-align: top; white-space: nowrap; }}
</style></head><body>
<h1>{esc(title)}</h1>
<ul class="s">{summary}</ul>
{mode}
{settings}
{''.join(body)}
{details}
</body></html>
"""


def write_index(path: str | Path, entries: Sequence[Entry], result_lines: Sequence[str],
                lang: str, offline: bool, *, view: RunView | None = None) -> Path:
    """Write ``index.html`` atomically (see :func:`index_html`)."""
    return write_text(path, index_html(entries, result_lines, lang, offline, view=view))
