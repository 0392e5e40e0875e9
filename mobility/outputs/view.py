"""One prepared view of a run's results, computed once per run and rendered by every output.

:func:`build_view` takes what the run loaded and evaluated (initiatives, scores, bundles and
their evaluations, network effects, weights) and prepares what the outputs show:

- :class:`InitiativeRow` per initiative: name in the run's language, theme label, stars (as
  numbers and as ``★★★☆☆``), cost, score, rank and coverage as numbers and formatted text, and
  whether the network model represents it ("not modelled" with the reason);
- :class:`BundleRow` per bundle: members, cost, score, person-minutes, synergy, municipalities
  gaining, warnings;
- :class:`MunicipalityRow` per municipality: person-minutes saved per day by each bundle.

Maps, tables, the paper, charts and the index (:mod:`mobility.outputs`) render a
:class:`RunView`; none of them prepares the rows again. :func:`as_initiatives` is the one place
where an initiatives argument (mapping, iterable or ``None`` = the shipped catalogue) is
normalised.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..labels import format_number, stars_text, theme_label
from ..schema import INDICATOR_KEYS, Initiative

__all__ = ["BUNDLE_COLOURS", "BundleRow", "InitiativeRow", "MunicipalityRow", "RunView",
           "as_initiatives", "build_view", "coverage_text", "initiative_rows"]


#: One distinct colour per bundle, in bundle order, shared by maps and charts (ColorBrewer
#: Dark2 and two of Paired; colour-blind-safe for the first three).
BUNDLE_COLOURS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d",
                  "#1f78b4", "#666666", "#b15928")


def as_initiatives(initiatives: Mapping[int, Initiative] | Iterable[Initiative] | None,
                   ) -> dict[int, Initiative]:
    """Initiatives by id in id order; ``None`` reads the shipped catalogue."""
    if initiatives is None:
        from ..catalogue import read_initiatives

        return read_initiatives()
    if isinstance(initiatives, Mapping):
        return dict(sorted(initiatives.items()))
    return {i.id: i for i in sorted(initiatives, key=lambda i: i.id)}


def _missing(value: Any) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def coverage_text(value: Any, lang: str) -> str:
    """Coverage as shown: a share (``83 %``), a count, or the appraisal's "4 of 6" translated."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value).replace(" of ", " af " if lang == "da" else " of ")
    if v <= 1.0:
        return f"{format_number(v * 100, 0, lang)} %"
    return format_number(v, 0, lang)


@dataclass(frozen=True)
class InitiativeRow:
    """What every output shows of one initiative (text is plain, not escaped)."""

    id: int
    name: str
    theme: str
    theme_label: str
    stars: Mapping[str, int | None]
    stars_text: Mapping[str, str]
    inferred: frozenset[str]
    cost_mdkk: float | None
    cost_text: str
    score: float | None = None
    score_text: str = ""
    rank: int | None = None
    coverage: Any = None
    coverage_text: str = ""
    #: None: no network evaluation in this run; else whether the network model represents it.
    modelled: bool | None = None
    not_modelled_reason: str = ""
    #: Too few indicators assessed: ranked after the others, shown greyed, never as the best.
    low_coverage: bool = False
    #: The geometry is a schematic sketch (drawn dashed, "skematisk").
    schematic: bool = False
    #: Key figures as (label, text) in the run's language (:func:`popups.initiative_facts`).
    facts: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class BundleRow:
    """One evaluated bundle."""

    key: str
    #: The bundle's name in the run's language (``name_en`` in English when the file has one).
    name: str
    initiatives: tuple[int, ...]
    cost_mdkk: float | None
    score: float | None
    person_minutes_saved_per_day: float | None
    synergy_person_minutes: float | None
    municipalities_gaining: int | None
    warnings: tuple[str, ...]
    evaluation: Mapping[str, Any]
    #: Per-municipality results (indexed by municipality code), when evaluated on the network.
    incidence: pd.DataFrame | None = None
    #: Members the network model does not represent: id -> reason.
    not_modelled: Mapping[int, str] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        """Mapping-style access (``name``, ``initiatives``, ``cost_mdkk``, ...)."""
        return getattr(self, key, default)


@dataclass(frozen=True)
class MunicipalityRow:
    """Person-minutes saved per day in one municipality, by bundle name."""

    code: int
    name: str
    person_minutes_by_bundle: Mapping[str, float]


@dataclass(frozen=True)
class RunView:
    """Everything the outputs of one run render (see the module docstring)."""

    lang: str
    offline: bool
    initiatives: Mapping[int, Initiative]
    scores: pd.DataFrame
    weights_label: str
    weights_description: str
    bundles: Mapping[str, Any] = field(default_factory=dict)
    evaluations: Mapping[str, Any] = field(default_factory=dict)
    effects: Any = None
    rows: Mapping[int, InitiativeRow] = field(default_factory=dict)
    bundle_rows: tuple[BundleRow, ...] = ()
    municipality_rows: tuple[MunicipalityRow, ...] = ()

    @property
    def tiles(self) -> str | None:
        """Online background tiles of the maps (``None`` offline)."""
        from .maps import DEFAULT_TILES

        return None if self.offline else DEFAULT_TILES

    @property
    def evaluation_dicts(self) -> list[dict[str, Any]]:
        """The bundle evaluations as plain dicts, in bundle order."""
        return [dict(r.evaluation) for r in self.bundle_rows]

    @property
    def incidence(self) -> dict[str, pd.DataFrame]:
        """Per-municipality results of each bundle with a network evaluation, by bundle name."""
        return {r.name: r.incidence for r in self.bundle_rows if r.incidence is not None}

    @property
    def not_modelled(self) -> dict[int, str]:
        """Initiatives of the run's bundles the network model does not represent: id -> reason."""
        return {i: r.not_modelled_reason for i, r in self.rows.items() if r.modelled is False}

    def top(self, n: int = 5) -> list[tuple[int, str, float]]:
        """The ``n`` best-ranked initiatives: (id, name, score)."""
        col = "name_en" if self.lang == "en" else "name"
        return [(int(i), str(r[col]), float(r["score"]))
                for i, r in self.scores.sort_values("rank").head(n).iterrows()]


def initiative_facts(init: Initiative, lang: str) -> tuple[tuple[str, str], ...]:
    from .popups import initiative_facts as facts

    return facts(init, lang)


def initiative_rows(inits: Mapping[int, Initiative], *, lang: str,
                    scores: pd.DataFrame | None = None,
                    excluded: Mapping[int, str] | None = None) -> dict[int, InitiativeRow]:
    """The display rows of initiatives (scores and network exclusions optional)."""
    scores = scores if scores is not None else pd.DataFrame()
    rows = {}
    for ident, init in inits.items():
        stars = dict(init.stars)
        inferred = frozenset(init.inferred_ratings)
        score = rank = coverage = None
        low_coverage = False
        if ident in scores.index:
            s = scores.loc[ident]
            score = None if _missing(s.get("score")) else float(s["score"])
            low = s.get("low_coverage")
            low_coverage = bool(low) if not _missing(low) else False
            rank = None if _missing(s.get("rank")) else int(s["rank"])
            coverage = None if _missing(s.get("coverage")) else s["coverage"]
        name = init.name_en if lang == "en" else init.name
        rows[ident] = InitiativeRow(
            id=ident, name=name, theme=init.theme, theme_label=theme_label(init.theme, lang),
            stars=stars,
            stars_text={k: stars_text(stars[k], inferred=k in inferred) for k in INDICATOR_KEYS},
            inferred=inferred, cost_mdkk=init.cost_mdkk,
            cost_text=format_number(init.cost_mdkk, 0, lang, empty="–"),
            score=score, score_text=format_number(score, 2, lang, empty="–"), rank=rank,
            coverage=coverage,
            coverage_text="" if coverage is None else coverage_text(coverage, lang),
            modelled=None if excluded is None else ident not in excluded,
            not_modelled_reason="" if excluded is None else excluded.get(ident, ""),
            low_coverage=low_coverage, schematic=bool(getattr(init, "schematic", False)),
            facts=initiative_facts(init, lang),
        )
    return rows


def _count(value: Any) -> int | None:
    if isinstance(value, (list, tuple, set, frozenset)):
        return len(value)
    return None if _missing(value) else int(value)


def _number(value: Any) -> float | None:
    return None if _missing(value) else float(value)


def build_view(
    *,
    initiatives: Mapping[int, Initiative],
    scores: pd.DataFrame,
    weights_label: str,
    weights_description: str,
    lang: str,
    offline: bool,
    bundles: Mapping[str, Any] | None = None,
    evaluations: Mapping[str, Any] | None = None,
    effects: Any = None,
) -> RunView:
    """Prepare the view of a run (see the module docstring)."""
    bundles = dict(bundles or {})
    evaluations = dict(evaluations or {})
    bundle_rows = []
    excluded: dict[int, str] | None = None
    for key in bundles:
        ev = evaluations[key]
        d = ev.to_dict()
        own: dict[int, str] = {}
        if d.get("person_minutes_saved_per_day") is not None:
            own = {int(i): str(r) for i, r in (d.get("network_excluded") or {}).items()}
            excluded = excluded or {}
            excluded.update(own)
        name = str(d.get("name", ""))
        name_en = getattr(bundles[key], "name_en", None) or d.get("name_en")
        if lang == "en" and name_en:
            name = str(name_en)
        inc = getattr(ev, "incidence", None)
        bundle_rows.append(BundleRow(
            key=key, name=name, incidence=inc, not_modelled=own, initiatives=tuple(int(i) for i in
                                                                    d.get("initiatives", [])),
            cost_mdkk=_number(d.get("cost_mdkk")), score=_number(d.get("score")),
            person_minutes_saved_per_day=_number(d.get("person_minutes_saved_per_day")),
            synergy_person_minutes=_number(d.get("synergy_person_minutes")),
            municipalities_gaining=_count(d.get("municipalities_gaining")),
            warnings=tuple(str(w) for w in d.get("warnings") or ()), evaluation=d))
    munis: dict[int, tuple[str, dict[str, float]]] = {}
    for row in bundle_rows:
        inc = row.incidence
        if inc is None or "person_minutes_saved_per_day" not in inc.columns:
            continue
        data = inc.set_index("municipality_code") if "municipality_code" in inc.columns else inc
        for code, r in data.iterrows():
            name, by = munis.setdefault(int(code), (str(r.get("name", "")), {}))
            if not _missing(r["person_minutes_saved_per_day"]):
                by[row.name] = float(r["person_minutes_saved_per_day"])
    return RunView(
        lang=lang, offline=offline, initiatives=dict(initiatives), scores=scores,
        weights_label=weights_label, weights_description=weights_description,
        bundles=bundles, evaluations=evaluations, effects=effects,
        rows=initiative_rows(initiatives, lang=lang, scores=scores, excluded=excluded),
        bundle_rows=tuple(bundle_rows),
        municipality_rows=tuple(MunicipalityRow(c, n, by) for c, (n, by) in sorted(munis.items())),
    )
