"""The misbehaving site and a config reading both of its sources."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from tests.faults import FaultySite, write_config


@pytest.fixture
def faulty(httpserver: HTTPServer) -> Iterator[FaultySite]:
    site = FaultySite(httpserver)
    yield site
    # A test that failed while a request stalled must not leave the shared server stuck.
    site.release()


@pytest.fixture
def config(tmp_path: Path, faulty: FaultySite) -> Path:
    return write_config(tmp_path, faulty)
