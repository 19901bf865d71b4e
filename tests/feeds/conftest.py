from __future__ import annotations

import pytest

from aggregator.model import StoredTalk
from tests.feeds.sample import sample_talks


@pytest.fixture
def talks() -> list[StoredTalk]:
    return sample_talks()


@pytest.fixture
def by_id(talks: list[StoredTalk]) -> dict[str, StoredTalk]:
    return {st.talk.id: st for st in talks}
