"""Internals shared by the appraisal modules: catalogue access, thresholds, JSON, progress."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Union

import numpy as np
import pandas as pd

from .. import settings
from ..catalogue import check_references, read_initiatives
from ..errors import CatalogueError
from ..schema import Initiative

#: What ``initiatives=`` accepts: a mapping by id, an iterable of initiatives, or None (the
#: shipped catalogue).
InitiativesArg = Union[Mapping[int, Initiative], Iterable[Initiative], None]


def resolve_initiatives(initiatives: InitiativesArg) -> dict[int, Initiative]:
    """The initiatives to appraise: the given ones (checked), or the shipped catalogue.

    Accepts a mapping by id or an iterable of initiatives. Given initiatives are checked for
    references to unknown ids and for cycles of prerequisites (the shipped catalogue was checked
    when it was read).

    Raises
    ------
    CatalogueError
        An unknown id is referenced or the prerequisites form a cycle.
    """
    if initiatives is None:
        return read_initiatives()
    items = (initiatives.items() if isinstance(initiatives, Mapping)
             else ((init.id, init) for init in initiatives))
    found = dict(sorted(items))
    issues = check_references(found)
    if issues:
        raise CatalogueError.from_issues(issues, "invalid initiatives for the appraisal")
    return found


def annuity_factor(rate_pct: float, years: int) -> float:
    """Present value of 1 per year for ``years`` years at ``rate_pct`` percent."""
    r = rate_pct / 100.0
    if r == 0:
        return float(years)
    return (1.0 - (1.0 + r) ** -years) / r


def bcr_thresholds() -> tuple[float, ...]:
    """BCR star thresholds: the setting, or derived from the IRR thresholds (see settings)."""
    if settings.BCR_STAR_THRESHOLDS is not None:
        return tuple(settings.BCR_STAR_THRESHOLDS)
    base = annuity_factor(settings.DISCOUNT_RATE_PCT, settings.APPRAISAL_PERIOD_YEARS)
    return tuple(
        base / annuity_factor(t, settings.APPRAISAL_PERIOD_YEARS)
        for t in settings.IRR_STAR_THRESHOLDS_PCT
    )


def time_savings_pv_mdkk(person_minutes_per_day: float) -> float:
    """Present value (million DKK) of a daily time saving, by the settings' value of time."""
    per_year_dkk = (
        person_minutes_per_day / 60.0
        * settings.VALUE_OF_TIME_DKK_PER_HOUR
        * settings.ANNUALISATION_DAYS_PER_YEAR
    )
    factor = annuity_factor(settings.DISCOUNT_RATE_PCT, settings.APPRAISAL_PERIOD_YEARS)
    return per_year_dkk * factor / 1e6


def prerequisite_closure(ident: int, initiatives: Mapping[int, Initiative]) -> frozenset[int]:
    """``ident`` and all its prerequisites, transitively (the catalogue has no cycles)."""
    seen: set[int] = set()
    stack = [ident]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        init = initiatives.get(current)
        if init is not None:
            stack.extend(init.prerequisites)
    return frozenset(seen)


def is_missing(value: Any) -> bool:
    """True for None, NaN and pandas' NA."""
    if value is None or value is pd.NA:
        return True
    return isinstance(value, (float, np.floating)) and math.isnan(value)


def jsonable(value: Any) -> Any:
    """Plain JSON types: NaN/NA -> None, numpy scalars -> Python, tuples -> lists, frames ->
    list of records."""
    if isinstance(value, pd.DataFrame):
        return [jsonable(r) for r in value.to_dict(orient="records")]
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else value
        return [jsonable(v) for v in items]
    if is_missing(value):
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        f = float(value)
        return int(f) if f.is_integer() and abs(f) < 2**53 else f
    if isinstance(value, np.bool_):
        return bool(value)
    return value


@contextmanager
def progress_bar(total: int, description: str, *, enabled: bool) -> Iterator[Any]:
    """A rich progress bar on standard error (a no-op object when ``enabled`` is False).

    Yields a function ``advance(n=1)``.
    """
    if not enabled:
        yield lambda n=1: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(), console=Console(stderr=True), transient=True,
    ) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n=1: bar.advance(task, n)


def ids_text(ids: Iterable[int]) -> str:
    """``"2;3;4"``: ids joined for a table cell."""
    return ";".join(str(i) for i in ids)
