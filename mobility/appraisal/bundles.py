"""Bundles: named sets of initiatives, validated, totalled and evaluated as one scenario.

A bundle file (YAML) in ``initiatives/bundles/``::

    name: BRT-nettet
    name_en: The BRT network            # optional
    description: >-
      De fem BRT-indsatser (2-6) ...
    initiatives: [2, 3, 4, 5, 6]

Rules (docs/appraisal.md): unknown or repeated ids are errors; a missing prerequisite is an error
unless ``add_prerequisites=True`` (then it is added with a warning); conflicting or overlapping
members give a warning with the catalogue's OBS text. Totals add the known figures and list the
members whose figure is unknown. With the network, the bundle is evaluated as one scenario and
ALL its indicators, its stars (on the thresholds of the catalogue's singles) and its CBA come
from that scenario, never from its best member; its synergy is the bundle's result minus the sum
of its singles' (each single counted as its increment over its prerequisites), in
person-minutes, in kroner per year and in NPV; each member with prerequisites is reported with
and without them. Without the network there is no bundle scenario: the stars fall back to the
best member's (stars are ordinal, not additive), with a warning.

Examples
--------
>>> from mobility.appraisal import read_bundle, evaluate_bundle
>>> bundle = read_bundle("brt-network")
>>> bundle.initiatives
(2, 3, 4, 5, 6)
>>> evaluate_bundle(bundle, network=False).cost_mdkk
7070.0
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Union

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .._input import InputFileError, read_yaml
from .._paths import shipped_dir
from ..errors import BundleError, Issue, MobilityError, MobilityWarning
from ..schema import INDICATOR_KEYS, MAX_ID, Id, Initiative
from ._network import NetworkArg, NetworkEffects, effects_for, resolve_evaluator
from ._util import (
    InitiativesArg,
    ids_text,
    jsonable,
    resolve_initiatives,
)
from .scoring import aggregate, score_initiatives
from .weights import WeightsArg, load_weights

__all__ = [
    "Bundle",
    "BundleResult",
    "bundle_incidence",
    "bundles_dir",
    "check_bundle",
    "compare_bundles",
    "evaluate_bundle",
    "read_bundle",
    "read_bundles",
]

log = logging.getLogger(__name__)


class _BundleFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    name_en: str | None = None
    description: str = Field(min_length=1)
    # strict ids: ``true`` is not initiative 1, ``2.0`` and ``"2"`` are not 2
    initiatives: list[Id] = Field(min_length=1)


@dataclass(frozen=True)
class Bundle:
    """A named set of initiatives.

    Attributes
    ----------
    name, description : str
        As in the bundle file (Danish); ``name_en`` optional.
    initiatives : tuple of int
        Member ids, in file order (prerequisites added by the check at the end).
    source_file : str
        The file it was read from (``""`` if built in code).
    warnings : tuple of str
        Warnings found by :func:`check_bundle` (overlaps, conflicts, added prerequisites).
    """

    name: str
    initiatives: tuple[int, ...]
    description: str = ""
    name_en: str | None = None
    source_file: str = ""
    warnings: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """The file name, or the bundle's name for a bundle built in code."""
        return Path(self.source_file).name if self.source_file else self.name


BundleArg = Union[Bundle, str, "os.PathLike[str]"]


def bundles_dir() -> Path:
    """The shipped bundle folder (``initiatives/bundles/``)."""
    return shipped_dir("initiatives") / "bundles"


def _bundle_path(path: str | os.PathLike[str]) -> Path:
    p = Path(path)
    if p.is_file():
        return p
    shipped = bundles_dir() / f"{p.name}.yaml" if p.suffix == "" else bundles_dir() / p.name
    if p.parent == Path(".") and shipped.is_file():
        return shipped
    return p


def _bundle_message(e: Any) -> str:
    value = e.get("input")
    if e["type"] == "missing":
        return "required field is missing"
    if isinstance(value, bool) and e["type"] in ("int_type", "int_parsing"):
        return f"must be an initiative id, not a yes/no value (got {str(value).lower()})"
    if e["type"] in ("int_type", "int_parsing", "int_from_float"):
        return f"must be a whole-number initiative id, got {value!r}"[:120]
    if e["type"] in ("greater_than_equal", "less_than_equal"):
        return f"initiative ids are 1-{MAX_ID}, got {value!r}"[:120]
    return str(e["msg"]).replace("Input should be", "must be")


def _parse(path: Path) -> tuple[_BundleFile | None, list[Issue]]:
    name = path.name
    try:
        data = read_yaml(path)  # a regular UTF-8 file, parsed safely once
    except InputFileError as err:
        text = str(err).replace("cannot read file", "cannot read bundle file", 1)
        return None, [Issue(name, "", f"bundle file {text}" if text.startswith("is ") else text)]
    if not isinstance(data, dict):
        return None, [Issue(name, "", "bundle file must hold a mapping (name, description, "
                                      "initiatives)")]
    try:
        return _BundleFile.model_validate(data), []
    except ValidationError as err:
        issues = []
        for e in err.errors():
            where = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in e["loc"])
            issues.append(Issue(name, where.replace(".[", "["), _bundle_message(e)))
        return None, issues


def _init_label(ident: int, initiatives: Mapping[int, Initiative]) -> str:
    init = initiatives.get(ident)
    return f"{ident} ({init.name})" if init is not None else str(ident)


def check_bundle(
    bundle: Bundle, initiatives: InitiativesArg = None, *,
    add_prerequisites: bool = False,
) -> Bundle:
    """Validate a bundle against the catalogue; return it with prerequisites and warnings.

    Parameters
    ----------
    bundle : Bundle
        The bundle (not changed).
    initiatives : mapping, optional
        Initiatives by id; default the shipped catalogue.
    add_prerequisites : bool
        Add missing prerequisites (with a warning) instead of raising.

    Returns
    -------
    Bundle
        A new bundle: members with any added prerequisites, and ``warnings`` listing added
        prerequisites, conflicts and overlaps (with the catalogue's notes). The warnings are not
        emitted here (see :func:`read_bundle`).

    Raises
    ------
    BundleError
        Unknown or repeated ids; missing prerequisites (unless added). Every problem is listed,
        each naming the file, the initiative and the field.
    """
    inits = resolve_initiatives(initiatives)
    file = bundle.label
    issues: list[Issue] = []
    notes: list[str] = []
    members: list[int] = []
    for pos, ident in enumerate(bundle.initiatives):
        if ident in members:
            issues.append(Issue(file, f"initiatives[{pos}]", f"id {ident} is listed twice",
                                str(ident)))
        elif ident not in inits:
            issues.append(Issue(file, f"initiatives[{pos}]",
                                f"unknown initiative id {ident} (known: {min(inits)}-{max(inits)})"
                                if inits else f"unknown initiative id {ident}", str(ident)))
        else:
            members.append(ident)
    queue = list(members)
    while queue:
        ident = queue.pop(0)
        for pre in inits[ident].prerequisites:
            if pre in members:
                continue
            if add_prerequisites:
                members.append(pre)
                queue.append(pre)
                notes.append(f"added prerequisite {_init_label(pre, inits)} of "
                             f"{_init_label(ident, inits)}")
            else:
                issues.append(Issue(
                    file, "initiatives",
                    f"initiative {_init_label(ident, inits)} requires "
                    f"{_init_label(pre, inits)}, which is not in the bundle (add it, or "
                    "add prerequisites automatically with --add-prerequisites)", str(ident)))
    if issues:
        raise BundleError.from_issues(issues, f"invalid bundle {file}")
    seen: set[tuple[str, int, int]] = set()
    for ident in members:
        init = inits[ident]
        for kind, relations in (("conflicts with", init.conflicts),
                                ("overlaps with", init.overlaps)):
            for rel in relations:
                key = (kind, min(ident, rel.id), max(ident, rel.id))
                if rel.id not in members or key in seen:
                    continue
                seen.add(key)
                note = f": {rel.note}" if rel.note else ""
                notes.append(f"{_init_label(ident, inits)} {kind} "
                             f"{_init_label(rel.id, inits)}{note}")
    return replace(bundle, initiatives=tuple(members), warnings=tuple(notes))


def read_bundle(
    path: str | os.PathLike[str], initiatives: InitiativesArg = None, *,
    add_prerequisites: bool = False,
) -> Bundle:
    """Read and validate a bundle file.

    Parameters
    ----------
    path : path
        A YAML bundle file, or the name of a shipped bundle (``"brt-network"``).
    initiatives : mapping, optional
        Initiatives by id; default the shipped catalogue.
    add_prerequisites : bool
        Add missing prerequisites with a warning instead of raising.

    Returns
    -------
    Bundle
        Validated; overlaps, conflicts and added prerequisites are emitted as
        :class:`~mobility.errors.MobilityWarning` and kept in ``Bundle.warnings``.

    Raises
    ------
    BundleError
        Malformed file, missing fields, unknown or repeated ids, missing prerequisites.
    """
    p = _bundle_path(path)
    parsed, issues = _parse(p)
    if parsed is None:
        raise BundleError.from_issues(issues, f"invalid bundle {p.name}")
    bundle = Bundle(
        name=parsed.name, name_en=parsed.name_en, description=parsed.description,
        initiatives=tuple(parsed.initiatives), source_file=str(p),
    )
    checked = check_bundle(bundle, initiatives, add_prerequisites=add_prerequisites)
    for note in checked.warnings:
        warnings.warn(f"bundle {p.name}: {note}", MobilityWarning, stacklevel=2)
    return checked


def read_bundles(
    directory: str | os.PathLike[str] | None = None,
    initiatives: InitiativesArg = None,
) -> dict[str, Bundle]:
    """Read every bundle file of a folder (default the shipped ``initiatives/bundles/``).

    Returns
    -------
    dict
        Bundles by file stem, in file-name order.

    Raises
    ------
    BundleError
        With the problems of every invalid file.
    """
    folder = Path(directory) if directory is not None else bundles_dir()
    if not folder.is_dir():
        raise BundleError.from_issues([Issue(str(folder), "", "bundle folder does not exist")],
                                      "invalid bundles")
    inits = resolve_initiatives(initiatives)
    out: dict[str, Bundle] = {}
    issues: list[Issue] = []
    for p in sorted(folder.glob("*.yaml")):
        try:
            out[p.stem] = read_bundle(p, inits)
        except BundleError as err:
            issues += err.issues
    if issues:
        raise BundleError.from_issues(issues, f"invalid bundles in {folder}")
    return out


# --------------------------------------------------------------------------------------------
# Evaluation


@dataclass(frozen=True)
class BundleResult:
    """The evaluation of a bundle; :meth:`to_dict` gives the JSON of ``bundle evaluate``.

    Sums (cost, CO2, passengers) are over the members whose figure is known (None if no
    member's figure is known, never a false zero); the members left out of each sum are listed.
    Network figures are None without the network.
    """

    name: str
    initiatives: tuple[int, ...]
    cost_mdkk: float | None
    cost_unknown: tuple[int, ...]
    co2_construction_t_min: float | None
    co2_construction_t_max: float | None
    co2_unknown: tuple[int, ...]
    extra_passengers_per_day: float | None
    passengers_unknown: tuple[int, ...]
    person_minutes_saved_per_day: float | None
    sum_of_singles_person_minutes: float | None
    synergy_person_minutes: float | None
    synergy_pct: float | None
    municipalities_gaining: tuple[str, ...]
    stars: dict[str, float | None]
    score: float | None
    coverage: str
    score_sum: float
    network_excluded: dict[int, str]
    warnings: tuple[str, ...]
    incidence: pd.DataFrame | None = field(default=None, compare=False, repr=False)
    source_file: str = ""
    stars_source: str = "best_member"
    model_values: dict[str, float | None] = field(default_factory=dict)
    cba: dict[str, Any] | None = None
    sum_of_singles_npv_mdkk: float | None = None
    synergy_npv_mdkk: float | None = None
    synergy_mdkk_per_year: float | None = None
    prerequisite_chains: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types. Keys: ``name, initiatives, cost_mdkk, cost_unknown,
        co2_construction_t_min, co2_construction_t_max, co2_unknown, extra_passengers_per_day,
        passengers_unknown, person_minutes_saved_per_day, sum_of_singles_person_minutes,
        synergy_person_minutes, synergy_pct, municipalities_gaining, stars, stars_source
        ("bundle_scenario" with the network: every indicator from the bundle's own scenario;
        "best_member" without it), model_values, score, coverage, score_sum, network_excluded,
        warnings, cba`` (the bundle's CBA, :meth:`CbaResult.to_dict`), ``sum_of_singles_npv_mdkk,
        synergy_npv_mdkk, synergy_mdkk_per_year`` (first-year net benefits, bundle minus the
        singles) and ``prerequisite_chains`` (per member with prerequisites: its NPV as an
        increment over them, and its NPV together with them)."""
        out = {k: getattr(self, k) for k in (
            "name", "initiatives", "cost_mdkk", "cost_unknown", "co2_construction_t_min",
            "co2_construction_t_max", "co2_unknown", "extra_passengers_per_day",
            "passengers_unknown", "person_minutes_saved_per_day",
            "sum_of_singles_person_minutes", "synergy_person_minutes", "synergy_pct",
            "municipalities_gaining", "stars", "stars_source", "model_values", "score",
            "coverage", "score_sum", "network_excluded", "warnings", "cba",
            "sum_of_singles_npv_mdkk", "synergy_npv_mdkk", "synergy_mdkk_per_year",
            "prerequisite_chains",
        )}
        return jsonable(out)  # type: ignore[no-any-return]


def _as_bundle(
    bundle: BundleArg | Sequence[int], inits: Mapping[int, Initiative], add_prerequisites: bool,
) -> Bundle:
    if isinstance(bundle, Bundle):
        checked = check_bundle(bundle, inits, add_prerequisites=add_prerequisites)
        for note in checked.warnings:
            if note not in bundle.warnings:
                warnings.warn(f"bundle {bundle.label}: {note}", MobilityWarning, stacklevel=3)
        return checked
    if isinstance(bundle, (str, os.PathLike)):
        return read_bundle(bundle, inits, add_prerequisites=add_prerequisites)
    ids = tuple(int(i) for i in bundle)
    return _as_bundle(Bundle(name=ids_text(ids), initiatives=ids), inits, add_prerequisites)


def _sum_known(
    values: Iterable[tuple[int, float | None]],
) -> tuple[float | None, tuple[int, ...]]:
    """Sum of the known values (None if none is known) and the ids whose value is unknown."""
    total, unknown, known = 0.0, [], False
    for ident, value in values:
        if value is None:
            unknown.append(ident)
        else:
            total += float(value)
            known = True
    return (total if known else None), tuple(unknown)


def _incidence(
    effects: NetworkEffects, members: Sequence[int], singles_ids: Sequence[int],
) -> pd.DataFrame | None:
    r = effects.scenario(members)
    munis = r.municipalities
    out = pd.DataFrame(index=munis.index)
    for col in ("name", "population", "accessibility_base", "accessibility_scenario",
                "accessibility_change_pct", "person_minutes_saved_per_day", "gains"):
        if col in munis:
            out[col] = munis[col]
    singles = pd.Series(0.0, index=munis.index)
    for ident in singles_ids:
        eff = effects.single(ident)
        if eff.by_municipality is not None:
            singles = singles.add(eff.by_municipality.reindex(munis.index, fill_value=0.0))
    out["sum_of_singles_person_minutes"] = singles
    out["synergy_person_minutes"] = out["person_minutes_saved_per_day"] - singles
    total = out["person_minutes_saved_per_day"].clip(lower=0).sum()
    out["share_of_gain_pct"] = (
        out["person_minutes_saved_per_day"].clip(lower=0) / total * 100 if total > 0 else np.nan
    )
    return out.sort_values("person_minutes_saved_per_day", ascending=False, kind="stable")


def evaluate_bundle(
    bundle: BundleArg | Sequence[int], *, initiatives: InitiativesArg = None,
    weights: WeightsArg = "equal", stars: str = "catalogue", network: NetworkArg = True,
    add_prerequisites: bool = False, effects: NetworkEffects | None = None,
) -> BundleResult:
    """Evaluate a bundle: totals, stars and score, network effect, synergy and incidence.

    Parameters
    ----------
    bundle : Bundle, path or sequence of ids
        A bundle, a bundle file (or the name of a shipped one), or member ids.
    initiatives : mapping, optional
        Initiatives by id; default the shipped catalogue.
    weights : str, path or mapping
        Indicator weights for the score (see :func:`~mobility.appraisal.load_weights`).
    stars : {"catalogue", "model", "blend"}
        Star source (see :func:`~mobility.appraisal.score_initiatives`).
    network : bool or callable
        The network engine, none, or an evaluator (see :mod:`mobility.appraisal._network`).
    add_prerequisites : bool
        Add missing prerequisites with a warning instead of raising.
    effects : NetworkEffects, optional
        An evaluation cache to reuse (overrides ``network``).

    Returns
    -------
    BundleResult
        ``score`` is the weighted score of the bundle's stars (best member per indicator, 0-5);
        ``score_sum`` the sum of its members' scores (the optimiser's objective);
        ``incidence`` the per-municipality table of :func:`bundle_incidence` (None without the
        network).
    """
    inits = resolve_initiatives(initiatives)
    b = _as_bundle(bundle, inits, add_prerequisites)
    effects = effects_for(network, inits, effects)
    members = list(b.initiatives)
    cost, cost_unknown = _sum_known((i, inits[i].cost_mdkk) for i in members)
    co2 = {i: inits[i].co2_construction_t for i in members}
    co2_min, co2_unknown = _sum_known((i, c.min if c else None) for i, c in co2.items())
    co2_max, _ = _sum_known((i, c.max if c else None) for i, c in co2.items())
    passengers, pass_unknown = _sum_known(
        (i, inits[i].passengers.extra_per_day) for i in members)
    table = score_initiatives(inits, weights=weights, stars=stars, network=False,
                              effects=effects)
    member_stars = table.loc[members, [f"stars_{k}" for k in INDICATOR_KEYS]]
    bundle_stars = {
        k: (None if member_stars[f"stars_{k}"].isna().all()
            else float(member_stars[f"stars_{k}"].max()))
        for k in INDICATOR_KEYS
    }
    pm = singles_pm = synergy = synergy_pct = None
    stars_source = "best_member"
    econ: dict[str, Any] = {}
    gaining: tuple[str, ...] = ()
    excluded: dict[int, str] = {}
    incidence = None
    notes = list(b.warnings)
    if effects is not None:
        eff = effects.effect(members)
        excluded = {i: r for i, r in eff.excluded.items() if i in members}
        if eff.person_minutes is not None:
            pm = eff.person_minutes
            gaining = eff.municipalities_gaining
            represented = [i for i in members if i not in excluded]
            singles = [effects.single(i).person_minutes for i in represented]
            singles_pm = float(sum(s for s in singles if s is not None))
            synergy = pm - singles_pm
            synergy_pct = synergy / singles_pm * 100 if singles_pm > 0 else None
            incidence = _incidence(effects, members, represented)
            econ = _bundle_economics(effects, inits, members, represented, eff.by_municipality)
            bundle_stars = econ.pop("stars")
            stars_source = "bundle_scenario"
        if excluded:
            notes.append("not representable in the network (left out of the network figures): "
                         + ", ".join(f"{_init_label(i, inits)}: {r}"
                                     for i, r in sorted(excluded.items())))
    if stars_source == "best_member":
        notes.append("stars are the best member's on each indicator (no bundle scenario "
                     "without the network)")
    w = load_weights(weights)
    wvec = np.array([w[k] for k in INDICATOR_KEYS])
    svec = np.array([[np.nan if bundle_stars[k] is None else bundle_stars[k]
                      for k in INDICATOR_KEYS]])
    # the bundle is scored against the catalogue's singles, so that the not-assessable rule
    # (mean: the singles' mean on the indicator) has a field to take the mean over
    field_stars = table[[f"stars_{k}" for k in INDICATOR_KEYS]].to_numpy(dtype=float)
    scores = aggregate(np.vstack([svec, field_stars]), wvec, method="weighted",
                       rule=table.attrs.get("rule"))
    score = float(scores[0])
    n_weighted = int((wvec > 0).sum())
    n_cov = int((~np.isnan(svec[0]) & (wvec > 0)).sum())
    return BundleResult(
        name=b.name, initiatives=tuple(members), cost_mdkk=cost, cost_unknown=cost_unknown,
        co2_construction_t_min=co2_min, co2_construction_t_max=co2_max, co2_unknown=co2_unknown,
        extra_passengers_per_day=passengers, passengers_unknown=pass_unknown,
        person_minutes_saved_per_day=pm, sum_of_singles_person_minutes=singles_pm,
        synergy_person_minutes=synergy, synergy_pct=synergy_pct,
        municipalities_gaining=tuple(gaining), stars=bundle_stars,
        score=None if np.isnan(score) else score, coverage=f"{n_cov} of {n_weighted}",
        score_sum=float(table.loc[members, "score"].fillna(0).sum()),
        network_excluded=excluded, warnings=tuple(notes), incidence=incidence,
        source_file=b.source_file, stars_source=stars_source, **econ,
    )


def _bundle_economics(
    effects: NetworkEffects, inits: Mapping[int, Initiative], members: Sequence[int],
    represented: Sequence[int], by_municipality: pd.Series | None,
) -> dict[str, Any]:
    """The bundle's own-scenario indicators, stars, CBA, synergy in kroner and NPV, and its
    prerequisite chains. Star thresholds are those of the catalogue's singles."""
    from .cba import load_unit_prices
    from .economics import cba_ids, scenario_effects
    from .indicators import (
        MODEL_VALUE_COLUMNS,
        host_municipalities,
        indicator_values,
        model_stars,
        model_values,
    )

    prices = load_unit_prices()
    singles = model_values(inits, network=False, effects=effects, prices=prices)
    thresholds = singles.attrs["thresholds"]
    res = cba_ids(members, initiatives=inits, network=False, effects=effects, prices=prices)
    eff = scenario_effects(members, effects, inits, prices)
    hosts: set[int] = set()
    co2: float | None = None
    for i in members:
        hosts |= host_municipalities(inits[i])
        c = inits[i].co2_construction_t
        if c is not None:
            co2 = (co2 or 0.0) + (c.min + c.max) / 2.0
    values = indicator_values(eff, res, by_municipality, hosts, co2,
                              float(prices.raw("appraisal_period_years")))
    stars: dict[str, float | None] = {}
    for key in INDICATOR_KEYS:
        v = values[MODEL_VALUE_COLUMNS[key]]
        st = model_stars(key, v, thresholds, npv_mdkk=values["npv_mdkk"])
        stars[key] = None if st is None else float(st)
    singles_npv = [singles.at[i, "npv_mdkk"] for i in represented]
    npv_known = res.npv_mdkk is not None and all(np.isfinite(x) for x in singles_npv)
    sum_npv = float(np.sum(singles_npv)) if npv_known else None
    first_bundle = sum(res.first_year_benefits_mdkk.values())
    first_singles = 0.0
    for i in represented:
        r1 = cba_ids([i], initiatives=inits, network=False, effects=effects, prices=prices)
        first_singles += sum(r1.first_year_benefits_mdkk.values())
    chains = []
    for i in members:
        pre = sorted(set(inits[i].prerequisites))
        if not pre:
            continue
        alone = cba_ids([i], initiatives=inits, network=False, effects=effects, prices=prices)
        chain_ids = sorted(_closure(i, inits))
        together = cba_ids(chain_ids, initiatives=inits, network=False, effects=effects,
                           prices=prices)
        chains.append({"id": i, "prerequisites": [c for c in chain_ids if c != i],
                       "npv_without_prerequisites_mdkk": alone.npv_mdkk,
                       "npv_with_prerequisites_mdkk": together.npv_mdkk,
                       "bcr_without_prerequisites": alone.bcr,
                       "bcr_with_prerequisites": together.bcr})
    return {
        "stars": stars,
        "model_values": {k: (None if not np.isfinite(v) else float(v)) for k, v in values.items()},
        "cba": res.to_dict(),
        "sum_of_singles_npv_mdkk": sum_npv,
        "synergy_npv_mdkk": (res.npv_mdkk - sum_npv) if sum_npv is not None else None,
        "synergy_mdkk_per_year": first_bundle - first_singles,
        "prerequisite_chains": tuple(chains),
    }


def _closure(ident: int, inits: Mapping[int, Initiative]) -> frozenset[int]:
    from ._util import prerequisite_closure

    return prerequisite_closure(ident, inits)


def bundle_incidence(
    bundle: BundleArg | Sequence[int], *, initiatives: InitiativesArg = None,
    network: NetworkArg = True, add_prerequisites: bool = False,
) -> pd.DataFrame:
    """Per-municipality incidence of a bundle: who gains, and by how much.

    Returns
    -------
    pandas.DataFrame
        Indexed by municipality code, largest gain first: ``name``, ``population``,
        ``accessibility_base``, ``accessibility_scenario``, ``accessibility_change_pct``,
        ``person_minutes_saved_per_day`` (the bundle as one scenario), ``gains`` (bool),
        ``sum_of_singles_person_minutes``, ``synergy_person_minutes`` and
        ``share_of_gain_pct`` (share of the bundle's positive gains). Columns the network
        result does not provide are left out.

    Raises
    ------
    MobilityError
        Without a network.
    """
    if resolve_evaluator(network) is None:
        msg = "bundle incidence needs the network engine"
        raise MobilityError(msg)
    result = evaluate_bundle(bundle, initiatives=initiatives, network=network,
                             add_prerequisites=add_prerequisites)
    if result.incidence is None:
        msg = f"no member of bundle {result.name!r} can be represented in the network"
        raise MobilityError(msg)
    return result.incidence


#: Columns of :func:`compare_bundles`.
COMPARE_COLUMNS: tuple[str, ...] = (
    "bundle", "name", "n_initiatives", "initiatives", "cost_mdkk", "cost_unknown",
    "co2_construction_t_min", "co2_construction_t_max", "extra_passengers_per_day",
    "person_minutes_saved_per_day", "sum_of_singles_person_minutes", "synergy_person_minutes",
    "synergy_pct", "municipalities_gaining_n", "score", "coverage", "score_sum",
    "score_per_bn_dkk", "n_warnings",
)


def compare_bundles(
    bundles: Iterable[BundleArg | Sequence[int]], *,
    initiatives: InitiativesArg = None, weights: WeightsArg = "equal",
    stars: str = "catalogue", network: NetworkArg = True, add_prerequisites: bool = False,
) -> pd.DataFrame:
    """Evaluate several bundles and tabulate them side by side.

    Returns
    -------
    pandas.DataFrame
        One row per bundle, in the order given, with :data:`COMPARE_COLUMNS`: ``bundle`` (file
        name or name), ``name``, ``n_initiatives``, ``initiatives`` (``;``-joined), the totals,
        the network figures (missing without the network), ``municipalities_gaining_n``,
        ``score``, ``coverage``, ``score_sum``, ``score_per_bn_dkk`` (bundle score per billion
        DKK of known cost) and ``n_warnings``.
    """
    inits = resolve_initiatives(initiatives)
    effects = effects_for(network, inits)
    rows = []
    for item in bundles:
        b = _as_bundle(item, inits, add_prerequisites)
        r = evaluate_bundle(b, initiatives=inits, weights=weights, stars=stars, network=False,
                            effects=effects)
        rows.append({
            "bundle": b.label, "name": r.name, "n_initiatives": len(r.initiatives),
            "initiatives": ids_text(r.initiatives), "cost_mdkk": r.cost_mdkk,
            "cost_unknown": ids_text(r.cost_unknown),
            "co2_construction_t_min": r.co2_construction_t_min,
            "co2_construction_t_max": r.co2_construction_t_max,
            "extra_passengers_per_day": r.extra_passengers_per_day,
            "person_minutes_saved_per_day": r.person_minutes_saved_per_day,
            "sum_of_singles_person_minutes": r.sum_of_singles_person_minutes,
            "synergy_person_minutes": r.synergy_person_minutes, "synergy_pct": r.synergy_pct,
            "municipalities_gaining_n": len(r.municipalities_gaining) if effects else None,
            "score": r.score, "coverage": r.coverage, "score_sum": r.score_sum,
            "score_per_bn_dkk": (r.score / (r.cost_mdkk / 1000)
                                 if r.score is not None and r.cost_mdkk else None),
            "n_warnings": len(r.warnings),
        })
    frame = pd.DataFrame(rows, columns=list(COMPARE_COLUMNS))
    for col in ("person_minutes_saved_per_day", "sum_of_singles_person_minutes",
                "synergy_person_minutes", "synergy_pct", "score", "score_per_bn_dkk", "cost_mdkk",
                "co2_construction_t_min", "co2_construction_t_max", "extra_passengers_per_day",
                "municipalities_gaining_n"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    return frame
