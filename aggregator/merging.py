"""Merging the store's records into the combined feeds' talks (`Store.publish`), reading only
what the merge must.

A merge reads the records an output can still show (those that start at or after the feeds'
`horizon`), the records written since the last merge, and all that the merge of those depends
on, as far as it reaches: the records it could link to them (`Evidence`), the other members of
their clusters of the last merge, and the records `together` overrides join them to. The
clusters of the other records are those the last merge gave, which a merge of every record would
give again, so the store holds what merging every record would. Every record is merged when a
feed has no window, or the last merge was of another store, of other sources, with other merge
settings or code, or before a record was deleted.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from aggregator.bulk import cycle_collection_paused
from aggregator.config import Config
from aggregator.model import StoredTalk
from aggregator.publishing.outputs import horizon
from aggregator.records import merge as merge_rules
from aggregator.records.merge import Evidence, MergeSettings, Overrides, merge, url_key
from aggregator.store.database import Published, Store

__all__ = ["merge_if_changed"]

_MERGE_CODE = Path(merge_rules.__file__)
"""The merging rules: a new release that changes them merges every talk again."""
_NOTE = "merged"
"""Where the store keeps what the last merge was made from (`_Last`)."""


@dataclass(frozen=True)
class _Last:
    """What the last merge was made from."""

    inputs: str
    """`_inputs`: the same, the merge would give what the store holds."""
    basis: str
    """`_basis`: the same, only records written since `through` can have changed clusters."""
    through: int
    """The store's revision of "talks" the merge read."""


def merge_if_changed(config: Config, store: Store, now: datetime) -> None:
    """Merge the store's records of the configured sources into the combined feeds' talks,
    unless nothing they are merged from changed since the last merge."""
    # A source taken out of the config leaves the feeds; its records stay in the store.
    configured = sorted({source.site for source in config.sources})
    inputs = _inputs(config, store, configured)
    last = _last(store.note(_NOTE))
    if last is not None and last.inputs == inputs:
        return
    basis = _basis(config, store, configured)
    through = store.revision("talks")
    bound = horizon(config, now)
    with cycle_collection_paused():
        if bound is None or last is None or last.basis != basis:
            records = [record for record in store.talks() if record.talk.source in configured]
            store.publish(_merged(config, records, store.cluster_ids()), now)
        else:
            records, previous = _reach(config, store, set(configured), bound, last.through)
            elsewhere = _elsewhere(store, configured, records)
            merged = _merged(config, records, previous, elsewhere)
            store.publish(merged, now, reach=bound, replacing=set(previous.values()))
    store.keep(_NOTE, json.dumps({"inputs": inputs, "basis": basis, "through": through}))


def _last(note: str | None) -> _Last | None:
    # A store an older talkfeed merged kept a bare digest: it is merged whole once.
    try:
        kept = json.loads(note or "")
        return _Last(str(kept["inputs"]), str(kept["basis"]), int(kept["through"]))
    except (ValueError, TypeError, KeyError):
        return None


def _inputs(config: Config, store: Store, configured: list[str]) -> str:
    """What the combined feeds' talks are merged from: the store's talks of the configured
    sources as they are now, the merge settings and the merging code."""
    revisions = {site: store.revision(f"talks:{site}") for site in configured}
    return _digest(config, [store.identity(), revisions])


def _basis(config: Config, store: Store, configured: list[str]) -> str:
    """What a merge of part of the records takes as given: the store, the sources, the merge
    settings and code, and that no record was deleted since."""
    forgotten = store.revision("talks forgotten")
    return _digest(config, [store.identity(), configured, forgotten])


def _digest(config: Config, data: object) -> str:
    hashed = hashlib.blake2b(digest_size=16)
    hashed.update(json.dumps(data, sort_keys=True).encode())
    hashed.update(repr((config.merge, _MERGE_CODE.read_bytes())).encode())
    return hashed.hexdigest()


def _reach(
    config: Config, store: Store, configured: Collection[str], bound: datetime, through: int
) -> tuple[list[StoredTalk], dict[str, str]]:
    """The records to merge (see the module's docstring) and their clusters' ids of the last
    merge."""
    settings, overrides = _settings(config)
    tolerance = settings.tolerance
    evidence = Evidence(settings)
    partners: dict[str, set[str]] = {}
    for a, b in overrides.together:
        partners.setdefault(a, set()).add(b)
        partners.setdefault(b, set()).add(a)
    clusters = store.cluster_ids()
    members: dict[str, list[str]] = {}
    for member, published_id in clusters.items():
        members.setdefault(published_id, []).append(member)
    loaded: dict[str, StoredTalk] = {}
    frontier: list[StoredTalk] = []

    def take(records: Iterable[StoredTalk]) -> None:
        for record in records:
            if record.talk.source in configured and record.talk.id not in loaded:
                loaded[record.talk.id] = record
                frontier.append(record)

    take(store.talks(since=bound))
    take(store.talks(ids=store.changed_talks(through)))
    while frontier:
        batch = frontier[:]
        frontier.clear()
        wanted = set()
        for record in batch:
            held = clusters.get(record.talk.id)
            if held is not None:
                wanted.update(members[held])
            wanted.update(partners.get(record.talk.id, ()))
        if wanted - loaded.keys():
            take(store.talks(ids=wanted - loaded.keys()))
        # Records from the bound on are all loaded already: only lower ones are looked for.
        lower = [record for record in batch if record.talk.start - tolerance < bound]
        for near, (low, high) in _spans(lower, tolerance):
            for candidate in store.talks(since=low, until=min(high, bound)):
                if candidate.talk.id not in loaded and any(
                    evidence.linked(record, candidate) for record in near
                ):
                    take([candidate])
    previous = {talk_id: clusters[talk_id] for talk_id in loaded if talk_id in clusters}
    return list(loaded.values()), previous


def _spans(
    records: Sequence[StoredTalk], tolerance: timedelta
) -> list[tuple[list[StoredTalk], tuple[datetime, datetime]]]:
    """The records in groups whose starts are within the tolerance of the next, each with the
    span of starts the tolerance reaches from them: few queries for many records."""
    groups: list[list[StoredTalk]] = []
    for record in sorted(records, key=lambda r: r.talk.start):
        if groups and record.talk.start - groups[-1][-1].talk.start <= 2 * tolerance:
            groups[-1].append(record)
        else:
            groups.append([record])
    return [
        (group, (group[0].talk.start - tolerance, group[-1].talk.start + tolerance))
        for group in groups
    ]


def _elsewhere(
    store: Store, configured: Collection[str], records: Sequence[StoredTalk]
) -> set[tuple[str, str]]:
    """The (source, URL key) pairs of `records` that records not among them give too."""
    given = Counter((r.talk.source, url_key(r.talk.url)) for r in records if r.talk.url)
    everywhere: Counter[tuple[str, str]] = Counter()
    for source, url in store.talk_urls():
        if source in configured:
            everywhere[source, url_key(url)] += 1
    return {pair for pair, count in given.items() if everywhere[pair] > count}


def _settings(config: Config) -> tuple[MergeSettings, Overrides]:
    settings = MergeSettings(
        tolerance=timedelta(minutes=config.merge.tolerance_minutes),
        title_ratio=config.merge.title_ratio,
    )
    return settings, Overrides(together=config.merge.together, apart=config.merge.apart)


def _merged(
    config: Config,
    records: list[StoredTalk],
    previous: Mapping[str, str],
    elsewhere: Collection[tuple[str, str]] = (),
) -> list[Published]:
    settings, overrides = _settings(config)
    return [
        Published(
            talk=cluster.talk,
            members=tuple(member.talk.id for member in cluster.members),
            sources=cluster.sources,
            provenance=cluster.provenance,
        )
        for cluster in merge(records, settings, overrides, previous, elsewhere)
    ]
