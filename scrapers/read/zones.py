"""A page's time zone when nobody said it: what the page states (a CMS setting, a calendar
widget's option), else its host's country, for the countries one zone covers.

A guess is always reported as a guess by its callers: a zone is the one thing a page rarely
prints and a wrong one shifts every talk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["ZoneGuess", "guess_zone"]

# "timezone":"America/New_York" in Drupal settings, FullCalendar options and the like.
_STATED = re.compile(
    r"""["']?(?:time_?zone|tz|timeZone)["']?\s*[:=]\s*["']([A-Z][A-Za-z_]+/[A-Za-z_/+-]+)["']"""
)
# Countries whose universities keep one zone, by their country-code domain.
_COUNTRY_ZONES = {
    "ad": "Europe/Andorra", "ae": "Asia/Dubai", "al": "Europe/Tirane", "am": "Asia/Yerevan",
    "ar": "America/Argentina/Buenos_Aires", "at": "Europe/Vienna", "az": "Asia/Baku",
    "ba": "Europe/Sarajevo", "bd": "Asia/Dhaka", "be": "Europe/Brussels", "bg": "Europe/Sofia",
    "bo": "America/La_Paz", "by": "Europe/Minsk", "ch": "Europe/Zurich", "cl": "America/Santiago",
    "cn": "Asia/Shanghai", "co": "America/Bogota", "cr": "America/Costa_Rica",
    "cu": "America/Havana",
    "cy": "Asia/Nicosia", "cz": "Europe/Prague", "de": "Europe/Berlin", "dk": "Europe/Copenhagen",
    "do": "America/Santo_Domingo", "dz": "Africa/Algiers", "ec": "America/Guayaquil",
    "ee": "Europe/Tallinn", "eg": "Africa/Cairo", "es": "Europe/Madrid", "et": "Africa/Addis_Ababa",
    "fi": "Europe/Helsinki", "fr": "Europe/Paris", "ge": "Asia/Tbilisi", "gh": "Africa/Accra",
    "gr": "Europe/Athens", "gt": "America/Guatemala", "hk": "Asia/Hong_Kong", "hr": "Europe/Zagreb",
    "hu": "Europe/Budapest", "ie": "Europe/Dublin", "il": "Asia/Jerusalem", "in": "Asia/Kolkata",
    "iq": "Asia/Baghdad", "ir": "Asia/Tehran", "is": "Atlantic/Reykjavik", "it": "Europe/Rome",
    "jm": "America/Jamaica", "jo": "Asia/Amman", "jp": "Asia/Tokyo", "ke": "Africa/Nairobi",
    "kr": "Asia/Seoul", "kw": "Asia/Kuwait", "lb": "Asia/Beirut", "li": "Europe/Vaduz",
    "lk": "Asia/Colombo", "lt": "Europe/Vilnius", "lu": "Europe/Luxembourg", "lv": "Europe/Riga",
    "ma": "Africa/Casablanca", "md": "Europe/Chisinau", "me": "Europe/Podgorica",
    "mk": "Europe/Skopje", "mt": "Europe/Malta", "my": "Asia/Kuala_Lumpur", "ng": "Africa/Lagos",
    "nl": "Europe/Amsterdam", "no": "Europe/Oslo", "np": "Asia/Kathmandu", "nz": "Pacific/Auckland",
    "pa": "America/Panama", "pe": "America/Lima", "ph": "Asia/Manila", "pk": "Asia/Karachi",
    "pl": "Europe/Warsaw", "pr": "America/Puerto_Rico", "pt": "Europe/Lisbon",
    "py": "America/Asuncion", "qa": "Asia/Qatar", "ro": "Europe/Bucharest", "rs": "Europe/Belgrade",
    "sa": "Asia/Riyadh", "se": "Europe/Stockholm", "sg": "Asia/Singapore", "si": "Europe/Ljubljana",
    "sk": "Europe/Bratislava", "th": "Asia/Bangkok", "tn": "Africa/Tunis", "tr": "Europe/Istanbul",
    "tw": "Asia/Taipei", "tz": "Africa/Dar_es_Salaam", "ua": "Europe/Kyiv", "ug": "Africa/Kampala",
    "uk": "Europe/London", "uy": "America/Montevideo", "uz": "Asia/Tashkent",
    "ve": "America/Caracas", "vn": "Asia/Ho_Chi_Minh", "za": "Africa/Johannesburg",
}  # fmt: skip


@dataclass(frozen=True)
class ZoneGuess:
    """A zone for a page, and what it was taken from."""

    zone: str
    why: str


def guess_zone(url: str, text: str = "") -> ZoneGuess | None:
    """The zone the page states in its settings, else its country's zone; None when neither
    says (a `.edu` or `.com` host, a country with several zones)."""
    for match in _STATED.finditer(text[:500_000]):
        if _is_zone(match.group(1)) and match.group(1) not in ("Etc/UTC", "UTC"):
            return ZoneGuess(match.group(1), "the page's own settings name it")
    host = (urlsplit(url).hostname or "").lower()
    country = host.rsplit(".", 1)[-1] if "." in host else ""
    if country == "gb":
        country = "uk"
    zone = _COUNTRY_ZONES.get(country)
    if zone is not None:
        return ZoneGuess(zone, f"the host's country (.{country})")
    return None


def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
