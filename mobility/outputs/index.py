"""``index.html``: the page that links every output of a run, with a short summary.

Each renderer returns :class:`Entry` rows (section, title, relative path) for what it wrote;
:func:`write_index` lists them by section in the order they came. All text is HTML-escaped.
"""

from __future__ import annotations

import html as html_lib
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from .._io import write_text

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


def index_html(entries: Sequence[Entry], result_lines: Sequence[str], lang: str,
               offline: bool) -> str:
    """The page: a summary and one list of links per section, in the order given."""
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


def write_index(path: str | Path, entries: Sequence[Entry], result_lines: Sequence[str],
                lang: str, offline: bool) -> Path:
    """Write ``index.html`` atomically (see :func:`index_html`)."""
    return write_text(path, index_html(entries, result_lines, lang, offline))
