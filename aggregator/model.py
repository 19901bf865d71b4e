"""The talk record: the contract between scrapers, the store and the feeds.

Every site's output is normalized into a `Talk`. The store wraps it in a `StoredTalk`, which adds
what only the store knows (when the talk was first seen, when it last changed, its iCal SEQUENCE);
feeds render `StoredTalk`s.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

__all__ = [
    "SEQUENCE_FIELDS",
    "STORED",
    "Change",
    "SourceLink",
    "Speaker",
    "Status",
    "StoredTalk",
    "Talk",
]

STORED = MappingProxyType({"stored": True})
"""The validation context of a record read back from the store, which checked it when it was
written: its URL is not parsed again (a third of the time validating a record takes)."""


class Status(StrEnum):
    """Whether a talk takes place as announced."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    POSTPONED = "postponed"
    TENTATIVE = "tentative"
    """No longer listed by a source that still works: it may have been dropped quietly."""


class Speaker(BaseModel):
    """One speaker of a talk."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, description="The speaker's name as the page prints it.")
    affiliation: str | None = Field(
        default=None, description="Institution(s), verbatim; may itself contain commas."
    )


class Talk(BaseModel):
    """One talk as published by one source."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(
        min_length=1,
        description=(
            "Stable: the source plus the talk's key there (its own id, such as an iCal UID, or"
            " its detail URL's), never the time or title."
        ),
    )
    source: str = Field(min_length=1, description="The id of the site that published the talk.")
    url: str | None = Field(
        default=None,
        description="The talk's own page (http or https); null when the source gives it none.",
    )
    title: str | None = Field(
        default=None,
        description=(
            "The title without any cancelled/postponed marker; null while the source names none"
            ' (a schedule listing only the speaker, a "TBA"). Feeds then show "Talk by <speakers>"'
            " or, without speakers, the source's name: that text is never stored here."
        ),
    )
    speakers: list[Speaker] = Field(default_factory=list, description="In page order.")
    start: AwareDatetime = Field(description="Start instant, in the talk's own time zone.")
    end: AwareDatetime | None = Field(
        default=None, description="End instant when the page gives one; null otherwise."
    )
    timezone: str = Field(description="IANA zone the talk's local times are in.")
    all_day: bool = Field(
        default=False,
        description="A whole-day event: `start` is local midnight; `end`, if set, is exclusive.",
    )
    default_duration_minutes: int = Field(
        default=60, gt=0, description="The source's usual length, used when `end` is null."
    )
    location: str | None = Field(default=None, description="Room and building, one line.")
    host: str | None = Field(default=None, description="The host(s), one line.")
    abstract: str | None = Field(
        default=None, description="Plain text; paragraphs split by a blank line."
    )
    bio: str | None = Field(default=None, description="The speaker bio, plain text.")
    notes: str | None = Field(default=None, description="Practical notes, plain text.")
    status: Status = Field(default=Status.SCHEDULED)

    @field_validator("title")
    @classmethod
    def _title_not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("title must not be empty (null when there is none)")
        return value

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None or info.context is STORED:
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"url must be an absolute http(s) URL, got {value!r}")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {value!r}") from None
        return value

    @model_validator(mode="after")
    def _local_times(self) -> Talk:
        # Times loaded back from JSON carry a fixed offset; re-attach the IANA zone so that
        # arithmetic across a DST change stays right.
        zone = ZoneInfo(self.timezone)
        object.__setattr__(self, "start", self.start.astimezone(zone))
        if self.end is not None:
            end = self.end.astimezone(zone)
            if end < self.start:
                raise ValueError("end must not be before start")
            object.__setattr__(self, "end", end)
        return self

    @property
    def effective_end(self) -> datetime:
        """`end`, or `start` plus the source's default duration when the page gives no end."""
        if self.end is not None:
            return self.end
        if self.all_day:
            return (self.start + timedelta(days=1)).replace(hour=0, minute=0)
        # Add real minutes, not wall-clock ones: a talk over a DST change still lasts an hour.
        later = self.start.astimezone(UTC) + timedelta(minutes=self.default_duration_minutes)
        return later.astimezone(self.start.tzinfo)

    @property
    def speaker_line(self) -> str:
        """Speakers as one line: "Name (Affiliation); Name"."""
        return "; ".join(
            f"{s.name} ({s.affiliation})" if s.affiliation else s.name for s in self.speakers
        )


SEQUENCE_FIELDS = ("start", "end", "location", "title", "status")
"""A change to one of these makes calendars update the event: the iCal SEQUENCE goes up. So does
a change of speakers' names while a talk has no title, as they stand in for it."""


class SourceLink(BaseModel):
    """One source that lists a talk, and the talk's page there."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str = Field(description="The source's id.")
    name: str = Field(description="The source's human-readable name.")
    url: str | None = Field(
        default=None, description="The talk's page at that source; null when it has none."
    )


class StoredTalk(BaseModel):
    """A talk with what the store knows about its history.

    For a talk merged from several sources, `talk` holds the richest value of each field,
    `sources` every source that lists it, and `provenance` which source gave which field.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    talk: Talk
    source_name: str = Field(description="Human-readable name of the talk's source.")
    sources: tuple[SourceLink, ...] = Field(
        default=(), description="Every source listing the talk; empty means just `talk.source`."
    )
    provenance: dict[str, str] = Field(
        default_factory=dict, description="Field name → id of the source its value came from."
    )
    moved_from: AwareDatetime | None = Field(
        default=None, description="The start before the talk was last moved, if it was."
    )
    first_seen: AwareDatetime = Field(description="The run that first found the talk.")
    last_seen: AwareDatetime = Field(description="The latest run that found the talk.")
    last_changed: AwareDatetime = Field(description="The run that last changed any field.")
    change_count: int = Field(default=0, ge=0, description="How many runs changed the talk.")
    sequence: int = Field(
        default=0,
        ge=0,
        description="iCal SEQUENCE: runs that changed what calendars show (see SEQUENCE_FIELDS).",
    )


class Change(BaseModel):
    """One change to one talk in one run, as the store records it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    talk_id: str
    run_at: AwareDatetime
    kind: str = Field(description='"new", "moved", "cancelled", "restored" or "changed".')
    field: str | None = Field(default=None, description="The field that changed, if one.")
    old: str | None = Field(default=None, description="The old value, as JSON text.")
    new: str | None = Field(default=None, description="The new value, as JSON text.")
