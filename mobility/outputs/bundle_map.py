"""The bundle comparison map: two synchronised maps side by side, one layer per bundle.

Built from the view's bundle rows (:class:`~mobility.outputs.view.BundleRow`, names in the run's
language) or from evaluation dicts; uses the map frame of :mod:`mobility.outputs.maps`
(:func:`mobility.outputs.maps.bundle_comparison_map` is this function).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import branca.element
import folium
import numpy as np
import pandas as pd

from .. import geodata
from ..errors import MobilityError
from ..labels import format_number, text
from ..schema import Initiative
from .map_parts import _GeoJsonLayer, _HtmlControl, _Sync
from .maps import (
    DEFAULT_TILES,
    SIMPLIFY_TOLERANCE_M,
    _check_tiles,
    _collection,
    _display_geoms,
    _esc,
    _feature,
    _finish,
    _initiative_features,
    _kind_legend_rows,
    _new_map,
    _nice,
    _prepare,
)
from .view import BUNDLE_COLOURS, BundleRow, as_initiatives

__all__ = ["bundle_comparison_map"]

_BUNDLE_COLOURS = BUNDLE_COLOURS


def bundle_comparison_map(
    bundles: Sequence[Mapping[str, Any] | BundleRow],
    initiatives: Mapping[int, Initiative] | Iterable[Initiative] | None = None,
    *,
    incidence: Mapping[str, pd.DataFrame] | None = None,
    m: folium.Map | None = None,
    lang: str = "da",
    tiles: str | None = DEFAULT_TILES,
    dual: bool = True,
) -> folium.Map:
    """Compare bundles: two synchronised maps side by side, one switchable layer per bundle.

    With two or more bundles (and ``dual``, no ``m``) the page holds two maps that follow each
    other when panned or zoomed; the left one opens on the first bundle, the right one on the
    second, and either can switch to any bundle in its layer list. Otherwise one map.
    Municipalities are shaded by the person-minutes a bundle saves per day there, on one scale
    for all bundles (legend). The summary table is a collapsed panel (it covers nothing).

    Parameters
    ----------
    bundles : sequence of BundleRow or mapping
        The view's bundle rows (:attr:`RunView.bundle_rows`), or evaluations as dicts
        (``evaluate_bundle(b).to_dict()``: ``name``, ``initiatives``, ``cost_mdkk``, ``score``,
        ``person_minutes_saved_per_day``, ``synergy_person_minutes``,
        ``municipalities_gaining``, ``network_excluded``; missing keys shown empty).
    initiatives : mapping or iterable of Initiative, optional
        Default: the shipped catalogue.
    incidence : mapping of bundle name to DataFrame, optional
        Per-municipality gains of each bundle (indexed by municipality code, with
        ``person_minutes_saved_per_day``); default: the rows' own ``incidence``.
    m, lang, tiles
        As for :func:`catalogue_map`.
    dual : bool
        Two synchronised maps (default) when there are two or more bundles.

    Returns
    -------
    folium.Map
        The (left) map; with two maps its page holds both (:func:`render_html`).
    """
    if len(bundles) < 1:
        msg = "bundle_comparison_map needs at least one bundle"
        raise MobilityError(msg)
    inits = as_initiatives(initiatives)
    items = [_bundle_item(b, k, lang, incidence) for k, b in enumerate(bundles)]
    for item in items:
        missing = [i for i in item["ids"] if i not in inits]
        if missing:
            msg = f"bundle {item['name']!r} names initiatives not in the catalogue: {missing}"
            raise MobilityError(msg)
    tops = [float(v.max()) for it in items if (v := it["values"]) is not None
            and v.notna().any()]
    top = _nice(max(tops)) if tops and max(tops) > 0 else 1.0
    if dual and m is None and len(items) >= 2:
        tiles = _check_tiles(tiles)
        fig = branca.element.Figure()
        frame = {"position": "absolute", "top": "0%", "height": "100%", "width": "50%"}
        left, right = _new_map(tiles, left="0%", **frame), _new_map(tiles, left="50%", **frame)
        fig.add_child(left)
        fig.add_child(right)
        _bundle_layers(left, items, inits, lang=lang, tiles=tiles, top=top, shown=0,
                       summary=True)
        _bundle_layers(right, items, inits, lang=lang, tiles=tiles, top=top, shown=1,
                       summary=False)
        right.add_child(_Sync(left, right), name="mobility_sync")
        left._mobility_partner = right  # type: ignore[attr-defined]  # for expected_paths
        return left
    m = _prepare(m, tiles=_check_tiles(tiles), lang=lang, sources=("catalogue",))
    _bundle_layers(m, items, inits, lang=lang, tiles=tiles, top=top, shown=0, summary=True)
    return m


def _bundle_item(bundle: Mapping[str, Any] | BundleRow, k: int, lang: str,
                 incidence: Mapping[str, pd.DataFrame] | None) -> dict[str, Any]:
    """What the bundle map shows of one bundle (from a view row or an evaluation dict)."""
    get = bundle.get
    name = str(get("name") or f"{text('bundle', lang)} {k + 1}")
    inc = (incidence or {}).get(name)
    if inc is None:
        inc = get("incidence")
    values = None
    if inc is not None and "person_minutes_saved_per_day" in inc.columns:
        data = inc.set_index("municipality_code") if "municipality_code" in inc.columns else inc
        values = pd.to_numeric(data["person_minutes_saved_per_day"], errors="coerce")
    if isinstance(bundle, BundleRow):
        not_modelled = dict(bundle.not_modelled)
    else:
        not_modelled = {int(i): str(r) for i, r in (get("network_excluded") or {}).items()}
    gaining = get("municipalities_gaining")
    if isinstance(gaining, (list, tuple, set)):
        gaining = len(gaining)
    return {"name": name, "colour": _BUNDLE_COLOURS[k % len(_BUNDLE_COLOURS)],
            "ids": [int(i) for i in get("initiatives") or []], "values": values,
            "not_modelled": not_modelled, "cost_mdkk": get("cost_mdkk"), "score": get("score"),
            "person_minutes": get("person_minutes_saved_per_day"),
            "synergy": get("synergy_person_minutes"), "gaining": gaining}


def _bundle_layers(m: folium.Map, items: Sequence[Mapping[str, Any]],
                   inits: Mapping[int, Initiative], *, lang: str, tiles: str | None,
                   top: float, shown: int, summary: bool) -> None:
    """One switchable layer per bundle (municipal shading and members), legend, summary."""
    m = _prepare(m, tiles=tiles, lang=lang, sources=("catalogue",))
    munis = geodata.load_municipalities().set_index("code")
    disp = dict(zip(munis.index, _display_geoms(munis.geometry, SIMPLIFY_TOLERANCE_M * 2),
                    strict=True))
    rows = []
    for k, it in enumerate(items):
        col, name, ids = it["colour"], it["name"], it["ids"]
        group = folium.FeatureGroup(name=f'<span style="color:{col}">■</span> {_esc(name)}',
                                    overlay=True, control=True, show=(k == shown))
        if it["values"] is not None:
            feats = []
            for code, v in it["values"].dropna().items():
                if int(code) not in disp or v <= 0:
                    continue
                style = {"color": col, "weight": 0.8, "fillColor": col,
                         "fillOpacity": _shade(float(v), top),
                         "className": "mob-bundle-muni"}
                tip = (f"<b>{_esc(munis.loc[int(code), 'name'])}</b><br>{_esc(name)}: "
                       f"{format_number(v, 0, lang)} {text('person_minutes', lang).lower()}")
                feats.append(_feature(disp[int(code)], {"_style": style, "_tooltip": tip}))
            group.add_child(_GeoJsonLayer(_collection(feats), name=name, pane="mob-cells",
                                          control=False))
        members = [inits[i] for i in ids]
        feats_by_pane = _initiative_features(members, colour={i: col for i in ids}, lang=lang,
                                             tooltip_extra={i: _esc(name) for i in ids},
                                             not_modelled=it["not_modelled"])
        for pane in ("mob-areas", "mob-lines", "mob-points"):
            if feats_by_pane[pane]:
                group.add_child(_GeoJsonLayer(_collection(feats_by_pane[pane]), name=name,
                                              pane=pane, control=False))
        if feats_by_pane["badges"]:
            group.add_child(_GeoJsonLayer(_collection(feats_by_pane["badges"]), name=name,
                                          pane="markerPane", control=False))
        m.add_child(group)
        rows.append(
            f'<tr><td><span style="color:{col}">■</span> {_esc(name)}</td>'
            f"<td>{len(ids)}</td>"
            f"<td>{format_number(it['cost_mdkk'], 0, lang, empty='–')}</td>"
            f"<td>{format_number(it['score'], 2, lang, empty='–')}</td>"
            f"<td>{format_number(it['person_minutes'], 0, lang, empty='–')}</td>"
            f"<td>{format_number(it['synergy'], 0, lang, empty='–')}</td>"
            f"<td>{format_number(it['gaining'], 0, lang, empty='–')}</td>"
            f"<td>{_esc(', '.join(map(str, sorted(it['not_modelled'])))) or '–'}</td></tr>"
        )
    if summary:
        head = "".join(f"<th>{_esc(h)}</th>" for h in (
            text("bundle", lang), text("n_initiatives", lang).split()[0],
            text("cost_mdkk", lang), text("score", lang), text("person_minutes", lang),
            text("synergy", lang), text("municipalities_gaining", lang),
            text("not_modelled", lang).capitalize()))
        table = (f"<details><summary>{text('summary', lang)} ({len(items)})</summary>"
                 f"<table class='mob-summary'><tr>{head}</tr>{''.join(rows)}</table>"
                 f'<div class="mob-note">{_esc(_bundle_note(lang))}</div></details>')
    nm = any(it["not_modelled"] for it in items)
    schematic = any(inits[i].schematic for it in items for i in it["ids"])
    legend = (_shade_legend(top, lang)
              + "".join(_kind_legend_rows(lang, schematic=schematic, not_modelled=nm)))
    n = len(items)
    _finish(m, title=text("bundle_map", lang), lang=lang,
            subtitle=f"{n} {text('bundle', lang).lower()}"
                     f"{'r' if lang == 'da' and n != 1 else ''}"
                     f"{'s' if lang == 'en' and n != 1 else ''}",
            legend_html=legend)
    if summary:  # after the title and the search box (controls stack in the order added)
        m.add_child(_HtmlControl(table, "topleft", "mob-summary-box"),
                    name="mobility_bundle_summary")


def _shade(value: float, top: float) -> float:
    """Fill opacity of a municipality saving ``value`` person-minutes (same for all bundles)."""
    return round(0.08 + 0.6 * min(max(value / top, 0.0), 1.0), 3)


def _shade_legend(top: float, lang: str) -> str:
    """Legend of the municipal shading: opacity from 0 to ``top`` person-minutes per day."""
    ticks = "".join(f"<span>{format_number(v, 0, lang)}</span>" for v in np.linspace(0, top, 5))
    title = ("Kommuner: personminutter sparet pr. døgn (samme skala for alle pakker; "
             "farve = pakkens)" if lang == "da" else
             "Municipalities: person-minutes saved per day (one scale for all bundles; "
             "colour = the bundle's)")
    return (f"<b>{_esc(title)}</b><div class=\"mob-gradient\" style=\"background: "
            f"linear-gradient(to right, rgba(80,80,80,{_shade(0, top)}), "
            f"rgba(80,80,80,{_shade(top, top)}))\"></div><div class=\"mob-ticks\">{ticks}</div>")


def _bundle_note(lang: str) -> str:
    if lang == "en":
        return ("Switch bundles in the layer list (top right). Coloured municipalities: "
                "person-minutes saved per day by the bundle.")
    return ("Skift pakke i lagvælgeren (øverst til højre). Farvede kommuner: "
            "personminutter sparet pr. døgn med pakken.")
