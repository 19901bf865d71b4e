"""Command-line argument types shared by talkfeed's commands."""

from __future__ import annotations

import argparse
from datetime import datetime

__all__ = ["aware_datetime"]


def aware_datetime(text: str) -> datetime:
    """An ISO 8601 date-time with its UTC offset, for `--now`."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date-time: {text!r}") from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"needs a UTC offset, e.g. {text}+00:00")
    return value
