"""talkfeed's core: the talk record, fetching, storage, the run, and the command line."""

from aggregator.config import Config, SourceConfig, load_config
from aggregator.errors import (
    ConfigError,
    FetchError,
    RecordError,
    RobotsDisallowedError,
    TalkfeedError,
)
from aggregator.model import Speaker, Status, StoredTalk, Talk
from aggregator.pipeline import RunReport, SourceReport, run

__all__ = [
    "Config",
    "ConfigError",
    "FetchError",
    "RecordError",
    "RobotsDisallowedError",
    "RunReport",
    "SourceConfig",
    "SourceReport",
    "Speaker",
    "Status",
    "StoredTalk",
    "Talk",
    "TalkfeedError",
    "load_config",
    "run",
]
