"""Static maps for the decision paper: themes, scores, bundles and per-municipality effects.

Every map is a matplotlib figure drawn on the shipped municipal boundaries (no tiles, no
network) with a legend, a scale bar and a north arrow; initiative ids are placed with
``adjustText`` so that labels do not overlap each other or the drawn points. Text from data is
drawn literally (no mathtext, no LaTeX).

- :func:`theme_map`: the initiatives coloured by theme;
- :func:`score_map`: the initiatives coloured by score;
- :func:`bundle_maps`: one small map per bundle with its members;
- :func:`municipality_maps`: person-minutes saved per day by municipality, one small map per
  bundle on one shared symmetric colour scale.
"""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrow, Patch, Rectangle

from .. import geodata
from ..labels import THEMES, format_number, theme_label
from ..schema import Initiative
from .view import RunView

__all__ = ["bundle_maps", "municipality_maps", "score_map", "theme_map"]

_PLAIN_TEXT = {"text.parse_math": False, "text.usetex": False}
_SEA = "#d7e4ee"
_LAND = "#f3f1ec"
_PAD_M = 3000.0


def _t(lang: str, da: str, en: str) -> str:
    return da if lang == "da" else en


def _kind(init: Initiative) -> str:
    t = init.geom.geom_type
    return "point" if "Point" in t else "line" if "Line" in t else "area"


def _schematic(init: Initiative) -> bool:
    """The geometry is drawn schematically (its note says so), e.g. straight cycle routes."""
    return str(init.geometry_note or "").strip().lower().startswith("schematic")


def _drawn(inits: Mapping[int, Initiative]) -> list[Initiative]:
    return [i for i in inits.values() if i.geom is not None and not i.geom.is_empty]


def _anchor(init: Initiative) -> tuple[float, float]:
    """A point on the initiative for its label (line middle, point, area representative)."""
    geom = init.geom
    kind = _kind(init)
    if kind == "line":
        line = geom if geom.geom_type == "LineString" else max(geom.geoms, key=lambda g: g.length)
        p = line.interpolate(0.5, normalized=True)
    elif kind == "point":
        p = geom if geom.geom_type == "Point" else next(iter(geom.geoms))
    else:
        p = geom.representative_point()
    return float(p.x), float(p.y)


@functools.lru_cache(maxsize=1)
def _background() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Municipalities and rail simplified to 50 m (invisible at print scale, fast to draw)."""
    munis = geodata.load_municipalities().copy()
    munis["geometry"] = munis.geometry.simplify(50.0)
    rail = geodata.load_rail_segments()
    rail = gpd.GeoDataFrame(geometry=rail.geometry.simplify(50.0), crs=rail.crs)
    return munis, rail


def _frame(ax: Any, *, title: str | None = None, rail: bool = True) -> tuple[float, ...]:
    """Sea, land (all shipped municipalities), the rail network, framed on the Fingerplan."""
    munis, rail_lines = _background()
    ax.set_facecolor(_SEA)
    munis.plot(ax=ax, color=_LAND, edgecolor="#9a9a9a", linewidth=0.4, zorder=0)
    if rail:
        rail_lines.plot(ax=ax, color="#b5b5b5", linewidth=0.5, zorder=1)
    x0, y0, x1, y1 = munis[munis["fingerplan"]].total_bounds
    bounds = (x0 - _PAD_M, y0 - _PAD_M, x1 + _PAD_M, y1 + _PAD_M)
    ax.set_xlim(bounds[0], bounds[2])
    ax.set_ylim(bounds[1], bounds[3])
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(textwrap.fill(title, 34), fontsize=7, fontweight="bold")
    return bounds


def _scale_bar(ax: Any, bounds: Sequence[float], *, lang: str, size: float = 7.0) -> None:
    """A 10 or 20 km scale bar in the lower left corner (the CRS is metric, UTM 32N)."""
    x0, y0, x1, y1 = bounds
    width = x1 - x0
    km = 20 if width > 80_000 else 10
    bx, by = x0 + 0.04 * width, y0 + 0.04 * (y1 - y0)
    h = 0.012 * (y1 - y0)
    half = km * 500.0
    ax.add_patch(Rectangle((bx, by), half, h, facecolor="#222222", edgecolor="#222222",
                           zorder=8))
    ax.add_patch(Rectangle((bx + half, by), half, h, facecolor="white", edgecolor="#222222",
                           zorder=8))
    ax.text(bx, by + 1.6 * h, "0", fontsize=size, ha="center", va="bottom", zorder=8)
    ax.text(bx + 2 * half, by + 1.6 * h, f"{format_number(km, 0, lang)} km", fontsize=size,
            ha="center", va="bottom", zorder=8)


def _north_arrow(ax: Any, bounds: Sequence[float], *, size: float = 8.0) -> None:
    """A north arrow in the upper right corner (UTM grid north, within 1° of true north)."""
    x0, y0, x1, y1 = bounds
    cx = x1 - 0.05 * (x1 - x0)
    top = y1 - 0.05 * (y1 - y0)
    length = 0.08 * (y1 - y0)
    ax.add_patch(FancyArrow(cx, top - length, 0, length * 0.75, width=0.01 * (x1 - x0),
                            head_width=0.035 * (x1 - x0), head_length=0.3 * length,
                            length_includes_head=False, color="#222222", zorder=8))
    ax.text(cx, top - length - 0.01 * (y1 - y0), "N", fontsize=size, fontweight="bold",
            ha="center", va="top", zorder=8)


def _source(ax: Any, lang: str) -> None:
    ax.text(0.99, 0.01, _t(lang, "Kommunegrænser: Klimadatastyrelsen (DAGI). Banenet: "
                                 "Rejseplanen. Indsatser: indsatskataloget.",
                           "Municipal boundaries: Klimadatastyrelsen (DAGI). Rail: "
                           "Rejseplanen. Initiatives: the catalogue."),
            transform=ax.transAxes, ha="right", va="bottom", fontsize=5.5, color="#555555",
            zorder=8, bbox={"fc": "white", "ec": "none", "alpha": 0.7, "pad": 1})


def _draw_initiatives(ax: Any, inits: Sequence[Initiative], colour: Any, *,
                      small: bool = False) -> None:
    order = {"area": 0, "line": 1, "point": 2}
    for init in sorted(inits, key=lambda i: (order[_kind(i)], i.id)):
        g = gpd.GeoSeries([init.geom], crs=geodata.CRS)
        col = colour(init)
        k = _kind(init)
        if k == "area":
            g.boundary.plot(ax=ax, color=col, linewidth=0.8 if small else 1.0,
                            linestyle=(0, (4, 3)), zorder=2)
        elif k == "line":
            g.plot(ax=ax, color=col, linewidth=1.6 if small else 2.2, zorder=3,
                   linestyle=(0, (5, 2)) if _schematic(init) else "-")
        else:
            g.plot(ax=ax, color=col, markersize=18 if small else 40, edgecolor="white",
                   linewidth=0.6, zorder=4)


def _label_ids(ax: Any, inits: Sequence[Initiative], bounds: Sequence[float], *,
               size: float = 7.0) -> list[int]:
    """Label non-area initiatives by id, moved apart with adjustText; returns the area ids."""
    from adjustText import adjust_text

    x0, y0, x1, y1 = bounds
    texts, xs, ys, areas = [], [], [], []
    for init in sorted(inits, key=lambda i: i.id):
        if _kind(init) == "area":
            areas.append(init.id)
            continue
        x, y = _anchor(init)
        if not (x0 <= x <= x1 and y0 <= y <= y1):
            continue
        xs.append(x)
        ys.append(y)
        texts.append(ax.text(x, y, str(init.id), fontsize=size, fontweight="bold",
                             color="#222222", zorder=7, ha="center", va="center",
                             bbox={"boxstyle": "round,pad=0.15", "fc": "white",
                                   "ec": "#888888", "lw": 0.4, "alpha": 0.9}))
    if texts:
        adjust_text(texts, x=np.array(xs), y=np.array(ys), ax=ax,
                    expand=(1.3, 1.5), force_text=(0.4, 0.6), force_static=(0.3, 0.5),
                    iter_lim=250,
                    arrowprops={"arrowstyle": "-", "color": "#666666", "lw": 0.5})
    return areas


def _schematic_handle(inits: Sequence[Initiative], lang: str) -> list[Line2D]:
    ids = sorted({i.id for i in inits if _schematic(i)})
    if not ids:
        return []
    return [Line2D([0], [0], color="#555555", linewidth=2, linestyle=(0, (5, 2)),
                   label=_t(lang, "Skematisk forløb: ", "Schematic route: ")
                   + ", ".join(map(str, ids)))]


def _area_handle(areas: Sequence[int], lang: str) -> Line2D:
    label = _t(lang, "Områdeindsats (stiplet)", "Area-wide initiative (dashed)")
    if areas:
        label += ": " + ", ".join(str(i) for i in areas)
    return Line2D([0], [0], color="#555555", linewidth=1, linestyle=(0, (4, 3)), label=label)


def _clean(ax: Any) -> None:
    """No axis labels (geopandas labels projected axes "Easting [metre]")."""
    ax.set_xlabel("")
    ax.set_ylabel("")


def _finish(fig: Figure, ax: Any, bounds: Sequence[float], lang: str) -> Figure:
    _clean(ax)
    _scale_bar(ax, bounds, lang=lang)
    _north_arrow(ax, bounds)
    _source(ax, lang)
    return fig


def theme_map(view: RunView) -> Figure:
    """The initiatives coloured by theme, with ids, legend, scale bar and north arrow."""
    lang = view.lang
    with mpl.rc_context(_PLAIN_TEXT):
        fig = Figure(figsize=(8, 8), dpi=150, layout="constrained")
        ax = fig.add_subplot()
        bounds = _frame(ax)
        drawn = _drawn(view.initiatives)
        _draw_initiatives(ax, drawn, lambda i: THEMES[i.theme]["color"])
        areas = _label_ids(ax, drawn, bounds)
        present = [t for t in THEMES if any(i.theme == t for i in drawn)]
        handles: list[Any] = [Line2D([0], [0], color=THEMES[t]["color"], linewidth=2.5,
                                     label=theme_label(t, lang)) for t in present]
        handles.append(_area_handle(areas, lang))
        handles += _schematic_handle(drawn, lang)
        handles.append(Line2D([0], [0], color="#b5b5b5", linewidth=1,
                              label=_t(lang, "Eksisterende jernbane", "Existing railway")))
        ax.legend(handles=handles, loc="upper left", fontsize=7, frameon=True,
                  title=_t(lang, "Tema (tal = indsatsnummer)", "Theme (numbers = initiative id)"),
                  title_fontsize=7)
        return _finish(fig, ax, bounds, lang)


def score_map(view: RunView) -> Figure:
    """The initiatives coloured by score (grey: no score), with a colour bar."""
    lang = view.lang
    with mpl.rc_context(_PLAIN_TEXT):
        fig = Figure(figsize=(8, 8), dpi=150, layout="constrained")
        ax = fig.add_subplot()
        bounds = _frame(ax)
        drawn = _drawn(view.initiatives)
        scores = {i: r.score for i, r in view.rows.items()}
        known = [v for v in scores.values() if v is not None]
        norm = mpl.colors.Normalize(min(known, default=0.0), max(known, default=5.0))
        cmap = mpl.colormaps["viridis_r"]

        def colour(init: Initiative) -> Any:
            v = scores.get(init.id)
            return "#bbbbbb" if v is None else cmap(norm(v))

        _draw_initiatives(ax, drawn, colour)
        areas = _label_ids(ax, drawn, bounds)
        sm = mpl.cm.ScalarMappable(norm=norm, cmap=cmap)
        cbar = fig.colorbar(sm, ax=ax, shrink=0.5, pad=0.01)
        cbar.set_label(_t(lang, "Score (vægtet gennemsnit af stjerner, 0-5)",
                          "Score (weighted mean of stars, 0-5)"), fontsize=8)
        cbar.ax.yaxis.set_major_formatter(
            mpl.ticker.FuncFormatter(lambda v, _p: format_number(v, 1, lang)))
        handles = [_area_handle(areas, lang), *_schematic_handle(drawn, lang),
                   Patch(color="#bbbbbb", label=_t(lang, "Ingen score", "No score"))]
        ax.legend(handles=handles, loc="upper left", fontsize=7, frameon=True,
                  title=_t(lang, "Tal = indsatsnummer", "Numbers = initiative id"),
                  title_fontsize=7)
        return _finish(fig, ax, bounds, lang)


def _grid(n: int) -> tuple[int, int]:
    cols = 2 if n <= 4 else 3
    return int(np.ceil(n / cols)), cols


def _panel_figure(n: int) -> tuple[Figure, Any]:
    """A figure of ``n`` small maps sized for a portrait page (16.5 cm wide)."""
    nr, nc = _grid(n)
    fig = Figure(figsize=(6.5, 3.05 * nr + 0.2), dpi=200, layout="constrained")
    return fig, fig.subplots(nr, nc, squeeze=False)


def bundle_maps(view: RunView) -> Figure | None:
    """One small map per bundle showing its members (None without bundles)."""
    lang = view.lang
    rows = list(view.bundle_rows)
    if not rows:
        return None
    with mpl.rc_context(_PLAIN_TEXT):
        fig, axes = _panel_figure(len(rows) + 1)
        for ax, row in zip(axes.flat, rows, strict=False):
            bounds = _frame(ax, title=row.name)
            members = [view.initiatives[i] for i in row.initiatives if i in view.initiatives]
            drawn = [i for i in members if i.geom is not None and not i.geom.is_empty]
            _draw_initiatives(ax, drawn, lambda i: THEMES[i.theme]["color"], small=True)
            areas = _label_ids(ax, drawn, bounds, size=5.5)
            if areas:
                ax.text(0.02, 0.98, _t(lang, "Områder: ", "Areas: ")
                        + ", ".join(map(str, areas)), transform=ax.transAxes, fontsize=5.5,
                        va="top", ha="left", zorder=8,
                        bbox={"fc": "white", "ec": "none", "alpha": 0.8, "pad": 1})
            _clean(ax)
            _scale_bar(ax, bounds, lang=lang, size=5.5)
            _north_arrow(ax, bounds, size=6)
        spare = list(axes.flat)[len(rows):]
        for ax in spare:
            ax.set_axis_off()
        present = sorted({view.initiatives[i].theme for r in rows for i in r.initiatives
                          if i in view.initiatives}, key=list(THEMES).index)
        handles: list[Any] = [Line2D([0], [0], color=THEMES[t]["color"], linewidth=2.5,
                                     label=theme_label(t, lang)) for t in present]
        handles.append(_area_handle((), lang))
        handles += _schematic_handle([view.initiatives[i] for r in rows for i in r.initiatives
                                      if i in view.initiatives], lang)
        handles.append(Line2D([0], [0], color="#b5b5b5", linewidth=1,
                              label=_t(lang, "Eksisterende jernbane", "Existing railway")))
        legend_ax = spare[0] if spare else axes.flat[-1]
        legend_ax.legend(handles=handles, loc="center", fontsize=7, frameon=True,
                         title=_t(lang, "Tema (tal = indsatsnummer)",
                                  "Theme (numbers = initiative id)"), title_fontsize=7)
        return fig


def municipality_maps(view: RunView) -> Figure | None:
    """Person-minutes saved per weekday by municipality of origin, one map per bundle, on one
    shared symmetric colour scale (None without network results)."""
    lang = view.lang
    names = [r.name for r in view.bundle_rows
             if any(r.name in m.person_minutes_by_bundle for m in view.municipality_rows)]
    if not names:
        return None
    values = pd.DataFrame({m.code: m.person_minutes_by_bundle for m in view.municipality_rows}).T
    span = float(np.nanmax(np.abs(values.to_numpy(dtype=float)))) if values.size else 1.0
    span = span if np.isfinite(span) and span > 0 else 1.0
    # symmetric log scale: the largest changes (hundreds of thousands) and the small ones
    # (hundreds) both stay visible on one scale shared by every bundle
    norm = mpl.colors.SymLogNorm(linthresh=max(span / 1000.0, 10.0), vmin=-span, vmax=span,
                                 base=10)
    cmap = mpl.colormaps["RdBu"]
    munis = _background()[0].set_index("code")
    with mpl.rc_context(_PLAIN_TEXT):
        fig, axes = _panel_figure(len(names) + 1)
        for ax, name in zip(axes.flat, names, strict=False):
            bounds = _frame(ax, title=name, rail=False)
            col = values[name] if name in values.columns else pd.Series(dtype=float)
            shaded = munis.join(col.rename("v"), how="left")
            has = shaded["v"].notna()
            shaded[has].plot(ax=ax, color=[cmap(norm(v)) for v in shaded.loc[has, "v"]],
                             edgecolor="#777777", linewidth=0.3, zorder=1)
            _clean(ax)
            _scale_bar(ax, bounds, lang=lang, size=5.5)
            _north_arrow(ax, bounds, size=6)
        rest = list(axes.flat)[len(names):]
        for ax in rest:
            ax.set_axis_off()
        sm = mpl.cm.ScalarMappable(norm=norm, cmap=cmap)
        cbar = fig.colorbar(sm, ax=rest[0], location="bottom", fraction=0.5, aspect=12)
        cbar.set_label(_t(lang, "Sparede personminutter pr. hverdag\n(efter bopælskommune; "
                                "blå = gevinst;\nlogaritmisk skala)",
                          "Person-minutes saved per weekday\n(by municipality of origin; "
                          "blue = gain;\nlogarithmic scale)"), fontsize=7)
        lin = float(norm.linthresh)
        powers = [10.0 ** k for k in range(int(np.ceil(np.log10(lin * 10))),
                                           int(np.floor(np.log10(span))) + 1)][-3:]
        cbar.set_ticks([*(-p for p in reversed(powers)), 0.0, *powers])
        cbar.ax.xaxis.set_major_formatter(
            mpl.ticker.FuncFormatter(lambda v, _p: format_number(v, 0, lang)))
        cbar.ax.xaxis.set_minor_locator(mpl.ticker.NullLocator())
        cbar.ax.tick_params(labelsize=6, rotation=35)
        rest[0].legend(handles=[Patch(facecolor=_LAND, edgecolor="#777777",
                                      label=_t(lang, "Ingen beregnet effekt",
                                               "No computed effect"))],
                       loc="upper center", fontsize=7, frameon=True)
        return fig
