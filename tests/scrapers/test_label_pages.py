"""The `labels` kind: a label-style site like NYU's declared in a few lines of TOML."""

from __future__ import annotations

import pytest

from aggregator.config import parse_config
from aggregator.errors import ConfigError
from scrapers import SiteParser, all_sites
from tests.fixture_pages import FixturePage, fixture_pages, mismatches, parse_page

NYU_AS_TOML = """
[[sources]]
kind = "labels"
id = "nyu-cs-colloquium-declared"
name = "NYU Computer Science Colloquium"
url = "https://cs.nyu.edu/dynamic/news/colloquium/"
timezone = "America/New_York"
duration = 60
talk_url = '/dynamic/(?:about/)?news/colloquium/(?P<key>\\d+)/?$'
[sources.labels]
speaker = ["Speaker"]
date = ["Date"]
location = ["Location"]
host = ["Host"]
abstract = ["Synopsis"]
bio = ["Speaker Bio"]
notes = ["Notes"]
"""


def declared(text: str) -> SiteParser:
    (source,) = parse_config(text, all_sites()).sources
    assert source.declared is not None
    return source.declared


NYU_PAGES = [p for p in fixture_pages() if p.site_id == "nyu-cs-colloquium"]


def test_nyu_fits_in_fifteen_lines_of_toml() -> None:
    assert len([line for line in NYU_AS_TOML.strip().splitlines() if line.strip()]) <= 16


@pytest.mark.parametrize("fixture", NYU_PAGES, ids=lambda p: p.path.stem)
def test_declared_nyu_reads_every_fixture_like_the_module(fixture: FixturePage) -> None:
    parsed = parse_page(declared(NYU_AS_TOML), fixture.page)
    expected = fixture.expected()
    if "talk" in parsed:
        assert parsed["talk"]["id"] == f"nyu-cs-colloquium-declared:{fixture.path.stem}"
    else:
        # The module also follows the semester selector; the declared site reads one listing.
        parsed["listings"] = expected["listings"]
    assert mismatches(parsed, expected) == []


def test_talk_links_by_selector_and_more_listings() -> None:
    site = declared(
        NYU_AS_TOML.replace(
            "talk_url = '/dynamic/(?:about/)?news/colloquium/(?P<key>\\d+)/?$'",
            'talk_links = "ul.upcoming a"\nmore_listings = "ol.breadcrumb a[href$=\'colloquium/\']"',
        )
    )
    listing = next(p for p in NYU_PAGES if p.path.stem == "listing-spring_2026")
    links = site.listing(listing.page)
    assert [link.url.rsplit("/", 2)[-2] for link in links if link.kind == "talk"] == [
        "1857", "1861", "1866",
    ]  # fmt: skip
    assert [link.url for link in links if link.kind == "listing"] == [
        "https://cs.nyu.edu/dynamic/news/colloquium/"
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("talk_url = '", "talk_url = '(unclosed"), "'talk_url' is not a valid regular expression"),
        (("(?P<key>\\d+)", "(\\d+)"), "'talk_url' needs a (?P<key>…) group"),
        (('speaker = ["Speaker"]', 'speakr = ["Speaker"]'), "'labels' has unknown field 'speakr'"),
        (
            ('timezone = "America/New_York"', 'timezone = "New York"'),
            "'timezone' must be an IANA time zone",
        ),
        (('kind = "labels"', 'kind = "label"'), "'kind' must be one of:"),
        (("duration = 60", "duration = 0"), "'duration' must be a whole number of minutes > 0"),
        (("duration = 60", "colour = 1"), "'colour' is not a key of kind 'labels'"),
        (
            ('id = "nyu-cs-colloquium-declared"', 'id = "nyu-cs-colloquium"'),
            "already a registered site",
        ),
    ],
)
def test_bad_declarations_name_the_key_and_line(change: tuple[str, str], message: str) -> None:
    text = NYU_AS_TOML.replace(*change)
    assert text != NYU_AS_TOML
    with pytest.raises(ConfigError) as caught:
        parse_config(text, all_sites())
    assert message in str(caught.value)
    bad_line = next(
        n for n, line in enumerate(text.split("\n"), 1) if change[1].split("=")[0] in line
    )
    assert str(caught.value).startswith(f"<config>:{bad_line}: ")


def test_labels_kind_needs_a_way_to_find_talks() -> None:
    text = NYU_AS_TOML.replace(
        "talk_url = '/dynamic/(?:about/)?news/colloquium/(?P<key>\\d+)/?$'\n", ""
    )
    with pytest.raises(ConfigError, match="'talk_url' or 'talk_links' is required"):
        parse_config(text, all_sites())
