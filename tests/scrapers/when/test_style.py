"""page_style: languages from a page's lang, domain and zone; the order of numeric dates."""

from __future__ import annotations

import pytest

from scrapers.when import DateStyle, page_style


@pytest.mark.parametrize(
    ("lang", "url", "zone", "texts", "expected"),
    [
        ("en", "https://cs.nyu.edu/dynamic/", "America/New_York", [], DateStyle(("en",), False)),
        (
            "de-CH",
            "https://www.ethz.ch/",
            "Europe/Zurich",
            [],
            DateStyle(("de", "gsw", "fr", "it"), True),
        ),
        ("de", "https://www.uni-heidelberg.de/", "Europe/Berlin", [], DateStyle(("de",), True)),
        (None, "https://www.ens.fr/", None, [], DateStyle(("fr",), True)),
        ("pt-BR", "https://www.usp.br/", "America/Sao_Paulo", [], DateStyle(("pt",), True)),
        ("es", "https://www.unam.mx/", "America/Mexico_City", [], DateStyle(("es",), True)),
        ("ja", "https://www.u-tokyo.ac.jp/", "Asia/Tokyo", [], DateStyle(("ja",), True)),
        ("zh-Hant-TW", "https://www.ntu.edu.tw/", "Asia/Taipei", [], DateStyle(("zh",), True)),
        ("en", "https://www.utoronto.ca/", "America/Toronto", [], DateStyle(("en", "fr"), False)),
        (
            "fr-CA",
            "https://www.umontreal.ca/",
            "America/Toronto",
            [],
            DateStyle(("fr", "en"), True),
        ),
        ("en", "https://www.up.edu.ph/", "Asia/Manila", [], DateStyle(("en", "fil"), False)),
        ("en-US", "https://www.ox.ac.uk/", "Europe/London", [], DateStyle(("en",), True)),
        ("en", None, None, [], DateStyle(("en",), False)),
        (None, "https://example.com/", None, [], DateStyle(("en",), None)),
        # Dates in the page prove the order whatever the country says.
        (
            "en",
            "https://cs.nyu.edu/",
            "America/New_York",
            ["13/09/2023", "1/5/2023"],
            DateStyle(("en",), True),
        ),
        (
            "en-GB",
            "https://www.ox.ac.uk/",
            "Europe/London",
            ["09/13/2023"],
            DateStyle(("en",), False),
        ),
        ("en", None, None, ["12/11/2023"], DateStyle(("en",), False)),
        # Hyphens and slashes that start no date are passed over, and a date glued to a word or
        # a longer number proves nothing.
        (
            "en",
            "https://cs.nyu.edu/",
            "America/New_York",
            ["Room 2-13, well-known - seminar 13/09/2023 - 1/5"],
            DateStyle(("en",), True),
        ),
        (
            "en",
            "https://cs.nyu.edu/",
            "America/New_York",
            ["v1.13/09/2023 and 2013/09/12"],
            DateStyle(("en",), False),
        ),
    ],
)
def test_page_style(
    lang: str | None, url: str | None, zone: str | None, texts: list[str], expected: DateStyle
) -> None:
    assert page_style(lang, url, zone, texts) == expected
