"""Popups of the interactive maps: an initiative's key figures and six ratings as HTML.

:func:`initiative_facts` formats the key figures (cost, construction CO2, passengers, travel
time, internal rate of return) once, as plain text in the run's language; the view keeps them
per initiative (:attr:`mobility.outputs.view.InitiativeRow.facts`) and
:func:`initiative_popup_html` renders them (all catalogue text escaped).
"""

from __future__ import annotations

import html as html_lib
from collections.abc import Sequence
from typing import Any

from ..labels import format_number, indicator_label, text, theme_label
from ..schema import INDICATOR_KEYS, Initiative

__all__ = ["initiative_facts", "initiative_popup_html"]


def _esc(value: Any) -> str:
    return html_lib.escape(str(value), quote=True)



def _star_bar(value: int | None) -> str:
    if value is None:
        return '<span class="mob-star-na" title="–">–</span>'
    boxes = "".join(
        f'<span class="mob-star{" on" if i < value else ""}"></span>' for i in range(5)
    )
    return f'<span class="mob-stars" title="{value}/5">{boxes}</span>'


def _co2_text(init: Initiative, lang: str) -> str:
    co2 = init.co2_construction_t
    if co2 is None:
        return ""
    if co2.min == co2.max:
        return f"{format_number(co2.min, 0, lang)} t"
    return f"{format_number(co2.min, 0, lang)}–{format_number(co2.max, 0, lang)} t"


def _cost_text(init: Initiative, lang: str) -> str:
    if init.cost_mdkk is None:
        return init.cost_text or text("unknown", lang)
    out = f"{format_number(init.cost_mdkk, 0, lang)} {text('mdkk', lang)}"
    if init.cost_note:
        out += f" ({init.cost_note})"
    return out


def _passenger_text(init: Initiative, lang: str) -> list[tuple[str, str]]:
    p = init.passengers
    rows: list[tuple[str, str]] = []
    if p.extra_per_day is not None:
        value = "+" + format_number(p.extra_per_day, 0, lang)
        if p.extra_pct is not None:
            value += f" (+{format_number(p.extra_pct, 0, lang)} %)"
        rows.append((text("extra_passengers", lang), value))
    if p.potential_per_day is not None:
        rows.append((text("passenger_potential", lang),
                     format_number(p.potential_per_day, 0, lang)))
    if p.daily_passengers is not None:
        rows.append((text("daily_passengers", lang), format_number(p.daily_passengers, 0, lang)))
    for part in p.parts:
        bits = []
        if part.extra_per_day is not None:
            bits.append("+" + format_number(part.extra_per_day, 0, lang))
        if part.extra_pct is not None:
            bits.append(f"+{format_number(part.extra_pct, 0, lang)} %")
        if part.potential_per_day is not None:
            bits.append(f"{text('passenger_potential', lang).lower()} "
                        f"{format_number(part.potential_per_day, 0, lang)}")
        if bits:
            rows.append((f"– {part.label or ''}", ", ".join(bits)))
    if not rows and p.note:
        rows.append((text("extra_passengers", lang), p.note))
    return rows


def _irr_text(init: Initiative, lang: str) -> str:
    s = init.socioeconomics
    if s.status == "irr" and s.irr_pct is not None:
        return f"{format_number(s.irr_pct, 1, lang)} %"
    if s.status == "not_profitable":
        return text("not_profitable", lang)
    if s.status == "not_calculated":
        return text("not_calculated", lang)
    return text("unknown", lang)


def initiative_facts(init: Initiative, lang: str = "da") -> tuple[tuple[str, str], ...]:
    """The key figures of an initiative as (label, text) pairs, plain text in ``lang``."""
    rows: list[tuple[str, str]] = [(text("cost_mdkk", lang).split(",")[0],
                                    _cost_text(init, lang))]
    co2 = _co2_text(init, lang)
    if co2:
        rows.append((text("co2_construction_t", lang).rsplit(",", 1)[0], co2))
    rows += _passenger_text(init, lang)
    if init.travel_time.text:
        rows.append((text("travel_time", lang), init.travel_time.text))
    rows.append((text("irr", lang), _irr_text(init, lang)))
    return tuple(rows)


def initiative_popup_html(
    init: Initiative, lang: str = "da", *, extra: Sequence[tuple[str, str]] = (),
    facts: Sequence[tuple[str, str]] | None = None,
) -> str:
    """The popup of an initiative: key figures, the six ratings as star bars, caveats, sources.

    Parameters
    ----------
    init : Initiative
        The initiative.
    lang : {"da", "en"}
        Language of labels and number formats.
    extra : sequence of (label, html)
        Rows shown first (e.g. score and rank); values are inserted as given (HTML).
    facts : sequence of (label, text), optional
        The prepared key figures (:attr:`InitiativeRow.facts`); default
        :func:`initiative_facts` (plain text, escaped here).

    Returns
    -------
    str
        An HTML fragment (all catalogue text escaped).
    """
    name = init.name_en if lang == "en" else init.name
    theme = theme_label(init.theme, lang)
    rows: list[tuple[str, str]] = list(extra)
    rows += [(_esc(k), _esc(v)) for k, v in (facts if facts is not None
                                             else initiative_facts(init, lang))]
    facts = "".join(f'<tr><td class="mob-k">{k}</td><td>{v}</td></tr>' for k, v in rows)
    stars = init.stars
    star_rows = []
    any_inferred = False
    for key in INDICATOR_KEYS:
        mark = ""
        if key in init.inferred_ratings:
            mark, any_inferred = "*", True
        star_rows.append(
            f'<tr><td class="mob-k">{_esc(indicator_label(key, lang))}{mark}</td>'
            f"<td>{_star_bar(stars[key])}</td></tr>"
        )
    notes = []
    if any_inferred:
        notes.append(_esc(text("inferred_note", lang)))
    if any(v is None for v in stars.values()):
        notes.append(_esc(text("na_note", lang)))
    note_html = "".join(f'<div class="mob-note">{n}</div>' for n in notes)
    caveats = "".join(
        f'<div class="mob-note"><b>{text("caveats", lang)}:</b> {_esc(c)}</div>'
        for c in init.caveats
    )
    sources = ""
    if init.sources:
        sources = (f'<div class="mob-note"><b>{text("sources", lang)}:</b> '
                   f'{_esc("; ".join(init.sources))}</div>')
    return (
        f'<div class="mob-popup"><h4>{init.id}. {_esc(name)}</h4>'
        f'<div class="mob-theme">{_esc(theme)}</div>'
        f"<table>{facts}</table>"
        f"<b>{text('ratings', lang)}</b><table>{''.join(star_rows)}</table>"
        f"{note_html}{caveats}{sources}</div>"
    )
