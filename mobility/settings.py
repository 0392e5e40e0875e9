"""Settings: documented, typed module globals read at call time.

Change them at run time (``mobility.settings.IRR_STAR_THRESHOLDS_PCT = (...)``) and the next
call uses the new value. Appraisal thresholds and weights live in the appraisal settings file
(:mod:`mobility.appraisal.settings`); this module holds what the catalogue itself needs.
"""

from __future__ import annotations

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
