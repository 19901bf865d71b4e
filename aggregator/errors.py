"""The exceptions talkfeed raises on purpose.

    TalkfeedError                 base; str() is a one-line message fit for a user
    ├── ConfigError               a bad config file: names the file and line
    ├── FetchError                a URL could not be fetched (after retries)
    │   ├── RobotsDisallowedError robots.txt forbids the URL
    │   └── AddressRefusedError   the URL leads to an internal address its source may not reach
    ├── RecordError               a scraped talk is not a valid record
    └── OutputError               the store or the output directory cannot be used

Parse problems inside a site module are `scrapers.ParseError`; the pipeline turns them into
per-page problems in the run report instead of stopping.
"""

from __future__ import annotations

__all__ = [
    "AddressRefusedError",
    "ConfigError",
    "FetchError",
    "OutputError",
    "RecordError",
    "RobotsDisallowedError",
    "TalkfeedError",
]


class TalkfeedError(Exception):
    """Base class of every error talkfeed reports to its user."""


class ConfigError(TalkfeedError):
    """The config file is unreadable or invalid."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None) -> None:
        where = path or "<config>"
        if line is not None:
            where = f"{where}:{line}"
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line


class FetchError(TalkfeedError):
    """A URL could not be fetched: a network failure or an HTTP error status, after retries."""

    def __init__(self, url: str, reason: str, status: int | None = None) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.status = status


class RobotsDisallowedError(FetchError):
    """The host's robots.txt does not allow talkfeed to fetch this URL."""

    def __init__(self, url: str, reason: str = "disallowed by robots.txt") -> None:
        super().__init__(url, reason)


class AddressRefusedError(FetchError):
    """The URL leads to a loopback, private, link-local, cloud metadata or reserved address,
    which its source may not reach: only a source on such an address may fetch from its kind."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(url, reason)


class RecordError(TalkfeedError):
    """A talk scraped from a page fails validation; the message names the source, URL and field."""


class OutputError(TalkfeedError):
    """The SQLite store or the output directory cannot be opened, read or written."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
