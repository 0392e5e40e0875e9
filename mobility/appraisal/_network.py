"""The network engine as an injectable dependency of the appraisal.

Every public appraisal function takes ``network``: ``True`` = the real engine
(:func:`mobility.network.evaluate_scenario`, imported when first needed), ``False`` = no
network (model values are missing), or any callable with the same contract (a fake in tests).
The contract: ``evaluate(ids)`` takes a sorted tuple of initiative ids and returns an object with
``ids``, ``excluded`` (id -> reason), ``person_minutes_saved_per_day``, ``municipalities``
(a DataFrame indexed by municipality code with ``name``, ``population``,
``accessibility_change_pct``, ``person_minutes_saved_per_day`` and ``gains``) and
``municipalities_gaining`` (names).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Union

import pandas as pd

from ..errors import MobilityError
from ..schema import Initiative
from ._util import prerequisite_closure

log = logging.getLogger(__name__)

Evaluator = Callable[[tuple[int, ...]], Any]
#: What ``network=`` accepts.
NetworkArg = Union[bool, Evaluator, None]


def real_evaluator(initiatives: Mapping[int, Initiative] | None = None) -> Evaluator:
    """The real network engine, :func:`mobility.network.evaluate_scenario`, on ``initiatives``.

    Raises
    ------
    MobilityError
        The network engine is not installed.
    """
    try:
        from ..network import evaluate_scenario
    except ImportError as err:
        msg = (
            "the network engine (mobility.network) is not available; use catalogue stars, "
            "or pass network=False (CLI: --no-network)"
        )
        raise MobilityError(msg) from err
    if initiatives is None:
        return evaluate_scenario  # type: ignore[no-any-return]
    return functools.partial(evaluate_scenario, initiatives=initiatives)


def resolve_evaluator(
    network: NetworkArg, initiatives: Mapping[int, Initiative] | None = None,
) -> Evaluator | None:
    """``network=`` -> an evaluator, or None for no network."""
    if network is None or network is False:
        return None
    if network is True:
        return real_evaluator(initiatives)
    if callable(network):
        return network
    msg = f"network must be True, False or a callable, got {network!r}"
    raise TypeError(msg)


def effects_for(
    network: NetworkArg, initiatives: Mapping[int, Initiative],
    effects: NetworkEffects | None = None,
) -> NetworkEffects | None:
    """The evaluation cache to use: ``effects`` if given, else one for ``network`` (or None)."""
    if effects is not None:
        return effects
    evaluator = resolve_evaluator(network, initiatives)
    return NetworkEffects(evaluator, initiatives) if evaluator is not None else None


def single_scenario_sets(ids: Iterable[int], initiatives: Mapping[int, Initiative]
                         ) -> list[tuple[int, ...]]:
    """The scenarios the effect of each single initiative of ``ids`` needs
    (:meth:`NetworkEffects.single`): its closure over the prerequisites, and the
    prerequisites alone (when it has any)."""
    out: list[tuple[int, ...]] = []
    for ident in ids:
        closure = prerequisite_closure(ident, initiatives)
        out.append(tuple(sorted(closure)))
        if closure - {ident}:
            out.append(tuple(sorted(closure - {ident})))
    return out


@dataclass(frozen=True)
class Effect:
    """Network effect of one initiative, or of a set of initiatives.

    ``person_minutes`` is None when the initiative cannot be represented in the network;
    ``by_municipality`` holds person-minutes saved per day by municipality code.
    """

    person_minutes: float | None
    municipalities_gaining: tuple[str, ...] = ()
    by_municipality: pd.Series | None = field(default=None, compare=False)
    excluded: Mapping[int, str] = field(default_factory=dict)


class NetworkEffects:
    """Scenario evaluations through an evaluator, cached per set of ids for one appraisal.

    The effect of a single initiative is its increment over its prerequisites: the scenario of
    the initiative with all its prerequisites minus the scenario of the prerequisites alone (so
    that depending on a prerequisite is not counted as synergy).
    """

    def __init__(self, evaluator: Evaluator, initiatives: Mapping[int, Initiative]) -> None:
        self._evaluate = evaluator
        self._initiatives = initiatives
        self._cache: dict[tuple[int, ...], Any] = {}

    def scenario(self, ids: Iterable[int]) -> Any:
        """The evaluator's result for a set of ids (cached)."""
        key = tuple(sorted(set(ids)))
        if key not in self._cache:
            log.debug("evaluating scenario %s", key)
            self._cache[key] = self._evaluate(key)
        return self._cache[key]

    def prefetch(self, id_sets: Iterable[Iterable[int]]) -> int:
        """Evaluate the scenarios ``id_sets`` ahead of use, in parallel processes when the
        evaluator is the network model (:func:`mobility.network.prefetch_scenarios`; other
        evaluators are left to :meth:`scenario`). Returns the number computed there."""
        fn = getattr(self._evaluate, "func", self._evaluate)
        if (getattr(fn, "__module__", "") != "mobility.network.scenario"
                or getattr(fn, "__name__", "") != "evaluate_scenario"):
            return 0
        sets = [key for key in dict.fromkeys(tuple(sorted(set(s))) for s in id_sets)
                if key and key not in self._cache]
        if len(sets) < 2:
            return 0
        from ..network import prefetch_scenarios

        kw = getattr(self._evaluate, "keywords", None) or {}
        return prefetch_scenarios(sets, initiatives=kw.get("initiatives"))

    def single_sets(self, ids: Iterable[int]) -> list[tuple[int, ...]]:
        """The scenarios :meth:`single` evaluates for ``ids`` (:func:`single_scenario_sets`)."""
        return single_scenario_sets(ids, self._initiatives)

    def effect(self, ids: Iterable[int]) -> Effect:
        """The effect of a set of ids evaluated together as one scenario."""
        key = tuple(sorted(set(ids)))
        if not key:
            return Effect(0.0)
        r = self.scenario(key)
        excluded = dict(getattr(r, "excluded", {}) or {})
        if set(key) <= set(excluded):
            return Effect(None, excluded=excluded)
        munis = r.municipalities
        return Effect(
            float(r.person_minutes_saved_per_day),
            tuple(r.municipalities_gaining),
            munis["person_minutes_saved_per_day"].astype(float),
            excluded,
        )

    def single(self, ident: int) -> Effect:
        """The increment of one initiative over its prerequisites (see the class doc)."""
        closure = prerequisite_closure(ident, self._initiatives)
        full = self.effect(closure)
        if ident in full.excluded or full.person_minutes is None:
            reason = full.excluded.get(ident, "not representable in the network")
            return Effect(None, excluded={ident: reason})
        base_ids = closure - {ident}
        if not base_ids:
            return full
        base = self.effect(base_ids)
        if (base.person_minutes is None or base.by_municipality is None
                or full.by_municipality is None):
            return full
        diff = full.by_municipality.sub(base.by_municipality, fill_value=0.0)
        r = self.scenario(closure)
        gains = r.municipalities["gains"].astype(bool)
        names = r.municipalities["name"]
        gaining = tuple(names[gains & (diff.reindex(gains.index, fill_value=0.0) > 0)])
        return Effect(full.person_minutes - base.person_minutes, gaining, diff, full.excluded)
