"""User-facing labels (Danish by default, English on request) for themes and indicators."""

from __future__ import annotations

__all__ = [
    "INDICATORS",
    "TEXT",
    "THEMES",
    "format_number",
    "indicator_label",
    "stars_text",
    "text",
    "theme_label",
]

#: The six guiding indicators, in the catalogue's order, with Danish and English labels.
INDICATORS: dict[str, dict[str, str]] = {
    "cross_municipal": {"da": "Tværgående relevans", "en": "Cross-municipal relevance"},
    "accessibility": {
        "da": "Sammenhæng og fremkommelighed",
        "en": "Connectivity and travel time",
    },
    "co2_operation": {"da": "CO2e driftsfase", "en": "Operating-phase CO2e"},
    "public_health": {"da": "Folkesundhed", "en": "Public health"},
    "public_transport": {
        "da": "Attraktiv kollektiv transport",
        "en": "Attractive public transport",
    },
    "socioeconomics": {"da": "Samfundsøkonomi", "en": "Socio-economics"},
}

#: The six themes with Danish and English labels and a display colour.
THEMES: dict[str, dict[str, str]] = {
    "public_transport": {"da": "Kollektiv trafik", "en": "Public transport", "color": "#1f6fb4"},
    "cycling": {"da": "Cykel", "en": "Cycling", "color": "#2ca02c"},
    "hubs": {"da": "Knudepunkter", "en": "Hubs", "color": "#9467bd"},
    "roads": {"da": "Veje og trafikafvikling", "en": "Roads and traffic management",
              "color": "#7f7f7f"},
    "speed_noise": {"da": "Hastighed og støj", "en": "Speed and noise", "color": "#d62728"},
    "pricing": {"da": "Priser og afgifter", "en": "Pricing", "color": "#ff7f0e"},
}


def _check_lang(lang: str) -> str:
    if lang not in ("da", "en"):
        from .errors import MobilityError

        msg = f"unknown language {lang!r}; choose 'da' or 'en'"
        raise MobilityError(msg)
    return lang


def indicator_label(key: str, lang: str = "da") -> str:
    """Label of indicator ``key`` in ``lang`` (``"da"`` or ``"en"``)."""
    return INDICATORS[key][_check_lang(lang)]


def theme_label(key: str, lang: str = "da") -> str:
    """Label of theme ``key`` in ``lang`` (``"da"`` or ``"en"``)."""
    return THEMES[key][_check_lang(lang)]


# --------------------------------------------------------------------------------------------
# Output labels (maps, tables, charts): Danish default, English on request.

#: Labels used by the output modules (maps, tables, charts, the main job), by key.
TEXT: dict[str, dict[str, str]] = {
    # table columns
    "id": {"da": "Nr.", "en": "No."},
    "name": {"da": "Indsats", "en": "Initiative"},
    "theme": {"da": "Tema", "en": "Theme"},
    "kind": {"da": "Type", "en": "Kind"},
    "cost_mdkk": {"da": "Anlæg, mio. kr.", "en": "Construction cost, DKK m"},
    "co2_construction_t": {"da": "CO2 i anlægsfasen, t", "en": "Construction CO2, t"},
    "co2_construction_t_min": {"da": "CO2 anlæg min., t", "en": "Construction CO2 min, t"},
    "co2_construction_t_max": {"da": "CO2 anlæg maks., t", "en": "Construction CO2 max, t"},
    "extra_passengers": {"da": "Flere passagerer pr. døgn", "en": "Extra passengers per day"},
    "passenger_potential": {"da": "Passagerpotentiale pr. døgn",
                            "en": "Passenger potential per day"},
    "daily_passengers": {"da": "Daglige passagerer", "en": "Daily passengers"},
    "travel_time": {"da": "Rejsetid", "en": "Travel time"},
    "irr": {"da": "Intern rente", "en": "Internal rate of return"},
    "rank": {"da": "Placering", "en": "Rank"},
    "score": {"da": "Score", "en": "Score"},
    "schematic": {"da": "skematisk", "en": "schematic"},
    "schematic_note": {"da": "skematisk tegnet (ikke det faktiske forløb)",
                       "en": "drawn schematically (not the actual route)"},
    "not_modelled": {"da": "ikke modelleret", "en": "not modelled"},
    "not_modelled_legend": {"da": ": netværksmodellen kan ikke beregne effekten",
                            "en": ": the network model cannot compute its effect"},
    "network_model": {"da": "Netværksmodel", "en": "Network model"},
    "geometry": {"da": "Geometri", "en": "Geometry"},
    "mean_time_change_legend": {
        "da": "Ændring i rejsetid pr. tur, min. (turvægtet gennemsnit af generaliserede "
              "minutter for ture fra cellen; negativ = hurtigere)",
        "en": "Change in travel time per trip, min (trip-weighted mean of generalised minutes "
              "of trips from the cell; negative = faster)"},
    "accessibility_change_legend": {
        "da": "Ændring i tilgængelighed, % (befolkningsvægtet; positiv = bedre)",
        "en": "Change in accessibility, % (population-weighted; positive = better)"},
    "score_legend": {"da": "Score (0–5: vægtet gennemsnit af stjerner)",
                     "en": "Score (0–5: weighted mean of stars)"},
    "low_coverage": {"da": "lav dækning (for få pejlemærker vurderet)",
                     "en": "low coverage (too few indicators assessed)"},
    "shared_scale": {"da": "Samme farveskala på alle pakkers kort",
                     "en": "Same colour scale on every bundle's map"},
    "coverage": {"da": "Dækning", "en": "Coverage"},
    "score_per_bn_dkk": {"da": "Score pr. mia. kr.", "en": "Score per DKK bn"},
    "bundle": {"da": "Pakke", "en": "Bundle"},
    "initiatives": {"da": "Indsatser", "en": "Initiatives"},
    "n_initiatives": {"da": "Antal indsatser", "en": "Number of initiatives"},
    "person_minutes": {"da": "Personminutter sparet pr. døgn",
                       "en": "Person-minutes saved per day"},
    "sum_of_singles": {"da": "Sum af enkeltindsatser, personminutter",
                       "en": "Sum of singles, person-minutes"},
    "synergy": {"da": "Synergi, personminutter", "en": "Synergy, person-minutes"},
    "municipalities_gaining": {"da": "Kommuner med gevinst", "en": "Municipalities gaining"},
    "warnings": {"da": "Bemærkninger", "en": "Notes"},
    "municipality_code": {"da": "Kommunekode", "en": "Municipality code"},
    "municipality": {"da": "Kommune", "en": "Municipality"},
    "population": {"da": "Indbyggere", "en": "Population"},
    "accessibility_change_pct": {"da": "Ændring i tilgængelighed, %",
                                 "en": "Change in accessibility, %"},
    "mean_time_change_min": {"da": "Ændring i rejsetid, min.", "en": "Change in travel time, min"},
    "person_minutes_per_resident": {"da": "Personminutter pr. indbygger",
                                    "en": "Person-minutes per resident"},
    "gains": {"da": "Gevinst", "en": "Gains"},
    "yes": {"da": "ja", "en": "yes"},
    "no": {"da": "nej", "en": "no"},
    # table titles and notes
    "star_table": {"da": "Indsatser og pejlemærker", "en": "Initiatives and guiding indicators"},
    "ranking": {"da": "Rangordning af indsatser", "en": "Ranking of initiatives"},
    "bundle_comparison": {"da": "Sammenligning af pakker", "en": "Comparison of bundles"},
    "incidence": {"da": "Gevinst pr. kommune", "en": "Gains by municipality"},
    "inferred_note": {
        "da": "* Vurderingen er udledt af indsatsens tekst; katalogets oversigtstabel mangler "
              "cellen.",
        "en": "* Rating inferred from the initiative's text; the catalogue's summary table "
              "lacks the cell.",
    },
    "na_note": {"da": "– = kan ikke vurderes (skraveret i kataloget).",
                "en": "– = not assessable (hatched in the catalogue)."},
    "stars_note": {"da": "★ = 1 point på pejlemærkets skala 0-5.",
                   "en": "★ = 1 point on the indicator's 0-5 scale."},
    "unknown": {"da": "ukendt", "en": "unknown"},
    "not_calculated": {"da": "Ikke beregnet", "en": "Not calculated"},
    "not_profitable": {"da": "Ikke samfundsøkonomisk rentabel", "en": "Not profitable"},
    # maps
    "catalogue_map": {"da": "Indsatskatalog: mobilitetsindsatser i hovedstadsområdet",
                      "en": "Catalogue of mobility initiatives, Capital Region"},
    "score_map": {"da": "Indsatser farvet efter score", "en": "Initiatives coloured by score"},
    "accessibility_map": {"da": "Tilgængelighed", "en": "Accessibility"},
    "bundle_map": {"da": "Sammenligning af pakker", "en": "Comparison of bundles"},
    "municipalities": {"da": "Kommuner", "en": "Municipalities"},
    "road_network": {"da": "Vejnet i modellen (skematisk)",
                     "en": "Road network of the model (schematic)"},
    "stations": {"da": "Stationer (tog, metro, letbane)",
                 "en": "Stations (rail, metro, light rail)"},
    "grid_cells": {"da": "Befolkede 1 km-celler", "en": "Populated 1 km cells"},
    "area_initiative": {"da": "Områdeindsats (klik på nummeret)",
                        "en": "Area-wide initiative (click the number)"},
    "line_initiative": {"da": "Strækning", "en": "Corridor"},
    "point_initiative": {"da": "Knudepunkt", "en": "Hub"},
    "ratings": {"da": "Pejlemærker", "en": "Guiding indicators"},
    "caveats": {"da": "OBS", "en": "Caveat"},
    "sources": {"da": "Baseret på", "en": "Based on"},
    "weights": {"da": "Vægte", "en": "Weights"},
    "no_score": {"da": "ingen score", "en": "no score"},
    "per_day": {"da": "pr. døgn", "en": "per day"},
    "mdkk": {"da": "mio. kr.", "en": "DKK m"},
    "summary": {"da": "Resumé", "en": "Summary"},
    # charts
    "indicators_chart": {"da": "Pejlemærker for hver indsats",
                         "en": "Guiding indicators of each initiative"},
    "cost_score_chart": {"da": "Anlægsomkostning og score", "en": "Construction cost and score"},
    "pareto_front": {"da": "Pareto-front", "en": "Pareto front"},
    "not_assessable": {"da": "kan ikke vurderes", "en": "not assessable"},
    "inferred": {"da": "udledt", "en": "inferred"},
}


def text(key: str, lang: str = "da") -> str:
    """Output label ``key`` (see :data:`TEXT`) in ``lang`` (``"da"`` or ``"en"``)."""
    return TEXT[key][_check_lang(lang)]


def format_number(value: float | int | None, decimals: int = 0, lang: str = "da",
                  *, empty: str = "") -> str:
    """Format a number with thousands separators in the style of ``lang``.

    Danish: ``1.234,5``; English: ``1,234.5``. Missing values (None, NaN, pandas NA) give
    ``empty``.

    Examples
    --------
    >>> format_number(1234.5, 1)
    '1.234,5'
    >>> format_number(1234.5, 1, "en")
    '1,234.5'
    """
    _check_lang(lang)
    try:
        if value is None or value != value:  # NaN
            return empty
        number = float(value)
    except (TypeError, ValueError):  # pandas NA compares to NA and fails bool()
        return empty
    out = f"{number:,.{decimals}f}"
    if out.startswith("-") and float(out.replace(",", "")) == 0:
        out = out[1:]  # no "-0"
    if lang == "da":
        out = out.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return out


def stars_text(value: int | None, *, inferred: bool = False) -> str:
    """A rating as the catalogue shows it: ``★★★☆☆``; ``–`` when not assessable; ``*`` inferred.

    Examples
    --------
    >>> stars_text(3)
    '★★★☆☆'
    >>> stars_text(None, inferred=True)
    '–*'
    """
    body = "–" if value is None else "★" * int(value) + "☆" * (5 - int(value))
    return body + ("*" if inferred else "")
