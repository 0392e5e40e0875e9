"""User-facing labels (Danish by default, English on request) for themes and indicators."""

from __future__ import annotations

__all__ = ["INDICATORS", "THEMES", "indicator_label", "theme_label"]

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
