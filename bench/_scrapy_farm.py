"""`python -m bench._scrapy_farm SPEC`: a stock Scrapy spider crawling the crawl farm, run by
bench.crawl_farm in a process of its own so that its CPU time and peak memory are Scrapy's alone.

SPEC is JSON: the listings to start at, the delay, the concurrency and the User-Agent. On success
the last line of stdout is JSON: seconds of the crawl, CPU seconds spent before it started, the
talks read and the peak RSS. Only Scrapy, BeautifulSoup and lxml are imported here, not talkfeed,
so that talkfeed's modules weigh nothing in Scrapy's figures."""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

import scrapy
from bs4 import BeautifulSoup, Tag
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response
from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer

from bench import peak_rss

FARM_ADDRESS = "127.0.0.1"

_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
_DJANGO_DATE = re.compile(
    r"(?P<month>[A-Za-z]+)\.? (?P<day>\d{1,2}), (?P<year>\d{4}),"
    r" (?:(?P<noon>noon)|(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))? (?P<half>[ap])\.m\.)"
)


class FarmResolver(CachingThreadedResolver):
    """Every host name is the farm's server: the same routing as talkfeed's FarmTransport,
    while Scrapy keeps each site's URL and Host header."""

    def getHostByName(  # noqa: N802 (Twisted's name)
        self, name: str, timeout: Sequence[int] = ()
    ) -> defer.Deferred[str]:
        """The farm's address, whatever the name."""
        return defer.succeed(FARM_ADDRESS)


def parse_date(text: str) -> datetime | None:
    """A start as the NYU pages print it (Django's "N j, Y, P"), naive local time."""
    match = _DJANGO_DATE.search(text)
    month = _MONTHS.get(match.group("month")[:3].lower()) if match else None
    if match is None or month is None:
        return None
    hour, minute = 12, 0
    if not match.group("noon"):
        hour = int(match.group("hour")) % 12 + (12 if match.group("half") == "p" else 0)
        minute = int(match.group("minute") or 0)
    return datetime(int(match.group("year")), month, int(match.group("day")), hour, minute)


def _text(tag: Tag | None) -> str:
    return " ".join(tag.get_text(" ").split()) if tag is not None else ""


class FarmSpider(scrapy.Spider):
    """Each listing's talks, then each talk's page: title, speaker, start, location, host,
    abstract and bio, parsed with BeautifulSoup on lxml as talkfeed's parsers do."""

    name = "farm"

    def parse(self, response: Response, **kwargs: Any) -> Iterator[scrapy.Request]:
        """A listing: follow every talk's link, carrying what the listing says of it."""
        soup = BeautifulSoup(response.text, "lxml")
        for item in soup.find_all("li", class_="colloq-item"):
            link = item.find("a", href=True)
            if link is None:
                continue
            listed = {
                "title": _text(link),
                "speaker": _text(item.find("div", class_="colloq-speaker")),
                "start": parse_date(_text(item.find("div", class_="colloq-date"))),
            }
            yield response.follow(
                str(link["href"]), callback=self.parse_talk, cb_kwargs={"listed": listed}
            )

    def parse_talk(self, response: Response, listed: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """A talk's page: its labelled fields and text sections, over what the listing said."""
        soup = BeautifulSoup(response.text, "lxml")
        fields: dict[str, str] = {}
        for field in soup.find_all("p", class_="colloq-field"):
            label = field.find("strong")
            if label is not None:
                fields[_text(label).rstrip(":").lower()] = _text(field).partition(":")[2].strip()
        sections: dict[str, str] = {}
        for heading in soup.find_all("h3", class_="colloq-heading"):
            body = heading.find_next_sibling("div", class_="colloq-text")
            sections[_text(heading).rstrip(":").lower()] = _text(body)
        yield {
            "url": response.url,
            "title": _text(soup.find("h2", class_="colloq-title")) or listed["title"],
            "speaker": fields.get("speaker") or listed["speaker"],
            "start": parse_date(fields.get("date", "")) or listed["start"],
            "location": fields.get("location"),
            "host": fields.get("host"),
            "abstract": sections.get("synopsis") or sections.get("abstract"),
            "bio": sections.get("speaker bio"),
        }


def main(spec_json: str) -> int:
    """Crawl the farm as SPEC says; print the figures as the last line of stdout."""
    spec = json.loads(spec_json)
    cpu_before = time.process_time()
    process = CrawlerProcess(
        {
            "USER_AGENT": spec["user_agent"],
            "ROBOTSTXT_OBEY": True,
            "DOWNLOAD_DELAY": spec["delay"],
            # Scrapy 2.19's name for RANDOMIZE_DOWNLOAD_DELAY = False: a fixed delay.
            "DOWNLOAD_DELAY_JITTER": 0,
            "CONCURRENT_REQUESTS": spec["concurrency"],
            "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
            "AUTOTHROTTLE_ENABLED": False,
            "HTTPCACHE_ENABLED": False,
            "RETRY_TIMES": spec["retries"],
            "DOWNLOAD_TIMEOUT": spec["timeout"],
            "TWISTED_DNS_RESOLVER": FarmResolver,
            # A proxy from the environment would take the requests away from the farm.
            "HTTPPROXY_ENABLED": False,
            # Consoles listening on ports of their own: nothing the crawl needs.
            "TELNETCONSOLE_ENABLED": False,
            "REMOTE_CONTROL_ENABLED": False,
            # Scrapy's advice for broad crawls; DEBUG would log every request and item.
            "LOG_LEVEL": "INFO",
        }
    )
    crawler = process.create_crawler(FarmSpider)
    began = time.perf_counter()
    process.crawl(crawler, start_urls=spec["start_urls"])
    process.start()
    seconds = time.perf_counter() - began
    stats = crawler.stats.get_stats() if crawler.stats is not None else {}
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_before": cpu_before,
                "talks": stats.get("item_scraped_count", 0),
                "peak_rss": peak_rss(),
                "worker_cpu": 0.0,
                "worker_rss": 0,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
