"""The date styles the table-driven tests read with."""

from __future__ import annotations

from scrapers.when import DateStyle

EN = DateStyle()
US = DateStyle(day_first=False)
EU = DateStyle(day_first=True)
DE = DateStyle(("de",), day_first=True)
FR = DateStyle(("fr",), day_first=True)
ES = DateStyle(("es",), day_first=True)
PT = DateStyle(("pt",), day_first=True)
IT = DateStyle(("it",), day_first=True)
NL = DateStyle(("nl",), day_first=True)
ZH = DateStyle(("zh",))
JA = DateStyle(("ja",))
KO = DateStyle(("ko",))
TH = DateStyle(("th",), day_first=True)
