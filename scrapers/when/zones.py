"""Time zones printed after a time ("4pm ET", "16:00 CEST", "3:30 p.m. (Eastern)", "10am Paris
time", "14:00 UTC+1") or before it ("北京时间 14:00"), as IANA zones.

An abbreviation names a zone's wall clock, never a fixed offset: people write "EST" in July and
mean New York time. "CST" is read as US Central (the brief's call; China Standard Time is the
other reading) and "IST" as India (Ireland and Israel use it too).
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Mapping
from functools import lru_cache

__all__ = ["zone_after", "zone_before"]

_NEW_YORK = "America/New_York"
_CHICAGO = "America/Chicago"
_DENVER = "America/Denver"
_LOS_ANGELES = "America/Los_Angeles"
_LONDON = "Europe/London"
_BERLIN = "Europe/Berlin"
_SYDNEY = "Australia/Sydney"
_SHANGHAI = "Asia/Shanghai"

_NAMES: Mapping[str, str] = {
    **dict.fromkeys(("ET", "EST", "EDT", "Eastern"), _NEW_YORK),
    **dict.fromkeys(("CT", "CST", "CDT", "Central"), _CHICAGO),
    **dict.fromkeys(("MT", "MST", "MDT", "Mountain"), _DENVER),
    **dict.fromkeys(("PT", "PST", "PDT", "Pacific"), _LOS_ANGELES),
    **dict.fromkeys(("AKST", "AKDT", "Alaska"), "America/Anchorage"),
    **dict.fromkeys(("HST", "Hawaii"), "Pacific/Honolulu"),
    **dict.fromkeys(("AST", "ADT", "Atlantic"), "America/Halifax"),
    **dict.fromkeys(("GMT", "BST"), _LONDON),
    **dict.fromkeys(("UTC", "UT"), "UTC"),
    **dict.fromkeys(("WET", "WEST"), "Europe/Lisbon"),
    **dict.fromkeys(("CET", "CEST", "MEZ", "MESZ"), _BERLIN),
    **dict.fromkeys(("EET", "EEST", "OEZ", "OESZ"), "Europe/Athens"),
    "MSK": "Europe/Moscow",
    "IST": "Asia/Kolkata",
    "SGT": "Asia/Singapore",
    "HKT": "Asia/Hong_Kong",
    "JST": "Asia/Tokyo",
    "KST": "Asia/Seoul",
    **dict.fromkeys(("AEST", "AEDT", "AET"), _SYDNEY),
    **dict.fromkeys(("ACST", "ACDT"), "Australia/Adelaide"),
    "AWST": "Australia/Perth",
    **dict.fromkeys(("NZST", "NZDT", "NZT"), "Pacific/Auckland"),
    "WIB": "Asia/Jakarta",
    "WITA": "Asia/Makassar",
    "WIT": "Asia/Jayapura",
    "BRT": "America/Sao_Paulo",
    "ART": "America/Argentina/Buenos_Aires",
}
_LOCAL_NAMES: Mapping[str, str] = {
    "北京时间": _SHANGHAI,
    "北京時間": _SHANGHAI,
    "日本時間": "Asia/Tokyo",
    "한국시간": "Asia/Seoul",
}
# Cities that name a zone without being its zoneinfo name.
_CITIES: Mapping[str, str] = {"Beijing": _SHANGHAI, "Washington": _NEW_YORK, "Boston": _NEW_YORK}


@lru_cache(maxsize=1)
def _city_zones() -> Mapping[str, str]:
    """ "Paris" -> "Europe/Paris", "New York" -> "America/New_York": every zoneinfo city."""
    cities = {
        name.rsplit("/", 1)[1].replace("_", " "): name
        for name in zoneinfo.available_timezones()
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/"))
    }
    return {**cities, **_CITIES}


_WORDS = frozenset(("Eastern", "Central", "Mountain", "Pacific", "Alaska", "Hawaii", "Atlantic"))


@lru_cache(maxsize=1)
def _after() -> re.Pattern[str]:
    abbreviations = "|".join(sorted(set(_NAMES) - _WORDS, key=len, reverse=True))
    words = "|".join(sorted(_WORDS))
    cities = "|".join(re.escape(city) for city in sorted(_city_zones(), key=len, reverse=True))
    local = "|".join(_LOCAL_NAMES)
    zone = (
        r"(?P<base>UTC|GMT)\s*(?P<sign>[+−-])\s*(?P<hours>\d{1,2})(?::?(?P<minutes>\d\d))?(?!\d)"
        rf"|(?P<name>{abbreviations})(?![^\W\d_])"
        # "4pm Eastern", "(Central)", "Pacific Time", but not "4pm Central Library".
        rf"|(?P<word>{words})(?:\s+(?:Standard|Daylight))?(?:\s+Time\b|(?!\s+[A-Z])(?![^\W\d_]))"
        rf"|(?P<city>{cities})\s+[Tt]ime\b"
        rf"|(?P<local>{local})"
    )
    return re.compile(rf"(?P<zulu>Z\b)|\s*(?P<open>\()?\s*(?:{zone})(?(open)\s*\))")


_BEFORE = re.compile(rf"(?P<local>{'|'.join(_LOCAL_NAMES)})\s*[:：]?\s*$")


def zone_after(text: str, position: int) -> tuple[str | None, int] | None:
    """The zone printed at `position` of `text` (right after a time) and where it ends; the
    zone is None for an offset no IANA zone names ("UTC+5:30")."""
    match = _after().match(text, position)
    if match is None:
        return None
    if match["zulu"]:
        return "UTC", match.end()
    if match["city"]:
        return _city_zones()[match["city"]], match.end()
    if match["local"]:
        return _LOCAL_NAMES[match["local"]], match.end()
    if match["base"]:
        return _offset(match), match.end()
    return _NAMES[match["name"] or match["word"]], match.end()


def zone_before(text: str, position: int) -> str | None:
    """The zone printed just before `position` ("北京时间 14:00")."""
    match = _BEFORE.search(text, max(0, position - 8), position)
    return None if match is None else _LOCAL_NAMES[match["local"]]


def _offset(match: re.Match[str]) -> str | None:
    hours = int(match["hours"])
    if match["minutes"] not in (None, "00") or hours > 14:
        return None
    if hours == 0:
        return "UTC"
    # Etc/GMT signs are POSIX's, the opposite of ISO's: UTC+1 is Etc/GMT-1.
    return f"Etc/GMT{'-' if match['sign'] == '+' else '+'}{hours}"
