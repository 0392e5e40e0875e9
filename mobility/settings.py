"""Settings: documented, typed module globals read at call time.

Change them at run time (``mobility.settings.IRR_STAR_THRESHOLDS_PCT = (...)``) and the next
call uses the new value. This is the one settings file: the catalogue's IRR thresholds, the
cache and language, and (at the end) every appraisal threshold, weight preset and default.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Internal rate of return (percent) at or above which an initiative earns one more
#: socio-economics star. An IRR below the first threshold earns 0 stars; "not profitable" is 0
#: stars; "not calculated" or "unknown" is not assessable. 3.5 % is the Danish social discount
#: rate (Finansministeriet); the upper steps spread the catalogue's range (4.7 % to 23 %).
IRR_STAR_THRESHOLDS_PCT: tuple[float, ...] = (3.5, 5.0, 7.0, 10.0, 15.0)

#: Where derived results (network skims) are cached. ``None`` = ``~/.cache/mobility``;
#: the environment variable ``MOBILITY_CACHE_DIR`` overrides both.
CACHE_DIR: Path | None = None

#: Language of user-facing labels in maps and tables: ``"da"`` (default) or ``"en"``.
LANGUAGE: str = "da"

#: Processes that :func:`mobility.network.scenario.prefetch_scenarios` evaluates uncached
#: scenarios in (the optimiser, ``cba --all``): the CPUs, at most 2. Each holds one
#: scenario's working arrays (about 0.7 GB) beside the base state it shares with the others.
SCENARIO_WORKERS: int = max(1, min(2, os.cpu_count() or 1))


# ============================================================================================
# Appraisal (mobility.appraisal): indicators, scores, bundles, optimiser, robustness.
# Every threshold and default of the appraisal lives here; docs/appraisal.md explains them.

#: Value of travel time in DKK per person-hour, used to value network time savings for the rough
#: benefit-cost ratio. Source: the Danish unit prices for transport appraisal
#: ("Transportøkonomiske Enhedspriser", DTU Management / COWI for Transportministeriet), value of
#: non-working time, about 100-110 DKK/hour at 2024 prices; rounded to 105 here. Check it
#: against the current version of the unit prices before quoting a BCR.
VALUE_OF_TIME_DKK_PER_HOUR: float = 105.0

#: Days per year that a weekday's person-minutes saved are multiplied by (weekday to year
#: annualisation; Danish practice uses roughly 300-330 weekday equivalents).
ANNUALISATION_DAYS_PER_YEAR: float = 300.0

#: Discount rate (percent) for the present value of time savings: the Danish social discount
#: rate (Finansministeriet), as for the IRR thresholds above.
DISCOUNT_RATE_PCT: float = 3.5

#: Appraisal period in years for the present value of time savings (Danish guidance: 50 years).
APPRAISAL_PERIOD_YEARS: int = 50

#: Person-minutes saved per (week)day at or above which an initiative earns one more model
#: accessibility star (five steps, roughly x3-x4 apart). Calibrated on the catalogue's own
#: figures: a BRT line with ~10,000 daily passengers saving ~3-5 minutes each (~30-50,000
#: person-minutes) is a middle 2-3; a metro line with ~50,000 passengers saving ~5-10 minutes
#: (~250-500,000) is a 5.
ACCESSIBILITY_STAR_THRESHOLDS_PERSON_MIN: tuple[float, ...] = (
    1_000.0, 5_000.0, 20_000.0, 60_000.0, 200_000.0,
)

#: Number of municipalities that gain at or above which an initiative earns one more model
#: cross-municipal star. The catalogue rates cross-municipal relevance by "the size of the
#: travel catchment in municipalities"; the study area has 35 municipalities (34 in the
#: Fingerplan). One municipality alone earns 0 stars (no cross-municipal effect).
CROSS_MUNICIPAL_STAR_THRESHOLDS: tuple[int, ...] = (2, 4, 8, 14, 22)

#: Benefit-cost ratio at or above which an initiative earns one more model socio-economics
#: star. ``None`` = derived from :data:`IRR_STAR_THRESHOLDS_PCT` by annuity equivalence (a
#: constant benefit stream whose IRR is exactly a threshold has this BCR at
#: :data:`DISCOUNT_RATE_PCT` over :data:`APPRAISAL_PERIOD_YEARS`), so that both rules agree;
#: with the defaults (1.00, 1.28, 1.70, 2.37, 3.52).
BCR_STAR_THRESHOLDS: tuple[float, ...] | None = None

#: Model and catalogue stars that differ by this many stars or more are listed by
#: :func:`mobility.appraisal.disagreements`.
DISAGREEMENT_MIN_STARS: int = 2

#: Star source ``"blend"``: the blended stars are ``(1 - w) * catalogue + w * model`` where both
#: exist, and whichever exists otherwise (not assessable if neither). ``w`` is this weight.
BLEND_MODEL_WEIGHT: float = 0.5

#: Indicator weight presets (relative weights; only their ratios matter). Keys are the preset
#: names accepted by ``--weights`` and :func:`mobility.appraisal.load_weights`.
WEIGHT_PRESETS: dict[str, dict[str, float]] = {
    "equal": {
        "cross_municipal": 1.0, "accessibility": 1.0, "co2_operation": 1.0,
        "public_health": 1.0, "public_transport": 1.0, "socioeconomics": 1.0,
    },
    "climate_health": {
        "cross_municipal": 1.0, "accessibility": 1.0, "co2_operation": 3.0,
        "public_health": 3.0, "public_transport": 1.0, "socioeconomics": 1.0,
    },
    "accessibility": {
        "cross_municipal": 2.0, "accessibility": 3.0, "co2_operation": 1.0,
        "public_health": 1.0, "public_transport": 2.0, "socioeconomics": 1.0,
    },
}

#: Rule for a not-assessable rating (hatched bar, or no model value), CLI ``--missing``:
#: ``"mean"`` (default) = the indicator's mean over the initiatives assessed on it, so an unknown
#: rating counts as average: it can no longer beat a bad rating (with ``"exclude"`` the fare
#: reform scored 5.0 on 1 of 6 indicators and "not calculated" beat "not profitable"), and a gap
#: in the catalogue is not punished as the worst rating either; ``"zero"`` = count it as 0
#: stars (the most cautious: unknown = worst); ``"exclude"`` = leave the indicator out and
#: renormalise the weights over the assessed ones (``"renormalise"`` is its old name).
#: Coverage ("4 of 6") is reported whatever the rule.
NOT_ASSESSABLE_RULE: str = "mean"

#: Initiatives assessed on fewer than this many of the weighted indicators are ranked after all
#: the others (their score and coverage are still shown): a mean over one or two indicators is
#: not comparable with a mean over five or six (e.g. the fare reform, assessable on 1 of 6).
#: 0 = rank by score alone.
RANK_MIN_COVERAGE: int = 3

#: Operating-phase CO2 reduction (tonnes per year) by initiative id, for the carbon payback.
#: Overrides what is read from the catalogue (a ``key_figures`` entry with a unit in tonnes per
#: year, or a figure such as "ca. 500 tons CO2 årligt" in the CO2 rating text).
CO2_OPERATION_REDUCTION_T_PER_YEAR: dict[int, float] = {}

#: Bundle synergy in the optimiser's final ranking: person-minutes saved per day that are worth
#: one accessibility star. The synergy (person-minutes) divided by this, times the
#: accessibility weight share, is added to the bundle's score. Default: the width of the middle
#: accessibility star band (20,000 to 60,000).
SYNERGY_PERSON_MINUTES_PER_STAR: float = 40_000.0

#: Number of best budget-feasible bundles (by the MILP objective) that the optimiser
#: re-evaluates with the network/demand model (each a bundle scenario and its CBA) before the
#: final ranking. 10 keeps ``bundle optimise --budget-mdkk 30000`` within a minute on a cold
#: scenario cache; the candidates beyond the tenth differ from the first by one small item.
OPTIMISER_TOP_CANDIDATES: int = 10

#: Robustness: each weight is multiplied by ``exp(sigma * N(0, 1))`` (lognormal, so weights stay
#: positive and zero weights stay zero). 0.3 moves a weight by about +-30 %.
ROBUSTNESS_WEIGHT_SIGMA: float = 0.3

#: Robustness: an inferred rating (our reading of the catalogue) moves by a whole number of
#: stars drawn uniformly from ``-spread..+spread``, clipped to 0-5. Exact ratings do not move.
ROBUSTNESS_INFERRED_STAR_SPREAD: int = 1

#: Robustness defaults: number of runs, seed, "top k" and the rank interval (percentiles).
ROBUSTNESS_RUNS: int = 1000
ROBUSTNESS_SEED: int = 20240101
ROBUSTNESS_TOP_K: int = 10
ROBUSTNESS_RANK_INTERVAL_PCT: tuple[float, float] = (5.0, 95.0)
