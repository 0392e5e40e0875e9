"""Charts (PNG and SVG) and static map images for decision papers.

Builders return a :class:`matplotlib.figure.Figure` (no pyplot state, no files written);
:func:`figure_bytes` renders one to PNG or SVG bytes and :func:`write_figure` writes it,
atomically. Output is reproducible: the same figure gives the same bytes.

- :func:`indicators_chart`: each initiative's six indicators (a star grid in the catalogue's
  style: hatched = not assessable, ``*`` = inferred);
- :func:`cost_score_chart`: construction cost against score, with the Pareto front;
- :func:`bundle_chart`: bundles side by side (cost, score, person-minutes with synergy,
  municipalities gaining);
- :func:`static_map`: the initiatives on the municipal boundaries, no tiles needed (for Word).

Examples
--------
>>> from mobility.catalogue import read_initiatives
>>> from mobility.outputs.charts import figure_bytes, indicators_chart
>>> png = figure_bytes(indicators_chart(read_initiatives()), "png")
>>> png[:4] == b"\\x89PNG"
True
"""

from __future__ import annotations

import functools
import io
import logging
import math
import os
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from .. import geodata
from .._io import write_bytes
from ..errors import MobilityError
from ..labels import THEMES, format_number, indicator_label, text, theme_label
from ..schema import INDICATOR_KEYS, Initiative
from . import static_maps
from .index import Entry, section
from .view import BUNDLE_COLOURS, BundleRow, InitiativeRow, RunView, as_initiatives, initiative_rows

__all__ = [
    "bundle_chart",
    "cost_score_chart",
    "figure_bytes",
    "indicators_chart",
    "pareto_front_points",
    "render",
    "static_map",
    "write_figure",
]

log = logging.getLogger(__name__)

_DPI = 150
_STAR_CMAP = "Blues"


#: Text is drawn as it is: a ``$`` in a name is a dollar sign, never mathtext or LaTeX.
_PLAIN_TEXT = {"text.parse_math": False, "text.usetex": False}


def _plain_text(func: Callable[..., Figure]) -> Callable[..., Figure]:
    """Build the figure with :data:`_PLAIN_TEXT` (text objects read it when created)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Figure:
        with mpl.rc_context(_PLAIN_TEXT):
            return func(*args, **kwargs)

    return wrapper


def _shorten(name: str, width: int = 48) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


def _number_formatter(lang: str, decimals: int = 0) -> mpl.ticker.FuncFormatter:
    return mpl.ticker.FuncFormatter(lambda v, _pos: format_number(v, decimals, lang))


# --------------------------------------------------------------------------------------------
# Indicators


@_plain_text
def indicators_chart(
    initiatives: Mapping[int, Initiative] | Iterable[Initiative] | None = None,
    *,
    lang: str = "da",
    rows: Mapping[int, InitiativeRow] | None = None,
) -> Figure:
    """Each initiative's six indicators as a grid of star counts.

    Rows are initiatives, columns the six guiding indicators; a cell's shade and number give
    the stars (0-5), hatched grey = not assessable, ``*`` = inferred from the page text.

    Parameters
    ----------
    initiatives : mapping or iterable of Initiative, optional
        Default: the shipped catalogue.
    lang : {"da", "en"}
    rows : mapping of id to InitiativeRow, optional
        The run's prepared rows (:attr:`RunView.rows`); default prepared here.

    Returns
    -------
    matplotlib.figure.Figure
    """
    inits = as_initiatives(initiatives)
    if rows is None:
        rows = initiative_rows(inits, lang=lang)
    shown = [rows[i] for i in inits]
    n = len(inits)
    fig = Figure(figsize=(10.5, 1.6 + 0.27 * n), dpi=_DPI, layout="constrained")
    ax = fig.add_subplot()
    cmap = mpl.colormaps[_STAR_CMAP]
    for r, row in enumerate(shown):
        for c, key in enumerate(INDICATOR_KEYS):
            value = row.stars[key]
            inferred = key in row.inferred
            if value is None:
                ax.add_patch(Rectangle((c, r), 1, 1, facecolor="#eeeeee", edgecolor="white",
                                       hatch="////", linewidth=1.5))
                label = "–"
                colour = "#555555"
            else:
                ax.add_patch(Rectangle((c, r), 1, 1, facecolor=cmap(0.08 + 0.18 * value),
                                       edgecolor="white", linewidth=1.5))
                label = str(value)
                colour = "white" if value >= 3 else "#222222"
            ax.text(c + 0.5, r + 0.5, label + ("*" if inferred else ""), ha="center",
                    va="center", fontsize=8, color=colour)
    ax.set_xlim(0, len(INDICATOR_KEYS))
    ax.set_ylim(n, 0)
    ax.set_xticks(np.arange(len(INDICATOR_KEYS)) + 0.5)
    ax.set_xticklabels([textwrap.fill(indicator_label(k, lang), 16) for k in INDICATOR_KEYS],
                       fontsize=8)
    ax.xaxis.tick_top()
    ax.set_yticks(np.arange(n) + 0.5)
    ax.set_yticklabels([f"{row.id}. {_shorten(row.name)}" for row in shown], fontsize=8)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    handles = [Patch(facecolor=cmap(0.08 + 0.18 * s), label=str(s)) for s in range(6)]
    handles.append(Patch(facecolor="#eeeeee", hatch="////", label=text("not_assessable", lang)))
    fig.legend(handles=handles, loc="outside lower center", ncols=7, fontsize=8, frameon=False,
               title=f"{text('ratings', lang)} (0-5); * = {text('inferred', lang)}",
               title_fontsize=8)
    fig.suptitle(text("indicators_chart", lang), fontsize=11, fontweight="bold")
    return fig


# --------------------------------------------------------------------------------------------
# Cost against score


def pareto_front_points(cost: pd.Series, score: pd.Series) -> list[Any]:
    """Ids on the cost-score Pareto front: no other item is cheaper and at least as good.

    Items with unknown cost or score are left out. Returns the ids in order of cost.
    """
    data = pd.DataFrame({"cost": pd.to_numeric(cost, errors="coerce"),
                         "score": pd.to_numeric(score, errors="coerce")}).dropna()
    data = data.sort_values(["cost", "score"], ascending=[True, False], kind="stable")
    front: list[Any] = []
    best = -np.inf
    for ident, row in data.iterrows():
        if row["score"] > best:
            front.append(ident)
            best = row["score"]
    return front


@_plain_text
def cost_score_chart(
    scores: pd.DataFrame,
    *,
    lang: str = "da",
    front: Sequence[Any] | None = None,
    weights_label: str | None = None,
) -> Figure:
    """Construction cost (log scale) against score, coloured by theme, with the Pareto front.

    Parameters
    ----------
    scores : pandas.DataFrame
        Indexed by id with ``score``, ``cost_mdkk`` and ``theme`` (as from
        :func:`mobility.appraisal.score_initiatives`).
    lang : {"da", "en"}
    front : sequence of ids, optional
        The Pareto front to draw (default: computed by :func:`pareto_front_points`).
    weights_label : str, optional
        Shown in the subtitle.

    Returns
    -------
    matplotlib.figure.Figure
    """
    for col in ("score", "cost_mdkk"):
        if col not in scores.columns:
            msg = f"scores need a {col!r} column"
            raise MobilityError(msg)
    data = scores.copy()
    data["score"] = pd.to_numeric(data["score"], errors="coerce")
    data["cost_mdkk"] = pd.to_numeric(data["cost_mdkk"], errors="coerce")
    known = data.dropna(subset=["score", "cost_mdkk"])
    known = known[known["cost_mdkk"] > 0]
    unknown = data.index.difference(known.index)
    fig = Figure(figsize=(9, 6), dpi=_DPI, layout="constrained")
    ax = fig.add_subplot()
    themes = data["theme"] if "theme" in data.columns else pd.Series("public_transport",
                                                                      index=data.index)
    low = (data["low_coverage"].fillna(False).astype(bool) if "low_coverage" in data.columns
           else pd.Series(False, index=data.index))
    # drawn on log10(cost) with a linear axis (labelled in DKK m): adjustText places labels
    # reliably in linear coordinates
    lx = np.log10(known["cost_mdkk"].astype(float))
    for theme in THEMES:
        sel = (themes.reindex(known.index) == theme) & ~low.reindex(known.index)
        if not sel.any():
            continue
        ax.scatter(lx[sel], known.loc[sel, "score"], s=60, color=THEMES[theme]["color"],
                   edgecolor="white", linewidth=0.8, label=theme_label(theme, lang), zorder=3)
    grey = low.reindex(known.index).fillna(False).astype(bool)
    if grey.any():  # low coverage: never painted as the best
        ax.scatter(lx[grey], known.loc[grey, "score"], s=60, facecolor="white",
                   edgecolor="#999999", linewidth=1.2, zorder=3,
                   label=text("low_coverage", lang))
    labels = [ax.text(lx[ident], row["score"], str(ident), fontsize=7,
                      color="#999999" if low.get(ident, False) else "#333333", zorder=4)
              for ident, row in known.iterrows()]
    ids = list(front) if front is not None else pareto_front_points(known["cost_mdkk"],
                                                                    known["score"])
    ids = [i for i in ids if i in known.index]
    if ids:
        pts = known.loc[ids].sort_values("cost_mdkk")
        ax.step(np.log10(pts["cost_mdkk"].astype(float)), pts["score"], where="post",
                color="#333333", linewidth=1.2, linestyle="--", zorder=2,
                label=text("pareto_front", lang))
    lo_k, hi_k = math.floor(lx.min()) if len(lx) else 0, math.ceil(lx.max()) if len(lx) else 1
    ax.set_xlim(float(lx.min()) - 0.15 if len(lx) else 0, float(lx.max()) + 0.15 if len(lx)
                else 1)
    ax.xaxis.set_major_locator(mpl.ticker.FixedLocator(list(range(lo_k, hi_k + 1))))
    ax.xaxis.set_minor_locator(mpl.ticker.FixedLocator(
        [math.log10(m * 10**k) for k in range(lo_k, hi_k) for m in range(2, 10)]))
    ax.xaxis.set_major_formatter(mpl.ticker.FuncFormatter(
        lambda v, _pos: format_number(10**v, 0, lang)))
    ax.yaxis.set_major_formatter(_number_formatter(lang, 1))
    ax.set_xlabel(text("cost_mdkk", lang) + (" (log)" if lang == "en" else " (logaritmisk)"))
    ax.set_ylabel(text("score", lang))
    ax.grid(True, which="major", color="#dddddd", linewidth=0.6)
    ax.legend(fontsize=8, loc="upper left", frameon=True)
    title = text("cost_score_chart", lang)
    fig.suptitle(title, fontsize=11, fontweight="bold")
    notes = []
    if weights_label:
        notes.append(f"{text('weights', lang)}: {weights_label}")
    if len(unknown):
        ids_text = ", ".join(str(i) for i in sorted(unknown))
        notes.append(("Ukendt anlægsomkostning, ikke vist: " if lang == "da"
                      else "Unknown construction cost, not shown: ") + ids_text)
    if notes:
        ax.set_title(" · ".join(notes), fontsize=8, color="#555555")
    _place_labels(ax, labels, lx, known["score"])
    return fig


def _place_labels(ax: Any, labels: list[Any], x: pd.Series, y: pd.Series) -> None:
    """Move point labels apart (adjustText) so that none overlaps another or a point."""
    if not labels:
        return
    from adjustText import adjust_text

    ax.figure.draw_without_rendering()  # adjustText measures the texts of a laid-out figure
    adjust_text(labels, x=x.to_numpy(dtype=float), y=y.to_numpy(dtype=float), ax=ax,
                expand=(1.3, 1.5), arrowprops={"arrowstyle": "-", "color": "#999999",
                                               "lw": 0.5}, min_arrow_len=6,
                ensure_inside_axes=True)


# --------------------------------------------------------------------------------------------
# Bundles


def _bundle_dicts(evaluations: Sequence[Any]) -> list[dict[str, Any]]:
    out = []
    for ev in evaluations:
        if isinstance(ev, BundleRow):  # the view's row: its name is in the run's language
            out.append({**ev.evaluation, "name": ev.name})
        elif isinstance(ev, Mapping):
            out.append(dict(ev))
        elif hasattr(ev, "to_dict"):
            out.append(dict(ev.to_dict()))
        else:
            msg = f"cannot read a bundle evaluation from {type(ev).__name__}"
            raise MobilityError(msg)
    return out


def _num(value: Any) -> float:
    if isinstance(value, (list, tuple, set, frozenset)):
        return float(len(value))
    try:
        out = float(value)
    except (TypeError, ValueError):
        return float("nan")
    return out


@_plain_text
def bundle_chart(evaluations: Sequence[Any], *, lang: str = "da") -> Figure:
    """Bundles side by side: cost, score, person-minutes saved (with synergy), municipalities.

    Parameters
    ----------
    evaluations : sequence of mapping
        Bundle evaluations (``evaluate_bundle(b).to_dict()``).
    lang : {"da", "en"}

    Returns
    -------
    matplotlib.figure.Figure
    """
    evs = _bundle_dicts(evaluations)
    if not evs:
        msg = "no bundles to chart"
        raise MobilityError(msg)
    names = [str(e.get("name", "")) for e in evs]
    y = np.arange(len(evs))
    fig = Figure(figsize=(11, 1.8 + 0.45 * len(evs)), dpi=_DPI, layout="constrained")
    axes = fig.subplots(1, 4, sharey=True)
    bar_colours = [BUNDLE_COLOURS[k % len(BUNDLE_COLOURS)] for k in range(len(evs))]
    panels = [
        ("cost_mdkk", text("cost_mdkk", lang), 0),
        ("score", text("score", lang), 2),
        ("person_minutes_saved_per_day", text("person_minutes", lang), 0),
        ("municipalities_gaining", text("municipalities_gaining", lang), 0),
    ]
    for ax, (key, label, decimals) in zip(axes, panels, strict=True):
        values = np.array([_num(e.get(key)) for e in evs])
        scale = 1.0
        finite = np.abs(values[np.isfinite(values)])
        if len(finite) and finite.max() >= 1e5:  # axis in thousands: "1.600", not "1.600.000"
            scale = 1000.0
            label += " (1.000)" if lang == "da" else " (thousands)"
        if key == "person_minutes_saved_per_day":
            singles = np.array([_num(e.get("sum_of_singles_person_minutes")) for e in evs])
            synergy = np.array([_num(e.get("synergy_person_minutes")) for e in evs])
            base = np.where(np.isnan(singles), values, singles)
            ax.barh(y, np.nan_to_num(base), color=bar_colours, alpha=0.85)
            syn = np.nan_to_num(synergy)
            ax.barh(y, syn, left=np.nan_to_num(base), color="none", edgecolor="#333333",
                    hatch="///", linewidth=0.6,
                    label=text("synergy", lang).split(",")[0])
            if np.any(syn != 0):
                ax.legend(fontsize=7, loc="lower right")
        else:
            ax.barh(y, np.nan_to_num(values), color=bar_colours, alpha=0.85)
        for k, v in enumerate(values):
            label_text = format_number(v / scale, decimals, lang, empty="–")
            negative = not np.isnan(v) and v < 0
            ax.text(0 if np.isnan(v) else v, k, f"{label_text} " if negative else f" {label_text}",
                    va="center", ha="right" if negative else "left", fontsize=7)
        ax.set_title(label, fontsize=8)
        ax.set_axisbelow(True)
        ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(3))
        ax.xaxis.set_major_formatter(mpl.ticker.FuncFormatter(
            lambda v, _pos, s=scale, d=(1 if key == "score" else 0): format_number(v / s, d,
                                                                                  lang)))
        ax.tick_params(axis="x", labelsize=7)
        ax.grid(True, axis="x", color="#eeeeee")
        ax.margins(x=0.25)
    axes[0].set_yticks(y)
    axes[0].set_yticklabels(names, fontsize=8)
    axes[0].invert_yaxis()
    fig.suptitle(text("bundle_comparison", lang), fontsize=11, fontweight="bold")
    return fig


# --------------------------------------------------------------------------------------------
# Static map


@_plain_text
def static_map(
    initiatives: Mapping[int, Initiative] | Iterable[Initiative] | None = None,
    *,
    lang: str = "da",
    scores: pd.DataFrame | None = None,
    title: str | None = None,
    fingerplan_only: bool = True,
) -> Figure:
    """A static map of the initiatives on the municipal boundaries (no tiles).

    Coloured by theme, or by score when ``scores`` (indexed by id, with ``score``) is given.
    Area-wide initiatives are drawn as dashed outlines; points as dots; ids are labelled.

    Parameters
    ----------
    initiatives : mapping or iterable of Initiative, optional
        Default: the shipped catalogue.
    lang : {"da", "en"}
    scores : pandas.DataFrame, optional
        Colour by ``score`` instead of theme.
    title : str, optional
    fingerplan_only : bool
        Frame the map on the Fingerplan area (Bornholm left out of the frame).

    Returns
    -------
    matplotlib.figure.Figure
    """
    inits = as_initiatives(initiatives)
    munis = geodata.load_municipalities()
    fig = Figure(figsize=(9, 9.5), dpi=_DPI, layout="constrained")
    ax = fig.add_subplot()
    ax.set_facecolor("#d7e4ee")
    munis.plot(ax=ax, color="#f3f1ec", edgecolor="#9a9a9a", linewidth=0.5)
    frame = munis[munis["fingerplan"]] if fingerplan_only else munis
    x0, y0, x1, y1 = frame.total_bounds
    pad = 3000
    norm = None
    cmap = mpl.colormaps["viridis_r"]
    if scores is not None:
        sc = pd.to_numeric(scores["score"], errors="coerce")
        norm = mpl.colors.Normalize(float(sc.min()), float(sc.max()))

    def colour_of(init: Initiative) -> Any:
        if norm is not None and scores is not None:
            v = pd.to_numeric(scores["score"], errors="coerce").get(init.id, np.nan)
            return "#bbbbbb" if pd.isna(v) else cmap(norm(float(v)))
        return THEMES[init.theme]["color"]

    drawn = [i for i in inits.values() if i.geom is not None and not i.geom.is_empty]
    order = {"area": 0, "line": 1, "point": 2}

    def kind(init: Initiative) -> str:
        t = init.geom.geom_type
        return "point" if "Point" in t else "line" if "Line" in t else "area"

    for init in sorted(drawn, key=lambda i: (order[kind(i)], i.id)):
        geo = pd.Series([init.geom])
        g = gpd.GeoSeries(geo, crs=geodata.CRS)
        col = colour_of(init)
        k = kind(init)
        if k == "area":
            g.boundary.plot(ax=ax, color=col, linewidth=1.0, linestyle=(0, (4, 3)), zorder=2)
        elif k == "line":
            g.plot(ax=ax, color=col, linewidth=2.2, zorder=3)
        else:
            g.plot(ax=ax, color=col, markersize=40, edgecolor="white", linewidth=0.8, zorder=4)
    # id labels at a point on each initiative (areas listed in the corner instead)
    area_ids = []
    for init in drawn:
        if kind(init) == "area":
            area_ids.append(init.id)
            continue
        geom = init.geom
        if kind(init) == "line":
            p = geom.interpolate(0.5, normalized=True) if geom.geom_type == "LineString" else \
                max(geom.geoms, key=lambda g: g.length).interpolate(0.5, normalized=True)
        else:
            p = geom.centroid if geom.geom_type == "Point" else next(iter(geom.geoms))
        if not (x0 - pad <= p.x <= x1 + pad and y0 - pad <= p.y <= y1 + pad):
            continue
        ax.annotate(str(init.id), (p.x, p.y), xytext=(3, 3), textcoords="offset points",
                    fontsize=7, fontweight="bold", color="#222222", zorder=5,
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none",
                          "alpha": 0.8})
    ax.set_xlim(x0 - pad, x1 + pad)
    ax.set_ylim(y0 - pad, y1 + pad)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    handles: list[Any] = []
    if norm is None:
        present = [t for t in THEMES if any(i.theme == t for i in drawn)]
        handles = [Line2D([0], [0], color=THEMES[t]["color"], linewidth=2.5,
                          label=theme_label(t, lang)) for t in present]
    else:
        sm = mpl.cm.ScalarMappable(norm=norm, cmap=cmap)
        cbar = fig.colorbar(sm, ax=ax, shrink=0.5, pad=0.01)
        cbar.set_label(text("score", lang))
    handles.append(Line2D([0], [0], color="#555555", linewidth=1, linestyle=(0, (4, 3)),
                          label=text("area_initiative", lang).split(" (")[0]
                          + (f": {', '.join(str(i) for i in area_ids)}" if area_ids else "")))
    ax.legend(handles=handles, loc="upper left", fontsize=8, frameon=True)
    src = ("Kommunegrænser: Klimadatastyrelsen (DAGI). Indsatser: indsatskataloget."
           if lang == "da" else
           "Municipal boundaries: Klimadatastyrelsen (DAGI). Initiatives: the catalogue.")
    ax.text(0.99, 0.01, src, transform=ax.transAxes, ha="right", va="bottom", fontsize=6,
            color="#555555")
    fig.suptitle(title or text("catalogue_map", lang), fontsize=11, fontweight="bold")
    return fig


# --------------------------------------------------------------------------------------------
# Output


def figure_bytes(fig: Figure, fmt: str = "png") -> bytes:
    """Render a figure to PNG or SVG bytes (reproducible: no dates, fixed SVG ids)."""
    if fmt not in ("png", "svg"):
        msg = f"unknown figure format {fmt!r}; choose png or svg"
        raise MobilityError(msg)
    buf = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {"Software": None}
    with mpl.rc_context({"svg.hashsalt": "mobility", "svg.fonttype": "path", **_PLAIN_TEXT}):
        fig.savefig(buf, format=fmt, dpi=_DPI, metadata=metadata)
    return buf.getvalue()


def write_figure(fig: Figure, path: str | os.PathLike[str],
                 formats: Sequence[str] = ("png", "svg")) -> list[Path]:
    """Write ``fig`` as ``path`` with each suffix in ``formats`` (atomically); return paths."""
    stem = Path(path)
    stem = stem.with_suffix("") if stem.suffix in (".png", ".svg") else stem
    return [write_bytes(stem.with_suffix(f".{fmt}"), figure_bytes(fig, fmt)) for fmt in formats]


def render(view: RunView, stage: Path) -> list[Entry]:
    """Write ``charts/``: indicators, cost against score, static maps and (with bundles) the
    bundle comparison, each as PNG and SVG."""
    lang = view.lang
    figures = [
        ("charts/indicators", text("indicators_chart", lang),
         indicators_chart(view.initiatives, lang=lang, rows=view.rows)),
        ("charts/cost-score", text("cost_score_chart", lang),
         cost_score_chart(view.scores, lang=lang, weights_label=view.weights_label)),
        # the paper's static maps: legend, scale bar and north arrow on each
        ("charts/map-themes", text("catalogue_map", lang), static_maps.theme_map(view)),
        ("charts/map-score", text("score_map", lang), static_maps.score_map(view)),
    ]
    if view.bundle_rows:
        figures.append(("charts/bundles", text("bundle_comparison", lang),
                        bundle_chart(view.bundle_rows, lang=lang)))
    sec = section("charts", lang)
    entries = []
    for rel, title, fig in figures:
        write_figure(fig, stage / rel)
        entries.append(Entry(sec, f"{title} (PNG)", f"{rel}.png"))
        entries.append(Entry(sec, f"{title} (SVG)", f"{rel}.svg"))
    return entries
