"""Dates, times, time ranges and academic terms as seminar pages print them, in any language
CLDR has month and weekday names for.

- `find_days`, `find_clocks`, `find_whens`, `find_terms` find mentions (with their spans) in a
  text block; `resolve` turns a mention into aware datetimes once its year is known.
- `page_style` says how a page writes dates (languages, day/month order); pass it to the finders.
- `parse_datetime_range` reads the first date with a year and its time, or raises
  `DateParseError`.

Month and weekday names, and the words CLDR's date and time patterns print around their fields
("de", "gada", "Uhr"), come from Babel's CLDR data; times, ranges, zones and terms are rules of
this package. Every finder reads an accent-folded, lower-case copy of the text, character for
character, so spans are the original's.
"""

from scrapers.when.clocks import find_clocks
from scrapers.when.days import find_days
from scrapers.when.mentions import ClockMention, DateParseError, DayMention, TermMention, When
from scrapers.when.style import DateStyle, page_style
from scrapers.when.terms import find_terms
from scrapers.when.whens import find_whens, parse_datetime, parse_datetime_range, resolve

__all__ = [
    "ClockMention",
    "DateParseError",
    "DateStyle",
    "DayMention",
    "TermMention",
    "When",
    "find_clocks",
    "find_days",
    "find_terms",
    "find_whens",
    "page_style",
    "parse_datetime",
    "parse_datetime_range",
    "resolve",
]
