"""Feeds are assembled from entries made once and kept (`Bodies.entries`): a feed assembled from
kept entries is the feed rendered afresh, byte for byte, and that is the document the library
writes for the whole feed."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import pytest
from lxml import etree

from aggregator.model import StoredTalk
from feeds import FORMATS
from feeds.spec import ENTRY_BATCH, Bodies
from tests.feeds.sample import SPEC, lifecycle_talks, sample_talks


class Kept:
    """Kept entries in a dict, counting what was asked for and found."""

    def __init__(self) -> None:
        self.entries: dict[str, str] = {}
        self.found = 0

    def get_many(self, keys: Sequence[str]) -> dict[str, str]:
        found = {key: self.entries[key] for key in keys if key in self.entries}
        self.found += len(found)
        return found

    def put_many(self, entries: Mapping[str, str]) -> None:
        self.entries.update(entries)


def _key(st: StoredTalk) -> str:
    return f"{st.talk.id} {st.model_dump_json()}"


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_feed_from_kept_entries_is_the_feed_rendered_afresh(fmt: str) -> None:
    render = FORMATS[fmt]
    talks = sample_talks() + lifecycle_talks()
    kept = Kept()
    render(talks[:3], SPEC, Bodies(key=_key, kept=kept, salt="code"))
    assert len(kept.entries) == 3
    assembled = render(talks, SPEC, Bodies(key=_key, kept=kept, salt="code"))
    assert kept.found == 3, "the three entries made before were not made again"
    assert assembled == render(talks, SPEC)
    changed = talks[0].model_copy(update={"sequence": 9})
    assert render([changed, *talks[1:]], SPEC, Bodies(key=_key, kept=kept, salt="code")) == (
        render([changed, *talks[1:]], SPEC)
    ), "an entry whose key changed is made again"
    other = Kept()
    other.entries = dict(kept.entries)
    render(talks, SPEC, Bodies(key=_key, kept=other, salt="new code"))
    assert other.found == 0, "entries kept by other rendering code are not used"


@pytest.mark.parametrize("fmt", FORMATS)
def test_entries_made_in_batches_are_the_feed_rendered_whole(fmt: str) -> None:
    """More entries than one batch (the libraries' document is built a batch at a time): the
    feed is the one rendered in one piece, and each entry is made once."""
    render = FORMATS[fmt]
    base = sample_talks()
    talks = [
        base[n % len(base)].model_copy(
            update={"talk": base[n % len(base)].talk.model_copy(update={"id": f"many:{n}"})}
        )
        for n in range(2 * ENTRY_BATCH + 3)
    ]
    kept = Kept()
    assembled = render(talks, SPEC, Bodies(key=_key, kept=kept, salt="code"))
    assert len(kept.entries) == len(talks)
    assert assembled == render(talks, SPEC)


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_an_assembled_xml_feed_is_what_the_library_writes_whole(fmt: str) -> None:
    data = FORMATS[fmt](sample_talks() + lifecycle_talks(), SPEC)
    tree = etree.fromstring(data)
    assert etree.tostring(tree, pretty_print=True, encoding="UTF-8", xml_declaration=True) == data
    assert FORMATS[fmt]([], SPEC).count(b"<item>" if fmt == "rss" else b"<entry>") == 0


def test_an_assembled_json_feed_is_what_json_dumps_writes_whole() -> None:
    for talks in (sample_talks() + lifecycle_talks(), []):
        data = FORMATS["feed.json"](talks, SPEC)
        whole = json.dumps(json.loads(data), ensure_ascii=False, indent=2) + "\n"
        assert data == whole.encode()
